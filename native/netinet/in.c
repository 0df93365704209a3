/*
 * IPv4 addresses of the host: which are ours, which are broadcasts, the
 * route and source address toward a destination, the pseudo-header sum,
 * and the helpers every inet socket shares (addresses, sockaddr checks).
 */
#include <sys/ioctl.h>

#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"

struct netstate *
m_netstate(const struct mbuf *m)
{
	return net_peek(m->m_kernel);
}

static inline bool
in_prefix_match(struct in_addr a, struct in_addr net, struct in_addr mask)
{
	return (a.s_addr & mask.s_addr) == (net.s_addr & mask.s_addr);
}

struct in_ifaddr *
in_ifaddr_exact(struct netstate *ns, struct in_addr a)
{
	struct ifnet *ifp;
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
		TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
			if (ia->ia_addr.s_addr == a.s_addr)
				return ia;
	return NULL;
}

/*
 * An address inside the prefix of a loopback interface's address is ours
 * as a whole (Linux's "local 127.0.0.0/8 dev lo"): 127.0.0.2 answers too.
 */
bool
in_isloopback(struct netstate *ns, struct in_addr a)
{
	struct ifnet *ifp;
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list) {
		if (!(ifp->if_flags & IFF_LOOPBACK) && ifp->if_type != IFT_LOOP)
			continue;
		TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
			if (in_prefix_match(a, ia->ia_addr, ia->ia_mask))
				return true;
	}
	return false;
}

bool
in_localaddr(struct netstate *ns, struct in_addr addr)
{
	return in_ifaddr_exact(ns, addr) != NULL || in_isloopback(ns, addr);
}

bool
in_multicast_addr(struct in_addr a)
{
	return IN_MULTICAST(ntohl(a.s_addr));
}

bool
in_broadcast(struct in_addr addr, struct ifnet *ifp)
{
	struct in_ifaddr *ia;

	if (addr.s_addr == INADDR_BROADCAST)
		return true;
	if (ifp == NULL)
		return false;
	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
		if (ia->ia_prefixlen < 31 &&
		    ia->ia_broadcast.s_addr == addr.s_addr)
			return true;
	return false;
}

bool
in_broadcast_any(struct netstate *ns, struct in_addr a)
{
	struct ifnet *ifp;

	if (a.s_addr == INADDR_BROADCAST)
		return true;
	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
		if (in_broadcast(a, ifp))
			return true;
	return false;
}

int
in_route(struct netstate *ns, struct in_addr dst, struct ifnet **ifpp,
    struct in_addr *nexthop)
{
	struct rtentry *rt;
	struct in_ifaddr *ia;

	/* our own addresses are reached through the loopback */
	ia = in_ifaddr_exact(ns, dst);
	if ((ia != NULL || in_isloopback(ns, dst)) &&
	    (ns->ns_loif != NULL || ia != NULL)) {
		*ifpp = ns->ns_loif != NULL ? ns->ns_loif : ia->ia_ifp;
		*nexthop = dst;
		return 0;
	}
	if ((rt = rt_lookup(ns, dst)) == NULL || rt->rt_ifp == NULL ||
	    !(rt->rt_ifp->if_flags & IFF_UP))
		return ENETUNREACH;
	rt->rt_use++;
	*ifpp = rt->rt_ifp;
	*nexthop = rt->rt_gateway.s_addr != INADDR_ANY ? rt->rt_gateway : dst;
	return 0;
}

int
in_selectsrc(struct netstate *ns, struct in_addr dst, struct in_addr *src,
    struct ifnet **ifpp)
{
	struct ifnet *ifp;
	struct in_ifaddr *ia, *best = NULL;
	struct in_addr nexthop;
	int error;

	if ((error = in_route(ns, dst, &ifp, &nexthop)) != 0)
		return error;
	if (ifpp != NULL)
		*ifpp = ifp;
	if (in_ifaddr_exact(ns, dst) != NULL) {
		*src = dst;		/* to ourselves, from the same address */
		return 0;
	}
	/* the interface's address on the next hop's subnet, else its first */
	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list) {
		if (in_prefix_match(nexthop, ia->ia_addr, ia->ia_mask)) {
			best = ia;
			break;
		}
		if (best == NULL)
			best = ia;
	}
	if (best == NULL)
		return EADDRNOTAVAIL;
	*src = best->ia_addr;
	return 0;
}

/*
 * Queue a received datagram (m, and its ancillary data) on so with the
 * sender's address, and wake readers; both consumed.  Like Linux, a
 * datagram is refused only when the buffer is already full, so one may
 * take it past SO_RCVBUF.  False: dropped.
 */
bool
in_sbappend(struct socket *so, struct in_addr src, uint16_t port,
    struct mbuf *m, struct mbuf *control)
{
	struct sockaddr_in from;

	in_sockaddr(&from, src, port);
	if (sbspace(&so->so_rcv) == 0 ||
	    !sbappendaddr(&so->so_rcv, (const struct sockaddr *)&from,
	    sizeof(from), m, control)) {
		m_freem(m);
		m_freem(control);
		return false;
	}
	sorwakeup(so);
	return true;
}

/* ip_output's flags from a socket's options (SO_BROADCAST ...). */
int
ip_sendflags(const struct socket *so)
{
	const struct inpcb *inp = so->so_pcb;
	int flags = 0;

	if (so->so_options & SOO_BROADCAST)
		flags |= IP_ALLOWBROADCAST;
	if (so->so_options & SOO_DONTROUTE)
		flags |= IP_ROUTETOIF;
	if (inp->inp_pmtudisc == IP_PMTUDISC_DO ||
	    inp->inp_pmtudisc == IP_PMTUDISC_PROBE)
		flags |= IP_DONTFRAG;
	return flags;
}

/*
 * The pseudo-header's words as in_cksum_chain adds them: 16-bit loads of
 * network-order bytes.
 */
uint32_t
in_pseudo(struct in_addr src, struct in_addr dst, uint8_t proto, uint16_t len)
{
	uint16_t w[6];
	uint32_t sum = 0;
	uint16_t p = htons(proto), l = htons(len);

	memcpy(&w[0], &src.s_addr, 4);
	memcpy(&w[2], &dst.s_addr, 4);
	memcpy(&w[4], &p, 2);
	memcpy(&w[5], &l, 2);
	for (int i = 0; i < 6; i++)
		sum += w[i];
	return sum;
}

void
in_sockaddr(struct sockaddr_in *sin, struct in_addr a, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = port;
}

int
in_checksin(const struct sockaddr *nam, socklen_t len, bool unspec_ok)
{
	if (nam == NULL || len < (socklen_t)sizeof(struct sockaddr_in))
		return EINVAL;
	if (nam->sa_family == AF_INET)
		return 0;
	if (unspec_ok && nam->sa_family == AF_UNSPEC)
		return 0;
	return EAFNOSUPPORT;
}

static int
in_addr_req(struct socket *so, struct sockaddr *sa, socklen_t *lenp,
    bool peer)
{
	struct inpcb *inp = sotoinpcb(so);
	struct sockaddr_in sin;

	if (inp == NULL)
		return EINVAL;
	if (peer) {
		if (!inp->inp_connected)
			return ENOTCONN;
		in_pcbsetpeer(inp, &sin);
	} else {
		in_pcbsetaddr(inp, &sin);
	}
	memcpy(sa, &sin, MIN((size_t)*lenp, sizeof(sin)));
	*lenp = sizeof(sin);
	return 0;
}

int
in_sockaddr_req(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return in_addr_req(so, sa, lenp, false);
}

int
in_peeraddr_req(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return in_addr_req(so, sa, lenp, true);
}

/* Datagram sockets answer FIONREAD/SIOCINQ with the next datagram's size. */
int
in_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	struct mbuf *m;
	int n = 0;

	if (cmd != FIONREAD)
		return ENOTTY;
	/* skip the address and control parts of the first record */
	for (m = so->so_rcv.sb_mb; m != NULL; m = m->m_next)
		if (m->m_type == MT_DATA)
			n += (int)m->m_len;
	memcpy(data, &n, sizeof(n));
	return 0;
}

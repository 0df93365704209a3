/*
 * ICMP: echo replies, errors about datagrams we could not deliver (with
 * Linux's limits: never about ICMP errors, broadcasts or later fragments,
 * and a token bucket of 1000 a second, burst 50, that loopback
 * destinations bypass), errors received passed on to the transport, and
 * "ping sockets" (SOCK_DGRAM/IPPROTO_ICMP): echo requests without
 * privilege, their identifier being the socket's port.
 */
#include <netinet/ip_icmp.h>

#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"

#define ICMP_RATE	1000		/* errors a second (icmp_msgs_per_sec) */
#define ICMP_BURST	50		/* icmp_msgs_burst */
#define NS_PER_SEC	1000000000LL

static bool
icmp_isinfo(uint8_t type)
{
	switch (type) {
	case ICMP_ECHOREPLY: case ICMP_ECHO:
	case ICMP_TSTAMP: case ICMP_TSTAMPREPLY:
	case ICMP_IREQ: case ICMP_IREQREPLY:
	case ICMP_MASKREQ: case ICMP_MASKREPLY:
		return true;
	}
	return false;
}

/* One more error to dst allowed?  Tokens are kept in billionths. */
static bool
icmp_ratelimit_ok(struct netstate *ns, struct in_addr dst)
{
	struct inet_state *is = ns_inet(ns);
	int64_t now = mono_ns(), elapsed = now - is->is_icmp_last;
	const int64_t cap = ICMP_BURST * NS_PER_SEC;

	if (in_localaddr(ns, dst))	/* no limit toward ourselves */
		return true;
	/* the bucket starts full (Linux), not empty: the first error goes */
	if (is->is_icmp_last == 0)
		elapsed = NS_PER_SEC;
	is->is_icmp_last = now;
	if (elapsed > 0)
		is->is_icmp_tokens = elapsed >= NS_PER_SEC ? cap :
		    MIN(cap, is->is_icmp_tokens + elapsed * ICMP_RATE);
	if (is->is_icmp_tokens < NS_PER_SEC)
		return false;
	is->is_icmp_tokens -= NS_PER_SEC;
	return true;
}

/* Source for a message about a datagram to dst: dst if it was ours. */
static struct in_addr
icmp_src(struct netstate *ns, struct in_addr dst)
{
	struct in_addr any = { INADDR_ANY };

	if (in_localaddr(ns, dst) && !in_broadcast_any(ns, dst))
		return dst;
	return any;
}

void
icmp_error(struct mbuf *n, int type, int code, uint32_t dest_mtu)
{
	struct netstate *ns = m_netstate(n);
	struct inet_state *is = ns_inet(ns);
	struct ip *oip, *ip;
	struct icmp *icp;
	struct mbuf *m;
	size_t ohlen, quote;
	uint8_t itype;

	if (n->m_pkthdr.len < sizeof(struct ip) ||
	    (n = m_pullup(n, sizeof(struct ip))) == NULL)
		goto free;
	oip = mtod(n, struct ip *);
	ohlen = (size_t)oip->ip_hl << 2;
	if ((ntohs(oip->ip_off) & IP_OFFMASK) != 0 ||
	    (n->m_flags & (M_BCAST | M_MCAST)) ||
	    in_multicast_addr(oip->ip_dst) ||
	    in_broadcast_any(ns, oip->ip_dst) ||
	    oip->ip_src.s_addr == INADDR_ANY ||
	    in_multicast_addr(oip->ip_src) ||
	    in_broadcast_any(ns, oip->ip_src))
		goto free;
	if (oip->ip_p == IPPROTO_ICMP && n->m_pkthdr.len > ohlen) {
		m_copydata(n, ohlen, 1, &itype);
		if (!icmp_isinfo(itype))
			goto free;
	}
	if (!icmp_ratelimit_ok(ns, oip->ip_src)) {
		is->is_icmpstat.ratelimited++;
		goto free;
	}

	quote = MIN(n->m_pkthdr.len, ICMP_ERRLEN - sizeof(struct ip) - 8);
	if ((m = m_gethdr(n->m_kernel, MAX_HDR, sizeof(*ip) + 8 + quote))
	    == NULL)
		goto free;
	m->m_len = m->m_pkthdr.len = (uint32_t)(sizeof(*ip) + 8 + quote);
	ip = mtod(m, struct ip *);
	icp = (struct icmp *)(ip + 1);
	memset(ip, 0, sizeof(*ip) + 8);
	m_copydata(n, 0, quote, (uint8_t *)icp + 8);
	icp->icmp_type = (uint8_t)type;
	icp->icmp_code = (uint8_t)code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		icp->icmp_nextmtu = htons((uint16_t)dest_mtu);
	icp->icmp_cksum = in_cksum_chain(m, sizeof(*ip), 8 + quote, 0);

	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_tos = (uint8_t)((oip->ip_tos & IPTOS_TOS_MASK) |
	    IPTOS_PREC_INTERNETCONTROL);
	ip->ip_ttl = IP_DEFTTL;
	ip->ip_p = IPPROTO_ICMP;
	ip->ip_dst = oip->ip_src;
	ip->ip_src = icmp_src(ns, oip->ip_dst);

	is->is_icmpstat.outmsgs++;
	if (type == ICMP_UNREACH)
		is->is_icmpstat.outdestunreachs++;
	else if (type == ICMP_TIMXCEED)
		is->is_icmpstat.outtimeexcds++;
	(void)ip_output(ns, m, 0);
free:
	m_freem(n);
}

/*
 * ARP gave up on the next hop of a datagram we sent: its sender hears
 * "host unreachable" from us, which a connected UDP socket reports as
 * EHOSTUNREACH (Linux reports it the same way, from its neighbour code).
 */
void
ip_unreach(struct mbuf *m)
{
	icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_HOST, 0);
}

/* An echo request answered: the same data back, from the address asked. */
static void
icmp_reflect(struct netstate *ns, struct mbuf *m, int off, size_t icmplen)
{
	struct inet_state *is = ns_inet(ns);
	struct ip *ip = mtod(m, struct ip *);
	struct in_addr src = ip->ip_dst, dst = ip->ip_src;
	uint8_t tos = ip->ip_tos;
	struct icmp *icp;

	/* a fresh header without options; the payload may stay shared */
	m_adj(m, off);
	if ((m = m_prepend(m, sizeof(*ip))) == NULL ||
	    (m = m_pullup(m, sizeof(*ip) + ICMP_MINLEN)) == NULL)
		return;
	ip = mtod(m, struct ip *);
	icp = (struct icmp *)(ip + 1);
	icp->icmp_type = ICMP_ECHOREPLY;
	icp->icmp_cksum = 0;
	icp->icmp_cksum = in_cksum_chain(m, sizeof(*ip), icmplen, 0);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_tos = tos;
	ip->ip_ttl = IP_DEFTTL;
	ip->ip_p = IPPROTO_ICMP;
	ip->ip_src = icmp_src(ns, src);
	ip->ip_dst = dst;
	m->m_flags &= ~(M_BCAST | M_MCAST | M_LOOP);
	m->m_pkthdr.csum_flags = 0;
	is->is_icmpstat.outmsgs++;
	is->is_icmpstat.outechoreps++;
	(void)ip_output(ns, m, 0);
}

/* An error about a datagram we sent: tell its transport. */
static void
icmp_notify(struct netstate *ns, struct mbuf *m, int off, size_t icmplen,
    int prc)
{
	struct inet_state *is = ns_inet(ns);
	const struct ip *inner;
	size_t ihlen, need;

	if (icmplen < ICMP_MINLEN + sizeof(struct ip))
		goto bad;
	if ((m = m_pullup(m, (size_t)off + ICMP_MINLEN + sizeof(struct ip)))
	    == NULL) {
		is->is_icmpstat.badlen++;
		return;
	}
	inner = (const struct ip *)(mtod(m, uint8_t *) + off + ICMP_MINLEN);
	ihlen = (size_t)inner->ip_hl << 2;
	/* the inner header and the transport's first 8 bytes (ports) */
	need = ICMP_MINLEN + ihlen + 8;
	if (inner->ip_v != IPVERSION || ihlen < sizeof(struct ip) ||
	    icmplen < need)
		goto bad;
	if ((m = m_pullup(m, (size_t)off + need)) == NULL) {
		is->is_icmpstat.badlen++;
		return;
	}
	inner = (const struct ip *)(mtod(m, uint8_t *) + off + ICMP_MINLEN);
	if (inner->ip_p == IPPROTO_UDP)
		udp_ctlinput(ns, prc, inner, need - ICMP_MINLEN);
	else if (inner->ip_p == IPPROTO_TCP)
		tcp_ctlinput(ns, prc, inner, need - ICMP_MINLEN);
	m_freem(m);
	return;
bad:
	is->is_icmpstat.badlen++;
	m_freem(m);
}

static int
icmp_unreach_prc(int code)
{
	switch (code) {
	case ICMP_UNREACH_PORT:
		return PRC_UNREACH_PORT;
	case ICMP_UNREACH_PROTOCOL:
		return PRC_UNREACH_PROTO;
	case ICMP_UNREACH_NEEDFRAG:
		return PRC_MSGSIZE;
	case ICMP_UNREACH_NET:
	case ICMP_UNREACH_NET_UNKNOWN:
	case ICMP_UNREACH_NET_PROHIB:
	case ICMP_UNREACH_TOSNET:
		return PRC_UNREACH_NET;
	default:
		return PRC_UNREACH_HOST;
	}
}

void
icmp_input(struct mbuf *m, int off)
{
	struct netstate *ns = m_netstate(m);
	struct inet_state *is = ns_inet(ns);
	const struct ip *ip = mtod(m, const struct ip *);
	size_t icmplen = ntohs(ip->ip_len) - (size_t)off;
	struct icmp *icp;

	is->is_icmpstat.inmsgs++;
	if (icmplen < ICMP_MINLEN) {
		is->is_icmpstat.badlen++;
		goto drop;
	}
	if (!(m->m_pkthdr.csum_flags & M_CSUM_DATA_OK) &&
	    in_cksum_chain(m, (size_t)off, icmplen, 0) != 0) {
		is->is_icmpstat.badsum++;
		goto drop;
	}
	if ((m = m_pullup(m, (size_t)off + ICMP_MINLEN)) == NULL) {
		is->is_icmpstat.inerrors++;
		return;
	}
	icp = (struct icmp *)(mtod(m, uint8_t *) + off);
	switch (icp->icmp_type) {
	case ICMP_ECHO:
		is->is_icmpstat.inechos++;
		/* Linux ignores echoes to broadcasts (icmp_echo_ignore_broadcasts) */
		if (m->m_flags & (M_BCAST | M_MCAST))
			goto drop;
		icmp_reflect(ns, m, off, icmplen);
		return;
	case ICMP_ECHOREPLY:
		is->is_icmpstat.inechoreps++;
		icmp_ping_input(ns, m, off);
		return;
	case ICMP_UNREACH:
		is->is_icmpstat.indestunreachs++;
		icmp_notify(ns, m, off, icmplen, icmp_unreach_prc(icp->icmp_code));
		return;
	case ICMP_TIMXCEED:
		is->is_icmpstat.intimeexcds++;
		icmp_notify(ns, m, off, icmplen, PRC_TIMXCEED);
		return;
	default:
		break;
	}
drop:
	m_freem(m);
}

/* ---------------------------------------------------------- ping sockets */

void
icmp_ping_input(struct netstate *ns, struct mbuf *m, int off)
{
	struct inet_state *is = ns_inet(ns);
	const struct ip *ip = mtod(m, const struct ip *);
	const struct icmp *icp = (const struct icmp *)(mtod(m, uint8_t *) + off);
	struct in_addr src = ip->ip_src, dst = ip->ip_dst;
	struct inpcb *inp;
	struct socket *so;
	struct mbuf *control = NULL;

	LIST_FOREACH(inp, &is->is_rawtable->it_all, inp_list) {
		if (!(inp->inp_flags & INP_PING) ||
		    inp->inp_lport != icp->icmp_id ||
		    (inp->inp_laddr.s_addr != INADDR_ANY &&
		    inp->inp_laddr.s_addr != dst.s_addr) ||
		    (inp->inp_connected && inp->inp_faddr.s_addr != src.s_addr))
			continue;
		break;
	}
	if (inp == NULL || (so = inp->inp_socket) == NULL) {
		m_freem(m);
		return;
	}
	control = ip_savecontrol(so, ip, m->m_pkthdr.rcvif);
	m_adj(m, off);
	(void)in_sbappend(so, src, 0, m, control);
}

int
ping_attach(struct socket *so, int proto)
{
	struct inet_state *is = ns_inet(so->so_ns);
	int error;

	(void)proto;
	if ((error = in_dgram_attach(so, is->is_rawtable, 212992, 212992)) != 0)
		return error;
	sotoinpcb(so)->inp_flags |= INP_PING;
	sotoinpcb(so)->inp_ip_p = IPPROTO_ICMP;
	return 0;
}

int
ping_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    socklen_t namlen, struct mbuf *control, int flags)
{
	struct netstate *ns = so->so_ns;
	struct inpcb *inp = sotoinpcb(so);
	struct in_addr dst;
	struct icmp icmp;
	struct ip *ip;
	size_t len = m_length(m);
	int error;

	(void)flags;
	m_freem(control);
	if (nam != NULL) {
		if (namlen < (socklen_t)sizeof(struct sockaddr_in)) {
			error = EINVAL;
			goto bad;
		}
		if (nam->sa_family != AF_INET) {
			error = EAFNOSUPPORT;
			goto bad;
		}
		dst = ((const struct sockaddr_in *)nam)->sin_addr;
	} else if (inp->inp_connected) {
		dst = inp->inp_faddr;
	} else {
		error = EDESTADDRREQ;
		goto bad;
	}
	if (len < ICMP_MINLEN) {
		error = EINVAL;
		goto bad;
	}
	if (len > IP_MAXPACKET - sizeof(struct ip)) {
		error = EMSGSIZE;
		goto bad;
	}
	m_copydata(m, 0, ICMP_MINLEN, &icmp);
	if (icmp.icmp_type != ICMP_ECHO || icmp.icmp_code != 0) {
		error = EINVAL;
		goto bad;
	}
	if (inp->inp_lport == 0 &&
	    (error = in_pcbbind(inp, NULL, so->so_cred)) != 0)
		goto bad;
	icmp.icmp_id = inp->inp_lport;
	icmp.icmp_cksum = 0;
	if ((error = m_copyback(m, 0, ICMP_MINLEN, &icmp)) != 0)
		goto bad;
	icmp.icmp_cksum = in_cksum_chain(m, 0, len, 0);
	if ((error = m_copyback(m, 0, ICMP_MINLEN, &icmp)) != 0)
		goto bad;
	if ((m = m_prepend(m, sizeof(*ip))) == NULL)
		return ENOBUFS;
	ip = mtod(m, struct ip *);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_tos = inp->inp_tos;
	ip->ip_ttl = inp->inp_ttl;
	ip->ip_p = IPPROTO_ICMP;
	ip->ip_src = in_broadcast_any(ns, inp->inp_laddr) ?
	    (struct in_addr){ INADDR_ANY } : inp->inp_laddr;
	ip->ip_dst = dst;
	/* DF as on every socket of Linux's (IP_PMTUDISC_WANT) */
	if (inp->inp_pmtudisc != IP_PMTUDISC_DONT)
		ip->ip_off = htons(IP_DF);
	return ip_output(ns, m, ip_sendflags(so));
bad:
	m_freem(m);
	return error;
}

/*
 * UDP: datagram sockets over IP.  Input finds the socket by 4-tuple, then
 * by local address and port (broadcasts go to every socket that would
 * take them); output builds the header and checksum.  Connected sockets
 * learn ECONNREFUSED from a port unreachable, as on Linux.
 */
#include <netinet/udp.h>
#include <netinet/ip_icmp.h>

#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"

/* Linux's net.core.rmem_default and wmem_default */
#define UDP_SENDSPACE	212992
#define UDP_RECVSPACE	212992

/* Queue one datagram (data from m at its payload) on so. */
static void
udp_append(struct netstate *ns, struct socket *so, const struct ip *ip,
    uint16_t sport, struct mbuf *m, int hoff, struct ifnet *rcvif)
{
	struct inet_state *is = ns_inet(ns);
	struct mbuf *control;

	control = ip_savecontrol(so, ip, rcvif);
	m_adj(m, hoff);
	if (!in_sbappend(so, ip->ip_src, sport, m, control))
		is->is_udpstat.fullsock++;
}

static bool
udp_bcast_match(const struct inpcb *inp, const struct ip *ip,
    const struct udphdr *uh)
{
	return inp->inp_socket != NULL && inp->inp_lport == uh->uh_dport &&
	    (inp->inp_laddr.s_addr == INADDR_ANY ||
	    inp->inp_laddr.s_addr == ip->ip_dst.s_addr) &&
	    (!inp->inp_connected ||
	    (inp->inp_faddr.s_addr == ip->ip_src.s_addr &&
	    inp->inp_fport == uh->uh_sport));
}

/* A broadcast: a copy to each socket that would take it. */
static bool
udp_bcast_input(struct netstate *ns, struct mbuf *m, const struct ip *ip,
    const struct udphdr *uh, int hoff)
{
	struct inpcb *inp, *last = NULL;
	struct ifnet *rcvif = m->m_pkthdr.rcvif;

	LIST_FOREACH(inp, &ns_inet(ns)->is_udbtable->it_all, inp_list) {
		struct mbuf *n;

		if (!udp_bcast_match(inp, ip, uh))
			continue;
		if (last != NULL && (n = m_copym(m, 0, M_COPYALL)) != NULL)
			udp_append(ns, last->inp_socket, ip, uh->uh_sport, n,
			    hoff, rcvif);
		last = inp;
	}
	if (last == NULL)
		return false;
	udp_append(ns, last->inp_socket, ip, uh->uh_sport, m, hoff, rcvif);
	return true;
}

void
udp_input(struct mbuf *m, int off)
{
	struct netstate *ns = m_netstate(m);
	struct inet_state *is = ns_inet(ns);
	struct ip *ip;
	struct udphdr *uh;
	struct inpcb *inp;
	size_t iplen, ulen;
	struct ip ipcopy;
	struct udphdr uhcopy;

	is->is_udpstat.ipackets++;
	ip = mtod(m, struct ip *);
	iplen = ntohs(ip->ip_len);
	if (iplen < (size_t)off + sizeof(*uh) ||
	    (m = m_pullup(m, (size_t)off + sizeof(*uh))) == NULL) {
		is->is_udpstat.hdrops++;
		goto drop;
	}
	ip = mtod(m, struct ip *);
	uh = (struct udphdr *)(mtod(m, uint8_t *) + off);
	ulen = ntohs(uh->uh_ulen);
	if (ulen < sizeof(*uh) || ulen > iplen - (size_t)off) {
		is->is_udpstat.badlen++;
		goto drop;
	}
	if (ulen < iplen - (size_t)off) {
		/* shorter than IP says: the rest is not UDP's */
		m_adj(m, -(long)(iplen - (size_t)off - ulen));
		ip->ip_len = htons((uint16_t)(off + ulen));
	}
	if (uh->uh_sum != 0 && !(m->m_pkthdr.csum_flags & M_CSUM_DATA_OK) &&
	    in_cksum_chain(m, (size_t)off, ulen, in_pseudo(ip->ip_src,
	    ip->ip_dst, IPPROTO_UDP, (uint16_t)ulen)) != 0) {
		is->is_udpstat.badsum++;
		goto drop;
	}
	/* the headers are read after the data moved to a socket */
	ipcopy = *ip;
	uhcopy = *uh;

	if (m->m_flags & (M_BCAST | M_MCAST)) {
		if (!udp_bcast_input(ns, m, &ipcopy, &uhcopy,
		    off + (int)sizeof(*uh))) {
			is->is_udpstat.noportbcast++;
			goto drop;
		}
		return;
	}
	inp = in_pcblookup_connect(is->is_udbtable, ip->ip_src, uh->uh_sport,
	    ip->ip_dst, uh->uh_dport);
	if (inp == NULL)
		inp = in_pcblookup_bind(is->is_udbtable, ip->ip_dst,
		    uh->uh_dport);
	if (inp == NULL || inp->inp_socket == NULL) {
		is->is_udpstat.noport++;
		icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_PORT, 0);
		return;
	}
	udp_append(ns, inp->inp_socket, &ipcopy, uhcopy.uh_sport, m,
	    off + (int)sizeof(*uh), m->m_pkthdr.rcvif);
	return;
drop:
	m_freem(m);
}

/* ICMP says a datagram we sent could not be delivered. */
void
udp_ctlinput(struct netstate *ns, int cmd, const struct ip *inner, size_t len)
{
	struct inet_state *is = ns_inet(ns);
	const struct udphdr *uh;
	struct inpcb *inp;
	struct socket *so;
	int error;

	if (len < ((size_t)inner->ip_hl << 2) + 8)
		return;
	uh = (const struct udphdr *)((const uint8_t *)inner +
	    ((size_t)inner->ip_hl << 2));
	bool hard = false;

	/*
	 * Linux's rules: "hard" errors (port and protocol unreachable) reach
	 * connected sockets; the soft ones (host or network unreachable, time
	 * exceeded, fragmentation needed) only a socket with IP_RECVERR, which
	 * learns of both connected or not.  There is no error queue: the
	 * error is left in so_error.
	 */
	switch (cmd) {
	case PRC_UNREACH_PORT:
		error = ECONNREFUSED;
		hard = true;
		break;
	case PRC_UNREACH_PROTO:
		error = ENOPROTOOPT;
		hard = true;
		break;
	case PRC_UNREACH_HOST:
	case PRC_TIMXCEED:
		error = EHOSTUNREACH;
		break;
	case PRC_UNREACH_NET:
		error = ENETUNREACH;
		break;
	case PRC_MSGSIZE:
		error = EMSGSIZE;
		break;
	default:
		return;
	}
	inp = in_pcblookup_connect(is->is_udbtable, inner->ip_dst,
	    uh->uh_dport, inner->ip_src, uh->uh_sport);
	if (inp == NULL)
		inp = in_pcblookup_bind(is->is_udbtable, inner->ip_src,
		    uh->uh_sport);
	if (inp == NULL || (so = inp->inp_socket) == NULL)
		return;
	if (!(inp->inp_flags & INP_RECVERR) && (!hard || !inp->inp_connected))
		return;
	so->so_error = error;
	sorwakeup(so);
	sowwakeup(so);
}

int
in_dgram_attach(struct socket *so, struct inpcbtable *t, size_t sndspace,
    size_t rcvspace)
{
	int error;

	if ((error = sbreserve(&so->so_snd, sndspace)) != 0 ||
	    (error = sbreserve(&so->so_rcv, rcvspace)) != 0)
		return error;
	return in_pcballoc(so, t);
}

int
udp_attach(struct socket *so, int proto)
{
	(void)proto;
	return in_dgram_attach(so, ns_inet(so->so_ns)->is_udbtable,
	    UDP_SENDSPACE, UDP_RECVSPACE);
}

void
udp_detach(struct socket *so)
{
	struct inpcb *inp = sotoinpcb(so);

	if (inp != NULL)
		in_pcbdetach(inp);
	so->so_pcb = NULL;
}

void
udp_abort(struct socket *so)
{
	udp_detach(so);
}

int
udp_shutdown(struct socket *so)
{
	socantsendmore(so);
	return 0;
}

int
udp_bind(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	struct sockaddr_in sin;
	int error;

	if (inp == NULL)
		return EINVAL;
	if ((error = in_checksin(nam, len, true)) != 0)
		return error;
	memcpy(&sin, nam, sizeof(sin));
	/* Linux takes AF_UNSPEC for INADDR_ANY only */
	if (sin.sin_family == AF_UNSPEC && sin.sin_addr.s_addr != INADDR_ANY)
		return EAFNOSUPPORT;
	if ((error = in_pcbbind(inp, &sin, so->so_cred)) != 0)
		return error;
	so->so_state |= SS_ISBOUND;
	return 0;
}

int
udp_connect(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	struct sockaddr_in sin;
	int error;

	if (inp == NULL)
		return EINVAL;
	if (nam != NULL && len >= (socklen_t)sizeof(nam->sa_family) &&
	    nam->sa_family == AF_UNSPEC)
		return udp_disconnect(so);
	if ((error = in_checksin(nam, len, false)) != 0)
		return error;
	memcpy(&sin, nam, sizeof(sin));
	if ((error = in_pcbconnect(inp, &sin, so->so_cred)) != 0)
		return error;
	so->so_state |= SS_ISCONNECTED | SS_ISBOUND;
	so->so_error = 0;
	return 0;
}

int
udp_disconnect(struct socket *so)
{
	struct inpcb *inp = sotoinpcb(so);

	if (inp == NULL)
		return EINVAL;
	in_pcbdisconnect(inp);
	so->so_state &= ~SS_ISCONNECTED;
	if (inp->inp_lport == 0)
		so->so_state &= ~SS_ISBOUND;
	return 0;
}

int
udp_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    socklen_t namlen, struct mbuf *control, int flags)
{
	struct netstate *ns = so->so_ns;
	struct inet_state *is = ns_inet(ns);
	struct inpcb *inp = sotoinpcb(so);
	struct in_addr dst, src;
	uint16_t dport;
	size_t len = m_length(m), ulen;
	struct udphdr *uh;
	struct ip *ip;
	int error;

	(void)flags;
	m_freem(control);
	if (inp == NULL) {
		error = EINVAL;
		goto bad;
	}
	if (nam != NULL) {
		const struct sockaddr_in *sin = (const void *)nam;

		if ((error = in_checksin(nam, namlen, true)) != 0)
			goto bad;
		if (sin->sin_port == 0) {
			error = EINVAL;
			goto bad;
		}
		dst = sin->sin_addr;
		dport = sin->sin_port;
	} else if (inp->inp_connected) {
		dst = inp->inp_faddr;
		dport = inp->inp_fport;
	} else {
		error = EDESTADDRREQ;
		goto bad;
	}
	if (dst.s_addr == INADDR_ANY)		/* as connect: this host */
		dst.s_addr = inp->inp_laddr.s_addr != INADDR_ANY ?
		    inp->inp_laddr.s_addr : htonl(INADDR_LOOPBACK);
	ulen = len + sizeof(*uh);
	if (ulen + sizeof(*ip) > IP_MAXPACKET) {
		error = EMSGSIZE;
		goto bad;
	}
	/* an error ICMP reported goes to the next send, as on Linux */
	if (so->so_error != 0) {
		error = so->so_error;
		so->so_error = 0;
		goto bad;
	}
	if (inp->inp_lport == 0 &&
	    (error = in_pcbbind(inp, NULL, so->so_cred)) != 0)
		goto bad;
	so->so_state |= SS_ISBOUND;
	src = inp->inp_laddr;
	if (src.s_addr == INADDR_ANY || in_broadcast_any(ns, src) ||
	    in_multicast_addr(src)) {
		if ((error = in_selectsrc(ns, dst, &src, NULL)) != 0)
			goto bad;
	}

	if ((m = m_prepend(m, sizeof(*ip) + sizeof(*uh))) == NULL)
		return ENOBUFS;
	ip = mtod(m, struct ip *);
	uh = (struct udphdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_tos = inp->inp_tos;
	ip->ip_ttl = inp->inp_ttl;
	ip->ip_p = IPPROTO_UDP;
	ip->ip_src = src;
	ip->ip_dst = dst;
	/* Linux's IP_PMTUDISC_WANT: DF whenever the datagram fits */
	if (inp->inp_pmtudisc != IP_PMTUDISC_DONT)
		ip->ip_off = htons(IP_DF);
	uh->uh_sport = inp->inp_lport;
	uh->uh_dport = dport;
	uh->uh_ulen = htons((uint16_t)ulen);
	uh->uh_sum = 0;
	uh->uh_sum = in_cksum_chain(m, sizeof(*ip), ulen,
	    in_pseudo(src, dst, IPPROTO_UDP, (uint16_t)ulen));
	if (uh->uh_sum == 0)
		uh->uh_sum = 0xffff;	/* 0 would mean "none" */
	is->is_udpstat.opackets++;
	return ip_output(ns, m, ip_sendflags(so));
bad:
	m_freem(m);
	return error;
}

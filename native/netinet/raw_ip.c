/*
 * Raw IP sockets: whole datagrams, IP header included, for a protocol
 * (ICMP for ping and traceroute).  Creating one needs privilege.  Every
 * datagram this host receives is offered to the raw sockets of its
 * protocol as well as to the protocol itself, as on Linux; a protocol
 * nobody speaks draws a protocol unreachable when no raw socket took it.
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

#define RIP_SENDSPACE	212992
#define RIP_RECVSPACE	212992

static bool
rip_match(const struct inpcb *inp, const struct ip *ip)
{
	return inp->inp_socket != NULL && !(inp->inp_flags & INP_PING) &&
	    inp->inp_ip_p == ip->ip_p &&
	    (inp->inp_laddr.s_addr == INADDR_ANY ||
	    inp->inp_laddr.s_addr == ip->ip_dst.s_addr) &&
	    (!inp->inp_connected ||
	    inp->inp_faddr.s_addr == ip->ip_src.s_addr);
}

static void
rip_append(struct socket *so, struct mbuf *m)
{
	const struct ip *ip = mtod(m, const struct ip *);
	struct mbuf *control;

	control = ip_savecontrol(so, ip, m->m_pkthdr.rcvif);
	(void)in_sbappend(so, ip->ip_src, 0, m, control);
}

bool
rip_deliver(struct netstate *ns, struct mbuf *m, int off)
{
	const struct ip *ip = mtod(m, const struct ip *);
	struct inpcb *inp;
	bool any = false;

	(void)off;
	LIST_FOREACH(inp, &ns_inet(ns)->is_rawtable->it_all, inp_list) {
		struct mbuf *n;

		if (!rip_match(inp, ip))
			continue;
		any = true;
		if ((n = m_copym(m, 0, M_COPYALL)) != NULL)
			rip_append(inp->inp_socket, n);
	}
	return any;
}

void
rip_input(struct mbuf *m, int off)
{
	struct netstate *ns = m_netstate(m);
	struct inet_state *is = ns_inet(ns);

	if (rip_deliver(ns, m, off)) {
		m_freem(m);
		return;
	}
	is->is_ipstat.noproto++;
	icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0);
}

int
rip_attach(struct socket *so, int proto)
{
	struct inet_state *is = ns_inet(so->so_ns);
	struct inpcb *inp;
	int error;

	if (so->so_cred == NULL || !kauth_cred_privileged(so->so_cred))
		return EPERM;
	if (proto <= 0 || proto >= 256)
		return proto == 0 ? EPROTONOSUPPORT : EINVAL;
	if ((error = in_dgram_attach(so, is->is_rawtable, RIP_SENDSPACE,
	    RIP_RECVSPACE)) != 0)
		return error;
	inp = sotoinpcb(so);
	inp->inp_ip_p = proto;
	/* IPPROTO_RAW sends whole datagrams (and receives nothing) */
	if (proto == IPPROTO_RAW)
		inp->inp_flags |= INP_HDRINCL;
	return 0;
}

int
rip_bind(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	const struct sockaddr_in *sin = (const void *)nam;
	struct netstate *ns = so->so_ns;
	int error;

	if (inp == NULL)
		return EINVAL;
	if ((error = in_checksin(nam, len, true)) != 0)
		return error;
	if (sin->sin_addr.s_addr != INADDR_ANY &&
	    !in_localaddr(ns, sin->sin_addr) &&
	    !in_broadcast_any(ns, sin->sin_addr) &&
	    !in_multicast_addr(sin->sin_addr))
		return EADDRNOTAVAIL;
	inp->inp_laddr = sin->sin_addr;
	inp->inp_flags |= INP_BOUNDADDR;
	so->so_state |= SS_ISBOUND;
	return 0;
}

int
rip_connect(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	const struct sockaddr_in *sin = (const void *)nam;
	struct in_addr src;
	int error;

	if (inp == NULL)
		return EINVAL;
	if (nam != NULL && len >= (socklen_t)sizeof(nam->sa_family) &&
	    nam->sa_family == AF_UNSPEC)
		return udp_disconnect(so);
	if ((error = in_checksin(nam, len, false)) != 0)
		return error;
	if ((error = in_selectsrc(so->so_ns, sin->sin_addr, &src, NULL)) != 0)
		return error;
	if (inp->inp_laddr.s_addr == INADDR_ANY)
		inp->inp_laddr = src;
	inp->inp_faddr = sin->sin_addr;
	inp->inp_connected = true;
	so->so_state |= SS_ISCONNECTED;
	return 0;
}

int
rip_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    socklen_t namlen, struct mbuf *control, int flags)
{
	struct netstate *ns = so->so_ns;
	struct inpcb *inp = sotoinpcb(so);
	struct in_addr dst;
	size_t len = m_length(m);
	struct ip *ip;
	int error, oflags = 0;

	(void)flags;
	m_freem(control);
	if (nam != NULL) {
		if ((error = in_checksin(nam, namlen, true)) != 0)
			goto bad;
		dst = ((const struct sockaddr_in *)nam)->sin_addr;
	} else if (inp->inp_connected) {
		dst = inp->inp_faddr;
	} else {
		error = EDESTADDRREQ;
		goto bad;
	}
	oflags = ip_sendflags(so);

	if (inp->inp_flags & INP_HDRINCL) {
		size_t hlen;

		/* the caller's header: we fill in length, checksum, id, source */
		if (len < sizeof(struct ip) || len > IP_MAXPACKET) {
			error = EINVAL;
			goto bad;
		}
		if ((m = m_pullup(m, sizeof(struct ip))) == NULL)
			return ENOBUFS;
		ip = mtod(m, struct ip *);
		hlen = (size_t)ip->ip_hl << 2;
		if (ip->ip_v != IPVERSION || hlen < sizeof(struct ip) ||
		    hlen > len) {
			error = EINVAL;
			goto bad;
		}
		if ((m = m_pullup(m, hlen)) == NULL)
			return ENOBUFS;
		return ip_output(ns, m, oflags);
	}
	if (len > IP_MAXPACKET - sizeof(struct ip)) {
		error = EMSGSIZE;
		goto bad;
	}
	if ((m = m_prepend(m, sizeof(*ip))) == NULL)
		return ENOBUFS;
	ip = mtod(m, struct ip *);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_tos = inp->inp_tos;
	ip->ip_ttl = inp->inp_ttl;
	ip->ip_p = (uint8_t)inp->inp_ip_p;
	ip->ip_src = in_broadcast_any(ns, inp->inp_laddr) ?
	    (struct in_addr){ INADDR_ANY } : inp->inp_laddr;
	ip->ip_dst = dst;
	if (inp->inp_pmtudisc != IP_PMTUDISC_DONT)
		ip->ip_off = htons(IP_DF);
	return ip_output(ns, m, oflags);
bad:
	m_freem(m);
	return error;
}

int
rip_ctloutput(int op, struct socket *so, int level, int name, void *val,
    socklen_t *lenp)
{
	struct inpcb *inp = sotoinpcb(so);
	int v = 0;

	if (level != IPPROTO_IP || name != IP_HDRINCL)
		return ip_ctloutput(op, so, level, name, val, lenp);
	if (op == SOPT_GET) {
		v = (inp->inp_flags & INP_HDRINCL) != 0;
		if (*lenp >= (socklen_t)sizeof(int)) {
			memcpy(val, &v, sizeof(int));
			*lenp = sizeof(int);
		} else if (*lenp > 0) {
			*(uint8_t *)val = (uint8_t)v;
			*lenp = 1;
		} else {
			return EINVAL;
		}
		return 0;
	}
	if (*lenp >= (socklen_t)sizeof(int))
		memcpy(&v, val, sizeof(int));
	else if (*lenp >= 1)
		v = *(const uint8_t *)val;
	else
		return EINVAL;
	if (inp->inp_ip_p == IPPROTO_RAW)	/* Linux: always on */
		return v ? 0 : EINVAL;
	if (v)
		inp->inp_flags |= INP_HDRINCL;
	else
		inp->inp_flags &= ~INP_HDRINCL;
	return 0;
}

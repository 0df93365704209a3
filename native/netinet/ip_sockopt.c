/*
 * Socket options at the IPPROTO_IP level, shared by UDP, ping and raw
 * sockets (TCP may call ip_ctloutput for the levels it does not own),
 * and the ancillary data they ask received datagrams to carry.  Values
 * are parsed as Linux does: an int, or one byte when fewer than four are
 * given, zero when none.
 */
#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"

static int
sopt_getint(const void *val, socklen_t len)
{
	int v = 0;

	if (len >= (socklen_t)sizeof(int))
		memcpy(&v, val, sizeof(int));
	else if (len >= 1)
		v = *(const uint8_t *)val;
	return v;
}

static int
sopt_putint(void *val, socklen_t *lenp, int v)
{
	if (*lenp < (socklen_t)sizeof(int) && *lenp > 0 && v >= 0 && v <= 255) {
		*(uint8_t *)val = (uint8_t)v;
		*lenp = 1;
		return 0;
	}
	*lenp = MIN(*lenp, (socklen_t)sizeof(int));
	memcpy(val, &v, (size_t)*lenp);
	return 0;
}

static int
inp_flagopt(int name)
{
	switch (name) {
	case IP_RECVTTL:	return INP_RECVTTL;
	case IP_RECVTOS:	return INP_RECVTOS;
	case IP_PKTINFO:	return INP_PKTINFO;
	case IP_RECVERR:	return INP_RECVERR;
	case IP_HDRINCL:	return INP_HDRINCL;
	}
	return 0;
}

static int
ip_getopt(struct socket *so, struct inpcb *inp, int name, void *val,
    socklen_t *lenp)
{
	struct ifnet *ifp;
	struct in_addr nh;

	switch (name) {
	case IP_TTL:
		return sopt_putint(val, lenp, inp->inp_ttl);
	case IP_TOS:
		return sopt_putint(val, lenp, inp->inp_tos);
	case IP_MTU_DISCOVER:
		return sopt_putint(val, lenp, inp->inp_pmtudisc);
	case IP_MTU:
		if (!inp->inp_connected)
			return ENOTCONN;
		if (in_route(so->so_ns, inp->inp_faddr, &ifp, &nh) != 0)
			return ENOTCONN;
		/* a datagram's length field caps it (lo0's 65536: 65535) */
		return sopt_putint(val, lenp,
		    (int)MIN(ifp->if_mtu, (unsigned)IP_MAXPACKET));
	case IP_RECVTTL: case IP_RECVTOS: case IP_PKTINFO: case IP_RECVERR:
	case IP_HDRINCL:
		return sopt_putint(val, lenp,
		    (inp->inp_flags & inp_flagopt(name)) != 0);
	}
	return ENOPROTOOPT;
}

static int
ip_setopt(struct socket *so, struct inpcb *inp, int name, const void *val,
    socklen_t len)
{
	int v = sopt_getint(val, len);

	switch (name) {
	case IP_TTL:
		if (len < 1 || (v != -1 && (v < 1 || v > 255)))
			return EINVAL;
		inp->inp_ttl = v == -1 ? IP_DEFTTL : (uint8_t)v;
		return 0;
	case IP_TOS:
		/* a stream keeps its ECN bits: they belong to TCP */
		if (so->so_type == SOCK_STREAM)
			v = (v & ~3) | (inp->inp_tos & 3);
		inp->inp_tos = (uint8_t)v;
		return 0;
	case IP_MTU_DISCOVER:
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return EINVAL;
		inp->inp_pmtudisc = (uint8_t)v;
		if (v == IP_PMTUDISC_DO || v == IP_PMTUDISC_PROBE)
			inp->inp_flags |= INP_DONTFRAG;
		else
			inp->inp_flags &= ~INP_DONTFRAG;
		return 0;
	case IP_RECVTTL: case IP_RECVTOS: case IP_PKTINFO: case IP_RECVERR:
		if (v)
			inp->inp_flags |= inp_flagopt(name);
		else
			inp->inp_flags &= ~inp_flagopt(name);
		return 0;
	case IP_HDRINCL:	/* raw sockets only: rip_ctloutput */
	case IP_MTU:		/* read-only */
		return ENOPROTOOPT;
	}
	return ENOPROTOOPT;
}

int
ip_ctloutput(int op, struct socket *so, int level, int name, void *val,
    socklen_t *lenp)
{
	struct inpcb *inp = sotoinpcb(so);

	if (level != IPPROTO_IP)
		return ENOPROTOOPT;
	if (inp == NULL)
		return EINVAL;
	if (op == SOPT_GET)
		return ip_getopt(so, inp, name, val, lenp);
	return ip_setopt(so, inp, name, val, *lenp);
}

/* Append one cmsg to the control buffer (cap bytes at buf, *used so far). */
static void
cmsg_put(uint8_t *buf, size_t *used, int type, const void *data,
    size_t len)
{
	struct cmsghdr ch;

	memset(buf + *used, 0, CMSG_SPACE(len));
	ch.cmsg_len = CMSG_LEN(len);
	ch.cmsg_level = IPPROTO_IP;
	ch.cmsg_type = type;
	memcpy(buf + *used, &ch, sizeof(ch));
	memcpy(buf + *used + CMSG_LEN(0), data, len);
	*used += CMSG_SPACE(len);
}

struct mbuf *
ip_savecontrol(struct socket *so, const struct ip *ip, struct ifnet *rcvif)
{
	struct inpcb *inp = sotoinpcb(so);
	uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
	    CMSG_SPACE(sizeof(int)) + CMSG_SPACE(1)];
	size_t used = 0;
	struct mbuf *m;

	if (inp == NULL ||
	    !(inp->inp_flags & (INP_PKTINFO | INP_RECVTTL | INP_RECVTOS)))
		return NULL;
	/* Linux's order: packet info, TTL, TOS */
	if (inp->inp_flags & INP_PKTINFO) {
		struct in_pktinfo pi;
		struct in_ifaddr *ia;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = rcvif != NULL ? (int)rcvif->if_index : 0;
		pi.ipi_addr = ip->ip_dst;
		pi.ipi_spec_dst = ip->ip_dst;
		/* to a broadcast: the address we would answer from */
		if (rcvif != NULL && in_broadcast_any(so->so_ns, ip->ip_dst) &&
		    (ia = TAILQ_FIRST(&rcvif->if_addrs)) != NULL)
			pi.ipi_spec_dst = ia->ia_addr;
		cmsg_put(buf, &used, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (inp->inp_flags & INP_RECVTTL) {
		int ttl = ip->ip_ttl;

		cmsg_put(buf, &used, IP_TTL, &ttl, sizeof(ttl));
	}
	if (inp->inp_flags & INP_RECVTOS) {
		uint8_t tos = ip->ip_tos;

		cmsg_put(buf, &used, IP_TOS, &tos, 1);
	}
	if ((m = m_get(so->so_ns->ns_kernel, 0, used)) == NULL)
		return NULL;
	memcpy(m->m_data, buf, used);
	m->m_len = (uint32_t)used;
	m->m_type = MT_CONTROL;
	return m;
}

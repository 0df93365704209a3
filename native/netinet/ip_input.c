/*
 * IP input: validate the header, keep what is for this host, reassemble
 * fragments and hand the datagram to its protocol.  A host does not
 * forward: datagrams for others are counted and dropped silently, as
 * Linux does with ip_forward=0.
 */
#include <netinet/ip_icmp.h>

#include "sys/systm.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"

static bool
ip_isloopif(const struct ifnet *ifp)
{
	return ifp != NULL && (ifp->if_type == IFT_LOOP ||
	    (ifp->if_flags & IFF_LOOPBACK));
}

/* Is dst (arriving on ifp) for this host? */
static bool
ip_ours(struct netstate *ns, struct mbuf *m, struct in_addr dst,
    struct ifnet *ifp)
{
	if (in_broadcast(dst, ifp)) {
		m->m_flags |= M_BCAST;
		return true;
	}
	/* weak host model: any of our addresses on any interface */
	if (in_ifaddr_exact(ns, dst) != NULL)
		return true;
	/* a broadcast of another interface, looped back by our output */
	if (ip_isloopif(ifp) && in_broadcast_any(ns, dst)) {
		m->m_flags |= M_BCAST;
		return true;
	}
	return ip_isloopif(ifp) && in_isloopback(ns, dst);
}

/* Source addresses no host sends from (martians): dropped. */
static bool
ip_badsrc(struct netstate *ns, struct in_addr src, struct ifnet *ifp)
{
	uint32_t a = ntohl(src.s_addr);

	if (IN_MULTICAST(a) || a == INADDR_BROADCAST)
		return true;
	/* 127/8 only ever comes from the loopback */
	if ((a >> 24) == IN_LOOPBACKNET && !ip_isloopif(ifp))
		return true;
	(void)ns;
	return false;
}

void
ip_input(struct mbuf *m)
{
	struct netstate *ns = m_netstate(m);
	struct inet_state *is = ns_inet(ns);
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip *ip;
	size_t hlen, len, pktlen;

	is->is_ipstat.total++;
	if (m->m_pkthdr.len < sizeof(struct ip) ||
	    (m = m_pullup(m, sizeof(struct ip))) == NULL) {
		if (m != NULL)
			m_freem(m);
		is->is_ipstat.toosmall++;
		return;
	}
	ip = mtod(m, struct ip *);
	if (ip->ip_v != IPVERSION) {
		is->is_ipstat.badvers++;
		goto drop;
	}
	hlen = (size_t)ip->ip_hl << 2;
	if (hlen < sizeof(struct ip)) {
		is->is_ipstat.badhlen++;
		goto drop;
	}
	if (hlen > m->m_pkthdr.len) {
		is->is_ipstat.badhlen++;
		goto drop;
	}
	if (hlen > m->m_len) {
		if ((m = m_pullup(m, hlen)) == NULL) {
			is->is_ipstat.badhlen++;
			return;
		}
		ip = mtod(m, struct ip *);
	}
	if (!(m->m_pkthdr.csum_flags & M_CSUM_DATA_OK) &&
	    in_cksum_chain(m, 0, hlen, 0) != 0) {
		is->is_ipstat.badsum++;
		goto drop;
	}
	len = ntohs(ip->ip_len);
	if (len < hlen) {
		is->is_ipstat.badlen++;
		goto drop;
	}
	pktlen = m->m_pkthdr.len;
	if (pktlen < len) {
		is->is_ipstat.tooshort++;
		goto drop;
	}
	if (pktlen > len)		/* link-level padding */
		m_adj(m, -(long)(pktlen - len));
	if (ip_badsrc(ns, ip->ip_src, ifp))
		goto drop;
	if (in_multicast_addr(ip->ip_dst) ||
	    !ip_ours(ns, m, ip->ip_dst, ifp)) {
		is->is_ipstat.forward_dropped++;
		goto drop;
	}

	if (ntohs(ip->ip_off) & (IP_MF | IP_OFFMASK)) {
		if ((m = ip_reass(ns, m, (int)hlen)) == NULL)
			return;
		ip = mtod(m, struct ip *);
		hlen = (size_t)ip->ip_hl << 2;
	}

	is->is_ipstat.delivered++;
	switch (ip->ip_p) {
	case IPPROTO_ICMP:
		rip_deliver(ns, m, (int)hlen);
		icmp_input(m, (int)hlen);
		break;
	case IPPROTO_UDP:
		rip_deliver(ns, m, (int)hlen);
		udp_input(m, (int)hlen);
		break;
	case IPPROTO_TCP:
		rip_deliver(ns, m, (int)hlen);
		tcp_input(m, (int)hlen);
		break;
	default:
		rip_input(m, (int)hlen);
		break;
	}
	return;
drop:
	m_freem(m);
}

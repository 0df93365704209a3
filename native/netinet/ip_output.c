/*
 * IP output: route, fill in the header (source, length, id, checksum),
 * fragment to the interface's MTU and hand the datagram to the link layer.
 * Datagrams to our own addresses go through the loopback interface;
 * broadcasts need IP_ALLOWBROADCAST (SO_BROADCAST) and are also looped
 * back to this host, as Linux does.
 */
#include "sys/systm.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"


/* Hand one finished datagram to its interface (ether_output, lo0's). */
static int
ip_send_if(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop)
{
	return ifp->if_output(ifp, m, nexthop);
}

static void
ip_setsum(struct mbuf *m, size_t hlen)
{
	struct ip *ip = mtod(m, struct ip *);

	ip->ip_sum = 0;
	ip->ip_sum = in_cksum_chain(m, 0, hlen, 0);
}

/*
 * The options later fragments carry: those with the copied flag
 * (RFC 791), padded to a word.  Returns their length.
 */
static size_t
ip_optcopy(const uint8_t *opt, size_t optlen, uint8_t *out)
{
	size_t i = 0, n = 0;

	while (i < optlen) {
		size_t olen;

		if (opt[i] == IPOPT_EOL)
			break;
		if (opt[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || (olen = opt[i + 1]) < 2 ||
		    olen > optlen - i)
			break;
		if (IPOPT_COPIED(opt[i])) {
			memcpy(out + n, opt + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n & 3)
		out[n++] = IPOPT_EOL;
	return n;
}

/*
 * Fragments of m (header of hlen bytes, all fields set but length, offset
 * and checksum) each at most mtu bytes, sharing m's payload storage.
 */
static int
ip_fragment(struct netstate *ns, struct mbuf *m, size_t hlen,
    struct ifnet *ifp, struct in_addr nexthop, size_t mtu)
{
	struct inet_state *is = ns_inet(ns);
	struct ip *ip = mtod(m, struct ip *);
	uint8_t hdr[60];
	size_t total = m->m_pkthdr.len, off = hlen, fhlen = hlen;
	int error = 0;

	memcpy(hdr, ip, hlen);
	if (mtu < hlen + 8 || mtu < 68) {
		m_freem(m);
		return EMSGSIZE;
	}
	is->is_ipstat.fragmented++;
	while (off < total) {
		size_t plen = MIN((mtu - fhlen) & ~(size_t)7, total - off);
		bool last = off + plen >= total;
		struct mbuf *f, *data;
		struct ip *fip;
		uint16_t foff;

		f = m_gethdr(m->m_kernel, MAX_LINKHDR, fhlen);
		data = m_copym(m, off, plen);
		if (f == NULL || data == NULL) {
			m_freem(f);
			m_freem(data);
			error = ENOBUFS;
			break;
		}
		memcpy(f->m_data, hdr, fhlen);
		f->m_len = (uint32_t)fhlen;
		f->m_next = data;
		f->m_pkthdr.len = (uint32_t)(fhlen + plen);
		f->m_flags |= m->m_flags & (M_BCAST | M_MCAST);
		fip = mtod(f, struct ip *);
		fip->ip_hl = (unsigned)(fhlen >> 2);
		fip->ip_len = htons((uint16_t)(fhlen + plen));
		foff = (uint16_t)((off - hlen) >> 3);
		if (!last)
			foff |= IP_MF;
		fip->ip_off = htons(foff);
		ip_setsum(f, fhlen);
		is->is_ipstat.ofragments++;
		if ((error = ip_send_if(ifp, f, nexthop)) != 0)
			break;
		if (off == hlen && hlen > sizeof(struct ip)) {
			/* later fragments: only the copied options */
			fhlen = sizeof(struct ip) + ip_optcopy(
			    (const uint8_t *)ip + sizeof(struct ip),
			    hlen - sizeof(struct ip), hdr + sizeof(struct ip));
		}
		off += plen;
	}
	m_freem(m);
	return error;
}

/* With SO_DONTROUTE: an interface whose subnet holds dst, or none. */
static int
ip_route_direct(struct netstate *ns, struct in_addr dst, struct ifnet **ifpp)
{
	struct ifnet *ifp;
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list) {
		if (!(ifp->if_flags & IFF_UP))
			continue;
		TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
			if ((dst.s_addr & ia->ia_mask.s_addr) ==
			    (ia->ia_addr.s_addr & ia->ia_mask.s_addr)) {
				*ifpp = ifp;
				return 0;
			}
	}
	return ENETUNREACH;
}

int
ip_output(struct netstate *ns, struct mbuf *m, int flags)
{
	struct inet_state *is = ns_inet(ns);
	struct ip *ip;
	struct ifnet *ifp;
	struct in_ifaddr *ia;
	struct in_addr nexthop;
	size_t hlen, total;
	uint16_t off;
	int error;

	KASSERT(m->m_flags & M_PKTHDR);
	if (m->m_pkthdr.len < sizeof(struct ip) ||
	    (m = m_pullup(m, sizeof(struct ip))) == NULL) {
		m_freem(m);
		return EINVAL;
	}
	ip = mtod(m, struct ip *);
	hlen = (size_t)ip->ip_hl << 2;
	if (hlen < sizeof(struct ip) || hlen > m->m_pkthdr.len ||
	    (m = m_pullup(m, hlen)) == NULL) {
		m_freem(m);
		return EINVAL;
	}
	ip = mtod(m, struct ip *);
	is->is_ipstat.localout++;
	total = m->m_pkthdr.len;
	if (total > IP_MAXPACKET) {
		error = EMSGSIZE;
		goto bad;
	}

	if (flags & IP_ROUTETOIF) {
		error = ip_route_direct(ns, ip->ip_dst, &ifp);
		nexthop = ip->ip_dst;
	} else if (ip->ip_dst.s_addr == INADDR_BROADCAST &&
	    (ia = in_ifaddr_exact(ns, ip->ip_src)) != NULL &&
	    (ia->ia_ifp->if_flags & IFF_UP)) {
		/* the limited broadcast leaves by the source's interface (Linux) */
		ifp = ia->ia_ifp;
		nexthop = ip->ip_dst;
		error = 0;
	} else {
		error = in_route(ns, ip->ip_dst, &ifp, &nexthop);
	}
	if (error != 0) {
		is->is_ipstat.noroute++;
		goto bad;
	}
	if (ip->ip_src.s_addr == INADDR_ANY &&
	    (error = in_selectsrc(ns, ip->ip_dst, &ip->ip_src, NULL)) != 0)
		goto bad;
	if (in_broadcast(ip->ip_dst, ifp) ||
	    (ifp->if_type == IFT_LOOP && in_broadcast_any(ns, ip->ip_dst))) {
		if (!(flags & IP_ALLOWBROADCAST)) {
			error = EACCES;
			goto bad;
		}
		m->m_flags |= M_BCAST;
	}
	if (ifp->if_type == IFT_LOOP || (ifp->if_flags & IFF_LOOPBACK))
		m->m_pkthdr.csum_flags |= M_CSUM_DATA_OK;
	if (ip->ip_id == 0)
		ip->ip_id = htons(is->is_ip_id++);
	/* the caller's DF means "if it fits"; IP_DONTFRAG means "must" */
	off = ntohs(ip->ip_off) & IP_DF;
	if (flags & IP_DONTFRAG)
		off |= IP_DF;

	/* a broadcast reaches this host too */
	if ((m->m_flags & M_BCAST) && ifp->if_type != IFT_LOOP &&
	    ns->ns_loif != NULL) {
		struct mbuf *c = m_dup(m);

		if (c != NULL) {
			struct ip *cip = mtod(c, struct ip *);

			cip->ip_len = htons((uint16_t)total);
			cip->ip_off = 0;
			ip_setsum(c, hlen);
			c->m_flags |= M_LOOP | M_BCAST;
			c->m_pkthdr.csum_flags |= M_CSUM_DATA_OK;
			net_loop_enqueue(ns, ns->ns_loif, c);
		}
	}

	/*
	 * A TCP super-segment goes whole to a medium that carries them
	 * (IFCAP_TSO); elsewhere it is an ordinary datagram, too big.
	 */
	if (total <= ifp->if_mtu || ((m->m_pkthdr.csum_flags & M_TSO) &&
	    (ifp->if_capabilities & IFCAP_TSO) &&
	    total <= ifp->if_maxmtu)) {
		ip->ip_len = htons((uint16_t)total);
		ip->ip_off = htons(off);
		ip_setsum(m, hlen);
		return ip_send_if(ifp, m, nexthop);
	}
	if (flags & IP_DONTFRAG) {
		is->is_ipstat.cantfrag++;
		error = EMSGSIZE;
		goto bad;
	}
	ip->ip_off = 0;
	return ip_fragment(ns, m, hlen, ifp, nexthop, ifp->if_mtu);
bad:
	is->is_ipstat.odropped++;
	m_freem(m);
	return error;
}

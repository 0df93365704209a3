/*
 * Ethernet (DIX) framing: a 14-byte header of destination, source and
 * type.  Input sorts frames by destination (ours, broadcast, multicast,
 * other) and type (IPv4, ARP); output resolves the next hop with ARP.
 */
#include "sys/systm.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "netinet/if_arp.h"

const uint8_t etherbroadcastaddr[ETHER_ADDR_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

void
ether_input(struct ifnet *ifp, struct mbuf *m)
{
	struct netstate *ns = ifp->if_ns;
	uint8_t hdr[ETHER_HDR_LEN];
	uint16_t type;

	if (m->m_pkthdr.len < ETHER_HDR_LEN) {
		ifp->if_data.ierrors++;
		m_freem(m);
		return;
	}
	m_copydata(m, 0, ETHER_HDR_LEN, hdr);
	if (memcmp(hdr + 6, ifp->if_hwaddr, ETHER_ADDR_LEN) == 0) {
		/* our own frame reflected back: not input */
		m_freem(m);
		return;
	}
	if (memcmp(hdr, etherbroadcastaddr, ETHER_ADDR_LEN) == 0) {
		m->m_flags |= M_BCAST;
	} else if (hdr[0] & 0x01) {
		m->m_flags |= M_MCAST;
		ifp->if_data.imcasts++;
	} else if (memcmp(hdr, ifp->if_hwaddr, ETHER_ADDR_LEN) != 0 &&
	    !(ifp->if_flags & IFF_PROMISC)) {
		/* someone else's frame on a shared medium */
		m_freem(m);
		return;
	}
	type = (uint16_t)(hdr[12] << 8 | hdr[13]);
	m_adj(m, ETHER_HDR_LEN);
	switch (type) {
	case ETHERTYPE_IP:
		if (ns->ns_ip_input != NULL) {
			ns->ns_ip_input(m);
			return;
		}
		break;
	case ETHERTYPE_ARP:
		arp_input(ifp, m);
		return;
	}
	ifp->if_data.noproto++;
	m_freem(m);
}

/* Prepend the header and send; m consumed. */
int
ether_frame(struct ifnet *ifp, struct mbuf *m, const uint8_t dst[6],
    uint16_t type)
{
	uint8_t *h;

	if ((m = m_prepend(m, ETHER_HDR_LEN)) == NULL) {
		ifp->if_data.oerrors++;
		return ENOBUFS;
	}
	h = mtod(m, uint8_t *);
	memcpy(h, dst, ETHER_ADDR_LEN);
	memcpy(h + 6, ifp->if_hwaddr, ETHER_ADDR_LEN);
	h[12] = (uint8_t)(type >> 8);
	h[13] = (uint8_t)type;
	if (dst[0] & 0x01)
		m->m_flags |= memcmp(dst, etherbroadcastaddr,
		    ETHER_ADDR_LEN) == 0 ? M_BCAST : M_MCAST;
	return if_output_frame(ifp, m);
}

/* Is dst a broadcast address for ifp (limited, or a subnet's)? */
static bool
ether_isbroadcast(struct ifnet *ifp, struct in_addr dst)
{
	struct in_ifaddr *ia;

	if (dst.s_addr == INADDR_BROADCAST)
		return true;
	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
		if (ia->ia_prefixlen < 31 &&
		    dst.s_addr == ia->ia_broadcast.s_addr)
			return true;
	return false;
}

int
ether_output(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop)
{
	uint8_t dst[ETHER_ADDR_LEN];
	uint32_t a = ntohl(nexthop.s_addr);
	int error;

	KASSERT(net_locked(ifp->if_ns));
	if ((ifp->if_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING)) {
		m_freem(m);
		return ENETDOWN;
	}
	if ((m->m_flags & M_BCAST) || ether_isbroadcast(ifp, nexthop)) {
		memcpy(dst, etherbroadcastaddr, ETHER_ADDR_LEN);
	} else if ((a >> 28) == 0xe) {
		/* RFC 1112: 01:00:5e and the group's low 23 bits */
		dst[0] = 0x01; dst[1] = 0x00; dst[2] = 0x5e;
		dst[3] = (uint8_t)((a >> 16) & 0x7f);
		dst[4] = (uint8_t)(a >> 8);
		dst[5] = (uint8_t)a;
	} else if ((error = arp_resolve(ifp, m, nexthop, dst)) != 0) {
		/* held until the reply comes (not an error), or dropped */
		return error == EINPROGRESS ? 0 : error;
	}
	return ether_frame(ifp, m, dst, ETHERTYPE_IP);
}

/* A random unicast, locally administered address (for virtual NICs). */
void
ether_random_addr(uint8_t mac[6])
{
	size_t got = 0;

	if (rumpuser_getrandom(mac, 6, RUMPUSER_RANDOM_NOWAIT, &got) != 0 ||
	    got != 6) {
		/* fall back on the clock: still unique enough on one bus */
		int64_t t = mono_ns();

		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)(t >> (8 * i));
	}
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

/*
 * Network interfaces: the list, attach and detach, addresses, flags, and
 * the two paths every frame takes (if_input, if_output_frame), where
 * counting, capture and impairments happen for all drivers alike.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_impair.h"
#include "netinet/if_arp.h"

int
if_init(struct netstate *ns)
{
	TAILQ_INIT(&ns->ns_ifnet);
	ns->ns_nextindex = 1;
	return loop_attach(ns);
}

void
if_fini(struct netstate *ns)
{
	struct ifnet *ifp;

	/* lo0 goes last: other interfaces' local routes point at it */
	for (;;) {
		net_lock(ns);
		TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
			if (ifp != ns->ns_loif)
				break;
		if (ifp == NULL)
			ifp = TAILQ_FIRST(&ns->ns_ifnet);
		net_unlock(ns);
		if (ifp == NULL)
			break;
		if_detach(ifp);
	}
}

struct ifnet *
if_byname(struct netstate *ns, const char *name)
{
	struct ifnet *ifp;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
		if (strncmp(ifp->if_xname, name, IFNAMSIZ) == 0)
			return ifp;
	return NULL;
}

struct ifnet *
if_byindex(struct netstate *ns, unsigned idx)
{
	struct ifnet *ifp;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
		if (ifp->if_index == idx)
			return ifp;
	return NULL;
}

/*
 * Attach: the driver put its name prefix ("lo", "shmif", "virt") in
 * if_xname; the lowest unit number that is free is appended.
 */
int
if_attach(struct netstate *ns, struct ifnet *ifp)
{
	char prefix[IFNAMSIZ], name[IFNAMSIZ];
	unsigned unit;
	size_t plen;

	KASSERT(net_locked(ns));
	plen = strnlen(ifp->if_xname, IFNAMSIZ - 1);
	memcpy(prefix, ifp->if_xname, plen);
	prefix[plen] = '\0';
	for (unit = 0;; unit++) {
		if (ksnprintf(name, sizeof(name), "%s%u", prefix, unit) >=
		    (int)sizeof(name))
			return ENFILE;
		if (if_byname(ns, name) == NULL)
			break;
	}
	memcpy(ifp->if_xname, name, sizeof(name));
	ifp->if_ns = ns;
	ifp->if_index = ns->ns_nextindex++;
	TAILQ_INIT(&ifp->if_addrs);
	if (ifp->if_maxmtu == 0)
		ifp->if_maxmtu = ifp->if_mtu;
	TAILQ_INSERT_TAIL(&ns->ns_ifnet, ifp, if_list);
	return 0;
}

void
if_detach(struct ifnet *ifp)
{
	struct netstate *ns = ifp->if_ns;
	struct in_ifaddr *ia;

	net_lock(ns);
	if (ifp->if_flags & IFF_UP)
		if_setflags(ifp, ifp->if_flags & ~IFF_UP);
	while ((ia = TAILQ_FIRST(&ifp->if_addrs)) != NULL)
		if_deladdr(ifp, ia->ia_addr);
	rt_purge_if(ns, ifp);
	arp_purge_if(ifp);
	TAILQ_REMOVE(&ns->ns_ifnet, ifp, if_list);
	if (ns->ns_loif == ifp)
		ns->ns_loif = NULL;
	net_unlock(ns);

	/* receive threads may wait for the lock: stop them without it */
	if (ifp->if_stop != NULL)
		ifp->if_stop(ifp);

	net_lock(ns);
	if (ifp->if_impair != NULL)
		impair_destroy(ifp);
	if (ifp->if_pcap != NULL)
		pcap_stop(ifp);
	net_unlock(ns);
	if (ifp->if_free != NULL)
		ifp->if_free(ifp);
}

void
if_input(struct ifnet *ifp, struct mbuf *m)
{
	struct netstate *ns = ifp->if_ns;
	size_t len = m->m_pkthdr.len;

	KASSERT(net_locked(ns));
	m->m_pkthdr.rcvif = ifp;
	if (!(ifp->if_flags & IFF_UP)) {
		ifp->if_data.iqdrops++;
		m_freem(m);
		return;
	}
	ifp->if_data.ipackets++;
	ifp->if_data.ibytes += len;
	/* the loopback's packets were captured on their way out */
	if (ifp->if_pcap != NULL && ifp->if_type != IFT_LOOP)
		pcap_capture(ifp, m);
	switch (ifp->if_type) {
	case IFT_ETHER:
		ether_input(ifp, m);
		break;
	case IFT_LOOP:
		m->m_flags |= M_LOOP;
		m->m_pkthdr.csum_flags |= M_CSUM_DATA_OK;
		if (ns->ns_ip_input != NULL) {
			ns->ns_ip_input(m);
		} else {
			ifp->if_data.noproto++;
			m_freem(m);
		}
		break;
	default:
		ifp->if_data.noproto++;
		m_freem(m);
	}
}

/* The frame on its way to the driver, after impairments (if any). */
int
if_output_frame(struct ifnet *ifp, struct mbuf *m)
{
	size_t len = m->m_pkthdr.len;
	int error;

	KASSERT(net_locked(ifp->if_ns));
	if ((ifp->if_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING)) {
		ifp->if_data.oerrors++;
		m_freem(m);
		return ENETDOWN;
	}
	if (ifp->if_pcap != NULL)
		pcap_capture(ifp, m);
	ifp->if_data.opackets++;
	ifp->if_data.obytes += len;
	if (m->m_flags & (M_BCAST | M_MCAST))
		ifp->if_data.omcasts++;
	if (ifp->if_impair != NULL)
		return impair_output(ifp, m);
	if ((error = ifp->if_transmit(ifp, m)) != 0)
		ifp->if_data.oerrors++;
	return error;
}

/* ------------------------------------------------------------ addresses */

static struct in_addr
prefix_mask(int prefixlen)
{
	struct in_addr a;

	a.s_addr = prefixlen == 0 ? 0 :
	    htonl(0xffffffffu << (32 - prefixlen));
	return a;
}

struct in_ifaddr *
in_ifaddr_lookup(struct netstate *ns, struct in_addr addr)
{
	struct ifnet *ifp;
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
		TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
			if (ia->ia_addr.s_addr == addr.s_addr)
				return ia;
	return NULL;
}

struct in_ifaddr *
if_addr_for(struct ifnet *ifp, struct in_addr dst)
{
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
		if (((ia->ia_addr.s_addr ^ dst.s_addr) & ia->ia_mask.s_addr) == 0)
			return ia;
	return TAILQ_FIRST(&ifp->if_addrs);
}

/* Does another address of ifp still cover the subnet of ia? */
static bool
subnet_shared(struct ifnet *ifp, struct in_ifaddr *ia)
{
	struct in_ifaddr *o;

	TAILQ_FOREACH(o, &ifp->if_addrs, ia_list)
		if (o != ia && o->ia_prefixlen == ia->ia_prefixlen &&
		    ((o->ia_addr.s_addr ^ ia->ia_addr.s_addr) &
		    ia->ia_mask.s_addr) == 0)
			return true;
	return false;
}

int
if_addaddr(struct ifnet *ifp, struct in_addr addr, int prefixlen)
{
	struct netstate *ns = ifp->if_ns;
	struct in_ifaddr *ia;
	struct in_addr net, any = { 0 };
	int error;

	KASSERT(net_locked(ns));
	if (prefixlen < 0 || prefixlen > 32 || addr.s_addr == INADDR_ANY)
		return EINVAL;
	if (in_ifaddr_lookup(ns, addr) != NULL)
		return EEXIST;
	if ((ia = kmem_zalloc(ns->ns_kernel, sizeof(*ia))) == NULL)
		return ENOMEM;
	ia->ia_ifp = ifp;
	ia->ia_addr = addr;
	ia->ia_prefixlen = prefixlen;
	ia->ia_mask = prefix_mask(prefixlen);
	ia->ia_broadcast.s_addr = prefixlen >= 31 ? INADDR_BROADCAST :
	    (addr.s_addr | ~ia->ia_mask.s_addr);
	net.s_addr = addr.s_addr & ia->ia_mask.s_addr;
	error = rt_add(ns, net, prefixlen, any, ifp,
	    RTF_UP | RTF_CONNECTED | (prefixlen == 32 ? RTF_HOST : 0));
	if (error != 0 && error != EEXIST) {
		kmem_free(ns->ns_kernel, ia, sizeof(*ia));
		return error;
	}
	/* our own address is reached through lo0, as NetBSD does */
	if (ifp != ns->ns_loif && ns->ns_loif != NULL && prefixlen < 32)
		(void)rt_add(ns, addr, 32, any, ns->ns_loif,
		    RTF_UP | RTF_HOST | RTF_LOCAL);
	TAILQ_INSERT_TAIL(&ifp->if_addrs, ia, ia_list);
	if (ifp->if_type == IFT_ETHER && (ifp->if_flags & IFF_UP))
		arp_announce(ifp, addr);
	return 0;
}

int
if_deladdr(struct ifnet *ifp, struct in_addr addr)
{
	struct netstate *ns = ifp->if_ns;
	struct in_ifaddr *ia;

	KASSERT(net_locked(ns));
	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
		if (ia->ia_addr.s_addr == addr.s_addr)
			break;
	if (ia == NULL)
		return EADDRNOTAVAIL;
	if (!subnet_shared(ifp, ia)) {
		struct in_addr net;
		struct rtentry *rt;

		net.s_addr = addr.s_addr & ia->ia_mask.s_addr;
		/* only the connected route, not one the administrator added */
		rt = rt_find(ns, net, ia->ia_prefixlen);
		if (rt != NULL && rt->rt_ifp == ifp &&
		    (rt->rt_flags & RTF_CONNECTED))
			(void)rt_delete(ns, net, ia->ia_prefixlen);
	}
	if (ifp != ns->ns_loif && ia->ia_prefixlen < 32) {
		struct rtentry *rt = rt_find(ns, addr, 32);

		if (rt != NULL && (rt->rt_flags & RTF_LOCAL))
			(void)rt_delete(ns, addr, 32);
	}
	TAILQ_REMOVE(&ifp->if_addrs, ia, ia_list);
	kmem_free(ns->ns_kernel, ia, sizeof(*ia));
	return 0;
}

int
if_setflags(struct ifnet *ifp, int flags)
{
	bool up = (flags & IFF_UP) != 0;
	struct in_ifaddr *ia;
	int error;

	KASSERT(net_locked(ifp->if_ns));
	if (up == ((ifp->if_flags & IFF_UP) != 0))
		return 0;
	if (ifp->if_updown != NULL &&
	    (error = ifp->if_updown(ifp, up)) != 0)
		return error;
	if (up) {
		ifp->if_flags |= IFF_UP | IFF_RUNNING;
		/* announce our addresses: neighbours may hold old entries */
		if (ifp->if_type == IFT_ETHER)
			TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
				arp_announce(ifp, ia->ia_addr);
	} else {
		ifp->if_flags &= ~(IFF_UP | IFF_RUNNING);
		arp_purge_if(ifp);
	}
	return 0;
}

int
if_setmtu(struct ifnet *ifp, unsigned mtu)
{
	KASSERT(net_locked(ifp->if_ns));
	/* IPv4 needs 68 bytes (RFC 791) */
	if (mtu < 68 || mtu > ifp->if_maxmtu)
		return EINVAL;
	ifp->if_mtu = mtu;
	return 0;
}

/*
 * The public C API of interface configuration (rump/rump_net.h): each call
 * finds the kernel's network state, takes ns_lock and calls the layer.
 */
#include <rump/rump_net.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/if_impair.h"
#include "netinet/if_arp.h"
#include "dev/netif.h"

_Static_assert(RUMP_IFNAMSIZ == IFNAMSIZ, "interface names");
_Static_assert(RUMP_RTF_GATEWAY == RTF_GATEWAY && RUMP_RTF_LOCAL == RTF_LOCAL &&
    RUMP_RTF_CONNECTED == RTF_CONNECTED, "route flags");
_Static_assert(sizeof(struct rump_arpstat) == sizeof(struct arpstat),
    "arp counters");

/* "a.b.c.d", strictly: four decimal parts of 0-255. */
static bool
parse_addr(const char *s, const char **endp, struct in_addr *a)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned part = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			part = part * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || part > 255)
			return false;
		v = v << 8 | part;
		if (i < 3 && *s++ != '.')
			return false;
	}
	a->s_addr = htonl(v);
	*endp = s;
	return true;
}

/* "a.b.c.d[/len]"; no /len: deflen. */
static int
parse_prefix(const char *s, struct in_addr *a, int *lenp, int deflen)
{
	const char *end;
	int len = 0, digits = 0;

	if (s == NULL || !parse_addr(s, &end, a))
		return EINVAL;
	if (*end == '\0') {
		*lenp = deflen;
		return 0;
	}
	if (*end++ != '/')
		return EINVAL;
	while (*end >= '0' && *end <= '9' && digits < 3) {
		len = len * 10 + (*end++ - '0');
		digits++;
	}
	if (digits == 0 || *end != '\0' || len > 32)
		return EINVAL;
	*lenp = len;
	return 0;
}

static int
parse_host(const char *s, struct in_addr *a)
{
	const char *end;

	return s != NULL && parse_addr(s, &end, a) && *end == '\0' ? 0 : EINVAL;
}

/* The kernel's state, locked, and the interface named (if name given). */
static int
net_enter(struct rump_kernel *k, const char *ifname, struct netstate **nsp,
    struct ifnet **ifpp)
{
	struct netstate *ns = NULL;
	int error;

	if (k == NULL)
		return EINVAL;
	if ((ns = net_get(k, &error)) == NULL)
		return error;
	net_lock(ns);
	if (ifname != NULL) {
		*ifpp = if_byname(ns, ifname);
		if (*ifpp == NULL) {
			net_unlock(ns);
			return ENXIO;
		}
	}
	*nsp = ns;
	return 0;
}

int
rump_net_attach(struct rump_kernel *k, const struct rump_ifcfg *cfg,
    char *name, size_t namesize)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	struct in_addr addr, gw, any = { 0 };
	int plen = 0, error;

	if (cfg == NULL)
		return EINVAL;
	if (cfg->address != NULL &&
	    parse_prefix(cfg->address, &addr, &plen, 24) != 0)
		return EINVAL;
	if (cfg->gateway != NULL && parse_host(cfg->gateway, &gw) != 0)
		return EINVAL;
	if (cfg->mac != NULL && (cfg->mac[0] & 0x01))
		return EINVAL;		/* not a unicast address */
	if ((error = net_enter(k, NULL, &ns, NULL)) != 0)
		return error;
	switch (cfg->kind) {
	case RUMP_IF_SHMIF:
		error = cfg->bus == NULL ? EINVAL :
		    shmif_attach(ns, cfg->bus, cfg->mac, cfg->mtu, &ifp);
		break;
	case RUMP_IF_TAP:
		error = cfg->device == NULL ? EINVAL :
		    virtif_attach(ns, cfg->device, cfg->mac, cfg->mtu, &ifp);
		break;
	case RUMP_IF_CALLBACK:
		error = cbif_attach(ns, cfg->output, cfg->output_arg, cfg->mac,
		    cfg->mtu, &ifp);
		break;
	default:
		error = EINVAL;
	}
	if (error == 0)
		error = if_setflags(ifp, ifp->if_flags | IFF_UP);
	if (error == 0 && cfg->address != NULL)
		error = if_addaddr(ifp, addr, plen);
	if (error == 0 && cfg->gateway != NULL)
		error = rt_add(ns, any, 0, gw, ifp, RTF_STATIC);
	if (error == 0 && name != NULL && namesize > 0)
		ksnprintf(name, namesize, "%s", ifp->if_xname);
	net_unlock(ns);
	if (error != 0 && ifp != NULL)
		if_detach(ifp);
	return error;
}

int
rump_net_detach(struct rump_kernel *k, const char *ifname)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	int error;

	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	if (ifp == ns->ns_loif) {
		net_unlock(ns);
		return EBUSY;
	}
	net_unlock(ns);
	if_detach(ifp);
	return 0;
}

/* Add (add) or remove an "a.b.c.d[/len]" address of an interface. */
static int
net_addr(struct rump_kernel *k, const char *ifname, const char *addr,
    bool add)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	struct in_addr a;
	int plen, error;

	if (parse_prefix(addr, &a, &plen, 32) != 0)
		return EINVAL;
	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	error = add ? if_addaddr(ifp, a, plen) : if_deladdr(ifp, a);
	net_unlock(ns);
	return error;
}

int
rump_net_addaddr(struct rump_kernel *k, const char *ifname, const char *addr)
{
	return net_addr(k, ifname, addr, true);
}

int
rump_net_deladdr(struct rump_kernel *k, const char *ifname, const char *addr)
{
	return net_addr(k, ifname, addr, false);
}

int
rump_net_setup(struct rump_kernel *k, const char *ifname, int up)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	int error;

	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	error = if_setflags(ifp, up ? ifp->if_flags | IFF_UP :
	    ifp->if_flags & ~IFF_UP);
	net_unlock(ns);
	return error;
}

int
rump_net_setmtu(struct rump_kernel *k, const char *ifname, unsigned mtu)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	int error;

	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	error = if_setmtu(ifp, mtu);
	net_unlock(ns);
	return error;
}

static int
parse_dst(const char *dst, struct in_addr *a, int *plen)
{
	if (dst != NULL && strcmp(dst, "default") == 0) {
		a->s_addr = INADDR_ANY;
		*plen = 0;
		return 0;
	}
	if (parse_prefix(dst, a, plen, 32) != 0)
		return EINVAL;
	/* host bits set: refused, as Linux does ("Invalid prefix") */
	if (*plen < 32 && (ntohl(a->s_addr) &
	    (0xffffffffu >> *plen)) != 0)
		return EINVAL;
	return 0;
}

int
rump_net_route_add(struct rump_kernel *k, const char *dst,
    const char *gateway, const char *ifname)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	struct in_addr a, gw = { 0 };
	int plen, error;

	if (parse_dst(dst, &a, &plen) != 0)
		return EINVAL;
	if (gateway != NULL && parse_host(gateway, &gw) != 0)
		return EINVAL;
	if (gateway == NULL && ifname == NULL)
		return EINVAL;
	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	error = rt_add(ns, a, plen, gw, ifp, RTF_STATIC);
	net_unlock(ns);
	return error;
}

int
rump_net_route_delete(struct rump_kernel *k, const char *dst)
{
	struct netstate *ns = NULL;
	struct in_addr a;
	int plen, error;

	if (parse_dst(dst, &a, &plen) != 0)
		return EINVAL;
	if ((error = net_enter(k, NULL, &ns, NULL)) != 0)
		return error;
	error = rt_delete(ns, a, plen);
	net_unlock(ns);
	return error;
}

/*
 * A list call's output: up to max entries of size bytes at out (none when
 * out is NULL); n counts them all, so the caller learns how many there are.
 */
struct listing {
	void		*out;
	size_t		size;
	unsigned	max, n;
};

/* The next entry, zeroed, or NULL once out is full (still counted). */
static void *
listing_next(struct listing *l)
{
	void *e = NULL;

	if (l->n < l->max) {
		e = (char *)l->out + (size_t)l->n * l->size;
		memset(e, 0, l->size);
	}
	l->n++;
	return e;
}

/* Walk one of the kernel's tables into out under the lock. */
static int
net_list(struct rump_kernel *k, void (*walk)(struct netstate *,
    struct listing *), void *out, size_t size, unsigned max, unsigned *np)
{
	struct listing l = { out, size, out != NULL ? max : 0, 0 };
	struct netstate *ns = NULL;
	int error;

	if ((error = net_enter(k, NULL, &ns, NULL)) != 0)
		return error;
	walk(ns, &l);
	net_unlock(ns);
	if (np != NULL)
		*np = l.n;
	return 0;
}

static void
route_one(void *arg, const struct rtentry *rt)
{
	struct rump_route *r;

	if ((r = listing_next(arg)) == NULL)
		return;
	r->dst = rt->rt_dst;
	r->prefixlen = rt->rt_prefixlen;
	r->gateway = rt->rt_gateway;
	memcpy(r->ifname, rt->rt_ifp->if_xname, IFNAMSIZ);
	r->flags = rt->rt_flags;
	r->use = rt->rt_use;
}

static void
routes_walk(struct netstate *ns, struct listing *l)
{
	rt_walk(ns, route_one, l);
}

int
rump_net_routes(struct rump_kernel *k, struct rump_route *out, unsigned max,
    unsigned *np)
{
	return net_list(k, routes_walk, out, sizeof(*out), max, np);
}

int
rump_net_impair(struct rump_kernel *k, const char *ifname,
    const struct rump_impair *imp)
{
	struct impair_params p;
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	int error;

	if (imp == NULL || imp->loss_ppm > 1000000 || imp->dup_ppm > 1000000 ||
	    imp->reorder_ppm > 1000000 || imp->delay_us > 10000000)
		return EINVAL;
	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	if (ifp->if_impair == NULL)
		error = impair_attach(ifp, NULL);
	if (error == 0) {
		p.loss_ppm = imp->loss_ppm;
		p.dup_ppm = imp->dup_ppm;
		p.reorder_ppm = imp->reorder_ppm;
		p.delay_us = imp->delay_us;
		p.seed = imp->seed;
		impair_set(ifp, &p);
	}
	net_unlock(ns);
	return error;
}

int
rump_net_capture(struct rump_kernel *k, const char *ifname, const char *path)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	int error;

	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	if (path == NULL)
		pcap_stop(ifp);
	else
		error = pcap_start(ifp, path);
	net_unlock(ns);
	return error;
}

static void
ifinfo_fill(struct ifnet *ifp, struct rump_ifinfo *r)
{
	struct in_ifaddr *ia;
	struct impair_stats is;

	memcpy(r->name, ifp->if_xname, IFNAMSIZ);
	r->index = ifp->if_index;
	r->flags = ifp->if_flags;
	r->mtu = ifp->if_mtu;
	memcpy(r->mac, ifp->if_hwaddr, 6);
	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list) {
		if (r->naddrs == RUMP_IF_MAXADDRS)
			break;
		r->addrs[r->naddrs].addr = ia->ia_addr;
		r->addrs[r->naddrs].prefixlen = ia->ia_prefixlen;
		r->addrs[r->naddrs].broadcast = ia->ia_broadcast;
		r->naddrs++;
	}
	r->ipackets = ifp->if_data.ipackets;
	r->ierrors = ifp->if_data.ierrors;
	r->opackets = ifp->if_data.opackets;
	r->oerrors = ifp->if_data.oerrors;
	r->ibytes = ifp->if_data.ibytes;
	r->obytes = ifp->if_data.obytes;
	r->iqdrops = ifp->if_data.iqdrops;
	r->noproto = ifp->if_data.noproto;
	r->imcasts = ifp->if_data.imcasts;
	r->omcasts = ifp->if_data.omcasts;
	r->lost = ifp->if_lost;
	impair_getstats(ifp, &is);
	r->imp_dropped = is.dropped;
	r->imp_duplicated = is.duplicated;
	r->imp_reordered = is.reordered;
	r->imp_delayed = is.delayed;
	r->imp_overflow = is.overflow;
}

static void
ifnet_walk(struct netstate *ns, struct listing *l)
{
	struct ifnet *ifp;
	struct rump_ifinfo *r;

	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list) {
		if ((r = listing_next(l)) != NULL)
			ifinfo_fill(ifp, r);
	}
}

int
rump_net_ifconfig(struct rump_kernel *k, struct rump_ifinfo *out,
    unsigned max, unsigned *np)
{
	return net_list(k, ifnet_walk, out, sizeof(*out), max, np);
}

static void
arp_one(void *arg, const struct arp_info *ai)
{
	struct rump_arp_entry *e;

	if ((e = listing_next(arg)) == NULL)
		return;
	memcpy(e->ifname, ai->ai_ifp->if_xname, IFNAMSIZ);
	e->addr = ai->ai_addr;
	memcpy(e->mac, ai->ai_mac, 6);
	e->state = ai->ai_state == ARP_INCOMPLETE ? RUMP_ARP_INCOMPLETE :
	    ai->ai_state == ARP_REACHABLE ? RUMP_ARP_REACHABLE : RUMP_ARP_STALE;
	e->held = ai->ai_held;
}

static void
arp_list_walk(struct netstate *ns, struct listing *l)
{
	arp_walk(ns, arp_one, l);
}

int
rump_net_arp_list(struct rump_kernel *k, struct rump_arp_entry *out,
    unsigned max, unsigned *np)
{
	return net_list(k, arp_list_walk, out, sizeof(*out), max, np);
}

int
rump_net_arp_resolve(struct rump_kernel *k, const char *addr, uint8_t mac[6])
{
	struct netstate *ns = NULL;
	struct rtentry *rt;
	struct in_addr a;
	int error;

	if (parse_host(addr, &a) != 0)
		return EINVAL;
	if ((error = net_enter(k, NULL, &ns, NULL)) != 0)
		return error;
	rt = rt_lookup(ns, a);
	if (rt == NULL || (rt->rt_flags & RTF_GATEWAY) ||
	    rt->rt_ifp->if_type != IFT_ETHER)
		error = ENETUNREACH;
	else
		error = arp_resolve(rt->rt_ifp, NULL, a, mac);
	net_unlock(ns);
	return error;
}

int
rump_net_arpstat(struct rump_kernel *k, struct rump_arpstat *st)
{
	struct netstate *ns = NULL;
	int error;

	if ((error = net_enter(k, NULL, &ns, NULL)) != 0)
		return error;
	memcpy(st, arp_stats(ns), sizeof(*st));
	net_unlock(ns);
	return 0;
}

int
rump_net_input_frame(struct rump_kernel *k, const char *ifname,
    const void *frame, size_t len)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	struct mbuf *m;
	int error;

	if (len > 65536 + ETHER_HDR_LEN)
		return EMSGSIZE;
	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	if ((m = m_devget(k, frame, len, ETHER_ALIGN, ifp)) == NULL)
		error = ENOBUFS;
	else
		if_input(ifp, m);
	net_unlock(ns);
	return error;
}

int
rump_net_output_frame(struct rump_kernel *k, const char *ifname,
    const void *frame, size_t len)
{
	struct netstate *ns = NULL;
	struct ifnet *ifp = NULL;
	struct mbuf *m;
	int error;

	if (len > 65536 + ETHER_HDR_LEN)
		return EMSGSIZE;
	if ((error = net_enter(k, ifname, &ns, &ifp)) != 0)
		return error;
	if (len < ifp->if_hdrlen)
		error = EINVAL;
	else if ((m = m_devget(k, frame, len, MAX_LINKHDR, NULL)) == NULL)
		error = ENOBUFS;
	else {
		if (ifp->if_type == IFT_ETHER && (mtod(m, uint8_t *)[0] & 1))
			m->m_flags |= M_MCAST;
		error = if_output_frame(ifp, m);
	}
	net_unlock(ns);
	return error;
}

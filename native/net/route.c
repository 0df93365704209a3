/*
 * The IPv4 routing table: a list kept longest prefix first, so the first
 * match is the best.  Tables are small (connected routes, a default, a few
 * static ones); a lookup walks a handful of entries.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "net/netstate.h"
#include "net/if.h"

#define RT_MAX	4096		/* routes per kernel */

struct route_table {
	TAILQ_HEAD(, rtentry) rt_head;
	unsigned	rt_count;
};

static uint32_t
mask_of(int prefixlen)
{
	return prefixlen == 0 ? 0 : htonl(0xffffffffu << (32 - prefixlen));
}

int
rt_init(struct netstate *ns)
{
	struct route_table *t;

	if ((t = kmem_zalloc(ns->ns_kernel, sizeof(*t))) == NULL)
		return ENOMEM;
	TAILQ_INIT(&t->rt_head);
	ns->ns_rt = t;
	return 0;
}

static void
rt_free(struct netstate *ns, struct rtentry *rt)
{
	TAILQ_REMOVE(&ns->ns_rt->rt_head, rt, rt_list);
	ns->ns_rt->rt_count--;
	kmem_free(ns->ns_kernel, rt, sizeof(*rt));
}

void
rt_fini(struct netstate *ns)
{
	struct rtentry *rt;

	if (ns->ns_rt == NULL)
		return;
	while ((rt = TAILQ_FIRST(&ns->ns_rt->rt_head)) != NULL)
		rt_free(ns, rt);
	kmem_free(ns->ns_kernel, ns->ns_rt, sizeof(*ns->ns_rt));
	ns->ns_rt = NULL;
}

struct rtentry *
rt_lookup(struct netstate *ns, struct in_addr dst)
{
	struct rtentry *rt;

	TAILQ_FOREACH(rt, &ns->ns_rt->rt_head, rt_list) {
		if ((dst.s_addr & rt->rt_mask.s_addr) != rt->rt_dst.s_addr)
			continue;
		/* a route through a down interface is not used (as Linux) */
		if (!(rt->rt_ifp->if_flags & IFF_UP))
			continue;
		rt->rt_use++;
		return rt;
	}
	return NULL;
}

/* The interface that reaches gateway directly (a connected route). */
static struct ifnet *
rt_gateway_ifp(struct netstate *ns, struct in_addr gw)
{
	struct rtentry *rt;

	TAILQ_FOREACH(rt, &ns->ns_rt->rt_head, rt_list)
		if ((gw.s_addr & rt->rt_mask.s_addr) == rt->rt_dst.s_addr &&
		    (rt->rt_flags & RTF_CONNECTED))
			return rt->rt_ifp;
	return NULL;
}

int
rt_add(struct netstate *ns, struct in_addr dst, int prefixlen,
    struct in_addr gateway, struct ifnet *ifp, int flags)
{
	struct route_table *t = ns->ns_rt;
	struct rtentry *rt, *pos;
	uint32_t mask;

	KASSERT(net_locked(ns));
	if (prefixlen < 0 || prefixlen > 32)
		return EINVAL;
	mask = mask_of(prefixlen);
	if ((dst.s_addr & ~mask) != 0)
		return EINVAL;
	if (gateway.s_addr != INADDR_ANY) {
		struct ifnet *gifp = rt_gateway_ifp(ns, gateway);

		/* the gateway must be on a link we are on */
		if (gifp == NULL || (ifp != NULL && gifp != ifp))
			return ENETUNREACH;
		ifp = gifp;
		flags |= RTF_GATEWAY;
	}
	if (ifp == NULL)
		return ENETUNREACH;
	TAILQ_FOREACH(pos, &t->rt_head, rt_list)
		if (pos->rt_dst.s_addr == dst.s_addr &&
		    pos->rt_prefixlen == prefixlen)
			return EEXIST;
	if (t->rt_count >= RT_MAX)
		return ENOBUFS;
	if ((rt = kmem_zalloc(ns->ns_kernel, sizeof(*rt))) == NULL)
		return ENOMEM;
	rt->rt_dst = dst;
	rt->rt_mask.s_addr = mask;
	rt->rt_prefixlen = prefixlen;
	rt->rt_gateway = gateway;
	rt->rt_ifp = ifp;
	rt->rt_flags = flags | RTF_UP | (prefixlen == 32 ? RTF_HOST : 0);
	/* before the first shorter prefix: longest first */
	TAILQ_FOREACH(pos, &t->rt_head, rt_list)
		if (pos->rt_prefixlen < prefixlen)
			break;
	if (pos != NULL)
		TAILQ_INSERT_BEFORE(pos, rt, rt_list);
	else
		TAILQ_INSERT_TAIL(&t->rt_head, rt, rt_list);
	t->rt_count++;
	return 0;
}

struct rtentry *
rt_find(struct netstate *ns, struct in_addr dst, int prefixlen)
{
	struct rtentry *rt;

	TAILQ_FOREACH(rt, &ns->ns_rt->rt_head, rt_list)
		if (rt->rt_dst.s_addr == dst.s_addr &&
		    rt->rt_prefixlen == prefixlen)
			return rt;
	return NULL;
}

int
rt_delete(struct netstate *ns, struct in_addr dst, int prefixlen)
{
	struct rtentry *rt;

	KASSERT(net_locked(ns));
	TAILQ_FOREACH(rt, &ns->ns_rt->rt_head, rt_list)
		if (rt->rt_dst.s_addr == dst.s_addr &&
		    rt->rt_prefixlen == prefixlen) {
			rt_free(ns, rt);
			return 0;
		}
	return ESRCH;
}

void
rt_purge_if(struct netstate *ns, struct ifnet *ifp)
{
	struct rtentry *rt, *next;

	for (rt = TAILQ_FIRST(&ns->ns_rt->rt_head); rt != NULL; rt = next) {
		next = TAILQ_NEXT(rt, rt_list);
		if (rt->rt_ifp == ifp)
			rt_free(ns, rt);
	}
}

void
rt_walk(struct netstate *ns, void (*fn)(void *, const struct rtentry *),
    void *arg)
{
	struct rtentry *rt;

	TAILQ_FOREACH(rt, &ns->ns_rt->rt_head, rt_list)
		fn(arg, rt);
}

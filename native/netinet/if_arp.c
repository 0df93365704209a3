/*
 * ARP (RFC 826), with the neighbour states of RFC 1122 reduced to what a
 * host needs: INCOMPLETE (asked; up to ARP_MAXHOLD bytes wait), then
 * REACHABLE for ARP_T_REACHABLE after a reply, then STALE: still used, and
 * the first use probes the neighbour again (unicast, ARP_MAXTRIES times,
 * then the entry goes).  A stale entry nobody uses is collected after
 * ARP_T_GC.  The cache is bounded (ARP_MAXENTRIES per kernel).
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "netinet/if_arp.h"

#define ARP_HASHSIZE	256
#define ARP_MAXENTRIES	1024
/*
 * What waits for an answer, in bytes as Linux's unres_qlen_bytes: a whole
 * 64 KiB datagram's fragments (and a few more) survive the first lookup.
 */
#define ARP_MAXHOLD	212992
#define ARP_MAXTRIES	3
#define ARP_T_RETRY	(1000 * 1000000LL)	/* 1 s between requests */
#define ARP_T_REACHABLE	(30 * 1000000000LL)
#define ARP_T_GC		(60 * 1000000000LL)

#define ARPHRD_ETHER	1
#define ARPOP_REQUEST	1
#define ARPOP_REPLY	2
#define ARP_PKTLEN	28

/* ARP_PROBE is internal: a stale entry being confirmed, reported STALE */
#define ARP_PROBE	((enum arp_lstate)100)

struct llentry {
	LIST_ENTRY(llentry) la_hash;
	struct arp_state *la_as;
	struct ifnet	*la_ifp;
	struct in_addr	la_addr;
	uint8_t		la_mac[ETHER_ADDR_LEN];
	enum arp_lstate	la_state;
	int		la_asked;	/* requests sent in this round */
	struct mbuf	*la_hold, *la_holdtail;
	unsigned	la_nhold;
	size_t		la_holdbytes;
	struct callout	la_timer;
};

struct arp_state {
	struct netstate	*as_ns;
	LIST_HEAD(, llentry) as_hash[ARP_HASHSIZE];
	unsigned	as_count;
	struct arpstat	as_stat;
};

/* The wire format, read and written byte by byte (no alignment). */
struct arp_pkt {
	uint16_t	op;
	uint8_t		sha[6], tha[6];
	struct in_addr	spa, tpa;
};

static void arp_timer(void *);

static unsigned
arp_hash(struct in_addr a)
{
	uint32_t h = a.s_addr;

	h ^= h >> 16;
	h ^= h >> 8;
	return h & (ARP_HASHSIZE - 1);
}

int
arp_init(struct netstate *ns)
{
	struct arp_state *as;

	if ((as = kmem_zalloc(ns->ns_kernel, sizeof(*as))) == NULL)
		return ENOMEM;
	as->as_ns = ns;
	for (int i = 0; i < ARP_HASHSIZE; i++)
		LIST_INIT(&as->as_hash[i]);
	ns->ns_arp = as;
	return 0;
}

/* Free the held packets (chained through m_nextpkt). */
static void
la_drop_held(struct llentry *la, bool unreach)
{
	struct netstate *ns = la->la_as->as_ns;
	struct mbuf *m, *next;

	for (m = la->la_hold; m != NULL; m = next) {
		next = m->m_nextpkt;
		m->m_nextpkt = NULL;
		la->la_as->as_stat.dropped_noentry++;
		if (unreach && ns->ns_ip_unreach != NULL)
			ns->ns_ip_unreach(m);
		else
			m_freem(m);
	}
	la->la_hold = la->la_holdtail = NULL;
	la->la_nhold = 0;
	la->la_holdbytes = 0;
}

static void
la_free(struct llentry *la)
{
	struct arp_state *as = la->la_as;
	struct netstate *ns = as->as_ns;

	la_drop_held(la, false);
	if (net_locked(ns))
		callout_stop(ns, &la->la_timer);
	else
		la->la_timer.c_index = -1;	/* halting: no timer thread */
	LIST_REMOVE(la, la_hash);
	as->as_count--;
	kmem_free(ns->ns_kernel, la, sizeof(*la));
}

void
arp_fini(struct netstate *ns)
{
	struct arp_state *as = ns->ns_arp;
	struct llentry *la;

	if (as == NULL)
		return;
	for (int i = 0; i < ARP_HASHSIZE; i++)
		while ((la = LIST_FIRST(&as->as_hash[i])) != NULL)
			la_free(la);
	kmem_free(ns->ns_kernel, as, sizeof(*as));
	ns->ns_arp = NULL;
}

struct arpstat *
arp_stats(struct netstate *ns)
{
	return &ns->ns_arp->as_stat;
}

static struct llentry *
la_lookup(struct arp_state *as, struct ifnet *ifp, struct in_addr a)
{
	struct llentry *la;

	LIST_FOREACH(la, &as->as_hash[arp_hash(a)], la_hash)
		if (la->la_addr.s_addr == a.s_addr && la->la_ifp == ifp)
			return la;
	return NULL;
}

/* Room for one more entry: evict one that holds nothing, if full. */
static bool
la_room(struct arp_state *as)
{
	struct llentry *la;

	if (as->as_count < ARP_MAXENTRIES)
		return true;
	for (int i = 0; i < ARP_HASHSIZE; i++)
		LIST_FOREACH(la, &as->as_hash[i], la_hash)
			if (la->la_state == ARP_STALE) {
				la_free(la);
				return true;
			}
	return false;
}

static struct llentry *
la_create(struct arp_state *as, struct ifnet *ifp, struct in_addr a)
{
	struct llentry *la;

	if (!la_room(as))
		return NULL;
	if ((la = kmem_zalloc(as->as_ns->ns_kernel, sizeof(*la))) == NULL)
		return NULL;
	la->la_as = as;
	la->la_ifp = ifp;
	la->la_addr = a;
	la->la_state = ARP_INCOMPLETE;
	callout_init(&la->la_timer, arp_timer, la);
	LIST_INSERT_HEAD(&as->as_hash[arp_hash(a)], la, la_hash);
	as->as_count++;
	return la;
}

/* Send one ARP packet; tha NULL: a broadcast request. */
static void
arp_send(struct ifnet *ifp, int op, struct in_addr spa, const uint8_t *tha,
    struct in_addr tpa)
{
	static const uint8_t zero[ETHER_ADDR_LEN];
	struct mbuf *m;
	uint8_t *p;

	m = m_gethdr(ifp->if_ns->ns_kernel, MAX_LINKHDR, ARP_PKTLEN);
	if (m == NULL)
		return;
	p = mtod(m, uint8_t *);
	p[0] = 0; p[1] = ARPHRD_ETHER;
	p[2] = ETHERTYPE_IP >> 8; p[3] = ETHERTYPE_IP & 0xff;
	p[4] = ETHER_ADDR_LEN; p[5] = 4;
	p[6] = 0; p[7] = (uint8_t)op;
	memcpy(p + 8, ifp->if_hwaddr, ETHER_ADDR_LEN);
	memcpy(p + 14, &spa, 4);
	memcpy(p + 18, tha != NULL ? tha : zero, ETHER_ADDR_LEN);
	memcpy(p + 24, &tpa, 4);
	m->m_len = m->m_pkthdr.len = ARP_PKTLEN;
	if (op == ARPOP_REQUEST)
		ifp->if_ns->ns_arp->as_stat.txrequests++;
	else
		ifp->if_ns->ns_arp->as_stat.txreplies++;
	(void)ether_frame(ifp, m, tha != NULL ? tha : etherbroadcastaddr,
	    ETHERTYPE_ARP);
}

static void
arp_ask(struct llentry *la)
{
	struct ifnet *ifp = la->la_ifp;
	struct in_ifaddr *ia = if_addr_for(ifp, la->la_addr);
	struct in_addr src = { 0 };

	if (ia != NULL)
		src = ia->ia_addr;
	la->la_asked++;
	/* a probe of a known neighbour goes to it alone (RFC 1122) */
	arp_send(ifp, ARPOP_REQUEST, src,
	    la->la_state == ARP_PROBE ? la->la_mac : NULL, la->la_addr);
	(void)callout_reset(la->la_as->as_ns, &la->la_timer, ARP_T_RETRY);
}

static void
arp_timer(void *arg)
{
	struct llentry *la = arg;
	struct arp_state *as = la->la_as;

	switch ((int)la->la_state) {
	case ARP_INCOMPLETE:
	case ARP_PROBE:
		if (la->la_asked < ARP_MAXTRIES) {
			arp_ask(la);
			return;
		}
		as->as_stat.timeouts++;
		la_drop_held(la, true);
		la_free(la);
		return;
	case ARP_REACHABLE:
		la->la_state = ARP_STALE;
		(void)callout_reset(as->as_ns, &la->la_timer, ARP_T_GC);
		return;
	default:
		/* stale and unused since: collected */
		la_free(la);
	}
}

/* The neighbour's address is known: send what waited for it. */
static void
la_resolved(struct llentry *la, const uint8_t *mac, bool confirmed)
{
	struct mbuf *m, *next;

	memcpy(la->la_mac, mac, ETHER_ADDR_LEN);
	la->la_asked = 0;
	if (confirmed) {
		la->la_state = ARP_REACHABLE;
		(void)callout_reset(la->la_as->as_ns, &la->la_timer,
		    ARP_T_REACHABLE);
	} else if (la->la_state == ARP_INCOMPLETE) {
		la->la_state = ARP_STALE;
		(void)callout_reset(la->la_as->as_ns, &la->la_timer, ARP_T_GC);
	}
	m = la->la_hold;
	la->la_hold = la->la_holdtail = NULL;
	la->la_nhold = 0;
	la->la_holdbytes = 0;
	for (; m != NULL; m = next) {
		next = m->m_nextpkt;
		m->m_nextpkt = NULL;
		(void)ether_frame(la->la_ifp, m, la->la_mac, ETHERTYPE_IP);
	}
}

static bool
arp_parse(struct mbuf *m, struct arp_pkt *ap)
{
	uint8_t p[ARP_PKTLEN];

	if (m->m_pkthdr.len < ARP_PKTLEN)
		return false;
	m_copydata(m, 0, ARP_PKTLEN, p);
	if (p[0] != 0 || p[1] != ARPHRD_ETHER || p[2] != (ETHERTYPE_IP >> 8) ||
	    p[3] != (ETHERTYPE_IP & 0xff) || p[4] != ETHER_ADDR_LEN ||
	    p[5] != 4)
		return false;
	ap->op = (uint16_t)(p[6] << 8 | p[7]);
	memcpy(ap->sha, p + 8, ETHER_ADDR_LEN);
	memcpy(&ap->spa, p + 14, 4);
	memcpy(ap->tha, p + 18, ETHER_ADDR_LEN);
	memcpy(&ap->tpa, p + 24, 4);
	return ap->op == ARPOP_REQUEST || ap->op == ARPOP_REPLY;
}

/* The address of ifp that is a, or NULL. */
static struct in_ifaddr *
ifp_has(struct ifnet *ifp, struct in_addr a)
{
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list)
		if (ia->ia_addr.s_addr == a.s_addr)
			return ia;
	return NULL;
}

void
arp_input(struct ifnet *ifp, struct mbuf *m)
{
	struct arp_state *as = ifp->if_ns->ns_arp;
	struct arp_pkt ap;
	struct llentry *la;
	bool forus;

	as->as_stat.received++;
	if (!arp_parse(m, &ap) || (ap.sha[0] & 0x01) ||
	    memcmp(ap.sha, ifp->if_hwaddr, ETHER_ADDR_LEN) == 0) {
		m_freem(m);
		return;
	}
	m_freem(m);
	if (ap.op == ARPOP_REQUEST)
		as->as_stat.rxrequests++;
	else
		as->as_stat.rxreplies++;
	if (ap.spa.s_addr != INADDR_ANY && ifp_has(ifp, ap.spa) != NULL) {
		/* someone else claims our address */
		as->as_stat.dupips++;
		klog(ifp->if_ns->ns_kernel, "%s: address %u.%u.%u.%u is also "
		    "used by %02x:%02x:%02x:%02x:%02x:%02x", ifp->if_xname,
		    ((uint8_t *)&ap.spa)[0], ((uint8_t *)&ap.spa)[1],
		    ((uint8_t *)&ap.spa)[2], ((uint8_t *)&ap.spa)[3],
		    ap.sha[0], ap.sha[1], ap.sha[2], ap.sha[3], ap.sha[4],
		    ap.sha[5]);
		return;
	}
	forus = ifp_has(ifp, ap.tpa) != NULL;
	/* a probe (RFC 5227) has no sender address to learn */
	if (ap.spa.s_addr != INADDR_ANY) {
		la = la_lookup(as, ifp, ap.spa);
		/* learn a new neighbour only when it talks to us (RFC 826) */
		if (la == NULL && forus)
			la = la_create(as, ifp, ap.spa);
		if (la != NULL)
			la_resolved(la, ap.sha,
			    ap.op == ARPOP_REPLY && forus);
	}
	if (ap.op == ARPOP_REQUEST && forus)
		arp_send(ifp, ARPOP_REPLY, ap.tpa, ap.sha, ap.spa);
}

int
arp_resolve(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop,
    uint8_t dst[6])
{
	struct arp_state *as = ifp->if_ns->ns_arp;
	struct llentry *la;

	KASSERT(net_locked(ifp->if_ns));
	la = la_lookup(as, ifp, nexthop);
	if (la != NULL && la->la_state != ARP_INCOMPLETE) {
		memcpy(dst, la->la_mac, ETHER_ADDR_LEN);
		if (la->la_state == ARP_STALE) {
			la->la_state = ARP_PROBE;
			la->la_asked = 0;
			arp_ask(la);
		}
		return 0;
	}
	if (la == NULL) {
		if ((la = la_create(as, ifp, nexthop)) == NULL) {
			as->as_stat.dropped_noentry++;
			m_freem(m);
			return ENOBUFS;
		}
		arp_ask(la);
	}
	if (m == NULL)
		return EINPROGRESS;
	/* hold it; when full, the oldest give way */
	while (la->la_hold != NULL &&
	    la->la_holdbytes + m->m_pkthdr.len > ARP_MAXHOLD) {
		struct mbuf *old = la->la_hold;

		la->la_hold = old->m_nextpkt;
		old->m_nextpkt = NULL;
		la->la_holdbytes -= old->m_pkthdr.len;
		m_freem(old);
		la->la_nhold--;
		as->as_stat.dropped_noentry++;
	}
	if (la->la_hold == NULL)
		la->la_holdtail = NULL;
	m->m_nextpkt = NULL;
	if (la->la_hold == NULL)
		la->la_hold = m;
	else
		la->la_holdtail->m_nextpkt = m;
	la->la_holdtail = m;
	la->la_nhold++;
	la->la_holdbytes += m->m_pkthdr.len;
	as->as_stat.held++;
	return EINPROGRESS;
}

void
arp_announce(struct ifnet *ifp, struct in_addr addr)
{
	arp_send(ifp, ARPOP_REQUEST, addr, NULL, addr);
}

void
arp_purge_if(struct ifnet *ifp)
{
	struct arp_state *as = ifp->if_ns->ns_arp;
	struct llentry *la, *next;

	for (int i = 0; i < ARP_HASHSIZE; i++)
		for (la = LIST_FIRST(&as->as_hash[i]); la != NULL; la = next) {
			next = LIST_NEXT(la, la_hash);
			if (la->la_ifp == ifp)
				la_free(la);
		}
}

void
arp_walk(struct netstate *ns, void (*fn)(void *, const struct arp_info *),
    void *arg)
{
	struct arp_state *as = ns->ns_arp;
	struct llentry *la;
	struct arp_info ai;

	for (int i = 0; i < ARP_HASHSIZE; i++)
		LIST_FOREACH(la, &as->as_hash[i], la_hash) {
			ai.ai_ifp = la->la_ifp;
			ai.ai_addr = la->la_addr;
			memcpy(ai.ai_mac, la->la_mac, ETHER_ADDR_LEN);
			ai.ai_state = la->la_state == ARP_PROBE ? ARP_STALE :
			    la->la_state;
			ai.ai_held = la->la_nhold;
			fn(arg, &ai);
		}
}

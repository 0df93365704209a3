/*
 * ARP (RFC 826) for IPv4 over Ethernet: one cache per kernel, entries
 * that wait for a reply hold a few packets, answers for our addresses,
 * gratuitous announcements.  Under ns_lock.
 */
#ifndef NETINET_IF_ARP_H
#define NETINET_IF_ARP_H

#include <netinet/in.h>

#include "sys/systm.h"
#include "netinet/in_var.h"

struct ifnet;
struct mbuf;
struct netstate;

enum arp_lstate {
	ARP_INCOMPLETE = 1,	/* asked, no answer yet; packets held */
	ARP_REACHABLE,		/* confirmed recently */
	ARP_STALE,		/* used, but to be confirmed again */
};

/* Counters (moved into inet_state's is_arpstat when inet exists). */
struct arp_state;

int	arp_init(struct netstate *ns);
void	arp_fini(struct netstate *ns);
/* An ARP packet (m at the ARP header) received on ifp; consumed. */
void	arp_input(struct ifnet *ifp, struct mbuf *m);
/*
 * The Ethernet address of nexthop on ifp into dst: 0 to send now.
 * Otherwise m was consumed: EINPROGRESS when it waits for a reply,
 * or an errno (EHOSTUNREACH, ENOBUFS) when it was dropped.
 */
int	arp_resolve(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop,
	    uint8_t dst[6]);
/* Announce addr (a gratuitous request) on ifp. */
void	arp_announce(struct ifnet *ifp, struct in_addr addr);
/* Entries of ifp go (detach); of addr's subnet on ifp (address removed). */
void	arp_purge_if(struct ifnet *ifp);
struct arpstat *arp_stats(struct netstate *ns);

/* Listing, for the C API. */
struct arp_info {
	struct ifnet	*ai_ifp;
	struct in_addr	ai_addr;
	uint8_t		ai_mac[6];
	enum arp_lstate	ai_state;
	unsigned	ai_held;	/* packets waiting */
};
void	arp_walk(struct netstate *ns, void (*fn)(void *, const struct arp_info *),
	    void *arg);

#endif

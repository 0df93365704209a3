/*
 * Network interfaces.  A driver (lo0, dev/shmif, dev/virtif) fills a
 * struct ifnet and calls if_attach; frames leave through if_transmit and
 * arrive through if_input.  Capture (pcap) wraps both in the generic layer
 * (net/if_pcap.c): it is not a special case inside drivers.
 * Under ns_lock except where noted.
 */
#ifndef NET_IF_H
#define NET_IF_H

#include <sys/queue.h>
#include <net/if.h>		/* IFF_*, IFNAMSIZ */
#include <netinet/in.h>

#include "sys/systm.h"

struct mbuf;
struct netstate;
struct pcap_writer;

/* One IPv4 address of an interface. */
struct in_ifaddr {
	TAILQ_ENTRY(in_ifaddr) ia_list;
	struct ifnet	*ia_ifp;
	struct in_addr	ia_addr;
	struct in_addr	ia_mask;
	struct in_addr	ia_broadcast;
	int		ia_prefixlen;
};

struct if_data_counters {
	uint64_t	ipackets, ierrors, opackets, oerrors;
	uint64_t	ibytes, obytes, iqdrops, noproto;
	uint64_t	imcasts, omcasts;
};

struct ifnet {
	TAILQ_ENTRY(ifnet) if_list;	/* ns_ifnet */
	struct netstate	*if_ns;
	char		if_xname[IFNAMSIZ];
	unsigned	if_index;
	int		if_flags;	/* IFF_UP, IFF_RUNNING, IFF_LOOPBACK ... */
	int		if_type;	/* IFT_ETHER, IFT_LOOP (below) */
	unsigned	if_mtu;
	uint8_t		if_hwaddr[6];	/* Ethernet address (zero for lo0) */
	unsigned	if_hdrlen;	/* link header bytes (14, or 0) */
	TAILQ_HEAD(, in_ifaddr) if_addrs;
	struct if_data_counters if_data;
	struct pcap_writer *if_pcap;	/* capture, when on */

	void		*if_softc;	/* the driver's */
	/*
	 * Send one link-level frame (m includes the link header), consumed.
	 * Called with ns_lock held; must not sleep for long.
	 */
	int	(*if_transmit)(struct ifnet *ifp, struct mbuf *m);
	/* IFF_UP changed; the driver starts or stops its receiver */
	int	(*if_updown)(struct ifnet *ifp, bool up);
	/* detach: stop threads, release host resources (ns_lock NOT held) */
	void	(*if_stop)(struct ifnet *ifp);
	void	(*if_free)(struct ifnet *ifp);	/* free softc */
};
#define IFT_ETHER	0x06
#define IFT_LOOP	0x18

/* net/if.c */
int	if_init(struct netstate *ns);	/* lo0 */
void	if_fini(struct netstate *ns);	/* every interface goes */
int	if_attach(struct netstate *ns, struct ifnet *ifp);	/* names lo0, shmif0 ... */
void	if_detach(struct ifnet *ifp);
struct ifnet *if_byname(struct netstate *ns, const char *name);
struct ifnet *if_byindex(struct netstate *ns, unsigned idx);
/*
 * A received link-level frame: count it, capture it, and hand it to
 * ether_input (or the loopback's protocol input).  Drivers' receive
 * threads call it with ns_lock held.
 */
void	if_input(struct ifnet *ifp, struct mbuf *m);
/* Send a complete frame: capture, count, and call the driver. */
int	if_output_frame(struct ifnet *ifp, struct mbuf *m);
int	if_addaddr(struct ifnet *ifp, struct in_addr addr, int prefixlen);
int	if_deladdr(struct ifnet *ifp, struct in_addr addr);
int	if_setflags(struct ifnet *ifp, int flags);

/* net/if_ethersubr.c: Ethernet framing; dst resolved by ARP */
void	ether_input(struct ifnet *ifp, struct mbuf *m);
int	ether_output(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop);
/* net/if_loop.c */
int	loop_attach(struct netstate *ns);

/* net/route.c: IPv4 routes, longest prefix first */
struct rtentry {
	TAILQ_ENTRY(rtentry) rt_list;
	struct in_addr	rt_dst, rt_mask;
	struct in_addr	rt_gateway;	/* INADDR_ANY: directly connected */
	int		rt_prefixlen;
	struct ifnet	*rt_ifp;
	int		rt_flags;	/* RTF_UP, RTF_GATEWAY, RTF_HOST ... */
	uint64_t	rt_use;
};
/* The route to dst, or NULL (ENETUNREACH). */
struct rtentry *rt_lookup(struct netstate *ns, struct in_addr dst);
int	rt_add(struct netstate *ns, struct in_addr dst, int prefixlen,
	    struct in_addr gateway, struct ifnet *ifp, int flags);
int	rt_delete(struct netstate *ns, struct in_addr dst, int prefixlen);
/* Routes through ifp go (detach, address removed). */
void	rt_purge_if(struct netstate *ns, struct ifnet *ifp);

#endif

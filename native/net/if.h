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
struct impair;
struct kauth_cred;

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
	unsigned	if_maxmtu;	/* what the driver can carry */
	uint8_t		if_hwaddr[6];	/* Ethernet address (zero for lo0) */
	unsigned	if_hdrlen;	/* link header bytes (14, or 0) */
	/*
	 * What the medium does for the stack (IFCAP_*): set by drivers whose
	 * every peer is a rumpkit kernel (shmif), never for a medium with
	 * foreign peers (virtif's TAP).
	 */
	uint32_t	if_capabilities;
	TAILQ_HEAD(, in_ifaddr) if_addrs;
	struct if_data_counters if_data;
	struct pcap_writer *if_pcap;	/* capture, when on */
	struct impair	*if_impair;	/* impairments on output, when set */
	uint64_t	if_lost;	/* frames the medium lost (shmif: lapped) */

	void		*if_softc;	/* the driver's */
	/*
	 * IP output to a next hop on this link (consumed): ether_output for
	 * Ethernet, the loopback's own for lo0.  ip_output calls it with the
	 * route's interface and next hop.
	 */
	int	(*if_output)(struct ifnet *ifp, struct mbuf *m,
		    struct in_addr nexthop);
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
/*
 * IFCAP_TSO: frames may exceed if_mtu (up to a 65535-byte IP datagram):
 * TCP hands over segments of several MSS, as to Linux's veth, and every
 * receiver takes them whole.  IFCAP_CSUM_TRUSTED: checksums computed by
 * the sending kernel's stack are marked in the frame and not verified
 * again by the receiving one.
 */
#define IFCAP_TSO		0x0001
#define IFCAP_CSUM_TRUSTED	0x0002
#define IFT_ETHER	0x06
#define IFT_LOOP	0x18

/* net/if.c */
int	if_init(struct netstate *ns);	/* lo0 */
void	if_fini(struct netstate *ns);	/* every interface goes */
int	if_attach(struct netstate *ns, struct ifnet *ifp);	/* names lo0, shmif0 ... */
/* ns_lock NOT held: the driver's threads are joined; ifp is freed. */
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
int	if_setflags(struct ifnet *ifp, int flags);	/* IFF_UP only */
int	if_setmtu(struct ifnet *ifp, unsigned mtu);
/* The address of ifp in the subnet of dst, or its first (NULL: none). */
struct in_ifaddr *if_addr_for(struct ifnet *ifp, struct in_addr dst);
/* Which interface holds addr? (NULL: none) */
struct in_ifaddr *in_ifaddr_lookup(struct netstate *ns, struct in_addr addr);
/* ioctl(SIOC*) on a socket: data is the kernel's copy of the ifreq/ifconf. */
int	ifioctl(struct netstate *ns, unsigned long cmd, void *data,
	    struct kauth_cred *cred);

/* net/if_ethersubr.c: Ethernet framing; dst resolved by ARP */
void	ether_input(struct ifnet *ifp, struct mbuf *m);
int	ether_output(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop);
/* net/if_loop.c */
int	loop_attach(struct netstate *ns);

/* net/if_pcap.c: capture to a classic pcap file through hypercalls */
int	pcap_start(struct ifnet *ifp, const char *path);
void	pcap_stop(struct ifnet *ifp);	/* flushed and closed */
void	pcap_capture(struct ifnet *ifp, const struct mbuf *m);

/* net/route.c: IPv4 routes, longest prefix first */
#define RTF_UP		0x0001
#define RTF_GATEWAY	0x0002
#define RTF_HOST	0x0004
#define RTF_STATIC	0x0400		/* added by the administrator */
#define RTF_CONNECTED	0x10000		/* from an interface address */
#define RTF_LOCAL	0x20000		/* one of our addresses (through lo0) */
int	rt_init(struct netstate *ns);
void	rt_fini(struct netstate *ns);
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
/* The route for exactly dst/prefixlen, or NULL. */
struct rtentry *rt_find(struct netstate *ns, struct in_addr dst, int prefixlen);
/* Routes through ifp go (detach, address removed). */
void	rt_purge_if(struct netstate *ns, struct ifnet *ifp);
/* Visit every route (listing). */
void	rt_walk(struct netstate *ns, void (*fn)(void *, const struct rtentry *),
	    void *arg);

#endif

/*
 * rumpkit networking, configuration side: interfaces (shmif buses, TAP
 * devices), addresses, routes, impairments, capture, and an ifconfig-like
 * listing.  All functions return 0 or an errno (the host's values) and
 * work from any thread, bound to a kernel or not.
 */
#ifndef RUMP_RUMP_NET_H
#define RUMP_RUMP_NET_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rump/rump.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUMP_IFNAMSIZ	16

#define RUMP_IF_SHMIF	1	/* a shared-memory bus between kernels */
#define RUMP_IF_TAP	2	/* a host TAP device (virtif) */
#define RUMP_IF_CALLBACK 3	/* frames go to a function (cbif): tests */

struct rump_ifcfg {
	int		kind;		/* RUMP_IF_SHMIF or RUMP_IF_TAP */
	const char	*bus;		/* shmif: a path (with a '/'), or a
					   name under /dev/shm */
	const char	*device;	/* tap: the host's TAP interface */
	const char	*address;	/* "192.0.2.1/24", or NULL */
	const char	*gateway;	/* a default route through it, or NULL */
	unsigned	mtu;		/* 0: 1500 */
	const uint8_t	*mac;		/* 6 bytes, or NULL: random, locally
					   administered */
	/*
	 * callback: every frame the kernel sends, with its network lock
	 * held (do not call into that kernel from it; copy what you keep)
	 */
	void		(*output)(void *arg, const void *frame, size_t len);
	void		*output_arg;
};

/*
 * Attach an interface, configure it and bring it up.  Its name (shmif0,
 * shmif1 ..., virt0 ...) goes into name (namesize bytes; NULL is fine).
 */
int rump_net_attach(struct rump_kernel *k, const struct rump_ifcfg *cfg,
    char *name, size_t namesize);
/* Detach: its routes, ARP entries and capture go; threads are joined. */
int rump_net_detach(struct rump_kernel *k, const char *ifname);

/* "a.b.c.d/len" (no /len: /32) */
int rump_net_addaddr(struct rump_kernel *k, const char *ifname,
    const char *addr);
int rump_net_deladdr(struct rump_kernel *k, const char *ifname,
    const char *addr);
int rump_net_setup(struct rump_kernel *k, const char *ifname, int up);
int rump_net_setmtu(struct rump_kernel *k, const char *ifname, unsigned mtu);

/*
 * Routes.  dst "a.b.c.d/len" or "default"; gateway NULL for a route
 * straight onto ifname's link; ifname NULL: found from the gateway.
 */
int rump_net_route_add(struct rump_kernel *k, const char *dst,
    const char *gateway, const char *ifname);
int rump_net_route_delete(struct rump_kernel *k, const char *dst);

#define RUMP_RTF_GATEWAY	0x0002
#define RUMP_RTF_HOST		0x0004
#define RUMP_RTF_STATIC		0x0400
#define RUMP_RTF_CONNECTED	0x10000
#define RUMP_RTF_LOCAL		0x20000
struct rump_route {
	struct in_addr	dst;
	int		prefixlen;
	struct in_addr	gateway;	/* 0.0.0.0: on the link */
	char		ifname[RUMP_IFNAMSIZ];
	int		flags;		/* RUMP_RTF_* */
	uint64_t	use;		/* lookups that chose it */
};
/* Up to max routes into out, longest prefix first; *np: how many exist. */
int rump_net_routes(struct rump_kernel *k, struct rump_route *out,
    unsigned max, unsigned *np);

/*
 * Impairments of the frames an interface sends: for shmif, of every
 * member's frames on its bus (they live in the bus).  Seeded: the same
 * seed gives the same decisions for the same frames from one sender.
 */
struct rump_impair {
	uint32_t	loss_ppm;	/* per million */
	uint32_t	dup_ppm;
	uint32_t	reorder_ppm;	/* sent after the next frame */
	uint32_t	delay_us;
	uint64_t	seed;
};
int rump_net_impair(struct rump_kernel *k, const char *ifname,
    const struct rump_impair *imp);

/* Capture to a pcap file (truncated); path NULL stops (and flushes). */
int rump_net_capture(struct rump_kernel *k, const char *ifname,
    const char *path);

#define RUMP_IF_MAXADDRS	8
struct rump_ifinfo {
	char		name[RUMP_IFNAMSIZ];
	unsigned	index;
	int		flags;		/* IFF_* (net/if.h) */
	unsigned	mtu;
	uint8_t		mac[6];
	unsigned	naddrs;
	struct {
		struct in_addr	addr;
		int		prefixlen;
		struct in_addr	broadcast;
	} addrs[RUMP_IF_MAXADDRS];
	uint64_t	ipackets, ierrors, opackets, oerrors;
	uint64_t	ibytes, obytes, iqdrops, noproto;
	uint64_t	imcasts, omcasts;
	uint64_t	lost;		/* lost by the medium (shmif: lapped) */
	/* impairments applied by this interface */
	uint64_t	imp_dropped, imp_duplicated, imp_reordered;
	uint64_t	imp_delayed, imp_overflow;
};
/* Up to max interfaces into out; *np: how many exist. */
int rump_net_ifconfig(struct rump_kernel *k, struct rump_ifinfo *out,
    unsigned max, unsigned *np);

/* ARP */
#define RUMP_ARP_INCOMPLETE	1
#define RUMP_ARP_REACHABLE	2
#define RUMP_ARP_STALE		3
struct rump_arp_entry {
	char		ifname[RUMP_IFNAMSIZ];
	struct in_addr	addr;
	uint8_t		mac[6];
	int		state;		/* RUMP_ARP_* */
	unsigned	held;		/* packets waiting for it */
};
int rump_net_arp_list(struct rump_kernel *k, struct rump_arp_entry *out,
    unsigned max, unsigned *np);
/*
 * The Ethernet address of a neighbour (an address on a connected subnet):
 * 0 and mac filled when known; EINPROGRESS when a request went out (ask
 * again later); ENETUNREACH when no interface's subnet holds it.
 */
int rump_net_arp_resolve(struct rump_kernel *k, const char *addr,
    uint8_t mac[6]);
struct rump_arpstat {
	uint64_t txrequests, txreplies, rxrequests, rxreplies, received;
	uint64_t dupips, timeouts, dropped_noentry, held;
};
int rump_net_arpstat(struct rump_kernel *k, struct rump_arpstat *st);

/*
 * Hand the kernel a link-level frame as if ifname had received it (tests,
 * fuzzing); it is processed before the call returns.
 */
int rump_net_input_frame(struct rump_kernel *k, const char *ifname,
    const void *frame, size_t len);

/* Sockets, as ss lists them (TCP connections in TIME_WAIT included). */
struct rump_sockinfo {
	int		family, type, protocol;
	char		state[16];	/* ESTAB, LISTEN, TIME-WAIT, UNCONN ... */
	struct sockaddr_storage local, peer;
	socklen_t	locallen, peerlen;	/* 0: none */
	uint64_t	recvq, sendq;	/* listeners: accept queue and its limit */
	pid_t		pid;		/* creator; -1 when no socket is left */
	uid_t		uid;
};
int rump_net_sockets(struct rump_kernel *k, struct rump_sockinfo *out,
    unsigned max, unsigned *np);

/* Protocol counters, as netstat -s shows them: (protocol, name, value). */
struct rump_netstat {
	char		proto[8];	/* ip, icmp, udp, tcp, arp */
	char		name[24];
	uint64_t	value;
};
int rump_net_stats(struct rump_kernel *k, struct rump_netstat *out,
    unsigned max, unsigned *np);

/* Send a raw link-level frame on ifname (tests, tools). */
int rump_net_output_frame(struct rump_kernel *k, const char *ifname,
    const void *frame, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMP_NET_H */

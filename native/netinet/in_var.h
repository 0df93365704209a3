/*
 * IPv4 inside one kernel: the contract between the link layer (net/),
 * IP (ip_*.c), ICMP, UDP, raw sockets and TCP (tcp_*.c).
 * Everything runs with ns_lock held.
 */
#ifndef NETINET_IN_VAR_H
#define NETINET_IN_VAR_H

#include <sys/queue.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#include "sys/systm.h"

struct mbuf;
struct ifnet;
struct netstate;
struct socket;
struct inpcbtable;
struct domain;

/*
 * Protocol counters, like netstat -s.  Each protocol keeps its own
 * struct; inet_state holds them all.
 */
struct ipstat {
	uint64_t total, badsum, tooshort, toosmall, badhlen, badlen, badvers;
	uint64_t fragments, fragdropped, fragtimeout, reassembled;
	uint64_t noproto, delivered, localout, noroute, fragmented, cantfrag;
	uint64_t odropped, forward_dropped, toolong, ofragments;
};
struct icmpstat {
	uint64_t inmsgs, inerrors, inechos, inechoreps, indestunreachs;
	uint64_t intimeexcds, outmsgs, outechos, outechoreps, outdestunreachs;
	uint64_t outtimeexcds, badsum, badlen, ratelimited;
};
struct udpstat {
	uint64_t ipackets, hdrops, badsum, badlen, noport, noportbcast;
	uint64_t fullsock, opackets;
};
struct tcpstat {
	uint64_t connattempt, accepts, connects, drops, conndrops;
	uint64_t closed, segstimed, rttupdated, delack, timeoutdrop;
	uint64_t rexmttimeo, persisttimeo, keeptimeo, keepprobe, keepdrops;
	uint64_t sndtotal, sndpack, sndbyte, sndrexmitpack, sndrexmitbyte;
	uint64_t sndacks, sndprobe, sndurg, sndwinup, sndctrl;
	uint64_t rcvtotal, rcvpack, rcvbyte, rcvbadsum, rcvbadoff, rcvshort;
	uint64_t rcvduppack, rcvdupbyte, rcvpartduppack, rcvoopack, rcvoobyte;
	uint64_t rcvpackafterwin, rcvafterclose, rcvwinprobe, rcvdupack;
	uint64_t rcvacktoomuch, rcvackpack, rcvackbyte, rcvwinupd;
	uint64_t fastrexmit, sackrexmit, ecnce, listendrop, synflooddrop;
	uint64_t badrst, challengeack, estabresets, outrsts;
	uint64_t retransmitted_syn, pawsdrop;
};
struct arpstat {
	uint64_t txrequests, txreplies, rxrequests, rxreplies, received;
	uint64_t dupips, timeouts, dropped_noentry, held;
};

/* netinet/in_proto.c: the inet domain and the IP protocol switch. */
struct inet_state {
	struct inpcbtable *is_udbtable;		/* UDP */
	struct inpcbtable *is_tcbtable;		/* TCP */
	struct inpcbtable *is_rawtable;		/* raw IP */
	struct arp_state *is_arp;		/* netinet/if_arp.c */
	struct ipq_state *is_ipq;		/* netinet/ip_reass.c */
	struct tcp_state *is_tcp;		/* netinet/tcp_subr.c: ISS secret, SYN limits */
	uint16_t	is_ip_id;
	int64_t		is_icmp_tokens;		/* ICMP error rate limit (ip_icmp.c) */
	int64_t		is_icmp_last;		/* mono_ns() of the last refill */
	struct ipstat	is_ipstat;
	struct icmpstat	is_icmpstat;
	struct udpstat	is_udpstat;
	struct tcpstat	is_tcpstat;
	struct arpstat	is_arpstat;
};

int	inet_init(struct netstate *ns);		/* on first use */
void	inet_fini(struct netstate *ns);
extern const struct domain inetdomain;

/* IP input: m starts at the IP header; rcvif in the packet header. */
void	ip_input(struct mbuf *m);
/*
 * IP output: m starts at a struct ip whose ip_v, ip_hl, ip_tos, ip_ttl,
 * ip_p, ip_src and ip_dst the caller set (ip_src may be INADDR_ANY: the
 * route's interface address is used); ip_output sets length, id,
 * fragment fields and checksum, routes, fragments and sends.  m consumed.
 */
#define IP_FORWARDING		0x01
#define IP_ALLOWBROADCAST	0x02
#define IP_DONTFRAG		0x04
#define IP_ROUTETOIF		0x08	/* SO_DONTROUTE */
int	ip_output(struct netstate *ns, struct mbuf *m, int flags);
/* Source address the kernel would use toward dst (0 or an errno). */
int	in_selectsrc(struct netstate *ns, struct in_addr dst,
	    struct in_addr *src, struct ifnet **ifpp);
/* Is addr one of ours / a broadcast for ifp? */
bool	in_localaddr(struct netstate *ns, struct in_addr addr);
bool	in_broadcast(struct in_addr addr, struct ifnet *ifp);

/* Transport input entry points, m at the IP header, off = its length. */
void	icmp_input(struct mbuf *m, int off);
void	udp_input(struct mbuf *m, int off);
void	tcp_input(struct mbuf *m, int off);
void	rip_input(struct mbuf *m, int off);	/* raw sockets, any protocol */
/* Errors from ICMP to the transport: a PRC_* code for the inner header. */
#define PRC_UNREACH_PORT	1
#define PRC_UNREACH_HOST	2
#define PRC_UNREACH_NET		3
#define PRC_MSGSIZE		4
#define PRC_TIMXCEED		5
#define PRC_UNREACH_PROTO	6
/*
 * The inner header handed to *_ctlinput lies in one contiguous buffer
 * right after the 8-byte ICMP header (for PRC_MSGSIZE, the next-hop MTU
 * is in its last two bytes: ((const uint8_t *)inner)[-2..-1]).
 */
void	udp_ctlinput(struct netstate *ns, int cmd, const struct ip *inner,
	    size_t len);
void	tcp_ctlinput(struct netstate *ns, int cmd, const struct ip *inner,
	    size_t len);
/* Send an ICMP error about packet n (consumed) of the given type/code. */
void	icmp_error(struct mbuf *n, int type, int code, uint32_t dest_mtu);

/* Pseudo-header checksum start for TCP/UDP over [off, off + len). */
uint32_t in_pseudo(struct in_addr src, struct in_addr dst, uint8_t proto,
	    uint16_t len);

#endif

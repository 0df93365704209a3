/*
 * IPv4 internals shared by the files of netinet/ (not part of the
 * contract in in_var.h): the user-request functions the protocol switch
 * names, reassembly, raw delivery and a few helpers.  ns_lock held.
 */
#ifndef NETINET_IP_VAR_H
#define NETINET_IP_VAR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#include "sys/systm.h"

struct mbuf;
struct socket;
struct netstate;
struct ifnet;
struct in_ifaddr;
struct inet_state;
struct inpcbtable;

#define IP_DEFTTL	64
#define IP_MAXPACKET	65535
/* ICMP errors quote at most this much of the datagram (RFC 1812 4.3.2.3) */
#define ICMP_ERRLEN	576

static inline struct inet_state *
ns_inet(struct netstate *ns)
{
	return ns->ns_inet;
}

/* The netstate a packet belongs to (its kernel's). */
struct netstate *m_netstate(const struct mbuf *m);

/* in.c */
struct in_ifaddr *in_ifaddr_exact(struct netstate *ns, struct in_addr a);
bool	in_isloopback(struct netstate *ns, struct in_addr a);
/* addr is a broadcast address of any interface (or 255.255.255.255) */
bool	in_broadcast_any(struct netstate *ns, struct in_addr a);
bool	in_multicast_addr(struct in_addr a);
/* The outgoing interface and next hop toward dst (ENETUNREACH). */
int	in_route(struct netstate *ns, struct in_addr dst, struct ifnet **ifpp,
	    struct in_addr *nexthop);
/* Fill a sockaddr_in (all of it). */
void	in_sockaddr(struct sockaddr_in *sin, struct in_addr a, uint16_t port);
/* Validate a user's IPv4 address: EINVAL, EAFNOSUPPORT or 0. */
int	in_checksin(const struct sockaddr *nam, socklen_t len, bool unspec_ok);
/* IP-level socket options shared by UDP and raw sockets (and TCP). */
int	ip_ctloutput(int op, struct socket *so, int level, int name,
	    void *val, socklen_t *lenp);
/* A datagram from src:port onto so's receive buffer (false: full). */
bool	in_sbappend(struct socket *so, struct in_addr src, uint16_t port,
	    struct mbuf *m, struct mbuf *control);
/* ip_output's flags from a socket's options and pmtudisc. */
int	ip_sendflags(const struct socket *so);
/* Ancillary data for a received datagram (IP_RECVTTL ...), or NULL. */
struct mbuf *ip_savecontrol(struct socket *so, const struct ip *ip,
	    struct ifnet *rcvif);

/* ip_reass.c */
int	ipq_init(struct netstate *ns);
void	ipq_fini(struct netstate *ns);
/* A fragment (m at its IP header, hlen bytes): the whole datagram or NULL. */
struct mbuf *ip_reass(struct netstate *ns, struct mbuf *m, int hlen);
/* Limits (defaults: 4 MiB, 30 s) and use, for tests and statistics. */
void	ipq_setlimits(struct netstate *ns, size_t maxbytes, int64_t timeout_ns);
void	ipq_usage(struct netstate *ns, size_t *bytesp, unsigned *nqueuesp);

/* raw_ip.c: copies of a datagram for the raw sockets of its protocol */
bool	rip_deliver(struct netstate *ns, struct mbuf *m, int off);

/* ip_icmp.c: a datagram ARP could not deliver: host unreachable to its sender */
void	ip_unreach(struct mbuf *m);
/* ip_icmp.c: echo replies to ping sockets */
void	icmp_ping_input(struct netstate *ns, struct mbuf *m, int off);

/* udp_usrreq.c: a datagram socket's buffers and its pcb in table t */
int	in_dgram_attach(struct socket *so, struct inpcbtable *t,
	    size_t sndspace, size_t rcvspace);

/* user requests, named by the protocol switch in in_proto.c */
int	udp_attach(struct socket *so, int proto);
void	udp_detach(struct socket *so);
int	udp_bind(struct socket *so, const struct sockaddr *nam, socklen_t len);
int	udp_connect(struct socket *so, const struct sockaddr *nam,
	    socklen_t len);
int	udp_disconnect(struct socket *so);
int	udp_shutdown(struct socket *so);
void	udp_abort(struct socket *so);
int	udp_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
	    socklen_t namlen, struct mbuf *control, int flags);
int	in_sockaddr_req(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
int	in_peeraddr_req(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
int	in_ioctl(struct socket *so, unsigned long cmd, void *data);

int	rip_attach(struct socket *so, int proto);
int	rip_bind(struct socket *so, const struct sockaddr *nam, socklen_t len);
int	rip_connect(struct socket *so, const struct sockaddr *nam,
	    socklen_t len);
int	rip_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
	    socklen_t namlen, struct mbuf *control, int flags);
int	rip_ctloutput(int op, struct socket *so, int level, int name,
	    void *val, socklen_t *lenp);

int	ping_attach(struct socket *so, int proto);
int	ping_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
	    socklen_t namlen, struct mbuf *control, int flags);

#endif

/*
 * Internet protocol control blocks: the addresses and ports of a UDP, TCP
 * or raw socket, and the tables input uses to find them.  ns_lock held.
 */
#ifndef NETINET_IN_PCB_H
#define NETINET_IN_PCB_H

#include <sys/queue.h>
#include <netinet/in.h>

#include "sys/systm.h"
#include "sys/kauth.h"

struct socket;
struct netstate;

struct inpcb {
	LIST_ENTRY(inpcb) inp_hash;	/* by 4-tuple (connected) or lport */
	LIST_ENTRY(inpcb) inp_list;	/* every pcb of the table */
	struct inpcbtable *inp_table;
	struct socket	*inp_socket;	/* NULL for TCP in TIME_WAIT */
	void		*inp_ppcb;	/* the protocol's (struct tcpcb) */
	struct in_addr	inp_laddr, inp_faddr;
	uint16_t	inp_lport, inp_fport;	/* network byte order */
	uint8_t		inp_ttl, inp_tos;
	int		inp_flags;	/* INP_* */
	int		inp_ip_p;	/* raw: the protocol, 0 = any */
	uid_t		inp_uid;	/* for SO_REUSEPORT sharing */
	bool		inp_hashed, inp_connected;
	uint8_t		inp_pmtudisc;	/* IP_MTU_DISCOVER: IP_PMTUDISC_* */
};
#define INP_HDRINCL	0x01	/* raw: the caller supplies the IP header */
#define INP_RECVTTL	0x02
#define INP_RECVTOS	0x04
#define INP_PKTINFO	0x08
#define INP_RECVERR	0x10
#define INP_DONTFRAG	0x20	/* IP_MTU_DISCOVER DO */
#define INP_BOUNDADDR	0x40	/* laddr chosen by bind, not by connect */
#define INP_BOUNDPORT	0x80	/* lport chosen by bind (kept on unconnect) */
#define INP_PING	0x100	/* an ICMP datagram ("ping") socket */
#define INP_REUSEADDR	0x200	/* socketless (TCP's TIME_WAIT): its socket
				   had SO_REUSEADDR */

struct inpcbtable {
	LIST_HEAD(, inpcb) *it_connhash;	/* 4-tuple */
	LIST_HEAD(, inpcb) *it_porthash;	/* bound, not connected */
	unsigned	it_mask;
	LIST_HEAD(, inpcb) it_all;
	uint16_t	it_lastport;		/* ephemeral search */
	unsigned	it_count;
	struct netstate	*it_ns;
};

int	in_pcbtable_init(struct netstate *ns, struct inpcbtable **tp,
	    unsigned buckets);
void	in_pcbtable_fini(struct inpcbtable *t);
int	in_pcballoc(struct socket *so, struct inpcbtable *t);
void	in_pcbdetach(struct inpcb *inp);	/* unhash and free */
/* Bind (sin NULL or port 0: an ephemeral port 32768-60999). */
int	in_pcbbind(struct inpcb *inp, const struct sockaddr_in *sin,
	    kauth_cred_t cred);
/* Connect: choose a source address (route) and port if unbound. */
int	in_pcbconnect(struct inpcb *inp, const struct sockaddr_in *sin,
	    kauth_cred_t cred);
void	in_pcbdisconnect(struct inpcb *inp);
/* Exact 4-tuple match (connected pcbs). */
struct inpcb *in_pcblookup_connect(struct inpcbtable *t,
	    struct in_addr faddr, uint16_t fport,
	    struct in_addr laddr, uint16_t lport);
/* The best bound pcb for a local address and port (wildcards allowed). */
struct inpcb *in_pcblookup_bind(struct inpcbtable *t, struct in_addr laddr,
	    uint16_t lport);
void	in_pcbsetaddr(struct inpcb *inp, struct sockaddr_in *sin);
void	in_pcbsetpeer(struct inpcb *inp, struct sockaddr_in *sin);
/* Re-hash after laddr/faddr/ports changed. */
void	in_pcbrehash(struct inpcb *inp);

#define sotoinpcb(so)	((struct inpcb *)(so)->so_pcb)

#endif

/*
 * Listings for tools: every socket of a kernel (as ss shows them, TCP
 * connections in TIME_WAIT included) and the protocol counters (as
 * netstat -s shows them), through rump/rump_net.h.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include "sys/systm.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/unpcb.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_fsm.h"
#include "netinet/tcp_var.h"
#include "netinet/if_arp.h"
#include <rump/rump_net.h>

static const char *const tcpstates[TCP_NSTATES] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECV", "ESTAB", "CLOSE-WAIT",
	"FIN-WAIT-1", "CLOSING", "LAST-ACK", "FIN-WAIT-2", "TIME-WAIT",
};

static void
set_state(struct rump_sockinfo *si, const char *s)
{
	ksnprintf(si->state, sizeof(si->state), "%s", s);
}

static void
inet_addrs(struct inpcb *inp, struct rump_sockinfo *si)
{
	struct sockaddr_in *l = (void *)&si->local, *p = (void *)&si->peer;

	l->sin_family = AF_INET;
	l->sin_addr = inp->inp_laddr;
	l->sin_port = inp->inp_lport;
	si->locallen = sizeof(*l);
	if (inp->inp_fport != 0 || inp->inp_faddr.s_addr != 0) {
		p->sin_family = AF_INET;
		p->sin_addr = inp->inp_faddr;
		p->sin_port = inp->inp_fport;
		si->peerlen = sizeof(*p);
	}
}

static void
describe(struct socket *so, struct rump_sockinfo *si)
{
	int family = so->so_proto->pr_domain->dom_family;

	memset(si, 0, sizeof(*si));
	si->family = family;
	si->type = so->so_type;
	si->protocol = so->so_proto->pr_protocol;
	si->recvq = so->so_rcv.sb_cc;
	si->sendq = so->so_snd.sb_cc;
	si->pid = so->so_cpid;
	si->uid = so->so_cred != NULL ? so->so_cred->cr_euid : 0;
	if (so->so_options & SOO_ACCEPTCONN) {
		set_state(si, "LISTEN");
		si->recvq = (uint64_t)so->so_qlen;	/* as ss: the accept queue */
		si->sendq = (uint64_t)so->so_qlimit;
	} else if (so->so_state & SS_ISCONNECTED) {
		set_state(si, "ESTAB");
	} else if (so->so_state & SS_ISCONNECTING) {
		set_state(si, "SYN-SENT");
	} else {
		set_state(si, "UNCONN");
	}
	if (family == AF_INET && so->so_pcb != NULL) {
		struct inpcb *inp = sotoinpcb(so);

		inet_addrs(inp, si);
		if (so->so_type == SOCK_STREAM && inp->inp_ppcb != NULL) {
			struct tcpcb *tp = inp->inp_ppcb;

			if (tp->t_state >= 0 && tp->t_state < TCP_NSTATES)
				set_state(si, tcpstates[tp->t_state]);
		}
	} else if (family == AF_UNIX && so->so_pcb != NULL) {
		struct unpcb *unp = so->so_pcb;

		if (unp->unp_addrlen > 0 && unp->unp_addrlen <= sizeof(si->local)) {
			memcpy(&si->local, &unp->unp_addr, unp->unp_addrlen);
			si->locallen = unp->unp_addrlen;
		}
		if (unp->unp_conn != NULL && unp->unp_conn->unp_addrlen > 0 &&
		    unp->unp_conn->unp_addrlen <= sizeof(si->peer)) {
			memcpy(&si->peer, &unp->unp_conn->unp_addr,
			    unp->unp_conn->unp_addrlen);
			si->peerlen = unp->unp_conn->unp_addrlen;
		}
	}
}

int
rump_net_sockets(struct rump_kernel *k, struct rump_sockinfo *out,
    unsigned max, unsigned *np)
{
	struct netstate *ns = net_peek(k);
	struct socket *so;
	struct inpcb *inp;
	unsigned n = 0;

	*np = 0;
	if (ns == NULL)
		return 0;
	net_lock(ns);
	LIST_FOREACH(so, &ns->ns_socks->sl_head, so_all) {
		if (n < max)
			describe(so, &out[n]);
		n++;
	}
	/* connections that outlived their sockets (TIME_WAIT, orphans) */
	if (ns->ns_inet != NULL) {
		LIST_FOREACH(inp, &ns->ns_inet->is_tcbtable->it_all, inp_list) {
			struct tcpcb *tp = inp->inp_ppcb;

			if (inp->inp_socket != NULL)
				continue;
			if (n < max) {
				struct rump_sockinfo *si = &out[n];

				memset(si, 0, sizeof(*si));
				si->family = AF_INET;
				si->type = SOCK_STREAM;
				si->protocol = IPPROTO_TCP;
				inet_addrs(inp, si);
				set_state(si, tp != NULL && tp->t_state >= 0 &&
				    tp->t_state < TCP_NSTATES ?
				    tcpstates[tp->t_state] : "CLOSED");
				si->pid = -1;
			}
			n++;
		}
	}
	net_unlock(ns);
	*np = n;
	return 0;
}

/* ----------------------------------------------------------- counters */

#define C(proto, st, f)	{ proto, #f, offsetof(struct inet_state, st) + \
	offsetof(__typeof__(((struct inet_state *)0)->st), f) }

static const struct counter {
	const char	*proto;
	const char	*name;
	size_t		off;
} counters[] = {
	C("ip", is_ipstat, total), C("ip", is_ipstat, badsum),
	C("ip", is_ipstat, tooshort), C("ip", is_ipstat, toosmall),
	C("ip", is_ipstat, badhlen), C("ip", is_ipstat, badlen),
	C("ip", is_ipstat, badvers), C("ip", is_ipstat, fragments),
	C("ip", is_ipstat, fragdropped), C("ip", is_ipstat, fragtimeout),
	C("ip", is_ipstat, reassembled), C("ip", is_ipstat, noproto),
	C("ip", is_ipstat, delivered), C("ip", is_ipstat, localout),
	C("ip", is_ipstat, noroute), C("ip", is_ipstat, fragmented),
	C("ip", is_ipstat, cantfrag), C("ip", is_ipstat, odropped),
	C("ip", is_ipstat, forward_dropped), C("ip", is_ipstat, toolong),
	C("ip", is_ipstat, ofragments),
	C("icmp", is_icmpstat, inmsgs), C("icmp", is_icmpstat, inerrors),
	C("icmp", is_icmpstat, inechos), C("icmp", is_icmpstat, inechoreps),
	C("icmp", is_icmpstat, indestunreachs), C("icmp", is_icmpstat, intimeexcds),
	C("icmp", is_icmpstat, outmsgs), C("icmp", is_icmpstat, outechos),
	C("icmp", is_icmpstat, outechoreps), C("icmp", is_icmpstat, outdestunreachs),
	C("icmp", is_icmpstat, outtimeexcds), C("icmp", is_icmpstat, badsum),
	C("icmp", is_icmpstat, badlen), C("icmp", is_icmpstat, ratelimited),
	C("udp", is_udpstat, ipackets), C("udp", is_udpstat, hdrops),
	C("udp", is_udpstat, badsum), C("udp", is_udpstat, badlen),
	C("udp", is_udpstat, noport), C("udp", is_udpstat, noportbcast),
	C("udp", is_udpstat, fullsock), C("udp", is_udpstat, opackets),
	C("tcp", is_tcpstat, connattempt), C("tcp", is_tcpstat, accepts),
	C("tcp", is_tcpstat, connects), C("tcp", is_tcpstat, drops),
	C("tcp", is_tcpstat, conndrops), C("tcp", is_tcpstat, closed),
	C("tcp", is_tcpstat, segstimed), C("tcp", is_tcpstat, rttupdated),
	C("tcp", is_tcpstat, delack), C("tcp", is_tcpstat, timeoutdrop),
	C("tcp", is_tcpstat, rexmttimeo), C("tcp", is_tcpstat, persisttimeo),
	C("tcp", is_tcpstat, keeptimeo), C("tcp", is_tcpstat, keepprobe),
	C("tcp", is_tcpstat, keepdrops), C("tcp", is_tcpstat, sndtotal),
	C("tcp", is_tcpstat, sndpack), C("tcp", is_tcpstat, sndbyte),
	C("tcp", is_tcpstat, sndrexmitpack), C("tcp", is_tcpstat, sndrexmitbyte),
	C("tcp", is_tcpstat, sndacks), C("tcp", is_tcpstat, sndprobe),
	C("tcp", is_tcpstat, sndurg), C("tcp", is_tcpstat, sndwinup),
	C("tcp", is_tcpstat, sndctrl), C("tcp", is_tcpstat, rcvtotal),
	C("tcp", is_tcpstat, rcvpack), C("tcp", is_tcpstat, rcvbyte),
	C("tcp", is_tcpstat, rcvbadsum), C("tcp", is_tcpstat, rcvbadoff),
	C("tcp", is_tcpstat, rcvshort), C("tcp", is_tcpstat, rcvduppack),
	C("tcp", is_tcpstat, rcvdupbyte), C("tcp", is_tcpstat, rcvpartduppack),
	C("tcp", is_tcpstat, rcvoopack), C("tcp", is_tcpstat, rcvoobyte),
	C("tcp", is_tcpstat, rcvpackafterwin), C("tcp", is_tcpstat, rcvafterclose),
	C("tcp", is_tcpstat, rcvwinprobe), C("tcp", is_tcpstat, rcvdupack),
	C("tcp", is_tcpstat, rcvacktoomuch), C("tcp", is_tcpstat, rcvackpack),
	C("tcp", is_tcpstat, rcvackbyte), C("tcp", is_tcpstat, rcvwinupd),
	C("tcp", is_tcpstat, fastrexmit), C("tcp", is_tcpstat, sackrexmit),
	C("tcp", is_tcpstat, ecnce), C("tcp", is_tcpstat, listendrop),
	C("tcp", is_tcpstat, synflooddrop), C("tcp", is_tcpstat, badrst),
	C("tcp", is_tcpstat, challengeack), C("tcp", is_tcpstat, estabresets),
	C("tcp", is_tcpstat, outrsts), C("tcp", is_tcpstat, retransmitted_syn),
	C("tcp", is_tcpstat, pawsdrop),
};
#define NCOUNTERS	(sizeof(counters) / sizeof(counters[0]))

static const struct {
	const char	*name;
	size_t		off;
} arpcounters[] = {
	{ "txrequests", offsetof(struct arpstat, txrequests) },
	{ "txreplies", offsetof(struct arpstat, txreplies) },
	{ "rxrequests", offsetof(struct arpstat, rxrequests) },
	{ "rxreplies", offsetof(struct arpstat, rxreplies) },
	{ "received", offsetof(struct arpstat, received) },
	{ "dupips", offsetof(struct arpstat, dupips) },
	{ "timeouts", offsetof(struct arpstat, timeouts) },
	{ "dropped_noentry", offsetof(struct arpstat, dropped_noentry) },
	{ "held", offsetof(struct arpstat, held) },
};
#define NARP	(sizeof(arpcounters) / sizeof(arpcounters[0]))

static void
put(struct rump_netstat *out, unsigned max, unsigned *n, const char *proto,
    const char *name, uint64_t v)
{
	if (*n < max) {
		ksnprintf(out[*n].proto, sizeof(out[*n].proto), "%s", proto);
		ksnprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
		out[*n].value = v;
	}
	(*n)++;
}

int
rump_net_stats(struct rump_kernel *k, struct rump_netstat *out, unsigned max,
    unsigned *np)
{
	struct netstate *ns;
	const struct arpstat *as;
	unsigned n = 0;
	int error;

	if ((ns = net_get(k, &error)) == NULL)
		return error;
	net_lock(ns);
	for (size_t i = 0; i < NCOUNTERS; i++) {
		uint64_t v;

		memcpy(&v, (const char *)ns->ns_inet + counters[i].off, sizeof(v));
		put(out, max, &n, counters[i].proto, counters[i].name, v);
	}
	as = arp_stats(ns);
	for (size_t i = 0; i < NARP; i++) {
		uint64_t v;

		memcpy(&v, (const char *)as + arpcounters[i].off, sizeof(v));
		put(out, max, &n, "arp", arpcounters[i].name, v);
	}
	net_unlock(ns);
	*np = n;
	return 0;
}

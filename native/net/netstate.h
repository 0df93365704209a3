/*
 * A kernel's network state.  It exists from the first socket or interface
 * on (threads on demand: a kernel with files only runs no network code).
 *
 * Locking: one lock per kernel, ns_lock ("softnet"), covers every socket,
 * socket buffer, protocol control block, interface list, route and counter
 * of that kernel.  Sleepers wait on their socket's condition variables with
 * it.  Lock order: ns_lock, then k_sellock (wakeups), then nothing else.
 *
 * Loopback and other packets produced while the lock is held are queued on
 * ns_loopq and processed by net_unlock() before it releases the lock, in
 * the thread that produced them: a loopback round trip involves no thread
 * switch and no recursion into a protocol that is running.
 *
 * Timers (callouts) run on one thread per kernel, started on the first
 * callout_reset, with ns_lock held.
 */
#ifndef NET_NETSTATE_H
#define NET_NETSTATE_H

#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/mutex.h"

struct mbuf;
struct ifnet;
struct socket;
struct rumpuser_thread;

/* A timer.  Embed one, callout_init it, and reset/stop it under ns_lock. */
struct callout {
	int64_t		c_time;		/* mono_ns() deadline */
	void		(*c_func)(void *);
	void		*c_arg;
	int		c_index;	/* heap slot, -1 when not pending */
};

struct netstate {
	struct rump_kernel *ns_kernel;
	kmutex_t	ns_lock;
	struct lwp * _Atomic ns_owner;	/* who holds ns_lock (assertions) */

	/* deferred input: packets looped back while the lock was held */
	struct mbuf	*ns_loopq_head, *ns_loopq_tail;
	unsigned	ns_loopq_len;
	bool		ns_draining;

	/* callouts: a binary min-heap of pending timers */
	struct callout	**ns_callouts;
	int		ns_ncallouts, ns_callout_cap;
	kcondvar_t	ns_callout_cv;
	struct rumpuser_thread *ns_callout_thread;
	bool		ns_callout_running, ns_dying;
	struct lwp	*ns_callout_lwp;

	/* interfaces (net/if.c) */
	TAILQ_HEAD(, ifnet) ns_ifnet;
	unsigned	ns_nextindex;
	struct ifnet	*ns_loif;	/* lo0, always present */

	/* subsystem state, each owned by its folder */
	struct route_table *ns_rt;	/* net/route.c */
	struct unp_state *ns_unp;	/* net/uipc_usrreq.c: AF_UNIX names */
	struct inet_state *ns_inet;	/* netinet/: pcbs, ARP, reassembly, stats */
	struct sockstat_list *ns_socks;	/* net/uipc_socket.c: all sockets */
	struct arp_state *ns_arp;	/* netinet/if_arp.c: the ARP cache */

	/*
	 * Hooks from the link layer into IP, set by inet at its init (NULL:
	 * no IP yet: input is dropped and counted as noproto).
	 * ns_ip_input: a packet starting at its IP header, rcvif set.
	 * ns_ip_unreach: a packet ARP gave up on (consumed): the sender
	 * learns EHOSTUNREACH (icmp_error host unreachable, as BSD does).
	 */
	void		(*ns_ip_input)(struct mbuf *m);
	void		(*ns_ip_unreach)(struct mbuf *m);
};

/*
 * The kernel's network state, created on first use (ENOMEM), or NULL
 * with *errorp set.
 */
struct netstate *net_get(struct rump_kernel *k, int *errorp);
/* The existing state or NULL (no socket or interface was ever made). */
struct netstate *net_peek(struct rump_kernel *k);
/* Halt: detach interfaces, stop threads, free everything. */
void	net_fini(struct rump_kernel *k);

void	net_lock(struct netstate *ns);
/* Process queued loopback input, then release the lock. */
void	net_unlock(struct netstate *ns);
bool	net_locked(struct netstate *ns);	/* by the calling thread */
/* Sleep on cv with ns_lock; timeout_ns < 0 = forever. ETIMEDOUT or 0. */
int	net_sleep(struct netstate *ns, kcondvar_t *cv, int64_t timeout_ns);

/* Queue an inbound packet for processing before ns_lock is released. */
void	net_loop_enqueue(struct netstate *ns, struct ifnet *ifp, struct mbuf *m);

void	callout_init(struct callout *c, void (*func)(void *), void *arg);
/* (Re)arm c to fire delay_ns from now; ENOMEM only if the thread can't start. */
int	callout_reset(struct netstate *ns, struct callout *c, int64_t delay_ns);
void	callout_stop(struct netstate *ns, struct callout *c);
static inline bool
callout_pending(const struct callout *c)
{
	return c->c_index >= 0;
}

#endif

/*
 * Readiness: objects that can become readable or writable keep a selinfo;
 * poll and select record their waiter in it and sleep until notified.
 */
#ifndef SYS_SELINFO_H
#define SYS_SELINFO_H

#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/mutex.h"

struct pollctx;

struct selinfo {
	LIST_HEAD(, selwaiter) si_waiters;	/* under k_sellock */
};

/* One pollctx's interest in one selinfo. */
struct selwaiter {
	LIST_ENTRY(selwaiter) sw_list;
	struct pollctx	*sw_pc;
	struct selinfo	*sw_si;		/* NULL once the object went away */
};

/*
 * One poll or select call in progress, or one epoll registration (pc_wake
 * set: called instead of the broadcast, under k_sellock, with the events the
 * notifier names, 0 for any; it must not sleep or take k_sellock).
 */
struct pollctx {
	struct rump_kernel *pc_kernel;
	void		(*pc_wake)(struct pollctx *pc, int key);
	kcondvar_t	pc_cv;		/* with k_sellock */
	bool		pc_fired;	/* under k_sellock */
	struct selwaiter *pc_nodes;	/* one per selinfo recorded */
	int		pc_nnodes;
	int		pc_cap;
};

static inline void
selinit(struct selinfo *si)
{
	LIST_INIT(&si->si_waiters);
}

/* Wake every poller waiting on si. */
void	selnotify(struct rump_kernel *k, struct selinfo *si);
/* The same, naming the events that changed (epoll filters on them). */
void	selwakeup(struct rump_kernel *k, struct selinfo *si, int key);
/* The same with k_sellock held (a pc_wake callback passing it on). */
void	selwakeup_locked(struct selinfo *si, int key);
/* Register pc's interest in si (no-op when pc is NULL). */
void	selrecord(struct pollctx *pc, struct selinfo *si);
/* Detach every waiter from si (the object goes away). */
void	seldestroy(struct rump_kernel *k, struct selinfo *si);
/* Detach pc from every selinfo it recorded itself with. */
void	selremove(struct pollctx *pc);

#endif

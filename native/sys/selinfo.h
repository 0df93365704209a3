/*
 * Readiness: objects that can become readable or writable keep a selinfo;
 * poll and select record their waiter in it and sleep until notified.
 */
#ifndef SYS_SELINFO_H
#define SYS_SELINFO_H

#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/mutex.h"

struct selwaiter;

struct selinfo {
	LIST_HEAD(, selwaiter) si_waiters;	/* under k_sellock */
};

/* One poll or select call in progress. */
struct pollctx {
	struct rump_kernel *pc_kernel;
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
/* Register pc's interest in si (no-op when pc is NULL). */
void	selrecord(struct pollctx *pc, struct selinfo *si);
/* Detach every waiter from si (the object goes away). */
void	seldestroy(struct rump_kernel *k, struct selinfo *si);

#endif

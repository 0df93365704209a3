/* The kernel instance: every piece of kernel state hangs off it. */
#ifndef SYS_KERNEL_H
#define SYS_KERNEL_H

#include <sys/queue.h>
#include <sys/resource.h>

#include "sys/systm.h"
#include "sys/mutex.h"

LIST_HEAD(proclist, proc);
LIST_HEAD(lwplist, lwp);

struct rump_kernel {
	/* memory accounting (kern_kmem.c) */
	_Atomic uint64_t k_memused;
	_Atomic uint64_t k_memallocs;
	uint64_t	k_memlimit;

	kmutex_t	k_proclock;	/* everything below up to k_nextpid */
	struct proclist	k_allproc;
	struct proclist	*k_pidhash;	/* k_pidhashmask + 1 buckets */
	unsigned	k_pidhashmask;
	unsigned	k_nprocs;
	struct lwplist	k_alllwp;
	unsigned	k_nlwps;
	pid_t		k_nextpid;
	int		k_nextlid;

	struct proc	*k_initproc;	/* pid 1, lives until halt */
	struct rlimit	k_rlim0[RLIM_NLIMITS];	/* limits of pid 1 */

	char		k_hostname[65];
	int64_t		k_boottime_sec;
	long		k_boottime_nsec;

	rump_console_fn	k_console;
	void		*k_console_arg;
};

#define PID_MAX		4194304

#endif

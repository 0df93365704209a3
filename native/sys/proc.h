/* Processes and lwps (threads bound to a process of one kernel). */
#ifndef SYS_PROC_H
#define SYS_PROC_H

#include <sys/queue.h>
#include <sys/resource.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kauth.h"
#include "sys/mutex.h"

struct filedesc;

struct proc {
	struct rump_kernel *p_kernel;
	pid_t		p_pid;
	LIST_ENTRY(proc) p_list;	/* k_allproc */
	LIST_ENTRY(proc) p_hash;	/* k_pidhash */
	LIST_ENTRY(proc) p_sibling;	/* parent's p_children */
	struct proc	*p_pptr;	/* under k_proclock */
	struct proclist	p_children;	/* under k_proclock */
	struct lwplist	p_lwps;		/* under k_proclock */
	int		p_nlwps;

	kmutex_t	p_lock;		/* p_cred, p_umask, p_rlimit */
	kauth_cred_t	p_cred;
	mode_t		p_umask;
	struct rlimit	p_rlimit[RLIM_NLIMITS];

	struct filedesc	*p_fd;
	struct vnode	*p_cwd;		/* current directory, held; under VFS lock */
};

#define LW_IMPLICIT	0x01	/* made by rump_kernel_enter; freed on switch */
#define LW_NOSLEEP	0x02	/* an event loop: would-block calls give EAGAIN */

struct lwp {
	struct proc	*l_proc;
	int		l_lid;
	int		l_flag;
	/*
	 * Interruption (rump_lwproc_interrupt): the flag, and where the lwp
	 * sleeps now, under k_intrlock, so an interrupter can wake it.
	 */
	_Atomic int	l_intr;
	kcondvar_t	*l_sleepcv;
	kmutex_t	*l_sleepmtx;
	LIST_ENTRY(lwp)	l_sibling;	/* p_lwps */
	LIST_ENTRY(lwp)	l_list;		/* k_alllwp */
};

/* The calling thread's lwp (the one thread-local pointer of the kernel). */
extern _Thread_local struct lwp *rump_curlwp
    __attribute__((tls_model("initial-exec")));
#define curlwp		rump_curlwp
#define curproc		(curlwp->l_proc)

/* kern_proc.c */
int	proc_create(struct rump_kernel *k, struct proc *parent, int fdflags,
	    struct proc **pp);
void	proc_exit(struct proc *p);
struct proc *proc_find(struct rump_kernel *k, pid_t pid);	/* k_proclock held */
int	proc_init_table(struct rump_kernel *k);
void	proc_fini_table(struct rump_kernel *k);
rlim_t	proc_getlimit(struct proc *p, int which);

/* kern_lwp.c */
int	lwp_create(struct proc *p, int flags, struct lwp **lp);
void	lwp_free(struct lwp *l);
void	lwp_switch(struct lwp *l);
int	lwp_sleep(kcondvar_t *cv, kmutex_t *m, int64_t timeout_ns);
bool	lwp_interrupted(void);

#endif

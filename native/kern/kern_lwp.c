/*
 * lwps: the binding of a host thread to a process of a kernel.  A thread's
 * current lwp is the kernel's one thread-local pointer; everything else
 * is found from it.
 */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/filedesc.h"

_Thread_local struct lwp *rump_curlwp __attribute__((tls_model("initial-exec")));

/* Link a new lwp into p; k_proclock held. */
static void
lwp_attach_locked(struct proc *p, struct lwp *l)
{
	struct rump_kernel *k = p->p_kernel;

	l->l_proc = p;
	l->l_lid = ++k->k_nextlid;
	LIST_INSERT_HEAD(&p->p_lwps, l, l_sibling);
	LIST_INSERT_HEAD(&k->k_alllwp, l, l_list);
	p->p_nlwps++;
	k->k_nlwps++;
}

int
lwp_create(struct proc *p, int flags, struct lwp **lp)
{
	struct rump_kernel *k = p->p_kernel;
	struct lwp *l;

	if ((l = kmem_zalloc(k, sizeof(*l))) == NULL)
		return ENOMEM;
	l->l_flag = flags;
	mutex_enter(&k->k_proclock);
	lwp_attach_locked(p, l);
	mutex_exit(&k->k_proclock);
	*lp = l;
	return 0;
}

/* Free l; its process exits when l was its last lwp (pid 1 never does). */
void
lwp_free(struct lwp *l)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	bool last;

	mutex_enter(&k->k_proclock);
	LIST_REMOVE(l, l_sibling);
	LIST_REMOVE(l, l_list);
	last = --p->p_nlwps == 0 && p != k->k_initproc;
	k->k_nlwps--;
	mutex_exit(&k->k_proclock);
	if (curlwp == l)
		curlwp = NULL;
	kmem_free(k, l, sizeof(*l));
	if (last)
		proc_exit(p);
}

/* Make l current; an implicit lwp switched away from is freed. */
void
lwp_switch(struct lwp *l)
{
	struct lwp *old = curlwp;

	curlwp = l;
	if (old != NULL && old != l && (old->l_flag & LW_IMPLICIT))
		lwp_free(old);
}

/* An implicit lwp in k's pid 1 for the calling thread. */
static int
lwp_enter_implicit(struct rump_kernel *k)
{
	struct lwp *l;
	int error;

	if ((error = lwp_create(k->k_initproc, LW_IMPLICIT, &l)) != 0)
		return error;
	lwp_switch(l);
	return 0;
}

int
rump_kernel_enter(struct rump_kernel *k)
{
	struct lwp *l = curlwp;

	if (l != NULL && l->l_proc->p_kernel == k &&
	    (l->l_flag & LW_IMPLICIT))
		return 0;
	return lwp_enter_implicit(k);
}

void
rump_kernel_leave(void)
{
	lwp_switch(NULL);
}

struct rump_kernel *
rump_kernel_current(void)
{
	return curlwp != NULL ? curlwp->l_proc->p_kernel : NULL;
}

int
rump_lwproc_rfork(int flags)
{
	struct lwp *l = curlwp, *nl;
	struct proc *p;
	int error;

	if (l == NULL)
		return ENXIO;
	if ((flags & (RUMP_RFFDG | RUMP_RFCFDG)) == (RUMP_RFFDG | RUMP_RFCFDG) ||
	    (flags & ~(RUMP_RFFDG | RUMP_RFCFDG)) != 0)
		return EINVAL;
	if ((error = proc_create(l->l_proc->p_kernel, l->l_proc, flags, &p)))
		return error;
	if ((error = lwp_create(p, 0, &nl)) != 0) {
		proc_exit(p);
		return error;
	}
	lwp_switch(nl);
	return 0;
}

int
rump_lwproc_newlwp(pid_t pid)
{
	struct lwp *l = curlwp, *nl;
	struct rump_kernel *k;
	struct proc *p;

	if (l == NULL)
		return ENXIO;
	k = l->l_proc->p_kernel;
	/*
	 * Hold k_proclock from lookup through insertion so that the
	 * process cannot exit in between.
	 */
	if ((nl = kmem_zalloc(k, sizeof(*nl))) == NULL)
		return ENOMEM;
	mutex_enter(&k->k_proclock);
	if ((p = proc_find(k, pid)) == NULL) {
		mutex_exit(&k->k_proclock);
		kmem_free(k, nl, sizeof(*nl));
		return ESRCH;
	}
	lwp_attach_locked(p, nl);
	mutex_exit(&k->k_proclock);
	lwp_switch(nl);
	return 0;
}

void
rump_lwproc_switch(struct lwp *l)
{
	struct lwp *cur = curlwp;

	if (l == NULL) {
		if (cur != NULL && !(cur->l_flag & LW_IMPLICIT))
			(void)lwp_enter_implicit(cur->l_proc->p_kernel);
		return;
	}
	lwp_switch(l);
}

void
rump_lwproc_releaselwp(void)
{
	struct lwp *l = curlwp;

	if (l == NULL)
		return;
	curlwp = NULL;
	lwp_free(l);
}

int
rump_lwproc_execclose(void)
{
	struct lwp *l = curlwp;

	if (l == NULL)
		return ENXIO;
	fd_closeexec(l->l_proc);
	return 0;
}

void
rump_lwproc_nosleep(int on)
{
	struct lwp *l = curlwp;

	if (l == NULL)
		return;
	if (on)
		l->l_flag |= LW_NOSLEEP;
	else
		l->l_flag &= ~LW_NOSLEEP;
}

struct lwp *
rump_lwproc_curlwp(void)
{
	return curlwp;
}

pid_t
rump_lwproc_getpid(void)
{
	return curlwp != NULL ? curlwp->l_proc->p_pid : -1;
}

/* ------------------------------------------------------ interruption */

/*
 * Sleep on cv (m held) until woken, timeout_ns runs out (ETIMEDOUT; < 0:
 * none) or the lwp is interrupted (EINTR).  The lwp says where it sleeps
 * under k_intrlock, and looks at its flag with m held after saying so: an
 * interrupter that finds it registered broadcasts with m held, so the
 * wake-up cannot fall between the look and the sleep.
 */
int
lwp_sleep(kcondvar_t *cv, kmutex_t *m, int64_t timeout_ns)
{
	struct lwp *l = curlwp;
	struct rump_kernel *k;
	int error = 0;

	if (l == NULL) {
		if (timeout_ns < 0) {
			cv_wait(cv, m);
			return 0;
		}
		return rumpuser_cv_timedwait(cv->cv, m->mtx,
		    timeout_ns / 1000000000, timeout_ns % 1000000000);
	}
	k = l->l_proc->p_kernel;
	mutex_enter(&k->k_intrlock);
	l->l_sleepcv = cv;
	l->l_sleepmtx = m;
	mutex_exit(&k->k_intrlock);
	if (atomic_load(&l->l_intr))
		error = EINTR;
	else if (timeout_ns < 0)
		cv_wait(cv, m);
	else
		error = rumpuser_cv_timedwait(cv->cv, m->mtx,
		    timeout_ns / 1000000000, timeout_ns % 1000000000);
	mutex_enter(&k->k_intrlock);
	l->l_sleepcv = NULL;
	l->l_sleepmtx = NULL;
	mutex_exit(&k->k_intrlock);
	if (error == 0 && atomic_load(&l->l_intr))
		error = EINTR;
	return error;
}

bool
lwp_interrupted(void)
{
	struct lwp *l = curlwp;

	return l != NULL && atomic_load(&l->l_intr) != 0;
}

/*
 * Make l's sleeps fail with EINTR until it clears the flag.  The sleep's
 * own lock is only tried: its holder may be registering (which takes
 * k_intrlock after it), and will see the flag.
 */
int
rump_lwproc_interrupt(struct lwp *l)
{
	struct rump_kernel *k;

	if (l == NULL)
		return EINVAL;
	k = l->l_proc->p_kernel;
	atomic_store(&l->l_intr, 1);
	for (;;) {
		kcondvar_t *cv;
		kmutex_t *m;

		mutex_enter(&k->k_intrlock);
		cv = l->l_sleepcv;
		m = l->l_sleepmtx;
		if (cv == NULL) {
			mutex_exit(&k->k_intrlock);
			return 0;
		}
		if (mutex_tryenter(m)) {
			cv_broadcast(cv);
			mutex_exit(m);
			mutex_exit(&k->k_intrlock);
			return 0;
		}
		mutex_exit(&k->k_intrlock);
		rumpuser_yield();
	}
}

void
rump_lwproc_clearintr(void)
{
	struct lwp *l = curlwp;

	if (l != NULL)
		atomic_store(&l->l_intr, 0);
}

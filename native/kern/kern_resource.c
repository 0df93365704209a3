/* Resource limits: getrlimit, setrlimit, prlimit64. */
#include "sys/systm.h"
#include "sys/kauth.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "gen/syscallargs.h"

#define NR_OPEN_MAX	1048576		/* Linux's default fs.nr_open */

/* May the caller's credential change target's limits?  (Linux's rule.) */
static bool
may_prlimit(kauth_cred_t cr, kauth_cred_t tcr)
{
	if (kauth_cred_privileged(cr))
		return true;
	return cr->cr_uid == tcr->cr_euid && cr->cr_uid == tcr->cr_svuid &&
	    cr->cr_uid == tcr->cr_uid && cr->cr_gid == tcr->cr_egid &&
	    cr->cr_gid == tcr->cr_svgid && cr->cr_gid == tcr->cr_gid;
}

/*
 * Read and optionally replace limit `which` of process p (p_lock held).
 * priv: the caller may raise hard limits.
 */
static int
rlimit_swap(struct proc *p, int which, const struct rlimit *nl,
    struct rlimit *ol, bool priv)
{
	struct rlimit *cur = &p->p_rlimit[which];

	if (nl != NULL) {
		if (nl->rlim_cur > nl->rlim_max)
			return EINVAL;
		if (nl->rlim_max > cur->rlim_max && !priv)
			return EPERM;
		if (which == RLIMIT_NOFILE && nl->rlim_max > NR_OPEN_MAX)
			return EPERM;
	}
	if (ol != NULL)
		*ol = *cur;
	if (nl != NULL)
		*cur = *nl;
	return 0;
}

static int
do_prlimit(struct lwp *l, pid_t pid, int which, const struct rlimit *unl,
    struct rlimit *uol)
{
	struct proc *p = l->l_proc, *tp;
	struct rump_kernel *k = p->p_kernel;
	struct rlimit nl, ol;
	kauth_cred_t cr;
	bool priv;
	int error;

	if (which < 0 || which >= RLIM_NLIMITS)
		return EINVAL;
	if (unl != NULL && (error = copyin(unl, &nl, sizeof(nl))) != 0)
		return error;
	cr = kauth_cred_get_proc(p);
	priv = kauth_cred_privileged(cr);
	mutex_enter(&k->k_proclock);
	tp = pid == 0 ? p : pid > 0 ? proc_find(k, pid) : NULL;
	if (tp == NULL) {
		error = ESRCH;
	} else {
		mutex_enter(&tp->p_lock);
		if (tp != p && !may_prlimit(cr, tp->p_cred))
			error = EPERM;
		else
			error = rlimit_swap(tp, which, unl ? &nl : NULL, &ol,
			    priv);
		mutex_exit(&tp->p_lock);
	}
	mutex_exit(&k->k_proclock);
	kauth_cred_free(k, cr);
	if (error == 0 && uol != NULL)
		error = copyout(&ol, uol, sizeof(ol));
	return error;
}

int
sys_getrlimit(struct lwp *l, const struct sys_getrlimit_args *uap,
    register_t *retval)
{
	(void)retval;
	if (SCARG(uap, rlim) == NULL)
		return EFAULT;
	return do_prlimit(l, 0, SCARG(uap, resource), NULL, SCARG(uap, rlim));
}

int
sys_setrlimit(struct lwp *l, const struct sys_setrlimit_args *uap,
    register_t *retval)
{
	(void)retval;
	if (SCARG(uap, rlim) == NULL)
		return EFAULT;
	return do_prlimit(l, 0, SCARG(uap, resource), SCARG(uap, rlim), NULL);
}

int
sys_prlimit64(struct lwp *l, const struct sys_prlimit64_args *uap,
    register_t *retval)
{
	(void)retval;
	return do_prlimit(l, SCARG(uap, pid), SCARG(uap, resource),
	    SCARG(uap, new_limit), SCARG(uap, old_limit));
}

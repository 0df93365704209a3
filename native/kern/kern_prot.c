/*
 * Process identity: pids, user and group ids, supplementary groups, umask,
 * with Linux's rules for who may change what.
 */
#include "sys/systm.h"
#include "sys/kauth.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "gen/syscallargs.h"

#define NOID	((uid_t)-1)

int
sys_getpid(struct lwp *l, const void *uap, register_t *retval)
{
	(void)uap;
	*retval = l->l_proc->p_pid;
	return 0;
}

int
sys_getppid(struct lwp *l, const void *uap, register_t *retval)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;

	(void)uap;
	mutex_enter(&k->k_proclock);
	*retval = p->p_pptr != NULL ? p->p_pptr->p_pid : 0;
	mutex_exit(&k->k_proclock);
	return 0;
}

/* One field of the current credential. */
#define GETID(name, field)						\
int									\
sys_##name(struct lwp *l, const void *uap, register_t *retval)		\
{									\
	struct proc *p = l->l_proc;					\
									\
	(void)uap;							\
	mutex_enter(&p->p_lock);					\
	*retval = p->p_cred->field;					\
	mutex_exit(&p->p_lock);						\
	return 0;							\
}
GETID(getuid, cr_uid)
GETID(geteuid, cr_euid)
GETID(getgid, cr_gid)
GETID(getegid, cr_egid)

static int
put_ids(uint32_t a, uint32_t b, uint32_t c, uint32_t *pa, uint32_t *pb,
    uint32_t *pc)
{
	int error;

	if ((error = copyout(&a, pa, sizeof(a))) != 0 ||
	    (error = copyout(&b, pb, sizeof(b))) != 0 ||
	    (error = copyout(&c, pc, sizeof(c))) != 0)
		return error;
	return 0;
}

int
sys_getresuid(struct lwp *l, const struct sys_getresuid_args *uap,
    register_t *retval)
{
	kauth_cred_t cr = kauth_cred_get_proc(l->l_proc);
	int error;

	(void)retval;
	error = put_ids(cr->cr_uid, cr->cr_euid, cr->cr_svuid,
	    SCARG(uap, ruid), SCARG(uap, euid), SCARG(uap, suid));
	kauth_cred_free(l->l_proc->p_kernel, cr);
	return error;
}

int
sys_getresgid(struct lwp *l, const struct sys_getresgid_args *uap,
    register_t *retval)
{
	kauth_cred_t cr = kauth_cred_get_proc(l->l_proc);
	int error;

	(void)retval;
	error = put_ids(cr->cr_gid, cr->cr_egid, cr->cr_svgid,
	    SCARG(uap, rgid), SCARG(uap, egid), SCARG(uap, sgid));
	kauth_cred_free(l->l_proc->p_kernel, cr);
	return error;
}

/*
 * The one place ids change.  Each of r, e, s is a new id or NOID for "keep";
 * an unprivileged caller may only pick among its current real, effective
 * and saved ids.  The file-system id follows the effective id.
 */
struct idset {
	uint32_t r, e, s;
};

static bool
id_allowed(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == NOID || id == r || id == e || id == s;
}

static int
change_ids(struct lwp *l, bool gid, struct idset want)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	kauth_cred_t cr, ncr;
	uint32_t *r, *e, *s, *fs;

	cr = kauth_cred_get_proc(p);
	if (!kauth_cred_privileged(cr)) {
		uint32_t cr_r = gid ? cr->cr_gid : cr->cr_uid;
		uint32_t cr_e = gid ? cr->cr_egid : cr->cr_euid;
		uint32_t cr_s = gid ? cr->cr_svgid : cr->cr_svuid;

		if (!id_allowed(want.r, cr_r, cr_e, cr_s) ||
		    !id_allowed(want.e, cr_r, cr_e, cr_s) ||
		    !id_allowed(want.s, cr_r, cr_e, cr_s)) {
			kauth_cred_free(k, cr);
			return EPERM;
		}
	}
	ncr = kauth_cred_dup(k, cr);
	kauth_cred_free(k, cr);
	if (ncr == NULL)
		return ENOMEM;
	r = gid ? &ncr->cr_gid : &ncr->cr_uid;
	e = gid ? &ncr->cr_egid : &ncr->cr_euid;
	s = gid ? &ncr->cr_svgid : &ncr->cr_svuid;
	fs = gid ? &ncr->cr_fsgid : &ncr->cr_fsuid;
	if (want.r != NOID)
		*r = want.r;
	if (want.e != NOID)
		*e = want.e;
	if (want.s != NOID)
		*s = want.s;
	*fs = *e;
	kauth_cred_set_proc(p, ncr);
	return 0;
}

/* setuid/setgid: privileged callers set all three, others the effective. */
static int
do_setid(struct lwp *l, bool gid, uint32_t id)
{
	kauth_cred_t cr;
	bool priv;
	uint32_t r, s;

	if (id == NOID)
		return EINVAL;
	cr = kauth_cred_get_proc(l->l_proc);
	priv = kauth_cred_privileged(cr);
	r = gid ? cr->cr_gid : cr->cr_uid;
	s = gid ? cr->cr_svgid : cr->cr_svuid;
	kauth_cred_free(l->l_proc->p_kernel, cr);
	if (priv)
		return change_ids(l, gid, (struct idset){ id, id, id });
	if (id != r && id != s)
		return EPERM;
	return change_ids(l, gid, (struct idset){ NOID, id, NOID });
}

/*
 * setreuid/setregid: the real id may become the real or effective one;
 * the effective id any of the three.  The saved id becomes the new
 * effective id when the real id is set or the effective id moves away
 * from the old real id.
 */
static int
do_setreid(struct lwp *l, bool gid, uint32_t nr, uint32_t ne)
{
	kauth_cred_t cr = kauth_cred_get_proc(l->l_proc);
	uint32_t r = gid ? cr->cr_gid : cr->cr_uid;
	uint32_t e = gid ? cr->cr_egid : cr->cr_euid;
	bool priv = kauth_cred_privileged(cr);
	struct idset want = { nr, ne, NOID };

	kauth_cred_free(l->l_proc->p_kernel, cr);
	if (!priv && nr != NOID && nr != r && nr != e)
		return EPERM;
	if (nr != NOID || (ne != NOID && ne != r))
		want.s = ne != NOID ? ne : e;
	return change_ids(l, gid, want);
}

int
sys_setuid(struct lwp *l, const struct sys_setuid_args *uap,
    register_t *retval)
{
	(void)retval;
	return do_setid(l, false, SCARG(uap, uid));
}

int
sys_setgid(struct lwp *l, const struct sys_setgid_args *uap,
    register_t *retval)
{
	(void)retval;
	return do_setid(l, true, SCARG(uap, gid));
}

int
sys_setreuid(struct lwp *l, const struct sys_setreuid_args *uap,
    register_t *retval)
{
	(void)retval;
	return do_setreid(l, false, SCARG(uap, ruid), SCARG(uap, euid));
}

int
sys_setregid(struct lwp *l, const struct sys_setregid_args *uap,
    register_t *retval)
{
	(void)retval;
	return do_setreid(l, true, SCARG(uap, rgid), SCARG(uap, egid));
}

int
sys_setresuid(struct lwp *l, const struct sys_setresuid_args *uap,
    register_t *retval)
{
	(void)retval;
	return change_ids(l, false, (struct idset){ SCARG(uap, ruid),
	    SCARG(uap, euid), SCARG(uap, suid) });
}

int
sys_setresgid(struct lwp *l, const struct sys_setresgid_args *uap,
    register_t *retval)
{
	(void)retval;
	return change_ids(l, true, (struct idset){ SCARG(uap, rgid),
	    SCARG(uap, egid), SCARG(uap, sgid) });
}

int
sys_getgroups(struct lwp *l, const struct sys_getgroups_args *uap,
    register_t *retval)
{
	kauth_cred_t cr = kauth_cred_get_proc(l->l_proc);
	int size = SCARG(uap, size), error = 0;

	if (size < 0)
		error = EINVAL;
	else if (size == 0)
		*retval = cr->cr_ngroups;
	else if (size < cr->cr_ngroups)
		error = EINVAL;
	else if ((error = copyout(cr->cr_groups, SCARG(uap, list),
	    (size_t)cr->cr_ngroups * sizeof(gid_t))) == 0)
		*retval = cr->cr_ngroups;
	kauth_cred_free(l->l_proc->p_kernel, cr);
	return error;
}

int
sys_setgroups(struct lwp *l, const struct sys_setgroups_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	int size = SCARG(uap, size), error;
	kauth_cred_t cr, ncr;
	gid_t *g = NULL;

	(void)retval;
	if (size < 0 || size > KAUTH_NGROUPS_MAX)
		return EINVAL;
	cr = kauth_cred_get_proc(p);
	if (!kauth_cred_privileged(cr)) {
		kauth_cred_free(k, cr);
		return EPERM;
	}
	ncr = kauth_cred_dup(k, cr);
	kauth_cred_free(k, cr);
	if (ncr == NULL)
		return ENOMEM;
	if (size > 0 && (g = kmem_alloc(k, (size_t)size * sizeof(*g))) == NULL) {
		kauth_cred_free(k, ncr);
		return ENOMEM;
	}
	error = copyin(SCARG(uap, list), g, (size_t)size * sizeof(*g));
	if (error == 0)
		error = kauth_cred_setgroups(k, ncr, g, size);
	kmem_free(k, g, (size_t)size * sizeof(*g));
	if (error != 0) {
		kauth_cred_free(k, ncr);
		return error;
	}
	kauth_cred_set_proc(p, ncr);
	return 0;
}

int
sys_umask(struct lwp *l, const struct sys_umask_args *uap, register_t *retval)
{
	struct proc *p = l->l_proc;

	mutex_enter(&p->p_lock);
	*retval = p->p_umask;
	p->p_umask = SCARG(uap, mask) & 0777;
	mutex_exit(&p->p_lock);
	return 0;
}

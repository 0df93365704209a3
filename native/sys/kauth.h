/*
 * Credentials.  A credential is shared by reference and never changed
 * once shared: changing a process's identity installs a modified copy.
 */
#ifndef SYS_KAUTH_H
#define SYS_KAUTH_H

#include "sys/systm.h"

#define KAUTH_NGROUPS_MAX	65536

typedef struct kauth_cred {
	_Atomic int	cr_refcnt;
	uid_t		cr_uid, cr_euid, cr_svuid, cr_fsuid;
	gid_t		cr_gid, cr_egid, cr_svgid, cr_fsgid;
	int		cr_ngroups;
	gid_t		*cr_groups;	/* sorted ascending, as Linux keeps them */
} *kauth_cred_t;

kauth_cred_t kauth_cred_alloc(struct rump_kernel *k);	/* root, no groups */
kauth_cred_t kauth_cred_dup(struct rump_kernel *k, kauth_cred_t cr);
void	kauth_cred_hold(kauth_cred_t cr);
void	kauth_cred_free(struct rump_kernel *k, kauth_cred_t cr);
int	kauth_cred_setgroups(struct rump_kernel *k, kauth_cred_t cr,
	    const gid_t *groups, int ngroups);
bool	kauth_cred_groupmember(kauth_cred_t cr, gid_t gid);
/* The capability model: an effective uid of 0 holds every capability. */
bool	kauth_cred_privileged(kauth_cred_t cr);

/* The credential of process p, held; release with kauth_cred_free. */
kauth_cred_t kauth_cred_get_proc(struct proc *p);
/* Install cr as p's credential (takes over the caller's reference). */
void	kauth_cred_set_proc(struct proc *p, kauth_cred_t cr);

#endif

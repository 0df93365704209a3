/* Credentials: reference-counted, copied on change. */
#include "sys/systm.h"
#include "sys/kauth.h"
#include "sys/kmem.h"
#include "sys/proc.h"

kauth_cred_t
kauth_cred_alloc(struct rump_kernel *k)
{
	kauth_cred_t cr = kmem_zalloc(k, sizeof(*cr));

	if (cr != NULL)
		atomic_init(&cr->cr_refcnt, 1);
	return cr;
}

kauth_cred_t
kauth_cred_dup(struct rump_kernel *k, kauth_cred_t src)
{
	kauth_cred_t cr = kauth_cred_alloc(k);

	if (cr == NULL)
		return NULL;
	cr->cr_uid = src->cr_uid;
	cr->cr_euid = src->cr_euid;
	cr->cr_svuid = src->cr_svuid;
	cr->cr_fsuid = src->cr_fsuid;
	cr->cr_gid = src->cr_gid;
	cr->cr_egid = src->cr_egid;
	cr->cr_svgid = src->cr_svgid;
	cr->cr_fsgid = src->cr_fsgid;
	if (kauth_cred_setgroups(k, cr, src->cr_groups, src->cr_ngroups) != 0) {
		kauth_cred_free(k, cr);
		return NULL;
	}
	return cr;
}

void
kauth_cred_hold(kauth_cred_t cr)
{
	atomic_fetch_add_explicit(&cr->cr_refcnt, 1, memory_order_relaxed);
}

void
kauth_cred_free(struct rump_kernel *k, kauth_cred_t cr)
{
	if (atomic_fetch_sub_explicit(&cr->cr_refcnt, 1,
	    memory_order_acq_rel) != 1)
		return;
	kmem_free(k, cr->cr_groups, (size_t)cr->cr_ngroups * sizeof(gid_t));
	kmem_free(k, cr, sizeof(*cr));
}

/* Sorted ascending: Linux sorts the supplementary groups it is given. */
static void
sort_gids(gid_t *g, int n)
{
	for (int i = 1; i < n; i++) {
		gid_t v = g[i];
		int j = i;

		while (j > 0 && g[j - 1] > v) {
			g[j] = g[j - 1];
			j--;
		}
		g[j] = v;
	}
}

int
kauth_cred_setgroups(struct rump_kernel *k, kauth_cred_t cr,
    const gid_t *groups, int ngroups)
{
	gid_t *g = NULL;

	if (ngroups < 0 || ngroups > KAUTH_NGROUPS_MAX)
		return EINVAL;
	if (ngroups > 0) {
		g = kmem_alloc(k, (size_t)ngroups * sizeof(gid_t));
		if (g == NULL)
			return ENOMEM;
		memcpy(g, groups, (size_t)ngroups * sizeof(gid_t));
		sort_gids(g, ngroups);
	}
	kmem_free(k, cr->cr_groups, (size_t)cr->cr_ngroups * sizeof(gid_t));
	cr->cr_groups = g;
	cr->cr_ngroups = ngroups;
	return 0;
}

bool
kauth_cred_groupmember(kauth_cred_t cr, gid_t gid)
{
	int lo = 0, hi = cr->cr_ngroups - 1;

	if (cr->cr_fsgid == gid)
		return true;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (cr->cr_groups[mid] == gid)
			return true;
		if (cr->cr_groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

bool
kauth_cred_privileged(kauth_cred_t cr)
{
	return cr->cr_euid == 0;
}

kauth_cred_t
kauth_cred_get_proc(struct proc *p)
{
	kauth_cred_t cr;

	mutex_enter(&p->p_lock);
	cr = p->p_cred;
	kauth_cred_hold(cr);
	mutex_exit(&p->p_lock);
	return cr;
}

void
kauth_cred_set_proc(struct proc *p, kauth_cred_t cr)
{
	kauth_cred_t old;

	mutex_enter(&p->p_lock);
	old = p->p_cred;
	p->p_cred = cr;
	mutex_exit(&p->p_lock);
	kauth_cred_free(p->p_kernel, old);
}

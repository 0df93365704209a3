/* Each process's current directory. */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "sys/vnode.h"

/* A new process starts where its parent is (pid 1: at the root). */
int
cwd_init(struct proc *p, struct proc *parent)
{
	struct rump_kernel *k = p->p_kernel;

	vfs_enter(k);
	if (parent != NULL) {
		p->p_cwd = parent->p_cwd;
		if (p->p_cwd != NULL)
			vref(p->p_cwd);
	} else
		p->p_cwd = k->k_rootvnode != NULL ? vfs_root_get(k) : NULL;
	vfs_exit(k);
	return 0;
}

void
cwd_free(struct proc *p)
{
	struct rump_kernel *k = p->p_kernel;

	if (p->p_cwd == NULL)
		return;
	vfs_enter(k);
	vrele(p->p_cwd);
	p->p_cwd = NULL;
	vfs_exit(k);
}

struct vnode *
cwd_get(struct proc *p)
{
	if (p->p_cwd == NULL)
		return vfs_root_get(p->p_kernel);
	vref(p->p_cwd);
	return p->p_cwd;
}

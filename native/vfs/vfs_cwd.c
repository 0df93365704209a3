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
	p->p_cwd = parent != NULL ? parent->p_cwd : k->k_rootvnode;
	if (p->p_cwd != NULL)
		vref(p->p_cwd);
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
	struct vnode *vp = p->p_cwd != NULL ? p->p_cwd :
	    p->p_kernel->k_rootvnode;

	vref(vp);
	return vp;
}

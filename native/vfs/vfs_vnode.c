/* Vnode references.  Callers hold the VFS lock. */
#include "sys/systm.h"
#include "sys/vnode.h"

void
vnode_init(struct vnode *vp, struct mount *mp, const struct vnodeops *ops,
    enum vtype type, void *data)
{
	memset(vp, 0, sizeof(*vp));
	vp->v_mount = mp;
	vp->v_op = ops;
	vp->v_type = type;
	vp->v_data = data;
}

void
vref(struct vnode *vp)
{
	if (vp->v_usecount++ == 0)
		vp->v_mount->mnt_active++;
}

/* Drop a reference; the last one lets the file system reclaim the node. */
void
vrele(struct vnode *vp)
{
	KASSERT(vp->v_usecount > 0);
	if (--vp->v_usecount > 0)
		return;
	vp->v_mount->mnt_active--;
	if (vp->v_op->vop_inactive != NULL)
		vp->v_op->vop_inactive(vp);
}

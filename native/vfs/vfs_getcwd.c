/*
 * getcwd(2): the current directory's path, found by walking up through ".."
 * and looking for each directory's name among its parent's entries.
 */
#include <limits.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "sys/vnode.h"
#include "gen/syscallargs.h"

struct findname {
	ino_t	ino;
	char	name[NAME_MAX + 1];
	size_t	len;
	bool	found;
};

static int
match_ino(void *arg, const struct vdirent *de)
{
	struct findname *fn = arg;

	if (de->d_ino != fn->ino || (de->d_namlen == 1 && de->d_name[0] == '.') ||
	    (de->d_namlen == 2 && de->d_name[0] == '.' && de->d_name[1] == '.'))
		return 0;
	memcpy(fn->name, de->d_name, de->d_namlen);
	fn->len = de->d_namlen;
	fn->found = true;
	return 1;
}

int
sys_getcwd(struct lwp *l, const struct sys_getcwd_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	char path[PATH_MAX];
	size_t pos = sizeof(path) - 1, len;
	struct vnode *vp, *up;
	struct vattr va;
	int error = 0;

	path[pos] = '\0';
	vfs_enter(k);
	vp = cwd_get(l->l_proc);
	if (vp->v_op->vop_getattr(vp, &va) != 0 || va.va_nlink == 0) {
		error = ENOENT;		/* removed */
		goto out;
	}
	while (vp != k->k_rootvnode) {
		struct findname fn;
		off_t off = 0;

		/* a mounted root is named by the directory it covers */
		while ((vp->v_flag & VV_ROOT) && vp->v_mount->mnt_vnodecovered &&
		    vp != k->k_rootvnode) {
			up = vp->v_mount->mnt_vnodecovered;
			vref(up);
			vrele(vp);
			vp = up;
		}
		if (vp == k->k_rootvnode)
			break;
		if ((error = vp->v_op->vop_getattr(vp, &va)) != 0 ||
		    (error = vp->v_op->vop_lookup(vp, "..", 2, &up)) != 0)
			goto out;
		fn.ino = va.va_fileid;
		fn.found = false;
		error = up->v_op->vop_readdir(up, &off, match_ino, &fn);
		vrele(vp);
		vp = up;
		if (error == 0 && !fn.found)
			error = ENOENT;
		if (error != 0)
			goto out;
		if (fn.len + 1 > pos) {
			error = ENAMETOOLONG;
			goto out;
		}
		pos -= fn.len;
		memcpy(path + pos, fn.name, fn.len);
		path[--pos] = '/';
	}
	if (pos == sizeof(path) - 1)
		path[--pos] = '/';
	len = sizeof(path) - pos;	/* with the NUL */
	if (len > SCARG(uap, size))
		error = ERANGE;
	else if ((error = copyout(path + pos, SCARG(uap, buf), len)) == 0)
		*retval = (long)len;
out:
	vrele(vp);
	vfs_exit(k);
	return error;
}

/*
 * Mounts: the root file system of a kernel, mount(2) and umount2(2),
 * statfs(2), and the VFS's setup and teardown.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#define ST_VALID	0x0020	/* Linux: f_flags is meaningful (no header names it) */
#include <sys/sysmacros.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/vnode.h"
#include "gen/syscallargs.h"

/* What MS_REMOUNT may change. */
#define MS_REMOUNT_FLAGS	(MS_RDONLY | MS_NOATIME | MS_NODIRATIME | \
	MS_STRICTATIME)

extern const struct vfsops tmpfs_vfsops;
extern const struct vfsops ext2fs_vfsops;

static const struct vfsops *const vfs_list[] = {
	&tmpfs_vfsops,
	&ext2fs_vfsops,
};

const struct vfsops *
vfs_getops(const char *name)
{
	for (size_t i = 0; i < sizeof(vfs_list) / sizeof(vfs_list[0]); i++)
		if (strcmp(vfs_list[i]->vfs_name, name) == 0)
			return vfs_list[i];
	return NULL;
}

/* Mount a new file system of type ops; covered is NULL for the root. */
static int
vfs_domount(struct rump_kernel *k, const struct vfsops *ops,
    struct vnode *covered, unsigned long flags, const char *source,
    const char *data, struct mount **mpp)
{
	struct mount *mp;
	struct vnode *root;
	int error;

	if ((mp = kmem_zalloc(k, sizeof(*mp))) == NULL)
		return ENOMEM;
	mp->mnt_kernel = k;
	mp->mnt_op = ops;
	mp->mnt_flag = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
	    MS_NOATIME | MS_NODIRATIME | MS_STRICTATIME | MS_SYNCHRONOUS);
	mp->mnt_dev = makedev(0, k->k_nextdev++);
	if ((error = ops->vfs_mount(mp, source, data)) != 0) {
		kmem_free(k, mp, sizeof(*mp));
		return error;
	}
	root = ops->vfs_root(mp);
	root->v_flag |= VV_ROOT;
	if (covered != NULL) {
		vref(covered);
		mp->mnt_vnodecovered = covered;
		covered->v_mountedhere = mp;
	}
	TAILQ_INSERT_TAIL(&k->k_mounts, mp, mnt_list);
	*mpp = mp;
	return 0;
}

/* Unmount mp unless something in it is in use. */
static int
vfs_dounmount(struct mount *mp, bool force)
{
	struct rump_kernel *k = mp->mnt_kernel;
	struct vnode *root = mp->mnt_op->vfs_root(mp);
	struct vnode *covered = mp->mnt_vnodecovered;
	int error;

	/* only the root, held by the mount (and by the caller), may be active */
	if (!force && (mp->mnt_active > 1 || root->v_usecount > 1 ||
	    root->v_mountedhere != NULL))
		return EBUSY;
	if ((error = mp->mnt_op->vfs_unmount(mp)) != 0)
		return error;
	TAILQ_REMOVE(&k->k_mounts, mp, mnt_list);
	if (covered != NULL) {
		covered->v_mountedhere = NULL;
		vrele(covered);
	}
	kmem_free(k, mp, sizeof(*mp));
	return 0;
}

int
vfs_init(struct rump_kernel *k)
{
	int error;

	TAILQ_INIT(&k->k_mounts);
	LIST_INIT(&k->k_disks);
	if ((error = bio_init(k)) != 0)
		return error;
	k->k_nextdev = 20;	/* anonymous devices, as Linux numbers them */
	if ((error = mutex_init(&k->k_vfslock)) != 0)
		return error;
	if ((error = cv_init(&k->k_vfscv)) != 0)
		return error;
	if ((error = mutex_init(&k->k_netinitlock)) != 0)
		return error;
	if ((error = mutex_init(&k->k_eplock)) != 0)
		return error;
	return mutex_init(&k->k_sellock);
}

/* The root tmpfs, with /dev and its device nodes, and /tmp. */
int
vfs_mount_root(struct rump_kernel *k)
{
	struct mount *mp;
	int error;

	vfs_enter(k);
	error = vfs_domount(k, &tmpfs_vfsops, NULL, 0, NULL, "mode=0755",
	    &mp);
	if (error == 0) {
		k->k_rootvnode = mp->mnt_op->vfs_root(mp);
		vref(k->k_rootvnode);
	}
	vfs_exit(k);
	return error;
}

/* At halt: every mount, the most recent first, then the root. */
int
vfs_unmount_all(struct rump_kernel *k)
{
	struct mount *mp;
	int error = 0;

	vfs_enter(k);
	if (k->k_rootvnode != NULL) {
		vrele(k->k_rootvnode);
		k->k_rootvnode = NULL;
	}
	while ((mp = TAILQ_LAST(&k->k_mounts, mounthead)) != NULL) {
		int e = vfs_dounmount(mp, true);

		if (e != 0) {
			error = e;
			TAILQ_REMOVE(&k->k_mounts, mp, mnt_list);
		}
	}
	vfs_exit(k);
	return error;
}

void
vfs_fini(struct rump_kernel *k)
{
	bio_fini(k);
	disk_fini(k);
	cache_fini(k);
	mutex_destroy(&k->k_sellock);
	mutex_destroy(&k->k_eplock);
	mutex_destroy(&k->k_netinitlock);
	cv_destroy(&k->k_vfscv);
	mutex_destroy(&k->k_vfslock);
}

static int
require_root(struct lwp *l)
{
	kauth_cred_t cr = kauth_cred_get_proc(l->l_proc);
	bool priv = kauth_cred_privileged(cr);

	kauth_cred_free(l->l_proc->p_kernel, cr);
	return priv ? 0 : EPERM;
}

/* MS_REMOUNT: the file system may refuse, or prepare (ext2's clean state). */
static int
do_remount(struct vnode *vp, unsigned long flags)
{
	struct mount *mp = vp->v_mount;
	int error;

	if (!(vp->v_flag & VV_ROOT))
		return EINVAL;
	if (mp->mnt_op->vfs_remount != NULL &&
	    (error = mp->mnt_op->vfs_remount(mp, flags)) != 0)
		return error;
	mp->mnt_flag = (mp->mnt_flag & ~(unsigned long)MS_REMOUNT_FLAGS) |
	    (flags & MS_REMOUNT_FLAGS);
	return 0;
}

int
sys_mount(struct lwp *l, const struct sys_mount_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	const char *fstype = SCARG(uap, fstype);
	unsigned long flags = SCARG(uap, flags);
	const struct vfsops *ops;
	struct nameidata nd;
	struct mount *mp;
	kauth_cred_t cr;
	int error;

	(void)retval;
	if ((error = require_root(l)) != 0)
		return error;
	if (flags & (MS_BIND | MS_MOVE))
		return EINVAL;
	cr = kauth_cred_get_proc(l->l_proc);
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = SCARG(uap, target);
	nd.ni_flags = NAMEI_FOLLOW;
	nd.ni_cred = cr;
	vfs_enter(k);
	if ((error = namei(l, &nd)) != 0)
		goto out;
	if (flags & MS_REMOUNT) {
		error = do_remount(nd.ni_vp, flags);
		goto done;
	}
	if ((fstype != NULL && !useraddr_ok(fstype, 1)) ||
	    (SCARG(uap, data) != NULL && !useraddr_ok(SCARG(uap, data), 1))) {
		error = EFAULT;
		goto done;
	}
	if (fstype == NULL || (ops = vfs_getops(fstype)) == NULL) {
		error = ENODEV;
		goto done;
	}
	if (nd.ni_vp->v_type != VDIR) {
		error = ENOTDIR;
		goto done;
	}
	error = vfs_domount(k, ops, nd.ni_vp, flags, SCARG(uap, source),
	    SCARG(uap, data), &mp);
done:
	namei_done(&nd);
out:
	vfs_exit(k);
	kauth_cred_free(k, cr);
	return error;
}

int
sys_umount2(struct lwp *l, const struct sys_umount2_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	int flags = SCARG(uap, flags);
	struct nameidata nd;
	struct mount *mp;
	kauth_cred_t cr;
	int error;

	(void)retval;
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return EINVAL;
	if ((error = require_root(l)) != 0)
		return error;
	cr = kauth_cred_get_proc(l->l_proc);
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = SCARG(uap, target);
	nd.ni_flags = (flags & UMOUNT_NOFOLLOW) ? 0 : NAMEI_FOLLOW;
	nd.ni_cred = cr;
	vfs_enter(k);
	if ((error = namei(l, &nd)) == 0) {
		mp = nd.ni_vp->v_mount;
		if (!(nd.ni_vp->v_flag & VV_ROOT) || mp->mnt_vnodecovered == NULL) {
			error = EINVAL;
			namei_done(&nd);
		} else {
			/* the lookup's reference is not a use of the mount */
			vrele(nd.ni_vp);
			nd.ni_vp = NULL;
			error = vfs_dounmount(mp, false);
		}
	}
	vfs_exit(k);
	kauth_cred_free(k, cr);
	return error;
}

static int
dostatfs(struct vnode *vp, struct statfs *ubuf)
{
	struct mount *mp = vp->v_mount;
	struct statfs sb;
	int error;

	memset(&sb, 0, sizeof(sb));
	if ((error = mp->mnt_op->vfs_statfs(mp, &sb)) != 0)
		return error;
	sb.f_fsid.__val[0] = (int)minor(mp->mnt_dev);
	sb.f_flags = ST_VALID |
	    ((mp->mnt_flag & MS_RDONLY) ? ST_RDONLY : 0) |
	    ((mp->mnt_flag & MS_NOSUID) ? ST_NOSUID : 0) |
	    ((mp->mnt_flag & MS_NODEV) ? ST_NODEV : 0) |
	    ((mp->mnt_flag & MS_NOEXEC) ? ST_NOEXEC : 0) |
	    ((mp->mnt_flag & MS_NOATIME) ? ST_NOATIME : 0) |
	    ((mp->mnt_flag & MS_NODIRATIME) ? ST_NODIRATIME : 0) |
	    ((mp->mnt_flag & (MS_NOATIME | MS_STRICTATIME)) ? 0 : ST_RELATIME);
	return copyout(&sb, ubuf, sizeof(sb));
}

int
sys_statfs(struct lwp *l, const struct sys_statfs_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	kauth_cred_t cr = kauth_cred_get_proc(l->l_proc);
	struct nameidata nd;
	int error;

	(void)retval;
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = SCARG(uap, path);
	nd.ni_flags = NAMEI_FOLLOW;
	nd.ni_cred = cr;
	vfs_enter(k);
	if ((error = namei(l, &nd)) == 0) {
		error = dostatfs(nd.ni_vp, SCARG(uap, buf));
		namei_done(&nd);
	}
	vfs_exit(k);
	kauth_cred_free(k, cr);
	return error;
}

int
sys_fstatfs(struct lwp *l, const struct sys_fstatfs_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct file *fp;
	int error;

	(void)retval;
	if ((fp = fd_getfile(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (fp->f_ops != &vnops) {
		fdrop(fp);
		return ENOSYS;
	}
	vfs_enter(k);
	error = dostatfs(fp->f_data, SCARG(uap, buf));
	vfs_exit(k);
	fdrop(fp);
	return error;
}

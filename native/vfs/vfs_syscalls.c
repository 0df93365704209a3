/*
 * The file-system system calls that work on names: open, stat, access,
 * mkdir, rmdir, unlink, rename, link, symlink, readlink, chmod, chown,
 * utimensat, truncate, mknod, chdir, getdents64, and the fd-based forms
 * of some of them.  The order of checks follows Linux, so that the errno
 * of a call with several faults is the one Linux gives.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/stat.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/lockf.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"
#include "gen/syscallargs.h"

/* A system call's context: the caller's credential and the VFS lock. */
struct vctx {
	struct lwp	*l;
	struct proc	*p;
	struct rump_kernel *k;
	kauth_cred_t	cr;
};

static void
vctx_enter(struct vctx *c, struct lwp *l)
{
	c->l = l;
	c->p = l->l_proc;
	c->k = c->p->p_kernel;
	c->cr = kauth_cred_get_proc(c->p);
	vfs_enter(c->k);
}

static int
vctx_exit(struct vctx *c, int error)
{
	vfs_exit(c->k);
	kauth_cred_free(c->k, c->cr);
	return error;
}

static int
lookup(struct vctx *c, int dirfd, const char *path, int flags,
    struct nameidata *nd)
{
	nd->ni_dirfd = dirfd;
	nd->ni_path = path;
	nd->ni_flags = flags;
	nd->ni_cred = c->cr;
	return namei(c->l, nd);
}

static bool
owner_or_root(kauth_cred_t cr, const struct vattr *va)
{
	return cr->cr_fsuid == va->va_uid || kauth_cred_privileged(cr);
}

static bool
rdonly(struct vnode *vp)
{
	return (vp->v_mount->mnt_flag & MS_RDONLY) != 0;
}

/*
 * May cr remove or rename vp out of dvp, where a directory (isdir) or a
 * non-directory is expected?  (Linux's may_delete, in its order.)
 */
static int
may_delete(kauth_cred_t cr, struct vnode *dvp, struct vnode *vp, bool isdir)
{
	struct vattr dva, va;
	int error;

	if ((error = dvp->v_op->vop_getattr(dvp, &dva)) != 0 ||
	    (error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	if ((error = vaccess(&dva, VWRITE | VEXEC, cr)) != 0)
		return error;
	if ((dva.va_mode & S_ISVTX) && cr->cr_fsuid != va.va_uid &&
	    cr->cr_fsuid != dva.va_uid && !kauth_cred_privileged(cr))
		return EPERM;
	if (isdir && vp->v_type != VDIR)
		return ENOTDIR;
	if (!isdir && vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_flag & VV_ROOT)
		return EBUSY;
	return 0;
}

static int
may_create(kauth_cred_t cr, struct vnode *dvp)
{
	int error = vn_dead(dvp) ? ENOENT : vn_access(dvp, VWRITE | VEXEC, cr);

	if (error == 0 && rdonly(dvp))
		error = EROFS;
	return error;
}

/* An empty directory has no entries but "." and "..". */
static int
count_entry(void *arg, const struct vdirent *de)
{
	int *n = arg;

	if (!(de->d_namlen == 1 && de->d_name[0] == '.') &&
	    !(de->d_namlen == 2 && de->d_name[0] == '.' && de->d_name[1] == '.')) {
		(*n)++;
		return 1;
	}
	return 0;
}

/* 0 when vp is empty, ENOTEMPTY, or the error reading it (a corrupt one). */
static int
dir_check_empty(struct vnode *vp)
{
	off_t off = 0;
	int n = 0, error;

	if ((error = vp->v_op->vop_readdir(vp, &off, count_entry, &n)) != 0)
		return error;
	return n == 0 ? 0 : ENOTEMPTY;
}

static mode_t
umask_of(struct proc *p)
{
	mode_t m;

	mutex_enter(&p->p_lock);
	m = p->p_umask;
	mutex_exit(&p->p_lock);
	return m;
}

/* ------------------------------------------------------------ open */

int
sys_openat(struct lwp *l, const struct sys_openat_args *uap, long *retval)
{
	struct proc *p = l->l_proc;
	struct file *fp;
	int fd, error;

	if ((error = fd_install(p, 0, NULL, false, NULL)) != 0)
		return error;	/* no descriptor free: fail before any effect */
	error = vn_open(l, SCARG(uap, dirfd), SCARG(uap, path), SCARG(uap, flags),
	    SCARG(uap, mode), &fp);
	if (error != 0)
		return error;
	error = fd_install(p, 0, fp, (SCARG(uap, flags) & O_CLOEXEC) != 0, &fd);
	fdrop(fp);
	if (error == 0)
		*retval = fd;
	return error;
}

int
sys_open(struct lwp *l, const struct sys_open_args *uap, long *retval)
{
	struct sys_openat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, flags) = SCARG(uap, flags);
	SCARG(&a, mode) = SCARG(uap, mode);
	return sys_openat(l, &a, retval);
}

int
sys_creat(struct lwp *l, const struct sys_creat_args *uap, long *retval)
{
	struct sys_openat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, flags) = O_CREAT | O_WRONLY | O_TRUNC;
	SCARG(&a, mode) = SCARG(uap, mode);
	return sys_openat(l, &a, retval);
}

/* ------------------------------------------------------------ stat */

/* The vnode a (dirfd, path, AT_* flags) names, held. */
static int
lookup_at(struct vctx *c, int dirfd, const char *path, int atflags,
    struct vnode **vpp)
{
	struct nameidata nd;
	int error, nf = 0;

	if (!(atflags & AT_SYMLINK_NOFOLLOW))
		nf |= NAMEI_FOLLOW;
	if (atflags & AT_EMPTY_PATH)
		nf |= NAMEI_EMPTY;
	if ((error = lookup(c, dirfd, path, nf, &nd)) != 0)
		return error;
	*vpp = nd.ni_vp;
	return 0;
}

/*
 * The attributes (dirfd, path, AT_* flags) names, as a struct stat, with the
 * birth time when the file system keeps one.  An empty path with
 * AT_EMPTY_PATH names the descriptor itself, whatever kind of file it is.
 */
static int
stat_at(struct lwp *l, int dirfd, const char *path, int flags, struct stat *st,
    struct timespec *btime)
{
	struct vattr va;
	struct vnode *vp;
	struct vctx c;
	int error;

	btime->tv_sec = btime->tv_nsec = -1;
	if ((flags & AT_EMPTY_PATH) && path != NULL && path[0] == '\0' &&
	    dirfd != AT_FDCWD) {
		struct file *fp = fd_getfile(l->l_proc, dirfd);

		if (fp == NULL)
			return EBADF;
		if (fp->f_ops != &vnops) {
			error = fp->f_ops->fo_stat != NULL ?
			    fp->f_ops->fo_stat(fp, st) : EINVAL;
			fdrop(fp);
			return error;
		}
		fdrop(fp);
	}
	vctx_enter(&c, l);
	if ((error = lookup_at(&c, dirfd, path, flags, &vp)) == 0) {
		if ((error = vp->v_op->vop_getattr(vp, &va)) == 0) {
			vn_stat_fill(vp, &va, st);
			*btime = va.va_birthtime;
		}
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_newfstatat(struct lwp *l, const struct sys_newfstatat_args *uap,
    long *retval)
{
	int flags = SCARG(uap, flags);
	struct timespec btime;
	struct stat st;
	int error;

	(void)retval;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	    AT_STATX_SYNC_TYPE))
		return EINVAL;
	error = stat_at(l, SCARG(uap, dirfd), SCARG(uap, path), flags, &st, &btime);
	if (error == 0)
		error = copyout(&st, SCARG(uap, statbuf), sizeof(st));
	return error;
}

int
sys_stat(struct lwp *l, const struct sys_stat_args *uap, long *retval)
{
	struct sys_newfstatat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, statbuf) = SCARG(uap, statbuf);
	SCARG(&a, flags) = 0;
	return sys_newfstatat(l, &a, retval);
}

int
sys_lstat(struct lwp *l, const struct sys_lstat_args *uap, long *retval)
{
	struct sys_newfstatat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, statbuf) = SCARG(uap, statbuf);
	SCARG(&a, flags) = AT_SYMLINK_NOFOLLOW;
	return sys_newfstatat(l, &a, retval);
}

int
sys_fstat(struct lwp *l, const struct sys_fstat_args *uap, long *retval)
{
	struct file *fp;
	struct stat st;
	int error;

	(void)retval;
	if ((fp = fd_getfile(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (fp->f_ops->fo_stat == NULL)
		error = EINVAL;
	else if ((error = fp->f_ops->fo_stat(fp, &st)) == 0)
		error = copyout(&st, SCARG(uap, statbuf), sizeof(st));
	fdrop(fp);
	return error;
}

int
sys_statx(struct lwp *l, const struct sys_statx_args *uap, long *retval)
{
	int flags = SCARG(uap, flags);
	struct timespec btime;
	struct statx sx;
	struct stat st;
	int error;

	(void)retval;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	    AT_STATX_SYNC_TYPE))
		return EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return EINVAL;
	if (SCARG(uap, mask) & STATX__RESERVED)
		return EINVAL;
	error = stat_at(l, SCARG(uap, dirfd), SCARG(uap, path), flags, &st,
	    &btime);
	if (error != 0)
		return error;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | (btime.tv_sec != -1 ? STATX_BTIME : 0);
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime.tv_sec = st.st_atim.tv_sec;
	sx.stx_atime.tv_nsec = (uint32_t)st.st_atim.tv_nsec;
	if (btime.tv_sec != -1) {
		sx.stx_btime.tv_sec = btime.tv_sec;
		sx.stx_btime.tv_nsec = (uint32_t)btime.tv_nsec;
	}
	sx.stx_ctime.tv_sec = st.st_ctim.tv_sec;
	sx.stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
	sx.stx_mtime.tv_sec = st.st_mtim.tv_sec;
	sx.stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copyout(&sx, SCARG(uap, statxbuf), sizeof(sx));
}

/* ------------------------------------------------------------ access */

int
sys_faccessat2(struct lwp *l, const struct sys_faccessat2_args *uap,
    long *retval)
{
	int mode = SCARG(uap, mode), flags = SCARG(uap, flags);
	kauth_cred_t real = NULL;
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	if (mode & ~(R_OK | W_OK | X_OK))
		return EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	vctx_enter(&c, l);
	if (!(flags & AT_EACCESS)) {
		/* check as the real ids, as access(2) does */
		if ((real = kauth_cred_dup(c.k, c.cr)) == NULL)
			return vctx_exit(&c, ENOMEM);
		real->cr_fsuid = real->cr_uid;
		real->cr_fsgid = real->cr_gid;
		real->cr_euid = real->cr_uid;
		kauth_cred_free(c.k, c.cr);
		c.cr = real;
	}
	if ((error = lookup_at(&c, SCARG(uap, dirfd), SCARG(uap, path), flags,
	    &vp)) == 0) {
		int want = ((mode & R_OK) ? VREAD : 0) |
		    ((mode & W_OK) ? VWRITE : 0) | ((mode & X_OK) ? VEXEC : 0);

		if (want != 0)
			error = vn_access(vp, want, c.cr);
		if (error == 0 && (mode & W_OK) && rdonly(vp) &&
		    (vp->v_type == VREG || vp->v_type == VDIR || vp->v_type == VLNK))
			error = EROFS;
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_faccessat(struct lwp *l, const struct sys_faccessat_args *uap, long *retval)
{
	struct sys_faccessat2_args a;

	SCARG(&a, dirfd) = SCARG(uap, dirfd);
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, mode) = SCARG(uap, mode);
	SCARG(&a, flags) = 0;
	return sys_faccessat2(l, &a, retval);
}

int
sys_access(struct lwp *l, const struct sys_access_args *uap, long *retval)
{
	struct sys_faccessat2_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, mode) = SCARG(uap, mode);
	SCARG(&a, flags) = 0;
	return sys_faccessat2(l, &a, retval);
}

/* ------------------------------------------------------------ create */

/*
 * Make a node of type at (dirfd, path): directories, files, FIFOs,
 * devices, sockets and (target != NULL) symlinks.
 */
static int
do_create(struct lwp *l, int dirfd, const char *path, enum vtype type,
    mode_t mode, dev_t rdev, const char *target)
{
	struct nameidata nd;
	struct vattr va;
	struct vnode *vp;
	struct vctx c;
	int error;

	vctx_enter(&c, l);
	if ((error = lookup(&c, dirfd, path, NAMEI_PARENT | NAMEI_CREATE,
	    &nd)) != 0)
		return vctx_exit(&c, error);
	if (nd.ni_lasttype != LAST_NORM || nd.ni_vp != NULL) {
		error = EEXIST;
	} else if (nd.ni_slash && type != VDIR) {
		error = ENOENT;
	} else if ((error = may_create(c.cr, nd.ni_dvp)) == 0) {
		vn_newattr(nd.ni_dvp, c.cr, type, mode, &va);
		va.va_rdev = rdev;
		if (target != NULL)
			error = nd.ni_dvp->v_op->vop_symlink(nd.ni_dvp,
			    nd.ni_name, nd.ni_namelen, &va, target, &vp);
		else
			error = nd.ni_dvp->v_op->vop_create(nd.ni_dvp,
			    nd.ni_name, nd.ni_namelen, &va, &vp);
		if (error == 0)
			vrele(vp);
	}
	namei_done(&nd);
	return vctx_exit(&c, error);
}

int
sys_mkdirat(struct lwp *l, const struct sys_mkdirat_args *uap, long *retval)
{
	(void)retval;
	return do_create(l, SCARG(uap, dirfd), SCARG(uap, path), VDIR,
	    (SCARG(uap, mode) & (0777 | S_ISVTX)) & ~umask_of(l->l_proc), 0, NULL);
}

int
sys_mkdir(struct lwp *l, const struct sys_mkdir_args *uap, long *retval)
{
	(void)retval;
	return do_create(l, AT_FDCWD, SCARG(uap, path), VDIR,
	    (SCARG(uap, mode) & (0777 | S_ISVTX)) & ~umask_of(l->l_proc), 0, NULL);
}

int
sys_mknodat(struct lwp *l, const struct sys_mknodat_args *uap, long *retval)
{
	mode_t mode = SCARG(uap, mode);
	enum vtype type;
	kauth_cred_t cr;
	bool priv;

	(void)retval;
	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
		type = VREG;
		break;
	case S_IFIFO:
		type = VFIFO;
		break;
	case S_IFSOCK:
		type = VSOCK;
		break;
	case S_IFCHR:
	case S_IFBLK:
		cr = kauth_cred_get_proc(l->l_proc);
		priv = kauth_cred_privileged(cr);
		kauth_cred_free(l->l_proc->p_kernel, cr);
		if (!priv)
			return EPERM;
		type = (mode & S_IFMT) == S_IFCHR ? VCHR : VBLK;
		break;
	case S_IFDIR:
		return EPERM;
	default:
		return EINVAL;
	}
	return do_create(l, SCARG(uap, dirfd), SCARG(uap, path), type,
	    (mode & 07777) & ~umask_of(l->l_proc),
	    (type == VCHR || type == VBLK) ? SCARG(uap, dev) : 0, NULL);
}

int
sys_mknod(struct lwp *l, const struct sys_mknod_args *uap, long *retval)
{
	struct sys_mknodat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, mode) = SCARG(uap, mode);
	SCARG(&a, dev) = SCARG(uap, dev);
	return sys_mknodat(l, &a, retval);
}

int
sys_symlinkat(struct lwp *l, const struct sys_symlinkat_args *uap,
    long *retval)
{
	const char *target = SCARG(uap, target);

	(void)retval;
	if (!useraddr_ok(target, 1))
		return EFAULT;
	if (target[0] == '\0')
		return ENOENT;
	if (strlen(target) >= PATH_MAX)
		return ENAMETOOLONG;
	return do_create(l, SCARG(uap, newdirfd), SCARG(uap, linkpath), VLNK,
	    0777, 0, target);
}

int
sys_symlink(struct lwp *l, const struct sys_symlink_args *uap, long *retval)
{
	struct sys_symlinkat_args a;

	SCARG(&a, target) = SCARG(uap, target);
	SCARG(&a, newdirfd) = AT_FDCWD;
	SCARG(&a, linkpath) = SCARG(uap, linkpath);
	return sys_symlinkat(l, &a, retval);
}

/* Linux's fs.protected_hardlinks: only owners link to what they cannot use. */
static int
may_link(kauth_cred_t cr, struct vnode *vp)
{
	struct vattr va;
	int error;

	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	if (owner_or_root(cr, &va))
		return 0;
	if (va.va_type != VREG || (va.va_mode & S_ISUID) ||
	    ((va.va_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) ||
	    vaccess(&va, VREAD | VWRITE, cr) != 0)
		return EPERM;
	return 0;
}

/* A file whose last name went (open, or by AT_EMPTY_PATH) gets no new one. */
static int
link_unlinked(struct vnode *vp)
{
	struct vattr va;
	int error;

	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	return va.va_nlink == 0 ? ENOENT : 0;
}

int
sys_linkat(struct lwp *l, const struct sys_linkat_args *uap, long *retval)
{
	int flags = SCARG(uap, flags);
	struct nameidata nd;
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	vctx_enter(&c, l);
	error = lookup_at(&c, SCARG(uap, olddirfd), SCARG(uap, oldpath),
	    ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) |
	    (flags & AT_EMPTY_PATH), &vp);
	if (error != 0)
		return vctx_exit(&c, error);
	if ((error = lookup(&c, SCARG(uap, newdirfd), SCARG(uap, newpath),
	    NAMEI_PARENT | NAMEI_CREATE, &nd)) != 0) {
		vrele(vp);
		return vctx_exit(&c, error);
	}
	if (nd.ni_lasttype != LAST_NORM || nd.ni_vp != NULL)
		error = EEXIST;
	else if (nd.ni_slash)
		error = ENOENT;
	else if (nd.ni_dvp->v_mount != vp->v_mount)
		error = EXDEV;
	else if ((error = may_link(c.cr, vp)) != 0)
		;
	else if ((error = may_create(c.cr, nd.ni_dvp)) != 0)
		;
	else if (vp->v_type == VDIR)
		error = EPERM;
	else if ((error = link_unlinked(vp)) == 0)
		error = nd.ni_dvp->v_op->vop_link(nd.ni_dvp, nd.ni_name,
		    nd.ni_namelen, vp);
	namei_done(&nd);
	vrele(vp);
	return vctx_exit(&c, error);
}

int
sys_link(struct lwp *l, const struct sys_link_args *uap, long *retval)
{
	struct sys_linkat_args a;

	SCARG(&a, olddirfd) = AT_FDCWD;
	SCARG(&a, oldpath) = SCARG(uap, oldpath);
	SCARG(&a, newdirfd) = AT_FDCWD;
	SCARG(&a, newpath) = SCARG(uap, newpath);
	SCARG(&a, flags) = 0;
	return sys_linkat(l, &a, retval);
}

/* ------------------------------------------------------------ remove */

static int
do_rmdir(struct lwp *l, int dirfd, const char *path)
{
	struct nameidata nd;
	struct vctx c;
	int error;

	vctx_enter(&c, l);
	if ((error = lookup(&c, dirfd, path, NAMEI_PARENT, &nd)) != 0)
		return vctx_exit(&c, error);
	switch (nd.ni_lasttype) {
	case LAST_DOT:
		error = EINVAL;
		break;
	case LAST_DOTDOT:
		error = ENOTEMPTY;
		break;
	case LAST_ROOT:
		error = EBUSY;
		break;
	default:
		if (nd.ni_vp == NULL)
			error = ENOENT;
		else if ((error = may_delete(c.cr, nd.ni_dvp, nd.ni_vp,
		    true)) != 0)
			;
		else if (rdonly(nd.ni_dvp))
			error = EROFS;
		else if ((error = dir_check_empty(nd.ni_vp)) == 0)
			error = nd.ni_dvp->v_op->vop_rmdir(nd.ni_dvp, nd.ni_name,
			    nd.ni_namelen, nd.ni_vp);
		break;
	}
	namei_done(&nd);
	return vctx_exit(&c, error);
}

int
sys_rmdir(struct lwp *l, const struct sys_rmdir_args *uap, long *retval)
{
	(void)retval;
	return do_rmdir(l, AT_FDCWD, SCARG(uap, path));
}

static int
do_unlink(struct lwp *l, int dirfd, const char *path)
{
	struct nameidata nd;
	struct vctx c;
	int error;

	vctx_enter(&c, l);
	if ((error = lookup(&c, dirfd, path, NAMEI_PARENT, &nd)) != 0)
		return vctx_exit(&c, error);
	if (nd.ni_lasttype != LAST_NORM)
		error = EISDIR;
	else if (nd.ni_vp == NULL)
		error = ENOENT;
	else if (nd.ni_slash)
		error = nd.ni_vp->v_type == VDIR ? EISDIR : ENOTDIR;
	else if ((error = may_delete(c.cr, nd.ni_dvp, nd.ni_vp, false)) != 0)
		;
	else if (rdonly(nd.ni_dvp))
		error = EROFS;
	else
		error = nd.ni_dvp->v_op->vop_remove(nd.ni_dvp, nd.ni_name,
		    nd.ni_namelen, nd.ni_vp);
	namei_done(&nd);
	return vctx_exit(&c, error);
}

int
sys_unlink(struct lwp *l, const struct sys_unlink_args *uap, long *retval)
{
	(void)retval;
	return do_unlink(l, AT_FDCWD, SCARG(uap, path));
}

int
sys_unlinkat(struct lwp *l, const struct sys_unlinkat_args *uap, long *retval)
{
	int flags = SCARG(uap, flags);

	(void)retval;
	if (flags & ~AT_REMOVEDIR)
		return EINVAL;
	if (flags & AT_REMOVEDIR)
		return do_rmdir(l, SCARG(uap, dirfd), SCARG(uap, path));
	return do_unlink(l, SCARG(uap, dirfd), SCARG(uap, path));
}

/* ------------------------------------------------------------ rename */

/* Is dvp the directory vp or below it? */
static bool
is_below(struct rump_kernel *k, struct vnode *dvp, struct vnode *vp)
{
	struct vnode *cur = dvp, *up;

	vref(cur);
	for (;;) {
		if (cur == vp) {
			vrele(cur);
			return true;
		}
		if (cur == k->k_rootvnode || (cur->v_flag & VV_ROOT) ||
		    cur->v_op->vop_lookup(cur, "..", 2, &up) != 0) {
			vrele(cur);
			return false;
		}
		vrele(cur);
		if (up == cur) {
			vrele(up);
			return false;
		}
		cur = up;
	}
}

/* The checks before any permission, in Linux's order (do_renameat2). */
static int
rename_names(struct vctx *c, struct nameidata *fnd, struct nameidata *tnd,
    unsigned flags)
{
	bool exchange = (flags & RENAME_EXCHANGE) != 0;
	struct vnode *fvp = fnd->ni_vp, *tvp = tnd->ni_vp;

	/* "/" has no parent: its mount is its own */
	struct vnode *fdir = fnd->ni_dvp != NULL ? fnd->ni_dvp : fnd->ni_vp;
	struct vnode *tdir = tnd->ni_dvp != NULL ? tnd->ni_dvp : tnd->ni_vp;

	if (fdir->v_mount != tdir->v_mount)
		return EXDEV;
	if (fnd->ni_lasttype != LAST_NORM)
		return EBUSY;
	if (tnd->ni_lasttype != LAST_NORM)
		return (flags & RENAME_NOREPLACE) ? EEXIST : EBUSY;
	if (rdonly(fnd->ni_dvp))
		return EROFS;
	if (fvp == NULL)
		return ENOENT;
	if ((flags & RENAME_NOREPLACE) && tvp != NULL)
		return EEXIST;
	if (exchange && tvp == NULL)
		return ENOENT;
	if (exchange && tvp->v_type != VDIR && tnd->ni_slash)
		return ENOTDIR;
	if (fvp->v_type != VDIR && (fnd->ni_slash || (!exchange &&
	    tnd->ni_slash)))
		return ENOTDIR;
	if (is_below(c->k, tnd->ni_dvp, fvp))
		return EINVAL;		/* into its own subdirectory */
	if (tvp != NULL && is_below(c->k, fnd->ni_dvp, tvp))
		return exchange ? EINVAL : ENOTEMPTY;	/* over an ancestor */
	return 0;
}

/* Permissions and types (vfs_rename), then the move. */
static int
rename_vnodes(struct vctx *c, struct nameidata *fnd, struct nameidata *tnd,
    bool exchange)
{
	struct vnode *fdvp = fnd->ni_dvp, *fvp = fnd->ni_vp;
	struct vnode *tdvp = tnd->ni_dvp, *tvp = tnd->ni_vp;
	bool isdir = fvp->v_type == VDIR;
	int error;

	if (fvp == tvp)
		return 0;		/* two names of one file */
	if ((error = may_delete(c->cr, fdvp, fvp, isdir)) != 0)
		return error;
	if (tvp == NULL)
		error = vn_dead(tdvp) ? ENOENT :
		    vn_access(tdvp, VWRITE | VEXEC, c->cr);
	else
		error = may_delete(c->cr, tdvp, tvp, exchange ?
		    tvp->v_type == VDIR : isdir);
	if (error != 0)
		return error;
	if (fdvp != tdvp && isdir &&
	    (error = vn_access(fvp, VWRITE, c->cr)) != 0)
		return error;		/* its ".." changes */
	if (exchange && fdvp != tdvp && tvp->v_type == VDIR &&
	    (error = vn_access(tvp, VWRITE, c->cr)) != 0)
		return error;
	if (!exchange && tvp != NULL && tvp->v_type == VDIR &&
	    (error = dir_check_empty(tvp)) != 0)
		return error;
	return fdvp->v_op->vop_rename(fdvp, fnd->ni_name, fnd->ni_namelen, fvp,
	    tdvp, tnd->ni_name, tnd->ni_namelen, tvp, exchange);
}

/* RENAME_WHITEOUT: the old name becomes a whiteout (a 0:0 device node). */
static int
rename_whiteout(struct vctx *c, struct nameidata *fnd)
{
	struct vattr va;
	struct vnode *vp;
	int error;

	vn_newattr(fnd->ni_dvp, c->cr, VCHR, 0, &va);
	va.va_rdev = 0;
	error = fnd->ni_dvp->v_op->vop_create(fnd->ni_dvp, fnd->ni_name,
	    fnd->ni_namelen, &va, &vp);
	if (error == 0)
		vrele(vp);
	return error;
}

int
sys_renameat2(struct lwp *l, const struct sys_renameat2_args *uap,
    long *retval)
{
	unsigned flags = SCARG(uap, flags);
	struct nameidata fnd, tnd;
	struct vctx c;
	int error;

	(void)retval;
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & ~RENAME_EXCHANGE))
		return EINVAL;
	vctx_enter(&c, l);
	if ((flags & RENAME_WHITEOUT) && !kauth_cred_privileged(c.cr))
		return vctx_exit(&c, EPERM);	/* it makes a device node */
	if ((error = lookup(&c, SCARG(uap, olddirfd), SCARG(uap, oldpath),
	    NAMEI_PARENT, &fnd)) != 0)
		return vctx_exit(&c, error);
	if ((error = lookup(&c, SCARG(uap, newdirfd), SCARG(uap, newpath),
	    NAMEI_PARENT | NAMEI_CREATE, &tnd)) != 0) {
		namei_done(&fnd);
		return vctx_exit(&c, error);
	}
	if ((error = rename_names(&c, &fnd, &tnd, flags)) == 0)
		error = rename_vnodes(&c, &fnd, &tnd,
		    (flags & RENAME_EXCHANGE) != 0);
	if (error == 0 && (flags & RENAME_WHITEOUT) && fnd.ni_vp != tnd.ni_vp)
		error = rename_whiteout(&c, &fnd);
	namei_done(&tnd);
	namei_done(&fnd);
	return vctx_exit(&c, error);
}

int
sys_renameat(struct lwp *l, const struct sys_renameat_args *uap, long *retval)
{
	struct sys_renameat2_args a;

	SCARG(&a, olddirfd) = SCARG(uap, olddirfd);
	SCARG(&a, oldpath) = SCARG(uap, oldpath);
	SCARG(&a, newdirfd) = SCARG(uap, newdirfd);
	SCARG(&a, newpath) = SCARG(uap, newpath);
	SCARG(&a, flags) = 0;
	return sys_renameat2(l, &a, retval);
}

int
sys_rename(struct lwp *l, const struct sys_rename_args *uap, long *retval)
{
	struct sys_renameat2_args a;

	SCARG(&a, olddirfd) = AT_FDCWD;
	SCARG(&a, oldpath) = SCARG(uap, oldpath);
	SCARG(&a, newdirfd) = AT_FDCWD;
	SCARG(&a, newpath) = SCARG(uap, newpath);
	SCARG(&a, flags) = 0;
	return sys_renameat2(l, &a, retval);
}

/* ------------------------------------------------------------ symlinks */

int
sys_readlinkat(struct lwp *l, const struct sys_readlinkat_args *uap,
    long *retval)
{
	size_t size = SCARG(uap, bufsiz);
	struct vnode *vp;
	struct vctx c;
	int error;

	if ((ssize_t)size <= 0)
		return EINVAL;
	vctx_enter(&c, l);
	if ((error = lookup_at(&c, SCARG(uap, dirfd), SCARG(uap, path),
	    AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &vp)) == 0) {
		if (vp->v_type != VLNK) {
			error = SCARG(uap, path) == NULL ||
			    SCARG(uap, path)[0] == '\0' ? ENOENT : EINVAL;
		} else {
			struct iovec iov = { SCARG(uap, buf), size };
			struct uio uio = { &iov, 1, 0, size, UIO_READ };

			if (SCARG(uap, buf) == NULL)
				error = EFAULT;
			else if ((error = vp->v_op->vop_readlink(vp, &uio)) == 0)
				*retval = (long)(size - uio.uio_resid);
		}
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_readlink(struct lwp *l, const struct sys_readlink_args *uap, long *retval)
{
	struct sys_readlinkat_args a;

	if (!useraddr_ok(SCARG(uap, path), 1))
		return EFAULT;
	if (SCARG(uap, path)[0] == '\0')
		return ENOENT;
	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, buf) = SCARG(uap, buf);
	SCARG(&a, bufsiz) = SCARG(uap, bufsiz);
	return sys_readlinkat(l, &a, retval);
}

/* ------------------------------------------------------------ attributes */

static int
do_chmod(struct vctx *c, struct vnode *vp, mode_t mode)
{
	struct vattr va, nva;
	int error;

	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	if (!owner_or_root(c->cr, &va))
		return EPERM;
	if (rdonly(vp))
		return EROFS;
	mode &= 07777;
	if ((mode & S_ISGID) && !kauth_cred_privileged(c->cr) &&
	    !kauth_cred_groupmember(c->cr, va.va_gid))
		mode &= ~(mode_t)S_ISGID;
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_MODE | VA_CTIME;
	nva.va_mode = mode;
	vfs_gettime(&nva.va_ctime);
	return vp->v_op->vop_setattr(vp, &nva);
}

int
sys_fchmodat(struct lwp *l, const struct sys_fchmodat_args *uap, long *retval)
{
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	vctx_enter(&c, l);
	if ((error = lookup_at(&c, SCARG(uap, dirfd), SCARG(uap, path), 0,
	    &vp)) == 0) {
		error = do_chmod(&c, vp, SCARG(uap, mode));
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_chmod(struct lwp *l, const struct sys_chmod_args *uap, long *retval)
{
	struct sys_fchmodat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, mode) = SCARG(uap, mode);
	return sys_fchmodat(l, &a, retval);
}

/* The vnode of descriptor fd, held (O_PATH files too when allow_path). */
static int
fd_vnode(struct vctx *c, int fd, bool allow_path, struct vnode **vpp)
{
	struct file *fp = fd_getfile(c->p, fd);

	if (fp == NULL)
		return EBADF;
	if (!allow_path && (atomic_load(&fp->f_flag) & FPATH)) {
		fdrop(fp);
		return EBADF;
	}
	if (fp->f_ops != &vnops) {
		fdrop(fp);
		return EINVAL;
	}
	*vpp = fp->f_data;
	vref(*vpp);
	fdrop(fp);
	return 0;
}

int
sys_fchmod(struct lwp *l, const struct sys_fchmod_args *uap, long *retval)
{
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	vctx_enter(&c, l);
	if ((error = fd_vnode(&c, SCARG(uap, fd), false, &vp)) == 0) {
		error = do_chmod(&c, vp, SCARG(uap, mode));
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

static int
do_chown(struct vctx *c, struct vnode *vp, uid_t uid, gid_t gid)
{
	struct vattr va, nva;
	bool priv = kauth_cred_privileged(c->cr);
	int error;

	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	if (!priv) {
		if (uid != (uid_t)-1 && (c->cr->cr_fsuid != va.va_uid ||
		    uid != va.va_uid))
			return EPERM;
		if (gid != (gid_t)-1 && gid != va.va_gid &&
		    (c->cr->cr_fsuid != va.va_uid ||
		    !kauth_cred_groupmember(c->cr, gid)))
			return EPERM;
		if (gid != (gid_t)-1 && c->cr->cr_fsuid != va.va_uid)
			return EPERM;
	}
	if (rdonly(vp))
		return EROFS;
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_CTIME;
	vfs_gettime(&nva.va_ctime);
	if (uid != (uid_t)-1) {
		nva.va_mask |= VA_UID;
		nva.va_uid = uid;
	}
	if (gid != (gid_t)-1) {
		nva.va_mask |= VA_GID;
		nva.va_gid = gid;
	}
	/* a change of owner drops set-user-ID (and set-group-ID with group x) */
	if (va.va_type != VDIR) {
		mode_t m = va.va_mode & ~(mode_t)S_ISUID;

		if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			m &= ~(mode_t)S_ISGID;
		if (m != va.va_mode) {
			nva.va_mask |= VA_MODE;
			nva.va_mode = m;
		}
	}
	return vp->v_op->vop_setattr(vp, &nva);
}

int
sys_fchownat(struct lwp *l, const struct sys_fchownat_args *uap, long *retval)
{
	int flags = SCARG(uap, flags);
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	vctx_enter(&c, l);
	if ((error = lookup_at(&c, SCARG(uap, dirfd), SCARG(uap, path), flags,
	    &vp)) == 0) {
		error = do_chown(&c, vp, SCARG(uap, owner), SCARG(uap, group));
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_chown(struct lwp *l, const struct sys_chown_args *uap, long *retval)
{
	struct sys_fchownat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, owner) = SCARG(uap, owner);
	SCARG(&a, group) = SCARG(uap, group);
	SCARG(&a, flags) = 0;
	return sys_fchownat(l, &a, retval);
}

int
sys_lchown(struct lwp *l, const struct sys_lchown_args *uap, long *retval)
{
	struct sys_fchownat_args a;

	SCARG(&a, dirfd) = AT_FDCWD;
	SCARG(&a, path) = SCARG(uap, path);
	SCARG(&a, owner) = SCARG(uap, owner);
	SCARG(&a, group) = SCARG(uap, group);
	SCARG(&a, flags) = AT_SYMLINK_NOFOLLOW;
	return sys_fchownat(l, &a, retval);
}

int
sys_fchown(struct lwp *l, const struct sys_fchown_args *uap, long *retval)
{
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	vctx_enter(&c, l);
	if ((error = fd_vnode(&c, SCARG(uap, fd), false, &vp)) == 0) {
		error = do_chown(&c, vp, SCARG(uap, owner), SCARG(uap, group));
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

static bool
valid_nsec(long ns)
{
	return (ns >= 0 && ns < 1000000000L) || ns == UTIME_NOW ||
	    ns == UTIME_OMIT;
}

int
sys_utimensat(struct lwp *l, const struct sys_utimensat_args *uap,
    long *retval)
{
	int flags = SCARG(uap, flags);
	struct timespec ts[2], now;
	struct vattr va, nva;
	struct vnode *vp;
	struct vctx c;
	bool explicit_times = false;
	int error;

	(void)retval;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	if (SCARG(uap, times) != NULL) {
		if ((error = copyin(SCARG(uap, times), ts, sizeof(ts))) != 0)
			return error;
		if (!valid_nsec(ts[0].tv_nsec) || !valid_nsec(ts[1].tv_nsec))
			return EINVAL;
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
		explicit_times = (ts[0].tv_nsec != UTIME_NOW &&
		    ts[0].tv_nsec != UTIME_OMIT) || (ts[1].tv_nsec != UTIME_NOW &&
		    ts[1].tv_nsec != UTIME_OMIT);
	} else {
		ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
	}
	vctx_enter(&c, l);
	if (SCARG(uap, path) == NULL) {
		if (flags & AT_SYMLINK_NOFOLLOW)
			return vctx_exit(&c, EINVAL);
		error = fd_vnode(&c, SCARG(uap, dirfd), true, &vp);
	} else {
		error = lookup_at(&c, SCARG(uap, dirfd), SCARG(uap, path), flags,
		    &vp);
	}
	if (error != 0)
		return vctx_exit(&c, error);
	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		goto out;
	if (explicit_times) {
		if (!owner_or_root(c.cr, &va))
			error = EPERM;
	} else if (!owner_or_root(c.cr, &va)) {
		error = vaccess(&va, VWRITE, c.cr);
	}
	if (error == 0 && rdonly(vp))
		error = EROFS;
	if (error != 0)
		goto out;
	vfs_gettime(&now);
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_CTIME;
	nva.va_ctime = now;
	if (ts[0].tv_nsec != UTIME_OMIT) {
		nva.va_mask |= VA_ATIME;
		nva.va_atime = ts[0].tv_nsec == UTIME_NOW ? now : ts[0];
	}
	if (ts[1].tv_nsec != UTIME_OMIT) {
		nva.va_mask |= VA_MTIME;
		nva.va_mtime = ts[1].tv_nsec == UTIME_NOW ? now : ts[1];
	}
	error = vp->v_op->vop_setattr(vp, &nva);
out:
	vrele(vp);
	return vctx_exit(&c, error);
}

/* Set the size of vp; non-root writers lose set-user-ID and set-group-ID. */
static int
do_truncate(struct vctx *c, struct vnode *vp, off_t length)
{
	struct vattr va, nva;
	int error;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_SIZE | VA_MTIME | VA_CTIME;
	nva.va_size = (uint64_t)length;
	vfs_gettime(&nva.va_mtime);
	nva.va_ctime = nva.va_mtime;
	if (vn_killpriv_mode(c->cr, va.va_mode & 07777) != (va.va_mode & 07777)) {
		nva.va_mask |= VA_MODE;
		nva.va_mode = vn_killpriv_mode(c->cr, va.va_mode & 07777);
	}
	return vp->v_op->vop_setattr(vp, &nva);
}

int
sys_truncate(struct lwp *l, const struct sys_truncate_args *uap, long *retval)
{
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	if (SCARG(uap, length) < 0)
		return EINVAL;
	vctx_enter(&c, l);
	if ((error = lookup_at(&c, AT_FDCWD, SCARG(uap, path), 0, &vp)) == 0) {
		if (vp->v_type == VDIR)
			error = EISDIR;
		else if (vp->v_type != VREG)
			error = EINVAL;
		else if ((error = vn_access(vp, VWRITE, c.cr)) == 0 &&
		    rdonly(vp))
			error = EROFS;
		if (error == 0)
			error = do_truncate(&c, vp, SCARG(uap, length));
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_ftruncate(struct lwp *l, const struct sys_ftruncate_args *uap,
    long *retval)
{
	struct file *fp;
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	if (SCARG(uap, length) < 0)
		return EINVAL;
	if ((fp = fd_getfile_io(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (fp->f_ops != &vnops || !(atomic_load(&fp->f_flag) & FWRITE) ||
	    ((struct vnode *)fp->f_data)->v_type != VREG) {
		fdrop(fp);
		return EINVAL;
	}
	vp = fp->f_data;
	vctx_enter(&c, l);
	error = do_truncate(&c, vp, SCARG(uap, length));
	vctx_exit(&c, 0);
	fdrop(fp);
	return error;
}

int
sys_fallocate(struct lwp *l, const struct sys_fallocate_args *uap,
    long *retval)
{
	off_t off = SCARG(uap, offset), len = SCARG(uap, len);
	struct file *fp;
	struct vnode *vp;
	int error;

	(void)retval;
	if (off < 0 || len <= 0)
		return EINVAL;
	if ((fp = fd_getfile_io(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (!(atomic_load(&fp->f_flag) & FWRITE)) {
		fdrop(fp);
		return EBADF;
	}
	if (SCARG(uap, mode) & ~FALLOC_FL_KEEP_SIZE) {
		fdrop(fp);
		return EOPNOTSUPP;
	}
	if (fp->f_ops != &vnops) {
		fdrop(fp);
		return ESPIPE;
	}
	vp = fp->f_data;
	vfs_enter(fp->f_kernel);
	if (vp->v_type == VDIR)
		error = EISDIR;
	else if (vp->v_type == VFIFO)
		error = ESPIPE;
	else if (vp->v_type != VREG)
		error = ENODEV;
	else if (off > INT64_MAX - len)
		error = EFBIG;
	else if ((error = vn_killpriv(vp)) == 0)
		error = vp->v_op->vop_allocate(vp, off, len,
		    (SCARG(uap, mode) & FALLOC_FL_KEEP_SIZE) != 0);
	vfs_exit(fp->f_kernel);
	fdrop(fp);
	return error;
}

static int
do_fsync(struct lwp *l, int fd)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	if ((fp = fd_getfile_io(l->l_proc, fd)) == NULL)
		return EBADF;
	if (fp->f_ops != &vnops) {
		fdrop(fp);
		return EINVAL;
	}
	vp = fp->f_data;
	vfs_enter(fp->f_kernel);
	/* FIFOs and the memory devices have nothing to sync: EINVAL */
	if (vp->v_type == VFIFO || vp->v_type == VCHR)
		error = EINVAL;
	else if (vp->v_disk != NULL)
		error = bdev_fsync(vp);
	else
		error = vp->v_op->vop_fsync(vp);
	vfs_exit(fp->f_kernel);
	fdrop(fp);
	return error;
}

int
sys_fsync(struct lwp *l, const struct sys_fsync_args *uap, long *retval)
{
	(void)retval;
	return do_fsync(l, SCARG(uap, fd));
}

int
sys_fdatasync(struct lwp *l, const struct sys_fdatasync_args *uap,
    long *retval)
{
	(void)retval;
	return do_fsync(l, SCARG(uap, fd));
}

int
sys_sync(struct lwp *l, const void *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct rump_disk *d;
	struct mount *mp;

	(void)uap;
	(void)retval;
	vfs_enter(k);
	TAILQ_FOREACH(mp, &k->k_mounts, mnt_list)
		mp->mnt_op->vfs_sync(mp);
	/* then every dirty buffer, and the host files' data */
	(void)bio_syncall(k);
	LIST_FOREACH(d, &k->k_disks, d_list)
		(void)disk_syncfd(d);
	vfs_exit(k);
	return 0;
}

/* ------------------------------------------------------------ cwd */

static int
set_cwd(struct vctx *c, struct vnode *vp)
{
	int error;

	if (vp->v_type != VDIR)
		return ENOTDIR;
	if ((error = vn_access(vp, VEXEC, c->cr)) != 0)
		return error;
	vref(vp);
	if (c->p->p_cwd != NULL)
		vrele(c->p->p_cwd);
	c->p->p_cwd = vp;
	return 0;
}

int
sys_chdir(struct lwp *l, const struct sys_chdir_args *uap, long *retval)
{
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	vctx_enter(&c, l);
	if ((error = lookup_at(&c, AT_FDCWD, SCARG(uap, path), 0, &vp)) == 0) {
		error = set_cwd(&c, vp);
		vrele(vp);
	}
	return vctx_exit(&c, error);
}

int
sys_fchdir(struct lwp *l, const struct sys_fchdir_args *uap, long *retval)
{
	struct vnode *vp;
	struct vctx c;
	int error;

	(void)retval;
	vctx_enter(&c, l);
	if ((error = fd_vnode(&c, SCARG(uap, fd), true, &vp)) == 0) {
		error = set_cwd(&c, vp);
		vrele(vp);
	} else if (error == EINVAL) {
		error = ENOTDIR;
	}
	return vctx_exit(&c, error);
}

/* ------------------------------------------------------------ getdents */

struct dentbuf {
	char	*buf;
	size_t	size;
	size_t	used;
	int	error;
};

/* One linux_dirent64: ino, off, reclen, type, name, padded to 8. */
static int
put_dirent(void *arg, const struct vdirent *de)
{
	struct dentbuf *db = arg;
	size_t reclen = (19 + de->d_namlen + 1 + 7) & ~(size_t)7;
	char rec[19 + NAME_MAX + 1 + 8];
	uint64_t ino = de->d_ino;
	int64_t off = de->d_off;
	uint16_t rl = (uint16_t)reclen;

	if (db->used + reclen > db->size) {
		if (db->used == 0)
			db->error = EINVAL;
		return 1;
	}
	memset(rec, 0, reclen);
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &off, 8);
	memcpy(rec + 16, &rl, 2);
	rec[18] = (char)de->d_type;
	memcpy(rec + 19, de->d_name, de->d_namlen);
	/* as an address: the caller's buffer may be NULL (copyout says EFAULT) */
	if ((db->error = copyout(rec, (void *)((uintptr_t)db->buf + db->used),
	    reclen)) != 0)
		return 1;
	db->used += reclen;
	return 0;
}

int
sys_getdents64(struct lwp *l, const struct sys_getdents64_args *uap,
    long *retval)
{
	struct file *fp;
	struct vnode *vp;
	struct dentbuf db;
	off_t off;
	int error;

	if ((fp = fd_getfile_io(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (fp->f_ops != &vnops || ((struct vnode *)fp->f_data)->v_type != VDIR) {
		fdrop(fp);
		return ENOTDIR;
	}
	vp = fp->f_data;
	db = (struct dentbuf){ SCARG(uap, dirp), SCARG(uap, count), 0, 0 };
	vfs_enter(fp->f_kernel);
	off = fp->f_offset;
	error = vp->v_op->vop_readdir(vp, &off, put_dirent, &db);
	if (error == 0 && db.error != 0 && db.used == 0)
		error = db.error;
	if (error == 0) {
		fp->f_offset = off;	/* where the walk stopped, or its end */
		*retval = (long)db.used;
	}
	vfs_exit(fp->f_kernel);
	fdrop(fp);
	return error;
}

/* ------------------------------------------------ AF_UNIX socket names */

/*
 * Create the socket node path with mode (umask applied by the caller) for
 * bind(2) and return it held: EADDRINUSE when the name exists.  With vpp
 * NULL only the checks are made (a bound socket binding again).  May be
 * called with ns_lock held (lock order: ns_lock, then the VFS lock).
 */
int
vn_bind_socket(struct lwp *l, const char *path, mode_t mode,
    struct vnode **vpp)
{
	struct nameidata nd;
	struct vattr va;
	struct vctx c;
	int error;

	vctx_enter(&c, l);
	if ((error = lookup(&c, AT_FDCWD, path, NAMEI_PARENT | NAMEI_CREATE,
	    &nd)) != 0)
		return vctx_exit(&c, error);
	if (nd.ni_lasttype != LAST_NORM || nd.ni_vp != NULL) {
		error = EADDRINUSE;
	} else if (nd.ni_slash) {
		error = ENOENT;
	} else if ((error = may_create(c.cr, nd.ni_dvp)) == 0 && vpp != NULL) {
		vn_newattr(nd.ni_dvp, c.cr, VSOCK, mode, &va);
		error = nd.ni_dvp->v_op->vop_create(nd.ni_dvp, nd.ni_name,
		    nd.ni_namelen, &va, vpp);
	}
	namei_done(&nd);
	return vctx_exit(&c, error);
}

/*
 * The socket node at path for connect(2) or sendto(2), held: the caller
 * needs write permission on it; ECONNREFUSED when it is no socket.
 */
int
vn_find_socket(struct lwp *l, const char *path, struct vnode **vpp)
{
	struct nameidata nd;
	struct vnode *vp;
	struct vctx c;
	int error;

	vctx_enter(&c, l);
	if ((error = lookup(&c, AT_FDCWD, path, NAMEI_FOLLOW, &nd)) != 0)
		return vctx_exit(&c, error);
	vp = nd.ni_vp;
	if (vp == NULL)
		error = ENOENT;
	else if ((error = vn_access(vp, VWRITE, c.cr)) == 0 &&
	    vp->v_type != VSOCK)
		error = ECONNREFUSED;
	if (error == 0) {
		vref(vp);
		*vpp = vp;
	}
	namei_done(&nd);
	return vctx_exit(&c, error);
}

/* Drop a reference taken by the two above. */
void
vn_release_socket(struct rump_kernel *k, struct vnode *vp)
{
	bool took = vfs_enter_unless_held(k);

	vrele(vp);
	if (took)
		vfs_exit(k);
}

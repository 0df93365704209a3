/* VFS helpers: the VFS lock, time, type conversions, permission checks. */
#include <dirent.h>
#include <sys/mount.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "sys/disk.h"
#include "sys/vnode.h"

void
vfs_enter(struct rump_kernel *k)
{
	mutex_enter(&k->k_vfslock);
	atomic_store_explicit(&k->k_vfsowner, curlwp, memory_order_relaxed);
}

void
vfs_exit(struct rump_kernel *k)
{
	atomic_store_explicit(&k->k_vfsowner, NULL, memory_order_relaxed);
	mutex_exit(&k->k_vfslock);
}

bool
vfs_enter_unless_held(struct rump_kernel *k)
{
	if (curlwp != NULL && atomic_load_explicit(&k->k_vfsowner,
	    memory_order_relaxed) == curlwp)
		return false;
	vfs_enter(k);
	return true;
}

int
vfs_sleep(struct rump_kernel *k)
{
	struct lwp *l = curlwp;
	int error;

	atomic_store_explicit(&k->k_vfsowner, NULL, memory_order_relaxed);
	error = lwp_sleep(&k->k_vfscv, &k->k_vfslock, -1);
	atomic_store_explicit(&k->k_vfsowner, l, memory_order_relaxed);
	return error;
}

void
vfs_wakeup(struct rump_kernel *k)
{
	cv_broadcast(&k->k_vfscv);
}

void
vfs_gettime(struct timespec *ts)
{
	int64_t sec;
	long nsec;

	rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &sec, &nsec);
	ts->tv_sec = sec;
	ts->tv_nsec = nsec;
}

static int
tscmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

bool
vfs_atime_due(struct vnode *vp, const struct timespec *atime,
    const struct timespec *mtime, const struct timespec *ctime,
    const struct timespec *now)
{
	unsigned long f = vp->v_mount->mnt_flag;

	if ((f & (MS_RDONLY | MS_NOATIME)) ||
	    (vp->v_type == VDIR && (f & MS_NODIRATIME)))
		return false;
	if (tscmp(atime, now) == 0)
		return false;
	if (f & MS_STRICTATIME)
		return true;
	return tscmp(atime, mtime) <= 0 || tscmp(atime, ctime) <= 0 ||
	    now->tv_sec - atime->tv_sec >= 24 * 3600;
}

mode_t
vtype_to_ifmt(enum vtype t)
{
	switch (t) {
	case VREG: return S_IFREG;
	case VDIR: return S_IFDIR;
	case VBLK: return S_IFBLK;
	case VCHR: return S_IFCHR;
	case VLNK: return S_IFLNK;
	case VSOCK: return S_IFSOCK;
	case VFIFO: return S_IFIFO;
	default: return 0;
	}
}

enum vtype
ifmt_to_vtype(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return VREG;
	case S_IFDIR: return VDIR;
	case S_IFBLK: return VBLK;
	case S_IFCHR: return VCHR;
	case S_IFLNK: return VLNK;
	case S_IFSOCK: return VSOCK;
	case S_IFIFO: return VFIFO;
	default: return VNON;
	}
}

unsigned char
vtype_to_dt(enum vtype t)
{
	switch (t) {
	case VREG: return DT_REG;
	case VDIR: return DT_DIR;
	case VBLK: return DT_BLK;
	case VCHR: return DT_CHR;
	case VLNK: return DT_LNK;
	case VSOCK: return DT_SOCK;
	case VFIFO: return DT_FIFO;
	default: return DT_UNKNOWN;
	}
}

/*
 * Linux's generic permission check with the file-system ids.  Root (the
 * capability model of kauth) may read and write anything, search any
 * directory, and execute a file with at least one execute bit.
 */
int
vaccess(const struct vattr *va, int mode, kauth_cred_t cred)
{
	mode_t m = va->va_mode;
	int granted;

	if (cred->cr_euid == 0 && cred->cr_fsuid == 0) {
		if (!(mode & VEXEC) || va->va_type == VDIR ||
		    (m & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return 0;
		return EACCES;
	}
	if (cred->cr_fsuid == va->va_uid)
		granted = (m >> 6) & 7;
	else if (kauth_cred_groupmember(cred, va->va_gid))
		granted = (m >> 3) & 7;
	else
		granted = m & 7;
	return (mode & ~granted) == 0 ? 0 : EACCES;
}

int
vn_access(struct vnode *vp, int mode, kauth_cred_t cred)
{
	struct vattr va;
	int error;

	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	return vaccess(&va, mode, cred);
}

/* Has directory vp been removed (it keeps no entries, takes no new ones)? */
bool
vn_dead(struct vnode *vp)
{
	struct vattr va;

	return vp->v_op->vop_getattr(vp, &va) != 0 || va.va_nlink == 0;
}

void
vn_stat_fill(struct vnode *vp, const struct vattr *va, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = vp->v_mount->mnt_dev;
	st->st_ino = va->va_fileid;
	st->st_mode = vtype_to_ifmt(va->va_type) | (va->va_mode & 07777);
	st->st_nlink = va->va_nlink;
	st->st_uid = va->va_uid;
	st->st_gid = va->va_gid;
	st->st_rdev = va->va_rdev;
	st->st_size = (off_t)va->va_size;
	if (vp->v_type == VREG && vp->v_disk != NULL)
		st->st_size = (off_t)disk_nodesize(vp);	/* etfs: the host file's */
	st->st_blksize = va->va_blocksize;
	st->st_blocks = (blkcnt_t)(va->va_bytes / 512);
	st->st_atim = va->va_atime;
	st->st_mtim = va->va_mtime;
	st->st_ctim = va->va_ctime;
}

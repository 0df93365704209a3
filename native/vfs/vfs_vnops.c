/*
 * Files that are vnodes: open(2)'s work (vn_open) and the file operations
 * of regular files, directories, devices and FIFOs.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/systm.h"
#include "sys/device.h"
#include "sys/disk.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/lockf.h"
#include "sys/pipe.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

/* ------------------------------------------------------------ FIFOs */

/*
 * Open a FIFO end as Linux does: a reader waits for a writer and a writer
 * for a reader, unless non-blocking (then a lone writer gets ENXIO).
 * The VFS lock is held, and dropped while waiting.
 */
static int
fifo_open(struct rump_kernel *k, struct vnode *vp, int fflag, bool nonblock)
{
	struct pipe *pp;
	int error = 0;

	if (vp->v_fifo == NULL) {
		if ((error = pipe_create(k, &vp->v_fifo)) != 0)
			return error;
	}
	pp = vp->v_fifo;
	mutex_enter(&pp->pipe_lock);
	if ((fflag & (FREAD | FWRITE)) == FWRITE && pp->pipe_readers == 0 &&
	    nonblock) {
		mutex_exit(&pp->pipe_lock);
		error = ENXIO;
		goto undo;
	}
	mutex_exit(&pp->pipe_lock);
	pipe_open_end(pp, fflag & (FREAD | FWRITE));
	if ((fflag & (FREAD | FWRITE)) == (FREAD | FWRITE) || nonblock)
		return 0;

	/* wait for the other side */
	mutex_enter(&pp->pipe_lock);
	unsigned gen = (fflag & FREAD) ? pp->pipe_wgen : pp->pipe_rgen;
	bool need = (fflag & FREAD) ? pp->pipe_writers == 0 :
	    pp->pipe_readers == 0;
	if (need && (curlwp->l_flag & LW_NOSLEEP)) {
		mutex_exit(&pp->pipe_lock);
		error = EAGAIN;
		goto close;
	}
	if (need) {
		vfs_exit(k);
		while (((fflag & FREAD) ? pp->pipe_wgen : pp->pipe_rgen) == gen)
			if ((error = lwp_sleep(&pp->pipe_cv, &pp->pipe_lock,
			    -1)) != 0)
				break;
		mutex_exit(&pp->pipe_lock);
		vfs_enter(k);
		if (error != 0)
			goto close;
	} else {
		mutex_exit(&pp->pipe_lock);
	}
	return 0;

close:
	if (pipe_close_end(pp, fflag & (FREAD | FWRITE))) {
		pipe_destroy(pp);
		vp->v_fifo = NULL;
	}
	return error;
undo:
	mutex_enter(&pp->pipe_lock);
	bool unused = pp->pipe_readers == 0 && pp->pipe_writers == 0;
	mutex_exit(&pp->pipe_lock);
	if (unused) {
		pipe_destroy(pp);
		vp->v_fifo = NULL;
	}
	return error;
}

static void
fifo_close(struct vnode *vp, int fflag)
{
	if (pipe_close_end(vp->v_fifo, fflag & (FREAD | FWRITE))) {
		pipe_destroy(vp->v_fifo);
		vp->v_fifo = NULL;
	}
}

/* ------------------------------------------------------------ open */

/* The attributes a new node gets: owner, the setgid directory's group. */
void
vn_newattr(struct vnode *dvp, kauth_cred_t cr, enum vtype type, mode_t mode,
    struct vattr *va)
{
	struct vattr dva;

	memset(va, 0, sizeof(*va));
	va->va_type = type;
	va->va_mode = mode & 07777;
	va->va_uid = cr->cr_fsuid;
	va->va_gid = cr->cr_fsgid;
	if (dvp->v_op->vop_getattr(dvp, &dva) == 0 && (dva.va_mode & S_ISGID)) {
		va->va_gid = dva.va_gid;
		if (type == VDIR)
			va->va_mode |= S_ISGID;
		else if ((va->va_mode & (S_ISGID | S_IXGRP)) ==
		    (S_ISGID | S_IXGRP) && cr->cr_euid != 0 &&
		    !kauth_cred_groupmember(cr, va->va_gid))
			va->va_mode &= ~(mode_t)S_ISGID;	/* as Linux */
	}
}

/*
 * The mode a regular file keeps when an unprivileged caller writes it,
 * truncates it or allocates in it: set-user-ID goes, and set-group-ID
 * where group execute is set (without it the bit means mandatory locking).
 * As Linux's file_remove_privs; a privileged caller (CAP_FSETID) keeps both.
 */
mode_t
vn_killpriv_mode(kauth_cred_t cr, mode_t mode)
{
	if (kauth_cred_privileged(cr))
		return mode;
	mode &= ~(mode_t)S_ISUID;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		mode &= ~(mode_t)S_ISGID;
	return mode;
}

/* Drop vp's set-ID bits before the calling process modifies its data. */
int
vn_killpriv(struct vnode *vp)
{
	struct vattr va, nva;
	kauth_cred_t cr;
	mode_t m;
	int error;

	if (vp->v_type != VREG ||
	    (error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return 0;
	if (!(va.va_mode & (S_ISUID | S_ISGID)))
		return 0;
	cr = kauth_cred_get_proc(curlwp->l_proc);
	m = vn_killpriv_mode(cr, va.va_mode & 07777);
	kauth_cred_free(curlwp->l_proc->p_kernel, cr);
	if (m == (va.va_mode & 07777))
		return 0;
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_MODE | VA_CTIME;
	nva.va_mode = m;
	vfs_gettime(&nva.va_ctime);
	return vp->v_op->vop_setattr(vp, &nva);
}

static mode_t
proc_umask(struct proc *p)
{
	mode_t m;

	mutex_enter(&p->p_lock);
	m = p->p_umask;
	mutex_exit(&p->p_lock);
	return m;
}

/* Check and open vp for fflag (it stays held by the file on success). */
static int
vn_openvp(struct lwp *l, struct vnode *vp, int flags, int fflag,
    kauth_cred_t cr, bool created)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	int mode = 0, error;

	if (flags & O_PATH)
		return 0;
	if (vp->v_type == VLNK)
		return ELOOP;
	if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		return ENOTDIR;
	if (vp->v_type == VSOCK)
		return ENXIO;
	if (vp->v_type == VDIR && (fflag & (FWRITE | FNOACC)))
		return EISDIR;
	if (!created) {
		if (fflag & (FREAD | FNOACC))
			mode |= VREAD;
		if ((fflag & (FWRITE | FNOACC)) || (flags & O_TRUNC))
			mode |= VWRITE;
		if ((error = vn_access(vp, mode, cr)) != 0)
			return error;
	}
	if ((fflag & FWRITE) && (vp->v_mount->mnt_flag & MS_RDONLY) &&
	    (vp->v_type == VREG || vp->v_type == VDIR))
		return EROFS;
	switch (vp->v_type) {
	case VCHR: {
		const struct cdevsw *d;
		struct vattr va;

		if (vp->v_mount->mnt_flag & MS_NODEV)
			return EACCES;
		if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
			return error;
		if ((d = cdev_lookup(va.va_rdev)) == NULL)
			return ENXIO;
		if (d->d_open != NULL && (error = d->d_open(k, fflag)) != 0)
			return error;
		break;
	}
	case VBLK:
		return bdev_open(vp, fflag);
	case VFIFO:
		return fifo_open(k, vp, fflag, (flags & O_NONBLOCK) != 0);
	case VREG:
		if ((flags & O_TRUNC) && !created) {
			struct vattr va = { .va_mask = VA_SIZE | VA_MTIME | VA_CTIME };

			vfs_gettime(&va.va_mtime);
			va.va_ctime = va.va_mtime;
			va.va_size = 0;
			if ((error = vp->v_op->vop_setattr(vp, &va)) != 0)
				return error;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The access mode as f_flag bits; 3 (O_ACCMODE) is Linux's "ioctl only". */
static int
open_fflag(int acc)
{
	switch (acc) {
	case O_RDONLY: return FREAD;
	case O_WRONLY: return FWRITE;
	case O_RDWR: return FREAD | FWRITE;
	default: return FNOACC;
	}
}

int
vn_open(struct lwp *l, int dirfd, const char *path, int flags, mode_t cmode,
    struct file **fpp)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	struct nameidata nd;
	struct vnode *vp;
	kauth_cred_t cr;
	bool created = false;
	int acc = flags & O_ACCMODE, fflag, error;

	if (flags & O_PATH) {
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		fflag = FPATH | (flags & (O_DIRECTORY | O_NOFOLLOW));
	} else {
		if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
			return EINVAL;
		/* glibc's __O_TMPFILE includes O_DIRECTORY: test the bit alone */
		if ((flags & (O_TMPFILE & ~O_DIRECTORY)) &&
		    ((flags & O_TMPFILE) != O_TMPFILE || acc == O_RDONLY))
			return EINVAL;
		if (flags & (O_TMPFILE & ~O_DIRECTORY))
			return EOPNOTSUPP;	/* see docs/deviations.md */
		fflag = open_fflag(acc) | (flags & (O_APPEND | O_NONBLOCK | O_SYNC |
		    O_DSYNC | O_DIRECT | O_NOATIME | O_DIRECTORY | O_NOFOLLOW)) |
		    KO_LARGEFILE;
		/* Linux: O_EXCL without O_CREAT claims a block device */
		if ((flags & (O_EXCL | O_CREAT)) == O_EXCL)
			fflag |= FEXCL;
	}
	cr = kauth_cred_get_proc(p);
	nd.ni_dirfd = dirfd;
	nd.ni_path = path;
	nd.ni_cred = cr;
	nd.ni_flags = 0;
	if (!(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL)))
		nd.ni_flags |= NAMEI_FOLLOW;
	if ((flags & O_CREAT) && !(flags & O_PATH))
		nd.ni_flags |= NAMEI_PARENT | NAMEI_CREATE;
	vfs_enter(k);
	if ((error = namei(l, &nd)) != 0)
		goto out;
	if (nd.ni_flags & NAMEI_PARENT) {
		if (nd.ni_lasttype == LAST_NORM && nd.ni_slash) {
			error = EISDIR;	/* O_CREAT names a file, never "x/" */
			namei_done(&nd);
			goto out;
		}
		if (nd.ni_lasttype != LAST_NORM) {
			error = nd.ni_vp != NULL && nd.ni_vp->v_type == VDIR &&
			    (flags & O_EXCL) ? EEXIST : EISDIR;
			namei_done(&nd);
			goto out;
		}
		if (nd.ni_vp == NULL) {
			struct vattr va;

			if (vn_dead(nd.ni_dvp)) {
				error = ENOENT;
			} else if ((error = vn_access(nd.ni_dvp, VWRITE | VEXEC,
			    cr)) == 0 &&
			    (nd.ni_dvp->v_mount->mnt_flag & MS_RDONLY)) {
				error = EROFS;
			}
			if (error == 0) {
				vn_newattr(nd.ni_dvp, cr, VREG,
				    cmode & ~proc_umask(p), &va);
				error = nd.ni_dvp->v_op->vop_create(nd.ni_dvp,
				    nd.ni_name, nd.ni_namelen, &va, &nd.ni_vp);
				created = true;
			}
			if (error != 0) {
				namei_done(&nd);
				goto out;
			}
		} else if (flags & O_EXCL) {
			error = EEXIST;
			namei_done(&nd);
			goto out;
		} else if (nd.ni_vp->v_type == VDIR) {
			error = EISDIR;
			namei_done(&nd);
			goto out;
		}
		vrele(nd.ni_dvp);
		nd.ni_dvp = NULL;
	}
	vp = nd.ni_vp;
	if (vp->v_type == VLNK && !(flags & O_PATH)) {
		error = ELOOP;
		vrele(vp);
		goto out;
	}
	if ((error = vn_openvp(l, vp, flags, fflag, cr, created)) != 0) {
		vrele(vp);
		goto out;
	}
	error = falloc(k, &vnops, vp, fflag, cr, fpp);
	if (error != 0) {
		if (vp->v_type == VFIFO && !(fflag & FPATH))
			fifo_close(vp, fflag);
		if (vp->v_type == VBLK && !(fflag & FPATH))
			bdev_close(vp, fflag);
		vrele(vp);
	}
out:
	vfs_exit(k);
	kauth_cred_free(k, cr);
	return error;
}

/* ------------------------------------------------------------ file ops */

static int
vn_rw(struct file *fp, struct uio *uio, int flags, bool write)
{
	struct vnode *vp = fp->f_data;
	struct rump_kernel *k = fp->f_kernel;
	int fflag = atomic_load(&fp->f_flag), error, ioflag = 0;

	if (vp->v_type == VFIFO && !(flags & FOF_UPDATE_OFFSET))
		return ESPIPE;
	if (vp->v_type == VFIFO)
		return write ? pipe_write(vp->v_fifo, uio, fnonblock(fp)) :
		    pipe_read(vp->v_fifo, uio, fnonblock(fp));
	if (vp->v_type == VCHR) {
		struct vattr va;
		const struct cdevsw *d;

		vfs_enter(k);
		error = vp->v_op->vop_getattr(vp, &va);
		vfs_exit(k);
		if (error != 0)
			return error;
		if ((d = cdev_lookup(va.va_rdev)) == NULL)
			return ENXIO;
		return write ? d->d_write(k, uio) : d->d_read(k, uio);
	}
	vfs_enter(k);
	if (flags & FOF_UPDATE_OFFSET)
		uio->uio_offset = fp->f_offset;
	if ((off_t)((uint64_t)uio->uio_offset + uio->uio_resid) < 0) {
		vfs_exit(k);
		return EINVAL;	/* the range would pass the largest offset */
	}
	if (vp->v_type == VBLK) {
		error = bdev_rw(vp, uio, write);
	} else if (vp->v_disk != NULL) {
		error = etfs_rw(vp, uio, write, (fflag & O_APPEND) != 0);
	} else if (write) {
		if (fflag & O_APPEND)
			ioflag |= IO_APPEND;
		error = uio->uio_resid > 0 ? vn_killpriv(vp) : 0;
		if (error == 0)
			error = vp->v_op->vop_write(vp, uio, ioflag);
	} else {
		if (fflag & O_NOATIME)
			ioflag |= IO_NOATIME;
		error = vp->v_op->vop_read(vp, uio, ioflag);
	}
	if (flags & FOF_UPDATE_OFFSET)
		fp->f_offset = uio->uio_offset;
	vfs_exit(k);
	return error;
}

static int
vn_read(struct file *fp, struct uio *uio, int flags)
{
	return vn_rw(fp, uio, flags, false);
}

static int
vn_write(struct file *fp, struct uio *uio, int flags)
{
	return vn_rw(fp, uio, flags, true);
}

static int
vn_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct vnode *vp = fp->f_data;
	struct vattr va;
	int error;

	if (vp->v_type == VFIFO) {
		if (cmd != FIONREAD)
			return ENOTTY;
		*(int *)data = (int)pipe_nread(vp->v_fifo);
		return 0;
	}
	if (vp->v_type == VBLK) {
		vfs_enter(fp->f_kernel);
		error = bdev_ioctl(vp, cmd, data);
		vfs_exit(fp->f_kernel);
		return error;
	}
	if (vp->v_type != VREG || cmd != FIONREAD)
		return ENOTTY;
	vfs_enter(fp->f_kernel);
	error = vp->v_op->vop_getattr(vp, &va);
	if (error == 0) {
		off_t n = (off_t)va.va_size - fp->f_offset;

		*(int *)data = n < 0 ? 0 : n > INT32_MAX ? INT32_MAX : (int)n;
	}
	vfs_exit(fp->f_kernel);
	return error;
}

static int
vn_poll(struct file *fp, int events, struct pollctx *pc)
{
	struct vnode *vp = fp->f_data;

	if (vp->v_type == VFIFO)
		return pipe_poll(vp->v_fifo, atomic_load(&fp->f_flag), events, pc);
	return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

static int
vn_statfile(struct file *fp, struct stat *st)
{
	struct vnode *vp = fp->f_data;
	struct vattr va;
	int error;

	vfs_enter(fp->f_kernel);
	if ((error = vp->v_op->vop_getattr(vp, &va)) == 0)
		vn_stat_fill(vp, &va, st);
	vfs_exit(fp->f_kernel);
	return error;
}

static int
vn_seek(struct file *fp, off_t off, int whence, off_t *newoff)
{
	struct vnode *vp = fp->f_data;
	struct vattr va;
	off_t base, n;
	int error = 0;

	if (vp->v_type == VFIFO)
		return ESPIPE;
	if (vp->v_type == VCHR) {
		*newoff = 0;	/* the memory devices ignore positions */
		return 0;
	}
	vfs_enter(fp->f_kernel);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = fp->f_offset;
		break;
	case SEEK_END:
		if (vp->v_type == VDIR) {
			error = EINVAL;
			goto out;
		}
		if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
			goto out;
		base = vp->v_disk != NULL ? (off_t)disk_nodesize(vp) :
		    (off_t)va.va_size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (vp->v_type != VREG || vp->v_op->vop_seekdata == NULL) {
			error = EINVAL;
			goto out;
		}
		if (off < 0) {
			error = ENXIO;
			goto out;
		}
		n = off;
		if ((error = vp->v_op->vop_seekdata(vp, whence, &n)) == 0)
			*newoff = fp->f_offset = n;
		goto out;
	default:
		error = EINVAL;
		goto out;
	}
	if (__builtin_add_overflow(base, off, &n)) {
		error = EINVAL;		/* past the largest offset, as Linux */
		goto out;
	}
	if (n < 0) {
		error = EINVAL;
		goto out;
	}
	*newoff = fp->f_offset = n;
out:
	vfs_exit(fp->f_kernel);
	return error;
}

static void
vn_closefile(struct file *fp)
{
	struct vnode *vp = fp->f_data;
	struct rump_kernel *k = fp->f_kernel;
	bool took = vfs_enter_unless_held(k);

	lf_flock_release(vp, fp);
	if (vp->v_type == VFIFO && !(atomic_load(&fp->f_flag) & FPATH))
		fifo_close(vp, atomic_load(&fp->f_flag));
	if (vp->v_type == VBLK && !(atomic_load(&fp->f_flag) & FPATH))
		bdev_close(vp, atomic_load(&fp->f_flag));
	vrele(vp);
	if (took)
		vfs_exit(k);
}

const struct fileops vnops = {
	.fo_name = "vnode",
	.fo_read = vn_read,
	.fo_write = vn_write,
	.fo_ioctl = vn_ioctl,
	.fo_poll = vn_poll,
	.fo_stat = vn_statfile,
	.fo_seek = vn_seek,
	.fo_close = vn_closefile,
	.fo_flags = FO_POSITIONED,
};

void
vn_fd_closed(struct proc *p, struct file *fp)
{
	if (fp->f_ops != &vnops || (atomic_load(&fp->f_flag) & FPATH))
		return;
	vfs_enter(fp->f_kernel);
	lf_posix_release(fp->f_data, p);
	vfs_exit(fp->f_kernel);
}

/*
 * Block device nodes and etfs files as the VFS sees them: opening a disk's
 * node (from open(2) or from a file system's mount), and the I/O of open
 * descriptors.  Descriptor I/O goes straight to the host file, not through
 * the buffer cache: dirty buffers in the range are written first, and a
 * write drops the buffers it overlaps, so both views stay coherent.
 * Callers hold the VFS lock.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

int
bdev_open(struct vnode *vp, int fflag)
{
	struct rump_kernel *k = vp->v_mount->mnt_kernel;
	struct rump_disk *d;
	struct vattr va;
	int error;

	if (vp->v_mount->mnt_flag & MS_NODEV)
		return EACCES;
	if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
		return error;
	if ((d = disk_lookup_dev(k, va.va_rdev)) == NULL)
		return ENXIO;
	/* Linux: EACCES for write access to a read-only block device */
	if ((fflag & FWRITE) && d->d_rdonly)
		return EACCES;
	/* Linux: a mounted device cannot be claimed again (mount, O_EXCL) */
	if ((fflag & FEXCL) && d->d_excl)
		return EBUSY;
	KASSERT(vp->v_diskopen == 0 || vp->v_disk == d);
	if (fflag & FEXCL)
		d->d_excl = true;
	d->d_opens++;
	vp->v_disk = d;
	vp->v_diskopen++;
	return 0;
}

void
bdev_close(struct vnode *vp, int fflag)
{
	struct rump_disk *d = vp->v_disk;

	KASSERT(vp->v_type == VBLK && d != NULL && vp->v_diskopen > 0 &&
	    d->d_opens > 0);
	if (fflag & FEXCL)
		d->d_excl = false;
	d->d_opens--;
	/* no pointer to the disk outlives the opens: it may be detached */
	if (--vp->v_diskopen == 0)
		vp->v_disk = NULL;
}

int
vfs_getdevvp(struct lwp *l, const char *source, int fflag,
    struct vnode **devvpp)
{
	struct nameidata nd;
	int error;

	if (source == NULL)
		return ENOTBLK;
	memset(&nd, 0, sizeof(nd));
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = source;
	nd.ni_flags = NAMEI_FOLLOW;
	nd.ni_cred = kauth_cred_get_proc(l->l_proc);
	if ((error = namei(l, &nd)) == 0) {
		if (nd.ni_vp->v_type != VBLK)
			error = ENOTBLK;
		else if ((error = vn_access(nd.ni_vp, (fflag & FWRITE) ?
		    VREAD | VWRITE : VREAD, nd.ni_cred)) == 0)
			error = bdev_open(nd.ni_vp, fflag | FEXCL);
		if (error == 0) {
			*devvpp = nd.ni_vp;
			nd.ni_vp = NULL;
		}
		namei_done(&nd);
	}
	kauth_cred_free(l->l_proc->p_kernel, nd.ni_cred);
	return error;
}

void
vfs_putdevvp(struct vnode *devvp)
{
	bdev_close(devvp, FEXCL);
	vrele(devvp);
}

/* Move n bytes of the uio along (the data went elsewhere). */
static void
uio_advance(struct uio *uio, size_t n)
{
	uio->uio_resid -= n;
	uio->uio_offset += (off_t)n;
	uio->uio_iov->iov_base = (char *)uio->uio_iov->iov_base + n;
	uio->uio_iov->iov_len -= n;
}

/*
 * Transfer between the disk and the uio, at most limit bytes from the
 * uio's offset on; *done says how many moved.
 */
static int
disk_uio(struct rump_disk *d, struct uio *uio, bool write, uint64_t limit,
    size_t *done)
{
	int error = 0;

	*done = 0;
	while (uio->uio_resid > 0 && uio->uio_iovcnt > 0 && limit > 0) {
		struct iovec *iov = uio->uio_iov;
		uint64_t off = (uint64_t)uio->uio_offset;
		size_t n = MIN(MIN(iov->iov_len, uio->uio_resid), limit);

		if (n == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (iov->iov_base == NULL)
			return EFAULT;
		if (d->d_kind == DISK_BLK &&
		    (error = bio_sync_range(d, off, n, write)) != 0)
			break;
		if ((error = disk_io(d, write, off, iov->iov_base, n)) != 0)
			break;
		uio_advance(uio, n);
		limit -= n;
		*done += n;
	}
	return error;
}

/* As Linux's block devices: short at the end, ENOSPC for writes past it. */
int
bdev_rw(struct vnode *vp, struct uio *uio, bool write)
{
	struct rump_disk *d = vp->v_disk;
	uint64_t off = (uint64_t)uio->uio_offset;
	size_t done;
	int error;

	if (off >= d->d_size)
		return write && uio->uio_resid > 0 ? ENOSPC : 0;
	error = disk_uio(d, uio, write, d->d_size - off, &done);
	return done > 0 ? 0 : error;
}

int
etfs_rw(struct vnode *vp, struct uio *uio, bool write, bool append)
{
	struct rump_disk *d = vp->v_disk;
	size_t done;
	int error;

	if (!write) {
		if ((uint64_t)uio->uio_offset >= d->d_size)
			return 0;
		error = disk_uio(d, uio, false,
		    d->d_size - (uint64_t)uio->uio_offset, &done);
		return done > 0 ? 0 : error;
	}
	if (append)
		uio->uio_offset = (off_t)d->d_size;
	error = disk_uio(d, uio, true, UINT64_MAX, &done);
	if ((uint64_t)uio->uio_offset > d->d_size)
		d->d_size = (uint64_t)uio->uio_offset;
	return done > 0 ? 0 : error;
}

int
bdev_ioctl(struct vnode *vp, unsigned long cmd, void *data)
{
	struct rump_disk *d = vp->v_disk;
	uint64_t size64;
	unsigned long sectors;
	int v;

	switch (cmd) {
	case BLKGETSIZE64:
		size64 = d->d_size;
		return copyout(&size64, data, sizeof(size64));
	case BLKGETSIZE:
		sectors = (unsigned long)(d->d_size >> DEV_BSHIFT);
		return copyout(&sectors, data, sizeof(sectors));
	case BLKSSZGET:
	case BLKPBSZGET:
		v = DEV_BSIZE;
		return copyout(&v, data, sizeof(v));
	case BLKROGET:
		v = d->d_rdonly;
		return copyout(&v, data, sizeof(v));
	case BLKFLSBUF:
		return bio_flushdisk(d);
	default:
		return ENOTTY;
	}
}

int
bdev_fsync(struct vnode *vp)
{
	struct rump_disk *d = vp->v_disk;

	if (d->d_kind == DISK_BLK)
		return bio_flushdisk(d);
	return disk_syncfd(d);
}

uint64_t
disk_nodesize(struct vnode *vp)
{
	return vp->v_disk->d_size;
}

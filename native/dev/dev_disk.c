/*
 * Disks on host files: a whole file or a byte range of it (a partition of
 * an image) as a block device of 512-byte sectors, and etfs, host files
 * shown at a kernel path.  Attaching creates the node in the root file
 * system; the disk itself lives until it is detached, which removes the node
 * and closes the host file (refused while a descriptor or a mount has it
 * open), or until its kernel halts.
 */
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/vnode.h"

#define DISK_GID	6	/* the "disk" group, as Debian's /dev/loop* */

/* Past the last byte of a block device, or an overflowing range? */
static bool
disk_beyond(struct rump_disk *d, uint64_t off, size_t len)
{
	return d->d_kind == DISK_BLK && (off > d->d_size ||
	    len > d->d_size - off);
}

int
disk_iov(struct rump_disk *d, bool write, uint64_t off, struct iovec *iov,
    int cnt)
{
	size_t len = 0;
	int error;

	for (int i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	if (write && d->d_rdonly)
		return EROFS;
	if (disk_beyond(d, off, len)) {
		klog(d->d_kernel, "%s: I/O beyond the end (%zu bytes at %llu)",
		    d->d_key, len, (unsigned long long)off);
		return EIO;
	}
	while (len > 0) {
		int64_t at = (int64_t)(d->d_offset + off);
		size_t n = 0;

		error = write ? rumpuser_iovwrite(d->d_fd, iov, cnt, at, &n) :
		    rumpuser_iovread(d->d_fd, iov, cnt, at, &n);
		/* a caller's bad buffer (a direct read) is no disk error */
		if (error == EFAULT)
			return EFAULT;
		if (error != 0) {
			klog(d->d_kernel, "%s: host %s error %d at byte %llu",
			    d->d_key, write ? "write" : "read", error,
			    (unsigned long long)off);
			return EIO;
		}
		if (n == 0) {
			if (write)
				return EIO;
			for (int i = 0; i < cnt; i++)	/* the host file shrank */
				memset(iov[i].iov_base, 0, iov[i].iov_len);
			return 0;
		}
		off += n;
		len -= n;
		/* a short transfer: step over what was done */
		while (cnt > 0 && n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

int
disk_io(struct rump_disk *d, bool write, uint64_t off, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return disk_iov(d, write, off, &iov, 1);
}

int
disk_syncfd(struct rump_disk *d)
{
	if (d->d_rdonly)
		return 0;
	return rumpuser_syncfd(d->d_fd, RUMPUSER_SYNC_DATA) == 0 ? 0 : EIO;
}

struct rump_disk *
disk_lookup_dev(struct rump_kernel *k, dev_t dev)
{
	struct rump_disk *d;

	LIST_FOREACH(d, &k->k_disks, d_list)
		if (d->d_kind == DISK_BLK && d->d_dev == dev)
			return d;
	return NULL;
}

static struct rump_disk *
disk_lookup_key(struct rump_kernel *k, const char *key)
{
	struct rump_disk *d;

	LIST_FOREACH(d, &k->k_disks, d_list)
		if (strcmp(d->d_key, key) == 0)
			return d;
	return NULL;
}

static void
disk_free(struct rump_kernel *k, struct rump_disk *d)
{
	(void)rumpuser_close(d->d_fd);
	kmem_free(k, d->d_key, d->d_keylen);
	kmem_free(k, d, sizeof(*d));
}

void
disk_fini(struct rump_kernel *k)
{
	struct rump_disk *d;

	while ((d = LIST_FIRST(&k->k_disks)) != NULL) {
		LIST_REMOVE(d, d_list);
		(void)disk_syncfd(d);
		disk_free(k, d);
	}
}

/* Create the node of d at its key; VFS lock held, l bound to pid 1. */
static int
disk_mknode(struct lwp *l, struct rump_disk *d)
{
	struct rump_kernel *k = d->d_kernel;
	struct nameidata nd;
	struct vattr va;
	struct vnode *vp;
	int error;

	memset(&nd, 0, sizeof(nd));
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = d->d_key;
	nd.ni_flags = NAMEI_PARENT | NAMEI_CREATE;
	nd.ni_cred = kauth_cred_get_proc(l->l_proc);
	if ((error = namei(l, &nd)) != 0)
		goto out;
	if (nd.ni_lasttype != LAST_NORM || nd.ni_slash)
		error = EINVAL;
	else if (nd.ni_vp != NULL)
		error = EEXIST;
	else if (nd.ni_dvp->v_mount != k->k_rootvnode->v_mount)
		error = EXDEV;		/* nodes live in the root file system */
	if (error == 0) {
		memset(&va, 0, sizeof(va));
		va.va_type = d->d_kind == DISK_BLK ? VBLK : VREG;
		va.va_mode = d->d_kind == DISK_BLK ? 0660 : 0644;
		va.va_gid = d->d_kind == DISK_BLK ? DISK_GID : 0;
		va.va_rdev = d->d_kind == DISK_BLK ? d->d_dev : 0;
		error = nd.ni_dvp->v_op->vop_create(nd.ni_dvp, nd.ni_name,
		    nd.ni_namelen, &va, &vp);
		if (error == 0) {
			/* a block device's vnode points at its disk while open */
			if (d->d_kind == DISK_ETFS_REG)
				vp->v_disk = d;
			vrele(vp);
		}
	}
	namei_done(&nd);
out:
	kauth_cred_free(k, nd.ni_cred);
	return error;
}

/*
 * Remove the node of d at its key, if it is still there and still names d
 * (it may have been removed or renamed, or replaced by another file: then
 * that is left alone).  VFS lock held, l bound to pid 1.
 */
static void
disk_rmnode(struct lwp *l, struct rump_disk *d)
{
	struct rump_kernel *k = d->d_kernel;
	struct nameidata nd;
	struct vattr va;

	memset(&nd, 0, sizeof(nd));
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = d->d_key;
	nd.ni_flags = NAMEI_PARENT;
	nd.ni_cred = kauth_cred_get_proc(l->l_proc);
	if (namei(l, &nd) == 0) {
		if (nd.ni_lasttype == LAST_NORM && nd.ni_vp != NULL &&
		    nd.ni_vp->v_type == VBLK &&
		    nd.ni_dvp->v_mount == k->k_rootvnode->v_mount &&
		    nd.ni_vp->v_op->vop_getattr(nd.ni_vp, &va) == 0 &&
		    va.va_rdev == d->d_dev)
			(void)nd.ni_dvp->v_op->vop_remove(nd.ni_dvp, nd.ni_name,
			    nd.ni_namelen, nd.ni_vp);
		namei_done(&nd);
	}
	kauth_cred_free(k, nd.ni_cred);
}

/* Open the host file; an etfs file falls back to read-only. */
static int
disk_hostopen(const char *hostpath, enum disk_kind kind, bool *rdonly,
    int *fdp)
{
	int error;

	if (*rdonly)
		return rumpuser_open(hostpath, RUMPUSER_OPEN_RDONLY, fdp);
	error = rumpuser_open(hostpath, RUMPUSER_OPEN_RDWR, fdp);
	if ((error == EACCES || error == EROFS) && kind == DISK_ETFS_REG) {
		*rdonly = true;
		error = rumpuser_open(hostpath, RUMPUSER_OPEN_RDONLY, fdp);
	}
	return error;
}

/* Check the host file and the range; fills d's size and offset. */
static int
disk_range(const char *hostpath, enum disk_kind kind, uint64_t offset,
    uint64_t size, bool whole, uint64_t *offp, uint64_t *sizep)
{
	uint64_t hsize;
	int type, error;

	if ((error = rumpuser_getfileinfo(hostpath, &hsize, &type)) != 0)
		return error;
	if (type == RUMPUSER_FT_DIR)
		return EISDIR;
	if (type != RUMPUSER_FT_REG && !(type == RUMPUSER_FT_BLK &&
	    kind == DISK_BLK))
		return EINVAL;
	if (whole) {
		offset = 0;
		size = hsize;
	} else if (offset % DEV_BSIZE != 0 || offset > hsize ||
	    size > hsize - offset) {
		return EINVAL;
	}
	if (kind == DISK_BLK)
		size &= ~(uint64_t)(DEV_BSIZE - 1);
	*offp = offset;
	*sizep = size;
	return 0;
}

/* The calling thread acts in k's pid 1 for the call. */
static int
disk_bind(struct rump_kernel *k, struct lwp **lp, struct lwp **savep)
{
	int error;

	*savep = curlwp;
	if ((error = lwp_create(k->k_initproc, 0, lp)) != 0)
		return error;
	curlwp = *lp;
	return 0;
}

static void
disk_unbind(struct lwp *l, struct lwp *save)
{
	lwp_free(l);
	curlwp = save;
}

int
disk_attach(struct rump_kernel *k, const char *key, const char *hostpath,
    enum disk_kind kind, bool rdonly, uint64_t offset, uint64_t size,
    bool whole)
{
	struct rump_disk *d;
	struct lwp *l, *save;
	int error;

	if (key == NULL || hostpath == NULL || key[0] != '/')
		return EINVAL;
	if ((error = disk_range(hostpath, kind, offset, size, whole, &offset,
	    &size)) != 0)
		return error;
	if ((d = kmem_zalloc(k, sizeof(*d))) == NULL)
		return ENOMEM;
	if ((d->d_key = kmem_strdup(k, key, &d->d_keylen)) == NULL) {
		kmem_free(k, d, sizeof(*d));
		return ENOMEM;
	}
	d->d_kernel = k;
	d->d_kind = kind;
	d->d_offset = offset;
	d->d_size = size;
	d->d_rdonly = rdonly;
	if ((error = disk_hostopen(hostpath, kind, &d->d_rdonly,
	    &d->d_fd)) != 0) {
		kmem_free(k, d->d_key, d->d_keylen);
		kmem_free(k, d, sizeof(*d));
		return error;
	}
	if ((error = disk_bind(k, &l, &save)) != 0) {
		disk_free(k, d);
		return error;
	}
	vfs_enter(k);
	if (disk_lookup_key(k, key) != NULL) {
		error = EEXIST;
	} else {
		if (kind == DISK_BLK)
			d->d_dev = makedev(DISK_MAJOR, k->k_ndisks);
		if ((error = disk_mknode(l, d)) == 0) {
			if (kind == DISK_BLK)
				k->k_ndisks++;
			LIST_INSERT_HEAD(&k->k_disks, d, d_list);
		}
	}
	vfs_exit(k);
	disk_unbind(l, save);
	if (error != 0)
		disk_free(k, d);
	return error;
}

int
rump_disk_attach(struct rump_kernel *k, const char *key, const char *hostpath,
    int flags)
{
	if (k == NULL || (flags & ~RUMP_DISK_RDONLY))
		return EINVAL;
	return disk_attach(k, key, hostpath, DISK_BLK,
	    (flags & RUMP_DISK_RDONLY) != 0, 0, 0, true);
}

int
rump_disk_attach_range(struct rump_kernel *k, const char *key,
    const char *hostpath, int flags, uint64_t offset, uint64_t size)
{
	if (k == NULL || (flags & ~RUMP_DISK_RDONLY))
		return EINVAL;
	return disk_attach(k, key, hostpath, DISK_BLK,
	    (flags & RUMP_DISK_RDONLY) != 0, offset, size, false);
}

int
rump_etfs_register(struct rump_kernel *k, const char *key,
    const char *hostpath, int type)
{
	if (k == NULL)
		return EINVAL;
	switch (type) {
	case RUMP_ETFS_REG:
		return disk_attach(k, key, hostpath, DISK_ETFS_REG, false, 0, 0,
		    true);
	case RUMP_ETFS_BLK:
		return disk_attach(k, key, hostpath, DISK_BLK, false, 0, 0,
		    true);
	default:
		return EINVAL;
	}
}

int
rump_disk_detach(struct rump_kernel *k, const char *key)
{
	struct rump_disk *d;
	struct lwp *l, *save;
	int error;

	if (k == NULL || key == NULL)
		return EINVAL;
	if ((error = disk_bind(k, &l, &save)) != 0)
		return error;
	vfs_enter(k);
	if ((d = disk_lookup_key(k, key)) == NULL) {
		error = ENOENT;
	} else if (d->d_kind != DISK_BLK) {
		error = EINVAL;		/* etfs files stay until halt */
	} else if (d->d_opens > 0) {
		error = EBUSY;		/* mounted, or open descriptors */
	} else {
		/*
		 * Nothing has it open, so nothing can make buffers of it while
		 * the VFS lock is held; write back and drop what is left.
		 */
		error = bio_sync_range(d, 0, UINT64_MAX / 2, true);
		if (error == 0)
			error = bio_flushdisk(d);
		if (error == 0) {
			disk_rmnode(l, d);
			LIST_REMOVE(d, d_list);
		}
	}
	vfs_exit(k);
	disk_unbind(l, save);
	if (error == 0)
		disk_free(k, d);
	return error;
}

int
rump_disk_fault(struct rump_kernel *k, const char *key, int op, unsigned nth)
{
	struct rump_disk *d;
	int error;

	if (k == NULL || key == NULL)
		return EINVAL;
	vfs_enter(k);
	d = disk_lookup_key(k, key);
	error = d == NULL ? ENOENT : rumpuser_iofault(d->d_fd,
	    op == RUMP_DISK_FAULT_READ ? RUMPUSER_IOFAULT_READ :
	    op == RUMP_DISK_FAULT_WRITE ? RUMPUSER_IOFAULT_WRITE : 0, nth);
	vfs_exit(k);
	return error;
}

/*
 * Disks: block devices backed by host files (or a byte range of one), and
 * host files mapped into the name space (etfs).  A disk lives from its
 * attach until it is detached (only while nothing has it open) or its
 * kernel halts; its node in the root file system may go earlier.  The
 * kernel's disk list is under the VFS lock, and so are d_opens, d_excl and
 * d_size of an etfs file; the other fields do not change after attach.
 */
#ifndef SYS_DISK_H
#define SYS_DISK_H

#include <sys/queue.h>

#include "sys/systm.h"

struct vnode;
struct uio;
struct lwp;

#define DEV_BSHIFT	9		/* 512-byte sectors */
#define DEV_BSIZE	(1 << DEV_BSHIFT)
#define DISK_MAJOR	7		/* Linux's loop devices */

enum disk_kind { DISK_BLK, DISK_ETFS_REG };

struct rump_disk {
	LIST_ENTRY(rump_disk) d_list;	/* k_disks */
	struct rump_kernel *d_kernel;
	enum disk_kind	d_kind;
	char		*d_key;		/* the kernel path it was attached at */
	size_t		d_keylen;
	int		d_fd;		/* the host file */
	uint64_t	d_offset;	/* where the device starts in it */
	uint64_t	d_size;		/* bytes */
	bool		d_rdonly;
	dev_t		d_dev;
	int		d_werror;	/* a delayed write failed: next sync says EIO */
	unsigned	d_opens;	/* open descriptors and mounts (not O_PATH) */
	bool		d_excl;		/* held exclusively: a mount or an O_EXCL open */
	int64_t		d_nextra;	/* the block after the last breadn (cache lock) */
};

/* dev/dev_disk.c */
/*
 * Transfer len bytes at byte off of the device; EIO on a host error,
 * EFAULT when the host refused the memory.
 */
int	disk_io(struct rump_disk *d, bool write, uint64_t off, void *buf,
	    size_t len);
/* The same for the buffers of iov in turn (iov is used up). */
struct iovec;
int	disk_iov(struct rump_disk *d, bool write, uint64_t off,
	    struct iovec *iov, int cnt);
/* Write the host file's data to stable storage. */
int	disk_syncfd(struct rump_disk *d);
struct rump_disk *disk_lookup_dev(struct rump_kernel *k, dev_t dev);
/* At halt, after the buffer cache has written everything back. */
void	disk_fini(struct rump_kernel *k);
/* Attach a host file at key (VFS lock not held). */
int	disk_attach(struct rump_kernel *k, const char *key, const char *hostpath,
	    enum disk_kind kind, bool rdonly, uint64_t offset, uint64_t size,
	    bool whole);

/* vfs/vfs_bdev.c: block device nodes and etfs files as open files */
/*
 * Open a VBLK node for fflag (FREAD, FWRITE, FEXCL: exclusively, as a mount
 * or an O_EXCL open; EBUSY if another holds the disk so).  Sets vp->v_disk,
 * which stays until the node's last bdev_close.
 */
int	bdev_open(struct vnode *vp, int fflag);
void	bdev_close(struct vnode *vp, int fflag);
int	bdev_rw(struct vnode *vp, struct uio *uio, bool write);
int	bdev_ioctl(struct vnode *vp, unsigned long cmd, void *data);
int	bdev_fsync(struct vnode *vp);
/* An etfs file's reads and writes (VREG with v_disk). */
int	etfs_rw(struct vnode *vp, struct uio *uio, bool write, bool append);
/* The size lseek(SEEK_END) and stat see for a node with a disk. */
uint64_t disk_nodesize(struct vnode *vp);

/*
 * For file systems: the VBLK vnode of an attached disk named by path
 * source, opened exclusively for fflag (FREAD, FREAD|FWRITE), held.
 * ENOTBLK for a node of another type, ENXIO for a node with no disk,
 * EACCES for write access to a read-only disk or a node on a nodev mount,
 * EBUSY for a disk already mounted or opened with O_EXCL.  The VFS lock is
 * held; release with vfs_putdevvp (after the last buffer I/O).
 */
int	vfs_getdevvp(struct lwp *l, const char *source, int fflag,
	    struct vnode **devvpp);
void	vfs_putdevvp(struct vnode *devvp);

#endif

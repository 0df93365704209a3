/* ext2 vnode operations.  The VFS lock is held. */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/kernel.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

static int
ext2fs_lookup(struct vnode *dvp, const char *nm, size_t len,
    struct vnode **vpp)
{
	struct ext2_node *dp = VTOE2(dvp), *n;
	uint32_t ino;
	int error;

	if (dp->n_din->i_links_count == 0)
		return ENOENT;
	if ((error = ext2fs_dirlookup(dp, nm, len, &ino, NULL)) != 0)
		return error;
	if ((error = ext2fs_vget(E2MP(dp), ino, &n)) != 0)
		return error;
	*vpp = &n->n_vnode;
	return 0;
}

static int
ext2fs_getattr(struct vnode *vp, struct vattr *va)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);

	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_mode = n->n_din->i_mode & 07777;
	va->va_nlink = n->n_din->i_links_count;
	va->va_uid = ext2fs_uid(n);
	va->va_gid = ext2fs_gid(n);
	va->va_fileid = n->n_ino;
	va->va_size = ext2fs_size(n);
	va->va_bytes = (uint64_t)n->n_din->i_blocks * 512;
	if (vp->v_type == VCHR || vp->v_type == VBLK)
		va->va_rdev = ext2fs_rdev(n);
	va->va_blocksize = em->em_bsize;
	ext2fs_getattr_times(n, va);
	return 0;
}

/* Copy len zero bytes out (a hole). */
static int
uiozero(size_t len, struct uio *uio)
{
	static const char zeros[512];
	int error = 0;

	while (len > 0 && error == 0) {
		size_t c = MIN(len, sizeof(zeros));

		error = uiomove((void *)(uintptr_t)zeros, c, uio);
		len -= c;
	}
	return error;
}

/* Bytes a sequential read brings in at least, from where it starts. */
#define EXT2_READAHEAD	(128 * 1024)

/*
 * Reads with at least this many bytes of whole blocks take the direct path
 * for them; smaller ones go through the buffer cache with read-ahead (a
 * host transfer per few KiB would cost more than the copy it saves).
 */
#define EXT2_DIRECT_MIN	(16 * 1024)
#define EXT2_DIRECT_IOV	64	/* the caller's vectors in one host transfer */

/*
 * The file blocks worth reading from lbn on in one host transfer: the rest
 * of the request, and for a read that goes on where the last one stopped,
 * at least EXT2_READAHEAD bytes; never past the end of the file.
 */
static uint32_t
read_want(struct ext2_node *n, struct uio *uio, uint64_t lbn, uint64_t size)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t end = MIN((uint64_t)uio->uio_offset + uio->uio_resid, size);
	uint64_t last = (end - 1) >> em->em_bshift;

	if (lbn == n->n_nextlbn)
		last = MAX(last, lbn + (EXT2_READAHEAD >> em->em_bshift) - 1);
	last = MIN(last, (size - 1) >> em->em_bshift);
	return (uint32_t)MIN(last - lbn + 1, UINT32_MAX);
}

/* One whole block through the buffer cache (b 0: a hole). */
static int
read_block(struct ext2_mount *em, uint64_t b, struct uio *uio)
{
	struct buf *bp;
	int error;

	if (b == 0)
		return uiozero(em->em_bsize, uio);
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	error = uiomove(bp->b_data, em->em_bsize, uio);
	brelse(bp);
	return error;
}

/*
 * The run of blocks from lbn on, as ext2fs_bmap_run gives it up to the end
 * of its block of numbers, kept in the node for the reads that follow.
 */
static int
map_run(struct ext2_node *n, uint64_t lbn, uint64_t *bp, uint32_t *runp)
{
	uint64_t skip;
	int error;

	if (lbn < n->n_maplbn || lbn - n->n_maplbn >= n->n_maplen) {
		n->n_maplen = 0;
		if ((error = ext2fs_bmap_run(n, lbn, UINT32_MAX, &n->n_mapb,
		    &n->n_maplen)) != 0) {
			n->n_maplen = 0;
			return error;
		}
		n->n_maplbn = lbn;
	}
	skip = lbn - n->n_maplbn;
	*bp = n->n_mapb == 0 ? 0 : n->n_mapb + skip;
	*runp = n->n_maplen - (uint32_t)skip;
	return 0;
}

/*
 * The direct path: up to nblk whole blocks from the uio's offset (a block
 * boundary) on, moved straight between the disk and the caller's buffers,
 * one host read per run of blocks that lie one after the other on disk and
 * are not in the buffer cache, so the data is copied once (by the host,
 * out of its page cache, which caches the image already: nothing is kept
 * here).  A block the cache holds (clean, dirty, being written) is copied
 * from there: it may be newer than the disk.  Holes are zeroed in place.
 * Moves at least one block unless it fails.
 */
static int
read_direct(struct ext2_node *n, struct uio *uio, uint64_t nblk)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t lbn = (uint64_t)uio->uio_offset >> em->em_bshift, b;
	struct iovec iov[EXT2_DIRECT_IOV];
	uint32_t run;
	size_t len;
	int cnt, error;

	if ((error = map_run(n, lbn, &b, &run)) != 0)
		return error;
	run = (uint32_t)MIN(run, nblk);
	if (b != 0)
		run = ext2fs_uncached(em, b, run);
	if (run == 0)
		return read_block(em, b, uio);
	/* as many whole blocks as the vectors hold, up to a bad address */
	cnt = uiovec(uio, (size_t)run << em->em_bshift, iov, EXT2_DIRECT_IOV,
	    &len);
	for (int i = 0; i < cnt; i++) {
		if (!useraddr_ok(iov[i].iov_base, iov[i].iov_len)) {
			for (len = 0; i > 0; i--)
				len += iov[i - 1].iov_len;
			break;
		}
	}
	len &= ~(size_t)(em->em_bsize - 1);
	if (len == 0)	/* tiny vectors or a bad address: uiomove sorts it */
		return read_block(em, b, uio);
	cnt = uiovec(uio, len, iov, EXT2_DIRECT_IOV, &len);
	if (b == 0) {
		for (int i = 0; i < cnt; i++)
			memset(iov[i].iov_base, 0, iov[i].iov_len);
	} else if ((error = ext2fs_read_direct(em, b, iov, cnt)) != 0) {
		return error;
	}
	uioskip(uio, len);
	return 0;
}

static int
ext2fs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	uint64_t size = ext2fs_size(n), b = 0, end;
	uint32_t run = 0;	/* blocks left in the contiguous run at b */
	bool direct;
	int error = 0;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	/* whole blocks worth the direct path: partial ones read no more */
	end = MIN((uint64_t)uio->uio_offset + uio->uio_resid, size);
	direct = (end & ~(uint64_t)(em->em_bsize - 1)) >= EXT2_DIRECT_MIN +
	    (((uint64_t)uio->uio_offset + em->em_bsize - 1) &
	    ~(uint64_t)(em->em_bsize - 1));
	while (uio->uio_resid > 0 && (uint64_t)uio->uio_offset < size) {
		uint64_t off = (uint64_t)uio->uio_offset;
		uint64_t lbn = off >> em->em_bshift;
		size_t bo = (size_t)(off & (em->em_bsize - 1));
		size_t cnt = (size_t)MIN((uint64_t)MIN(em->em_bsize - bo,
		    uio->uio_resid), size - off);
		struct buf *bp;

		if (direct && bo == 0 && cnt == em->em_bsize) {
			error = read_direct(n, uio, (end >> em->em_bshift) -
			    lbn);
			run = 0;
			if (error != 0)
				break;
			continue;
		}
		if (run == 0 && (error = ext2fs_bmap_run(n, lbn,
		    read_want(n, uio, lbn, size), &b, &run)) != 0)
			break;
		if (b == 0) {
			error = uiozero(cnt, uio);
		} else if ((error = ext2fs_breadn(em, b, direct ? 0 : run - 1,
		    &bp)) == 0) {
			error = uiomove((char *)bp->b_data + bo, cnt, uio);
			brelse(bp);
			b++;
		}
		run--;
		if (error != 0)
			break;
	}
	n->n_nextlbn = (uint64_t)uio->uio_offset >> em->em_bshift;
	if (!(ioflag & IO_NOATIME))
		ext2fs_accessed(n);
	return error;
}

struct readdir_arg {
	struct ext2_mount	*em;
	readdir_cb		cb;
	void			*arg;
	uint64_t		off;	/* the next entry to hand out */
	bool			stopped;
};

static int
readdir_cb1(void *arg, const struct ext2_dirent *de, const char *name,
    uint64_t off, uint64_t next)
{
	struct readdir_arg *ra = arg;
	struct vdirent vd;

	vd.d_ino = de->d_ino;
	vd.d_off = (off_t)next;
	vd.d_type = ext2fs_dtype(ra->em, de->d_type);
	vd.d_namlen = de->d_namlen;
	vd.d_name = name;
	if (ra->cb(ra->arg, &vd)) {
		ra->off = off;
		ra->stopped = true;
		return -1;
	}
	ra->off = next;
	return 0;
}

static int
ext2fs_readdir(struct vnode *vp, off_t *offp, readdir_cb cb, void *arg)
{
	struct ext2_node *dp = VTOE2(vp);
	struct readdir_arg ra = { E2MP(dp), cb, arg, (uint64_t)*offp, false };
	int error;

	if (*offp < 0)
		return EINVAL;
	if (dp->n_din->i_links_count == 0)
		return ENOENT;
	error = ext2fs_dirwalk(dp, (uint64_t)*offp, readdir_cb1, &ra);
	if (error == 0 && !ra.stopped)
		ra.off = MAX(ra.off, ext2fs_size(dp));
	*offp = (off_t)ra.off;
	ext2fs_accessed(dp);
	return error;
}

static int
ext2fs_readlink(struct vnode *vp, struct uio *uio)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	size_t len = (size_t)ext2fs_size(n);
	struct buf *bp;
	uint64_t b;
	int error;

	if (vp->v_type != VLNK)
		return EINVAL;
	ext2fs_accessed(n);
	len = MIN(len, uio->uio_resid);
	if (ext2fs_fastlink(n))
		return uiomove(n->n_din->i_block, len, uio);
	if ((error = ext2fs_bmap(n, 0, &b)) != 0)
		return error;
	if (b == 0)
		return ext2fs_corrupt(em, "symlink inode %u has no block",
		    (unsigned)n->n_ino);
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	error = uiomove(bp->b_data, len, uio);
	brelse(bp);
	return error;
}

static int
ext2fs_fsync(struct vnode *vp)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	int error;

	if (em->em_ronly)
		return 0;
	if ((error = ext2fs_iupdate(n)) != 0)
		return error;
	return vflushbuf(em->em_devvp);
}

/*
 * The last reference went.  An inode without names is freed now (its
 * blocks, then its bitmap bit), as Linux does at the last iput.
 */
static void
ext2fs_inactive(struct vnode *vp)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	struct timespec now;

	if (n->n_din->i_links_count == 0 && !em->em_ronly &&
	    ext2fs_truncate(n, 0) == 0 && ext2fs_xattr_release(n) == 0) {
		vfs_gettime(&now);
		n->n_din->i_dtime = (uint32_t)now.tv_sec;
		n->n_dirty = true;
		(void)ext2fs_iupdate(n);
		(void)ext2fs_inofree(em, n->n_ino, vp->v_type == VDIR);
	}
	ext2fs_freenode(n);
}

/* A node that could not be linked: its inode goes back at once. */
static void
discard(struct ext2_node *n)
{
	n->n_din->i_links_count = 0;
	vrele(&n->n_vnode);
}

static int
link_new(struct ext2_node *dp, const char *nm, size_t len,
    struct ext2_node *n, struct vnode **vpp)
{
	int error;

	if ((error = ext2fs_direnter(dp, nm, len, n)) != 0) {
		discard(n);
		return error;
	}
	if (n->n_vnode.v_type == VDIR) {
		dp->n_din->i_links_count++;
		dp->n_dirty = true;
	}
	*vpp = &n->n_vnode;
	return 0;
}

static int
ext2fs_create(struct vnode *dvp, const char *nm, size_t len, struct vattr *va,
    struct vnode **vpp)
{
	struct ext2_node *dp = VTOE2(dvp), *n;
	bool isdir = va->va_type == VDIR;
	int error;

	if (dp->n_din->i_links_count == 0)
		return ENOENT;
	if (isdir && dp->n_din->i_links_count >= EXT2_LINK_MAX)
		return EMLINK;
	error = ext2fs_newnode(dp, va->va_type, va->va_mode, va->va_uid,
	    va->va_gid, &n);
	if (error != 0)
		return error;
	if (va->va_type == VCHR || va->va_type == VBLK)
		ext2fs_setrdev(n, va->va_rdev);
	n->n_din->i_links_count = isdir ? 2 : 1;
	if (isdir && (error = ext2fs_dirinit(dp, n)) != 0) {
		discard(n);
		return error;
	}
	return link_new(dp, nm, len, n, vpp);
}

static int
symlink_data(struct ext2_node *n, const char *target, size_t tlen)
{
	struct ext2_mount *em = E2MP(n);
	struct buf *bp;
	uint64_t b;
	int error;

	if (tlen < EXT2_MAXSYMLINKLEN) {
		memcpy(n->n_din->i_block, target, tlen);
	} else {
		if ((error = ext2fs_balloc(n, 0, &b)) != 0)
			return error;
		if ((error = ext2fs_bread(em, b, &bp)) != 0)
			return error;
		memcpy(bp->b_data, target, tlen);
		bdwrite(bp);
	}
	ext2fs_setsize(n, tlen);
	return 0;
}

static int
ext2fs_symlink(struct vnode *dvp, const char *nm, size_t len, struct vattr *va,
    const char *target, struct vnode **vpp)
{
	struct ext2_node *dp = VTOE2(dvp), *n;
	size_t tlen = strlen(target);
	int error;

	if (dp->n_din->i_links_count == 0)
		return ENOENT;
	if (tlen >= E2MP(dp)->em_bsize)
		return ENAMETOOLONG;
	if ((error = ext2fs_newnode(dp, VLNK, 0777, va->va_uid, va->va_gid,
	    &n)) != 0)
		return error;
	n->n_din->i_links_count = 1;
	if ((error = symlink_data(n, target, tlen)) != 0) {
		discard(n);
		return error;
	}
	return link_new(dp, nm, len, n, vpp);
}

static int
ext2fs_link(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct ext2_node *dp = VTOE2(dvp), *n = VTOE2(vp);
	int error;

	if (dp->n_din->i_links_count == 0)
		return ENOENT;
	if (n->n_din->i_links_count >= EXT2_LINK_MAX)
		return EMLINK;
	if ((error = ext2fs_direnter(dp, nm, len, n)) != 0)
		return error;
	n->n_din->i_links_count++;
	ext2fs_touch(n, false);
	return 0;
}

static int
ext2fs_remove(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct ext2_node *n = VTOE2(vp);
	int error;

	if ((error = ext2fs_dirremove(VTOE2(dvp), nm, len)) != 0)
		return error;
	if (n->n_din->i_links_count > 0)
		n->n_din->i_links_count--;
	ext2fs_touch(n, false);
	return 0;
}

/* Directory n lost its name in dp: its "." and dp's ".." from it go too. */
static void
dir_orphan(struct ext2_node *dp, struct ext2_node *n)
{
	n->n_din->i_links_count = 0;
	ext2fs_touch(n, false);
	cache_purge(&n->n_vnode);
	if (dp->n_din->i_links_count > 0)
		dp->n_din->i_links_count--;
	dp->n_dirty = true;
}

static int
ext2fs_rmdir(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct ext2_node *dp = VTOE2(dvp);
	int error;

	if ((error = ext2fs_dirremove(dp, nm, len)) != 0)
		return error;
	dir_orphan(dp, VTOE2(vp));
	return 0;
}

/* Directory n moves from fdp to tdp: its ".." and both link counts. */
static int
dir_reparent(struct ext2_node *n, struct ext2_node *fdp,
    struct ext2_node *tdp)
{
	int error;

	if (n->n_vnode.v_type != VDIR || fdp == tdp)
		return 0;
	if ((error = ext2fs_dirdotdot(n, tdp)) != 0)
		return error;
	fdp->n_din->i_links_count--;
	tdp->n_din->i_links_count++;
	fdp->n_dirty = tdp->n_dirty = true;
	return 0;
}

static int
rename_exchange(struct ext2_node *fdp, const char *fnm, size_t flen,
    struct ext2_node *fn, struct ext2_node *tdp, const char *tnm, size_t tlen,
    struct ext2_node *tn)
{
	int error;

	if ((error = ext2fs_dirrewrite(fdp, fnm, flen, tn)) != 0 ||
	    (error = ext2fs_dirrewrite(tdp, tnm, tlen, fn)) != 0 ||
	    (error = dir_reparent(fn, fdp, tdp)) != 0 ||
	    (error = dir_reparent(tn, tdp, fdp)) != 0)
		return error;
	ext2fs_touch(fn, false);
	ext2fs_touch(tn, false);
	return 0;
}

/*
 * Rename: the VFS has checked the POSIX rules (types, emptiness, loops).
 * The new name is made first (the step that can fail for want of space),
 * then the old one goes.
 */
static int
ext2fs_rename(struct vnode *fdvp, const char *fnm, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tnm, size_t tlen,
    struct vnode *tvp, bool exchange)
{
	struct ext2_node *fdp = VTOE2(fdvp), *tdp = VTOE2(tdvp);
	struct ext2_node *fn = VTOE2(fvp), *tn = tvp ? VTOE2(tvp) : NULL;
	bool isdir = fvp->v_type == VDIR;
	int error;

	if (tdp->n_din->i_links_count == 0)
		return ENOENT;
	if (exchange)
		return rename_exchange(fdp, fnm, flen, fn, tdp, tnm, tlen, tn);
	if (isdir && fdp != tdp && (tn == NULL || tvp->v_type != VDIR) &&
	    tdp->n_din->i_links_count >= EXT2_LINK_MAX)
		return EMLINK;
	if (tn != NULL)
		error = ext2fs_dirrewrite(tdp, tnm, tlen, fn);
	else
		error = ext2fs_direnter(tdp, tnm, tlen, fn);
	if (error != 0)
		return error;
	if (tn != NULL && tvp->v_type == VDIR)
		dir_orphan(tdp, tn);
	else if (tn != NULL) {
		tn->n_din->i_links_count--;
		ext2fs_touch(tn, false);
	}
	if ((error = ext2fs_dirremove(fdp, fnm, flen)) != 0)
		return error;
	if ((error = dir_reparent(fn, fdp, tdp)) != 0)
		return error;
	ext2fs_touch(fn, false);
	return 0;
}

static int
ext2fs_setattr(struct vnode *vp, const struct vattr *va)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_dinode *d = n->n_din;
	int error;

	if (va->va_mask & VA_SIZE) {
		if (vp->v_type == VDIR)
			return EISDIR;
		if (vp->v_type != VREG)
			return EINVAL;
		if ((error = ext2fs_truncate(n, va->va_size)) != 0)
			return error;
	}
	if (va->va_mask & VA_MODE)
		d->i_mode = (uint16_t)((d->i_mode & S_IFMT) |
		    (va->va_mode & 07777));
	if (va->va_mask & (VA_UID | VA_GID))
		ext2fs_setowner(n, (va->va_mask & VA_UID) ? va->va_uid :
		    ext2fs_uid(n), (va->va_mask & VA_GID) ? va->va_gid :
		    ext2fs_gid(n));
	if (va->va_mask & VA_ATIME)
		ext2fs_settime(n, &d->i_atime, &d->i_atime_extra, &va->va_atime);
	if (va->va_mask & VA_MTIME)
		ext2fs_settime(n, &d->i_mtime, &d->i_mtime_extra, &va->va_mtime);
	if (va->va_mask & VA_CTIME)
		ext2fs_settime(n, &d->i_ctime, &d->i_ctime_extra, &va->va_ctime);
	n->n_dirty = true;
	return 0;
}

const struct vnodeops ext2fs_vnodeops = {
	.vop_lookup = ext2fs_lookup,
	.vop_create = ext2fs_create,
	.vop_symlink = ext2fs_symlink,
	.vop_link = ext2fs_link,
	.vop_remove = ext2fs_remove,
	.vop_rmdir = ext2fs_rmdir,
	.vop_rename = ext2fs_rename,
	.vop_getattr = ext2fs_getattr,
	.vop_setattr = ext2fs_setattr,
	.vop_read = ext2fs_read,
	.vop_write = ext2fs_write,
	.vop_readdir = ext2fs_readdir,
	.vop_readlink = ext2fs_readlink,
	.vop_seekdata = ext2fs_seekdata,
	.vop_fsync = ext2fs_fsync,
	.vop_allocate = ext2fs_allocate,
	.vop_inactive = ext2fs_inactive,
};

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

static int
ext2fs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	uint64_t size = ext2fs_size(n);
	int error = 0;

	(void)ioflag;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0 && (uint64_t)uio->uio_offset < size) {
		uint64_t off = (uint64_t)uio->uio_offset, b;
		size_t bo = (size_t)(off & (em->em_bsize - 1));
		size_t cnt = (size_t)MIN((uint64_t)MIN(em->em_bsize - bo,
		    uio->uio_resid), size - off);
		struct buf *bp;

		if ((error = ext2fs_bmap(n, off >> em->em_bshift, &b)) != 0)
			break;
		if (b == 0) {
			error = uiozero(cnt, uio);
		} else if ((error = ext2fs_bread(em, b, &bp)) == 0) {
			error = uiomove((char *)bp->b_data + bo, cnt, uio);
			brelse(bp);
		}
		if (error != 0)
			break;
	}
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

static void
ext2fs_inactive(struct vnode *vp)
{
	struct ext2_node *n = VTOE2(vp);

	ext2fs_freenode(n);
}

static int
ext2fs_rofs(void)
{
	return EROFS;
}

static int
ro_create(struct vnode *dvp, const char *nm, size_t len, struct vattr *va,
    struct vnode **vpp)
{
	(void)dvp; (void)nm; (void)len; (void)va; (void)vpp;
	return ext2fs_rofs();
}

static int
ro_symlink(struct vnode *dvp, const char *nm, size_t len, struct vattr *va,
    const char *target, struct vnode **vpp)
{
	(void)dvp; (void)nm; (void)len; (void)va; (void)target; (void)vpp;
	return ext2fs_rofs();
}

static int
ro_name(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	(void)dvp; (void)nm; (void)len; (void)vp;
	return ext2fs_rofs();
}

static int
ro_rename(struct vnode *fdvp, const char *fnm, size_t flen, struct vnode *fvp,
    struct vnode *tdvp, const char *tnm, size_t tlen, struct vnode *tvp,
    bool exchange)
{
	(void)fdvp; (void)fnm; (void)flen; (void)fvp; (void)tdvp; (void)tnm;
	(void)tlen; (void)tvp; (void)exchange;
	return ext2fs_rofs();
}

static int
ro_setattr(struct vnode *vp, const struct vattr *va)
{
	(void)vp; (void)va;
	return ext2fs_rofs();
}

static int
ro_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	(void)vp; (void)uio; (void)ioflag;
	return ext2fs_rofs();
}

static int
ro_allocate(struct vnode *vp, off_t off, off_t len, bool keepsize)
{
	(void)vp; (void)off; (void)len; (void)keepsize;
	return ext2fs_rofs();
}

const struct vnodeops ext2fs_vnodeops = {
	.vop_lookup = ext2fs_lookup,
	.vop_create = ro_create,
	.vop_symlink = ro_symlink,
	.vop_link = ro_name,
	.vop_remove = ro_name,
	.vop_rmdir = ro_name,
	.vop_rename = ro_rename,
	.vop_getattr = ext2fs_getattr,
	.vop_setattr = ro_setattr,
	.vop_read = ext2fs_read,
	.vop_write = ro_write,
	.vop_readdir = ext2fs_readdir,
	.vop_readlink = ext2fs_readlink,
	.vop_fsync = ext2fs_fsync,
	.vop_allocate = ro_allocate,
	.vop_seekdata = NULL,
	.vop_inactive = ext2fs_inactive,
};

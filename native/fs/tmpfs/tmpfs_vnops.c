/* tmpfs vnode operations.  The VFS lock is held. */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

#include "fs/tmpfs/tmpfs.h"

static struct tmpfs_mount *
tm_of(struct vnode *vp)
{
	return VFS_TO_TMPFS(vp->v_mount);
}

static void
touch(struct tmpfs_node *n, bool modify)
{
	struct timespec now;

	vfs_gettime(&now);
	n->tn_ctime = now;
	if (modify)
		n->tn_mtime = now;
}

static int
tmpfs_lookup(struct vnode *dvp, const char *nm, size_t len, struct vnode **vpp)
{
	struct tmpfs_node *dir = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_dirent *de;
	struct vnode *vp;

	if (len == 2 && nm[0] == '.' && nm[1] == '.') {
		vp = &dir->tn_dir.td_parent->tn_vnode;	/* removed: the old one */
	} else if (dir->tn_links == 0) {
		return ENOENT;		/* a removed directory is empty */
	} else if ((de = tmpfs_dir_lookup(dir, nm, len)) != NULL) {
		vp = &de->td_node->tn_vnode;
	} else {
		return ENOENT;
	}
	vref(vp);
	*vpp = vp;
	return 0;
}

static int
tmpfs_create(struct vnode *dvp, const char *nm, size_t len, struct vattr *va,
    struct vnode **vpp)
{
	struct tmpfs_mount *tm = tm_of(dvp);
	struct tmpfs_node *dir = VP_TO_TMPFS_NODE(dvp), *n;
	int error;

	if (dir->tn_links == 0)
		return ENOENT;
	if (va->va_type == VDIR && dir->tn_links >= 65000)
		return EMLINK;
	error = tmpfs_alloc_node(tm, va->va_type, va->va_mode, va->va_uid,
	    va->va_gid, va->va_rdev, NULL, &n);
	if (error != 0)
		return error;
	if (va->va_type == VDIR && (error = tmpfs_dir_init(tm, n, dir)) != 0) {
		tmpfs_free_node(tm, n);
		return error;
	}
	if (va->va_type == VDIR)
		n->tn_links = 1;	/* its own "." */
	if ((error = tmpfs_dir_attach(tm, dir, nm, len, n)) != 0) {
		tmpfs_free_node(tm, n);
		return error;
	}
	touch(dir, true);
	vref(&n->tn_vnode);
	*vpp = &n->tn_vnode;
	return 0;
}

static int
tmpfs_symlink(struct vnode *dvp, const char *nm, size_t len, struct vattr *va,
    const char *target, struct vnode **vpp)
{
	struct tmpfs_mount *tm = tm_of(dvp);
	struct tmpfs_node *dir = VP_TO_TMPFS_NODE(dvp), *n;
	int error;

	if (dir->tn_links == 0)
		return ENOENT;
	error = tmpfs_alloc_node(tm, VLNK, 0777, va->va_uid, va->va_gid, 0,
	    target, &n);
	if (error != 0)
		return error;
	if ((error = tmpfs_dir_attach(tm, dir, nm, len, n)) != 0) {
		tmpfs_free_node(tm, n);
		return error;
	}
	touch(dir, true);
	vref(&n->tn_vnode);
	*vpp = &n->tn_vnode;
	return 0;
}

static int
tmpfs_link(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct tmpfs_mount *tm = tm_of(dvp);
	struct tmpfs_node *dir = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	int error;

	if (dir->tn_links == 0)
		return ENOENT;
	if (n->tn_links >= 65000)
		return EMLINK;
	/* as in Linux's tmpfs, every further name costs an inode */
	if (n->tn_links > 0 && tm->tm_nodes_used >= tm->tm_nodes_max)
		return ENOSPC;
	if ((error = tmpfs_dir_attach(tm, dir, nm, len, n)) != 0)
		return error;
	if (n->tn_links > 1)
		tm->tm_nodes_used++;
	touch(dir, true);
	touch(n, false);
	return 0;
}

/* Remove a name; a file's extra names give back their inode (tmpfs_link). */
static void
tmpfs_unname(struct tmpfs_mount *tm, struct tmpfs_node *dir,
    struct tmpfs_dirent *de)
{
	struct tmpfs_node *n = de->td_node;

	if (n->tn_type != VDIR && n->tn_links > 1)
		tm->tm_nodes_used--;
	tmpfs_dir_detach(tm, dir, de);
}

static int
tmpfs_remove(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct tmpfs_node *dir = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_dirent *de = tmpfs_dir_lookup(dir, nm, len);
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);

	if (de == NULL || de->td_node != n)
		return ENOENT;
	tmpfs_unname(tm_of(dvp), dir, de);
	touch(dir, true);
	touch(n, false);
	return 0;
}

static void tmpfs_dir_orphan(struct tmpfs_node *n);

static int
tmpfs_rmdir(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	int error;

	if (n->tn_dir.td_count != 0)
		return ENOTEMPTY;
	if ((error = tmpfs_remove(dvp, nm, len, vp)) != 0)
		return error;
	tmpfs_dir_orphan(n);
	return 0;
}

/*
 * A directory lost its name (rmdir, or renamed over): its "." goes too.
 * As in Linux, ".." still leads to the parent it had while it is in use,
 * so the parent is held until the node is freed (tmpfs_inactive).
 */
static void
tmpfs_dir_orphan(struct tmpfs_node *n)
{
	n->tn_links = 0;
	vref(&n->tn_dir.td_parent->tn_vnode);
}

/*
 * Rename: the VFS has checked the POSIX rules (types, emptiness, loops); here
 * the entries move.  With exchange, both names stay and swap their nodes.
 */
static int
tmpfs_rename(struct vnode *fdvp, const char *fnm, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tnm, size_t tlen,
    struct vnode *tvp, bool exchange)
{
	struct tmpfs_mount *tm = tm_of(fdvp);
	struct tmpfs_node *fdir = VP_TO_TMPFS_NODE(fdvp);
	struct tmpfs_node *tdir = VP_TO_TMPFS_NODE(tdvp);
	struct tmpfs_node *fn = VP_TO_TMPFS_NODE(fvp);
	struct tmpfs_dirent *fde = tmpfs_dir_lookup(fdir, fnm, flen);
	struct tmpfs_dirent *tde = tmpfs_dir_lookup(tdir, tnm, tlen);
	int error;

	if (fde == NULL || fde->td_node != fn || tdir->tn_links == 0)
		return ENOENT;
	if (exchange) {
		struct tmpfs_node *tn = VP_TO_TMPFS_NODE(tvp);

		if (tde == NULL || tde->td_node != tn)
			return ENOENT;
		fde->td_node = tn;
		tde->td_node = fn;
		cache_remove(fdvp, fnm, flen);	/* both names now mean another */
		cache_remove(tdvp, tnm, tlen);
		if (fdir != tdir) {
			if (fn->tn_type == VDIR) {
				fn->tn_dir.td_parent = tdir;
				fdir->tn_links--;
				tdir->tn_links++;
			}
			if (tn->tn_type == VDIR) {
				tn->tn_dir.td_parent = fdir;
				tdir->tn_links--;
				fdir->tn_links++;
			}
		}
		touch(fn, false);
		touch(tn, false);
		touch(fdir, true);
		touch(tdir, true);
		return 0;
	}
	if (tvp != NULL) {
		struct tmpfs_node *tn = VP_TO_TMPFS_NODE(tvp);

		if (tde == NULL || tde->td_node != tn)
			return ENOENT;
		if (tn == fn)
			return 0;	/* two names of one file: nothing moves */
		tmpfs_unname(tm, tdir, tde);
		if (tn->tn_type == VDIR)
			tmpfs_dir_orphan(tn);
		touch(tn, false);
	}
	/* attach the new name first: it is the step that can fail */
	if ((error = tmpfs_dir_attach(tm, tdir, tnm, tlen, fn)) != 0)
		return error;
	fde = tmpfs_dir_lookup(fdir, fnm, flen);
	tmpfs_dir_detach(tm, fdir, fde);
	if (fn->tn_type == VDIR)
		fn->tn_dir.td_parent = tdir;
	touch(fn, false);
	touch(fdir, true);
	touch(tdir, true);
	return 0;
}

static int
tmpfs_getattr(struct vnode *vp, struct vattr *va)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);

	memset(va, 0, sizeof(*va));
	va->va_type = n->tn_type;
	va->va_mode = n->tn_mode;
	va->va_nlink = n->tn_links;
	va->va_uid = n->tn_uid;
	va->va_gid = n->tn_gid;
	va->va_fileid = n->tn_id;
	va->va_size = n->tn_size;
	va->va_rdev = n->tn_rdev;
	va->va_blocksize = TMPFS_PAGE_SIZE;
	va->va_bytes = n->tn_type == VREG ?
	    n->tn_reg.tr_npages * TMPFS_PAGE_SIZE : 0;
	va->va_atime = n->tn_atime;
	va->va_mtime = n->tn_mtime;
	va->va_ctime = n->tn_ctime;
	va->va_birthtime = n->tn_birthtime;
	return 0;
}

static int
tmpfs_setattr(struct vnode *vp, const struct vattr *va)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	int error;

	if (va->va_mask & VA_SIZE) {
		if (n->tn_type == VDIR)
			return EISDIR;
		if (n->tn_type != VREG)
			return EINVAL;
		if ((error = tmpfs_reg_truncate(tm_of(vp), n, va->va_size)) != 0)
			return error;
	}
	if (va->va_mask & VA_MODE)
		n->tn_mode = va->va_mode & 07777;
	if (va->va_mask & VA_UID)
		n->tn_uid = va->va_uid;
	if (va->va_mask & VA_GID)
		n->tn_gid = va->va_gid;
	if (va->va_mask & VA_ATIME)
		n->tn_atime = va->va_atime;
	if (va->va_mask & VA_MTIME)
		n->tn_mtime = va->va_mtime;
	if (va->va_mask & VA_CTIME)
		n->tn_ctime = va->va_ctime;
	return 0;
}

/* A read moves the access time as vfs_atime_due says. */
static void
mark_access(struct vnode *vp, struct tmpfs_node *n)
{
	struct timespec now;

	vfs_gettime(&now);
	if (vfs_atime_due(vp, &n->tn_atime, &n->tn_mtime, &n->tn_ctime, &now))
		n->tn_atime = now;
}

static int
tmpfs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	int error;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	error = tmpfs_reg_read(n, uio);
	if (!(ioflag & IO_NOATIME))
		mark_access(vp, n);
	return error;
}

static int
tmpfs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	size_t start = uio->uio_resid;
	int error;

	if (vp->v_type != VREG)
		return EINVAL;
	if (start == 0)
		return 0;
	error = tmpfs_reg_write(tm_of(vp), n, uio, (ioflag & IO_APPEND) != 0);
	if (uio->uio_resid < start)
		touch(n, true);
	return error;
}

static int
tmpfs_readdir(struct vnode *vp, off_t *offp, readdir_cb cb, void *arg)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	struct tmpfs_dir *d = &n->tn_dir;
	off_t off = *offp;
	struct vdirent de;

	if (off < 0)
		return EINVAL;
	if (n->tn_links == 0)
		return ENOENT;	/* removed, as Linux says */
	if (off == 0) {
		de = (struct vdirent){ n->tn_id, 1, vtype_to_dt(VDIR), 1, "." };
		if (cb(arg, &de))
			goto out;
		off = 1;
	}
	if (off == 1) {
		de = (struct vdirent){ d->td_parent->tn_id, 2, vtype_to_dt(VDIR),
		    2, ".." };
		if (cb(arg, &de))
			goto out;
		off = 2;
	}
	for (; off - 2 < (off_t)d->td_nslots; off++) {
		struct tmpfs_dirent *e = d->td_slots[off - 2];

		if (e == NULL)
			continue;
		de = (struct vdirent){ e->td_node->tn_id, off + 1,
		    vtype_to_dt(e->td_node->tn_type), e->td_namelen, e->td_name };
		if (cb(arg, &de))
			goto out;
	}
	off = TMPFS_DIROFF_EOF;
out:
	*offp = off;
	mark_access(vp, n);
	return 0;
}

static int
tmpfs_readlink(struct vnode *vp, struct uio *uio)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);

	if (vp->v_type != VLNK)
		return EINVAL;
	mark_access(vp, n);
	return uiomove(n->tn_lnk.tl_link, MIN(n->tn_lnk.tl_len, uio->uio_resid),
	    uio);
}

static int
tmpfs_fsync(struct vnode *vp)
{
	(void)vp;
	return 0;
}

static int
tmpfs_allocate(struct vnode *vp, off_t off, off_t len, bool keepsize)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	int error;

	error = tmpfs_reg_allocate(tm_of(vp), n, (uint64_t)off, (uint64_t)len,
	    keepsize);
	if (error == 0)
		touch(n, true);
	return error;
}

static int
tmpfs_seekdata(struct vnode *vp, int whence, off_t *offp)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	uint64_t off = (uint64_t)*offp;
	int64_t idx;

	if (off >= n->tn_size)
		return ENXIO;
	idx = tmpfs_reg_seek(n, off >> TMPFS_PAGE_SHIFT, whence == SEEK_DATA);
	if (whence == SEEK_DATA) {
		if (idx < 0 || ((uint64_t)idx << TMPFS_PAGE_SHIFT) >= n->tn_size)
			return ENXIO;
		*offp = (off_t)MAX(off, (uint64_t)idx << TMPFS_PAGE_SHIFT);
	} else {
		uint64_t h = idx < 0 ? n->tn_size : (uint64_t)idx << TMPFS_PAGE_SHIFT;

		*offp = (off_t)MIN(MAX(off, h), n->tn_size);
	}
	return 0;
}

static void
tmpfs_inactive(struct vnode *vp)
{
	struct tmpfs_node *n = VP_TO_TMPFS_NODE(vp);
	struct tmpfs_node *up;

	if (n->tn_links != 0)
		return;
	up = n->tn_type == VDIR ? n->tn_dir.td_parent : NULL;
	tmpfs_free_node(tm_of(vp), n);
	if (up != NULL)
		vrele(&up->tn_vnode);	/* held by tmpfs_dir_orphan */
}

const struct vnodeops tmpfs_vnodeops = {
	.vop_lookup = tmpfs_lookup,
	.vop_create = tmpfs_create,
	.vop_symlink = tmpfs_symlink,
	.vop_link = tmpfs_link,
	.vop_remove = tmpfs_remove,
	.vop_rmdir = tmpfs_rmdir,
	.vop_rename = tmpfs_rename,
	.vop_getattr = tmpfs_getattr,
	.vop_setattr = tmpfs_setattr,
	.vop_read = tmpfs_read,
	.vop_write = tmpfs_write,
	.vop_readdir = tmpfs_readdir,
	.vop_readlink = tmpfs_readlink,
	.vop_fsync = tmpfs_fsync,
	.vop_allocate = tmpfs_allocate,
	.vop_seekdata = tmpfs_seekdata,
	.vop_inactive = tmpfs_inactive,
};

/*
 * ext2 inodes: reading and validating them, writing them back, their
 * fields (sizes, owners, times, device numbers), and the vnode cache keyed
 * by inode number.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

/* Where inode ino lives: its block and the byte offset in it. */
static int
inode_loc(struct ext2_mount *em, uint32_t ino, uint64_t *bp, size_t *offp)
{
	uint32_t ipg = em->em_sb.s_inodes_per_group;
	uint32_t g = (ino - 1) / ipg, idx = (ino - 1) % ipg;
	uint64_t byte = (uint64_t)idx * em->em_isize;

	*bp = em->em_gd[g].bg_inode_table + (byte >> em->em_bshift);
	*offp = (size_t)(byte & (em->em_bsize - 1));
	return 0;
}

static bool
ino_ok(struct ext2_mount *em, uint32_t ino)
{
	return ino == EXT2_ROOTINO ||
	    (ino >= em->em_first_ino && ino <= em->em_sb.s_inodes_count);
}

/* Extra fields present in this inode (i_extra_isize covers them). */
static bool
has_extra(const struct ext2_node *n, size_t end)
{
	struct ext2_mount *em = E2MP(n);

	return em->em_isize > EXT2_GOOD_OLD_INODE_SIZE &&
	    EXT2_GOOD_OLD_INODE_SIZE + (size_t)n->n_din->i_extra_isize >= end;
}

enum vtype
ext2fs_vtype(const struct ext2_node *n)
{
	return ifmt_to_vtype(n->n_din->i_mode & S_IFMT);
}

uint64_t
ext2fs_size(const struct ext2_node *n)
{
	uint64_t size = n->n_din->i_size;

	if (ext2fs_vtype(n) == VREG)
		size |= (uint64_t)n->n_din->i_size_high << 32;
	return size;
}

void
ext2fs_setsize(struct ext2_node *n, uint64_t size)
{
	struct ext2_mount *em = E2MP(n);

	n->n_din->i_size = (uint32_t)size;
	if (ext2fs_vtype(n) == VREG) {
		n->n_din->i_size_high = (uint32_t)(size >> 32);
		if (size > INT32_MAX && !(em->em_sb.s_feature_ro_compat &
		    EXT2F_ROCOMPAT_LARGE_FILE) && em->em_sb.s_rev_level > 0) {
			em->em_sb.s_feature_ro_compat |=
			    EXT2F_ROCOMPAT_LARGE_FILE;
			ext2fs_fsmodified(em);
		}
	}
	n->n_dirty = true;
}

uint32_t
ext2fs_uid(const struct ext2_node *n)
{
	return n->n_din->i_uid | (uint32_t)n->n_din->i_uid_high << 16;
}

uint32_t
ext2fs_gid(const struct ext2_node *n)
{
	return n->n_din->i_gid | (uint32_t)n->n_din->i_gid_high << 16;
}

/* Seconds, and the extra field: epoch bits and nanoseconds << 2. */
static struct timespec
decode_time(uint32_t sec, uint32_t extra, bool have_extra)
{
	struct timespec ts;

	ts.tv_sec = (int32_t)sec;
	ts.tv_nsec = 0;
	if (have_extra) {
		ts.tv_sec += (time_t)(extra & 3) << 32;
		ts.tv_nsec = (long)(extra >> 2);
		if (ts.tv_nsec > 999999999)
			ts.tv_nsec = 0;
	}
	return ts;
}

void
ext2fs_getattr_times(const struct ext2_node *n, struct vattr *va)
{
	const struct ext2_dinode *d = n->n_din;

	va->va_atime = decode_time(d->i_atime, d->i_atime_extra,
	    has_extra(n, EXT2_DINODE_EXTRA_END(i_atime_extra)));
	va->va_mtime = decode_time(d->i_mtime, d->i_mtime_extra,
	    has_extra(n, EXT2_DINODE_EXTRA_END(i_mtime_extra)));
	va->va_ctime = decode_time(d->i_ctime, d->i_ctime_extra,
	    has_extra(n, EXT2_DINODE_EXTRA_END(i_ctime_extra)));
	if (has_extra(n, EXT2_DINODE_EXTRA_END(i_crtime_extra)))
		va->va_birthtime = decode_time(d->i_crtime, d->i_crtime_extra,
		    true);
}

/* The last second the extra field's two epoch bits reach (in 2446). */
#define EXT2_EXTRA_TIME_MAX	((int64_t)INT32_MIN + (1ll << 34) - 1)

/*
 * Store ts in (sec, extra); the extra field only where the inode has it.
 * A time the inode cannot hold (before 1901; after 2038 without the extra
 * field, after 2446 with it) is clamped to the nearest end, and a time at
 * either end has no nanoseconds, as Linux's timestamp_truncate does.
 */
void
ext2fs_settime(struct ext2_node *n, uint32_t *sec, uint32_t *extra,
    const struct timespec *ts)
{
	bool ex = has_extra(n, (size_t)((char *)extra - (char *)n->n_din) + 4);
	int64_t s = ts->tv_sec, max = ex ? EXT2_EXTRA_TIME_MAX : INT32_MAX;
	uint32_t ns = (uint32_t)ts->tv_nsec;

	if (s <= INT32_MIN || s >= max) {
		s = s <= INT32_MIN ? INT32_MIN : max;
		ns = 0;
	}
	*sec = (uint32_t)s;
	if (ex)
		*extra = (uint32_t)((((uint64_t)(s - (int32_t)(uint32_t)s)) >>
		    32) & 3) | ns << 2;
	n->n_dirty = true;
}

void
ext2fs_touch(struct ext2_node *n, bool modify)
{
	struct ext2_dinode *d = n->n_din;
	struct timespec now;

	vfs_gettime(&now);
	ext2fs_settime(n, &d->i_ctime, &d->i_ctime_extra, &now);
	if (modify)
		ext2fs_settime(n, &d->i_mtime, &d->i_mtime_extra, &now);
}

/* A read of the node: its access time moves as vfs_atime_due says. */
void
ext2fs_accessed(struct ext2_node *n)
{
	struct vattr va;
	struct timespec now;

	ext2fs_getattr_times(n, &va);
	vfs_gettime(&now);
	if (vfs_atime_due(&n->n_vnode, &va.va_atime, &va.va_mtime,
	    &va.va_ctime, &now))
		ext2fs_settime(n, &n->n_din->i_atime, &n->n_din->i_atime_extra,
		    &now);
}

/* A symlink whose target sits in i_block: no data blocks but an xattr one. */
bool
ext2fs_fastlink(const struct ext2_node *n)
{
	uint32_t ea = n->n_din->i_file_acl != 0 ? E2MP(n)->em_bsize / 512 : 0;

	return n->n_din->i_blocks == ea;
}

dev_t
ext2fs_rdev(const struct ext2_node *n)
{
	uint32_t old = n->n_din->i_block[0], v = n->n_din->i_block[1];

	if (old != 0)
		return makedev((old >> 8) & 0xff, old & 0xff);
	return makedev((v & 0xfff00) >> 8, (v & 0xff) | ((v >> 12) & 0xfff00));
}

/* What the driver relies on about an inode it reads. */
static int
check_inode(struct ext2_mount *em, uint32_t ino, struct ext2_node *n)
{
	struct ext2_dinode *d = n->n_din;
	enum vtype t = ext2fs_vtype(n);
	uint64_t size = ext2fs_size(n);

	if (d->i_links_count == 0 && d->i_mode == 0)
		return ext2fs_corrupt(em, "inode %u: in a directory but free",
		    (unsigned)ino);
	if (t == VNON)
		return ext2fs_corrupt(em, "inode %u: bad mode 0x%x",
		    (unsigned)ino, (unsigned)d->i_mode);
	if (em->em_isize > EXT2_GOOD_OLD_INODE_SIZE &&
	    (d->i_extra_isize & 3 ||
	    EXT2_GOOD_OLD_INODE_SIZE + (size_t)d->i_extra_isize > em->em_isize))
		return ext2fs_corrupt(em, "inode %u: extra size %u",
		    (unsigned)ino, (unsigned)d->i_extra_isize);
	if (t == VLNK && (size == 0 || size >= em->em_bsize ||
	    (ext2fs_fastlink(n) && size >= EXT2_MAXSYMLINKLEN)))
		return ext2fs_corrupt(em, "inode %u: symlink of %llu bytes",
		    (unsigned)ino, (unsigned long long)size);
	if (t == VREG && size > ext2fs_maxfilesize(em))
		return ext2fs_corrupt(em, "inode %u: size %llu", (unsigned)ino,
		    (unsigned long long)size);
	if (t == VDIR && (size & (em->em_bsize - 1)) != 0)
		return ext2fs_corrupt(em, "inode %u: directory of %llu bytes",
		    (unsigned)ino, (unsigned long long)size);
	return 0;
}

static struct ext2_node *
node_find(struct ext2_mount *em, uint32_t ino)
{
	struct ext2_node *n;

	LIST_FOREACH(n, &em->em_nodes[ino % EXT2_NODEHASH], n_hash)
		if (n->n_ino == ino)
			return n;
	return NULL;
}

static int
node_read(struct ext2_mount *em, uint32_t ino, struct ext2_node *n)
{
	struct buf *bp;
	uint64_t b;
	size_t off;
	int error;

	inode_loc(em, ino, &b, &off);
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	memcpy(n->n_din, (char *)bp->b_data + off, em->em_isize);
	brelse(bp);
	return 0;
}

/* The node of inode ino, held; read from disk unless cached. */
int
ext2fs_vget(struct ext2_mount *em, uint32_t ino, struct ext2_node **np)
{
	struct rump_kernel *k = em->em_mount->mnt_kernel;
	size_t dsize = MAX(em->em_isize, sizeof(struct ext2_dinode));
	struct ext2_node *n;
	int error;

	if (!ino_ok(em, ino))
		return ext2fs_corrupt(em, "inode number %u out of range",
		    (unsigned)ino);
	if ((n = node_find(em, ino)) != NULL) {
		vref(&n->n_vnode);
		*np = n;
		return 0;
	}
	if ((n = kmem_zalloc(k, sizeof(*n))) == NULL)
		return ENOMEM;
	if ((n->n_din = kmem_zalloc(k, dsize)) == NULL) {
		kmem_free(k, n, sizeof(*n));
		return ENOMEM;
	}
	n->n_ino = ino;
	n->n_vnode.v_mount = em->em_mount;	/* for E2MP in the checks */
	if ((error = node_read(em, ino, n)) != 0 ||
	    (error = check_inode(em, ino, n)) != 0) {
		kmem_free(k, n->n_din, dsize);
		kmem_free(k, n, sizeof(*n));
		return error;
	}
	vnode_init(&n->n_vnode, em->em_mount, &ext2fs_vnodeops,
	    ext2fs_vtype(n), n);
	LIST_INSERT_HEAD(&em->em_nodes[ino % EXT2_NODEHASH], n, n_hash);
	vref(&n->n_vnode);
	*np = n;
	return 0;
}

/* Write the node's inode to its block (a delayed write). */
int
ext2fs_iupdate(struct ext2_node *n)
{
	struct ext2_mount *em = E2MP(n);
	struct buf *bp;
	uint64_t b;
	size_t off;
	int error;

	if (!n->n_dirty || em->em_ronly)
		return 0;
	inode_loc(em, n->n_ino, &b, &off);
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	memcpy((char *)bp->b_data + off, n->n_din, em->em_isize);
	bdwrite(bp);
	n->n_dirty = false;
	return 0;
}

/* Forget the node (its inode written back first). */
void
ext2fs_freenode(struct ext2_node *n)
{
	struct ext2_mount *em = E2MP(n);
	struct rump_kernel *k = em->em_mount->mnt_kernel;

	(void)ext2fs_iupdate(n);
	cache_purge(&n->n_vnode);
	LIST_REMOVE(n, n_hash);
	kmem_free(k, n->n_din, MAX(em->em_isize, sizeof(struct ext2_dinode)));
	kmem_free(k, n, sizeof(*n));
}

/* Write every dirty inode back; with free, forget every node too. */
void
ext2fs_flushnodes(struct ext2_mount *em, bool free)
{
	for (size_t i = 0; i < EXT2_NODEHASH; i++) {
		struct ext2_node *n, *next;

		for (n = LIST_FIRST(&em->em_nodes[i]); n != NULL; n = next) {
			next = LIST_NEXT(n, n_hash);
			if (free)
				ext2fs_freenode(n);
			else
				(void)ext2fs_iupdate(n);
		}
	}
}

/* ------------------------------------------------------------ new inodes */

void
ext2fs_setowner(struct ext2_node *n, uint32_t uid, uint32_t gid)
{
	struct ext2_dinode *d = n->n_din;

	d->i_uid = (uint16_t)uid;
	d->i_uid_high = (uint16_t)(uid >> 16);
	d->i_gid = (uint16_t)gid;
	d->i_gid_high = (uint16_t)(gid >> 16);
	n->n_dirty = true;
}

/* The old encoding when both numbers fit in a byte, else the new one. */
void
ext2fs_setrdev(struct ext2_node *n, dev_t rdev)
{
	uint32_t ma = major(rdev), mi = minor(rdev);

	if (ma < 256 && mi < 256) {
		n->n_din->i_block[0] = ma << 8 | mi;
		n->n_din->i_block[1] = 0;
	} else {
		n->n_din->i_block[0] = 0;
		n->n_din->i_block[1] = (mi & 0xff) | ma << 8 |
		    (mi & ~0xffu) << 12;
	}
	n->n_dirty = true;
}

/* A fresh inode (no links yet), allocated near its parent, held. */
int
ext2fs_newnode(struct ext2_node *dp, enum vtype type, mode_t mode,
    uid_t uid, gid_t gid, struct ext2_node **np)
{
	struct ext2_mount *em = E2MP(dp);
	struct rump_kernel *k = em->em_mount->mnt_kernel;
	size_t dsize = MAX(em->em_isize, sizeof(struct ext2_dinode));
	struct ext2_node *n;
	struct ext2_dinode *d;
	struct timespec now;
	uint32_t ino;
	int error;

	if ((n = kmem_zalloc(k, sizeof(*n))) == NULL)
		return ENOMEM;
	if ((n->n_din = kmem_zalloc(k, dsize)) == NULL) {
		kmem_free(k, n, sizeof(*n));
		return ENOMEM;
	}
	if ((error = ext2fs_inoalloc(em, dp->n_ino, type == VDIR, &ino)) != 0) {
		kmem_free(k, n->n_din, dsize);
		kmem_free(k, n, sizeof(*n));
		return error;
	}
	d = n->n_din;
	n->n_ino = ino;
	n->n_vnode.v_mount = em->em_mount;
	d->i_mode = (uint16_t)(vtype_to_ifmt(type) | (mode & 07777));
	if (em->em_isize >= EXT2_GOOD_OLD_INODE_SIZE + 32)
		d->i_extra_isize = 32;
	vfs_gettime(&now);
	d->i_generation = (uint32_t)now.tv_nsec ^ ino;
	ext2fs_setowner(n, uid, gid);
	ext2fs_settime(n, &d->i_atime, &d->i_atime_extra, &now);
	ext2fs_settime(n, &d->i_mtime, &d->i_mtime_extra, &now);
	ext2fs_settime(n, &d->i_ctime, &d->i_ctime_extra, &now);
	ext2fs_settime(n, &d->i_crtime, &d->i_crtime_extra, &now);
	vnode_init(&n->n_vnode, em->em_mount, &ext2fs_vnodeops, type, n);
	LIST_INSERT_HEAD(&em->em_nodes[ino % EXT2_NODEHASH], n, n_hash);
	vref(&n->n_vnode);
	n->n_dirty = true;
	*np = n;
	return 0;
}

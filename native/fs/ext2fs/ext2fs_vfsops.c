/*
 * ext2 mounts: the superblock and group descriptors (read, validated,
 * written back), feature checks, statfs, sync and unmount.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

int
ext2fs_corrupt(struct ext2_mount *em, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	klog(em->em_mount->mnt_kernel, "ext2fs: %s: corrupt file system: %s",
	    em->em_devname, line);
	if (!em->em_ronly && !(em->em_sb.s_state & EXT2_ERROR_FS)) {
		em->em_mount_state |= EXT2_ERROR_FS;
		em->em_sb.s_state |= EXT2_ERROR_FS;
		ext2fs_fsmodified(em);
	}
	return EUCLEAN;
}

bool
ext2fs_blkok(struct ext2_mount *em, uint64_t b)
{
	return b >= em->em_sb.s_first_data_block && b < em->em_sb.s_blocks_count;
}

static bdaddr_t
fsbtodb(struct ext2_mount *em, uint64_t b)
{
	return (bdaddr_t)(b << (em->em_bshift - 9));
}

int
ext2fs_bread(struct ext2_mount *em, uint64_t b, struct buf **bpp)
{
	if (!ext2fs_blkok(em, b))
		return ext2fs_corrupt(em, "block %llu out of range",
		    (unsigned long long)b);
	return bread(em->em_devvp, fsbtodb(em, b), em->em_bsize, bpp);
}

int
ext2fs_breadn(struct ext2_mount *em, uint64_t b, uint32_t nra,
    struct buf **bpp)
{
	if (!ext2fs_blkok(em, b))
		return ext2fs_corrupt(em, "block %llu out of range",
		    (unsigned long long)b);
	return breadn(em->em_devvp, fsbtodb(em, b), em->em_bsize, nra, bpp);
}

unsigned
ext2fs_uncached(struct ext2_mount *em, uint64_t b, unsigned n)
{
	return bio_uncached(em->em_devvp, fsbtodb(em, b), em->em_bsize, n);
}

int
ext2fs_read_direct(struct ext2_mount *em, uint64_t b, struct iovec *iov,
    int cnt)
{
	return bio_read_direct(em->em_devvp, fsbtodb(em, b), iov, cnt);
}

struct buf *
ext2fs_getblk(struct ext2_mount *em, uint64_t b)
{
	return getblk(em->em_devvp, fsbtodb(em, b), em->em_bsize);
}

void
ext2fs_fsmodified(struct ext2_mount *em)
{
	em->em_fsmod = true;
}

/* ------------------------------------------------------------ features */

struct feature_name {
	uint32_t	bit;
	const char	*name;
};

static const struct feature_name incompat_names[] = {
	{ 0x0001, "compression" }, { 0x0002, "filetype" },
	{ 0x0004, "needs_recovery" }, { 0x0008, "journal_dev" },
	{ 0x0010, "meta_bg" }, { 0x0040, "extents" }, { 0x0080, "64bit" },
	{ 0x0100, "mmp" }, { 0x0200, "flex_bg" }, { 0x0400, "ea_inode" },
	{ 0x1000, "dirdata" }, { 0x2000, "metadata_csum_seed" },
	{ 0x4000, "large_dir" }, { 0x8000, "inline_data" },
	{ 0x10000, "encrypt" }, { 0x20000, "casefold" },
};

static const struct feature_name rocompat_names[] = {
	{ 0x0001, "sparse_super" }, { 0x0002, "large_file" },
	{ 0x0004, "btree_dir" }, { 0x0008, "huge_file" },
	{ 0x0010, "uninit_bg" }, { 0x0020, "dir_nlink" },
	{ 0x0040, "extra_isize" }, { 0x0080, "snapshot" }, { 0x0100, "quota" },
	{ 0x0200, "bigalloc" }, { 0x0400, "metadata_csum" },
	{ 0x0800, "replica" }, { 0x1000, "read-only" }, { 0x2000, "project" },
	{ 0x4000, "shared_blocks" }, { 0x8000, "verity" },
	{ 0x10000, "orphan_present" },
};

/* "extents 64bit flex_bg" for the bits set in mask. */
static void
feature_list(char *buf, size_t len, const struct feature_name *t, size_t n,
    uint32_t mask)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t bit = 1; bit != 0; bit <<= 1) {
		const char *name = NULL;
		char unk[16];

		if (!(mask & bit))
			continue;
		for (size_t i = 0; i < n; i++)
			if (t[i].bit == bit)
				name = t[i].name;
		if (name == NULL) {
			ksnprintf(unk, sizeof(unk), "0x%x", (unsigned)bit);
			name = unk;
		}
		if (used < len)
			used += (size_t)ksnprintf(buf + used, len - used, "%s%s",
			    used ? " " : "", name);
	}
}

/*
 * As Linux's ext2: unknown incompatible features refuse any mount, unknown
 * read-only-compatible ones a read-write mount; both with EINVAL.
 */
static int
check_features(struct ext2_mount *em, bool ronly)
{
	struct rump_kernel *k = em->em_mount->mnt_kernel;
	const struct ext2_super *sb = &em->em_sb;
	uint32_t f;
	char names[160];

	if (sb->s_rev_level == 0)
		return 0;
	if ((f = sb->s_feature_incompat & ~(uint32_t)EXT2F_INCOMPAT_SUPP)) {
		feature_list(names, sizeof(names), incompat_names,
		    sizeof(incompat_names) / sizeof(incompat_names[0]), f);
		klog(k, "ext2fs: %s: cannot mount: unsupported incompatible "
		    "features: %s (0x%x)", em->em_devname, names, (unsigned)f);
		return EINVAL;
	}
	if (!ronly &&
	    (f = sb->s_feature_ro_compat & ~(uint32_t)EXT2F_ROCOMPAT_SUPP)) {
		feature_list(names, sizeof(names), rocompat_names,
		    sizeof(rocompat_names) / sizeof(rocompat_names[0]), f);
		klog(k, "ext2fs: %s: cannot mount read-write: unsupported "
		    "read-only-compatible features: %s (0x%x)", em->em_devname,
		    names, (unsigned)f);
		return EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------ superblock */

static int
read_super(struct ext2_mount *em)
{
	struct buf *bp;
	int error;

	error = bread(em->em_devvp, EXT2_SUPER_OFFSET / 512, EXT2_SUPER_SIZE,
	    &bp);
	if (error != 0)
		return error;
	memcpy(&em->em_sb, bp->b_data, sizeof(em->em_sb));
	brelse(bp);
	return 0;
}

/* The geometry the rest of the driver relies on. */
static int
check_super(struct ext2_mount *em)
{
	struct rump_kernel *k = em->em_mount->mnt_kernel;
	struct ext2_super *sb = &em->em_sb;
	uint64_t ngroups, ipgmax;

	if (sb->s_magic != EXT2_MAGIC) {
		klog(k, "ext2fs: %s: no ext2 file system (bad magic 0x%x)",
		    em->em_devname, sb->s_magic);
		return EINVAL;
	}
	if (sb->s_rev_level > 1) {
		klog(k, "ext2fs: %s: cannot mount: revision %u is not supported",
		    em->em_devname, (unsigned)sb->s_rev_level);
		return EINVAL;
	}
	if (sb->s_log_block_size > 6)	/* 1 KiB to 64 KiB */
		return ext2fs_corrupt(em, "block size 2^%u KiB",
		    (unsigned)sb->s_log_block_size);
	em->em_bshift = 10 + sb->s_log_block_size;
	em->em_bsize = 1u << em->em_bshift;
	em->em_nindir = em->em_bsize / 4;
	if (sb->s_rev_level == 0) {
		em->em_isize = EXT2_GOOD_OLD_INODE_SIZE;
		em->em_first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		em->em_isize = sb->s_inode_size;
		em->em_first_ino = sb->s_first_ino;
	}
	if (em->em_isize < EXT2_GOOD_OLD_INODE_SIZE ||
	    em->em_isize > em->em_bsize ||
	    (em->em_isize & (em->em_isize - 1)) != 0)
		return ext2fs_corrupt(em, "inode size %u", em->em_isize);
	if (em->em_first_ino < EXT2_GOOD_OLD_FIRST_INO ||
	    em->em_first_ino > sb->s_inodes_count)
		return ext2fs_corrupt(em, "first inode %u", em->em_first_ino);
	if (sb->s_first_data_block != (em->em_bsize == 1024 ? 1u : 0u))
		return ext2fs_corrupt(em, "first data block %u",
		    (unsigned)sb->s_first_data_block);
	if (sb->s_blocks_per_group == 0 ||
	    sb->s_blocks_per_group > MIN(8 * em->em_bsize, EXT2_MAX_BPG) ||
	    sb->s_blocks_count <= sb->s_first_data_block)
		return ext2fs_corrupt(em, "%u blocks, %u blocks per group",
		    (unsigned)sb->s_blocks_count,
		    (unsigned)sb->s_blocks_per_group);
	ngroups = (sb->s_blocks_count - sb->s_first_data_block +
	    sb->s_blocks_per_group - 1) / sb->s_blocks_per_group;
	/* the descriptors count free blocks and inodes in 16 bits */
	ipgmax = MIN(8ull * em->em_bsize, 65536u - em->em_bsize / em->em_isize);
	if (sb->s_inodes_per_group == 0 || sb->s_inodes_per_group > ipgmax ||
	    (uint64_t)sb->s_inodes_per_group * ngroups != sb->s_inodes_count ||
	    sb->s_inodes_count < EXT2_ROOTINO)
		return ext2fs_corrupt(em, "%u inodes, %u per group, %llu groups",
		    (unsigned)sb->s_inodes_count,
		    (unsigned)sb->s_inodes_per_group,
		    (unsigned long long)ngroups);
	em->em_ngroups = (uint32_t)ngroups;
	em->em_gdblocks = (uint32_t)((ngroups * sizeof(struct ext2_gd) +
	    em->em_bsize - 1) / em->em_bsize);
	if ((uint64_t)sb->s_first_data_block + 1 + em->em_gdblocks >
	    sb->s_blocks_count)
		return ext2fs_corrupt(em, "no room for group descriptors");
	return 0;
}

static bool
gd_ok(struct ext2_mount *em, const struct ext2_gd *gd)
{
	uint64_t itblocks = ((uint64_t)em->em_sb.s_inodes_per_group *
	    em->em_isize + em->em_bsize - 1) / em->em_bsize;

	return ext2fs_blkok(em, gd->bg_block_bitmap) &&
	    ext2fs_blkok(em, gd->bg_inode_bitmap) &&
	    ext2fs_blkok(em, gd->bg_inode_table) &&
	    ext2fs_blkok(em, gd->bg_inode_table + itblocks - 1);
}

static int
read_gd(struct ext2_mount *em)
{
	struct rump_kernel *k = em->em_mount->mnt_kernel;
	size_t len = (size_t)em->em_ngroups * sizeof(struct ext2_gd);
	uint64_t b = em->em_sb.s_first_data_block + 1;
	struct buf *bp;
	int error;

	if ((em->em_gd = kmem_alloc(k, len)) == NULL)
		return ENOMEM;
	for (uint32_t i = 0; i < em->em_gdblocks; i++) {
		size_t off = (size_t)i * em->em_bsize;

		if ((error = ext2fs_bread(em, b + i, &bp)) != 0)
			return error;
		memcpy((char *)em->em_gd + off, bp->b_data,
		    MIN(em->em_bsize, len - off));
		brelse(bp);
	}
	for (uint32_t g = 0; g < em->em_ngroups; g++)
		if (!gd_ok(em, &em->em_gd[g]))
			return ext2fs_corrupt(em, "group %u: descriptor points "
			    "outside the file system", (unsigned)g);
	return 0;
}

/* Write the descriptors and the primary superblock back. */
static int
write_super(struct ext2_mount *em, bool wait)
{
	size_t len = (size_t)em->em_ngroups * sizeof(struct ext2_gd);
	uint64_t b = em->em_sb.s_first_data_block + 1;
	struct buf *bp;
	int error;

	for (uint32_t i = 0; i < em->em_gdblocks; i++) {
		size_t off = (size_t)i * em->em_bsize;

		if ((error = ext2fs_bread(em, b + i, &bp)) != 0)
			return error;
		memcpy(bp->b_data, (char *)em->em_gd + off,
		    MIN(em->em_bsize, len - off));
		bdwrite(bp);
	}
	error = bread(em->em_devvp, EXT2_SUPER_OFFSET / 512, EXT2_SUPER_SIZE,
	    &bp);
	if (error != 0)
		return error;
	memcpy(bp->b_data, &em->em_sb, sizeof(em->em_sb));
	if (wait)
		return bwrite(bp);
	bdwrite(bp);
	return 0;
}

static uint32_t
now_sec(void)
{
	struct timespec ts;

	vfs_gettime(&ts);
	return (uint32_t)ts.tv_sec;
}

/*
 * A read-write mount marks the file system in use (not valid) on disk.  The
 * state it had is what unmount leaves (as Linux): a file system that was
 * not clean, or had errors, stays so until e2fsck has checked it.
 */
static int
mark_mounted(struct ext2_mount *em)
{
	struct ext2_super *sb = &em->em_sb;
	struct rump_kernel *k = em->em_mount->mnt_kernel;

	if (!(sb->s_state & EXT2_VALID_FS))
		klog(k, "ext2fs: %s: warning: mounting a file system that was "
		    "not cleanly unmounted; running e2fsck is recommended",
		    em->em_devname);
	else if (sb->s_state & EXT2_ERROR_FS)
		klog(k, "ext2fs: %s: warning: mounting a file system with "
		    "errors; running e2fsck is recommended", em->em_devname);
	else if (sb->s_max_mnt_count > 0 &&
	    sb->s_mnt_count >= (uint16_t)sb->s_max_mnt_count)
		klog(k, "ext2fs: %s: warning: maximal mount count reached; "
		    "running e2fsck is recommended", em->em_devname);
	em->em_mount_state |= sb->s_state;
	sb->s_state &= (uint16_t)~EXT2_VALID_FS;
	sb->s_mnt_count++;
	sb->s_mtime = sb->s_wtime = now_sec();
	return write_super(em, true);
}

/* The file system must fit its device (as Linux's ext4 checks). */
static int
check_size(struct ext2_mount *em)
{
	uint64_t need = (uint64_t)em->em_sb.s_blocks_count << em->em_bshift;
	uint64_t have = disk_nodesize(em->em_devvp);

	if (need <= have)
		return 0;
	klog(em->em_mount->mnt_kernel, "ext2fs: %s: cannot mount: %u blocks "
	    "of %u bytes exceed the device's %llu bytes", em->em_devname,
	    (unsigned)em->em_sb.s_blocks_count, (unsigned)em->em_bsize,
	    (unsigned long long)have);
	return EINVAL;
}

static void
em_free(struct ext2_mount *em)
{
	struct rump_kernel *k = em->em_mount->mnt_kernel;

	if (em->em_gd != NULL)
		kmem_free(k, em->em_gd,
		    (size_t)em->em_ngroups * sizeof(struct ext2_gd));
	if (em->em_devvp != NULL) {
		vflushbuf(em->em_devvp);
		binvalbuf(em->em_devvp);
		vfs_putdevvp(em->em_devvp);
	}
	em->em_mount->mnt_data = NULL;
	kmem_free(k, em, sizeof(*em));
}

static int
ext2fs_mount(struct mount *mp, const char *source, const char *data)
{
	struct rump_kernel *k = mp->mnt_kernel;
	bool ronly = (mp->mnt_flag & MS_RDONLY) != 0;
	struct ext2_mount *em;
	struct ext2_node *root;
	const char *name;
	int error;

	(void)data;
	if ((em = kmem_zalloc(k, sizeof(*em))) == NULL)
		return ENOMEM;
	em->em_mount = mp;
	em->em_ronly = ronly;
	mp->mnt_data = em;
	name = source != NULL ? source : "(none)";
	memcpy(em->em_devname, name, strnlen(name, sizeof(em->em_devname) - 1));
	for (size_t i = 0; i < EXT2_NODEHASH; i++)
		LIST_INIT(&em->em_nodes[i]);
	error = vfs_getdevvp(curlwp, source, ronly ? FREAD : FREAD | FWRITE,
	    &em->em_devvp);
	if (error == 0)
		error = read_super(em);
	if (error == 0)
		error = check_super(em);
	if (error == 0)
		error = check_size(em);
	if (error == 0)
		error = check_features(em, ronly);
	if (error == 0)
		error = read_gd(em);
	if (error == 0)
		error = ext2fs_vget(em, EXT2_ROOTINO, &root);
	if (error == 0 && root->n_vnode.v_type != VDIR) {
		error = ext2fs_corrupt(em, "the root inode is not a directory");
		vrele(&root->n_vnode);
	}
	if (error == 0 && !ronly && (error = mark_mounted(em)) != 0)
		vrele(&root->n_vnode);
	if (error != 0) {
		em_free(em);
		return error;
	}
	em->em_root = root;		/* the mount's own reference */
	return 0;
}

static int
ext2fs_sync(struct mount *mp)
{
	struct ext2_mount *em = MPTOE2(mp);

	if (em->em_ronly)
		return 0;
	ext2fs_flushnodes(em, false);
	if (em->em_fsmod) {
		em->em_sb.s_wtime = now_sec();
		em->em_fsmod = false;
		return write_super(em, false);
	}
	return 0;
}

/*
 * Unmount and remount read-only: every buffer written back first, then the
 * superblock with the state to leave, synchronously and last, so that it
 * says clean only when everything else reached the device.
 */
static int
writeback_final(struct ext2_mount *em)
{
	int error = vflushbuf(em->em_devvp), e2;

	em->em_sb.s_state = em->em_mount_state;
	if (error != 0)
		em->em_sb.s_state &= (uint16_t)~EXT2_VALID_FS;
	em->em_sb.s_wtime = now_sec();
	em->em_fsmod = false;
	if ((e2 = write_super(em, true)) == 0)
		e2 = vflushbuf(em->em_devvp);
	return error != 0 ? error : e2;
}

static int
ext2fs_unmount(struct mount *mp)
{
	struct ext2_mount *em = MPTOE2(mp);
	int error = 0;

	ext2fs_flushnodes(em, true);	/* the root's reference with them */
	if (!em->em_ronly)
		error = writeback_final(em);
	/*
	 * The mount goes whatever the device said, as on Linux: what could
	 * not be written is reported on the console, and the state stays
	 * "not clean" on disk when the superblock itself could not be.
	 */
	if (error != 0)
		klog(mp->mnt_kernel, "ext2fs: %s: error %d writing back at "
		    "unmount; run e2fsck", em->em_devname, error);
	em_free(em);
	return 0;
}

/*
 * Read-write to read-only: everything written and the file system marked
 * clean, as at unmount.  Read-only to read-write is refused: the device
 * was opened for reading only (unmount and mount again).
 */
static int
ext2fs_remount(struct mount *mp, unsigned long flags)
{
	struct ext2_mount *em = MPTOE2(mp);
	bool ronly = (flags & MS_RDONLY) != 0;
	int error;

	if (ronly == em->em_ronly)
		return 0;
	if (!ronly) {
		klog(mp->mnt_kernel, "ext2fs: %s: cannot remount read-write: "
		    "unmount and mount again", em->em_devname);
		return EROFS;
	}
	ext2fs_flushnodes(em, false);
	if ((error = writeback_final(em)) != 0)
		return error;
	em->em_ronly = true;
	return 0;
}

static struct vnode *
ext2fs_root(struct mount *mp)
{
	return &MPTOE2(mp)->em_root->n_vnode;
}

/* Blocks the groups spend on metadata: Linux's "bsddf" accounting. */
static uint64_t
overhead(struct ext2_mount *em)
{
	uint64_t itb = ((uint64_t)em->em_sb.s_inodes_per_group * em->em_isize +
	    em->em_bsize - 1) / em->em_bsize;

	return em->em_sb.s_first_data_block +
	    (uint64_t)em->em_ngroups * (2 + itb);
}

static int
ext2fs_statfs(struct mount *mp, struct statfs *sbp)
{
	struct ext2_mount *em = MPTOE2(mp);
	struct ext2_super *sb = &em->em_sb;
	uint64_t ov = overhead(em);

	sbp->f_type = EXT2_SUPER_MAGIC;
	sbp->f_bsize = em->em_bsize;
	sbp->f_frsize = em->em_bsize;
	sbp->f_blocks = sb->s_blocks_count > ov ? sb->s_blocks_count - ov : 0;
	sbp->f_bfree = sb->s_free_blocks_count;
	sbp->f_bavail = sb->s_free_blocks_count > sb->s_r_blocks_count ?
	    sb->s_free_blocks_count - sb->s_r_blocks_count : 0;
	sbp->f_files = sb->s_inodes_count;
	sbp->f_ffree = sb->s_free_inodes_count;
	sbp->f_namelen = EXT2_NAME_MAX;
	return 0;
}

const struct vfsops ext2fs_vfsops = {
	.vfs_name = "ext2",
	.vfs_mount = ext2fs_mount,
	.vfs_unmount = ext2fs_unmount,
	.vfs_root = ext2fs_root,
	.vfs_statfs = ext2fs_statfs,
	.vfs_sync = ext2fs_sync,
	.vfs_remount = ext2fs_remount,
};

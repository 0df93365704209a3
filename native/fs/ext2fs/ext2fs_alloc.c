/*
 * ext2 allocation: the block and inode bitmaps of the groups, and the free
 * counts kept in the group descriptors and the superblock.  Every change to
 * a bitmap changes the counts with it, so the file system stays consistent
 * between any two operations.
 *
 * Policy: a block goes near a hint (the block after the file's last one, so
 * files stay contiguous), else anywhere in the hint's group, else in the
 * next groups with free blocks.  An inode goes in its parent's group, else
 * in the next group with free inodes.
 */
#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/kauth.h"
#include "sys/proc.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

static uint32_t
blk_group(struct ext2_mount *em, uint64_t b)
{
	return (uint32_t)((b - em->em_sb.s_first_data_block) /
	    em->em_sb.s_blocks_per_group);
}

static uint64_t
group_first(struct ext2_mount *em, uint32_t g)
{
	return em->em_sb.s_first_data_block +
	    (uint64_t)g * em->em_sb.s_blocks_per_group;
}

/* Blocks group g has (the last group may be short). */
static uint32_t
group_nblocks(struct ext2_mount *em, uint32_t g)
{
	uint64_t left = em->em_sb.s_blocks_count - group_first(em, g);

	return (uint32_t)MIN(left, (uint64_t)em->em_sb.s_blocks_per_group);
}

static bool
bit_isset(const uint8_t *map, uint32_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static void
bit_flip(uint8_t *map, uint32_t i)
{
	map[i >> 3] ^= (uint8_t)(1u << (i & 7));
}

/* The first clear bit in [from, to) of map, -1 if none: 64 bits a step. */
static int64_t
bit_find_range(const uint8_t *map, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	for (; i < to && (i & 63) != 0; i++)
		if (!bit_isset(map, i))
			return i;
	for (; i + 64 <= to; i += 64) {
		uint64_t w;

		memcpy(&w, map + (i >> 3), sizeof(w));	/* bit j of w: bit i + j */
		if (w != UINT64_MAX)
			return i + (uint32_t)__builtin_ctzll(~w);
	}
	for (; i < to; i++)
		if (!bit_isset(map, i))
			return i;
	return -1;
}

/* The first clear bit in [from, n) of map, wrapping to [0, from); -1 if none. */
static int64_t
bit_find(const uint8_t *map, uint32_t from, uint32_t n)
{
	int64_t i = bit_find_range(map, from, n);

	return i >= 0 ? i : bit_find_range(map, 0, MIN(from, n));
}

/* Take a clear bit near bit 'from' in group g's block bitmap. */
static int
balloc_group(struct ext2_mount *em, uint32_t g, uint32_t from, uint64_t *bnp)
{
	struct ext2_gd *gd = &em->em_gd[g];
	uint32_t n = group_nblocks(em, g);
	struct buf *bp;
	int64_t i;
	int error;

	if ((error = ext2fs_bread(em, gd->bg_block_bitmap, &bp)) != 0)
		return error;
	if ((i = bit_find(bp->b_data, from < n ? from : 0, n)) < 0) {
		brelse(bp);
		return ext2fs_corrupt(em, "group %u: free block count %u but a "
		    "full bitmap", (unsigned)g, (unsigned)gd->bg_free_blocks_count);
	}
	bit_flip(bp->b_data, (uint32_t)i);
	bdwrite(bp);
	gd->bg_free_blocks_count--;
	em->em_sb.s_free_blocks_count--;
	ext2fs_fsmodified(em);
	*bnp = group_first(em, g) + (uint64_t)i;
	return 0;
}

/*
 * May the calling process take one of the last s_r_blocks_count free
 * blocks?  As Linux: a privileged caller (CAP_SYS_RESOURCE), the
 * reserved user s_def_resuid and members of a non-root s_def_resgid.
 */
static bool
may_use_reserved(const struct ext2_mount *em)
{
	struct proc *p = curlwp->l_proc;
	kauth_cred_t cr = kauth_cred_get_proc(p);
	gid_t resgid = em->em_sb.s_def_resgid;
	bool ok;

	ok = kauth_cred_privileged(cr) ||
	    cr->cr_fsuid == em->em_sb.s_def_resuid ||
	    (resgid != 0 && kauth_cred_groupmember(cr, resgid));
	kauth_cred_free(p->p_kernel, cr);
	return ok;
}

/* A free block, near hint when it can (0: no hint); ENOSPC when none is. */
int
ext2fs_blkalloc(struct ext2_mount *em, uint64_t hint, uint64_t *bnp)
{
	uint32_t g0, from = 0;

	if (em->em_sb.s_free_blocks_count == 0)
		return ENOSPC;
	if (em->em_sb.s_free_blocks_count <= em->em_sb.s_r_blocks_count &&
	    !may_use_reserved(em))
		return ENOSPC;
	if (!ext2fs_blkok(em, hint))
		hint = em->em_sb.s_first_data_block;
	g0 = blk_group(em, hint);
	from = (uint32_t)(hint - group_first(em, g0));
	for (uint32_t k = 0; k < em->em_ngroups; k++) {
		uint32_t g = (g0 + k) % em->em_ngroups;

		if (em->em_gd[g].bg_free_blocks_count == 0)
			continue;
		return balloc_group(em, g, k == 0 ? from : 0, bnp);
	}
	return ENOSPC;
}

/* Give block b back. */
int
ext2fs_blkfree(struct ext2_mount *em, uint64_t b)
{
	uint32_t g, i;
	struct buf *bp;
	int error;

	if (!ext2fs_blkok(em, b))
		return ext2fs_corrupt(em, "freeing block %llu: out of range",
		    (unsigned long long)b);
	g = blk_group(em, b);
	i = (uint32_t)(b - group_first(em, g));
	if ((error = ext2fs_bread(em, em->em_gd[g].bg_block_bitmap, &bp)) != 0)
		return error;
	if (!bit_isset(bp->b_data, i)) {
		brelse(bp);
		return ext2fs_corrupt(em, "freeing block %llu: already free",
		    (unsigned long long)b);
	}
	bit_flip(bp->b_data, i);
	bdwrite(bp);
	em->em_gd[g].bg_free_blocks_count++;
	em->em_sb.s_free_blocks_count++;
	ext2fs_fsmodified(em);
	return 0;
}

static int
ialloc_group(struct ext2_mount *em, uint32_t g, bool isdir, uint32_t *inop)
{
	struct ext2_gd *gd = &em->em_gd[g];
	uint32_t ipg = em->em_sb.s_inodes_per_group, start;
	struct buf *bp;
	int64_t i = -1;
	int error;

	if ((error = ext2fs_bread(em, gd->bg_inode_bitmap, &bp)) != 0)
		return error;
	/* the reserved inodes below the first one stay out of reach */
	start = g * ipg + 1 >= em->em_first_ino ? 0 :
	    MIN(em->em_first_ino - 1 - g * ipg, ipg);
	if (start < ipg && (i = bit_find(bp->b_data, start, ipg)) < start)
		i = -1;
	if (i < 0) {
		brelse(bp);
		return ext2fs_corrupt(em, "group %u: free inode count %u but "
		    "no free inode", (unsigned)g,
		    (unsigned)gd->bg_free_inodes_count);
	}
	bit_flip(bp->b_data, (uint32_t)i);
	bdwrite(bp);
	gd->bg_free_inodes_count--;
	em->em_sb.s_free_inodes_count--;
	if (isdir)
		gd->bg_used_dirs_count++;
	ext2fs_fsmodified(em);
	*inop = g * ipg + (uint32_t)i + 1;
	return 0;
}

/* A free inode number, in the group of inode near if it can. */
int
ext2fs_inoalloc(struct ext2_mount *em, uint32_t near, bool isdir,
    uint32_t *inop)
{
	uint32_t g0 = (near - 1) / em->em_sb.s_inodes_per_group;

	if (em->em_sb.s_free_inodes_count == 0)
		return ENOSPC;
	for (uint32_t k = 0; k < em->em_ngroups; k++) {
		uint32_t g = (g0 + k) % em->em_ngroups;

		if (em->em_gd[g].bg_free_inodes_count == 0)
			continue;
		return ialloc_group(em, g, isdir, inop);
	}
	return ENOSPC;
}

int
ext2fs_inofree(struct ext2_mount *em, uint32_t ino, bool isdir)
{
	uint32_t ipg = em->em_sb.s_inodes_per_group;
	uint32_t g = (ino - 1) / ipg, i = (ino - 1) % ipg;
	struct ext2_gd *gd = &em->em_gd[g];
	struct buf *bp;
	int error;

	if ((error = ext2fs_bread(em, gd->bg_inode_bitmap, &bp)) != 0)
		return error;
	if (!bit_isset(bp->b_data, i)) {
		brelse(bp);
		return ext2fs_corrupt(em, "freeing inode %u: already free",
		    (unsigned)ino);
	}
	bit_flip(bp->b_data, i);
	bdwrite(bp);
	gd->bg_free_inodes_count++;
	em->em_sb.s_free_inodes_count++;
	if (isdir && gd->bg_used_dirs_count > 0)
		gd->bg_used_dirs_count--;
	ext2fs_fsmodified(em);
	return 0;
}

/*
 * An inode being freed lets go of its extended-attribute block: one
 * reference (h_refcount) fewer, the block itself with the last one.
 */
#define EXT2_XATTR_MAGIC	0xEA020000u

int
ext2fs_xattr_release(struct ext2_node *n)
{
	struct ext2_mount *em = E2MP(n);
	struct ext2_dinode *d = n->n_din;
	uint64_t b = d->i_file_acl;
	struct buf *bp;
	uint32_t hdr[2];	/* h_magic, h_refcount */
	int error;

	if (b == 0)
		return 0;
	if (!ext2fs_blkok(em, b))
		return ext2fs_corrupt(em, "inode %u: attribute block %llu out "
		    "of range", (unsigned)n->n_ino, (unsigned long long)b);
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	memcpy(hdr, bp->b_data, sizeof(hdr));
	if (hdr[0] != EXT2_XATTR_MAGIC || hdr[1] == 0) {
		brelse(bp);
		return ext2fs_corrupt(em, "inode %u: attribute block %llu: bad "
		    "header", (unsigned)n->n_ino, (unsigned long long)b);
	}
	if (hdr[1] > 1) {
		hdr[1]--;
		memcpy((char *)bp->b_data + 4, &hdr[1], 4);
		bdwrite(bp);
	} else {
		brelse(bp);
		if ((error = ext2fs_blkfree(em, b)) != 0)
			return error;
	}
	d->i_file_acl = 0;
	d->i_blocks -= MIN(d->i_blocks, em->em_bsize / 512);
	n->n_dirty = true;
	return 0;
}

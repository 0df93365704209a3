/*
 * ext2 block mapping: a file's block lbn through i_block's 12 direct
 * slots, then the indirect, double and triple indirect trees.  Every block
 * number read is checked against the file system's range.
 */
#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

/*
 * The path to lbn: the i_block slot and the indexes in each indirect block
 * below it.  Returns the number of indirect levels (0 to 3), or -1 when
 * lbn is beyond the triple indirect tree.
 */
int
ext2fs_bmap_path(const struct ext2_mount *em, uint64_t lbn, unsigned *slot,
    uint32_t idx[3])
{
	uint64_t nind = em->em_nindir, span = 1;
	int level;

	if (lbn < EXT2_NDADDR) {
		*slot = (unsigned)lbn;
		return 0;
	}
	lbn -= EXT2_NDADDR;
	for (level = 1; level <= 3; level++) {
		span *= nind;
		if (lbn < span)
			break;
		lbn -= span;
	}
	if (level > 3)
		return -1;
	*slot = EXT2_IND + (unsigned)level - 1;
	for (int i = 0; i < level; i++) {
		span /= nind;
		idx[i] = (uint32_t)(lbn / span);
		lbn %= span;
	}
	return level;
}

uint64_t
ext2fs_maxfilesize(const struct ext2_mount *em)
{
	uint64_t n = em->em_nindir;
	uint64_t blocks = EXT2_NDADDR + n + n * n + n * n * n;
	uint64_t bytes = blocks << em->em_bshift;
	/* i_blocks counts 512-byte sectors in 32 bits */
	uint64_t bysect = ((uint64_t)UINT32_MAX << 9) -
	    ((uint64_t)em->em_bsize << 2);

	return MIN(bytes, bysect);
}

/* Entry i of indirect block b, checked. */
int
ext2fs_indir_get(struct ext2_mount *em, uint64_t b, uint32_t i, uint64_t *out)
{
	struct buf *bp;
	uint32_t v;
	int error;

	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	v = ((const uint32_t *)bp->b_data)[i];
	brelse(bp);
	if (v != 0 && !ext2fs_blkok(em, v))
		return ext2fs_corrupt(em, "indirect block %llu: entry %u "
		    "points to block %u", (unsigned long long)b, (unsigned)i,
		    (unsigned)v);
	*out = v;
	return 0;
}

/*
 * How many entries of leaf (a block's worth of numbers or the direct slots)
 * from i on, up to max, map blocks b, b + 1, ...: a run one host transfer
 * can take; for b 0, how many are holes.  b has been checked; the last
 * block of the run is checked too (the ones between lie in range with it).
 */
static uint32_t
leaf_run(struct ext2_mount *em, const uint32_t *leaf, uint32_t i,
    uint32_t nleaf, uint64_t b, uint32_t max)
{
	uint32_t run = 1;

	if (b == 0) {
		while (run < max && i + run < nleaf && leaf[i + run] == 0)
			run++;
		return run;
	}
	while (run < max && i + run < nleaf && leaf[i + run] == b + run)
		run++;
	while (run > 1 && !ext2fs_blkok(em, b + run - 1))
		run--;
	return run;
}

int
ext2fs_bmap_start(struct ext2_node *n, uint64_t lbn, int *levelp,
    unsigned *slotp, uint32_t idx[3], uint64_t *bp)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t b;

	if ((*levelp = ext2fs_bmap_path(em, lbn, slotp, idx)) < 0)
		return EFBIG;
	b = n->n_din->i_block[*slotp];
	if (b != 0 && !ext2fs_blkok(em, b))
		return ext2fs_corrupt(em, "inode %u: block slot %u points to "
		    "block %llu", (unsigned)n->n_ino, *slotp,
		    (unsigned long long)b);
	*bp = b;
	return 0;
}

int
ext2fs_bmap_run(struct ext2_node *n, uint64_t lbn, uint32_t max,
    uint64_t *bnp, uint32_t *runp)
{
	struct ext2_mount *em = E2MP(n);
	uint32_t idx[3], run = 1;
	unsigned slot;
	struct buf *bp;
	uint64_t b;
	int level, error;

	if ((error = ext2fs_bmap_start(n, lbn, &level, &slot, idx, &b)) != 0)
		return error;
	if (level == 0)
		run = leaf_run(em, n->n_din->i_block, slot, EXT2_NDADDR, b, max);
	for (int i = 0; i < level - 1 && b != 0; i++)
		if ((error = ext2fs_indir_get(em, b, idx[i], &b)) != 0)
			return error;
	if (level > 0 && b != 0) {
		/* the last indirect block: the entry and the run after it */
		uint64_t ib = b;

		if ((error = ext2fs_bread(em, ib, &bp)) != 0)
			return error;
		b = ((const uint32_t *)bp->b_data)[idx[level - 1]];
		if (b == 0 || ext2fs_blkok(em, b))
			run = leaf_run(em, bp->b_data, idx[level - 1],
			    em->em_nindir, b, max);
		brelse(bp);
		if (b != 0 && !ext2fs_blkok(em, b))
			return ext2fs_corrupt(em, "indirect block %llu: entry "
			    "%u points to block %llu", (unsigned long long)ib,
			    (unsigned)idx[level - 1], (unsigned long long)b);
	}
	*bnp = b;
	*runp = run;
	return 0;
}

int
ext2fs_bmap(struct ext2_node *n, uint64_t lbn, uint64_t *bnp)
{
	uint32_t run;

	return ext2fs_bmap_run(n, lbn, 1, bnp, &run);
}

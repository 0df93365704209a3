/*
 * ext2 SEEK_DATA and SEEK_HOLE: the file's holes are its unmapped blocks.
 * A walk down the block tree skips a whole unmapped subtree (an absent
 * indirect, double or triple indirect block) in one step, so a sparse file
 * of terabytes is crossed in a few steps; mapped blocks go one at a time.
 */
#include <unistd.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

/*
 * Is file block lbn mapped (*mapped), and for how many blocks from lbn on
 * does the answer hold (*run: 1 for a mapped block, the rest of the
 * unmapped subtree for a hole)?
 */
static int
probe(struct ext2_node *n, uint64_t lbn, bool *mapped, uint64_t *run)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t nind = em->em_nindir, b;
	uint32_t idx[3];
	unsigned slot;
	int level, error;

	if ((error = ext2fs_bmap_start(n, lbn, &level, &slot, idx, &b)) != 0)
		return error;
	for (int i = 0; i <= level; i++) {
		if (b == 0) {
			/* the subtree below level i: nind^(level-i) blocks */
			uint64_t span = 1, pos = 0;

			for (int j = level - 1; j >= i; j--) {
				pos += idx[j] * span;
				span *= nind;
			}
			*mapped = false;
			*run = span - pos;
			return 0;
		}
		if (i < level &&
		    (error = ext2fs_indir_get(em, b, idx[i], &b)) != 0)
			return error;
	}
	*mapped = true;
	*run = 1;
	return 0;
}

int
ext2fs_seekdata(struct vnode *vp, int whence, off_t *offp)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	uint64_t size = ext2fs_size(n), off = (uint64_t)*offp, lbn, last;
	uint64_t found = UINT64_MAX, run = 1;
	bool mapped = false;
	int error;

	if (off >= size)
		return ENXIO;
	last = (size - 1) >> em->em_bshift;
	for (lbn = off >> em->em_bshift; lbn <= last; lbn += run) {
		if ((error = probe(n, lbn, &mapped, &run)) != 0)
			return error;
		if (mapped == (whence == SEEK_DATA)) {
			found = lbn << em->em_bshift;
			break;
		}
	}
	if (whence == SEEK_DATA) {
		if (found == UINT64_MAX)
			return ENXIO;
		*offp = (off_t)MAX(off, found);
	} else {
		*offp = (off_t)MIN(MAX(off, found), size);
	}
	return 0;
}

/*
 * ext2 file data on read-write mounts: placing blocks in a file (with the
 * indirect blocks above them), writing, truncating and fallocate.
 *
 * No buffer is held while another block is read: on a corrupt image an
 * indirect block could name a bitmap or itself, and waiting for a buffer
 * this thread holds would hang.  Indirect blocks being emptied are copied
 * out first.
 */
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/kmem.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

static uint64_t max_size(struct ext2_mount *em);

/* Where the next block of the file should go: after its last one. */
static uint64_t
alloc_hint(struct ext2_node *n, uint64_t lbn)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t b;

	if (n->n_lastblk != 0)
		return (uint64_t)n->n_lastblk + 1;
	if (lbn > 0 && ext2fs_bmap(n, lbn - 1, &b) == 0 && b != 0)
		return b + 1;
	return em->em_sb.s_first_data_block +
	    (uint64_t)((n->n_ino - 1) / em->em_sb.s_inodes_per_group) *
	    em->em_sb.s_blocks_per_group;
}

/*
 * A new block for the file, counted in i_blocks: zeroed, unless the caller
 * is about to write all of it.
 */
static int
new_block(struct ext2_node *n, uint64_t lbn, bool zero, uint64_t *bnp)
{
	struct ext2_mount *em = E2MP(n);
	struct buf *bp;
	uint64_t b;
	int error;

	if ((error = ext2fs_blkalloc(em, alloc_hint(n, lbn), &b)) != 0)
		return error;
	if (zero) {
		if ((bp = ext2fs_getblk(em, b)) == NULL) {
			(void)ext2fs_blkfree(em, b);
			return ENOMEM;
		}
		memset(bp->b_data, 0, em->em_bsize);
		bdwrite(bp);
	}
	n->n_din->i_blocks += em->em_bsize / 512;
	n->n_lastblk = (uint32_t)b;
	n->n_dirty = true;
	*bnp = b;
	return 0;
}

/* Entry i of indirect block b, allocated if absent. */
static int
indir_alloc(struct ext2_node *n, uint64_t lbn, uint64_t b, uint32_t i,
    bool zero, uint64_t *out)
{
	struct ext2_mount *em = E2MP(n);
	struct buf *bp;
	uint64_t v;
	int error;

	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	v = ((uint32_t *)bp->b_data)[i];
	brelse(bp);
	if (v != 0) {
		*out = v;
		return ext2fs_blkok(em, v) ? 0 : ext2fs_corrupt(em,
		    "indirect block %llu: entry %u points to block %llu",
		    (unsigned long long)b, (unsigned)i, (unsigned long long)v);
	}
	if ((error = new_block(n, lbn, zero, &v)) != 0)
		return error;
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	((uint32_t *)bp->b_data)[i] = (uint32_t)v;
	bdwrite(bp);
	*out = v;
	return 0;
}

/* ext2fs_balloc; a new data block is left unzeroed when !zero. */
static int
balloc(struct ext2_node *n, uint64_t lbn, bool zero, uint64_t *bnp)
{
	struct ext2_mount *em = E2MP(n);
	uint32_t idx[3];
	unsigned slot;
	uint64_t b;
	int level, error;

	n->n_maplen = 0;	/* the block map may change */
	if ((level = ext2fs_bmap_path(em, lbn, &slot, idx)) < 0)
		return EFBIG;
	b = n->n_din->i_block[slot];
	if (b == 0) {
		if ((error = new_block(n, lbn, zero || level > 0, &b)) != 0)
			return error;
		n->n_din->i_block[slot] = (uint32_t)b;
	} else if (!ext2fs_blkok(em, b)) {
		return ext2fs_corrupt(em, "inode %u: block slot %u points to "
		    "block %llu", (unsigned)n->n_ino, slot, (unsigned long long)b);
	}
	for (int i = 0; i < level; i++)
		if ((error = indir_alloc(n, lbn, b, idx[i],
		    zero || i + 1 < level, &b)) != 0)
			return error;
	*bnp = b;
	return 0;
}

int
ext2fs_balloc(struct ext2_node *n, uint64_t lbn, uint64_t *bnp)
{
	return balloc(n, lbn, true, bnp);
}

/* ------------------------------------------------------------ truncation */

static int
free_block(struct ext2_node *n, uint64_t b)
{
	struct ext2_mount *em = E2MP(n);
	int error;

	if ((error = ext2fs_blkfree(em, b)) != 0)
		return error;
	n->n_din->i_blocks -= MIN(n->n_din->i_blocks, em->em_bsize / 512);
	n->n_dirty = true;
	return 0;
}

/*
 * Free what indirect block b (level 1 to 3, mapping from file block base)
 * maps at file blocks from and after; *emptyp: nothing is left in it.
 */
static int
free_indir(struct ext2_node *n, uint64_t b, int level, uint64_t base,
    uint64_t from, bool *emptyp)
{
	struct ext2_mount *em = E2MP(n);
	struct rump_kernel *k = em->em_mount->mnt_kernel;
	uint64_t span = 1;
	uint32_t *ent;
	struct buf *bp;
	bool changed = false;
	int error;

	for (int i = 1; i < level; i++)
		span *= em->em_nindir;
	if ((ent = kmem_alloc(k, em->em_bsize)) == NULL)
		return ENOMEM;
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		goto out;
	memcpy(ent, bp->b_data, em->em_bsize);
	brelse(bp);
	*emptyp = true;
	for (uint32_t i = 0; i < em->em_nindir && error == 0; i++) {
		uint64_t lbase = base + i * span;
		bool empty = true;

		if (ent[i] != 0 && lbase + span > from) {
			if (!ext2fs_blkok(em, ent[i]))
				error = ext2fs_corrupt(em, "indirect block %llu: "
				    "entry %u points to block %u",
				    (unsigned long long)b, (unsigned)i,
				    (unsigned)ent[i]);
			else if (level > 1)
				error = free_indir(n, ent[i], level - 1, lbase,
				    from, &empty);
			if (error == 0 && empty)
				error = free_block(n, ent[i]);
			if (error == 0 && empty) {
				ent[i] = 0;
				changed = true;
			}
		}
		if (ent[i] != 0)
			*emptyp = false;
	}
	if (changed && !*emptyp && ext2fs_bread(em, b, &bp) == 0) {
		memcpy(bp->b_data, ent, em->em_bsize);
		bdwrite(bp);
	}
out:
	kmem_free(k, ent, em->em_bsize);
	return error;
}

/* Free the file's blocks from file block from on. */
static int
free_from(struct ext2_node *n, uint64_t from)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t base = EXT2_NDADDR, span = 1;
	uint32_t *ib = n->n_din->i_block;
	int error;

	for (unsigned s = 0; s < EXT2_NDADDR; s++)
		if (s >= from && ib[s] != 0) {
			if ((error = free_block(n, ib[s])) != 0)
				return error;
			ib[s] = 0;
		}
	for (int level = 1; level <= 3; level++) {
		unsigned s = EXT2_IND + (unsigned)level - 1;
		bool empty = true;

		span *= em->em_nindir;
		if (ib[s] != 0 && base + span > from) {
			if (!ext2fs_blkok(em, ib[s]))
				return ext2fs_corrupt(em, "inode %u: block slot "
				    "%u points to block %u", (unsigned)n->n_ino,
				    s, (unsigned)ib[s]);
			error = free_indir(n, ib[s], level, base, from, &empty);
			if (error == 0 && empty)
				error = free_block(n, ib[s]);
			if (error != 0)
				return error;
			if (empty)
				ib[s] = 0;
		}
		base += span;
	}
	n->n_dirty = true;
	return 0;
}

/* Zero the bytes of the block holding offset size from size on. */
static int
zero_tail(struct ext2_node *n, uint64_t size)
{
	struct ext2_mount *em = E2MP(n);
	size_t bo = (size_t)(size & (em->em_bsize - 1));
	struct buf *bp;
	uint64_t b;
	int error;

	if (bo == 0)
		return 0;
	if ((error = ext2fs_bmap(n, size >> em->em_bshift, &b)) != 0 || b == 0)
		return error;
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	memset((char *)bp->b_data + bo, 0, em->em_bsize - bo);
	bdwrite(bp);
	return 0;
}

static bool
has_blocks(struct ext2_node *n)
{
	enum vtype t = ext2fs_vtype(n);

	return t == VREG || t == VDIR || (t == VLNK && !ext2fs_fastlink(n));
}

int
ext2fs_truncate(struct ext2_node *n, uint64_t size)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t old = ext2fs_size(n);
	int error;

	n->n_maplen = 0;	/* the block map may change */
	if (ext2fs_vtype(n) == VREG && size > max_size(em))
		return EFBIG;
	if (has_blocks(n)) {
		if ((error = free_from(n, (size + em->em_bsize - 1) >>
		    em->em_bshift)) != 0)
			return error;
		if (size < old && (error = zero_tail(n, size)) != 0)
			return error;
	}
	n->n_lastblk = 0;
	ext2fs_setsize(n, size);
	return 0;
}

/* ------------------------------------------------------------ writing */

static uint64_t
max_size(struct ext2_mount *em)
{
	if (em->em_sb.s_rev_level == 0)
		return MIN(ext2fs_maxfilesize(em), (uint64_t)INT32_MAX);
	return ext2fs_maxfilesize(em);
}

/* One block's part of the write. */
static int
write_block(struct ext2_node *n, struct uio *uio)
{
	struct ext2_mount *em = E2MP(n);
	uint64_t off = (uint64_t)uio->uio_offset, b;
	size_t bo = (size_t)(off & (em->em_bsize - 1));
	size_t cnt = MIN(em->em_bsize - bo, uio->uio_resid);
	size_t resid = uio->uio_resid;
	bool whole = cnt == em->em_bsize;
	struct buf *bp;
	int error;

	/* a block written whole is neither read nor zeroed first */
	if ((error = balloc(n, off >> em->em_bshift, !whole, &b)) != 0)
		return error;
	if (whole)
		bp = ext2fs_getblk(em, b), error = bp == NULL ? ENOMEM : 0;
	else
		error = ext2fs_bread(em, b, &bp);
	if (error != 0)
		return error;
	error = uiomove((char *)bp->b_data + bo, cnt, uio);
	if (error != 0 && !(bp->b_flags & B_DONE)) {
		/* what a failed copy left of a buffer never filled: zeros */
		size_t done = resid - uio->uio_resid;

		memset((char *)bp->b_data + bo + done, 0, cnt - done);
	}
	bdwrite(bp);
	if ((uint64_t)uio->uio_offset > ext2fs_size(n))
		ext2fs_setsize(n, (uint64_t)uio->uio_offset);
	return error;
}

int
ext2fs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	size_t start = uio->uio_resid;
	int error = 0;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (ioflag & IO_APPEND)
		uio->uio_offset = (off_t)ext2fs_size(n);
	if (uio->uio_offset < 0)
		return EINVAL;
	if (start == 0)
		return 0;
	if ((uint64_t)uio->uio_offset + start > max_size(em))
		return EFBIG;
	while (uio->uio_resid > 0 && error == 0)
		error = write_block(n, uio);
	if (error != 0)		/* blocks placed past the end go back */
		(void)ext2fs_truncate(n, ext2fs_size(n));
	if (uio->uio_resid < start) {
		ext2fs_touch(n, true);
		error = 0;	/* a short write */
	}
	return error;
}

/* fallocate mode 0: every block of [off, off + len) allocated. */
int
ext2fs_allocate(struct vnode *vp, off_t off, off_t len, bool keepsize)
{
	struct ext2_node *n = VTOE2(vp);
	struct ext2_mount *em = E2MP(n);
	uint64_t end = (uint64_t)off + (uint64_t)len, old = ext2fs_size(n), b;
	int error = 0;

	if (keepsize)
		return EOPNOTSUPP;	/* blocks past i_size: e2fsck objects */
	if (end > max_size(em))
		return EFBIG;
	for (uint64_t lbn = (uint64_t)off >> em->em_bshift;
	    lbn <= (end - 1) >> em->em_bshift && error == 0; lbn++)
		error = ext2fs_balloc(n, lbn, &b);
	if (error != 0) {
		(void)ext2fs_truncate(n, old);
		return error;
	}
	if (end > old)
		ext2fs_setsize(n, end);
	ext2fs_touch(n, true);
	return 0;
}

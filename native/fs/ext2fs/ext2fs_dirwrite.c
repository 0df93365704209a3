/*
 * ext2 directory writes: inserting an entry (in a free record, in the
 * slack after a record, or in a new block at the end), removing one (its
 * record merges into the previous one of its block; the first record of a
 * block just loses its inode), pointing an entry at another inode, and the
 * first block of a new directory.
 *
 * A hashed (dir_index) directory that is modified loses EXT2_INDEX_FL: its
 * records stay where they are, readable linearly, and e2fsck accepts a
 * directory without an index.  Index blocks then read as empty records.
 */
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

#define NO_PREV		((size_t)-1)

static uint8_t
file_type(struct ext2_node *n)
{
	static const uint8_t map[] = {
		[VREG] = EXT2_FT_REG_FILE, [VDIR] = EXT2_FT_DIR,
		[VCHR] = EXT2_FT_CHRDEV, [VBLK] = EXT2_FT_BLKDEV,
		[VFIFO] = EXT2_FT_FIFO, [VSOCK] = EXT2_FT_SOCK,
		[VLNK] = EXT2_FT_SYMLINK,
	};
	struct ext2_mount *em = E2MP(n);

	if (!(em->em_sb.s_feature_incompat & EXT2F_INCOMPAT_FILETYPE))
		return 0;
	return map[ext2fs_vtype(n)];
}

void
ext2fs_dirunindex(struct ext2_node *dp)
{
	if (dp->n_din->i_flags & EXT2_INDEX_FL) {
		dp->n_din->i_flags &= ~(uint32_t)EXT2_INDEX_FL;
		dp->n_dirty = true;
	}
}

static struct ext2_dirent *
rec_at(struct buf *bp, size_t off)
{
	return (struct ext2_dirent *)((char *)bp->b_data + off);
}

static void
rec_fill(struct ext2_dirent *de, const char *nm, size_t len,
    struct ext2_node *n)
{
	de->d_ino = n->n_ino;
	de->d_namlen = (uint8_t)len;
	de->d_type = file_type(n);
	memcpy(de + 1, nm, len);
	memset((char *)(de + 1) + len, 0, EXT2_DIRENT_SIZE(len) -
	    EXT2_DIRENT_HDR - len);
}

/* Put the entry in block bp if a record has room; *done says it did. */
static int
enter_block(struct ext2_node *dp, uint64_t lbn, struct buf *bp, const char *nm,
    size_t len, struct ext2_node *n, bool *done)
{
	struct ext2_mount *em = E2MP(dp);
	size_t need = EXT2_DIRENT_SIZE(len);
	int error;

	for (size_t off = 0; off < em->em_bsize;) {
		struct ext2_dirent *de = rec_at(bp, off);
		size_t used;

		if ((error = ext2fs_dirent_check(dp, lbn << em->em_bshift, off,
		    de)) != 0)
			return error;
		used = de->d_ino != 0 ? EXT2_DIRENT_SIZE(de->d_namlen) : 0;
		if (ext2_reclen(de, em->em_bsize) - used >= need) {
			if (used != 0) {
				struct ext2_dirent *nde = rec_at(bp, off + used);

				ext2_set_reclen(nde,
				    ext2_reclen(de, em->em_bsize) - used);
				ext2_set_reclen(de, (uint32_t)used);
				de = nde;
			}
			rec_fill(de, nm, len, n);
			*done = true;
			return 0;
		}
		off += ext2_reclen(de, em->em_bsize);
	}
	return 0;
}

/* A new last block holding just the entry. */
static int
enter_append(struct ext2_node *dp, const char *nm, size_t len,
    struct ext2_node *n)
{
	struct ext2_mount *em = E2MP(dp);
	uint64_t size = ext2fs_size(dp), b;
	struct buf *bp;
	struct ext2_dirent *de;
	int error;

	if ((error = ext2fs_balloc(dp, size >> em->em_bshift, &b)) != 0)
		return error;
	if ((error = ext2fs_bread(em, b, &bp)) != 0) {
		(void)ext2fs_truncate(dp, size);
		return error;
	}
	de = rec_at(bp, 0);
	memset(de, 0, em->em_bsize);
	ext2_set_reclen(de, em->em_bsize);
	rec_fill(de, nm, len, n);
	bdwrite(bp);
	ext2fs_setsize(dp, size + em->em_bsize);
	return 0;
}

int
ext2fs_direnter(struct ext2_node *dp, const char *nm, size_t len,
    struct ext2_node *n)
{
	struct ext2_mount *em = E2MP(dp);
	uint64_t nblk = ext2fs_size(dp) >> em->em_bshift;
	bool done = false;
	int error;

	for (uint64_t lbn = 0; lbn < nblk && !done; lbn++) {
		struct buf *bp;

		if ((error = ext2fs_dirbread(dp, lbn, &bp)) != 0)
			return error;
		error = enter_block(dp, lbn, bp, nm, len, n, &done);
		if (done)
			bdwrite(bp);
		else
			brelse(bp);
		if (error != 0)
			return error;
	}
	if (!done && (error = enter_append(dp, nm, len, n)) != 0)
		return error;
	ext2fs_dirunindex(dp);
	ext2fs_touch(dp, true);
	return 0;
}

struct dslot {
	uint64_t	lbn;
	size_t		off;
	size_t		prev;		/* the previous record in the block */
};

static int
find_block(struct ext2_node *dp, uint64_t lbn, struct buf *bp, const char *nm,
    size_t len, struct dslot *s, bool *found)
{
	struct ext2_mount *em = E2MP(dp);
	size_t prev = NO_PREV;
	int error;

	for (size_t off = 0; off < em->em_bsize;) {
		struct ext2_dirent *de = rec_at(bp, off);

		if ((error = ext2fs_dirent_check(dp, lbn << em->em_bshift, off,
		    de)) != 0)
			return error;
		if (de->d_ino != 0 && de->d_namlen == len &&
		    memcmp(de + 1, nm, len) == 0) {
			s->off = off;
			s->prev = prev;
			*found = true;
			return 0;
		}
		prev = off;
		off += ext2_reclen(de, em->em_bsize);
	}
	return 0;
}

/* The record of nm, its block left busy in *bpp. */
static int
dir_find(struct ext2_node *dp, const char *nm, size_t len, struct dslot *s,
    struct buf **bpp)
{
	struct ext2_mount *em = E2MP(dp);
	uint64_t nblk = ext2fs_size(dp) >> em->em_bshift;
	bool found = false;
	int error;

	for (uint64_t lbn = 0; lbn < nblk; lbn++) {
		if ((error = ext2fs_dirbread(dp, lbn, bpp)) != 0)
			return error;
		error = find_block(dp, lbn, *bpp, nm, len, s, &found);
		if (error == 0 && found) {
			s->lbn = lbn;
			return 0;
		}
		brelse(*bpp);
		if (error != 0)
			return error;
	}
	return ENOENT;
}

int
ext2fs_dirremove(struct ext2_node *dp, const char *nm, size_t len)
{
	struct ext2_mount *em = E2MP(dp);
	struct dslot s;
	struct buf *bp;
	struct ext2_dirent *de;
	int error;

	if ((error = dir_find(dp, nm, len, &s, &bp)) != 0)
		return error;
	de = rec_at(bp, s.off);
	if (s.prev != NO_PREV)
		ext2_set_reclen(rec_at(bp, s.prev),
		    ext2_reclen(rec_at(bp, s.prev), em->em_bsize) +
		    ext2_reclen(de, em->em_bsize));
	else
		de->d_ino = 0;
	bdwrite(bp);
	cache_remove(&dp->n_vnode, nm, len);
	ext2fs_dirunindex(dp);
	ext2fs_touch(dp, true);
	return 0;
}

/* The record of nm now names n: its inode and type. */
static int
dir_repoint(struct ext2_node *dp, const char *nm, size_t len,
    struct ext2_node *n)
{
	struct dslot s;
	struct buf *bp;
	struct ext2_dirent *de;
	int error;

	if ((error = dir_find(dp, nm, len, &s, &bp)) != 0)
		return error;
	de = rec_at(bp, s.off);
	de->d_ino = n->n_ino;
	de->d_type = file_type(n);
	bdwrite(bp);
	cache_remove(&dp->n_vnode, nm, len);
	return 0;
}

int
ext2fs_dirrewrite(struct ext2_node *dp, const char *nm, size_t len,
    struct ext2_node *n)
{
	int error;

	if ((error = dir_repoint(dp, nm, len, n)) != 0)
		return error;
	ext2fs_dirunindex(dp);
	ext2fs_touch(dp, true);
	return 0;
}

/*
 * Directory dp moved: its ".." names parent.  Neither dp's times change
 * (as on Linux: the rename gives it a new ctime, its contents are the
 * same) nor its index (no name or hash changed).
 */
int
ext2fs_dirdotdot(struct ext2_node *dp, struct ext2_node *parent)
{
	return dir_repoint(dp, "..", 2, parent);
}

int
ext2fs_dirinit(struct ext2_node *dp, struct ext2_node *n)
{
	struct ext2_mount *em = E2MP(n);
	struct ext2_dirent *de;
	struct buf *bp;
	uint64_t b;
	int error;

	if ((error = ext2fs_balloc(n, 0, &b)) != 0)
		return error;
	if ((error = ext2fs_bread(em, b, &bp)) != 0)
		return error;
	de = rec_at(bp, 0);
	ext2_set_reclen(de, EXT2_DIRENT_SIZE(1));
	rec_fill(de, ".", 1, n);
	de = rec_at(bp, EXT2_DIRENT_SIZE(1));
	ext2_set_reclen(de, em->em_bsize - EXT2_DIRENT_SIZE(1));
	rec_fill(de, "..", 2, dp);
	bdwrite(bp);
	ext2fs_setsize(n, em->em_bsize);
	return 0;
}

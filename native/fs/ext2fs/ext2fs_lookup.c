/*
 * ext2 directories: blocks of linear entries (inode, record length, name
 * length, type, name).  Every record is checked before use; a hashed
 * (dir_index) directory keeps linear entries in its leaf blocks and its
 * index blocks look like empty records, so reading linearly is correct.
 */
#include <dirent.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

#define DIRWALK_STOP	(-1)	/* a callback's "stop here" */

unsigned char
ext2fs_dtype(const struct ext2_mount *em, uint8_t ft)
{
	static const unsigned char map[EXT2_FT_MAX] = {
		DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK,
		DT_LNK,
	};

	if (!(em->em_sb.s_feature_incompat & EXT2F_INCOMPAT_FILETYPE) ||
	    ft >= EXT2_FT_MAX)
		return DT_UNKNOWN;
	return map[ft];
}

int
ext2fs_dirent_check(struct ext2_node *dp, uint64_t boff, size_t off,
    const struct ext2_dirent *de)
{
	struct ext2_mount *em = E2MP(dp);
	bool ft = (em->em_sb.s_feature_incompat & EXT2F_INCOMPAT_FILETYPE) != 0;
	uint32_t reclen;
	const char *why = NULL;

	/* the smallest record must fit before its header is read */
	if (em->em_bsize - off < EXT2_DIRENT_SIZE(1))
		return ext2fs_corrupt(em, "directory inode %u, offset %llu: "
		    "no room for a record before the block's end",
		    (unsigned)dp->n_ino, (unsigned long long)(boff + off));
	reclen = ext2_reclen(de, em->em_bsize);
	if (reclen < EXT2_DIRENT_SIZE(1) || (reclen & 3) != 0)
		why = "bad record length";
	else if (off + reclen > em->em_bsize)
		why = "record crosses the block's end";
	else if (!ft && de->d_type != 0)
		why = "name too long";
	else if (reclen < EXT2_DIRENT_SIZE(de->d_namlen))
		why = "name longer than its record";
	else if (de->d_ino != 0 && de->d_namlen == 0)
		why = "empty name";
	else if (de->d_ino > em->em_sb.s_inodes_count)
		why = "inode number out of range";
	if (why == NULL)
		return 0;
	return ext2fs_corrupt(em, "directory inode %u, offset %llu: %s "
	    "(inode %u, record %u, name %u)", (unsigned)dp->n_ino,
	    (unsigned long long)(boff + off), why, (unsigned)de->d_ino,
	    (unsigned)reclen, (unsigned)de->d_namlen);
}

int
ext2fs_dirbread(struct ext2_node *dp, uint64_t lbn, struct buf **bpp)
{
	struct ext2_mount *em = E2MP(dp);
	uint64_t b;
	int error;

	if ((error = ext2fs_bmap(dp, lbn, &b)) != 0)
		return error;
	if (b == 0)
		return ext2fs_corrupt(em, "directory inode %u: hole at block %llu",
		    (unsigned)dp->n_ino, (unsigned long long)lbn);
	return ext2fs_bread(em, b, bpp);
}

/* One block's records from byte from on; the callback's stop ends it. */
static int
walk_block(struct ext2_node *dp, uint64_t lbn, uint64_t from,
    ext2fs_dirent_cb cb, void *arg)
{
	struct ext2_mount *em = E2MP(dp);
	uint64_t boff = lbn << em->em_bshift;
	struct buf *bp;
	int error;

	if ((error = ext2fs_dirbread(dp, lbn, &bp)) != 0)
		return error;
	for (size_t off = 0; off < em->em_bsize;) {
		const struct ext2_dirent *de = (const void *)((char *)bp->b_data +
		    off);

		if ((error = ext2fs_dirent_check(dp, boff, off, de)) != 0)
			break;
		if (de->d_ino != 0 && boff + off >= from &&
		    (error = cb(arg, de, (const char *)(de + 1), boff + off,
		    boff + off + ext2_reclen(de, em->em_bsize))) != 0)
			break;
		off += ext2_reclen(de, em->em_bsize);
	}
	brelse(bp);
	return error;
}

/* Every entry at byte offset from or after; 0 also when a callback stopped. */
int
ext2fs_dirwalk(struct ext2_node *dp, uint64_t from, ext2fs_dirent_cb cb,
    void *arg)
{
	struct ext2_mount *em = E2MP(dp);
	uint64_t nblk = ext2fs_size(dp) >> em->em_bshift;
	int error = 0;

	for (uint64_t lbn = from >> em->em_bshift; lbn < nblk; lbn++)
		if ((error = walk_block(dp, lbn, from, cb, arg)) != 0)
			break;
	return error == DIRWALK_STOP ? 0 : error;
}

struct lookup_arg {
	const char	*nm;
	size_t		len;
	uint32_t	ino;
	uint64_t	off;
};

static int
lookup_cb(void *arg, const struct ext2_dirent *de, const char *name,
    uint64_t off, uint64_t next)
{
	struct lookup_arg *la = arg;

	(void)next;
	if (de->d_namlen != la->len || memcmp(name, la->nm, la->len) != 0)
		return 0;
	la->ino = de->d_ino;
	la->off = off;
	return DIRWALK_STOP;
}

/* The inode named nm in dp (ENOENT if none) and its record's offset. */
int
ext2fs_dirlookup(struct ext2_node *dp, const char *nm, size_t len,
    uint32_t *inop, uint64_t *offp)
{
	struct lookup_arg la = { nm, len, 0, 0 };
	uint64_t leaves[8];
	unsigned nleaves;
	int error;

	error = ext2fs_htree_leaves(dp, nm, len, leaves, 8, &nleaves);
	if (error == 0) {		/* only where the index says */
		for (unsigned i = 0; i < nleaves && la.ino == 0; i++) {
			error = walk_block(dp, leaves[i], 0, lookup_cb, &la);
			if (error != 0 && error != DIRWALK_STOP)
				return error;
		}
	} else if (error != ENOTSUP ||
	    (error = ext2fs_dirwalk(dp, 0, lookup_cb, &la)) != 0) {
		return error;
	}
	if (la.ino == 0)
		return ENOENT;
	*inop = la.ino;
	if (offp != NULL)
		*offp = la.off;
	return 0;
}

static int
empty_cb(void *arg, const struct ext2_dirent *de, const char *name,
    uint64_t off, uint64_t next)
{
	bool *empty = arg;

	(void)off;
	(void)next;
	if ((de->d_namlen == 1 && name[0] == '.') ||
	    (de->d_namlen == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	*empty = false;
	return DIRWALK_STOP;
}

int
ext2fs_dirempty(struct ext2_node *dp, bool *empty)
{
	*empty = true;
	return ext2fs_dirwalk(dp, 0, empty_cb, empty);
}

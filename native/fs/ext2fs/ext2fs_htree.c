/*
 * ext2 hashed directories (dir_index): the name hashes and the index walk
 * that finds the leaf block where a name must be.
 *
 * An indexed directory keeps every entry in ordinary records; its block 0
 * (the root) and the blocks of an intermediate level hold, behind records
 * that look empty, a sorted table of (hash, block) pairs.  A lookup hashes
 * the name, picks the last pair whose hash is not above it at each level,
 * and searches that leaf block (and the next ones while their first hash
 * continues the same value, marked by the low bit).  Anything in the index
 * that does not hold together makes the caller search linearly instead, as
 * Linux does: the records alone are always enough.
 *
 * The hashes are the format's: the legacy one, half-MD4 and TEA, each with
 * names taken as signed or unsigned bytes, seeded by s_hash_seed.
 */
#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/vnode.h"

#include "fs/ext2fs/ext2fs.h"

#define HASH_LEGACY	0
#define HASH_HALF_MD4	1
#define HASH_TEA	2
#define HASH_UNSIGNED	3	/* added to the above */
#define HTREE_EOF	0x7fffffffu

static uint32_t
rol(uint32_t x, unsigned s)
{
	return (x << s) | (x >> (32 - s));
}

/* A name byte, taken as signed or unsigned. */
static uint32_t
chr(const unsigned char *p, size_t i, bool unsig)
{
	return unsig ? (uint32_t)p[i] : (uint32_t)(int32_t)(int8_t)p[i];
}

static uint32_t
hash_legacy(const unsigned char *p, size_t len, bool unsig)
{
	uint32_t h0 = 0x12a3fe2d, h1 = 0x37abe8f9;

	for (size_t i = 0; i < len; i++) {
		uint32_t h = h1 + (h0 ^ (chr(p, i, unsig) * 7152373u));

		if (h & 0x80000000u)
			h -= 0x7fffffff;
		h1 = h0;
		h0 = h;
	}
	return h0 << 1;
}

/*
 * n words from the name: bytes shifted in four to a word, each word
 * starting from (and the missing ones filled with) a pad made of the length.
 */
static void
name_words(const unsigned char *p, size_t len, uint32_t *w, unsigned n,
    bool unsig)
{
	uint32_t pad = (uint32_t)len | ((uint32_t)len << 8), v;
	unsigned k = 0;

	pad |= pad << 16;
	v = pad;
	if (len > (size_t)n * 4)
		len = (size_t)n * 4;
	for (size_t i = 0; i < len; i++) {
		v = chr(p, i, unsig) + (v << 8);
		if (i % 4 == 3) {
			w[k++] = v;
			v = pad;
		}
	}
	if (k < n)
		w[k++] = v;
	while (k < n)
		w[k++] = pad;
}

/* Half of MD4: three rounds of eight steps over eight words. */
static void
half_md4(uint32_t h[4], const uint32_t in[8])
{
	static const uint8_t order[3][8] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7 },
		{ 1, 3, 5, 7, 0, 2, 4, 6 },
		{ 3, 7, 2, 6, 1, 5, 0, 4 },
	};
	static const uint8_t shift[3][4] = {
		{ 3, 7, 11, 19 }, { 3, 5, 9, 13 }, { 3, 9, 11, 15 },
	};
	static const uint32_t add[3] = { 0, 013240474631u, 015666365641u };
	uint32_t v[4] = { h[0], h[1], h[2], h[3] };

	for (int r = 0; r < 3; r++)
		for (int s = 0; s < 8; s++) {
			/* the step's target rotates a, d, c, b */
			int t = (4 - s % 4) % 4;
			uint32_t x = v[(t + 1) % 4], y = v[(t + 2) % 4];
			uint32_t z = v[(t + 3) % 4], f;

			if (r == 0)
				f = z ^ (x & (y ^ z));
			else if (r == 1)
				f = (x & y) + ((x ^ y) & z);
			else
				f = x ^ y ^ z;
			v[t] = rol(v[t] + f + in[order[r][s]] + add[r],
			    shift[r][s % 4]);
		}
	for (int i = 0; i < 4; i++)
		h[i] += v[i];
}

/* 16 rounds of TEA over two words, keyed by four. */
static void
tea(uint32_t h[4], const uint32_t in[4])
{
	uint32_t sum = 0, x = h[0], y = h[1];

	for (int i = 0; i < 16; i++) {
		sum += 0x9e3779b9u;
		x += ((y << 4) + in[0]) ^ (y + sum) ^ ((y >> 5) + in[1]);
		y += ((x << 4) + in[2]) ^ (x + sum) ^ ((x >> 5) + in[3]);
	}
	h[0] += x;
	h[1] += y;
}

int
ext2fs_dirhash(int version, const uint32_t seed[4], const char *name,
    size_t len, uint32_t *hashp, uint32_t *minorp)
{
	const unsigned char *p = (const unsigned char *)name;
	bool unsig = version >= HASH_UNSIGNED;
	uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
	uint32_t in[8], hash, minor = 0;

	if (seed != NULL && (seed[0] | seed[1] | seed[2] | seed[3]) != 0)
		memcpy(h, seed, sizeof(h));
	switch (unsig ? version - HASH_UNSIGNED : version) {
	case HASH_LEGACY:
		hash = hash_legacy(p, len, unsig);
		break;
	case HASH_HALF_MD4:
		for (size_t off = 0; off == 0 || off < len; off += 32) {
			name_words(p + off, len - off, in, 8, unsig);
			half_md4(h, in);
		}
		hash = h[1];
		minor = h[2];
		break;
	case HASH_TEA:
		for (size_t off = 0; off == 0 || off < len; off += 16) {
			name_words(p + off, len - off, in, 4, unsig);
			tea(h, in);
		}
		hash = h[0];
		minor = h[1];
		break;
	default:
		return EINVAL;
	}
	hash &= ~1u;
	if (hash == HTREE_EOF << 1)
		hash = (HTREE_EOF - 1) << 1;
	*hashp = hash;
	if (minorp != NULL)
		*minorp = minor;
	return 0;
}

/* ------------------------------------------------------------ the index */

/* The superblock fields of dir_index (past the part struct ext2_super names). */
#define SB_HASH_SEED	236	/* 4 words */
#define SB_FLAGS	352
#define EXT2_FLAGS_UNSIGNED_HASH 0x0002

struct dx_entry {
	uint32_t hash;		/* entry 0: limit and count instead */
	uint32_t block;
};

/*
 * The (hash, block) table of one index block: where it starts, checked
 * against the room the block has.
 */
static bool
dx_table(struct ext2_mount *em, struct buf *bp, size_t at,
    const struct dx_entry **tab, unsigned *count)
{
	uint16_t cl[2];		/* limit, count */

	memcpy(cl, (char *)bp->b_data + at, sizeof(cl));
	if (cl[0] != (em->em_bsize - at) / sizeof(struct dx_entry) ||
	    cl[1] == 0 || cl[1] > cl[0])
		return false;
	*tab = (const struct dx_entry *)(const void *)((char *)bp->b_data + at);
	*count = cl[1];
	return true;
}

/* The last entry whose hash is not above hash (entry 0 covers the rest). */
static unsigned
dx_search(const struct dx_entry *tab, unsigned count, uint32_t hash)
{
	unsigned lo = 1, hi = count;	/* the answer is in [lo - 1, hi) */

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (tab[mid].hash > hash)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo - 1;
}

int
ext2fs_htree_leaves(struct ext2_node *dp, const char *nm, size_t len,
    uint64_t *leaves, unsigned max, unsigned *nleaves)
{
	struct ext2_mount *em = E2MP(dp);
	const uint8_t *raw = (const uint8_t *)&em->em_sb;
	uint64_t nblk = ext2fs_size(dp) >> em->em_bshift, b;
	uint32_t seed[4], flags, hash;
	const struct dx_entry *tab;
	const struct ext2_dirent *de;
	struct buf *bp;
	unsigned count, levels, i, n = 0;
	uint32_t uphash = 0;	/* the hash after this node's, one level up */
	bool upnext = false;
	uint8_t info[8];	/* zero word, hash version, length, levels, flags */
	int version, error;

	if (!(em->em_sb.s_feature_compat & EXT2F_COMPAT_DIR_INDEX) ||
	    !(dp->n_din->i_flags & EXT2_INDEX_FL) || nblk < 2 ||
	    em->em_sb.s_rev_level < 1)
		return ENOTSUP;
	if ((len == 1 && nm[0] == '.') || (len == 2 && nm[0] == '.' &&
	    nm[1] == '.')) {
		leaves[0] = 0;		/* the root's own two records */
		*nleaves = 1;
		return 0;
	}
	memcpy(seed, raw + SB_HASH_SEED, sizeof(seed));
	memcpy(&flags, raw + SB_FLAGS, sizeof(flags));
	if ((error = ext2fs_bmap(dp, 0, &b)) != 0)
		return error;
	if (b == 0 || (error = ext2fs_bread(em, b, &bp)) != 0)
		return b == 0 ? ENOTSUP : error;
	/* the root: ".", then ".." over the rest of the block, then the info */
	de = (const void *)((char *)bp->b_data + 12);
	memcpy(info, (char *)bp->b_data + 24, sizeof(info));
	version = info[4];
	if (version <= HASH_TEA && (flags & EXT2_FLAGS_UNSIGNED_HASH))
		version += HASH_UNSIGNED;
	levels = info[6];
	if (ext2_reclen(de, em->em_bsize) != em->em_bsize - 12 ||
	    info[0] | info[1] | info[2] | info[3] || info[5] != 8 ||
	    levels > 1 || !dx_table(em, bp, 32, &tab, &count) ||
	    ext2fs_dirhash(version, seed, nm, len, &hash, NULL) != 0) {
		brelse(bp);
		return ENOTSUP;
	}
	for (;;) {
		i = dx_search(tab, count, hash);
		b = tab[i].block;
		if (b == 0 || b >= nblk)
			break;
		if (levels-- == 0) {
			/* the leaf, and the next ones continuing the hash */
			leaves[n++] = b;
			for (i++; i < count && (tab[i].hash & ~1u) == hash; i++) {
				if (n == max || tab[i].block >= nblk) {
					n = 0;
					break;
				}
				leaves[n++] = tab[i].block;
			}
			/*
			 * At a node's end, the next node continues the hash
			 * when its first hash (in the level above) says so:
			 * rare enough to leave to a linear search.
			 */
			if (i == count && upnext && (uphash & ~1u) == hash)
				n = 0;
			break;
		}
		/* an intermediate node: one record over the whole block (no
		 * inode), then the table */
		upnext = i + 1 < count;
		uphash = upnext ? tab[i + 1].hash : 0;
		brelse(bp);
		if ((error = ext2fs_bmap(dp, b, &b)) != 0)
			return error;
		if (b == 0)
			return ENOTSUP;
		if ((error = ext2fs_bread(em, b, &bp)) != 0)
			return error;
		de = (const void *)bp->b_data;
		if (de->d_ino != 0 ||
		    ext2_reclen(de, em->em_bsize) != em->em_bsize ||
		    !dx_table(em, bp, 8, &tab, &count))
			break;
	}
	brelse(bp);
	*nleaves = n;
	return n == 0 ? ENOTSUP : 0;
}

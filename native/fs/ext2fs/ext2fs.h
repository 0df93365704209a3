/*
 * ext2: the second extended file system, on a block device through the
 * buffer cache.  On-disk structures are little-endian; the kernel only runs
 * on little-endian hosts (checked at compile time), so they are read in
 * place.  Everything read from the image is validated before use: a bad
 * value is reported on the console and gives EUCLEAN.
 *
 * The mount keeps the superblock and the group descriptors in memory and
 * writes them back at sync and unmount.  In-memory nodes (the vnode cache)
 * are keyed by inode number and live while their vnode has references; a
 * node keeps a copy of its whole on-disk inode (every byte of inode_size,
 * so fields this driver does not know are preserved on write).
 */
#ifndef FS_EXT2FS_H
#define FS_EXT2FS_H

#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/vnode.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ext2fs reads its little-endian structures in place"
#endif

#define EXT2_SUPER_OFFSET	1024
#define EXT2_SUPER_SIZE		1024
#define EXT2_MAGIC		0xEF53
#define EXT2_ROOTINO		2
#define EXT2_GOOD_OLD_FIRST_INO	11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDADDR		12	/* direct blocks */
#define EXT2_IND		12	/* i_block slots of the indirect trees */
#define EXT2_DIND		13
#define EXT2_TIND		14
#define EXT2_NBLOCKS		15
#define EXT2_MAXSYMLINKLEN	60	/* a fast symlink's room in i_block */
#define EXT2_LINK_MAX		32000	/* Linux's ext2 */
#define EXT2_NAME_MAX		255
#define EXT2_MAX_BPG		65528	/* blocks per group, as e2fsprogs */

/* s_state */
#define EXT2_VALID_FS		0x0001
#define EXT2_ERROR_FS		0x0002

/* feature bits (the classification is the format's, not the driver's) */
#define EXT2F_COMPAT_DIR_PREALLOC	0x0001
#define EXT2F_COMPAT_IMAGIC_INODES	0x0002
#define EXT2F_COMPAT_HAS_JOURNAL	0x0004
#define EXT2F_COMPAT_EXT_ATTR		0x0008
#define EXT2F_COMPAT_RESIZE_INODE	0x0010
#define EXT2F_COMPAT_DIR_INDEX		0x0020

#define EXT2F_INCOMPAT_FILETYPE		0x0002
/* what this driver reads and writes */
#define EXT2F_INCOMPAT_SUPP		EXT2F_INCOMPAT_FILETYPE

#define EXT2F_ROCOMPAT_SPARSE_SUPER	0x0001
#define EXT2F_ROCOMPAT_LARGE_FILE	0x0002
#define EXT2F_ROCOMPAT_BTREE_DIR	0x0004
#define EXT2F_ROCOMPAT_SUPP		(EXT2F_ROCOMPAT_SPARSE_SUPER | \
	EXT2F_ROCOMPAT_LARGE_FILE | EXT2F_ROCOMPAT_BTREE_DIR)

/* i_flags */
#define EXT2_INDEX_FL		0x00001000	/* a hashed directory */

/* directory entry file types */
#define EXT2_FT_UNKNOWN		0
#define EXT2_FT_REG_FILE	1
#define EXT2_FT_DIR		2
#define EXT2_FT_CHRDEV		3
#define EXT2_FT_BLKDEV		4
#define EXT2_FT_FIFO		5
#define EXT2_FT_SOCK		6
#define EXT2_FT_SYMLINK		7
#define EXT2_FT_MAX		8

/* The superblock: the fields this driver uses, at their offsets. */
struct ext2_super {
	uint32_t s_inodes_count;	/* 0 */
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;	/* 16 */
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;	/* 32 */
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;		/* 48 */
	uint16_t s_mnt_count;
	int16_t  s_max_mnt_count;
	uint16_t s_magic;		/* 56 */
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;		/* 64 */
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;		/* 80 */
	uint16_t s_def_resgid;
	/* revision 1 */
	uint32_t s_first_ino;		/* 84 */
	uint16_t s_inode_size;		/* 88 */
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;	/* 92 */
	uint32_t s_feature_incompat;	/* 96 */
	uint32_t s_feature_ro_compat;	/* 100 */
	uint8_t  s_uuid[16];		/* 104 */
	char     s_volume_name[16];	/* 120 */
	uint8_t  s_rest[EXT2_SUPER_SIZE - 136];
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SUPER_SIZE, "superblock");

/* A group descriptor (32 bytes without the 64bit feature). */
struct ext2_gd {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint8_t  bg_reserved[12];
};
_Static_assert(sizeof(struct ext2_gd) == 32, "group descriptor");

/* An inode: the 128 bytes of revision 0, then the extra fields. */
struct ext2_dinode {
	uint16_t i_mode;		/* 0 */
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;		/* 8 */
	uint32_t i_ctime;
	uint32_t i_mtime;		/* 16 */
	uint32_t i_dtime;
	uint16_t i_gid;			/* 24 */
	uint16_t i_links_count;
	uint32_t i_blocks;		/* 28: 512-byte units */
	uint32_t i_flags;		/* 32 */
	uint32_t i_osd1;
	uint32_t i_block[EXT2_NBLOCKS];	/* 40 */
	uint32_t i_generation;		/* 100 */
	uint32_t i_file_acl;
	uint32_t i_size_high;		/* 108 */
	uint32_t i_faddr;
	uint16_t i_blocks_hi;		/* 116 */
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;		/* 120 */
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;		/* 124 */
	uint16_t i_reserved;
	/* present when the inode is larger than 128 bytes */
	uint16_t i_extra_isize;		/* 128 */
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra;		/* 132 */
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;		/* 140 */
	uint32_t i_crtime;
	uint32_t i_crtime_extra;	/* 148 */
};
#define EXT2_DINODE_EXTRA_END(f) \
	(offsetof(struct ext2_dinode, f) + sizeof(uint32_t))

/* A directory entry's fixed part; the name follows. */
struct ext2_dirent {
	uint32_t d_ino;
	uint16_t d_reclen;
	uint8_t  d_namlen;
	uint8_t  d_type;		/* high byte of the name length without filetype */
};
#define EXT2_DIRENT_HDR		8
#define EXT2_MAX_RECLEN		65535

/*
 * A record's length.  A 64 KiB block's single record does not fit the
 * 16-bit field: it is stored as 65535 (or 0), as e2fsprogs and Linux's
 * ext4 encode it.
 */
static inline uint32_t
ext2_reclen(const struct ext2_dirent *de, uint32_t bsize)
{
	if (bsize == 65536 && (de->d_reclen == EXT2_MAX_RECLEN ||
	    de->d_reclen == 0))
		return 65536;
	return de->d_reclen;
}

static inline void
ext2_set_reclen(struct ext2_dirent *de, uint32_t len)
{
	de->d_reclen = len >= 65536 ? EXT2_MAX_RECLEN : (uint16_t)len;
}
#define EXT2_DIRENT_SIZE(n)	((EXT2_DIRENT_HDR + (n) + 3) & ~3u)

struct uio;
struct buf;
struct iovec;

struct ext2_node {
	struct vnode		n_vnode;
	LIST_ENTRY(ext2_node)	n_hash;		/* em_nodes[ino % hash size] */
	uint32_t		n_ino;
	bool			n_dirty;	/* the inode copy differs from disk */
	uint32_t		n_lastblk;	/* allocation hint: last block placed */
	uint64_t		n_nextlbn;	/* where a sequential read goes on */
	/*
	 * The last run direct reads mapped: file blocks [n_maplbn, n_maplbn
	 * + n_maplen) at disk blocks n_mapb on (0: holes).  Emptied by every
	 * change of the block map (balloc, truncate).
	 */
	uint64_t		n_maplbn, n_mapb;
	uint32_t		n_maplen;
	struct ext2_dinode	*n_din;		/* em_isize bytes */
};

#define EXT2_NODEHASH		64

struct ext2_mount {
	struct mount		*em_mount;
	struct vnode		*em_devvp;
	struct ext2_super	em_sb;
	struct ext2_gd		*em_gd;		/* em_ngroups descriptors */
	bool			em_ronly;
	bool			em_fsmod;	/* superblock or descriptors changed */
	uint16_t		em_mount_state;	/* s_state to leave at unmount */
	uint32_t		em_bsize;
	uint32_t		em_bshift;	/* log2(em_bsize) */
	uint32_t		em_ngroups;
	uint32_t		em_gdblocks;	/* blocks of group descriptors */
	uint32_t		em_isize;
	uint32_t		em_first_ino;
	uint32_t		em_nindir;	/* block numbers in a block */
	char			em_devname[64];
	struct ext2_node	*em_root;
	LIST_HEAD(, ext2_node)	em_nodes[EXT2_NODEHASH];
};

#define VTOE2(vp)	((struct ext2_node *)(vp)->v_data)
#define MPTOE2(mp)	((struct ext2_mount *)(mp)->mnt_data)
#define E2MP(n)		MPTOE2((n)->n_vnode.v_mount)

extern const struct vnodeops ext2fs_vnodeops;

/* ext2fs_vfsops.c */
/*
 * Report corruption on the console; returns EUCLEAN.  On a read-write
 * mount the file system is marked as having errors (EXT2_ERROR_FS), which
 * it keeps after unmount until e2fsck clears it.
 */
int	ext2fs_corrupt(struct ext2_mount *em, const char *fmt, ...)
	    __printflike(2, 3);
/* Is block b a valid data or metadata block of the file system? */
bool	ext2fs_blkok(struct ext2_mount *em, uint64_t b);
int	ext2fs_bread(struct ext2_mount *em, uint64_t b, struct buf **bpp);
struct buf *ext2fs_getblk(struct ext2_mount *em, uint64_t b);
/* ext2fs_bread, reading up to nra of the blocks after b with it (breadn). */
int	ext2fs_breadn(struct ext2_mount *em, uint64_t b, uint32_t nra,
	    struct buf **bpp);
/* How many of the n blocks from b on are not cached (bio_uncached). */
unsigned ext2fs_uncached(struct ext2_mount *em, uint64_t b, unsigned n);
/* Blocks from b on (checked by the caller) into iov (bio_read_direct). */
int	ext2fs_read_direct(struct ext2_mount *em, uint64_t b,
	    struct iovec *iov, int cnt);
void	ext2fs_fsmodified(struct ext2_mount *em);

/* ext2fs_inode.c */
int	ext2fs_vget(struct ext2_mount *em, uint32_t ino, struct ext2_node **np);
int	ext2fs_iupdate(struct ext2_node *n);
void	ext2fs_freenode(struct ext2_node *n);
void	ext2fs_flushnodes(struct ext2_mount *em, bool free);
uint64_t ext2fs_size(const struct ext2_node *n);
void	ext2fs_setsize(struct ext2_node *n, uint64_t size);
uint32_t ext2fs_uid(const struct ext2_node *n);
uint32_t ext2fs_gid(const struct ext2_node *n);
void	ext2fs_getattr_times(const struct ext2_node *n, struct vattr *va);
void	ext2fs_settime(struct ext2_node *n, uint32_t *sec, uint32_t *extra,
	    const struct timespec *ts);
void	ext2fs_touch(struct ext2_node *n, bool modify);
void	ext2fs_accessed(struct ext2_node *n);
enum vtype ext2fs_vtype(const struct ext2_node *n);
bool	ext2fs_fastlink(const struct ext2_node *n);
dev_t	ext2fs_rdev(const struct ext2_node *n);

/* ext2fs_bmap.c */
/* The disk block of file block lbn, 0 for a hole. */
int	ext2fs_bmap(struct ext2_node *n, uint64_t lbn, uint64_t *bnp);
/* The same, and in *runp how many file blocks from lbn on (at most max, at
 * least 1) lie one after the other on disk from it; for a hole, how many
 * holes follow in the same block of numbers (at least 1). */
int	ext2fs_bmap_run(struct ext2_node *n, uint64_t lbn, uint32_t max,
	    uint64_t *bnp, uint32_t *runp);
uint64_t ext2fs_maxfilesize(const struct ext2_mount *em);
/*
 * The way down to lbn: its indirect levels (0 to 3), i_block slot and
 * indexes, and the slot's block (checked); EFBIG past the triple tree.
 */
int	ext2fs_bmap_start(struct ext2_node *n, uint64_t lbn, int *levelp,
	    unsigned *slotp, uint32_t idx[3], uint64_t *bp);
/* Entry i of indirect block b (checked against the file system's range). */
int	ext2fs_indir_get(struct ext2_mount *em, uint64_t b, uint32_t i,
	    uint64_t *out);
/* ext2fs_seek.c: SEEK_DATA and SEEK_HOLE */
int	ext2fs_seekdata(struct vnode *vp, int whence, off_t *offp);
/* The i_block slot and indexes of lbn; the indirect levels, -1 past the tree. */
int	ext2fs_bmap_path(const struct ext2_mount *em, uint64_t lbn,
	    unsigned *slot, uint32_t idx[3]);

/* ext2fs_alloc.c: bitmaps and free counts */
int	ext2fs_blkalloc(struct ext2_mount *em, uint64_t hint, uint64_t *bnp);
int	ext2fs_blkfree(struct ext2_mount *em, uint64_t b);
int	ext2fs_inoalloc(struct ext2_mount *em, uint32_t near, bool isdir,
	    uint32_t *inop);
int	ext2fs_inofree(struct ext2_mount *em, uint32_t ino, bool isdir);
/* A freed inode's reference to its extended-attribute block dropped. */
int	ext2fs_xattr_release(struct ext2_node *n);

/* ext2fs_write.c: allocation in files, writing, truncation */
/* The disk block of lbn, allocated (zeroed) with its indirect blocks if absent. */
int	ext2fs_balloc(struct ext2_node *n, uint64_t lbn, uint64_t *bnp);
int	ext2fs_truncate(struct ext2_node *n, uint64_t size);
int	ext2fs_write(struct vnode *vp, struct uio *uio, int ioflag);
int	ext2fs_allocate(struct vnode *vp, off_t off, off_t len, bool keepsize);

/* ext2fs_dirwrite.c: directory entries */
int	ext2fs_direnter(struct ext2_node *dp, const char *nm, size_t len,
	    struct ext2_node *n);
int	ext2fs_dirremove(struct ext2_node *dp, const char *nm, size_t len);
/* Point the entry nm at n (rename over a name, exchange). */
int	ext2fs_dirrewrite(struct ext2_node *dp, const char *nm, size_t len,
	    struct ext2_node *n);
/* Directory dp moved under parent: its ".." (not a change of dp's times). */
int	ext2fs_dirdotdot(struct ext2_node *dp, struct ext2_node *parent);
/* The first block of a new directory n in dp: "." and "..". */
int	ext2fs_dirinit(struct ext2_node *dp, struct ext2_node *n);
/* A directory is being modified: it is no longer a hashed one. */
void	ext2fs_dirunindex(struct ext2_node *dp);

/* ext2fs_inode.c, for new and dying inodes */
int	ext2fs_newnode(struct ext2_node *dp, enum vtype type, mode_t mode,
	    uid_t uid, gid_t gid, struct ext2_node **np);
void	ext2fs_setowner(struct ext2_node *n, uint32_t uid, uint32_t gid);
void	ext2fs_setrdev(struct ext2_node *n, dev_t rdev);

/* ext2fs_htree.c: hashed (dir_index) directories */
/* The format's hash of a name: version 0-2 (legacy, half-MD4, TEA), +3 unsigned. */
int	ext2fs_dirhash(int version, const uint32_t seed[4], const char *name,
	    size_t len, uint32_t *hashp, uint32_t *minorp);
/*
 * The directory blocks (logical) where nm must be, by the index; ENOTSUP
 * when dp has none or it cannot be used (search linearly then).
 */
int	ext2fs_htree_leaves(struct ext2_node *dp, const char *nm, size_t len,
	    uint64_t *leaves, unsigned max, unsigned *nleaves);

/* ext2fs_lookup.c */
/* Directory block lbn, read (a hole in a directory is corruption). */
int	ext2fs_dirbread(struct ext2_node *dp, uint64_t lbn, struct buf **bpp);
/* Is the record at byte off of the directory block at boff sound? */
int	ext2fs_dirent_check(struct ext2_node *dp, uint64_t boff, size_t off,
	    const struct ext2_dirent *de);
typedef int (*ext2fs_dirent_cb)(void *arg, const struct ext2_dirent *de,
	    const char *name, uint64_t off, uint64_t next);
int	ext2fs_dirwalk(struct ext2_node *dp, uint64_t from, ext2fs_dirent_cb cb,
	    void *arg);
int	ext2fs_dirlookup(struct ext2_node *dp, const char *nm, size_t len,
	    uint32_t *inop, uint64_t *offp);
int	ext2fs_dirempty(struct ext2_node *dp, bool *empty);
unsigned char ext2fs_dtype(const struct ext2_mount *em, uint8_t ft);

#endif

/*
 * The buffer cache: blocks of disks in kernel memory, per kernel, bounded
 * by a quarter of the kernel's memory limit (or rump_config.bufcache),
 * least recently used first to
 * go, keyed by (disk, block number).  Block numbers count 512-byte sectors
 * (DEV_BSIZE); sizes are multiples of it.  A file system uses the same size
 * for a block number every time (a buffer found with another size is
 * written back if dirty and dropped).
 *
 * Locking: the cache lock (k_bufcache.bc_lock) covers the hash, the lists,
 * the counters and every buffer's b_flags; it is never held during I/O.  A
 * buffer handed out by bread/getblk is busy (B_BUSY): its owner alone uses
 * b_data until brelse/bwrite/bdwrite.  Others wanting it wait.  Callers may
 * hold the VFS lock (host I/O is synchronous); lock order: VFS lock, cache
 * lock, process lock.  The flusher thread never takes the VFS lock.
 */
#ifndef SYS_BUF_H
#define SYS_BUF_H

#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/mutex.h"

struct vnode;
struct rump_disk;
struct iovec;

/* block numbers are 64-bit (the host's daddr_t is an int) */
typedef int64_t bdaddr_t;

struct buf {
	LIST_ENTRY(buf)	b_hash;
	TAILQ_ENTRY(buf) b_lru;		/* bc_lru while not busy */
	TAILQ_ENTRY(buf) b_dirty;	/* bc_dirty while B_DELWRI, oldest first */
	struct rump_disk *b_disk;
	bdaddr_t	b_blkno;	/* in DEV_BSIZE units */
	size_t		b_bcount;	/* bytes */
	void		*b_data;
	int		b_flags;
	int		b_error;
	int64_t		b_dirtysec;	/* monotonic time it became dirty */
};
#define B_BUSY		0x01	/* handed out to an owner */
#define B_DONE		0x02	/* b_data holds the block */
#define B_DELWRI	0x04	/* dirty: to be written back */
#define B_INVAL		0x08	/* drop on release */
#define B_WANTED	0x10	/* someone waits for it */

LIST_HEAD(bufhashhead, buf);

struct bufcache {
	kmutex_t	bc_lock;
	kcondvar_t	bc_cv;		/* busy buffers released; the flusher */
	struct bufhashhead *bc_hash;	/* 1 << bc_hashshift heads; NULL: none yet */
	unsigned	bc_hashshift;	/* grows with bc_nbufs */
	/*
	 * 8 counters per head, after the heads in the same allocation: the
	 * buffers that start in each 128 KiB region of a disk, hashed
	 * (collisions add up), so bio_uncached passes over a region none
	 * starts in at one look.
	 */
	uint32_t	*bc_regions;
	TAILQ_HEAD(, buf) bc_lru;	/* not busy, least recently used first */
	TAILQ_HEAD(, buf) bc_dirty;	/* delayed writes, oldest first */
	uint64_t	bc_bytes, bc_limit;
	uint64_t	bc_dirtybytes;	/* the flusher writes early above BIO_DIRTYMAX */
	unsigned	bc_nbufs, bc_ndirty;
	uint64_t	bc_hits, bc_misses;
	struct rumpuser_thread *bc_flusher;	/* to join (may have exited) */
	bool		bc_flushing;	/* the flusher runs */
	bool		bc_halting;	/* no new flusher */
};

/* The NetBSD interface file systems use. */
int	bread(struct vnode *devvp, bdaddr_t blkno, size_t size, struct buf **bpp);
/*
 * bread, and when the block is not cached, up to nra blocks of the same
 * size that follow it on the device too, in the same host read (each into
 * a buffer of its own, released at once: read-ahead).  The read-ahead stops
 * at the first block cached, at the end of the device, and where room for
 * it would take a write.
 */
int	breadn(struct vnode *devvp, bdaddr_t blkno, size_t size, unsigned nra,
	    struct buf **bpp);
/*
 * For reads that bypass the cache (file data the host's page cache keeps
 * already): how many of the n blocks of size bytes from blkno on are not
 * in the cache, counted up to the first that is (busy or not, clean or
 * dirty: that one is read through the cache).  With the VFS lock held no
 * buffer of a mounted file system's disk appears meanwhile (the flusher
 * only writes existing ones), so the answer holds until the lock goes.
 */
unsigned bio_uncached(struct vnode *devvp, bdaddr_t blkno, size_t size,
	    unsigned n);
/*
 * Read the device from blkno on into the caller's vectors (one host
 * transfer where the host allows), no buffer made: EIO on a host error,
 * EFAULT when the host refused a vector's memory.
 */
int	bio_read_direct(struct vnode *devvp, bdaddr_t blkno, struct iovec *iov,
	    int cnt);
/* The block without reading it (it is about to be overwritten); NULL: ENOMEM. */
struct buf *getblk(struct vnode *devvp, bdaddr_t blkno, size_t size);
void	brelse(struct buf *bp);
int	bwrite(struct buf *bp);		/* synchronous; releases bp */
void	bdwrite(struct buf *bp);	/* delayed; releases bp */
/* Write every dirty buffer of the device, and the host file's data. */
int	vflushbuf(struct vnode *devvp);
/* Drop every buffer of the device, dirty ones unwritten (after vflushbuf). */
void	binvalbuf(struct vnode *devvp);

/* vfs_bio.c, for the rest of the kernel */
int	bio_init(struct rump_kernel *k);
/* Write back and drop everything; stop the flusher (halt). */
void	bio_fini(struct rump_kernel *k);
void	bio_halt_begin(struct rump_kernel *k);
int	bio_flushdisk(struct rump_disk *d);
int	bio_syncall(struct rump_kernel *k);
/* Before direct I/O on [off, off + len): write dirty buffers there; drop them too if inval. */
int	bio_sync_range(struct rump_disk *d, uint64_t off, uint64_t len,
	    bool inval);
/* Write one busy dirty buffer and release it (the flusher, eviction). */
int	bio_writeback(struct buf *bp);

/* Dirty bytes past which the flusher writes without waiting for age. */
#define BIO_DIRTYMAX(bc)	((bc)->bc_limit / 4)

/* vfs_biod.c: the flusher, a thread that exists while dirty buffers do */
void	biod_kick(struct rump_kernel *k);	/* cache lock held */
void	biod_stop(struct rump_kernel *k);

#endif

/*
 * The buffer cache: disk blocks in kernel memory, keyed by (disk, block
 * number), bounded per kernel, least recently used first to go.  See
 * sys/buf.h for the rules and docs/disks.md for the design.
 */
#include <sys/uio.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/vnode.h"

#define BC(d)	(&(d)->d_kernel->k_bufcache)

#define BUFHASH_MINSHIFT 6	/* the first table: 64 heads */
#define BUFHASH_MAXSHIFT 20
#define BIO_MAXCLUSTER	(1u << 20)	/* bytes in one host transfer */
#define BIO_MAXIOV	256		/* buffers in one host transfer */
#define BIO_SEQRA	(128u << 10)	/* read-ahead of sequential breadn */

#define BIO_REGION_SHIFT 8		/* sectors: 128 KiB regions (bc_regions) */

static unsigned
bufhash(struct bufcache *bc, struct rump_disk *d, bdaddr_t blkno)
{
	uint64_t x = (uint64_t)blkno ^ ((uint64_t)(uintptr_t)d << 24);

	/* multiplicative hashing: the high bits depend on every bit of x */
	return (unsigned)((x * 0x9e3779b97f4a7c15ull) >> (64 - bc->bc_hashshift));
}

/*
 * Region counters per head: metadata buffers lie one to a region, so with
 * as many counters as buffers most would be taken; with 8 times as many
 * one region in eight or so shares a counter with a cached one.
 */
#define BIO_REGION_PERHEAD_SHIFT 3

/* The counter of the region blkno lies in. */
static uint32_t *
bregion(struct bufcache *bc, struct rump_disk *d, bdaddr_t blkno)
{
	uint64_t x = (uint64_t)(blkno >> BIO_REGION_SHIFT) ^
	    ((uint64_t)(uintptr_t)d << 24);

	return &bc->bc_regions[(x * 0x9e3779b97f4a7c15ull) >> (64 -
	    bc->bc_hashshift - BIO_REGION_PERHEAD_SHIFT)];
}

/* The bytes of a table of 1 << shift heads and their region counters. */
static size_t
bufhash_bytes(unsigned shift)
{
	return (sizeof(struct bufhashhead) +
	    (sizeof(uint32_t) << BIO_REGION_PERHEAD_SHIFT)) << shift;
}

static struct rump_disk *
devvp_disk(struct vnode *devvp)
{
	KASSERT(devvp->v_type == VBLK && devvp->v_disk != NULL);
	return devvp->v_disk;
}

static struct buf *
incore(struct bufcache *bc, struct rump_disk *d, bdaddr_t blkno)
{
	struct buf *bp;

	if (bc->bc_hash == NULL)
		return NULL;
	LIST_FOREACH(bp, &bc->bc_hash[bufhash(bc, d, blkno)], b_hash)
		if (bp->b_disk == d && bp->b_blkno == blkno)
			return bp;
	return NULL;
}

/*
 * Move every buffer to a table of 1 << shift heads; on ENOMEM the old one
 * stays (longer chains, nothing lost).  The table is kernel memory; it
 * grows with the buffers and goes when the last buffer does.
 */
static void
bufhash_resize(struct rump_kernel *k, struct bufcache *bc, unsigned shift)
{
	struct bufhashhead *old = bc->bc_hash, *nh = NULL;
	unsigned oldshift = bc->bc_hashshift;
	struct buf *bp;

	if (shift != 0) {
		if ((nh = kmem_alloc(k, bufhash_bytes(shift))) == NULL)
			return;
		for (size_t i = 0; i < (size_t)1 << shift; i++)
			LIST_INIT(&nh[i]);
		bc->bc_regions = (uint32_t *)(void *)(nh + ((size_t)1 << shift));
		memset(bc->bc_regions, 0, sizeof(uint32_t) <<
		    (shift + BIO_REGION_PERHEAD_SHIFT));
	} else {
		bc->bc_regions = NULL;
	}
	bc->bc_hash = nh;
	bc->bc_hashshift = shift;
	if (old == NULL)
		return;
	for (size_t i = 0; i < (size_t)1 << oldshift; i++) {
		while ((bp = LIST_FIRST(&old[i])) != NULL) {
			KASSERT(nh != NULL);
			LIST_REMOVE(bp, b_hash);
			LIST_INSERT_HEAD(&nh[bufhash(bc, bp->b_disk,
			    bp->b_blkno)], bp, b_hash);
			(*bregion(bc, bp->b_disk, bp->b_blkno))++;
		}
	}
	kmem_free(k, old, bufhash_bytes(oldshift));
}

/* Wake whoever waits for bp; cache lock held. */
static void
bwakeup(struct bufcache *bc, struct buf *bp)
{
	if (bp->b_flags & B_WANTED) {
		bp->b_flags &= ~B_WANTED;
		cv_broadcast(&bc->bc_cv);
	}
}

/* Wait until bp is released; it may be gone after.  Cache lock held. */
static void
bwait(struct bufcache *bc, struct buf *bp)
{
	bp->b_flags |= B_WANTED;
	cv_wait(&bc->bc_cv, &bc->bc_lock);
}

/* Take a buffer that is not busy off the free list; cache lock held. */
static void
bremfree(struct bufcache *bc, struct buf *bp)
{
	KASSERT(!(bp->b_flags & B_BUSY));
	TAILQ_REMOVE(&bc->bc_lru, bp, b_lru);
	bp->b_flags |= B_BUSY;
}

static void
bundirty(struct bufcache *bc, struct buf *bp)
{
	if (bp->b_flags & B_DELWRI) {
		bp->b_flags &= ~B_DELWRI;
		TAILQ_REMOVE(&bc->bc_dirty, bp, b_dirty);
		bc->bc_ndirty--;
		bc->bc_dirtybytes -= bp->b_bcount;
	}
}

/* Free a busy buffer; cache lock held. */
static void
bdestroy(struct bufcache *bc, struct buf *bp)
{
	struct rump_kernel *k = bp->b_disk->d_kernel;

	KASSERT(bp->b_flags & B_BUSY);
	bundirty(bc, bp);
	LIST_REMOVE(bp, b_hash);
	(*bregion(bc, bp->b_disk, bp->b_blkno))--;
	bwakeup(bc, bp);
	bc->bc_bytes -= bp->b_bcount;
	bc->bc_nbufs--;
	kmem_free(k, bp->b_data, bp->b_bcount);
	kmem_free(k, bp, sizeof(*bp));
}

static void brelse_locked(struct bufcache *, struct buf *);

/* May nb go into the write of bp's cluster?  Cache lock held. */
static bool
bcluster_ok(const struct buf *nb, const struct buf *bp)
{
	return nb != NULL && (nb->b_flags & (B_BUSY | B_DELWRI | B_INVAL)) ==
	    B_DELWRI && nb->b_bcount == bp->b_bcount;
}

/*
 * The dirty buffers next to busy bp on its disk (of its size, not busy),
 * before and after it, with bp: one run of blocks that one host write can
 * take.  Fills bps in block order, each busy and off the dirty list.
 * Cache lock held.
 */
static unsigned
bcluster(struct bufcache *bc, struct buf *bp, struct buf **bps)
{
	struct rump_disk *d = bp->b_disk;
	bdaddr_t step = (bdaddr_t)(bp->b_bcount >> DEV_BSHIFT), first;
	unsigned max = MIN(BIO_MAXIOV, MAX(1u, BIO_MAXCLUSTER /
	    (unsigned)bp->b_bcount)), n = 0;
	struct buf *x;

	for (first = bp->b_blkno; n + 1 < max / 2 && first >= step &&
	    bcluster_ok(incore(bc, d, first - step), bp); first -= step)
		n++;
	for (n = 0; n < max; n++, first += step) {
		if (first == bp->b_blkno) {
			x = bp;
		} else {
			x = incore(bc, d, first);
			if (!bcluster_ok(x, bp))
				break;
			bremfree(bc, x);
		}
		bundirty(bc, x);
		bps[n] = x;
	}
	return n;
}

/*
 * Write a busy dirty buffer back, with the dirty buffers around it on the
 * disk in the same host write; the cache lock is held on entry and exit and
 * dropped for the I/O.  bp stays busy for the caller; the others are
 * released.  A failed write is remembered on the disk (the next sync of it
 * reports EIO) and the buffers, bp too, dropped.
 */
static int
bwriteback_locked(struct bufcache *bc, struct buf *bp)
{
	struct rump_disk *d = bp->b_disk;
	struct buf *bps[BIO_MAXIOV];
	struct iovec iov[BIO_MAXIOV];
	unsigned n;
	int error;

	KASSERT(bp->b_flags & B_BUSY);
	n = bcluster(bc, bp, bps);
	for (unsigned i = 0; i < n; i++) {
		iov[i].iov_base = bps[i]->b_data;
		iov[i].iov_len = bps[i]->b_bcount;
	}
	mutex_exit(&bc->bc_lock);
	error = disk_iov(d, true, (uint64_t)bps[0]->b_blkno << DEV_BSHIFT,
	    iov, (int)n);
	mutex_enter(&bc->bc_lock);
	if (error != 0) {
		d->d_werror = error;
		klog(d->d_kernel, "%s: delayed write of blocks %lld-%lld lost",
		    d->d_key, (long long)bps[0]->b_blkno,
		    (long long)(bps[n - 1]->b_blkno +
		    (bdaddr_t)(bps[n - 1]->b_bcount >> DEV_BSHIFT) - 1));
	}
	for (unsigned i = 0; i < n; i++) {
		if (error != 0)
			bdestroy(bc, bps[i]);
		else if (bps[i] != bp)
			brelse_locked(bc, bps[i]);
	}
	return error;
}

/* Release a busy buffer to the free list (or drop it); cache lock held. */
static void
brelse_locked(struct bufcache *bc, struct buf *bp)
{
	KASSERT(bp->b_flags & B_BUSY);
	if ((bp->b_flags & B_INVAL) || !(bp->b_flags & (B_DONE | B_DELWRI))) {
		bdestroy(bc, bp);
		return;
	}
	bp->b_flags &= ~B_BUSY;
	TAILQ_INSERT_TAIL(&bc->bc_lru, bp, b_lru);
	bwakeup(bc, bp);
}

/*
 * Make room for size more bytes by dropping the least recently used
 * buffers, writing dirty ones first.  Returns true if the cache lock was
 * dropped (the caller looks again).
 */
static bool
breclaim(struct bufcache *bc, size_t size)
{
	struct buf *bp;

	while (bc->bc_bytes + size > bc->bc_limit &&
	    (bp = TAILQ_FIRST(&bc->bc_lru)) != NULL) {
		bremfree(bc, bp);
		if (bp->b_flags & B_DELWRI) {
			if (bwriteback_locked(bc, bp) == 0)
				bdestroy(bc, bp);
			return true;
		}
		bdestroy(bc, bp);
	}
	return false;
}

/*
 * Room for size more bytes by dropping clean buffers only, the cache lock
 * kept; false when that would take a write (read-ahead stops there).
 */
static bool
breclaim_clean(struct bufcache *bc, size_t size)
{
	struct buf *bp;

	while (bc->bc_bytes + size > bc->bc_limit) {
		if ((bp = TAILQ_FIRST(&bc->bc_lru)) == NULL ||
		    (bp->b_flags & B_DELWRI))
			return false;
		bremfree(bc, bp);
		bdestroy(bc, bp);
	}
	return true;
}

static struct buf *
bnew(struct bufcache *bc, struct rump_disk *d, bdaddr_t blkno, size_t size)
{
	struct rump_kernel *k = d->d_kernel;
	struct buf *bp;

	if (bc->bc_hash == NULL)
		bufhash_resize(k, bc, BUFHASH_MINSHIFT);
	else if (bc->bc_nbufs >= 1u << bc->bc_hashshift &&
	    bc->bc_hashshift < BUFHASH_MAXSHIFT)
		bufhash_resize(k, bc, bc->bc_hashshift + 1);
	if (bc->bc_hash == NULL)
		return NULL;
	if ((bp = kmem_zalloc(k, sizeof(*bp))) == NULL)
		return NULL;
	if ((bp->b_data = kmem_alloc(k, size)) == NULL) {
		kmem_free(k, bp, sizeof(*bp));
		return NULL;
	}
	bp->b_disk = d;
	bp->b_blkno = blkno;
	bp->b_bcount = size;
	bp->b_flags = B_BUSY;
	LIST_INSERT_HEAD(&bc->bc_hash[bufhash(bc, d, blkno)], bp, b_hash);
	(*bregion(bc, d, blkno))++;
	bc->bc_bytes += size;
	bc->bc_nbufs++;
	return bp;
}

static struct buf *
getblk_disk(struct rump_disk *d, bdaddr_t blkno, size_t size)
{
	struct bufcache *bc = BC(d);
	struct buf *bp;

	KASSERT(size > 0 && size % DEV_BSIZE == 0 && blkno >= 0);
	mutex_enter(&bc->bc_lock);
	for (;;) {
		if ((bp = incore(bc, d, blkno)) != NULL) {
			if (bp->b_flags & B_BUSY) {
				bwait(bc, bp);
				continue;
			}
			bremfree(bc, bp);
			if (bp->b_bcount == size)
				break;
			/* another size: write it back and drop it */
			if (!(bp->b_flags & B_DELWRI) ||
			    bwriteback_locked(bc, bp) == 0)
				bdestroy(bc, bp);
			continue;
		}
		if (breclaim(bc, size))
			continue;
		bp = bnew(bc, d, blkno, size);
		break;
	}
	if (bp != NULL && (bp->b_flags & B_DONE))
		bc->bc_hits++;
	else
		bc->bc_misses++;
	mutex_exit(&bc->bc_lock);
	return bp;
}

struct buf *
getblk(struct vnode *devvp, bdaddr_t blkno, size_t size)
{
	return getblk_disk(devvp_disk(devvp), blkno, size);
}

int
bread(struct vnode *devvp, bdaddr_t blkno, size_t size, struct buf **bpp)
{
	struct buf *bp;
	int error;

	*bpp = NULL;
	if ((bp = getblk(devvp, blkno, size)) == NULL)
		return ENOMEM;
	if (!(bp->b_flags & B_DONE)) {
		error = disk_io(bp->b_disk, false,
		    (uint64_t)blkno << DEV_BSHIFT, bp->b_data, size);
		if (error != 0) {
			bp->b_flags |= B_INVAL;
			brelse(bp);
			return error;
		}
		bp->b_flags |= B_DONE;
	}
	*bpp = bp;
	return 0;
}

int
breadn(struct vnode *devvp, bdaddr_t blkno, size_t size, unsigned nra,
    struct buf **bpp)
{
	struct rump_disk *d = devvp_disk(devvp);
	struct bufcache *bc = BC(d);
	bdaddr_t step = (bdaddr_t)(size >> DEV_BSHIFT);
	struct buf *bps[BIO_MAXIOV], *bp;
	struct iovec iov[BIO_MAXIOV];
	unsigned n = 1;
	int error;

	*bpp = NULL;
	if ((bp = getblk_disk(d, blkno, size)) == NULL)
		return ENOMEM;
	if (bp->b_flags & B_DONE) {
		*bpp = bp;
		return 0;
	}
	mutex_enter(&bc->bc_lock);
	/* a read that goes on where the last one stopped reads ahead more */
	if (blkno == d->d_nextra)
		nra = MAX(nra, BIO_SEQRA / (unsigned)size);
	/* the blocks that follow, up to the first cached one or the end */
	nra = MIN(nra, MIN(BIO_MAXIOV, MAX(1u, BIO_MAXCLUSTER /
	    (unsigned)size)) - 1);
	bps[0] = bp;
	for (unsigned i = 1; i <= nra; i++) {
		bdaddr_t b = blkno + (bdaddr_t)i * step;

		if (((uint64_t)b << DEV_BSHIFT) + size > d->d_size ||
		    incore(bc, d, b) != NULL || !breclaim_clean(bc, size) ||
		    (bps[n] = bnew(bc, d, b, size)) == NULL)
			break;
		n++;
	}
	d->d_nextra = blkno + (bdaddr_t)n * step;
	mutex_exit(&bc->bc_lock);
	for (unsigned i = 0; i < n; i++) {
		iov[i].iov_base = bps[i]->b_data;
		iov[i].iov_len = size;
	}
	error = disk_iov(d, false, (uint64_t)blkno << DEV_BSHIFT, iov, (int)n);
	mutex_enter(&bc->bc_lock);
	for (unsigned i = 0; i < n; i++) {
		bps[i]->b_flags |= error != 0 ? B_INVAL : B_DONE;
		if (i > 0)
			brelse_locked(bc, bps[i]);
	}
	if (error != 0)
		brelse_locked(bc, bp);
	mutex_exit(&bc->bc_lock);
	if (error == 0)
		*bpp = bp;
	return error;
}

unsigned
bio_uncached(struct vnode *devvp, bdaddr_t blkno, size_t size, unsigned n)
{
	struct rump_disk *d = devvp_disk(devvp);
	struct bufcache *bc = BC(d);
	bdaddr_t step = (bdaddr_t)(size >> DEV_BSHIFT);
	unsigned i;

	mutex_enter(&bc->bc_lock);
	for (i = bc->bc_hash == NULL ? n : 0; i < n;) {
		bdaddr_t b = blkno + (bdaddr_t)i * step, next;

		if (*bregion(bc, d, b) == 0) {
			/* no buffer starts in b's region: pass the blocks that do */
			next = ((b >> BIO_REGION_SHIFT) + 1) << BIO_REGION_SHIFT;
			i += (unsigned)((next - b + step - 1) / step);
			continue;
		}
		if (incore(bc, d, b) != NULL)
			break;
		i++;
	}
	mutex_exit(&bc->bc_lock);
	return MIN(i, n);
}

int
bio_read_direct(struct vnode *devvp, bdaddr_t blkno, struct iovec *iov,
    int cnt)
{
	return disk_iov(devvp_disk(devvp), false, (uint64_t)blkno << DEV_BSHIFT,
	    iov, cnt);
}

void
brelse(struct buf *bp)
{
	struct bufcache *bc = BC(bp->b_disk);

	mutex_enter(&bc->bc_lock);
	brelse_locked(bc, bp);
	mutex_exit(&bc->bc_lock);
}

int
bwrite(struct buf *bp)
{
	struct bufcache *bc = BC(bp->b_disk);
	int error;

	mutex_enter(&bc->bc_lock);
	bundirty(bc, bp);
	mutex_exit(&bc->bc_lock);
	error = disk_io(bp->b_disk, true, (uint64_t)bp->b_blkno << DEV_BSHIFT,
	    bp->b_data, bp->b_bcount);
	bp->b_flags |= B_DONE;
	if (error != 0)
		bp->b_flags |= B_INVAL;
	brelse(bp);
	return error;
}

void
bdwrite(struct buf *bp)
{
	struct bufcache *bc = BC(bp->b_disk);

	mutex_enter(&bc->bc_lock);
	bp->b_flags |= B_DONE;
	if (!(bp->b_flags & B_DELWRI)) {
		bp->b_flags |= B_DELWRI;
		bp->b_dirtysec = mono_ns();
		TAILQ_INSERT_TAIL(&bc->bc_dirty, bp, b_dirty);
		bc->bc_ndirty++;
		bc->bc_dirtybytes += bp->b_bcount;
		biod_kick(bp->b_disk->d_kernel);
		/* past the mark: a flusher waiting for age writes now */
		if (bc->bc_dirtybytes >= BIO_DIRTYMAX(bc) &&
		    bc->bc_dirtybytes - bp->b_bcount < BIO_DIRTYMAX(bc))
			cv_broadcast(&bc->bc_cv);
	}
	brelse_locked(bc, bp);
	mutex_exit(&bc->bc_lock);
}

int
bio_writeback(struct buf *bp)
{
	struct bufcache *bc = BC(bp->b_disk);
	int error;

	mutex_enter(&bc->bc_lock);
	if ((error = bwriteback_locked(bc, bp)) == 0)
		brelse_locked(bc, bp);
	mutex_exit(&bc->bc_lock);
	return error;
}

static bool
boverlaps(struct buf *bp, struct rump_disk *d, uint64_t off, uint64_t len)
{
	uint64_t start = (uint64_t)bp->b_blkno << DEV_BSHIFT;

	if (d != NULL && bp->b_disk != d)
		return false;
	return start < off + len && off < start + bp->b_bcount;
}

/* Write the dirty buffers of d (every disk: NULL) within the range. */
static int
bflush_range(struct bufcache *bc, struct rump_disk *d, uint64_t off,
    uint64_t len)
{
	struct buf *bp;
	int error = 0;

	mutex_enter(&bc->bc_lock);
again:
	TAILQ_FOREACH(bp, &bc->bc_dirty, b_dirty) {
		if (!boverlaps(bp, d, off, len))
			continue;
		if (bp->b_flags & B_BUSY) {
			bwait(bc, bp);
			goto again;
		}
		bremfree(bc, bp);
		if (bwriteback_locked(bc, bp) != 0)
			error = EIO;
		else
			brelse_locked(bc, bp);
		goto again;
	}
	mutex_exit(&bc->bc_lock);
	return error;
}

/* Drop d's buffers within the range, dirty or not. */
static void
binval_range(struct rump_kernel *k, struct rump_disk *d, uint64_t off,
    uint64_t len)
{
	struct bufcache *bc = &k->k_bufcache;
	struct buf *bp, *next;

	mutex_enter(&bc->bc_lock);
again:
	for (size_t i = 0; bc->bc_hash != NULL &&
	    i < (size_t)1 << bc->bc_hashshift; i++) {
		for (bp = LIST_FIRST(&bc->bc_hash[i]); bp != NULL; bp = next) {
			next = LIST_NEXT(bp, b_hash);
			if (!boverlaps(bp, d, off, len))
				continue;
			if (bp->b_flags & B_BUSY) {
				bwait(bc, bp);
				goto again;
			}
			bremfree(bc, bp);
			bdestroy(bc, bp);
		}
	}
	if (bc->bc_nbufs == 0 && bc->bc_hash != NULL)
		bufhash_resize(k, bc, 0);
	mutex_exit(&bc->bc_lock);
}

int
bio_sync_range(struct rump_disk *d, uint64_t off, uint64_t len, bool inval)
{
	struct bufcache *bc = BC(d);
	int error;

	if (bc->bc_nbufs == 0)	/* racy but harmless: nothing to keep coherent */
		return 0;
	error = bflush_range(bc, d, off, len);
	if (inval)
		binval_range(d->d_kernel, d, off, len);
	return error;
}

int
bio_flushdisk(struct rump_disk *d)
{
	int error = bflush_range(BC(d), d, 0, UINT64_MAX / 2);
	int e2 = disk_syncfd(d);

	if (error == 0)
		error = e2;
	mutex_enter(&BC(d)->bc_lock);
	if (d->d_werror != 0 && error == 0)
		error = EIO;
	d->d_werror = 0;
	mutex_exit(&BC(d)->bc_lock);
	return error;
}

int
vflushbuf(struct vnode *devvp)
{
	return bio_flushdisk(devvp_disk(devvp));
}

void
binvalbuf(struct vnode *devvp)
{
	struct rump_disk *d = devvp_disk(devvp);

	binval_range(d->d_kernel, d, 0, UINT64_MAX / 2);
}

/* sync(2): every dirty buffer of the kernel. */
int
bio_syncall(struct rump_kernel *k)
{
	return bflush_range(&k->k_bufcache, NULL, 0, UINT64_MAX / 2);
}

int
bio_init(struct rump_kernel *k)
{
	struct bufcache *bc = &k->k_bufcache;
	int error;

	TAILQ_INIT(&bc->bc_lru);
	TAILQ_INIT(&bc->bc_dirty);
	bc->bc_limit = k->k_buflimit != 0 ? k->k_buflimit : k->k_memlimit / 4;
	if ((error = mutex_init(&bc->bc_lock)) != 0)
		return error;
	return cv_init(&bc->bc_cv);
}

void
bio_halt_begin(struct rump_kernel *k)
{
	biod_stop(k);
}

/* Halt: the flusher stops, dirty buffers are written, all are freed. */
void
bio_fini(struct rump_kernel *k)
{
	struct bufcache *bc = &k->k_bufcache;

	if (bc->bc_lock.mtx == NULL)
		return;
	biod_stop(k);
	(void)bio_syncall(k);
	binval_range(k, NULL, 0, UINT64_MAX / 2);
	cv_destroy(&bc->bc_cv);
	mutex_destroy(&bc->bc_lock);
}

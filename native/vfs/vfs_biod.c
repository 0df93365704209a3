/*
 * The flusher: a kernel thread that exists only while delayed writes do.
 * The first delayed write starts it; it writes each dirty buffer once it
 * is BIOD_AGE old, oldest first, and exits when none is left.  While more
 * than BIO_DIRTYMAX bytes are dirty it writes the oldest at once: a writer
 * that dirties the cache faster than buffers age then finds clean buffers
 * to reuse, and the writing goes on in this thread.  It runs
 * kernel code through an lwp of its own in pid 1 and never takes the VFS
 * lock.  Halt stops it before the kernel's lwps go.
 */
#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/kernel.h"
#include "sys/proc.h"

#define BIOD_AGE	1000000000LL	/* ns a buffer stays dirty */

/* Write bp if it is old enough or too much is dirty, else sleep.  Lock held. */
static void
biod_one(struct bufcache *bc, struct buf *bp)
{
	int64_t wait = bp->b_dirtysec + BIOD_AGE - mono_ns();

	if (wait > 0 && bc->bc_dirtybytes < BIO_DIRTYMAX(bc)) {
		(void)rumpuser_cv_timedwait(bc->bc_cv.cv, bc->bc_lock.mtx,
		    wait / 1000000000, wait % 1000000000);
		return;
	}
	if (bp->b_flags & B_BUSY) {
		/* its owner releases it soon; brelse wakes us */
		bp->b_flags |= B_WANTED;
		cv_wait(&bc->bc_cv, &bc->bc_lock);
		return;
	}
	TAILQ_REMOVE(&bc->bc_lru, bp, b_lru);
	bp->b_flags |= B_BUSY;
	mutex_exit(&bc->bc_lock);
	(void)bio_writeback(bp);
	mutex_enter(&bc->bc_lock);
}

static void *
biod_main(void *arg)
{
	struct rump_kernel *k = arg;
	struct bufcache *bc = &k->k_bufcache;
	struct lwp *l = NULL;
	struct buf *bp;

	if (lwp_create(k->k_initproc, 0, &l) == 0)
		curlwp = l;
	mutex_enter(&bc->bc_lock);
	while (!bc->bc_halting && (bp = TAILQ_FIRST(&bc->bc_dirty)) != NULL)
		biod_one(bc, bp);
	bc->bc_flushing = false;
	mutex_exit(&bc->bc_lock);
	/* from here on the cache lock is not taken: biod_kick may join us */
	if (l != NULL)
		lwp_free(l);
	return NULL;
}

/* A buffer became dirty: start the flusher unless it runs.  Lock held. */
void
biod_kick(struct rump_kernel *k)
{
	struct bufcache *bc = &k->k_bufcache;

	if (bc->bc_flushing || bc->bc_halting || k->k_initproc == NULL)
		return;
	if (bc->bc_flusher != NULL) {
		(void)rumpuser_thread_join(bc->bc_flusher);	/* it has exited */
		bc->bc_flusher = NULL;
	}
	if (rumpuser_thread_create(biod_main, k, "biod", &bc->bc_flusher) == 0)
		bc->bc_flushing = true;
	else
		bc->bc_flusher = NULL;	/* sync, unmount and halt still write */
}

/* Stop the flusher for good (halt); dirty buffers stay for bio_fini. */
void
biod_stop(struct rump_kernel *k)
{
	struct bufcache *bc = &k->k_bufcache;
	struct rumpuser_thread *t;

	if (bc->bc_lock.mtx == NULL)
		return;
	mutex_enter(&bc->bc_lock);
	bc->bc_halting = true;
	cv_broadcast(&bc->bc_cv);
	t = bc->bc_flusher;
	bc->bc_flusher = NULL;
	mutex_exit(&bc->bc_lock);
	if (t != NULL)
		(void)rumpuser_thread_join(t);
}

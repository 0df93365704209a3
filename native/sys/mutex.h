/* Kernel locks and condition variables, on rumpuser's primitives. */
#ifndef SYS_MUTEX_H
#define SYS_MUTEX_H

#include "sys/systm.h"

typedef struct kmutex {
	struct rumpuser_mtx *mtx;
} kmutex_t;

typedef struct krwlock {
	struct rumpuser_rw *rw;
} krwlock_t;

typedef struct kcondvar {
	struct rumpuser_cv *cv;
	/* bumped by every signal: a sleeper may spin on it briefly */
	_Atomic unsigned gen;
	/* spins on it that ran out in a row (net_sleep's adaptivity) */
	unsigned	spinfail;
} kcondvar_t;

typedef enum { RW_READER, RW_WRITER } krw_t;

static inline int
mutex_init(kmutex_t *m)
{
	return rumpuser_mutex_init(&m->mtx);
}

static inline void
mutex_destroy(kmutex_t *m)
{
	if (m->mtx != NULL)
		rumpuser_mutex_destroy(m->mtx);
	m->mtx = NULL;
}

static inline void
mutex_enter(kmutex_t *m)
{
	rumpuser_mutex_enter(m->mtx);
}

static inline bool
mutex_tryenter(kmutex_t *m)
{
	return rumpuser_mutex_tryenter(m->mtx) == 0;
}

static inline void
mutex_exit(kmutex_t *m)
{
	rumpuser_mutex_exit(m->mtx);
}

static inline int
rw_init(krwlock_t *rw)
{
	return rumpuser_rw_init(&rw->rw);
}

static inline void
rw_destroy(krwlock_t *rw)
{
	if (rw->rw != NULL)
		rumpuser_rw_destroy(rw->rw);
	rw->rw = NULL;
}

static inline void
rw_enter(krwlock_t *rw, krw_t op)
{
	rumpuser_rw_enter(rw->rw,
	    op == RW_WRITER ? RUMPUSER_RW_WRITER : RUMPUSER_RW_READER);
}

static inline void
rw_exit(krwlock_t *rw)
{
	rumpuser_rw_exit(rw->rw);
}

static inline int
cv_init(kcondvar_t *cv)
{
	return rumpuser_cv_init(&cv->cv);
}

static inline void
cv_destroy(kcondvar_t *cv)
{
	if (cv->cv != NULL)
		rumpuser_cv_destroy(cv->cv);
	cv->cv = NULL;
}

static inline void
cv_wait(kcondvar_t *cv, kmutex_t *m)
{
	rumpuser_cv_wait(cv->cv, m->mtx);
}

static inline void
cv_signal(kcondvar_t *cv)
{
	atomic_fetch_add_explicit(&cv->gen, 1, memory_order_release);
	rumpuser_cv_signal(cv->cv);
}

static inline void
cv_broadcast(kcondvar_t *cv)
{
	atomic_fetch_add_explicit(&cv->gen, 1, memory_order_release);
	rumpuser_cv_broadcast(cv->cv);
}

#endif

/* Locks and condition variables on POSIX threads. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <rump/rumpuser.h>

#include "rumpuser_int.h"

struct rumpuser_mtx {
	pthread_mutex_t	m;
};

struct rumpuser_rw {
	pthread_rwlock_t rw;
};

struct rumpuser_cv {
	pthread_cond_t	c;
};

int
rumpuser_mutex_init(struct rumpuser_mtx **mp)
{
	struct rumpuser_mtx *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		return ENOMEM;
	if (pthread_mutex_init(&m->m, NULL) != 0) {
		free(m);
		return ENOMEM;
	}
	*mp = m;
	return 0;
}

void
rumpuser_mutex_enter(struct rumpuser_mtx *m)
{
	int error = pthread_mutex_lock(&m->m);
	RUMPUSER_ASSERT(error == 0, "mutex_enter");
}

int
rumpuser_mutex_tryenter(struct rumpuser_mtx *m)
{
	return pthread_mutex_trylock(&m->m) == 0 ? 0 : EBUSY;
}

void
rumpuser_mutex_exit(struct rumpuser_mtx *m)
{
	int error = pthread_mutex_unlock(&m->m);
	RUMPUSER_ASSERT(error == 0, "mutex_exit");
}

void
rumpuser_mutex_destroy(struct rumpuser_mtx *m)
{
	pthread_mutex_destroy(&m->m);
	free(m);
}

int
rumpuser_rw_init(struct rumpuser_rw **rwp)
{
	struct rumpuser_rw *rw;

	if ((rw = malloc(sizeof(*rw))) == NULL)
		return ENOMEM;
	if (pthread_rwlock_init(&rw->rw, NULL) != 0) {
		free(rw);
		return ENOMEM;
	}
	*rwp = rw;
	return 0;
}

void
rumpuser_rw_enter(struct rumpuser_rw *rw, enum rumprwlock op)
{
	int error;

	if (op == RUMPUSER_RW_WRITER)
		error = pthread_rwlock_wrlock(&rw->rw);
	else
		error = pthread_rwlock_rdlock(&rw->rw);
	RUMPUSER_ASSERT(error == 0, "rw_enter");
}

int
rumpuser_rw_tryenter(struct rumpuser_rw *rw, enum rumprwlock op)
{
	int error;

	if (op == RUMPUSER_RW_WRITER)
		error = pthread_rwlock_trywrlock(&rw->rw);
	else
		error = pthread_rwlock_tryrdlock(&rw->rw);
	return error == 0 ? 0 : EBUSY;
}

void
rumpuser_rw_exit(struct rumpuser_rw *rw)
{
	pthread_rwlock_unlock(&rw->rw);
}

void
rumpuser_rw_destroy(struct rumpuser_rw *rw)
{
	pthread_rwlock_destroy(&rw->rw);
	free(rw);
}

int
rumpuser_cv_init(struct rumpuser_cv **cvp)
{
	struct rumpuser_cv *cv;
	pthread_condattr_t attr;

	if ((cv = malloc(sizeof(*cv))) == NULL)
		return ENOMEM;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&cv->c, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		free(cv);
		return ENOMEM;
	}
	pthread_condattr_destroy(&attr);
	*cvp = cv;
	return 0;
}

void
rumpuser_cv_destroy(struct rumpuser_cv *cv)
{
	pthread_cond_destroy(&cv->c);
	free(cv);
}

void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *m)
{
	pthread_cond_wait(&cv->c, &m->m);
}

int
rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *m,
    int64_t sec, int64_t nsec)
{
	struct timespec ts;
	int error;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += sec;
	ts.tv_nsec += nsec;
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	error = pthread_cond_timedwait(&cv->c, &m->m, &ts);
	return error == ETIMEDOUT ? ETIMEDOUT : 0;
}

void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{
	pthread_cond_signal(&cv->c);
}

void
rumpuser_cv_broadcast(struct rumpuser_cv *cv)
{
	pthread_cond_broadcast(&cv->c);
}

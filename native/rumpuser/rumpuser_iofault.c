/*
 * I/O fault injection for tests: make the nth next read or write on a host
 * descriptor fail with EIO, so that an error travels the whole stack from
 * this layer up.  Host-side state, shared by every kernel of the process
 * and keyed by the host descriptor (which only one kernel owns).
 */
#include <errno.h>
#include <pthread.h>

#include <rump/rumpuser.h>

#include "rumpuser_int.h"

#define NFAULTS	32

struct iofault {
	int		fd;	/* -1: a free slot */
	int		op;	/* RUMPUSER_IOFAULT_READ or _WRITE */
	unsigned	left;	/* the left-th next operation fails */
};

static pthread_mutex_t faultlock = PTHREAD_MUTEX_INITIALIZER;
static struct iofault faults[NFAULTS];
static unsigned nfaults;	/* slots in use (0: the fast path) */

int
rumpuser_iofault(int fd, int op, unsigned nth)
{
	int error = ENOSPC;

	if (nth == 0 || (op != RUMPUSER_IOFAULT_READ &&
	    op != RUMPUSER_IOFAULT_WRITE))
		return EINVAL;
	pthread_mutex_lock(&faultlock);
	for (int i = 0; i < NFAULTS; i++) {
		if (faults[i].left != 0)
			continue;
		faults[i].fd = fd;
		faults[i].op = op;
		faults[i].left = nth;
		__atomic_add_fetch(&nfaults, 1, __ATOMIC_RELAXED);
		error = 0;
		break;
	}
	pthread_mutex_unlock(&faultlock);
	return error;
}

/* Count one operation on fd; true when it is the one to fail. */
bool
rumpuser_iofault_hit(int fd, int op)
{
	bool hit = false;

	if (__atomic_load_n(&nfaults, __ATOMIC_RELAXED) == 0)
		return false;
	pthread_mutex_lock(&faultlock);
	for (int i = 0; i < NFAULTS; i++) {
		if (faults[i].left == 0 || faults[i].fd != fd ||
		    faults[i].op != op)
			continue;
		if (--faults[i].left == 0) {
			__atomic_sub_fetch(&nfaults, 1, __ATOMIC_RELAXED);
			hit = true;
		}
	}
	pthread_mutex_unlock(&faultlock);
	return hit;
}

/* fd is closed: its pending faults go with it. */
void
rumpuser_iofault_clear(int fd)
{
	if (__atomic_load_n(&nfaults, __ATOMIC_RELAXED) == 0)
		return;
	pthread_mutex_lock(&faultlock);
	for (int i = 0; i < NFAULTS; i++) {
		if (faults[i].left != 0 && faults[i].fd == fd) {
			faults[i].left = 0;
			__atomic_sub_fetch(&nfaults, 1, __ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&faultlock);
}

/* Clocks and sleep. */
#include <errno.h>
#include <time.h>

#include <rump/rumpuser.h>

int
rumpuser_clock_gettime(enum rumpclock which, int64_t *sec, long *nsec)
{
	struct timespec ts;
	clockid_t id = which == RUMPUSER_CLOCK_ABSMONO ?
	    CLOCK_MONOTONIC : CLOCK_REALTIME;

	if (clock_gettime(id, &ts) != 0)
		return errno;
	*sec = ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}

int
rumpuser_clock_sleep(enum rumpclock which, int64_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };
	int error;

	if (which == RUMPUSER_CLOCK_ABSMONO) {
		do {
			error = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
			    &ts, NULL);
		} while (error == EINTR);
		return error;
	}
	while (nanosleep(&ts, &ts) != 0) {
		if (errno != EINTR)
			return errno;
	}
	return 0;
}

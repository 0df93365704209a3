/* Entropy from the host. */
#include <errno.h>
#include <sys/random.h>

#include <rump/rumpuser.h>

int
rumpuser_getrandom(void *buf, size_t buflen, int flags, size_t *retp)
{
	unsigned gflags = (flags & RUMPUSER_RANDOM_NOWAIT) ? GRND_NONBLOCK : 0;
	ssize_t n;

	do {
		n = getrandom(buf, buflen, gflags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	*retp = (size_t)n;
	return 0;
}

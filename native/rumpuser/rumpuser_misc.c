/*
 * Console lines, the caller's errno, and the process-wide default kernel:
 * host-side state that belongs to the host process, not to any kernel.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <rump/rumpuser.h>

void
rumpuser_console_write(void (*hook)(void *, const char *, size_t), void *arg,
    const char *line, size_t len)
{
	if (hook != NULL)
		hook(arg, line, len);
}

void
rumpuser_seterrno(int error)
{
	errno = error;
}

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static void *default_kernel;

void *
rumpuser_default_kernel(void *(*boot)(void))
{
	void *k;

	pthread_mutex_lock(&default_lock);
	if (default_kernel == NULL && boot != NULL)
		default_kernel = boot();
	k = default_kernel;
	pthread_mutex_unlock(&default_lock);
	return k;
}

void *
rumpuser_default_kernel_get(void)
{
	return rumpuser_default_kernel(NULL);
}

void
rumpuser_default_kernel_clear(void *k)
{
	pthread_mutex_lock(&default_lock);
	if (default_kernel == k)
		default_kernel = NULL;
	pthread_mutex_unlock(&default_lock);
}

void
rumpuser_panic(const char *msg)
{
	fprintf(stderr, "rumpkit: panic: %s\n", msg);
	abort();
}

/* Host threads for the kernel's own threads (network input, timers ...). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rumpuser.h>

struct rumpuser_thread {
	pthread_t	pt;
};

int
rumpuser_thread_create(void *(*fn)(void *), void *arg, const char *name,
    struct rumpuser_thread **tp)
{
	struct rumpuser_thread *t;
	int error;

	if ((t = malloc(sizeof(*t))) == NULL)
		return ENOMEM;
	if ((error = pthread_create(&t->pt, NULL, fn, arg)) != 0) {
		free(t);
		return error;
	}
	if (name != NULL) {
		char buf[16];

		strncpy(buf, name, sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		pthread_setname_np(t->pt, buf);
	}
	*tp = t;
	return 0;
}

int
rumpuser_thread_join(struct rumpuser_thread *t)
{
	int error = pthread_join(t->pt, NULL);

	free(t);
	return error;
}

void
rumpuser_yield(void)
{
	sched_yield();
}

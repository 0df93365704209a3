/*
 * For threaded tests: an lwp in a kernel process for a helper thread to
 * switch to, made without leaving the calling thread's own lwp.
 */
#ifndef LWP_HELPER_H
#define LWP_HELPER_H

#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* A kernel, entered, in a process of its own (NULL: it failed). */
static inline struct rump_kernel *
boot_proc(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);

	if (k == NULL)
		return NULL;
	rump_kernel_enter(k);
	if (rump_lwproc_rfork(RUMP_RFCFDG) != 0)
		return NULL;
	return k;
}

/* An lwp in process pid for a helper thread; the caller keeps its own. */
static inline struct lwp *
helper_lwp(pid_t pid)
{
	struct lwp *mine = rump_lwproc_curlwp(), *l;

	if (rump_lwproc_newlwp(pid) != 0)
		return NULL;
	l = rump_lwproc_curlwp();
	rump_lwproc_switch(mine);
	return l;
}

/*
 * In a helper thread: as lwp l, after a pause that lets the main thread
 * block first (the tests are right without it too), write n bytes of buf
 * to fd; the lwp is released after.  The write's result.
 */
static inline long
helper_write_later(struct lwp *l, int fd, const void *buf, size_t n)
{
	long r;

	rump_lwproc_switch(l);
	usleep(20000);
	r = rump_sys_write(fd, buf, n);
	rump_lwproc_releaselwp();
	return r;
}

#endif

/*
 * For threaded tests: an lwp in a kernel process for a helper thread to
 * switch to, made without leaving the calling thread's own lwp.
 */
#ifndef LWP_HELPER_H
#define LWP_HELPER_H

#include <rump/rump.h>

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

#endif

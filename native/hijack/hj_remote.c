/*
 * The remote backend: system calls go to a server (k.serve, rumpkit
 * serve) named by RUMP_SERVER, through librumpclient.  Built with
 * HJ_REMOTE when librumpclient's sources are in the tree; without it,
 * there is no remote backend and RUMP_SERVER stops the program at start.
 */
#include "hj_int.h"

#ifdef HJ_REMOTE
#include <rump/rumpclient.h>

static const struct hj_backend remote = {
	.name = "remote",
	.syscall = rumpclient_syscall,
	.fork = rumpclient_fork,
	.execve = rumpclient_exec,
};

const struct hj_backend *
hj_remote_backend(void)
{
	if (rumpclient_init() != 0) {
		hj_note("cannot reach the server in RUMP_SERVER");
		return NULL;
	}
	return &remote;
}

bool
hj_remote_owns_fd(int fd)
{
	return hj_backend == &remote && rumpclient_owns_fd(fd);
}

#else /* !HJ_REMOTE */

const struct hj_backend *
hj_remote_backend(void)
{
	return NULL;
}

bool
hj_remote_owns_fd(int fd)
{
	(void)fd;
	return false;
}

#endif

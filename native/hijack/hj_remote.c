/*
 * The remote backend: system calls go to a server (k.serve, rumpkit
 * serve) named by RUMP_SERVER, through librumpclient.
 */
#include <rump/rumpclient.h>

#include "hj_int.h"

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

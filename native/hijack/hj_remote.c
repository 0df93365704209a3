/*
 * The remote backend: system calls go to a server (k.serve, rumpkit
 * serve) named by RUMP_SERVER, through librumpclient.  Built with
 * HJ_REMOTE when librumpclient's sources are in the tree; without it,
 * there is no remote backend and RUMP_SERVER stops the program at start.
 */
#include "hj_int.h"

#ifdef HJ_REMOTE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rump/rumpclient.h>

/*
 * librumpclient's connections take the lowest free host numbers, where a
 * program's dup2 (a shell's "exec 3>file") would then find a descriptor
 * it may not touch.  So while a connection is made (the first call of
 * each thread, init, a fork's child) the numbers below FLOOR are held by
 * placeholders, and the connection lands above them.
 */
#define FLOOR	256
#define HELD	FLOOR

struct held {
	int	fd[HELD];
	int	n;
};

static void
hold_low(struct held *h)
{
	long t = hj_host_syscall(SYS_openat, AT_FDCWD, (long)"/",
	    O_PATH | O_CLOEXEC, 0, 0, 0), fd;

	h->n = 0;
	if (t < 0)
		return;
	while (h->n < HELD) {
		fd = hj_host_syscall(SYS_fcntl, t, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
		if (fd < 0 || fd >= FLOOR) {
			if (fd >= 0)
				hj_host_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
			break;
		}
		h->fd[h->n++] = (int)fd;
	}
	if (t >= FLOOR)
		hj_host_syscall(SYS_close, t, 0, 0, 0, 0, 0);
	else
		h->fd[h->n++] = (int)t;
}

static void
release(struct held *h)
{
	while (h->n > 0)
		hj_host_syscall(SYS_close, h->fd[--h->n], 0, 0, 0, 0, 0);
}

static __thread bool connected;

static int
remote_syscall(long nr, const long *args, long *retval)
{
	struct held h;
	int e;

	if (connected)
		return rumpclient_syscall(nr, args, retval);
	hold_low(&h);
	e = rumpclient_syscall(nr, args, retval);
	release(&h);
	connected = true;
	return e;
}

static pid_t
remote_fork(void)
{
	struct rumpclient_fork *rf;
	struct held h;
	pid_t pid;
	int e;

	if ((rf = rumpclient_prefork()) == NULL)
		return -1;
	pid = hj_host_fork();
	if (pid < 0) {
		e = errno;
		rumpclient_fork_cancel(rf);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		hold_low(&h);
		e = rumpclient_fork_init(rf);
		release(&h);
		if (e != 0) {
			hj_note("the child of a fork cannot reach the server");
			_exit(127);
		}
	}
	return pid;
}

static const struct hj_backend remote = {
	.name = "remote",
	.syscall = remote_syscall,
	.fork = remote_fork,
	.execve = rumpclient_exec,
};

const struct hj_backend *
hj_remote_backend(void)
{
	struct held h;
	int e;

	hold_low(&h);
	e = rumpclient_init();
	release(&h);
	if (e != 0) {
		hj_note(errno == ENOENT || errno == ECONNREFUSED ?
		    "no server listens at RUMP_SERVER" :
		    "cannot reach the server in RUMP_SERVER");
		return NULL;
	}
	connected = true;
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
	hj_note("RUMP_SERVER is set but this library was built without the "
	    "remote backend");
	return NULL;
}

bool
hj_remote_owns_fd(int fd)
{
	(void)fd;
	return false;
}

#endif

/*
 * Interruption: rump_lwproc_interrupt() makes a call blocked in the kernel
 * return EINTR (as a signal does on Linux) -- pipes, FIFO opens, eventfd,
 * poll, select, epoll, AF_UNIX accept and receive, flock and fcntl locks
 * -- a partial write returns its count, and the flag stays until the lwp
 * clears it.  The interrupter may come before or after the call sleeps:
 * both must end the same way, so no test depends on timing.
 */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "lwp_helper.h"

struct blocked {
	struct lwp	*l;
	long		(*call)(struct blocked *);
	int		fd, fd2;
	long		result;
	int		error;
};

static void *
run_blocked(void *arg)
{
	struct blocked *b = arg;

	rump_lwproc_switch(b->l);
	errno = 0;
	b->result = b->call(b);
	b->error = errno;
	rump_lwproc_releaselwp();
	return NULL;
}

/* Run b->call on a helper lwp of the current process, interrupt it, wait. */
static void
interrupt_call(struct blocked *b)
{
	pthread_t t;

	REQUIRE((b->l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, run_blocked, b);
	usleep(10000);		/* usually lets it sleep first; not needed */
	CHECK_EQ(rump_lwproc_interrupt(b->l), 0);
	pthread_join(t, NULL);
}

static struct rump_kernel *
boot(void)
{
	struct rump_kernel *k = boot_proc();

	if (k == NULL)
		abort();
	return k;
}

static void
halt(struct rump_kernel *k)
{
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
expect_eintr(long (*call)(struct blocked *), int fd, int fd2)
{
	struct blocked b = { .call = call, .fd = fd, .fd2 = fd2 };

	interrupt_call(&b);
	CHECK_EQ(b.result, -1);
	CHECK_EQ(b.error, EINTR);
}

static long
do_read(struct blocked *b)
{
	char c;

	return rump_sys_read(b->fd, &c, 1);
}

static void
pipe_read(void)
{
	struct rump_kernel *k = boot();
	int fds[2];

	REQUIRE(rump_sys_pipe(fds) == 0);
	expect_eintr(do_read, fds[0], -1);
	/* the pipe is intact: a write is read back */
	CHECK_EQ(rump_sys_write(fds[1], "x", 1), 1);
	char c = 0;
	CHECK_EQ(rump_sys_read(fds[0], &c, 1), 1);
	CHECK_EQ(c, 'x');
	halt(k);
}

static long
do_big_write(struct blocked *b)
{
	static char buf[1 << 20];

	return rump_sys_write(b->fd, buf, sizeof(buf));
}

/* What fitted counts: the write returns it, as Linux's does. */
static void
pipe_write_partial(void)
{
	struct rump_kernel *k = boot();
	struct blocked b = { .call = do_big_write };
	int fds[2], room = 0;

	REQUIRE(rump_sys_pipe(fds) == 0);
	b.fd = fds[1];
	interrupt_call(&b);
	CHECK(b.result > 0 && b.result < (1 << 20));
	CHECK_EQ(rump_sys_ioctl(fds[0], FIONREAD, (long)&room), 0);
	CHECK_EQ(room, b.result);
	halt(k);
}

static long
do_poll(struct blocked *b)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };

	return rump_sys_poll(&pfd, 1, -1);
}

static long
do_select(struct blocked *b)
{
	fd_set r;

	FD_ZERO(&r);
	FD_SET(b->fd, &r);
	return rump_sys_select(b->fd + 1, &r, NULL, NULL, NULL);
}

static long
do_epoll(struct blocked *b)
{
	struct epoll_event ev;

	return rump_sys_epoll_wait(b->fd2, &ev, 1, -1);
}

static void
waits_for_readiness(void)
{
	struct rump_kernel *k = boot();
	struct epoll_event ev = { .events = EPOLLIN };
	int fds[2], ep;

	REQUIRE(rump_sys_pipe(fds) == 0);
	REQUIRE((ep = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) == 0);
	expect_eintr(do_poll, fds[0], ep);
	expect_eintr(do_select, fds[0], ep);
	expect_eintr(do_epoll, fds[0], ep);
	halt(k);
}

static long
do_eventfd(struct blocked *b)
{
	uint64_t v;

	return rump_sys_read(b->fd, &v, sizeof(v));
}

static long
do_fifo_open(struct blocked *b)
{
	return rump_sys_open("/fifo", O_RDONLY, 0);
}

static void
eventfd_and_fifo(void)
{
	struct rump_kernel *k = boot();
	int efd;

	REQUIRE((efd = rump_sys_eventfd2(0, 0)) >= 0);
	expect_eintr(do_eventfd, efd, -1);
	REQUIRE(rump_sys_mknod("/fifo", S_IFIFO | 0600, 0) == 0);
	expect_eintr(do_fifo_open, -1, -1);
	/* the FIFO has no reader left behind: a non-blocking writer sees so */
	CHECK_EQ(rump_sys_open("/fifo", O_WRONLY | O_NONBLOCK, 0), -1);
	CHECK_EQ(errno, ENXIO);
	halt(k);
}

static long
do_accept(struct blocked *b)
{
	return rump_sys_accept(b->fd, NULL, NULL);
}

static long
do_recv(struct blocked *b)
{
	char c;

	return rump_sys_recvfrom(b->fd, &c, 1, 0, NULL, NULL);
}

static void
unix_sockets(void)
{
	struct rump_kernel *k = boot();
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/s" };
	int ls, sv[2], c;

	REQUIRE((ls = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	REQUIRE(rump_sys_bind(ls, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	REQUIRE(rump_sys_listen(ls, 4) == 0);
	expect_eintr(do_accept, ls, -1);
	/* the listener still works */
	REQUIRE((c = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK_EQ(rump_sys_connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	int a = (int)rump_sys_accept(ls, NULL, NULL);
	CHECK(a >= 0);
	expect_eintr(do_recv, a, -1);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	expect_eintr(do_recv, sv[0], -1);
	halt(k);
}

static long
do_flock(struct blocked *b)
{
	return rump_sys_flock(b->fd, LOCK_EX);
}

static long
do_setlkw(struct blocked *b)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return rump_sys_fcntl(b->fd, F_SETLKW, (long)&fl);
}

static void
lock_waits(void)
{
	struct rump_kernel *k = boot();
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	pid_t parent = rump_lwproc_getpid();
	struct lwp *me = rump_lwproc_curlwp();
	int a, b;

	REQUIRE((a = rump_sys_open("/f", O_RDWR | O_CREAT, 0600)) >= 0);
	REQUIRE((b = rump_sys_open("/f", O_RDWR, 0)) >= 0);
	REQUIRE(rump_sys_flock(a, LOCK_EX) == 0);
	expect_eintr(do_flock, b, -1);
	/* a POSIX lock held by another process */
	REQUIRE(rump_lwproc_rfork(RUMP_RFFDG) == 0);
	REQUIRE(rump_sys_fcntl(a, F_SETLK, (long)&fl) == 0);
	struct lwp *child = rump_lwproc_curlwp();
	rump_lwproc_switch(me);
	CHECK_EQ(rump_lwproc_getpid(), parent);
	expect_eintr(do_setlkw, b, -1);
	rump_lwproc_switch(child);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(me);
	/* the child's exit dropped its lock */
	CHECK_EQ(rump_sys_fcntl(b, F_SETLK, (long)&fl), 0);
	halt(k);
}

static long
interrupted_then_cleared(struct blocked *b)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	long r;

	r = rump_sys_poll(&pfd, 1, -1);
	if (r != -1 || errno != EINTR)
		return -2;
	/* until cleared, the next sleep fails at once, too */
	if (rump_sys_poll(&pfd, 1, 60000) != -1 || errno != EINTR)
		return -3;
	rump_lwproc_clearintr();
	return rump_sys_poll(&pfd, 1, 1);	/* times out: 0 */
}

static void
flag_stays_until_cleared(void)
{
	struct rump_kernel *k = boot();
	struct blocked b = { .call = interrupted_then_cleared };
	int fds[2];

	REQUIRE(rump_sys_pipe(fds) == 0);
	b.fd = fds[0];
	interrupt_call(&b);
	CHECK_EQ(b.result, 0);
	CHECK_EQ(rump_lwproc_interrupt(NULL), EINVAL);
	halt(k);
}

TESTS(
	T(pipe_read),
	T(pipe_write_partial),
	T(waits_for_readiness),
	T(eventfd_and_fifo),
	T(unix_sockets),
	T(lock_waits),
	T(flag_stays_until_cleared),
)

/*
 * epoll across threads: an lwp asleep in epoll_wait (directly, through a
 * nested instance, or in poll on an instance) woken by another lwp's write;
 * an event-loop lwp (LW_NOSLEEP) given EAGAIN instead of sleeping; files
 * closed and entries changed while another lwp waits; halting a kernel with
 * instances open.  The differential suite (t_posix_epoll.c) covers the
 * semantics; this covers the sleeping and the locking.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "lwp_helper.h"

struct side {
	struct lwp	*l;
	int		fd;		/* where to write */
	bool		efd;		/* an eventfd: write a counter */
	long		result;
};

static void *
delayed_write(void *arg)
{
	struct side *s = arg;
	uint64_t one = 1;

	s->result = s->efd ? helper_write_later(s->l, s->fd, &one, 8) :
	    helper_write_later(s->l, s->fd, "wake", 4);
	return NULL;
}

static void
finish(struct rump_kernel *k)
{
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static int
add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* One lwp sleeps in epoll_wait(-1); another writes to the pipe it watches. */
static void
wait_woken_by_pipe(void)
{
	static struct side s;
	struct rump_kernel *k = boot_proc();
	struct epoll_event ev[4];
	pthread_t t;
	int fds[2], ep;

	REQUIRE(k != NULL);
	REQUIRE((ep = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	CHECK_EQ(add(ep, fds[0], EPOLLIN | EPOLLET, 42), 0);
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 4, 0), 0);
	s.fd = fds[1];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 4, -1), 1);	/* sleeps */
	pthread_join(t, NULL);
	CHECK_EQ(s.result, 4);
	CHECK_EQ(ev[0].events, (uint32_t)EPOLLIN);
	CHECK_EQ(ev[0].data.u64, (uint64_t)42);
	finish(k);
}

/* The same through epoll_pwait on an eventfd. */
static void
pwait_woken_by_eventfd(void)
{
	static struct side s;
	struct rump_kernel *k = boot_proc();
	struct epoll_event ev[4];
	uint64_t mask = 0;
	pthread_t t;
	int efd, ep;

	REQUIRE(k != NULL);
	REQUIRE((ep = rump_sys_epoll_create(1)) >= 0);
	REQUIRE((efd = rump_sys_eventfd2(0, 0)) >= 0);
	CHECK_EQ(add(ep, efd, EPOLLIN, 7), 0);
	s.fd = efd;
	s.efd = true;
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_epoll_pwait(ep, ev, 4, 10000, &mask, 8), 1);
	pthread_join(t, NULL);
	CHECK_EQ(s.result, 8);
	CHECK_EQ(ev[0].events, (uint32_t)EPOLLIN);
	CHECK_EQ(ev[0].data.u64, (uint64_t)7);
	finish(k);
}

/* A sleeper on the outer instance, woken through the inner one. */
static void
nested_wait_woken(void)
{
	static struct side s;
	struct rump_kernel *k = boot_proc();
	struct epoll_event ev[4];
	pthread_t t;
	int fds[2], outer, inner;

	REQUIRE(k != NULL);
	REQUIRE((outer = rump_sys_epoll_create1(EPOLL_CLOEXEC)) >= 0);
	REQUIRE((inner = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	CHECK_EQ(add(inner, fds[0], EPOLLIN, 1), 0);
	CHECK_EQ(add(outer, inner, EPOLLIN | EPOLLET, 2), 0);
	s.fd = fds[1];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_epoll_wait(outer, ev, 4, -1), 1);
	pthread_join(t, NULL);
	CHECK_EQ(ev[0].data.u64, (uint64_t)2);
	CHECK_EQ(rump_sys_epoll_wait(inner, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, (uint64_t)1);
	finish(k);
}

/* poll(2) asleep on an instance: its readiness wakes the poller. */
static void
poll_on_instance_woken(void)
{
	static struct side s;
	struct rump_kernel *k = boot_proc();
	struct pollfd pfd;
	pthread_t t;
	int fds[2], ep;

	REQUIRE(k != NULL);
	REQUIRE((ep = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	CHECK_EQ(add(ep, fds[0], EPOLLIN, 1), 0);
	pfd.fd = ep;
	pfd.events = POLLIN;
	s.fd = fds[1];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_poll(&pfd, 1, -1), 1);
	pthread_join(t, NULL);
	CHECK_EQ(pfd.revents, POLLIN);
	finish(k);
}

/* An event-loop lwp: EAGAIN where it would sleep, answers where it need not. */
static void
nosleep_gets_eagain(void)
{
	struct rump_kernel *k = boot_proc();
	struct epoll_event ev[2];
	int fds[2], ep;

	REQUIRE(k != NULL);
	REQUIRE((ep = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	CHECK_EQ(add(ep, fds[0], EPOLLIN, 1), 0);
	rump_lwproc_nosleep(1);
	errno = 0;
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 2, -1), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 2, 100), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 2, 0), 0);
	CHECK_EQ(rump_sys_write(fds[1], "x", 1), 1);
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 2, -1), 1);
	rump_lwproc_nosleep(0);
	/* a timeout passes with nothing ready */
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 2, 0), 1);
	char c;
	CHECK_EQ(rump_sys_read(fds[0], &c, 1), 1);
	CHECK_EQ(rump_sys_epoll_wait(ep, ev, 2, 5), 0);
	finish(k);
}

/*
 * Churn: one lwp waits with short timeouts on an instance while another
 * adds, writes to, modifies, deletes and closes pipes under it, and closes
 * descriptors whose entries are then dropped with their files.  It must
 * end, leak nothing (the sanitizers watch), and the instance must still
 * report a ready pipe afterwards; how much the waiter saw during the churn
 * depends on scheduling and is only printed.
 */
struct churn {
	struct lwp	*l;
	int		ep;
	atomic_bool	stop;
	long		reports;
	int		last;	/* the wait after stop */
};

static void *
churn_waiter(void *arg)
{
	struct churn *c = arg;
	struct epoll_event ev[8];

	rump_lwproc_switch(c->l);
	while (!atomic_load(&c->stop)) {
		int n = rump_sys_epoll_wait(c->ep, ev, 8, 1);

		if (n > 0)
			c->reports += n;
	}
	/* a last wait without a timeout: a ready pipe was left registered */
	c->last = rump_sys_epoll_wait(c->ep, ev, 8, -1);
	rump_lwproc_releaselwp();
	return NULL;
}

static void
churn_while_waiting(void)
{
	static struct churn c;
	struct rump_kernel *k = boot_proc();
	struct epoll_event ev = { .events = EPOLLIN };
	pthread_t t;
	int inner;

	REQUIRE(k != NULL);
	REQUIRE((c.ep = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE((inner = rump_sys_epoll_create1(0)) >= 0);
	CHECK_EQ(add(c.ep, inner, EPOLLIN, 99), 0);
	REQUIRE((c.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, churn_waiter, &c);
	for (int i = 0; i < 2000; i++) {
		int fds[2], d;

		REQUIRE(rump_sys_pipe2(fds, O_NONBLOCK) == 0);
		CHECK_EQ(add(i & 1 ? c.ep : inner, fds[0],
		    i & 2 ? EPOLLIN | EPOLLET : EPOLLIN, (uint64_t)i), 0);
		CHECK_EQ(add(c.ep, fds[1], EPOLLOUT | EPOLLONESHOT, 0), 0);
		d = rump_sys_dup(fds[0]);
		CHECK_EQ(rump_sys_write(fds[1], "x", 1), 1);
		ev.events = EPOLLIN | EPOLLOUT;
		if (i & 4)
			CHECK_EQ(rump_sys_epoll_ctl(c.ep, EPOLL_CTL_MOD,
			    fds[1], &ev), 0);
		rump_sys_close(fds[0]);		/* the dup keeps the entry */
		if (i & 8)
			rump_sys_epoll_ctl(c.ep, EPOLL_CTL_DEL, fds[1], NULL);
		rump_sys_close(fds[1]);
		rump_sys_close(d);		/* now it goes */
	}
	/* whatever the churn showed the waiter, the instance still reports */
	{
		int fds[2];

		REQUIRE(rump_sys_pipe2(fds, O_NONBLOCK) == 0);
		CHECK_EQ(rump_sys_write(fds[1], "x", 1), 1);
		CHECK_EQ(add(c.ep, fds[0], EPOLLIN, 12345), 0);
		atomic_store(&c.stop, true);
		pthread_join(t, NULL);
		CHECK(c.last >= 1);
		rump_sys_close(fds[0]);
		rump_sys_close(fds[1]);
	}
	printf("# %ld reports during the churn\n", c.reports);
	rump_sys_close(inner);
	finish(k);
}

/* Halting with instances open, nested and watching live pipes. */
static void
halt_with_instances(void)
{
	struct rump_kernel *k = boot_proc();
	int fds[2], a, b;

	REQUIRE(k != NULL);
	REQUIRE((a = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE((b = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	CHECK_EQ(add(b, fds[0], EPOLLIN, 1), 0);
	CHECK_EQ(add(b, fds[1], EPOLLOUT, 2), 0);
	CHECK_EQ(add(a, b, EPOLLIN, 3), 0);
	CHECK_EQ(add(a, fds[1], EPOLLOUT, 4), 0);
	finish(k);
}

TESTS(
	T(wait_woken_by_pipe),
	T(pwait_woken_by_eventfd),
	T(nested_wait_woken),
	T(poll_on_instance_woken),
	T(nosleep_gets_eagain),
	T(churn_while_waiting),
	T(halt_with_instances),
)

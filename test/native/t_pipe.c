/*
 * Pipes and FIFOs across threads: a blocked reader woken by a writer, a
 * blocked writer by a reader, poll by a write, a FIFO open by the other
 * side's open, and PIPE_BUF-sized writes from many writers never interleaved.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "lwp_helper.h"

struct side {
	struct rump_kernel *k;
	struct lwp	*l;
	int		fd;
	long		result;
	char		buf[256 * 1024];
};

static void *
delayed_write(void *arg)
{
	struct side *s = arg;

	s->result = helper_write_later(s->l, s->fd, "wake", 4);
	return NULL;
}

static void
blocked_reader_woken(void)
{
	static struct side s;
	struct rump_kernel *k = rump_kernel_boot(NULL);
	pthread_t t;
	int fds[2];
	char buf[8];

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	s.fd = fds[1];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_read(fds[0], buf, sizeof(buf)), 4);	/* sleeps */
	pthread_join(t, NULL);
	CHECK_EQ(s.result, 4);
	CHECK(memcmp(buf, "wake", 4) == 0);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void *
delayed_drain(void *arg)
{
	struct side *s = arg;
	long got = 0, n;

	rump_lwproc_switch(s->l);
	usleep(20000);
	while (got < (long)sizeof(s->buf) &&
	    (n = rump_sys_read(s->fd, s->buf, sizeof(s->buf))) > 0)
		got += n;
	s->result = got;
	rump_lwproc_releaselwp();
	return NULL;
}

static void
blocked_writer_woken(void)
{
	static struct side s;
	static char data[256 * 1024];
	struct rump_kernel *k = rump_kernel_boot(NULL);
	pthread_t t;
	int fds[2];

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	s.fd = fds[0];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_drain, &s);
	/* four times what the pipe holds: the writer sleeps until drained */
	CHECK_EQ(rump_sys_write(fds[1], data, sizeof(data)), (long)sizeof(data));
	pthread_join(t, NULL);
	CHECK_EQ(s.result, (long)sizeof(data));
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
poll_woken_by_write(void)
{
	static struct side s;
	struct rump_kernel *k = rump_kernel_boot(NULL);
	struct pollfd pfd;
	pthread_t t;
	int fds[2];

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	s.fd = fds[1];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);	/* woken well before */
	CHECK(pfd.revents & POLLIN);
	pthread_join(t, NULL);
	pfd.revents = 0;
	CHECK_EQ(rump_sys_poll(&pfd, 1, 0), 1);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void *
fifo_writer(void *arg)
{
	struct side *s = arg;
	int fd;

	rump_lwproc_switch(s->l);
	usleep(20000);
	fd = rump_sys_open("/fifo", O_WRONLY, 0);	/* a reader waits: no sleep */
	s->result = fd >= 0 ? rump_sys_write(fd, "fifo", 4) : -errno;
	if (fd >= 0)
		rump_sys_close(fd);
	rump_lwproc_releaselwp();
	return NULL;
}

static void
fifo_open_waits_for_writer(void)
{
	static struct side s;
	struct rump_kernel *k = rump_kernel_boot(NULL);
	pthread_t t;
	char buf[8];
	int fd;

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	REQUIRE(rump_sys_mknod("/fifo", S_IFIFO | 0600, 0) == 0);
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, fifo_writer, &s);
	fd = rump_sys_open("/fifo", O_RDONLY, 0);	/* sleeps for the writer */
	CHECK(fd >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 4);
	pthread_join(t, NULL);
	CHECK_EQ(s.result, 4);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 0);	/* writer gone */
	rump_sys_close(fd);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* Four writers of PIPE_BUF-sized records: each record arrives whole. */
struct writer {
	struct lwp	*l;
	int		fd;
	char		tag;
};

static void *
record_writer(void *arg)
{
	struct writer *w = arg;
	char rec[4096];

	rump_lwproc_switch(w->l);
	memset(rec, w->tag, sizeof(rec));
	for (int i = 0; i < 64; i++)
		rump_sys_write(w->fd, rec, sizeof(rec));
	rump_lwproc_releaselwp();
	return NULL;
}

static void
pipe_buf_atomic(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);
	static char rec[4096];
	struct writer w[4];
	pthread_t t[4];
	int fds[2], bad = 0, total = 0;

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	REQUIRE(rump_sys_pipe(fds) == 0);
	for (int i = 0; i < 4; i++) {
		w[i].fd = fds[1];
		w[i].tag = (char)('a' + i);
		REQUIRE((w[i].l = helper_lwp(rump_lwproc_getpid())) != NULL);
		pthread_create(&t[i], NULL, record_writer, &w[i]);
	}
	for (int r = 0; r < 4 * 64; r++) {
		long got = 0, n;

		/* read exactly one record's worth, in pieces if need be */
		while (got < (long)sizeof(rec) &&
		    (n = rump_sys_read(fds[0], rec + got, sizeof(rec) - (size_t)got)) > 0)
			got += n;
		for (size_t i = 1; i < sizeof(rec); i++)
			if (rec[i] != rec[0])
				bad++;
		total++;
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(total, 256);
	CHECK_EQ(bad, 0);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

TESTS(
	T(blocked_reader_woken),
	T(blocked_writer_woken),
	T(poll_woken_by_write),
	T(fifo_open_waits_for_writer),
	T(pipe_buf_atomic),
)

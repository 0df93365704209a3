/* The hypercall layer on its own: memory, threads, locks, clocks, files. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/uio.h>

#include <rump/rumpuser.h>

#include "harness.h"

static void
memory(void)
{
	void *p = NULL, *q = NULL;

	CHECK_EQ(rumpuser_malloc(100, 0, &p), 0);
	CHECK(p != NULL);
	memset(p, 1, 100);
	CHECK_EQ(rumpuser_malloc(64, 4096, &q), 0);
	CHECK_EQ((uintptr_t)q % 4096, 0);
	rumpuser_free(p, 100);
	rumpuser_free(q, 64);
	CHECK_EQ(rumpuser_malloc((size_t)1 << 62, 0, &p), ENOMEM);
}

struct shared {
	struct rumpuser_mtx *m;
	struct rumpuser_cv *cv;
	struct rumpuser_rw *rw;
	int count;
	int ready;
};

static void *
adder(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < 10000; i++) {
		rumpuser_mutex_enter(s->m);
		s->count++;
		rumpuser_mutex_exit(s->m);
	}
	rumpuser_mutex_enter(s->m);
	s->ready++;
	rumpuser_cv_broadcast(s->cv);
	rumpuser_mutex_exit(s->m);
	return NULL;
}

static void
threads_and_locks(void)
{
	struct shared s = { 0 };
	struct rumpuser_thread *t[3];

	REQUIRE(rumpuser_mutex_init(&s.m) == 0);
	REQUIRE(rumpuser_cv_init(&s.cv) == 0);
	for (int i = 0; i < 3; i++)
		REQUIRE(rumpuser_thread_create(adder, &s, "adder", &t[i]) == 0);
	rumpuser_mutex_enter(s.m);
	while (s.ready < 3)
		rumpuser_cv_wait(s.cv, s.m);
	rumpuser_mutex_exit(s.m);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(rumpuser_thread_join(t[i]), 0);
	CHECK_EQ(s.count, 30000);
	CHECK_EQ(rumpuser_mutex_tryenter(s.m), 0);
	rumpuser_mutex_exit(s.m);
	rumpuser_cv_destroy(s.cv);
	rumpuser_mutex_destroy(s.m);
}

static void
rwlocks(void)
{
	struct rumpuser_rw *rw;

	REQUIRE(rumpuser_rw_init(&rw) == 0);
	rumpuser_rw_enter(rw, RUMPUSER_RW_READER);
	CHECK_EQ(rumpuser_rw_tryenter(rw, RUMPUSER_RW_READER), 0);
	CHECK_EQ(rumpuser_rw_tryenter(rw, RUMPUSER_RW_WRITER), EBUSY);
	rumpuser_rw_exit(rw);
	rumpuser_rw_exit(rw);
	CHECK_EQ(rumpuser_rw_tryenter(rw, RUMPUSER_RW_WRITER), 0);
	CHECK_EQ(rumpuser_rw_tryenter(rw, RUMPUSER_RW_READER), EBUSY);
	rumpuser_rw_exit(rw);
	rumpuser_rw_destroy(rw);
}

static void
timed_wait_times_out(void)
{
	struct rumpuser_mtx *m;
	struct rumpuser_cv *cv;
	int64_t s0, s1;
	long n0, n1;

	REQUIRE(rumpuser_mutex_init(&m) == 0);
	REQUIRE(rumpuser_cv_init(&cv) == 0);
	rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s0, &n0);
	rumpuser_mutex_enter(m);
	CHECK_EQ(rumpuser_cv_timedwait(cv, m, 0, 20000000), ETIMEDOUT);
	rumpuser_mutex_exit(m);
	rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s1, &n1);
	CHECK((s1 - s0) * 1000000000 + (n1 - n0) >= 20000000);
	rumpuser_cv_destroy(cv);
	rumpuser_mutex_destroy(m);
}

static void
clocks(void)
{
	int64_t s0, s1, w;
	long n0, n1, wn;

	CHECK_EQ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s0, &n0), 0);
	CHECK_EQ(rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 0, 5000000), 0);
	CHECK_EQ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s1, &n1), 0);
	CHECK((s1 - s0) * 1000000000 + (n1 - n0) >= 5000000);
	/* sleep until an instant already passed returns at once */
	CHECK_EQ(rumpuser_clock_sleep(RUMPUSER_CLOCK_ABSMONO, s0, n0), 0);
	CHECK_EQ(rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &w, &wn), 0);
	CHECK(w > 1700000000);	/* a wall clock, in seconds since 1970 */
	CHECK(wn >= 0 && wn < 1000000000);
}

static void
random_bytes(void)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };
	size_t n = 0;

	CHECK_EQ(rumpuser_getrandom(a, sizeof(a), 0, &n), 0);
	CHECK_EQ(n, sizeof(a));
	CHECK_EQ(rumpuser_getrandom(b, sizeof(b), RUMPUSER_RANDOM_NOWAIT, &n), 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static void
host_files(void)
{
	char path[] = "/tmp/rumpuser-XXXXXX";
	char buf[16] = { 0 };
	struct iovec iov[2];
	uint64_t size;
	size_t n;
	int fd, type, tmp;

	tmp = mkstemp(path);
	REQUIRE(tmp >= 0);
	close(tmp);
	REQUIRE(rumpuser_open(path, RUMPUSER_OPEN_RDWR, &fd) == 0);
	iov[0].iov_base = "hello, ";
	iov[0].iov_len = 7;
	iov[1].iov_base = "disk";
	iov[1].iov_len = 4;
	CHECK_EQ(rumpuser_iovwrite(fd, iov, 2, 4096, &n), 0);
	CHECK_EQ(n, 11);
	CHECK_EQ(rumpuser_syncfd(fd, RUMPUSER_SYNC_ALL), 0);
	CHECK_EQ(rumpuser_syncfd(fd, RUMPUSER_SYNC_DATA), 0);
	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	CHECK_EQ(rumpuser_iovread(fd, iov, 1, 4096, &n), 0);
	CHECK_EQ(n, 11);
	CHECK(memcmp(buf, "hello, disk", 11) == 0);
	CHECK_EQ(rumpuser_iovread(fd, iov, 1, 1 << 20, &n), 0);
	CHECK_EQ(n, 0);		/* past the end */
	CHECK_EQ(rumpuser_getfileinfo(path, &size, &type), 0);
	CHECK_EQ(size, 4096 + 11);
	CHECK_EQ(type, RUMPUSER_FT_REG);
	CHECK_EQ(rumpuser_getfileinfo("/tmp", &size, &type), 0);
	CHECK_EQ(type, RUMPUSER_FT_DIR);
	CHECK_EQ(rumpuser_close(fd), 0);
	CHECK_EQ(rumpuser_open(path, RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL |
	    RUMPUSER_OPEN_RDWR, &fd), EEXIST);
	CHECK_EQ(rumpuser_open(path, 3, &fd), EINVAL);
	unlink(path);
	CHECK_EQ(rumpuser_open(path, RUMPUSER_OPEN_RDONLY, &fd), ENOENT);
	CHECK_EQ(rumpuser_getfileinfo(path, &size, &type), ENOENT);
	CHECK_EQ(rumpuser_close(-1), EBADF);
}

static int hooked;

static void
hook(void *arg, const char *line, size_t len)
{
	hooked = (int)len + (arg == &hooked);
	(void)line;
}

static void
console_and_errno(void)
{
	rumpuser_console_write(hook, &hooked, "abc", 3);
	CHECK_EQ(hooked, 4);
	rumpuser_console_write(NULL, NULL, "abc", 3);	/* no hook: dropped */
	rumpuser_seterrno(EXDEV);
	CHECK_EQ(errno, EXDEV);
}

TESTS(
	T(memory),
	T(threads_and_locks),
	T(rwlocks),
	T(timed_wait_times_out),
	T(clocks),
	T(random_bytes),
	T(host_files),
	T(console_and_errno),
)

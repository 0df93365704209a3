/* Booting and halting kernels; many kernels; memory limits; the console. */
#include <pthread.h>
#include <sys/eventfd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

static void
boot_and_halt(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);
	struct rump_kernel_stats st;

	REQUIRE(k != NULL);
	rump_kernel_stats(k, &st);
	CHECK_EQ(st.nprocs, 1);
	CHECK_EQ(st.memlimit, RUMP_DEFAULT_MEMLIMIT);
	CHECK(st.memused > 0);
	CHECK_EQ(rump_kernel_enter(k), 0);
	CHECK(rump_kernel_current() == k);
	CHECK_EQ(rump_sys_getpid(), 1);
	CHECK_EQ(rump_sys_getppid(), 0);
	CHECK_EQ(rump_sys_getuid(), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK(rump_kernel_current() == NULL);
}

/* With no kernel bound and no default kernel, calls fail cleanly. */
static void *
unbound_thread(void *arg)
{
	int *res = arg;

	errno = 0;
	res[0] = rump_sys_getpid();
	res[1] = errno;
	return NULL;
}

static void
unbound_call_fails(void)
{
	pthread_t t;
	int res[2];

	REQUIRE(rump_default_kernel() == NULL);
	pthread_create(&t, NULL, unbound_thread, res);
	pthread_join(t, NULL);
	CHECK_EQ(res[0], -1);
	CHECK_EQ(res[1], ENXIO);
}

/* Ten thousand kernels at once, each with its own identity and files. */
#define NKERN 10000
static void
ten_thousand_kernels(void)
{
	static struct rump_kernel *ks[NKERN];
	int i, bad = 0;

	for (i = 0; i < NKERN; i++) {
		ks[i] = rump_kernel_boot(NULL);
		REQUIRE(ks[i] != NULL);
		rump_kernel_enter(ks[i]);
		if (rump_sys_setresuid(i, i, i) != 0)
			bad++;
		/* kernel i has i % 3 eventfds */
		for (int j = 0; j < i % 3; j++)
			if (rump_sys_eventfd2((unsigned)i, EFD_NONBLOCK) != j)
				bad++;
	}
	CHECK_EQ(bad, 0);
	for (i = 0; i < NKERN; i++) {
		uint64_t v = 0;

		rump_kernel_enter(ks[i]);
		if (rump_sys_getpid() != 1 || rump_sys_geteuid() != (uid_t)i)
			bad++;
		/* descriptor i % 3 must not exist; the ones below it must */
		errno = 0;
		if (rump_sys_read(i % 3, &v, sizeof(v)) != -1 || errno != EBADF)
			bad++;
		if (i % 3 > 0 && (rump_sys_read(0, &v, sizeof(v)) != 8 ||
		    v != (uint64_t)i))
			bad++;
	}
	CHECK_EQ(bad, 0);
	rump_kernel_leave();
	for (i = 0; i < NKERN; i++)
		if (rump_kernel_halt(ks[i]) != 0)
			bad++;
	CHECK_EQ(bad, 0);
}

/* Exceeding the memory limit gives ENOMEM, and the kernel stays usable. */
static void
memory_limit(void)
{
	struct rump_config cfg = { .memlimit = 16384, .maxfiles = 100000,
	    .maxfiles_hard = 100000 };
	struct rump_kernel *k = rump_kernel_boot(&cfg);
	struct rump_kernel_stats st;
	int n = 0, fd;

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	while ((fd = rump_sys_eventfd2(0, 0)) >= 0)
		n++;
	CHECK_EQ(errno, ENOMEM);
	CHECK(n > 10);
	rump_kernel_stats(k, &st);
	CHECK(st.memused <= 16384);
	for (int i = 0; i < n; i++)
		CHECK_EQ(rump_sys_close(i), 0);
	CHECK(rump_sys_eventfd2(0, 0) == 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
tiny_memory_limit_fails_boot(void)
{
	struct rump_config cfg = { .memlimit = 64 };
	struct rump_kernel *k;

	errno = 0;
	k = rump_kernel_boot(&cfg);
	CHECK(k == NULL);
	CHECK_EQ(errno, ENOMEM);
}

static void
hostname_too_long(void)
{
	char name[100];
	struct rump_config cfg = { .hostname = name };

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	errno = 0;
	CHECK(rump_kernel_boot(&cfg) == NULL);
	CHECK_EQ(errno, ENAMETOOLONG);
}

struct lines {
	int n;
	char first[256];
	char last[256];
};

static void
collect(void *arg, const char *line, size_t len)
{
	struct lines *l = arg;
	char *dst = l->n++ == 0 ? l->first : l->last;

	if (len >= sizeof(l->first))
		len = sizeof(l->first) - 1;
	memcpy(dst, line, len);
	dst[len] = '\0';
}

static void
console_lines(void)
{
	struct lines l = { 0 };
	struct rump_config cfg = { .hostname = "box", .console = collect,
	    .console_arg = &l };
	struct rump_kernel *k = rump_kernel_boot(&cfg);

	REQUIRE(k != NULL);
	CHECK_EQ(l.n, 1);
	CHECK(strstr(l.first, "booted") != NULL);
	CHECK(strstr(l.first, "host box") != NULL);
	CHECK(strstr(l.first, "262144 KiB") != NULL);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(l.n, 2);
	CHECK(strcmp(l.last, "halted") == 0);
}

/* rump_init: one default kernel, used by threads bound to none. */
static void *
default_thread(void *arg)
{
	int *res = arg;

	res[0] = rump_sys_getpid();
	res[1] = rump_kernel_current() == rump_default_kernel();
	rump_kernel_leave();
	return NULL;
}

static void
default_kernel(void)
{
	pthread_t t;
	int res[2] = { 0, 0 };

	REQUIRE(rump_init() == 0);
	REQUIRE(rump_default_kernel() != NULL);
	CHECK_EQ(rump_init(), 0);	/* idempotent */
	CHECK_EQ(rump_sys_getpid(), 1);
	pthread_create(&t, NULL, default_thread, res);
	pthread_join(t, NULL);
	CHECK_EQ(res[0], 1);
	CHECK_EQ(res[1], 1);
	CHECK_EQ(rump_kernel_halt(rump_default_kernel()), 0);
	CHECK(rump_default_kernel() == NULL);
}

/* Kernels halted in any order, from other threads than booted them. */
static void *
halt_thread(void *arg)
{
	return (void *)(intptr_t)rump_kernel_halt(arg);
}

static void
halt_from_other_thread(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);
	pthread_t t;
	void *rv;

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	CHECK(rump_sys_eventfd2(1, 0) == 0);
	rump_kernel_leave();
	pthread_create(&t, NULL, halt_thread, k);
	pthread_join(t, &rv);
	CHECK_EQ((intptr_t)rv, 0);
}

TESTS(
	T(boot_and_halt),
	T(unbound_call_fails),
	T(ten_thousand_kernels),
	T(memory_limit),
	T(tiny_memory_limit_fails_boot),
	T(hostname_too_long),
	T(console_lines),
	T(default_kernel),
	T(halt_from_other_thread),
)

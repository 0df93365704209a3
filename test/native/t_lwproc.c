/* Processes and lwps: rfork's descriptor-table modes, parents, threads. */
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

static struct rump_kernel *
boot(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);

	if (k != NULL)
		rump_kernel_enter(k);
	return k;
}

static uint64_t
readval(int fd)
{
	uint64_t v = 0;

	if (rump_sys_read(fd, &v, sizeof(v)) != sizeof(v))
		return UINT64_MAX;
	return v;
}

static int
writeval(int fd, uint64_t v)
{
	return rump_sys_write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static void
rfork_copy(void)
{
	struct rump_kernel *k = boot();
	struct lwp *parent;
	int fd;

	REQUIRE(k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	parent = rump_lwproc_curlwp();
	fd = rump_sys_eventfd2(0, EFD_NONBLOCK);
	REQUIRE(fd == 0);
	REQUIRE(rump_lwproc_rfork(RUMP_RFFDG) == 0);
	CHECK_EQ(rump_sys_getppid(), 2);
	CHECK_EQ(rump_sys_getpid(), 3);
	/* same open file: what the child writes, the parent reads */
	CHECK_EQ(writeval(fd, 5), 0);
	CHECK_EQ(rump_sys_close(fd), 0);
	CHECK_ERR(rump_sys_close(fd), EBADF);
	rump_lwproc_switch(parent);
	CHECK_EQ(readval(fd), 5);	/* the parent's descriptor survived */
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
rfork_share(void)
{
	struct rump_kernel *k = boot();
	struct lwp *parent;
	int fd;

	REQUIRE(k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	parent = rump_lwproc_curlwp();
	fd = rump_sys_eventfd2(0, 0);
	REQUIRE(fd == 0);
	REQUIRE(rump_lwproc_rfork(0) == 0);
	CHECK_EQ(rump_sys_close(fd), 0);
	CHECK_EQ(rump_sys_eventfd2(0, 0), 0);	/* reuses the slot */
	rump_lwproc_switch(parent);
	/* the parent sees the child's new eventfd, not its old one */
	CHECK_EQ(rump_sys_dup(0), 1);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
rfork_clean(void)
{
	struct rump_kernel *k = boot();
	uint64_t v;

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_eventfd2(0, 0) == 0);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	CHECK_ERR(rump_sys_read(0, &v, sizeof(v)), EBADF);
	CHECK_EQ(rump_sys_eventfd2(0, 0), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
rfork_bad_flags(void)
{
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	CHECK_EQ(rump_lwproc_rfork(RUMP_RFFDG | RUMP_RFCFDG), EINVAL);
	CHECK_EQ(rump_lwproc_rfork(0x1000), EINVAL);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* A child inherits credentials and umask; changes stay its own. */
static void
rfork_inherits_identity(void)
{
	struct rump_kernel *k = boot();
	struct lwp *parent;

	REQUIRE(k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	parent = rump_lwproc_curlwp();
	REQUIRE(rump_sys_setresgid(50, 50, 50) == 0);
	REQUIRE(rump_sys_setresuid(100, 100, 100) == 0);
	rump_sys_umask(077);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	CHECK_EQ(rump_sys_getuid(), 100);
	CHECK_EQ(rump_sys_getegid(), 50);
	CHECK_EQ(rump_sys_umask(0), 077);
	rump_lwproc_switch(parent);
	CHECK_EQ(rump_sys_umask(022), 077);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* When a parent exits, pid 1 adopts its children. */
static void
orphans_go_to_pid1(void)
{
	struct rump_kernel *k = boot();
	struct rump_kernel_stats st;
	struct lwp *parent, *child;

	REQUIRE(k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	parent = rump_lwproc_curlwp();
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	child = rump_lwproc_curlwp();
	CHECK_EQ(rump_sys_getppid(), 2);
	rump_lwproc_switch(parent);
	rump_lwproc_releaselwp();
	CHECK(rump_lwproc_curlwp() == NULL);
	rump_kernel_stats(k, &st);
	CHECK_EQ(st.nprocs, 2);
	rump_lwproc_switch(child);
	CHECK_EQ(rump_sys_getppid(), 1);
	rump_lwproc_releaselwp();
	rump_kernel_stats(k, &st);
	CHECK_EQ(st.nprocs, 1);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
newlwp(void)
{
	struct rump_kernel *k = boot();
	struct rump_kernel_stats st;
	struct lwp *first;

	REQUIRE(k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	first = rump_lwproc_curlwp();
	REQUIRE(rump_sys_eventfd2(7, 0) == 0);
	CHECK_EQ(rump_lwproc_newlwp(rump_lwproc_getpid()), 0);
	CHECK(rump_lwproc_curlwp() != first);
	CHECK_EQ(rump_sys_getpid(), 2);
	CHECK_EQ(readval(0), 7);	/* same process, same table */
	rump_lwproc_releaselwp();	/* not the last lwp: the process lives */
	rump_kernel_stats(k, &st);
	CHECK_EQ(st.nprocs, 2);
	rump_lwproc_switch(first);
	CHECK_EQ(rump_sys_getpid(), 2);
	CHECK_EQ(rump_lwproc_newlwp(999), ESRCH);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* One thread, two kernels: switching lwps switches kernels. */
static void
switch_between_kernels(void)
{
	struct rump_kernel *k1 = boot(), *k2;
	struct lwp *l1, *l2;

	REQUIRE(k1 != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	l1 = rump_lwproc_curlwp();
	REQUIRE(rump_sys_setuid(11) == 0);
	k2 = boot();
	REQUIRE(k2 != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	l2 = rump_lwproc_curlwp();
	REQUIRE(rump_sys_setuid(22) == 0);
	for (int i = 0; i < 100; i++) {
		rump_lwproc_switch(i % 2 ? l1 : l2);
		CHECK_EQ(rump_sys_getuid(), i % 2 ? 11 : 22);
		CHECK(rump_kernel_current() == (i % 2 ? k1 : k2));
	}
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k1), 0);
	CHECK_EQ(rump_kernel_halt(k2), 0);
}

/* A reader blocked on an empty eventfd is woken by a writer thread. */
struct wake {
	struct rump_kernel *k;
	struct lwp *l;
	int fd;
	uint64_t got;
};

static void *
blocked_reader(void *arg)
{
	struct wake *w = arg;

	rump_lwproc_switch(w->l);
	w->got = readval(w->fd);
	rump_lwproc_releaselwp();
	return NULL;
}

static void
blocking_read_woken_by_writer(void)
{
	struct wake w;
	pthread_t t;

	w.k = boot();
	REQUIRE(w.k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	w.fd = rump_sys_eventfd2(0, 0);
	REQUIRE(w.fd == 0);
	/* the reader thread gets an lwp of its own in the same process */
	REQUIRE(rump_lwproc_newlwp(rump_lwproc_getpid()) == 0);
	w.l = rump_lwproc_curlwp();
	rump_lwproc_switch(NULL);	/* leave it to the reader */
	REQUIRE(rump_kernel_enter(w.k) == 0);
	pthread_create(&t, NULL, blocked_reader, &w);
	usleep(20000);	/* let it block (correct without the sleep too) */
	REQUIRE(rump_lwproc_newlwp(2) == 0);
	CHECK_EQ(writeval(w.fd, 42), 0);
	pthread_join(t, NULL);
	CHECK_EQ(w.got, 42);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(w.k), 0);
}

/* Many threads hammering one process's descriptor table. */
struct churn {
	struct rump_kernel *k;
	int bad;
};

static void *
churn_thread(void *arg)
{
	struct churn *c = arg;

	rump_kernel_enter(c->k);
	if (rump_lwproc_newlwp(2) != 0) {
		c->bad++;
		return NULL;
	}
	for (int i = 0; i < 2000; i++) {
		int fd = rump_sys_eventfd2(1, EFD_NONBLOCK), fd2;

		if (fd < 0 || (fd2 = rump_sys_dup(fd)) < 0 ||
		    readval(fd2) != 1 || rump_sys_close(fd) != 0 ||
		    rump_sys_close(fd2) != 0)
			__atomic_add_fetch(&c->bad, 1, __ATOMIC_RELAXED);
	}
	rump_lwproc_releaselwp();
	return NULL;
}

static void
threads_share_a_table(void)
{
	struct churn c = { boot(), 0 };
	pthread_t t[4];
	struct rump_kernel_stats st;

	REQUIRE(c.k != NULL);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, churn_thread, &c);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(c.bad, 0);
	rump_kernel_stats(c.k, &st);
	CHECK_EQ(st.nlwps, 1);
	CHECK_EQ(rump_sys_eventfd2(0, 0), 0);	/* every slot came back */
	CHECK_EQ(rump_kernel_halt(c.k), 0);
}

/* The RLIMIT_NOFILE limit bounds the table. */
static void
nofile_limit(void)
{
	struct rump_config cfg = { .maxfiles = 8, .maxfiles_hard = 16 };
	struct rump_kernel *k = rump_kernel_boot(&cfg);
	struct rlimit rl;
	int i;

	REQUIRE(k != NULL);
	rump_kernel_enter(k);
	for (i = 0; i < 8; i++)
		CHECK_EQ(rump_sys_eventfd2(0, 0), i);
	CHECK_ERR(rump_sys_eventfd2(0, 0), EMFILE);
	CHECK_ERR(rump_sys_dup(0), EMFILE);
	CHECK_ERR(rump_sys_dup2(0, 8), EBADF);
	rl.rlim_cur = 12;
	rl.rlim_max = 16;
	CHECK_EQ(rump_sys_setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK_EQ(rump_sys_dup2(0, 11), 11);
	CHECK_EQ(rump_sys_dup(0), 8);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

TESTS(
	T(rfork_copy),
	T(rfork_share),
	T(rfork_clean),
	T(rfork_bad_flags),
	T(rfork_inherits_identity),
	T(orphans_go_to_pid1),
	T(newlwp),
	T(switch_between_kernels),
	T(blocking_read_woken_by_writer),
	T(threads_share_a_table),
	T(nofile_limit),
)

/*
 * Differential tests against Linux: identities (setuid and friends,
 * groups), umask, resource limits, eventfd and descriptor calls, run by
 * the engine of posix_diff.h (a forked root process with real system calls,
 * then a fresh kernel process; results, errno and out-buffers compared call
 * by call).  Linux is the oracle.
 */
#include <sys/eventfd.h>

#include "posix_diff.h"

/* Both sides start from the same groups, umask and descriptor limit. */
static void
prep_common(struct ctx *ctx)
{
	struct rlimit rl = { 1024, 4096 };

	PREP(SYS_setgroups, 0, 0);
	PREP(SYS_umask, 022);
	PREP(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&rl);
}

static void
scen_setuid_unprivileged(struct ctx *ctx)
{
	prep_common(ctx);
	S(SYS_setresgid, 100, 100, 100);
	S(SYS_setresuid, 1000, 1001, 1002);
	SO(4, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setuid, 1001);		/* only the effective id: EPERM */
	S(SYS_setuid, 1002);		/* the saved id: allowed */
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setuid, 1000);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setuid, 0);
	S(SYS_setuid, -1);
	S(SYS_getuid);
	S(SYS_geteuid);
	S(SYS_getgid);
	S(SYS_getegid);
}

static void
scen_setuid_root(struct ctx *ctx)
{
	prep_common(ctx);
	S(SYS_setuid, 500);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setuid, 0);
	S(SYS_setgid, 0);
	S(SYS_setgroups, 0, 0);
}

static void
scen_setreuid(struct ctx *ctx)
{
	prep_common(ctx);
	S(SYS_setreuid, 1000, 2000);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setreuid, 2000, -1);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setreuid, -1, 1000);
	S(SYS_setreuid, 3000, -1);
	S(SYS_setreuid, -1, -1);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
}

static void
scen_setresuid(struct ctx *ctx)
{
	prep_common(ctx);
	S(SYS_setresuid, 1, 2, 3);
	S(SYS_setresuid, 3, 1, 2);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setresuid, 4, -1, -1);
	S(SYS_setresuid, -1, 4, -1);
	S(SYS_setresuid, -1, -1, -1);
	S(SYS_setresuid, 2, 2, 2);
	SO(12, SYS_getresuid, BUF, BUF + 4, BUF + 8);
	S(SYS_setresuid, 3, -1, -1);
}

static void
scen_groups(struct ctx *ctx)
{
	gid_t g[] = { 9, 3, 5, 3 };

	prep_common(ctx);
	S(SYS_setgroups, 4, (uintptr_t)g);
	S(SYS_getgroups, 0, 0);
	SO(16, SYS_getgroups, 2, BUF);
	SO(16, SYS_getgroups, 10, BUF);
	S(SYS_getgroups, -1, BUF);
	S(SYS_setgroups, -1, (uintptr_t)g);
	S(SYS_setgroups, 65537, (uintptr_t)g);
	S(SYS_setgroups, 1, 0);
	S(SYS_setgid, 77);
	SO(12, SYS_getresgid, BUF, BUF + 4, BUF + 8);
	S(SYS_setregid, 78, 79);
	SO(12, SYS_getresgid, BUF, BUF + 4, BUF + 8);
	S(SYS_setresuid, 1000, 1000, 1000);
	S(SYS_setgroups, 1, (uintptr_t)g);
	S(SYS_setgid, 78);
	S(SYS_setgid, 79);
	S(SYS_setgid, 77);
	S(SYS_setregid, -1, 78);
	S(SYS_setregid, 77, -1);
	SO(12, SYS_getresgid, BUF, BUF + 4, BUF + 8);
	S(SYS_setresgid, 79, 79, 79);
	S(SYS_setresgid, -1, -1, 5);
	SO(16, SYS_getgroups, 16, BUF);
}

static void
scen_umask(struct ctx *ctx)
{
	prep_common(ctx);
	S(SYS_umask, 01777);
	S(SYS_umask, 0);
	S(SYS_umask, -1);
	S(SYS_umask, 022);
}

static void
scen_rlimit(struct ctx *ctx)
{
	struct rlimit bad = { 5000, 4096 }, lower = { 100, 2000 },
	    huge = { 100, 2000000 }, raise = { 100, 3000 }, low2 = { 50, 1500 };

	prep_common(ctx);
	SO(16, SYS_getrlimit, RLIMIT_NOFILE, BUF);
	S(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&bad);
	S(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&lower);
	SO(16, SYS_getrlimit, RLIMIT_NOFILE, BUF);
	S(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&huge);
	S(SYS_getrlimit, 99, BUF);
	S(SYS_setrlimit, 99, (uintptr_t)&lower);
	S(SYS_getrlimit, RLIMIT_NOFILE, 0);
	SO(16, SYS_prlimit64, 0, RLIMIT_NOFILE, 0, BUF);
	S(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, 0);
	S(SYS_prlimit64, -5, RLIMIT_NOFILE, 0, BUF);
	S(SYS_setresuid, 1000, 1000, 1000);
	S(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&raise);
	S(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&low2);
	SO(16, SYS_prlimit64, 0, RLIMIT_NOFILE, (uintptr_t)&lower, BUF);
	SO(16, SYS_getrlimit, RLIMIT_NOFILE, BUF);
}

static void
scen_eventfd(struct ctx *ctx)
{
	uint64_t v;

	prep_common(ctx);
	S(SYS_eventfd2, 5, EFD_NONBLOCK);
	SO(8, SYS_read, 0, BUF, 8);
	S(SYS_read, 0, BUF, 8);
	v = UINT64_MAX;
	S(SYS_write, 0, (uintptr_t)&v, 8);
	v = UINT64_MAX - 1;
	S(SYS_write, 0, (uintptr_t)&v, 8);
	v = 1;
	S(SYS_write, 0, (uintptr_t)&v, 8);
	S(SYS_read, 0, BUF, 4);
	S(SYS_read, 0, BUF, 0);
	S(SYS_write, 0, (uintptr_t)&v, 4);
	SO(8, SYS_read, 0, BUF, 64);
	S(SYS_eventfd2, 0, EFD_SEMAPHORE | EFD_NONBLOCK);
	v = 3;
	S(SYS_write, 1, (uintptr_t)&v, 8);
	SO(8, SYS_read, 1, BUF, 8);
	SO(8, SYS_read, 1, BUF, 8);
	S(SYS_eventfd2, 0, 0x7);
	S(SYS_eventfd2, 0, EFD_CLOEXEC);
	S(SYS_fcntl, 2, F_GETFD);
	S(SYS_fcntl, 0, F_GETFL);
	S(SYS_fcntl, 2, F_GETFL);
	S(SYS_fcntl, 2, F_SETFL, O_NONBLOCK | O_APPEND);
	S(SYS_fcntl, 2, F_GETFL);
	S(SYS_fcntl, 2, F_SETFL, 0);
	S(SYS_fcntl, 2, F_GETFL);
}

static void
scen_descriptors(struct ctx *ctx)
{
	prep_common(ctx);
	S(SYS_eventfd2, 1, EFD_NONBLOCK);
	S(SYS_dup, 0);
	S(SYS_dup2, 0, 0);
	S(SYS_dup2, 0, 10);
	S(SYS_dup3, 0, 0, 0);
	S(SYS_dup3, 0, 11, O_CLOEXEC);
	S(SYS_dup3, 0, 12, O_NONBLOCK);
	S(SYS_fcntl, 11, F_GETFD);
	S(SYS_fcntl, 10, F_GETFD);
	S(SYS_fcntl, 10, F_SETFD, FD_CLOEXEC);
	S(SYS_fcntl, 10, F_GETFD);
	S(SYS_fcntl, 0, F_DUPFD, 5);
	S(SYS_fcntl, 0, F_DUPFD_CLOEXEC, 5);
	S(SYS_fcntl, 6, F_GETFD);
	S(SYS_fcntl, 0, F_DUPFD, 0);
	S(SYS_fcntl, 0, F_DUPFD, -1);
	S(SYS_fcntl, 0, F_DUPFD, 2000);
	S(SYS_close, 99);
	S(SYS_dup, 99);
	S(SYS_dup2, 99, 3);
	S(SYS_dup2, 0, -1);
	S(SYS_dup2, 0, 100000);
	S(SYS_fcntl, 0, 9999);
	S(SYS_fcntl, 99, F_GETFD);
	S(SYS_fcntl, 99, 9999);
	S(SYS_read, 99, BUF, 8);
	S(SYS_write, -1, BUF, 8);
	SO(8, SYS_read, 10, BUF, 8);	/* the same open file as 0 */
	S(SYS_read, 0, BUF, 8);		/* … so it is empty now */
	S(SYS_close, 0);
	S(SYS_read, 0, BUF, 8);
	S(SYS_dup, 1);
	S(SYS_close, 10);
	S(SYS_dup2, 11, 10);
	S(SYS_fcntl, 10, F_GETFD);
}

DIFF(setuid_unprivileged)
DIFF(setuid_root)
DIFF(setreuid)
DIFF(setresuid)
DIFF(groups)
DIFF(umask)
DIFF(rlimit)
DIFF(eventfd)
DIFF(descriptors)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_setuid_unprivileged),
	T(diff_setuid_root),
	T(diff_setreuid),
	T(diff_setresuid),
	T(diff_groups),
	T(diff_umask),
	T(diff_rlimit),
	T(diff_eventfd),
	T(diff_descriptors),
	T(totals),
)

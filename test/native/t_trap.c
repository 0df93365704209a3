/*
 * The Syscall User Dispatch trap (native/hijack/hj_trap.c), linked into
 * this program with a stand-in router: hj_syscall() below sends calls on
 * "/rump/..." paths and on descriptors from KOFF up to the process-wide
 * default kernel, everything else to the host.  The program issues raw
 * system calls (syscall(3), inline `syscall`, glibc's own internal calls)
 * with the selector at BLOCK, as a program under librumphijack runs, and
 * the kernel's view is checked afterwards with the selector at ALLOW.
 */
#include "harness.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <rump/rump.h>

#include "asm_syscall.h"
#include "hijack.h"

#define KOFF		1000	/* kernel descriptors, as the router numbers them */
#define MAGIC_NR	1000	/* no such host call: answered by the router only */
#define MAGIC_RET	4242

extern char **environ;

/* ------------------------------------------------ the stand-in router */

#include "trap_router.h"

static long
kcall(long nr, long a0, long a1, long a2, long a3)
{
	long args[6] = { a0, a1, a2, a3, 0, 0 }, rv[2] = { 0, 0 };
	int e = rump_syscall(nr, args, rv);

	return e != 0 ? -e : rv[0];
}

static const char *
kpath(long p)
{
	const char *s = (const char *)p;

	if (strncmp(s, "/rump/", 6) == 0)
		return s + 5;
	return strcmp(s, "/rump") == 0 ? "/" : NULL;
}

long
hj_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const char *kp;
	long r;

	switch (nr) {
	case MAGIC_NR:
		return MAGIC_RET;
	case SYS_openat:
	case SYS_mkdirat:
	case SYS_newfstatat:
		if ((kp = kpath(a1)) != NULL) {
			r = kcall(nr, AT_FDCWD, (long)kp, a2, a3);
			return nr == SYS_openat && r >= 0 ? r + KOFF : r;
		}
		if (nr == SYS_newfstatat && a0 >= KOFF)
			return kcall(nr, a0 - KOFF, a1, a2, a3);
		break;
	case SYS_read:
	case SYS_write:
	case SYS_close:
	case SYS_getdents64:
	case SYS_lseek:
	case SYS_fstat:
		if (a0 >= KOFF)
			return kcall(nr, a0 - KOFF, a1, a2, a3);
		break;
	}
	return hj_host_syscall(nr, a0, a1, a2, a3, a4, a5);
}

/* ------------------------------------------------ helpers */

static void
block(void)
{
	hj_selector = 1;	/* SYSCALL_DISPATCH_FILTER_BLOCK */
}

static void
allow(void)
{
	hj_selector = 0;	/* SYSCALL_DISPATCH_FILTER_ALLOW */
}

static int setup_error = -1;

/* The default kernel, then the trap; both once, with the selector at ALLOW. */
static int
setup(void)
{
	if (setup_error == -1) {
		allow();
		setup_error = rump_init();
		if (setup_error == 0)
			setup_error = hj_trap_init();
	}
	return setup_error;
}

#define SETUP() do {							\
	int _e = setup();						\
	if (_e == EINVAL)						\
		SKIP("the host has no Syscall User Dispatch");		\
	REQUIRE(_e == 0);						\
	REQUIRE(hj_trap_enabled());					\
} while (0)

/* The kernel's view: contents of kernel file path (NUL-terminated). */
static long
kread(const char *path, char *buf, size_t len)
{
	long fd = kcall(SYS_openat, AT_FDCWD, (long)path, O_RDONLY, 0);
	long n;

	if (fd < 0)
		return fd;
	n = kcall(SYS_read, fd, (long)buf, (long)len - 1, 0);
	kcall(SYS_close, fd, 0, 0, 0);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static bool
host_absent(const char *path)
{
	struct stat st;

	return stat(path, &st) == -1 && errno == ENOENT;
}

/* ------------------------------------------------ exec'd images */

/*
 * Re-executed by the exec tests (T_TRAP_EXEC set): checks the new image
 * before and after its library's start, and says so with its exit status.
 */
__attribute__((constructor)) static void
exec_image(void)
{
	const char *mode = getenv("T_TRAP_EXEC");
	uint64_t mask = 0;
	int e;

	if (mode == NULL)
		return;
	hj_host_syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&mask, 8, 0, 0);
	/* the program's mask came through the exec; SIGSYS is not in it */
	if (!(mask & (1ULL << (SIGUSR1 - 1))) || (mask & (1ULL << (SIGSYS - 1))))
		_exit(10);
	e = hj_trap_init();
	block();
	if (strcmp(mode, "on") == 0)
		e = e == 0 && hj_trap_enabled() &&
		    syscall(MAGIC_NR) == MAGIC_RET ? 0 : 11;
	else
		e = e == 0 && !hj_trap_enabled() &&
		    syscall(MAGIC_NR) == -1 && errno == ENOSYS ? 0 : 12;
	_exit(e);
}

/* ------------------------------------------------ tests */

static void
raw_openat(void)
{
	char buf[64];
	long fd, n;

	SETUP();
	block();
	fd = syscall(SYS_openat, AT_FDCWD, "/rump/raw", O_CREAT | O_WRONLY,
	    0644);
	n = fd >= KOFF ? syscall(SYS_write, fd, "through the trap", 16) : -1;
	syscall(SYS_close, fd);
	allow();
	CHECK(fd >= KOFF);
	CHECK_EQ(n, 16);
	CHECK_EQ(kread("/raw", buf, sizeof(buf)), 16);
	CHECK(strcmp(buf, "through the trap") == 0);
	CHECK(host_absent("/rump/raw"));
}

static void
inline_syscall(void)
{
	char buf[64];
	long fd, n;

	SETUP();
	block();
	fd = asm_syscall(SYS_openat, AT_FDCWD, (long)"/rump/asm",
	    O_CREAT | O_WRONLY, 0600);
	n = asm_syscall(SYS_write, fd, (long)"inline", 6, 0);
	asm_syscall(SYS_close, fd, 0, 0, 0);
	allow();
	CHECK(fd >= KOFF);
	CHECK_EQ(n, 6);
	CHECK_EQ(kread("/asm", buf, sizeof(buf)), 6);
	CHECK(strcmp(buf, "inline") == 0);
	CHECK(host_absent("/rump/asm"));
}

/* glibc's own calls (no interposed function here): stdio, stat, readdir */
static void
libc_internal(void)
{
	char line[64] = "";
	struct stat st;
	struct dirent *d;
	DIR *dir;
	FILE *f;
	int names = 0, r;

	SETUP();
	REQUIRE(kcall(SYS_mkdirat, AT_FDCWD, (long)"/dir", 0755, 0) == 0);
	block();
	f = fopen("/rump/dir/file", "w");
	if (f != NULL) {
		fputs("a FILE in the kernel\n", f);
		fclose(f);
	}
	f = fopen("/rump/dir/file", "r");
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
	}
	r = stat("/rump/dir/file", &st);
	dir = opendir("/rump/dir");
	while (dir != NULL && (d = readdir(dir)) != NULL)
		names += strcmp(d->d_name, "file") == 0;
	if (dir != NULL)
		closedir(dir);
	allow();
	CHECK(strcmp(line, "a FILE in the kernel\n") == 0);
	CHECK_EQ(r, 0);
	CHECK_EQ(st.st_size, 21);
	CHECK(dir != NULL);
	CHECK_EQ(names, 1);
	CHECK_EQ(kread("/dir/file", line, sizeof(line)), 21);
	CHECK(host_absent("/rump/dir"));
}

/* Calls outside /rump still reach the host, through the trap. */
static void
host_calls(void)
{
	char path[] = "/tmp/t_trap.XXXXXX", buf[32] = "";
	int fd;
	long n = -1;
	FILE *f;

	SETUP();
	block();
	fd = mkstemp(path);
	if (fd >= 0) {
		n = write(fd, "host", 4);
		close(fd);
	}
	f = fopen(path, "r");
	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	allow();
	CHECK(fd >= 0 && fd < KOFF);
	CHECK_EQ(n, 4);
	CHECK(strcmp(buf, "host") == 0);
	CHECK_EQ(unlink(path), 0);
}

static void *
thread_body(void *arg)
{
	long i = (long)arg;
	char path[32], data[8];
	long fd;

	snprintf(path, sizeof(path), "/rump/thread%ld", i);
	snprintf(data, sizeof(data), "t%ld", i);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY, 0644);
	if (fd < KOFF)
		return (void *)1;
	if (syscall(SYS_write, fd, data, strlen(data)) != (long)strlen(data))
		return (void *)2;
	syscall(SYS_close, fd);
	return NULL;
}

static void *
unarmed_body(void *arg)
{
	long r;

	block();
	r = asm_syscall(MAGIC_NR, 0, 0, 0, 0);
	allow();
	return (void *)r;
}

/* Threads the program creates are armed; the library's own are not. */
static void
threads(void)
{
	pthread_t t[4];
	void *rv[4], *un = NULL;
	char buf[32], path[32], want[16];

	SETUP();
	block();
	for (long i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread_body, (void *)i) != 0)
			t[i] = 0;
	for (int i = 0; i < 4; i++)
		if (t[i] == 0 || pthread_join(t[i], &rv[i]) != 0)
			rv[i] = (void *)3;
	allow();
	for (int i = 0; i < 4; i++) {
		CHECK(rv[i] == NULL);
		snprintf(path, sizeof(path), "/thread%d", i);
		snprintf(want, sizeof(want), "t%d", i);
		CHECK(kread(path, buf, sizeof(buf)) > 0);
		CHECK(strcmp(buf, want) == 0);
	}
	/* created from inside the library: left alone */
	REQUIRE(pthread_create(&t[0], NULL, unarmed_body, NULL) == 0);
	REQUIRE(pthread_join(t[0], &un) == 0);
	CHECK_EQ((long)un, -ENOSYS);
}

/* fork keeps the trap in the child: glibc's fork, and a raw fork. */
static void
fork_child(void)
{
	int st1 = -1, st2 = -1;
	pid_t p;

	SETUP();
	block();
	p = fork();
	if (p == 0)
		_exit(syscall(MAGIC_NR) == MAGIC_RET ? 0 : 1);
	if (p > 0)
		waitpid(p, &st1, 0);
	p = syscall(SYS_fork);
	if (p == 0)
		_exit(syscall(MAGIC_NR) == MAGIC_RET ? 0 : 1);
	if (p > 0)
		waitpid(p, &st2, 0);
	allow();
	CHECK(WIFEXITED(st1) && WEXITSTATUS(st1) == 0);
	CHECK(WIFEXITED(st2) && WEXITSTATUS(st2) == 0);
}

static int
run_image(const char *mode, const char *hijack)
{
	char *argv[] = { "t_trap", NULL };
	sigset_t s;
	int st = -1;
	pid_t p;

	setenv("T_TRAP_EXEC", mode, 1);
	if (hijack != NULL)
		setenv("RUMPHIJACK", hijack, 1);
	block();
	p = fork();
	if (p == 0) {
		/* a mask the new image must inherit */
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		execve("/proc/self/exe", argv, environ);
		_exit(20);
	}
	if (p > 0)
		waitpid(p, &st, 0);
	allow();
	unsetenv("T_TRAP_EXEC");
	unsetenv("RUMPHIJACK");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* exec clears the setting: the new image's library arms it again. */
static void
exec_rearms(void)
{
	SETUP();
	CHECK_EQ(run_image("on", NULL), 0);
}

/* RUMPHIJACK's trap=off leaves a program to interposition alone. */
static void
trap_off(void)
{
	SETUP();
	CHECK_EQ(run_image("off", "path=/rump,trap=off"), 0);
}

static volatile sig_atomic_t sys_hits, sys_code;

static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	sys_hits++;
	sys_code = si->si_code;
}

/* The program's SIGSYS handler is kept aside: the trap stays ours. */
static void
own_sigsys(void)
{
	struct sigaction sa, old;
	long fd, r;

	SETUP();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sys_hits = 0;
	block();
	r = sigaction(SIGSYS, &sa, NULL);
	fd = syscall(SYS_openat, AT_FDCWD, "/rump/sigsys", O_CREAT | O_WRONLY,
	    0644);
	syscall(SYS_close, fd);
	sigaction(SIGSYS, NULL, &old);
	/* a SIGSYS that is no trap goes to the program's handler */
	syscall(SYS_tgkill, getpid(), gettid(), SIGSYS);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigaction(SIGSYS, &sa, NULL);
	allow();
	CHECK_EQ(r, 0);
	CHECK(fd >= KOFF);
	CHECK(old.sa_sigaction == on_sigsys);
	CHECK_EQ(sys_hits, 1);
	CHECK_EQ(sys_code, SI_TKILL);
}

/* With no handler of its own, a SIGSYS that is no trap kills as usual. */
static void
default_sigsys(void)
{
	struct rlimit nocore = { 0, 0 };
	int st = 0;
	pid_t p;

	SETUP();
	block();
	p = fork();
	if (p == 0) {
		setrlimit(RLIMIT_CORE, &nocore);
		syscall(SYS_kill, getpid(), SIGSYS);
		_exit(0);
	}
	if (p > 0)
		waitpid(p, &st, 0);
	allow();
	CHECK(p > 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

/* SIGSYS cannot be blocked, through libc or a raw call. */
static void
blocked_sigsys(void)
{
	sigset_t s, cur;
	uint64_t raw = (1ULL << (SIGSYS - 1)) | (1ULL << (SIGUSR1 - 1));
	uint64_t now = 0;
	long fd;

	SETUP();
	sigfillset(&s);
	block();
	sigprocmask(SIG_BLOCK, &s, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	fd = syscall(SYS_openat, AT_FDCWD, "/rump/blocked", O_CREAT | O_WRONLY,
	    0644);
	syscall(SYS_close, fd);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 8);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &now, 8);
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &raw, NULL, 8);
	allow();
	CHECK(!sigismember(&cur, SIGSYS));
	CHECK(sigismember(&cur, SIGUSR1));
	CHECK(fd >= KOFF);
	CHECK(now & (1ULL << (SIGUSR1 - 1)));
	CHECK(!(now & (1ULL << (SIGSYS - 1))));
}

static volatile long handler_fd;

static void
on_usr1(int sig)
{
	long fd = syscall(SYS_openat, AT_FDCWD, "/rump/handler",
	    O_CREAT | O_WRONLY, 0644);

	syscall(SYS_close, fd);
	handler_fd = fd;
}

static volatile int usr2_hits;

static void
on_usr2(int sig)
{
	usr2_hits++;
}

/*
 * A program's handler (its mask full) makes trapped calls and returns;
 * one installed behind the library's back returns through libc's
 * restorer, whose trapped rt_sigreturn is finished from hj_text.
 */
static void
program_handlers(void)
{
	int (*libc_sigaction)(int, const struct sigaction *,
	    struct sigaction *) = dlsym(RTLD_NEXT, "sigaction");
	struct sigaction sa;
	volatile long canary = 0x5eed;
	uint64_t usr2 = 1ULL << (SIGUSR2 - 1);
	long after;
	char buf[8];

	SETUP();
	REQUIRE(libc_sigaction != NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigfillset(&sa.sa_mask);
	handler_fd = -1;
	block();
	REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
	raise(SIGUSR1);
	allow();
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	REQUIRE(libc_sigaction(SIGUSR2, &sa, NULL) == 0);
	block();
	/* delivered as the raw unblock returns to this code: trapped return */
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr2, NULL, 8);
	raise(SIGUSR2);
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &usr2, NULL, 8);
	after = syscall(SYS_openat, AT_FDCWD, "/rump/after", O_CREAT | O_WRONLY,
	    0644);
	syscall(SYS_close, after);
	/* delivered inside the trap's handler (tgkill runs there) */
	raise(SIGUSR2);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	allow();
	CHECK(handler_fd >= KOFF);
	CHECK_EQ(kread("/handler", buf, sizeof(buf)), 0);
	CHECK_EQ(usr2_hits, 2);
	CHECK(after >= KOFF);
	CHECK_EQ(canary, 0x5eed);
}

/*
 * glibc's internal vfork-style clone (posix_spawn) and vfork itself run
 * from hj_text; the child execs, and the parent is trapped again at once.
 */
static void
spawn_child(void)
{
	char *argv[] = { "true", NULL };
	int e, st = -1, st2 = -1;
	long fd1, fd2;
	pid_t p = -1;

	SETUP();
	block();
	e = posix_spawn(&p, "/bin/true", NULL, NULL, argv, environ);
	fd1 = syscall(SYS_openat, AT_FDCWD, "/rump/after-spawn",
	    O_CREAT | O_WRONLY, 0644);
	syscall(SYS_close, fd1);
	if (e == 0)
		waitpid(p, &st, 0);
	p = vfork();
	if (p == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	fd2 = syscall(SYS_openat, AT_FDCWD, "/rump/after-vfork",
	    O_CREAT | O_WRONLY, 0644);
	syscall(SYS_close, fd2);
	if (p > 0)
		waitpid(p, &st2, 0);
	allow();
	CHECK_EQ(e, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(p > 0);
	CHECK(WIFEXITED(st2) && WEXITSTATUS(st2) == 0);
	CHECK(fd1 >= KOFF);
	CHECK(fd2 >= KOFF);
}

/* The program cannot turn the trap off or take it over. */
static void
prctl_refused(void)
{
	long r, fd;
	int e;

	SETUP();
	block();
	r = syscall(SYS_prctl, 59 /* PR_SET_SYSCALL_USER_DISPATCH */, 0, 0, 0,
	    0);
	e = errno;
	fd = syscall(SYS_openat, AT_FDCWD, "/rump/still", O_CREAT | O_WRONLY,
	    0644);
	syscall(SYS_close, fd);
	allow();
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EBUSY);
	CHECK(fd >= KOFF);
}

TESTS(T(raw_openat), T(prctl_refused), T(inline_syscall), T(libc_internal), T(host_calls),
    T(threads), T(fork_child), T(exec_rearms), T(trap_off), T(own_sigsys),
    T(default_sigsys),
    T(blocked_sigsys), T(program_handlers), T(spawn_child))

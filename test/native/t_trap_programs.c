/*
 * The trap under unmodified Debian programs: each runs twice, plainly and
 * with trap_identity.so preloaded (the trap armed from the first
 * instruction after start-up, every system call routed back to the host
 * through the SIGSYS handler, no interposed I/O function), and must print
 * the same and exit the same.  The report file proves that each process
 * really was trapped (it counts the calls it trapped, and has one line
 * per process that exited: a pipeline's every member, a fork's child).
 */
#include "harness.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef TRAP_PRELOAD
#error "TRAP_PRELOAD: the path of trap_identity.so"
#endif

extern char **environ;

struct run {
	char	out[1 << 16];
	size_t	len;
	int	status;
};

static char report[64];

static int
run(struct run *r, bool trapped, char *const argv[])
{
	char *envp[256], pre[512], rep[128];
	int p[2], n = 0;
	pid_t pid;
	ssize_t k;

	for (char **e = environ; *e != NULL && n < 250; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
			envp[n++] = *e;
	if (trapped) {
		snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", TRAP_PRELOAD);
		snprintf(rep, sizeof(rep), "T_TRAP_REPORT=%s", report);
		envp[n++] = pre;
		envp[n++] = rep;
	}
	envp[n] = NULL;
	if (pipe(p) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(p[1]);
	r->len = 0;
	while (r->len < sizeof(r->out) &&
	    (k = read(p[0], r->out + r->len, sizeof(r->out) - r->len)) > 0)
		r->len += (size_t)k;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &r->status, 0) != pid)
		return -1;
	return 0;
}

/* Lines in the report, and the fewest trapped calls any process made. */
static int
report_lines(long *least)
{
	FILE *f = fopen(report, "r");
	long pid, count;
	int lines = 0;

	*least = -1;
	if (f == NULL)
		return 0;
	while (fscanf(f, "%ld %ld", &pid, &count) == 2) {
		lines++;
		if (*least < 0 || count < *least)
			*least = count;
	}
	fclose(f);
	unlink(report);
	return lines;
}

static struct run plain, trapped;

/* Same output, same status; at least `procs` processes trapped. */
static void
same(int procs, char *const argv[])
{
	long least;
	int lines;

	if (access(argv[0], X_OK) != 0)
		SKIP("program not installed");
	snprintf(report, sizeof(report), "/tmp/t_trap_programs.%d", getpid());
	unlink(report);
	REQUIRE(run(&plain, false, argv) == 0);
	REQUIRE(run(&trapped, true, argv) == 0);
	lines = report_lines(&least);
	if (lines == 0 && WIFEXITED(trapped.status))
		SKIP("the host has no Syscall User Dispatch");
	CHECK_EQ(trapped.status, plain.status);
	CHECK_EQ(trapped.len, plain.len);
	CHECK(trapped.len == plain.len &&
	    memcmp(trapped.out, plain.out, plain.len) == 0);
	CHECK(plain.len > 0);
	CHECK(lines >= procs);
	CHECK(least > 0);
	if (trapped.len != plain.len || memcmp(trapped.out, plain.out,
	    plain.len) != 0)
		printf("# plain:\n%.*s# trapped:\n%.*s", (int)plain.len,
		    plain.out, (int)trapped.len, trapped.out);
}

static void
ls_tree(void)
{
	same(1, (char *[]){ "/usr/bin/ls", "-laR", "/usr/include/linux/netfilter",
	    NULL });
}

/* fork, exec, pipes, a redirection, in one shell */
static void
sh_pipeline(void)
{
	same(5, (char *[]){ "/bin/sh", "-c",
	    "d=$(mktemp -d) && printf 'b\\na\\nc\\n' | sort | tr a-z A-Z && "
	    "echo $((6 * 7)) > $d/f && cat $d/f && rm -r $d && "
	    "find /usr/include/linux -name '*.h' | sort | sha256sum", NULL });
}

static void
tar_sha(void)
{
	same(3, (char *[]){ "/bin/sh", "-c",
	    "tar cf - -C /usr/include/linux netfilter | sha256sum", NULL });
}

/* threads, a signal handler, a subprocess */
static void
python_threads(void)
{
	same(2, (char *[]){ "/usr/bin/python3", "-c",
	    "import os, signal, subprocess, threading\n"
	    "got = []\n"
	    "signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))\n"
	    "os.kill(os.getpid(), signal.SIGUSR1)\n"
	    "out = [0] * 4\n"
	    "def work(i):\n"
	    "    out[i] = sum(len(open('/usr/include/linux/' + f, 'rb').read()) for f in\n"
	    "        sorted(os.listdir('/usr/include/linux'))[i::4]\n"
	    "        if f.endswith('.h'))\n"
	    "ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]\n"
	    "[t.start() for t in ts]\n"
	    "[t.join() for t in ts]\n"
	    "print(got, sum(out))\n"
	    "print(subprocess.run(['/bin/echo', 'child'], capture_output=True)"
	    ".stdout.decode(), end='')\n", NULL });
}

static void
sqlite_file(void)
{
	same(2, (char *[]){ "/bin/sh", "-c",
	    "d=$(mktemp -d) && /usr/bin/sqlite3 $d/db "
	    "'create table t(x); insert into t values (1), (2), (39);"
	    " select sum(x) from t; pragma integrity_check;' && rm -r $d",
	    NULL });
}

TESTS(T(ls_tree), T(sh_pipeline), T(tar_sha), T(python_threads),
    T(sqlite_file))

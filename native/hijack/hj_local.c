/*
 * The local backend: a kernel inside the program (a unikernel on a host),
 * configured from the environment:
 *   RUMPKIT_IMAGE=FSTYPE:HOSTPATH:KPATH[;...]  a disk image attached as
 *	/dev/ldN and mounted at KPATH in the kernel (KPATH "/" replaces the
 *	root); ":ro" after KPATH mounts it read-only
 *   RUMPKIT_NET=tap:IF,addr=A/N[,gw=G][;...]    a TAP interface (virtif)
 *   RUMPKIT_CONSOLE=1                           kernel messages on stderr
 * Without an image the root is the kernel's own tmpfs.  The program is the
 * kernel's only process: fork fails (see docs/hijack.md), exec hands the
 * image over to the next program, which boots its own kernel.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_net.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpuser.h>

#include "hj_int.h"

static struct rump_kernel *kern;

static int
local_syscall(long nr, const long *args, long *retval)
{
	if (kern == NULL)
		return EBADF;
	return rump_syscall(nr, args, retval);
}

static pid_t
local_fork(void)
{
	hj_note("fork is not available in local mode: the kernel lives in "
	    "this process (use a server: RUMP_SERVER)");
	errno = ENOSYS;
	return -1;
}

/*
 * exec: the next program boots its own kernel from the same environment,
 * so this one is halted first (its images written back and unmounted).
 */
static int
local_execve(const char *path, char *const argv[], char *const envp[])
{
	long r;

	r = hj_host_syscall(SYS_access, (long)path, X_OK, 0, 0, 0, 0);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	hj_local_halt();
	r = hj_host_syscall(SYS_execve, (long)path, (long)argv, (long)envp,
	    0, 0, 0);
	/* still here: bring the kernel back for the program */
	if (hj_local_boot() != 0)
		_exit(127);
	errno = (int)-r;
	return -1;
}

const struct hj_backend hj_local_backend = {
	.name = "local",
	.syscall = local_syscall,
	.fork = local_fork,
	.execve = local_execve,
};

static void
console(void *arg, const char *line, size_t len)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "rump: %.*s\n", (int)len, line);

	if (n > 0)
		hj_host_syscall(SYS_write, 2, (long)buf,
		    n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1, 0, 0, 0);
}

static void
mkdirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s != '\0'; s++)
		if (*s == '/') {
			*s = '\0';
			rump_sys_mkdir(p, 0755);
			*s = '/';
		}
	rump_sys_mkdir(p, 0755);
}

static int
fail(const char *what, const char *spec, int e)
{
	char msg[PATH_MAX + 128];

	snprintf(msg, sizeof(msg), "%s %s: %s", what, spec, strerror(e));
	hj_note(msg);
	return e;
}

/* FSTYPE:HOSTPATH:KPATH[:ro] */
static int
image(char *spec, unsigned n)
{
	char key[32], *host, *kpath, *c;
	int ro = 0, e;

	host = strchr(spec, ':');
	if (host == NULL)
		return fail("RUMPKIT_IMAGE: no file in", spec, EINVAL);
	*host++ = '\0';
	if ((c = strrchr(host, ':')) != NULL && strcmp(c, ":ro") == 0) {
		ro = 1;
		*c = '\0';
	}
	kpath = strrchr(host, ':');
	if (kpath == NULL || kpath[1] != '/')
		return fail("RUMPKIT_IMAGE: no kernel path in", host, EINVAL);
	*kpath++ = '\0';
	snprintf(key, sizeof(key), "/dev/ld%u", n);
	e = rump_disk_attach(kern, key, host, ro ? RUMP_DISK_RDONLY : 0);
	if (e != 0)
		return fail("cannot attach image", host, e);
	if (strcmp(kpath, "/") != 0)
		mkdirs(kpath);
	if (rump_sys_mount(key, kpath, spec, MS_NODEV | (ro ? MS_RDONLY : 0),
	    NULL) != 0)
		return fail("cannot mount image", host, errno);
	return 0;
}

/* tap:IF,addr=A/N[,gw=G][,mtu=M] */
static int
net(char *spec)
{
	struct rump_ifcfg cfg;
	char *opt, *save = NULL;
	int e;

	memset(&cfg, 0, sizeof(cfg));
	if (strncmp(spec, "tap:", 4) != 0)
		return fail("RUMPKIT_NET: not a tap interface:", spec, EINVAL);
	cfg.kind = RUMP_IF_TAP;
	cfg.device = strtok_r(spec + 4, ",", &save);
	while ((opt = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(opt, "addr=", 5) == 0)
			cfg.address = opt + 5;
		else if (strncmp(opt, "gw=", 3) == 0)
			cfg.gateway = opt + 3;
		else if (strncmp(opt, "mtu=", 4) == 0)
			cfg.mtu = (unsigned)atoi(opt + 4);
		else
			return fail("RUMPKIT_NET: unknown option", opt, EINVAL);
	}
	if (cfg.device == NULL)
		return fail("RUMPKIT_NET: no interface in", spec, EINVAL);
	e = rump_net_attach(kern, &cfg, NULL, 0);
	return e != 0 ? fail("cannot attach interface", cfg.device, e) : 0;
}

/* each ';'-separated item of variable var through fn */
static int
each(const char *var, int (*fn)(char *, unsigned))
{
	const char *v = getenv(var);
	char *copy, *item, *save = NULL;
	unsigned n = 0;
	int e = 0;

	if (v == NULL || *v == '\0')
		return 0;
	if ((copy = strdup(v)) == NULL)
		return ENOMEM;
	for (item = strtok_r(copy, ";", &save); item != NULL && e == 0;
	    item = strtok_r(NULL, ";", &save))
		e = fn(item, n++);
	free(copy);
	return e;
}

static int
net_item(char *s, unsigned n)
{
	(void)n;
	return net(s);
}

#define SCAN_FDS	1024

/*
 * Which host descriptors are open, to guard those the kernel opens.  One
 * poll asks for all of them (a closed number comes back POLLNVAL); a
 * descriptor limit below SCAN_FDS makes poll refuse, and then each number
 * is asked in turn.
 */
static void
open_fds(unsigned char *set, int max)
{
	static struct pollfd pfd[SCAN_FDS];

	for (int fd = 0; fd < max; fd++)
		pfd[fd] = (struct pollfd){ .fd = fd, .events = 0 };
	if (hj_host_syscall(SYS_poll, (long)pfd, max, 0, 0, 0, 0) >= 0) {
		for (int fd = 0; fd < max; fd++)
			set[fd] = !(pfd[fd].revents & POLLNVAL);
		return;
	}
	for (int fd = 0; fd < max; fd++)
		set[fd] = hj_host_syscall(SYS_fcntl, fd, F_GETFD, 0, 0, 0, 0) >=
		    0;
}

/*
 * The buffer cache of a program's kernel: half the default.  Its disks are
 * host files, already in the host's page cache; a bigger cache only spreads
 * the program over more fresh memory.  cp -a of 10,000 small files filled
 * 64 MiB and ran a third slower than with 32 MiB (page faults, and every
 * lookup and allocation missing the CPU's caches more often).
 */
#define BUFCACHE	(32u << 20)

/* the process-wide default kernel: the program's threads all use it */
static void *
boot(void)
{
	struct rump_config cfg;
	const char *c = getenv("RUMPKIT_CONSOLE");

	memset(&cfg, 0, sizeof(cfg));
	cfg.hostname = "rumpkit";
	cfg.bufcache = BUFCACHE;
	if (c != NULL && strcmp(c, "1") == 0)
		cfg.console = console;
	return rump_kernel_boot(&cfg);
}

int
hj_local_boot(void)
{
	static unsigned char before[SCAN_FDS], after[SCAN_FDS];
	int e;

	open_fds(before, SCAN_FDS);
	if ((kern = rumpuser_default_kernel(boot)) == NULL)
		return fail("cannot boot the kernel:", "", errno);
	rump_kernel_enter(kern);
	if ((e = each("RUMPKIT_IMAGE", image)) != 0 ||
	    (e = each("RUMPKIT_NET", net_item)) != 0) {
		hj_local_halt();
		return e;
	}
	open_fds(after, SCAN_FDS);
	for (int fd = 0; fd < SCAN_FDS; fd++)
		if (after[fd] && !before[fd])
			hj_fd_guard(fd, true);
	return 0;
}

/* pending FILE output first, then the kernel writes its disks back */
void
hj_local_halt(void)
{
	struct rump_kernel *k = kern;

	if (k == NULL)
		return;
	fflush(NULL);
	kern = NULL;
	rump_kernel_enter(k);
	rump_sys_sync();
	if (rump_kernel_halt(k) != 0)
		hj_note("the kernel did not free all its memory at halt");
	hj_fd_unguard_local();
}

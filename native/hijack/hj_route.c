/*
 * hj_syscall: every call the program makes, interposed or trapped, is
 * routed here by number, descriptor and path.  Calls the syscall table
 * knows are routed from their argument roles (gen/sysroles.h); the rest
 * have their own rules below or go to the host.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "hj_int.h"
#include "gen/sysroles.h"

#define NRMAX	512
static const struct sysrole *bynr[NRMAX];
static bool indexed;

static void
index_roles(void)
{
	for (size_t i = 0; i < NSYSROLES; i++)
		if (sysroles[i].nr >= 0 && sysroles[i].nr < NRMAX &&
		    bynr[sysroles[i].nr] == NULL)
			bynr[sysroles[i].nr] = &sysroles[i];
	indexed = true;
}

long
hj_ksys(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long args[6] = { a0, a1, a2, a3, a4, a5 }, rv[2] = { 0, 0 };
	int e;

	if (hj_backend == NULL)
		return -EBADF;
	e = hj_backend->syscall(nr, args, rv);
	return e != 0 ? -e : rv[0];
}

static long
host6(long nr, const long *a)
{
	return hj_host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static long
kern6(long nr, const long *a)
{
	return hj_ksys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* calls whose result is a new descriptor */
static bool
returns_fd(long nr)
{
	switch (nr) {
	case SYS_open: case SYS_openat: case SYS_creat: case SYS_accept:
	case SYS_accept4: case SYS_dup: case SYS_socket: case SYS_eventfd2:
	case SYS_epoll_create: case SYS_epoll_create1: case SYS_memfd_create:
	case SYS_timerfd_create: case SYS_signalfd4: case SYS_inotify_init1:
	case SYS_openat2: case SYS_pidfd_open: case SYS_eventfd:
		return true;
	}
	return false;
}

static long
host_call(long nr, const long *a)
{
	long r = host6(nr, a);

	if (r >= 0 && returns_fd(nr))
		hj_fd_hostnew(r);
	if (r == 0 && (nr == SYS_pipe || nr == SYS_pipe2 ||
	    nr == SYS_socketpair)) {
		int *fds = (int *)a[nr == SYS_socketpair ? 3 : 0];
		hj_fd_hostnew(fds[0]);
		hj_fd_hostnew(fds[1]);
	}
	return r;
}

/* a (dirfd, path) pair: which side, and the arguments for that side */
static enum hj_side
pair_route(long *dirfd, long *path, char *kp)
{
	const char *p = (const char *)*path;
	int k;

	if (p != NULL && p[0] == '/') {
		if (hj_path_route(p, kp) == HJ_HOST)
			return HJ_HOST;
		*dirfd = AT_FDCWD;
		*path = (long)kp;
		return HJ_KERNEL;
	}
	if ((int)*dirfd == AT_FDCWD)
		return hj_kcwd ? HJ_KERNEL : HJ_HOST;
	if ((k = hj_kfd(*dirfd)) < 0)
		return HJ_HOST;
	*dirfd = k;
	return HJ_KERNEL;
}

/* by the table's roles: descriptors and paths decide */
static long
generic(long nr, const long *orig)
{
	const struct sysrole *r = nr >= 0 && nr < NRMAX ? bynr[nr] : NULL;
	char kp[2][PATH_MAX];
	long a[6];
	int side = -1, np = 0, s, k;
	long ret;

	if (r == NULL)
		return host_call(nr, orig);
	memcpy(a, orig, sizeof(a));
	for (int i = 0; i < r->nargs; i++) {
		if (r->role[i] == SR_FD && i + 1 < r->nargs &&
		    r->role[i + 1] == SR_PATH) {
			s = pair_route(&a[i], &a[i + 1], kp[np++ & 1]);
			i++;
		} else if (r->role[i] == SR_FD) {
			k = hj_kfd(a[i]);
			s = k >= 0 ? HJ_KERNEL : HJ_HOST;
			if (k >= 0)
				a[i] = k;
		} else if (r->role[i] == SR_PATH) {
			s = hj_path_route((const char *)a[i], kp[np & 1]);
			if (s == HJ_KERNEL)
				a[i] = (long)kp[np & 1];
			np++;
		} else
			continue;
		if (side == -1)
			side = s;
		else if (side != s)
			return -EXDEV;
	}
	if (side != HJ_KERNEL)
		return host_call(nr, orig);
	ret = kern6(nr, a);
	if (ret >= 0 && returns_fd(nr))
		ret = hj_fd_export(ret);
	return ret;
}

static long
sys_fcntl(const long *a)
{
	int k = hj_kfd(a[0]);
	long r;

	if (k < 0) {
		r = host6(SYS_fcntl, a);
		if (r >= 0 && (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC))
			hj_fd_hostnew(r);
		return r;
	}
	if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) {
		long min = a[2] >= hj_cfg.fdoff ? a[2] - hj_cfg.fdoff : 0;
		r = hj_ksys(SYS_fcntl, k, a[1], min, 0, 0, 0);
		return r < 0 ? r : hj_fd_export(r);
	}
	return hj_ksys(SYS_fcntl, k, a[1], a[2], 0, 0, 0);
}

static bool
sock_kernel(long domain)
{
	return domain >= 0 && domain < 32 &&
	    (hj_cfg.sockdomains & (1u << domain)) != 0;
}

static long
sys_socket(long nr, const long *a)
{
	int sv[2];
	long r;

	if (!sock_kernel(a[0]))
		return host_call(nr, a);
	if (nr == SYS_socket) {
		r = kern6(nr, a);
		return r < 0 ? r : hj_fd_export(r);
	}
	r = hj_ksys(nr, a[0], a[1], a[2], (long)sv, 0, 0);
	if (r < 0)
		return r;
	((int *)a[3])[0] = (int)hj_fd_export(sv[0]);
	((int *)a[3])[1] = (int)hj_fd_export(sv[1]);
	return 0;
}

static long
sys_chdir(long nr, const long *a)
{
	char kp[PATH_MAX];
	long r;
	int k;

	if (nr == SYS_chdir) {
		if (hj_path_route((const char *)a[0], kp) == HJ_KERNEL) {
			r = hj_ksys(SYS_chdir, (long)kp, 0, 0, 0, 0, 0);
			goto kernel;
		}
	} else if ((k = hj_kfd(a[0])) >= 0) {
		r = hj_ksys(SYS_fchdir, k, 0, 0, 0, 0, 0);
		goto kernel;
	}
	r = host6(nr, a);
	if (r == 0)
		hj_kcwd = false;
	return r;
kernel:
	if (r == 0)
		hj_kcwd = true;
	return r;
}

/* the kernel's cwd as a program path: under the path= prefix */
static long
sys_getcwd(const long *a)
{
	char kp[PATH_MAX], out[PATH_MAX];
	const char *pre = hj_cfg.pathlen > 1 ? hj_cfg.path : "";
	size_t n;
	long r;

	if (!hj_kcwd)
		return host6(SYS_getcwd, a);
	r = hj_ksys(SYS_getcwd, (long)kp, sizeof(kp), 0, 0, 0, 0);
	if (r < 0)
		return r;
	if (strcmp(kp, "/") == 0 && *pre != '\0')
		kp[0] = '\0';
	n = (size_t)snprintf(out, sizeof(out), "%s%s", pre, kp) + 1;
	if (n > sizeof(out))
		return -ENAMETOOLONG;
	if (n > (size_t)a[1])
		return -ERANGE;
	memcpy((char *)a[0], out, n);
	return (long)n;
}

/* a copy through the library's buffer, for calls that mix the sides */
static long
copy_fds(long out, long in, long *off, size_t count)
{
	static __thread char *buf;
	size_t done = 0;
	long r, w;

	if (buf == NULL && (buf = malloc(65536)) == NULL)
		return -ENOMEM;
	while (done < count) {
		size_t n = count - done < 65536 ? count - done : 65536;

		r = off != NULL ?
		    hj_route(SYS_pread64, (long[6]){ in, (long)buf, (long)n,
		    *off }) :
		    hj_route(SYS_read, (long[6]){ in, (long)buf, (long)n });
		if (r <= 0) {
			if (done == 0 && r < 0)
				return r;
			break;
		}
		for (long o = 0; o < r; o += w) {
			w = hj_route(SYS_write, (long[6]){ out, (long)buf + o,
			    r - o });
			if (w <= 0)
				return done > 0 ? (long)done : w < 0 ? w : -EIO;
		}
		if (off != NULL)
			*off += r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return (long)done;
}

static bool
any_kernel(long a, long b)
{
	return hj_kfd(a) >= 0 || hj_kfd(b) >= 0;
}

static long
sys_xfer(long nr, const long *a)
{
	switch (nr) {
	case SYS_copy_file_range:
		if (any_kernel(a[0], a[2]))
			return -EXDEV;
		break;
	case SYS_sendfile:	/* out, in, off*, count */
		if (any_kernel(a[0], a[1]))
			return copy_fds(a[0], a[1], (long *)a[2], (size_t)a[3]);
		break;
	case SYS_splice:	/* in, off_in*, out, off_out*, len, flags */
		if (any_kernel(a[0], a[2])) {
			if (a[3] != 0)
				return -EINVAL;	/* not with an out offset */
			return copy_fds(a[2], a[0], (long *)a[1],
			    (size_t)a[4]);
		}
		break;
	case SYS_tee:
	case SYS_vmsplice:
		if (hj_kfd(a[0]) >= 0 || (nr == SYS_tee && hj_kfd(a[1]) >= 0))
			return -EINVAL;
		break;
	}
	return host_call(nr, a);
}

/* extended attributes: the kernel has none */
static long
sys_xattr(long nr, const long *a)
{
	char kp[PATH_MAX];

	switch (nr) {
	case SYS_fgetxattr: case SYS_fsetxattr: case SYS_flistxattr:
	case SYS_fremovexattr:
		if (hj_kfd(a[0]) >= 0)
			return -EOPNOTSUPP;
		break;
	default:
		if (hj_path_route((const char *)a[0], kp) == HJ_KERNEL)
			return -EOPNOTSUPP;
	}
	return host6(nr, a);
}

long
hj_route(long nr, const long *a)
{
	if (hj_backend == NULL)
		return host_call(nr, a);
	if (!indexed)
		index_roles();
	switch (nr) {
	case SYS_close:
		return hj_close(a[0]);
	case SYS_dup:
		return hj_dup(a[0]);
	case SYS_dup2:
		return a[0] == a[1] ? (hj_kfd(a[0]) >= 0 ? a[0] :
		    host6(SYS_fcntl, (long[6]){ a[0], F_GETFD }) < 0 ? -EBADF :
		    a[0]) : hj_dup3(a[0], a[1], 0);
	case SYS_dup3:
		return a[0] == a[1] ? -EINVAL : hj_dup3(a[0], a[1], (int)a[2]);
	case SYS_close_range:
		return hj_close_range((unsigned)a[0], (unsigned)a[1],
		    (unsigned)a[2]);
	case SYS_fcntl:
		return sys_fcntl(a);
	case SYS_socket: case SYS_socketpair:
		return sys_socket(nr, a);
	case SYS_chdir: case SYS_fchdir:
		return sys_chdir(nr, a);
	case SYS_getcwd:
		return sys_getcwd(a);
	case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
		return hj_sys_poll(nr, a);
	case SYS_epoll_create: case SYS_epoll_create1: case SYS_epoll_ctl:
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
		return hj_sys_epoll(nr, a);
	case SYS_copy_file_range: case SYS_sendfile: case SYS_splice:
	case SYS_tee: case SYS_vmsplice:
		return sys_xfer(nr, a);
	case SYS_getxattr: case SYS_lgetxattr: case SYS_fgetxattr:
	case SYS_setxattr: case SYS_lsetxattr: case SYS_fsetxattr:
	case SYS_listxattr: case SYS_llistxattr: case SYS_flistxattr:
	case SYS_removexattr: case SYS_lremovexattr: case SYS_fremovexattr:
		return sys_xattr(nr, a);
	case SYS_fadvise64: case SYS_readahead: case SYS_sync_file_range:
		return hj_kfd(a[0]) >= 0 ? 0 : host6(nr, a);
	case SYS_ioctl:
		if (hj_kfd(a[0]) >= 0 && (a[1] == (long)FICLONE ||
		    a[1] == (long)FICLONERANGE))
			return -EOPNOTSUPP;
		return generic(nr, a);
	case SYS_sync:
		hj_ksys(SYS_sync, 0, 0, 0, 0, 0, 0);
		return host6(nr, a);
	case SYS_mmap:
		return hj_sys_mmap(a);
	case SYS_munmap: case SYS_msync:
		return hj_sys_munmap(nr, a);
	case SYS_execve:
		return hj_execve((const char *)a[0], (char *const *)a[1],
		    (char *const *)a[2]);
	case SYS_fork:
		return hj_fork_raw(nr, a);
	case SYS_clone:
		/* a new process (not a thread, not a vfork-style spawn) */
		if ((a[0] & (CLONE_VM | CLONE_THREAD)) == 0)
			return hj_fork_raw(nr, a);
		return host6(nr, a);
	case SYS_exit_group:
		hj_exit_prepare();
		return host6(nr, a);
	}
	return generic(nr, a);
}

long
hj_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long a[6] = { a0, a1, a2, a3, a4, a5 }, r;

	hj_enter();
	r = hj_route(nr, a);
	hj_leave();
	return r;
}

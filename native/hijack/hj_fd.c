/*
 * Descriptor numbers.  A kernel descriptor k appears to the program as
 * fdoff + k.  A host number below fdoff can name a kernel descriptor too
 * (dup2 of a kernel fd onto 0..2): the map holds it, and the host number
 * stays taken by a placeholder so the host cannot hand it out again.
 * Host descriptors the host gives out at fdoff or above are remembered so
 * they keep going to the host.  The library's own host descriptors (the
 * local kernel's disks and devices, the client's connection) are guarded:
 * the program can neither close them nor dup2 over them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hj_int.h"

static int fdmap[HJ_MAPMAX];		/* kernel fd + 1, 0: none */
static unsigned char mapcloexec[HJ_MAPMAX];
static unsigned char hosthigh[HJ_HIGHMAX / 8];
static unsigned char guarded[HJ_HIGHMAX / 8];

#define BIT(a, n)	((a)[(n) / 8] & (1u << ((n) % 8)))
#define SETBIT(a, n, on) ((a)[(n) / 8] = (unsigned char)((on) ?	\
	(a)[(n) / 8] | (1u << ((n) % 8)) : (a)[(n) / 8] & ~(1u << ((n) % 8))))

int
hj_kfd(long fd)
{
	if (fd < 0)
		return -1;
	if (fd < HJ_MAPMAX && fdmap[fd] != 0)
		return fdmap[fd] - 1;
	if (fd >= hj_cfg.fdoff && hj_ready() &&
	    (fd >= HJ_HIGHMAX || !BIT(hosthigh, fd)))
		return (int)(fd - hj_cfg.fdoff);
	return -1;
}

static long
host(long nr, long a0, long a1, long a2)
{
	return hj_host_syscall(nr, a0, a1, a2, 0, 0, 0);
}

/*
 * A kernel descriptor as the program sees it.  Should its number be one
 * the host already gave out at fdoff or above, the kernel descriptor
 * moves to a free number first.
 */
long
hj_fd_export(long kfd)
{
	long nfd;

	while (kfd + hj_cfg.fdoff < HJ_HIGHMAX &&
	    BIT(hosthigh, kfd + hj_cfg.fdoff)) {
		nfd = hj_ksys(SYS_fcntl, kfd, F_DUPFD, kfd + 1, 0, 0, 0);
		hj_ksys(SYS_close, kfd, 0, 0, 0, 0, 0);
		if (nfd < 0)
			return nfd;
		kfd = nfd;
	}
	return kfd + hj_cfg.fdoff;
}

void
hj_fd_hostnew(long fd)
{
	if (fd >= hj_cfg.fdoff && fd < HJ_HIGHMAX)
		SETBIT(hosthigh, fd, 1);
}

bool
hj_fd_guarded(long fd)
{
	if (fd < 0 || fd >= HJ_HIGHMAX)
		return false;
	if (BIT(guarded, fd))
		return true;
	return hj_remote_owns_fd((int)fd);
}

void
hj_fd_guard(long fd, bool on)
{
	if (fd >= 0 && fd < HJ_HIGHMAX)
		SETBIT(guarded, fd, on);
}

/*
 * Drop the guards of the local kernel's descriptors (a client's connection
 * keeps its own).  By bytes of the map: a bit at a time, with a call per
 * number, the 64K numbers took a good part of a short program's halt.
 */
void
hj_fd_unguard_local(void)
{
	for (int i = 0; i < HJ_HIGHMAX / 8; i++) {
		if (guarded[i] == 0)
			continue;
		for (int fd = i * 8; fd < i * 8 + 8; fd++)
			if (BIT(guarded, fd) && !hj_remote_owns_fd(fd))
				SETBIT(guarded, fd, 0);
	}
}

/* a host number that stays taken while it names a kernel descriptor */
static long
placeholder(long fd, bool cloexec)
{
	long p, r;

	p = host(SYS_openat, AT_FDCWD, (long)"/", O_PATH | O_CLOEXEC);
	if (p < 0)
		return p;
	r = p == fd ? 0 : host(SYS_dup3, p, fd, cloexec ? O_CLOEXEC : 0);
	if (p != fd)
		host(SYS_close, p, 0, 0);
	else if (!cloexec)
		host(SYS_fcntl, fd, F_SETFD, 0);
	return r < 0 ? r : 0;
}

long
hj_close(long fd)
{
	int k;

	if (hj_fd_guarded(fd))
		return -EBADF;
	if (fd >= 0 && fd < HJ_MAPMAX && fdmap[fd] != 0) {
		k = fdmap[fd] - 1;
		fdmap[fd] = 0;
		hj_stdio_mapped((int)fd, false);
		host(SYS_close, fd, 0, 0);
		return hj_ksys(SYS_close, k, 0, 0, 0, 0, 0);
	}
	if ((k = hj_kfd(fd)) >= 0)
		return hj_ksys(SYS_close, k, 0, 0, 0, 0, 0);
	if (fd >= 0 && fd < HJ_HIGHMAX)
		SETBIT(hosthigh, fd, 0);
	hj_epoll_closed(fd);
	return host(SYS_close, fd, 0, 0);
}

long
hj_dup(long fd)
{
	long r;
	int k;

	if ((k = hj_kfd(fd)) >= 0) {
		r = hj_ksys(SYS_fcntl, k, F_DUPFD, 0, 0, 0, 0);
		return r < 0 ? r : hj_fd_export(r);
	}
	r = host(SYS_dup, fd, 0, 0);
	hj_fd_hostnew(r);
	return r;
}

/* drop what newfd named before it becomes something else */
static void
unmap(long newfd)
{
	if (newfd >= 0 && newfd < HJ_MAPMAX && fdmap[newfd] != 0) {
		hj_ksys(SYS_close, fdmap[newfd] - 1, 0, 0, 0, 0, 0);
		fdmap[newfd] = 0;
		hj_stdio_mapped((int)newfd, false);
	}
}

long
hj_dup3(long oldfd, long newfd, int flags)
{
	bool cloexec = (flags & O_CLOEXEC) != 0;
	long r, e;
	int ko;

	if (hj_fd_guarded(newfd) || hj_fd_guarded(oldfd) || newfd < 0)
		return -EBADF;
	ko = hj_kfd(oldfd);
	if (ko >= 0 && newfd >= hj_cfg.fdoff) {
		/* a number in the kernel's range: the kernel's own dup3 */
		if (newfd < HJ_HIGHMAX && BIT(hosthigh, newfd)) {
			host(SYS_close, newfd, 0, 0);
			SETBIT(hosthigh, newfd, 0);
		}
		r = hj_ksys(SYS_dup3, ko, newfd - hj_cfg.fdoff, flags, 0, 0, 0);
		return r < 0 ? r : newfd;
	}
	if (ko >= 0) {
		if (newfd >= HJ_MAPMAX)
			return -EBADF;
		r = hj_ksys(SYS_fcntl, ko, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
		    0, 0, 0, 0);
		if (r < 0)
			return r;
		hj_stdio_flush((int)newfd);
		unmap(newfd);
		if ((e = placeholder(newfd, cloexec)) < 0) {
			hj_ksys(SYS_close, r, 0, 0, 0, 0, 0);
			return e;
		}
		fdmap[newfd] = (int)r + 1;
		mapcloexec[newfd] = cloexec;
		hj_stdio_mapped((int)newfd, true);
		return newfd;
	}
	/* a host descriptor onto newfd */
	if (oldfd == newfd)
		return flags ? -EINVAL : host(SYS_fcntl, oldfd, F_GETFD, 0) < 0 ?
		    -EBADF : newfd;
	unmap(newfd);
	if (newfd >= hj_cfg.fdoff && hj_kfd(newfd) >= 0)
		hj_ksys(SYS_close, newfd - hj_cfg.fdoff, 0, 0, 0, 0, 0);
	r = host(SYS_dup3, oldfd, newfd, flags);
	if (r >= 0)
		hj_fd_hostnew(r);
	return r;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The kernel's part of a close_range: its numbers klo..khi, except the
 * kernel descriptors that host numbers outside the range still name.
 */
static void
kernel_close_range(unsigned klo, unsigned khi, unsigned flags)
{
	static int keep[HJ_MAPMAX];
	unsigned n = 0, at = klo;

	for (int i = 0; i < HJ_MAPMAX; i++)
		if (fdmap[i] != 0)
			keep[n++] = fdmap[i] - 1;
	qsort(keep, n, sizeof(keep[0]), cmp_int);
	for (unsigned i = 0; i < n && at <= khi; i++) {
		unsigned k = (unsigned)keep[i];

		if (k < at)
			continue;
		if (k > khi)
			break;
		if (k > at)
			hj_ksys(SYS_close_range, at, k - 1, flags, 0, 0, 0);
		at = k + 1;
	}
	if (at <= khi)
		hj_ksys(SYS_close_range, at, khi, flags, 0, 0, 0);
}

long
hj_close_range(unsigned lo, unsigned hi, unsigned flags)
{
	unsigned fdoff = (unsigned)hj_cfg.fdoff, i, start, top;
	struct { unsigned long cur, max; } rl;

	if (lo > hi)
		return -EINVAL;
	/* no descriptor is above the limit: look no further */
	top = hi < HJ_HIGHMAX - 1 ? hi : HJ_HIGHMAX - 1;
	if (host(SYS_getrlimit, RLIMIT_NOFILE, (long)&rl, 0) == 0 &&
	    rl.cur > 0 && rl.cur - 1 < top)
		top = (unsigned)(rl.cur - 1);
	/* host numbers, around the guarded ones */
	start = lo;
	for (i = lo; i <= top; i++) {
		if (i < HJ_MAPMAX && fdmap[i] != 0 && !(flags & 4 /*CLOEXEC*/))
			unmap(i);
		if (hj_fd_guarded(i)) {
			if (i > start)
				host(SYS_close_range, start, i - 1, flags);
			start = i + 1;
		} else if (!(flags & 4) && i >= fdoff)
			SETBIT(hosthigh, i, 0);
	}
	if (start <= hi)
		host(SYS_close_range, start, hi, flags);
	if (hi >= fdoff && hj_ready())
		kernel_close_range(lo > fdoff ? lo - fdoff : 0, hi - fdoff,
		    flags);
	return 0;
}

/*
 * For an exec: "HOSTFD:KFD,..." of the map, without close-on-exec
 * entries (the host closes their placeholders, the kernel their fds).
 */
void
hj_fd_envsave(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < HJ_MAPMAX; i++) {
		if (fdmap[i] == 0 || mapcloexec[i])
			continue;
		int w = snprintf(buf + n, len - n, "%s%d:%d", n ? "," : "", i,
		    fdmap[i] - 1);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

void
hj_fd_envload(const char *s)
{
	while (s != NULL && *s != '\0') {
		char *e;
		long h = strtol(s, &e, 10), k;

		if (*e != ':')
			return;
		k = strtol(e + 1, &e, 10);
		if (h >= 0 && h < HJ_MAPMAX && k >= 0) {
			fdmap[h] = (int)k + 1;
			hj_stdio_mapped((int)h, true);
		}
		if (*e != ',')
			return;
		s = e + 1;
	}
}

void
hj_fd_forget_kernel(void)
{
	for (int i = 0; i < HJ_MAPMAX; i++)
		if (fdmap[i] != 0) {
			fdmap[i] = 0;
			host(SYS_close, i, 0, 0);
		}
}

/* where the library's own descriptors go: high, out of the program's way */
static long
inner_floor(void)
{
	static long floor;
	struct { unsigned long cur, max; } rl;

	if (floor == 0) {
		floor = 256;
		if (host(SYS_getrlimit, RLIMIT_NOFILE, (long)&rl, 0) == 0 &&
		    rl.cur >= 1024 && rl.cur < HJ_HIGHMAX)
			floor = (long)(rl.cur - rl.cur / 4);
	}
	return floor;
}

static long
inner_move(long fd)
{
	long nfd;

	if (fd < 0)
		return fd;
	if (fd < inner_floor()) {
		nfd = host(SYS_fcntl, fd, F_DUPFD_CLOEXEC, inner_floor());
		if (nfd >= 0) {
			/* keep its close-on-exec as it was */
			if (host(SYS_fcntl, fd, F_GETFD, 0) == 0)
				host(SYS_fcntl, nfd, F_SETFD, 0);
			host(SYS_close, fd, 0, 0);
			fd = nfd;
		}
	}
	hj_fd_hostnew(fd);
	hj_fd_guard(fd, true);
	return fd;
}

long
hj_inner(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long r = hj_host_syscall(nr, a0, a1, a2, a3, a4, a5);
	int *fds;

	if (r < 0)
		return r;
	switch (nr) {
	case SYS_open: case SYS_openat: case SYS_creat: case SYS_socket:
	case SYS_accept: case SYS_accept4: case SYS_dup: case SYS_eventfd2:
	case SYS_epoll_create: case SYS_epoll_create1:
		return inner_move(r);
	case SYS_fcntl:
		return a1 == F_DUPFD || a1 == F_DUPFD_CLOEXEC ?
		    inner_move(r) : r;
	case SYS_pipe: case SYS_pipe2: case SYS_socketpair:
		fds = (int *)(nr == SYS_socketpair ? a3 : a0);
		fds[0] = (int)inner_move(fds[0]);
		fds[1] = (int)inner_move(fds[1]);
		return r;
	case SYS_close:
		hj_fd_guard(a0, false);
		if (a0 >= 0 && a0 < HJ_HIGHMAX)
			SETBIT(hosthigh, a0, 0);
		return r;
	}
	return r;
}

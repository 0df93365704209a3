/*
 * The interposed libc functions for files, descriptors and sockets: each
 * is the system call it stands for, through hj_syscall (or straight to
 * the host when the library itself calls it).  Those that pass their
 * arguments on unchanged are generated from the table (hj_stubs.c); the
 * ones here add, drop or rewrite one.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>
#include <utime.h>

#include "hj_int.h"

/* some interposed names (__xstat, __open_2 ...) have no declaration */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define EXPORT	__attribute__((visibility("default")))
#define S0(nr)			HJ_SYS(nr, 0, 0, 0, 0, 0, 0)
#define S1(nr, a)		HJ_SYS(nr, a, 0, 0, 0, 0, 0)
#define S2(nr, a, b)		HJ_SYS(nr, a, b, 0, 0, 0, 0)
#define S3(nr, a, b, c)		HJ_SYS(nr, a, b, c, 0, 0, 0)
#define S4(nr, a, b, c, d)	HJ_SYS(nr, a, b, c, d, 0, 0)
#define S5(nr, a, b, c, d, e)	HJ_SYS(nr, a, b, c, d, e, 0)
#define S6(nr, a, b, c, d, e, f) HJ_SYS(nr, a, b, c, d, e, f)

/* the mode argument exists only when the flags create a file */
#define OPEN_MODE(flags, last, mode)					\
	do {								\
		mode = 0;						\
		if ((flags) & (O_CREAT | __O_TMPFILE)) {		\
			va_list ap_;					\
			va_start(ap_, last);				\
			mode = va_arg(ap_, mode_t);			\
			va_end(ap_);					\
		}							\
	} while (0)

EXPORT int
open(const char *path, int flags, ...)
{
	mode_t m;

	OPEN_MODE(flags, flags, m);
	return (int)S4(SYS_openat, AT_FDCWD, path, flags, m);
}

EXPORT int
open64(const char *path, int flags, ...)
{
	mode_t m;

	OPEN_MODE(flags, flags, m);
	return (int)S4(SYS_openat, AT_FDCWD, path, flags, m);
}

EXPORT int
__open_2(const char *path, int flags)
{
	return (int)S4(SYS_openat, AT_FDCWD, path, flags, 0);
}

EXPORT int
__open64_2(const char *path, int flags)
{
	return (int)S4(SYS_openat, AT_FDCWD, path, flags, 0);
}

EXPORT int
openat(int dfd, const char *path, int flags, ...)
{
	mode_t m;

	OPEN_MODE(flags, flags, m);
	return (int)S4(SYS_openat, dfd, path, flags, m);
}

EXPORT int
openat64(int dfd, const char *path, int flags, ...)
{
	mode_t m;

	OPEN_MODE(flags, flags, m);
	return (int)S4(SYS_openat, dfd, path, flags, m);
}

EXPORT int
__openat_2(int dfd, const char *path, int flags)
{
	return (int)S4(SYS_openat, dfd, path, flags, 0);
}

EXPORT int
__openat64_2(int dfd, const char *path, int flags)
{
	return (int)S4(SYS_openat, dfd, path, flags, 0);
}

EXPORT int
creat(const char *path, mode_t m)
{
	return (int)S4(SYS_openat, AT_FDCWD, path,
	    O_CREAT | O_WRONLY | O_TRUNC, m);
}

EXPORT int
creat64(const char *path, mode_t m)
{
	return creat(path, m);
}

EXPORT ssize_t
__read_chk(int fd, void *b, size_t n, size_t bl)
{
	(void)bl;
	return S3(SYS_read, fd, b, n);
}

/* preadv's offset travels as two halves; on x86-64 the high one is 0 */
EXPORT ssize_t
preadv(int fd, const struct iovec *v, int n, off_t o)
{
	return S5(SYS_preadv, fd, v, n, o, 0);
}

EXPORT ssize_t
preadv64(int fd, const struct iovec *v, int n, off_t o)
{
	return S5(SYS_preadv, fd, v, n, o, 0);
}

EXPORT ssize_t
pwritev(int fd, const struct iovec *v, int n, off_t o)
{
	return S5(SYS_pwritev, fd, v, n, o, 0);
}

EXPORT ssize_t
pwritev64(int fd, const struct iovec *v, int n, off_t o)
{
	return S5(SYS_pwritev, fd, v, n, o, 0);
}

EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return (int)S3(SYS_fcntl, fd, cmd, arg);
}

EXPORT int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return (int)S3(SYS_fcntl, fd, cmd, arg);
}

EXPORT int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	long arg;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	return (int)S3(SYS_ioctl, fd, req, arg);
}

EXPORT int
tcgetattr(int fd, struct termios *t)
{
	return (int)S3(SYS_ioctl, fd, TCGETS, t);
}

EXPORT int
isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}

/* ------------------------------------------------------------ stat */

EXPORT int
stat(const char *p, struct stat *st)
{
	return (int)S4(SYS_newfstatat, AT_FDCWD, p, st, 0);
}

EXPORT int
stat64(const char *p, struct stat64 *st)
{
	return (int)S4(SYS_newfstatat, AT_FDCWD, p, st, 0);
}

EXPORT int
lstat(const char *p, struct stat *st)
{
	return (int)S4(SYS_newfstatat, AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}

EXPORT int
lstat64(const char *p, struct stat64 *st)
{
	return (int)S4(SYS_newfstatat, AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}

/* the pre-2.33 entry points old binaries still call */
EXPORT int
__xstat(int v, const char *p, struct stat *st)
{
	(void)v;
	return stat(p, st);
}

EXPORT int
__xstat64(int v, const char *p, struct stat64 *st)
{
	(void)v;
	return stat64(p, st);
}

EXPORT int
__lxstat(int v, const char *p, struct stat *st)
{
	(void)v;
	return lstat(p, st);
}

EXPORT int
__lxstat64(int v, const char *p, struct stat64 *st)
{
	(void)v;
	return lstat64(p, st);
}

EXPORT int
__fxstat(int v, int fd, struct stat *st)
{
	(void)v;
	return fstat(fd, st);
}

EXPORT int
__fxstat64(int v, int fd, struct stat64 *st)
{
	(void)v;
	return fstat64(fd, st);
}

EXPORT int
__fxstatat(int v, int dfd, const char *p, struct stat *st, int fl)
{
	(void)v;
	return fstatat(dfd, p, st, fl);
}

EXPORT int
__fxstatat64(int v, int dfd, const char *p, struct stat64 *st, int fl)
{
	(void)v;
	return fstatat64(dfd, p, st, fl);
}

static void
vfs_from(struct statvfs *v, const struct statfs *s)
{
	memset(v, 0, sizeof(*v));
	v->f_bsize = (unsigned long)s->f_bsize;
	v->f_frsize = (unsigned long)(s->f_frsize ? s->f_frsize : s->f_bsize);
	v->f_blocks = s->f_blocks;
	v->f_bfree = s->f_bfree;
	v->f_bavail = s->f_bavail;
	v->f_files = s->f_files;
	v->f_ffree = s->f_ffree;
	v->f_favail = s->f_ffree;
	memcpy(&v->f_fsid, &s->f_fsid, sizeof(v->f_fsid) < sizeof(s->f_fsid) ?
	    sizeof(v->f_fsid) : sizeof(s->f_fsid));
	v->f_flag = (unsigned long)s->f_flags;
	v->f_namemax = (unsigned long)s->f_namelen;
}

EXPORT int
statvfs(const char *p, struct statvfs *v)
{
	struct statfs s;

	if (statfs(p, &s) != 0)
		return -1;
	vfs_from(v, &s);
	return 0;
}

EXPORT int
statvfs64(const char *p, struct statvfs64 *v)
{
	return statvfs(p, (struct statvfs *)v);
}

EXPORT int
fstatvfs(int fd, struct statvfs *v)
{
	struct statfs s;

	if (fstatfs(fd, &s) != 0)
		return -1;
	vfs_from(v, &s);
	return 0;
}

EXPORT int
fstatvfs64(int fd, struct statvfs64 *v)
{
	return fstatvfs(fd, (struct statvfs *)v);
}

/* ------------------------------------------------------ namespace */

EXPORT int
access(const char *p, int m)
{
	return (int)S4(SYS_faccessat2, AT_FDCWD, p, m, 0);
}

EXPORT int
euidaccess(const char *p, int m)
{
	return (int)S4(SYS_faccessat2, AT_FDCWD, p, m, AT_EACCESS);
}

EXPORT int
eaccess(const char *p, int m)
{
	return euidaccess(p, m);
}

EXPORT int
mkdir(const char *p, mode_t m)
{
	return (int)S3(SYS_mkdirat, AT_FDCWD, p, m);
}

EXPORT int
rmdir(const char *p)
{
	return (int)S3(SYS_unlinkat, AT_FDCWD, p, AT_REMOVEDIR);
}

EXPORT int
unlink(const char *p)
{
	return (int)S3(SYS_unlinkat, AT_FDCWD, p, 0);
}

EXPORT int
remove(const char *p)
{
	struct stat st;

	if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return rmdir(p);
	return unlink(p);
}

EXPORT int
rename(const char *a, const char *b)
{
	return (int)S5(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 0);
}

EXPORT int
renameat(int da, const char *a, int db, const char *b)
{
	return (int)S5(SYS_renameat2, da, a, db, b, 0);
}

EXPORT int
link(const char *a, const char *b)
{
	return (int)S5(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, 0);
}

EXPORT int
symlink(const char *t, const char *p)
{
	return (int)S3(SYS_symlinkat, t, AT_FDCWD, p);
}

EXPORT ssize_t
readlink(const char *p, char *b, size_t n)
{
	return S4(SYS_readlinkat, AT_FDCWD, p, b, n);
}

EXPORT int
chmod(const char *p, mode_t m)
{
	return (int)S3(SYS_fchmodat, AT_FDCWD, p, m);
}

EXPORT int
fchmodat(int dfd, const char *p, mode_t m, int fl)
{
	struct stat st;

	/* the system call has no flags: symlinks have no mode to change */
	if (fl & AT_SYMLINK_NOFOLLOW) {
		if (fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return -1;
		if (S_ISLNK(st.st_mode)) {
			errno = EOPNOTSUPP;
			return -1;
		}
	}
	return (int)S3(SYS_fchmodat, dfd, p, m);
}

EXPORT int
chown(const char *p, uid_t u, gid_t g)
{
	return (int)S5(SYS_fchownat, AT_FDCWD, p, u, g, 0);
}

EXPORT int
lchown(const char *p, uid_t u, gid_t g)
{
	return (int)S5(SYS_fchownat, AT_FDCWD, p, u, g, AT_SYMLINK_NOFOLLOW);
}

EXPORT int
futimens(int fd, const struct timespec t[2])
{
	return (int)S4(SYS_utimensat, fd, NULL, t, 0);
}

static const struct timespec *
tv_to_ts(const struct timeval *tv, struct timespec *ts)
{
	if (tv == NULL)
		return NULL;
	for (int i = 0; i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return ts;
}

EXPORT int
utimes(const char *p, const struct timeval tv[2])
{
	struct timespec ts[2];

	return (int)S4(SYS_utimensat, AT_FDCWD, p, tv_to_ts(tv, ts), 0);
}

EXPORT int
lutimes(const char *p, const struct timeval tv[2])
{
	struct timespec ts[2];

	return (int)S4(SYS_utimensat, AT_FDCWD, p, tv_to_ts(tv, ts),
	    AT_SYMLINK_NOFOLLOW);
}

EXPORT int
futimes(int fd, const struct timeval tv[2])
{
	struct timespec ts[2];

	return (int)S4(SYS_utimensat, fd, NULL, tv_to_ts(tv, ts), 0);
}

EXPORT int
futimesat(int dfd, const char *p, const struct timeval tv[2])
{
	struct timespec ts[2];

	return (int)S4(SYS_utimensat, dfd, p, tv_to_ts(tv, ts), 0);
}

EXPORT int
utime(const char *p, const struct utimbuf *u)
{
	struct timespec ts[2];

	if (u != NULL) {
		ts[0].tv_sec = u->actime;
		ts[1].tv_sec = u->modtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
	}
	return (int)S4(SYS_utimensat, AT_FDCWD, p, u ? ts : NULL, 0);
}

/* posix_fallocate returns the error; it falls back to writing zeros */
EXPORT int
posix_fallocate(int fd, off_t o, off_t n)
{
	struct stat st;
	static const char z[4096];

	if (S4(SYS_fallocate, fd, 0, o, n) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return errno;
	if (fstat(fd, &st) != 0)
		return errno;
	for (off_t at = st.st_size; at < o + n;) {
		size_t c = o + n - at < (off_t)sizeof(z) ? (size_t)(o + n - at) :
		    sizeof(z);
		ssize_t w = pwrite(fd, z, c, at);
		if (w <= 0)
			return w < 0 ? errno : EIO;
		at += w;
	}
	return 0;
}

EXPORT int
posix_fallocate64(int fd, off_t o, off_t n)
{
	return posix_fallocate(fd, o, n);
}

EXPORT int
posix_fadvise(int fd, off_t o, off_t n, int adv)
{
	return S4(SYS_fadvise64, fd, o, n, adv) == 0 ? 0 : errno;
}

EXPORT int
posix_fadvise64(int fd, off_t o, off_t n, int adv)
{
	return posix_fadvise(fd, o, n, adv);
}

EXPORT void
sync(void)
{
	S0(SYS_sync);
}

EXPORT int
syncfs(int fd)
{
	if (hj_kfd(fd) >= 0)
		return (int)S0(SYS_sync);
	return (int)S1(SYS_syncfs, fd);
}

EXPORT char *
getcwd(char *b, size_t n)
{
	char tmp[PATH_MAX];
	char *out = b;

	if (S2(SYS_getcwd, b ? b : tmp, b ? n : sizeof(tmp)) < 0)
		return NULL;
	if (b == NULL) {
		size_t len = strlen(tmp) + 1;
		if (n != 0 && n < len) {
			errno = ERANGE;
			return NULL;
		}
		if ((out = malloc(n > len ? n : len)) == NULL)
			return NULL;
		memcpy(out, tmp, len);
	}
	return out;
}

EXPORT char *
get_current_dir_name(void)
{
	return getcwd(NULL, 0);
}

EXPORT int
mknod(const char *p, mode_t m, dev_t d)
{
	return (int)S4(SYS_mknodat, AT_FDCWD, p, m, d);
}

EXPORT int
mkfifo(const char *p, mode_t m)
{
	return mknod(p, (m & 07777) | S_IFIFO, 0);
}

EXPORT int
mkfifoat(int dfd, const char *p, mode_t m)
{
	return mknodat(dfd, p, (m & 07777) | S_IFIFO, 0);
}

EXPORT ssize_t
getdents64(int fd, void *b, size_t n)
{
	return S3(SYS_getdents64, fd, b, n);
}

/* the program's umask holds on both sides */
EXPORT mode_t
umask(mode_t m)
{
	if (hj_ready() && !hj_depth) {
		hj_enter();
		hj_ksys(SYS_umask, m, 0, 0, 0, 0, 0);
		hj_leave();
	}
	return (mode_t)hj_host_syscall(SYS_umask, m, 0, 0, 0, 0, 0);
}

/* ------------------------------------------------------- xattrs */

EXPORT ssize_t
getxattr(const char *p, const char *n, void *v, size_t s)
{
	return S4(SYS_getxattr, p, n, v, s);
}

EXPORT ssize_t
lgetxattr(const char *p, const char *n, void *v, size_t s)
{
	return S4(SYS_lgetxattr, p, n, v, s);
}

EXPORT ssize_t
fgetxattr(int fd, const char *n, void *v, size_t s)
{
	return S4(SYS_fgetxattr, fd, n, v, s);
}

EXPORT int
setxattr(const char *p, const char *n, const void *v, size_t s, int f)
{
	return (int)S5(SYS_setxattr, p, n, v, s, f);
}

EXPORT int
lsetxattr(const char *p, const char *n, const void *v, size_t s, int f)
{
	return (int)S5(SYS_lsetxattr, p, n, v, s, f);
}

EXPORT int
fsetxattr(int fd, const char *n, const void *v, size_t s, int f)
{
	return (int)S5(SYS_fsetxattr, fd, n, v, s, f);
}

EXPORT ssize_t
listxattr(const char *p, char *l, size_t s)
{
	return S3(SYS_listxattr, p, l, s);
}

EXPORT ssize_t
llistxattr(const char *p, char *l, size_t s)
{
	return S3(SYS_llistxattr, p, l, s);
}

EXPORT ssize_t
flistxattr(int fd, char *l, size_t s)
{
	return S3(SYS_flistxattr, fd, l, s);
}

EXPORT int
removexattr(const char *p, const char *n)
{
	return (int)S2(SYS_removexattr, p, n);
}

EXPORT int
lremovexattr(const char *p, const char *n)
{
	return (int)S2(SYS_lremovexattr, p, n);
}

EXPORT int
fremovexattr(int fd, const char *n)
{
	return (int)S2(SYS_fremovexattr, fd, n);
}

/* ------------------------------------------------- descriptors */

EXPORT int
close_range(unsigned lo, unsigned hi, int fl)
{
	return (int)S3(SYS_close_range, lo, hi, fl);
}

EXPORT void
closefrom(int lo)
{
	S3(SYS_close_range, lo, ~0u, 0);
}

EXPORT ssize_t
sendfile(int out, int in, off_t *o, size_t n)
{
	return S4(SYS_sendfile, out, in, o, n);
}

EXPORT ssize_t
sendfile64(int out, int in, off_t *o, size_t n)
{
	return S4(SYS_sendfile, out, in, o, n);
}

EXPORT ssize_t
splice(int in, loff_t *oi, int out, loff_t *oo, size_t n, unsigned fl)
{
	return S6(SYS_splice, in, oi, out, oo, n, fl);
}

EXPORT ssize_t
copy_file_range(int in, loff_t *oi, int out, loff_t *oo, size_t n,
    unsigned fl)
{
	return S6(SYS_copy_file_range, in, oi, out, oo, n, fl);
}

/* ------------------------------------------------------ sockets */

EXPORT int
accept(int fd, struct sockaddr *a, socklen_t *l)
{
	return (int)S4(SYS_accept4, fd, a, l, 0);
}

EXPORT ssize_t
send(int fd, const void *b, size_t n, int fl)
{
	return S6(SYS_sendto, fd, b, n, fl, 0, 0);
}

EXPORT ssize_t
recv(int fd, void *b, size_t n, int fl)
{
	return S6(SYS_recvfrom, fd, b, n, fl, 0, 0);
}

/* ------------------------------------------------- multiplexing */

EXPORT int
__poll_chk(struct pollfd *f, nfds_t n, int t, size_t fl)
{
	(void)fl;
	return (int)S3(SYS_poll, f, n, t);
}

EXPORT int
ppoll(struct pollfd *f, nfds_t n, const struct timespec *t,
    const sigset_t *m)
{
	return (int)S5(SYS_ppoll, f, n, t, m, 8);
}

EXPORT int
pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t,
    const sigset_t *m)
{
	struct { const sigset_t *ss; size_t len; } sd = { m, 8 };
	struct timespec ts, *tp = NULL;

	if (t != NULL) {	/* the system call writes the time left */
		ts = *t;
		tp = &ts;
	}
	return (int)S6(SYS_pselect6, n, r, w, e, tp, m ? &sd : NULL);
}

EXPORT int
epoll_pwait(int ep, struct epoll_event *ev, int n, int t, const sigset_t *m)
{
	return (int)S6(SYS_epoll_pwait, ep, ev, n, t, m, 8);
}

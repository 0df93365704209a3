/*
 * Differential tests against Linux: pipes and FIFOs, poll and select,
 * descriptors (dup, close_range, EMFILE), record locks and flock between
 * two processes, the memory devices, statx.  See posix_diff.h.
 */
#include "posix_diff.h"

#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/select.h>

static void
setpoll(struct ctx *ctx, int n, const int *fds, const short *ev)
{
	struct pollfd *p = AUXP(struct pollfd);

	for (int i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = ev[i];
		p[i].revents = 0x5a5a;
	}
}

static void
scen_pipe_basics(struct ctx *ctx)
{
	int fds[3] = { 0, 1, 2 };
	short ev[3] = { POLLIN, POLLOUT, POLLIN | POLLOUT };

	SO(8, SYS_pipe2, BUF, O_NONBLOCK);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_fcntl, 0, F_GETFL);
	S(SYS_fcntl, 1, F_GETFL);
	S(SYS_read, 0, BUF, 10);			/* EAGAIN */
	setpoll(ctx, 2, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 2, 0);
	S(SYS_write, 1, "hello", 5);
	SO(4, SYS_ioctl, 0, FIONREAD, BUF);
	setpoll(ctx, 2, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 2, 0);
	SO(3, SYS_read, 0, BUF, 3);
	SO(4, SYS_ioctl, 0, FIONREAD, BUF);
	S(SYS_write, 0, "x", 1);			/* the read end */
	S(SYS_read, 1, BUF, 1);
	S(SYS_lseek, 0, 0, SEEK_SET);
	S(SYS_pread64, 0, BUF, 1, 0);
	S(SYS_pwrite64, 1, "x", 1, 0);
	S(SYS_ftruncate, 1, 0);
	S(SYS_fsync, 1);
	S(SYS_getdents64, 0, BUF, 100);
	DEV(-1, EINVAL, SYS_fchmod, 0, 0644);	/* deviation: pipe inodes */
	S(SYS_dup, 1);
	S(SYS_close, 1);
	SO(2, SYS_read, 0, BUF, 10);		/* the writer is still open */
	S(SYS_close, 2);
	S(SYS_read, 0, BUF, 10);			/* EOF */
	setpoll(ctx, 1, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 1, 0);
	SO(8, SYS_pipe, BUF);
	S(SYS_close, 1);
	S(SYS_write, 2, "x", 1);			/* EPIPE */
	fds[0] = 2;
	ev[0] = POLLOUT;
	setpoll(ctx, 1, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 1, 0);
	S(SYS_pipe2, BUF, O_CLOEXEC | O_DIRECT);
	S(SYS_fcntl, 1, F_GETFD);
	S(SYS_pipe2, BUF, 0x1);
	S(SYS_pipe2, BUF, O_APPEND);
}

/* Capacity and PIPE_BUF atomicity with non-blocking writers. */
static void
scen_pipe_capacity(struct ctx *ctx)
{
	long total = 0, n;

	S(SYS_pipe2, BUF, O_NONBLOCK);
	while ((n = ctx->fn(SYS_write, 1, PAT, 4096, 0, 0, 0)) > 0)
		total += n;
	NOTE(&total, sizeof(total));
	S(SYS_write, 1, PAT, 1);
	SO(4, SYS_ioctl, 0, FIONREAD, BUF);
	SO(4096, SYS_read, 0, BUF, 4096);
	S(SYS_write, 1, PAT, 4096);		/* a page free: fits */
	S(SYS_write, 1, PAT, 4096);
	SO(8192, SYS_read, 0, BUF, 8192);
	S(SYS_write, 1, PAT, 8192 + 100);	/* > PIPE_BUF: partial */
	S(SYS_write, 1, PAT, 100);
	SO(65536, SYS_read, 0, BUF, 65536);
	SO(65536, SYS_read, 0, BUF, 65536);
	S(SYS_read, 0, BUF, 65536);
	S(SYS_write, 1, PAT, 100000);		/* partial */
	S(SYS_write, 1, PAT, 100000);
	SO(65536, SYS_read, 0, BUF, 65536);
	S(SYS_close, 0);
	S(SYS_write, 1, PAT, 10);
	SN(N_STAT, SYS_fstat, 1, BUF);
}

static void
scen_fifo(struct ctx *ctx)
{
	int fds[2] = { 0, 1 };
	short ev[2] = { POLLIN, POLLOUT };

	S(SYS_mknod, "p", S_IFIFO | 0644, 0);
	S(SYS_open, "p", O_WRONLY | O_NONBLOCK);	/* no reader: ENXIO */
	S(SYS_open, "p", O_RDONLY | O_NONBLOCK);
	S(SYS_open, "p", O_WRONLY | O_NONBLOCK);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_read, 0, BUF, 10);
	S(SYS_write, 1, "fifo", 4);
	SO(4, SYS_ioctl, 0, FIONREAD, BUF);
	setpoll(ctx, 2, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 2, 0);
	SO(4, SYS_read, 0, BUF, 10);
	S(SYS_lseek, 0, 0, SEEK_CUR);
	S(SYS_pread64, 0, BUF, 1, 0);
	S(SYS_fallocate, 1, 0, 0, 1);
	S(SYS_ftruncate, 1, 0);
	S(SYS_truncate, "p", 0);
	S(SYS_close, 1);
	S(SYS_read, 0, BUF, 10);			/* writer gone: EOF */
	setpoll(ctx, 1, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 1, 0);
	S(SYS_open, "p", O_RDWR);			/* never waits */
	S(SYS_write, 1, "ab", 2);
	SO(2, SYS_read, 0, BUF, 2);
	S(SYS_close, 0);
	S(SYS_close, 1);
	S(SYS_open, "p", O_WRONLY | O_NONBLOCK);
	S(SYS_open, "p", O_RDONLY | O_NONBLOCK | O_TRUNC);
	S(SYS_open, "p", O_PATH);
	S(SYS_read, 1, BUF, 1);
	SN(N_STAT, SYS_fstat, 1, BUF);
	SN(N_STAT, SYS_stat, "p", BUF);
}

static void
scen_poll_select(struct ctx *ctx)
{
	fd_set *sets = AUXP(fd_set);
	struct timeval *tv = (struct timeval *)(void *)(ctx->buf + PD_AUXOFF + 384);
	int fds[4] = { 0, 1, 5, -1 };
	short ev[4] = { POLLIN | POLLPRI, POLLOUT, POLLIN, POLLIN };

	S(SYS_pipe2, BUF, O_NONBLOCK);
	pd_mkfile(ctx, "f", 0644, 10);
	S(SYS_open, "f", O_RDWR);
	setpoll(ctx, 4, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 4, 0);
	fds[2] = 2;
	setpoll(ctx, 4, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 4, 10);		/* ready: no wait */
	setpoll(ctx, 1, fds, ev);
	SN(N_AUX, SYS_poll, AUX, 1, 20);		/* times out */
	S(SYS_poll, 0, 0, 0);
	S(SYS_poll, AUX, 1 << 30, 0);
	memset(sets, 0, 3 * 128);
	FD_SET(0, &sets[0]);
	FD_SET(1, &sets[1]);
	FD_SET(2, &sets[0]);
	FD_SET(0, &sets[2]);
	tv->tv_sec = 0;
	tv->tv_usec = 0;
	SN(N_SELECT, SYS_select, 3, AUX, AUX + 128, AUX + 256, AUX + 384);
	PREP(SYS_write, 1, "x", 1);
	memset(sets, 0, 3 * 128);
	FD_SET(0, &sets[0]);
	tv->tv_usec = 1000;
	SN(N_SELECT, SYS_select, 1, AUX, 0, 0, AUX + 384);
	memset(sets, 0, 3 * 128);
	FD_SET(7, &sets[0]);
	SN(N_SELECT, SYS_select, 8, AUX, 0, 0, AUX + 384);
	tv->tv_usec = -1;
	S(SYS_select, 1, AUX, 0, 0, AUX + 384);
	S(SYS_select, -1, 0, 0, 0, AUX + 384);
	tv->tv_sec = 0;
	tv->tv_usec = 10000;
	memset(sets, 0, 3 * 128);
	FD_SET(1, &sets[0]);			/* the write end: never readable */
	SN(N_SELECT, SYS_select, 2, AUX, 0, 0, AUX + 384);
}

static void
scen_dup_offsets(struct ctx *ctx)
{
	S(SYS_open, "f", O_RDWR | O_CREAT, 0644);
	S(SYS_dup, 0);
	S(SYS_write, 0, "abcdef", 6);
	S(SYS_lseek, 1, 0, SEEK_CUR);		/* shared: 6 */
	S(SYS_lseek, 1, 2, SEEK_SET);
	SO(2, SYS_read, 0, BUF, 2);
	S(SYS_dup2, 0, 5);
	S(SYS_lseek, 5, 0, SEEK_CUR);
	S(SYS_open, "f", O_RDONLY);		/* a new description: offset 0 */
	SO(3, SYS_read, 2, BUF, 3);
	S(SYS_lseek, 0, 0, SEEK_CUR);
	S(SYS_dup3, 2, 1, O_CLOEXEC);		/* replaces 1 */
	S(SYS_fcntl, 1, F_GETFD);
	S(SYS_lseek, 1, 0, SEEK_CUR);
	S(SYS_dup3, 2, 2, 0);
	S(SYS_dup3, 2, 3, 0x1);
	S(SYS_dup2, 2, 2);
	S(SYS_dup2, 9, 9);
	S(SYS_fcntl, 0, F_DUPFD, 3);
	S(SYS_fcntl, 0, F_DUPFD_CLOEXEC, 0);
	S(SYS_fcntl, 4, F_GETFD);
	S(SYS_fcntl, 0, F_SETFL, O_APPEND | O_RDONLY | O_TRUNC);
	S(SYS_fcntl, 5, F_GETFL);			/* shared status flags */
	S(SYS_close_range, 3, 4, 0);
	S(SYS_fcntl, 3, F_GETFD);
	S(SYS_fcntl, 5, F_GETFD);
	S(SYS_close_range, 0, ~0U, CLOSE_RANGE_CLOEXEC);
	S(SYS_fcntl, 0, F_GETFD);
	S(SYS_fcntl, 5, F_GETFD);
	S(SYS_close_range, 5, 2, 0);
	S(SYS_close_range, 0, 1, 0x10);
	S(SYS_close_range, 100, 200, 0);
	S(SYS_close_range, 1, ~0U, CLOSE_RANGE_UNSHARE);
	S(SYS_fcntl, 0, F_GETFD);
	S(SYS_fcntl, 1, F_GETFD);
	S(SYS_fcntl, 5, F_GETFD);
	S(SYS_dup, 0);
}

static void
scen_emfile(struct ctx *ctx)
{
	struct rlimit rl = { 6, 6 };
	long n = 0;

	S(SYS_setrlimit, RLIMIT_NOFILE, &rl);
	while (ctx->fn(SYS_open, (long)".", O_RDONLY, 0, 0, 0, 0) >= 0)
		n++;
	NOTE(&n, sizeof(n));
	S(SYS_open, ".", O_RDONLY);
	S(SYS_open, "new", O_RDWR | O_CREAT, 0644);	/* EMFILE, no file */
	S(SYS_access, "new", F_OK);
	S(SYS_dup, 0);
	S(SYS_fcntl, 0, F_DUPFD, 0);
	S(SYS_fcntl, 0, F_DUPFD, 6);
	S(SYS_dup2, 0, 6);
	S(SYS_dup2, 0, 5);
	S(SYS_pipe, BUF);
	S(SYS_close, 5);
	S(SYS_pipe, BUF);
	S(SYS_close, 4);
	SO(8, SYS_pipe, BUF);
	S(SYS_eventfd2, 0, 0);
}

/* fcntl record locks between two processes. */
static void
lk_set(struct ctx *ctx, short type, long start, long len)
{
	struct flock *fl = AUXP(struct flock);

	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = start;
	fl->l_len = len;
}

static void
lk_grandchild(struct ctx *ctx)
{
	lk_set(ctx, F_WRLCK, 25, 1);
	SN(N_FLOCK, SYS_fcntl, 0, F_GETLK, AUX);	/* the child's lock */
	lk_set(ctx, F_RDLCK, 0, 0);
	SN(N_FLOCK, SYS_fcntl, 0, F_GETLK, AUX);
}

static void
lk_child(struct ctx *ctx)
{
	lk_set(ctx, F_WRLCK, 5, 1);
	S(SYS_fcntl, 0, F_SETLK, AUX);			/* EAGAIN */
	lk_set(ctx, F_RDLCK, 5, 1);
	S(SYS_fcntl, 0, F_SETLK, AUX);			/* a read lock there */
	lk_set(ctx, F_WRLCK, 0, 0);
	SN(N_FLOCK, SYS_fcntl, 0, F_GETLK, AUX);	/* the parent's */
	lk_set(ctx, F_WRLCK, 12, 3);
	SN(N_FLOCK, SYS_fcntl, 0, F_GETLK, AUX);
	lk_set(ctx, F_WRLCK, 20, 10);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	pd_sub(ctx, lk_grandchild);
	S(SYS_flock, 0, LOCK_EX | LOCK_NB);		/* the same open file */
	S(SYS_open, "lk", O_RDWR);
	S(SYS_flock, 1, LOCK_SH | LOCK_NB);
	S(SYS_flock, 1, LOCK_EX | LOCK_NB);
	S(SYS_flock, 1, LOCK_UN);
}

static void
scen_record_locks(struct ctx *ctx)
{
	pd_mkfile(ctx, "lk", 0644, 100);
	S(SYS_open, "lk", O_RDWR);
	lk_set(ctx, F_WRLCK, 0, 10);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, F_RDLCK, 10, 5);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, F_WRLCK, 0, 0);
	SN(N_FLOCK, SYS_fcntl, 0, F_GETLK, AUX);	/* own locks: none */
	S(SYS_flock, 0, LOCK_SH);
	pd_sub(ctx, lk_child);
	lk_set(ctx, F_WRLCK, 0, 0);
	SN(N_FLOCK, SYS_fcntl, 0, F_GETLK, AUX);	/* the child exited */
	lk_set(ctx, F_UNLCK, 0, 0);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, 99, 0, 0);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, F_WRLCK, -5, 1);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, F_WRLCK, 10, -20);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, F_WRLCK, 10, -5);
	S(SYS_fcntl, 0, F_SETLK, AUX);
	lk_set(ctx, F_UNLCK, 0, 0);
	S(SYS_fcntl, 0, F_GETLK, AUX);
	S(SYS_open, "lk", O_RDONLY);
	lk_set(ctx, F_WRLCK, 0, 1);
	S(SYS_fcntl, 1, F_SETLK, AUX);			/* EBADF: not writable */
	S(SYS_flock, 1, LOCK_EX | LOCK_NB);		/* flock doesn't care */
	S(SYS_flock, 1, 99);
	S(SYS_flock, 99, LOCK_SH);
	S(SYS_pipe, BUF);
	/* deviation: no locks on anonymous pipes */
	DEV(-1, EINVAL, SYS_flock, 2, LOCK_SH);
	lk_set(ctx, F_RDLCK, 0, 1);
	DEV(-1, EINVAL, SYS_fcntl, 2, F_SETLK, AUX);
}

static void
scen_devices(struct ctx *ctx)
{
	S(SYS_open, "/dev/null", O_RDWR);
	S(SYS_write, 0, PAT, 1000);
	S(SYS_read, 0, BUF, 100);
	S(SYS_lseek, 0, 100, SEEK_SET);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_open, "/dev/zero", O_RDWR);
	SO(100, SYS_read, 1, BUF, 100);
	S(SYS_write, 1, PAT, 100);
	S(SYS_lseek, 1, 100, SEEK_SET);
	S(SYS_pread64, 1, BUF, 10, 5);
	S(SYS_open, "/dev/full", O_RDWR);
	S(SYS_write, 2, PAT, 100);
	S(SYS_write, 2, PAT, 0);
	SO(10, SYS_read, 2, BUF, 10);
	SN(N_STAT, SYS_stat, "/dev/full", BUF);
	S(SYS_ftruncate, 0, 0);
	S(SYS_open, "/dev/null", O_RDONLY | O_DIRECTORY);
	S(SYS_open, "/dev/null", O_WRONLY | O_TRUNC);
	S(SYS_getdents64, 0, BUF, 100);
	S(SYS_fsync, 0);
	S(SYS_open, "/dev/zero", O_WRONLY | O_APPEND);
	S(SYS_write, 4, "x", 1);
}

static void
scen_statx(struct ctx *ctx)
{
	pd_mkfile(ctx, "f", 0640, 100);
	S(SYS_mkdir, "d", 0755);
	S(SYS_symlink, "f", "sl");
	SN(N_STATX, SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BUF);
	SN(N_STATX, SYS_statx, AT_FDCWD, "d", 0, STATX_BASIC_STATS, BUF);
	SN(N_STATX, SYS_statx, AT_FDCWD, "sl", 0, STATX_MODE, BUF);
	SN(N_STATX, SYS_statx, AT_FDCWD, "sl", AT_SYMLINK_NOFOLLOW,
	    STATX_SIZE, BUF);
	SN(N_STATX, SYS_statx, AT_FDCWD, "f", 0, 0, BUF);
	S(SYS_statx, AT_FDCWD, "f", 0, 0x80000000U, BUF);
	S(SYS_statx, AT_FDCWD, "f", 0x6000, STATX_BASIC_STATS, BUF);
	S(SYS_statx, AT_FDCWD, "f", 0x1, STATX_BASIC_STATS, BUF);
	S(SYS_statx, AT_FDCWD, "nx", 0, STATX_BASIC_STATS, BUF);
	S(SYS_statx, AT_FDCWD, "", 0, STATX_BASIC_STATS, BUF);
	S(SYS_open, "f", O_RDONLY);
	SN(N_STATX, SYS_statx, 0, "", AT_EMPTY_PATH, STATX_BASIC_STATS, BUF);
	SN(N_STATX, SYS_statx, 0, 0, AT_EMPTY_PATH, STATX_BASIC_STATS, BUF);
	S(SYS_statx, 99, "", AT_EMPTY_PATH, STATX_BASIC_STATS, BUF);
	S(SYS_statx, 0, "x", 0, STATX_BASIC_STATS, BUF);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_fstat, 99, BUF);
	SN(N_STAT, SYS_newfstatat, AT_FDCWD, "d/", BUF, 0);
	S(SYS_newfstatat, AT_FDCWD, "f/", BUF, 0);
	S(SYS_newfstatat, AT_FDCWD, "sl/", BUF, AT_SYMLINK_NOFOLLOW);
}

DIFF(pipe_basics)
DIFF(pipe_capacity)
DIFF(fifo)
DIFF(poll_select)
DIFF(dup_offsets)
DIFF(emfile)
DIFF(record_locks)
DIFF(devices)
DIFF(statx)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_pipe_basics),
	T(diff_pipe_capacity),
	T(diff_fifo),
	T(diff_poll_select),
	T(diff_dup_offsets),
	T(diff_emfile),
	T(diff_record_locks),
	T(diff_devices),
	T(diff_statx),
	T(totals),
)

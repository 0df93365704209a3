/*
 * Differential tests against Linux: names and files.  A matrix of every
 * path-taking call against every kind of path (files, directories,
 * symlinks good, dangling, looping and 41 deep, FIFOs, trailing slashes,
 * ".", "..", empty, NAME_MAX and PATH_MAX), then open flags, reads and
 * writes, offsets, holes, truncation and big files.  See posix_diff.h.
 */
#include "posix_diff.h"

#include <sys/uio.h>

static char name255[256], name256[257], path4095[4096], path4096[4097];

static void
names_init(void)
{
	memset(name255, 'n', 255);
	memset(name256, 'm', 256);
	for (int i = 0; i < 2047; i++)
		memcpy(path4095 + 2 * i, "./", 2);
	path4095[4094] = 'f';
	for (int i = 0; i < 2048; i++)
		memcpy(path4096 + 2 * i, "./", 2);
}

/*
 * The paths every operation meets: all relative, so that nothing outside
 * the scenario's directory is ever touched on the host.
 */
static const char *const paths[] = {
	"f", "f/", "f/.", "f/x", "d", "d/", "d/.", "d/..", "dn", "dn/", "nx",
	"nx/", "nx/y", "sf", "sf/", "sd", "sd/", "dang", "dang/", "loop",
	"loop/", "c00", "c01", "p", ".", "..", "", "d/../f", "sd/../f",
	"sd//", ".//d", name255, name256, path4095, path4096,
};
#define NPATHS	(sizeof(paths) / sizeof(paths[0]))

static void
fixture(struct ctx *ctx)
{
	char a[32], b[32];

	pd_mkfile(ctx, "f", 0644, 5);
	pd_mkfile(ctx, "f2", 0644, 3);
	PREP(SYS_mkdir, "d", 0755);
	PREP(SYS_mkdir, "d2", 0755);
	PREP(SYS_mkdir, "dn", 0755);
	pd_mkfile(ctx, "dn/x", 0644, 1);
	PREP(SYS_symlink, "f", "sf");
	PREP(SYS_symlink, "d", "sd");
	PREP(SYS_symlink, "nx", "dang");
	PREP(SYS_symlink, "loop", "loop");
	PREP(SYS_mknod, "p", S_IFIFO | 0644, 0);
	/* c00 -> c01 -> … -> c40 -> f: c00 takes 41 links, c01 40 */
	for (int i = 0; i <= 40; i++) {
		snprintf(a, sizeof(a), "c%02d", i);
		if (i == 40)
			snprintf(b, sizeof(b), "f");
		else
			snprintf(b, sizeof(b), "c%02d", i + 1);
		PREP(SYS_symlink, b, a);
	}
}

enum op {
	OP_OPEN_R, OP_OPEN_W, OP_OPEN_RW_CREAT, OP_OPEN_EXCL, OP_OPEN_DIR,
	OP_OPEN_NOFOLLOW, OP_OPEN_PATH, OP_OPEN_PATH_NOFOLLOW, OP_OPEN_TRUNC,
	OP_OPEN_NB_W, OP_CREAT, OP_STAT, OP_LSTAT, OP_STAT_EMPTY, OP_STATX,
	OP_ACCESS, OP_ACCESS_RW, OP_FACCESSAT2_NOFOLLOW, OP_MKDIR, OP_RMDIR,
	OP_UNLINK, OP_UNLINKAT_DIR, OP_RENAME_FROM, OP_RENAME_FILE_TO,
	OP_RENAME_DIR_TO, OP_RENAME_NOREPLACE, OP_RENAME_EXCHANGE, OP_LINK_FROM,
	OP_LINK_FOLLOW, OP_LINK_TO, OP_SYMLINK_TO, OP_READLINK, OP_CHMOD,
	OP_CHOWN, OP_LCHOWN, OP_UTIMENS, OP_UTIMENS_NOFOLLOW, OP_TRUNCATE,
	OP_MKNOD_FIFO, OP_MKNOD_REG, OP_CHDIR, OP_STATFS, OP_OPENAT_DIRFD,
	OP_MKDIRAT_FILEFD, NOPS
};

static const char *const opnames[] = {
	"open_r", "open_w", "open_rw_creat", "open_excl", "open_dir",
	"open_nofollow", "open_path", "open_path_nofollow", "open_trunc",
	"open_nb_w", "creat", "stat", "lstat", "stat_empty", "statx",
	"access", "access_rw", "faccessat2_nofollow", "mkdir", "rmdir",
	"unlink", "unlinkat_dir", "rename_from", "rename_file_to",
	"rename_dir_to", "rename_noreplace", "rename_exchange", "link_from",
	"link_follow", "link_to", "symlink_to", "readlink", "chmod",
	"chown", "lchown", "utimens", "utimens_nofollow", "truncate",
	"mknod_fifo", "mknod_reg", "chdir", "statfs", "openat_dirfd",
	"mkdirat_filefd",
};

static void
closeif(struct ctx *ctx, long fd)
{
	if (fd >= 0)
		PREP(SYS_close, fd);
}

static void
do_open(struct ctx *ctx, const char *p, int flags)
{
	long fd = S(SYS_openat, AT_FDCWD, p, flags | O_NONBLOCK, 0640);

	if (fd >= 0) {
		SO(16, SYS_fcntl, fd, F_GETFL);
		SN(N_STAT, SYS_fstat, fd, BUF);
	}
	closeif(ctx, fd);
}

static void
do_op(struct ctx *ctx, int op, const char *p)
{
	static const struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	long fd;

	switch (op) {
	case OP_OPEN_R: do_open(ctx, p, O_RDONLY); break;
	case OP_OPEN_W: do_open(ctx, p, O_WRONLY | O_NONBLOCK); break;
	case OP_OPEN_RW_CREAT: do_open(ctx, p, O_RDWR | O_CREAT); break;
	case OP_OPEN_EXCL: do_open(ctx, p, O_WRONLY | O_CREAT | O_EXCL); break;
	case OP_OPEN_DIR: do_open(ctx, p, O_RDONLY | O_DIRECTORY); break;
	case OP_OPEN_NOFOLLOW: do_open(ctx, p, O_RDONLY | O_NOFOLLOW); break;
	case OP_OPEN_PATH: do_open(ctx, p, O_PATH); break;
	case OP_OPEN_PATH_NOFOLLOW: do_open(ctx, p, O_PATH | O_NOFOLLOW); break;
	case OP_OPEN_TRUNC: do_open(ctx, p, O_WRONLY | O_TRUNC | O_NONBLOCK); break;
	case OP_OPEN_NB_W: do_open(ctx, p, O_RDWR | O_NONBLOCK | O_APPEND); break;
	case OP_CREAT:		/* creat(2) of a FIFO would wait for a reader */
		if (strcmp(p, "p") != 0)
			closeif(ctx, S(SYS_creat, p, 0600));
		break;
	case OP_STAT:
		SN(N_STAT, SYS_newfstatat, AT_FDCWD, p, BUF, 0);
		break;
	case OP_LSTAT:
		SN(N_STAT, SYS_newfstatat, AT_FDCWD, p, BUF, AT_SYMLINK_NOFOLLOW);
		break;
	case OP_STAT_EMPTY:
		SN(N_STAT, SYS_newfstatat, AT_FDCWD, p, BUF, AT_EMPTY_PATH);
		break;
	case OP_STATX:
		SN(N_STATX, SYS_statx, AT_FDCWD, p, AT_SYMLINK_NOFOLLOW,
		    STATX_BASIC_STATS, BUF);
		break;
	case OP_ACCESS: S(SYS_access, p, F_OK); break;
	case OP_ACCESS_RW: S(SYS_access, p, R_OK | W_OK | X_OK); break;
	case OP_FACCESSAT2_NOFOLLOW:
		S(SYS_faccessat2, AT_FDCWD, p, R_OK, AT_SYMLINK_NOFOLLOW);
		break;
	case OP_MKDIR: S(SYS_mkdir, p, 0700); break;
	case OP_RMDIR: S(SYS_rmdir, p); break;
	case OP_UNLINK: S(SYS_unlink, p); break;
	case OP_UNLINKAT_DIR: S(SYS_unlinkat, AT_FDCWD, p, AT_REMOVEDIR); break;
	case OP_RENAME_FROM:
		if (S(SYS_rename, p, "new") == 0)
			PREP(SYS_rename, "new", p);
		break;
	case OP_RENAME_FILE_TO:
		if (S(SYS_rename, "f2", p) == 0)
			pd_mkfile(ctx, "f2", 0644, 3);
		break;
	case OP_RENAME_DIR_TO:
		if (S(SYS_rename, "d2", p) == 0)
			PREP(SYS_mkdir, "d2", 0755);
		break;
	case OP_RENAME_NOREPLACE:
		S(SYS_renameat2, AT_FDCWD, "f2", AT_FDCWD, p, RENAME_NOREPLACE);
		S(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, "f2", RENAME_NOREPLACE);
		break;
	case OP_RENAME_EXCHANGE:
		S(SYS_renameat2, AT_FDCWD, "f2", AT_FDCWD, p, RENAME_EXCHANGE);
		S(SYS_renameat2, AT_FDCWD, "d2", AT_FDCWD, p, RENAME_EXCHANGE);
		break;
	case OP_LINK_FROM:
		if (S(SYS_link, p, "new") == 0)
			PREP(SYS_unlink, "new");
		break;
	case OP_LINK_FOLLOW:
		if (S(SYS_linkat, AT_FDCWD, p, AT_FDCWD, "new",
		    AT_SYMLINK_FOLLOW) == 0)
			PREP(SYS_unlink, "new");
		break;
	case OP_LINK_TO: S(SYS_link, "f", p); break;
	case OP_SYMLINK_TO: S(SYS_symlink, "target", p); break;
	case OP_READLINK: SO(64, SYS_readlink, p, BUF, 64); break;
	case OP_CHMOD: S(SYS_chmod, p, 0751); break;
	case OP_CHOWN: S(SYS_chown, p, 7, 8); break;
	case OP_LCHOWN: S(SYS_lchown, p, 9, -1); break;
	case OP_UTIMENS: S(SYS_utimensat, AT_FDCWD, p, ts, 0); break;
	case OP_UTIMENS_NOFOLLOW:
		S(SYS_utimensat, AT_FDCWD, p, 0, AT_SYMLINK_NOFOLLOW);
		break;
	case OP_TRUNCATE: S(SYS_truncate, p, 2); break;
	case OP_MKNOD_FIFO: S(SYS_mknod, p, S_IFIFO | 0600, 0); break;
	case OP_MKNOD_REG: S(SYS_mknod, p, 0640, 0); break;
	case OP_CHDIR:
		fd = PREP(SYS_open, ".", O_RDONLY | O_DIRECTORY);
		if (S(SYS_chdir, p) == 0)
			SN(N_CWD, SYS_getcwd, BUF, 4096);
		PREP(SYS_fchdir, fd);
		PREP(SYS_close, fd);
		break;
	case OP_STATFS: SN(N_STATFS, SYS_statfs, p, BUF); break;
	case OP_OPENAT_DIRFD:
		fd = PREP(SYS_open, "d", O_RDONLY | O_DIRECTORY);
		closeif(ctx, S(SYS_openat, fd, p, O_RDONLY));
		PREP(SYS_close, fd);
		break;
	case OP_MKDIRAT_FILEFD:
		fd = PREP(SYS_open, "f", O_RDONLY);
		S(SYS_mkdirat, fd, p, 0755);
		S(SYS_unlinkat, fd, p, 0);
		PREP(SYS_close, fd);
		break;
	}
}

/* Every operation on every kind of path, each operation in a fresh copy. */
static void
matrix(struct ctx *ctx, int first, int last)
{
	char dir[32];

	if (path4095[0] == 0)
		names_init();
	for (int op = first; op < last; op++) {
		snprintf(dir, sizeof(dir), "o%02d", op);
		PREP(SYS_mkdir, dir, 0755);
		PREP(SYS_chdir, dir);
		fixture(ctx);
		for (size_t i = 0; i < NPATHS; i++) {
			TAG("%s %.40s", opnames[op], paths[i]);
			do_op(ctx, op, paths[i]);
		}
		PREP(SYS_chdir, "..");
	}
	TAG("%s", "");
}

static void scen_matrix_open(struct ctx *ctx) { matrix(ctx, OP_OPEN_R, OP_STAT); }
static void scen_matrix_stat(struct ctx *ctx) { matrix(ctx, OP_STAT, OP_MKDIR); }
static void scen_matrix_names(struct ctx *ctx) { matrix(ctx, OP_MKDIR, OP_READLINK); }
static void scen_matrix_attrs(struct ctx *ctx) { matrix(ctx, OP_READLINK, NOPS); }

/* ------------------------------------------------------------ open flags */

static void
scen_open_flags(struct ctx *ctx)
{
	S(SYS_open, "a", O_WRONLY | O_CREAT | O_EXCL, 0644);
	S(SYS_open, "a", O_WRONLY | O_CREAT | O_EXCL, 0644);
	S(SYS_write, 0, "hello world", 11);
	S(SYS_open, "a", O_RDONLY | O_TRUNC);		/* truncates: root */
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_write, 0, "xy", 2);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_open, "a", O_ACCMODE);
	S(SYS_open, "a", O_RDONLY | O_DIRECTORY);
	S(SYS_open, ".", O_RDONLY | O_DIRECTORY | O_CREAT, 0644);
	S(SYS_open, "b/", O_RDONLY | O_CREAT, 0644);
	S(SYS_open, ".", O_WRONLY);
	S(SYS_open, ".", O_RDWR);
	S(SYS_open, ".", O_RDONLY);
	S(SYS_symlink, "target", "dangling");
	S(SYS_open, "dangling", O_WRONLY | O_CREAT, 0600);	/* makes target */
	S(SYS_open, "dangling", O_WRONLY | O_CREAT | O_EXCL, 0600);
	S(SYS_symlink, "sub/x", "dangling2");
	S(SYS_open, "dangling2", O_WRONLY | O_CREAT, 0600);
	S(SYS_open, "dangling", O_RDONLY | O_NOFOLLOW);
	S(SYS_open, "dangling", O_PATH | O_NOFOLLOW);
	SN(N_STAT, SYS_fstat, 10, BUF);
	SO(8, SYS_fcntl, 10, F_GETFL);
	S(SYS_read, 10, BUF, 4);
	S(SYS_write, 10, "x", 1);
	S(SYS_fchmod, 10, 0600);
	S(SYS_fchown, 10, 1, 1);
	S(SYS_ftruncate, 10, 0);
	S(SYS_fstatfs, 10, BUF);
	S(SYS_dup, 10);
	S(SYS_lseek, 10, 0, SEEK_SET);
	S(SYS_getdents64, 10, BUF, 1024);
	S(SYS_open, ".", O_PATH | O_DIRECTORY);
	S(SYS_openat, 12, "a", O_RDONLY);
	S(SYS_fchdir, 12);
	S(SYS_fstat, 12, BUF);
	S(SYS_open, "a", O_PATH | O_WRONLY | O_TRUNC | O_CREAT, 0);
	SN(N_STAT, SYS_fstat, 14, BUF);
	S(SYS_open, "a", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	S(SYS_mkdir, "dir", 0755);
	S(SYS_open, "dir", O_RDWR | O_CREAT, 0644);
	S(SYS_open, "dir/", O_RDONLY | O_CREAT | O_EXCL, 0644);
	S(SYS_open, "new/", O_RDONLY | O_CREAT | O_EXCL, 0644);
	S(SYS_open, "dir/..", O_RDONLY | O_CREAT, 0644);
	S(SYS_open, "c", O_RDONLY | O_CREAT, 04777);
	SN(N_STAT, SYS_fstat, 15, BUF);
	S(SYS_open, "e", O_WRONLY | O_CREAT | O_APPEND | O_SYNC | O_DSYNC, 0644);
	SO(8, SYS_fcntl, 16, F_GETFL);
	S(SYS_fcntl, 16, F_SETFL, O_RDONLY | O_NONBLOCK | O_NOATIME);
	SO(8, SYS_fcntl, 16, F_GETFL);
	S(SYS_open, "f", O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	S(SYS_fcntl, 17, F_GETFD);
	S(SYS_openat, 99, "a", O_RDONLY);
	S(SYS_openat, 0, "a", O_RDONLY);	/* a file as dirfd */
	S(SYS_openat, 0, "/", O_RDONLY);	/* absolute: dirfd unused */
	S(SYS_openat, 99, "/", O_RDONLY);
	S(SYS_openat, 0, "", O_RDONLY);
	S(SYS_open, "a", O_RDONLY | __O_TMPFILE);
	/* deviation: no O_TMPFILE */
	DEV(-1, EOPNOTSUPP, SYS_open, "dir", O_RDWR | O_TMPFILE, 0600);
	S(SYS_open, "f", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	SO(8, SYS_fcntl, 13, F_GETFL);
	S(SYS_open, "f", O_PATH | O_CLOEXEC | O_NOFOLLOW | O_RDWR | O_APPEND);
	SO(8, SYS_fcntl, 14, F_GETFL);
}

/* ------------------------------------------------------------ I/O */

static void
scen_rw_offsets(struct ctx *ctx)
{
	S(SYS_open, "a", O_RDWR | O_CREAT, 0644);
	S(SYS_write, 0, PAT, 100);
	S(SYS_lseek, 0, 0, SEEK_CUR);
	S(SYS_lseek, 0, -10, SEEK_END);
	SO(20, SYS_read, 0, BUF, 20);
	S(SYS_read, 0, BUF, 20);
	S(SYS_lseek, 0, -1, SEEK_SET);
	S(SYS_lseek, 0, 1, 99);
	S(SYS_lseek, 0, 200, SEEK_SET);
	S(SYS_read, 0, BUF, 20);
	S(SYS_write, 0, "Z", 1);
	SN(N_STAT, SYS_fstat, 0, BUF);
	SO(120, SYS_pread64, 0, BUF, 120, 90);
	SO(8, SYS_pread64, 0, BUF, 8, 195);
	S(SYS_pread64, 0, BUF, 8, -1);
	S(SYS_pwrite64, 0, "abc", 3, -5);
	S(SYS_pwrite64, 0, "abc", 3, 10);
	S(SYS_lseek, 0, 0, SEEK_CUR);		/* pwrite leaves it */
	S(SYS_read, 0, BUF, 0);
	S(SYS_write, 0, BUF, 0);
	S(SYS_read, 99, BUF, 1);
	S(SYS_lseek, 99, 0, SEEK_SET);
	S(SYS_lseek, 0, 0x7fffffffffffffffL, SEEK_SET);
	S(SYS_lseek, 0, 1, SEEK_CUR);
	S(SYS_lseek, 0, 0x7fffffffffffffffL, SEEK_END);
	/* read-only and write-only descriptors */
	S(SYS_open, "a", O_RDONLY);
	S(SYS_write, 1, "x", 1);
	S(SYS_pwrite64, 1, "x", 1, 0);
	S(SYS_ftruncate, 1, 0);
	S(SYS_fallocate, 1, 0, 0, 10);
	S(SYS_open, "a", O_WRONLY);
	S(SYS_read, 2, BUF, 1);
	S(SYS_pread64, 2, BUF, 1, 0);
	S(SYS_open, ".", O_RDONLY);
	S(SYS_read, 3, BUF, 10);
	S(SYS_pread64, 3, BUF, 10, 0);
	S(SYS_lseek, 3, 0, SEEK_END);
	S(SYS_lseek, 3, 0, SEEK_SET);
	S(SYS_ftruncate, 3, 0);
	S(SYS_fallocate, 3, 0, 0, 10);
	S(SYS_fsync, 3);
	S(SYS_fdatasync, 0);
	S(SYS_fsync, 99);
	S(SYS_sync);
}

static void
scen_vectored(struct ctx *ctx)
{
	struct iovec w[3] = { { pd_pat, 5 }, { pd_pat + 100, 0 }, { pd_pat + 50, 7 } };
	struct iovec r[3] = { { ctx->buf, 4 }, { ctx->buf + 4, 3 }, { ctx->buf + 7, 20 } };
	struct iovec bad[2] = { { pd_pat, 1 }, { pd_pat, (size_t)1 << 63 } };

	S(SYS_open, "v", O_RDWR | O_CREAT, 0644);
	S(SYS_writev, 0, w, 3);
	S(SYS_writev, 0, w, 0);
	S(SYS_writev, 0, w, -1);
	S(SYS_writev, 0, w, 1025);
	S(SYS_writev, 0, bad, 2);
	S(SYS_lseek, 0, 0, SEEK_SET);
	SO(27, SYS_readv, 0, r, 3);
	S(SYS_pwritev, 0, w, 3, 100, 0);
	SO(27, SYS_preadv, 0, r, 3, 98, 0);
	S(SYS_preadv, 0, r, 3, -1, -1);
	S(SYS_lseek, 0, 0, SEEK_CUR);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_readv, 99, r, 1);
	S(SYS_open, "v", O_WRONLY | O_APPEND);
	S(SYS_pwritev, 1, w, 3, 0, 0);		/* O_APPEND: at the end */
	S(SYS_pwrite64, 1, "tail", 4, 0);
	SN(N_STAT, SYS_fstat, 0, BUF);
	SO(140, SYS_pread64, 0, BUF, 140, 0);
}

static void
scen_append_two_writers(struct ctx *ctx)
{
	S(SYS_open, "log", O_WRONLY | O_CREAT | O_APPEND, 0644);
	S(SYS_open, "log", O_WRONLY | O_APPEND);
	S(SYS_open, "log", O_WRONLY);
	for (int i = 0; i < 6; i++) {
		S(SYS_write, i % 2, PAT + i * 10, 7 + i);
		S(SYS_lseek, i % 2, 0, SEEK_CUR);
	}
	S(SYS_write, 2, "OVER", 4);		/* not O_APPEND: at 0 */
	S(SYS_lseek, 2, 0, SEEK_CUR);
	S(SYS_lseek, 0, 0, SEEK_SET);
	S(SYS_write, 0, "E", 1);		/* still at the end */
	S(SYS_lseek, 0, 0, SEEK_CUR);
	S(SYS_fcntl, 2, F_SETFL, O_APPEND);
	S(SYS_write, 2, "A", 1);
	S(SYS_fcntl, 0, F_SETFL, 0);
	S(SYS_lseek, 0, 3, SEEK_SET);
	S(SYS_write, 0, "m", 1);
	S(SYS_open, "log", O_RDONLY);
	SO(80, SYS_read, 3, BUF, 200);
}

static void
scen_unlink_open(struct ctx *ctx)
{
	S(SYS_open, "u", O_RDWR | O_CREAT, 0644);
	S(SYS_write, 0, "before", 6);
	S(SYS_link, "u", "u2");
	S(SYS_unlink, "u");
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_unlink, "u2");
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_write, 0, "after", 5);
	SO(11, SYS_pread64, 0, BUF, 100, 0);
	S(SYS_ftruncate, 0, 3);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_fchmod, 0, 0600);
	S(SYS_linkat, 0, "", AT_FDCWD, "back", AT_EMPTY_PATH);
	S(SYS_open, "u", O_RDONLY);
	S(SYS_mkdir, "gone", 0755);
	S(SYS_open, "gone", O_RDONLY | O_DIRECTORY);
	S(SYS_rmdir, "gone");
	SN(N_STAT, SYS_fstat, 1, BUF);
	SN(N_DENTS, SYS_getdents64, 1, BUF, 4096);
	S(SYS_openat, 1, "x", O_RDWR | O_CREAT, 0644);
	S(SYS_mkdirat, 1, "y", 0755);
	S(SYS_openat, 1, ".", O_RDONLY);
	S(SYS_openat, 1, "..", O_RDONLY);
	S(SYS_fchdir, 1);
	S(SYS_open, ".", O_RDONLY);
	S(SYS_mkdir, "z", 0755);
	S(SYS_getcwd, BUF, 4096);
	S(SYS_chdir, "..");
	SN(N_CWD, SYS_getcwd, BUF, 4096);
}

static void
scen_truncate(struct ctx *ctx)
{
	S(SYS_open, "t", O_RDWR | O_CREAT, 0644);
	S(SYS_write, 0, PAT, 10000);
	S(SYS_ftruncate, 0, 5000);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_ftruncate, 0, 9000);
	SO(4000, SYS_pread64, 0, BUF, 4000, 4990);
	S(SYS_truncate, "t", 1);
	S(SYS_truncate, "t", -1);
	S(SYS_ftruncate, 0, -1);
	S(SYS_truncate, "nx", 1);
	S(SYS_truncate, "", 1);
	S(SYS_ftruncate, 99, 1);
	S(SYS_truncate, "t", 0x7fffffffffffffffL);
	SN(N_STAT_NOBLK, SYS_fstat, 0, BUF);
	S(SYS_truncate, "t", 0);
	S(SYS_fallocate, 0, 0, 0, 8192);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_fallocate, 0, 0, 100, 10);
	S(SYS_fallocate, 0, 0, 20000, 1);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_fallocate, 0, 0, -1, 10);
	S(SYS_fallocate, 0, 0, 0, 0);
	S(SYS_fallocate, 0, 0, 0, -1);
	S(SYS_fallocate, 0, 0, 0x7ffffffffffff000L, 0x2000);
	S(SYS_fallocate, 0, FALLOC_FL_KEEP_SIZE, 0, 40000);
	S(SYS_fallocate, 99, 0, 0, 1);
	S(SYS_pipe2, BUF, O_NONBLOCK);
	S(SYS_fallocate, 1, 0, 0, 10);
	S(SYS_ftruncate, 1, 0);
	S(SYS_ftruncate, 2, 0);
}

static void
scen_sparse(struct ctx *ctx)
{
	S(SYS_open, "s", O_RDWR | O_CREAT, 0644);
	S(SYS_pwrite64, 0, PAT, 100, 100000);
	SN(N_STAT_NOBLK, SYS_fstat, 0, BUF);
	SO(200, SYS_pread64, 0, BUF, 200, 99950);
	SO(100, SYS_pread64, 0, BUF, 100, 5000);
	S(SYS_lseek, 0, 0, SEEK_DATA);
	S(SYS_lseek, 0, 0, SEEK_HOLE);
	S(SYS_lseek, 0, 100050, SEEK_DATA);
	S(SYS_lseek, 0, 100050, SEEK_HOLE);
	S(SYS_lseek, 0, 100100, SEEK_DATA);
	S(SYS_lseek, 0, 100100, SEEK_HOLE);
	S(SYS_lseek, 0, -1, SEEK_DATA);
	S(SYS_pwrite64, 0, PAT, 10, 0);
	S(SYS_lseek, 0, 0, SEEK_DATA);
	S(SYS_lseek, 0, 0, SEEK_HOLE);
	S(SYS_lseek, 0, 5, SEEK_HOLE);
	S(SYS_lseek, 0, 8000, SEEK_DATA);
	S(SYS_ftruncate, 0, 300000);
	S(SYS_lseek, 0, 200000, SEEK_DATA);
	S(SYS_lseek, 0, 200000, SEEK_HOLE);
	SN(N_STAT_NOBLK, SYS_fstat, 0, BUF);
	S(SYS_mkdir, "dd", 0755);
	S(SYS_open, "dd", O_RDONLY);
	S(SYS_lseek, 1, 0, SEEK_DATA);
	S(SYS_lseek, 1, 0, SEEK_END);
	S(SYS_open, "e", O_RDWR | O_CREAT, 0644);
	S(SYS_lseek, 2, 0, SEEK_DATA);
	S(SYS_lseek, 2, 0, SEEK_HOLE);
}

static void
scen_big_file(struct ctx *ctx)
{
	long five = 5L << 30;

	S(SYS_open, "big", O_RDWR | O_CREAT, 0644);
	S(SYS_pwrite64, 0, PAT, 4096, five);
	SN(N_STAT_NOBLK, SYS_fstat, 0, BUF);
	SO(4096, SYS_pread64, 0, BUF, 4096, five);
	SO(64, SYS_pread64, 0, BUF, 64, five - 32);
	SO(64, SYS_pread64, 0, BUF, 64, 1L << 32);
	S(SYS_lseek, 0, 0, SEEK_END);
	S(SYS_lseek, 0, 0, SEEK_DATA);
	S(SYS_lseek, 0, five + 100, SEEK_HOLE);
	S(SYS_pwrite64, 0, "x", 1, 0x7ffffffffffffffeL);
	S(SYS_pwrite64, 0, "xy", 2, 0x7fffffffffffffffL);
	SN(N_STAT_NOBLK, SYS_fstat, 0, BUF);
	S(SYS_ftruncate, 0, five + 4096);
	SN(N_STAT_NOBLK, SYS_fstat, 0, BUF);
	S(SYS_ftruncate, 0, 10);
	SN(N_STAT, SYS_fstat, 0, BUF);
}

DIFF(matrix_open)
DIFF(matrix_stat)
DIFF(matrix_names)
DIFF(matrix_attrs)
DIFF(open_flags)
DIFF(rw_offsets)
DIFF(vectored)
DIFF(append_two_writers)
DIFF(unlink_open)
DIFF(truncate)
DIFF(sparse)
DIFF(big_file)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_matrix_open),
	T(diff_matrix_stat),
	T(diff_matrix_names),
	T(diff_matrix_attrs),
	T(diff_open_flags),
	T(diff_rw_offsets),
	T(diff_vectored),
	T(diff_append_two_writers),
	T(diff_unlink_open),
	T(diff_truncate),
	T(diff_sparse),
	T(diff_big_file),
	T(totals),
)

/*
 * Differential tests against Linux: directories and the name space.
 * rename's corner cases, readdir while entries go, getcwd and chdir,
 * link counts, mounts made inside the scenario (EXDEV, EBUSY, ENOSPC,
 * statfs).  See posix_diff.h.
 */
#include "posix_diff.h"

static void
scen_rename_cases(struct ctx *ctx)
{
	pd_mkfile(ctx, "a", 0644, 3);
	pd_mkfile(ctx, "b", 0644, 5);
	PREP(SYS_mkdir, "e", 0755);		/* empty */
	PREP(SYS_mkdir, "e2", 0755);
	PREP(SYS_mkdir, "n", 0755);		/* not empty */
	pd_mkfile(ctx, "n/x", 0644, 1);
	PREP(SYS_mkdir, "n/sub", 0755);
	PREP(SYS_link, "b", "b2");

	S(SYS_rename, "a", "b");		/* over a file */
	SN(N_STAT, SYS_stat, "b", BUF);
	S(SYS_rename, "b", "b2");		/* two links of one file */
	SN(N_STAT, SYS_stat, "b", BUF);
	S(SYS_rename, "b", "e");		/* file over dir */
	S(SYS_rename, "e", "b");		/* dir over file */
	S(SYS_rename, "e", "e2");		/* over an empty dir */
	SN(N_STAT, SYS_stat, ".", BUF);
	S(SYS_rename, "e2", "n");		/* over a non-empty one */
	S(SYS_rename, "n", "n/sub/deeper");	/* into itself */
	S(SYS_rename, "n", "n/sub");
	S(SYS_rename, "n/sub", "n");
	S(SYS_rename, "n/sub", ".");
	S(SYS_rename, "n/sub", "..");
	S(SYS_rename, ".", "x");
	S(SYS_rename, "..", "x");
	S(SYS_rename, "n/sub/.", "x");
	S(SYS_rename, "n/sub/", "n/sub2/");
	S(SYS_rename, "n/sub2", "n/sub3//");
	S(SYS_rename, "b/", "c");
	S(SYS_rename, "b", "c/");
	S(SYS_rename, "nx", "c");
	S(SYS_rename, "b", "nx/c");
	S(SYS_rename, "b", "b");
	S(SYS_rename, "n", "n");
	S(SYS_rename, "", "c");
	S(SYS_rename, "b", "");
	S(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "b2", RENAME_NOREPLACE);
	S(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "c", RENAME_NOREPLACE);
	S(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "e2", RENAME_EXCHANGE);
	SN(N_STAT, SYS_lstat, "c", BUF);
	SN(N_STAT, SYS_lstat, "e2", BUF);
	S(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "zz", RENAME_EXCHANGE);
	S(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "n/sub3", RENAME_EXCHANGE);
	SN(N_STAT, SYS_stat, "n", BUF);
	S(SYS_renameat2, AT_FDCWD, "n", AT_FDCWD, "n/x", RENAME_EXCHANGE);
	S(SYS_renameat2, AT_FDCWD, "n/x", AT_FDCWD, "n", RENAME_EXCHANGE);
	S(SYS_renameat2, AT_FDCWD, "e2", AT_FDCWD, "c",
	    RENAME_EXCHANGE | RENAME_NOREPLACE);
	S(SYS_renameat2, AT_FDCWD, "e2", AT_FDCWD, "c",
	    RENAME_WHITEOUT | RENAME_EXCHANGE);
	S(SYS_renameat2, AT_FDCWD, "e2", AT_FDCWD, "w", RENAME_WHITEOUT);
	SN(N_STAT, SYS_lstat, "e2", BUF);
	S(SYS_renameat2, AT_FDCWD, "nx", AT_FDCWD, "w2", RENAME_WHITEOUT);
	S(SYS_renameat2, AT_FDCWD, "w", AT_FDCWD, "e2",
	    RENAME_WHITEOUT | RENAME_NOREPLACE);
	S(SYS_renameat2, AT_FDCWD, "w", AT_FDCWD, "e2", RENAME_WHITEOUT);
	SN(N_STAT, SYS_lstat, "w", BUF);
	S(SYS_open, "w", O_RDONLY);
	S(SYS_rename, "e2", "w");
	S(SYS_unlink, "w");
	S(SYS_renameat2, AT_FDCWD, "e2", AT_FDCWD, "c", 0x80);
	S(SYS_open, "n", O_RDONLY | O_DIRECTORY);
	S(SYS_renameat, 0, "x", 0, "y");
	S(SYS_renameat, 0, "y", AT_FDCWD, "moved");
	S(SYS_renameat, 99, "y", AT_FDCWD, "moved");
	S(SYS_symlink, "n", "ln");
	S(SYS_rename, "ln", "ln2");		/* the link moves, not n */
	S(SYS_rename, "ln2/", "ln3");
	S(SYS_rename, "ln2", "moved");		/* symlink over a file */
	SN(N_STAT, SYS_lstat, "moved", BUF);
	S(SYS_mkdir, "d1", 0755);
	S(SYS_mkdir, "d1/d2", 0755);
	S(SYS_rename, "d1/d2", "d2");
	SN(N_STAT, SYS_stat, "d1", BUF);
	SN(N_STAT, SYS_stat, ".", BUF);
	S(SYS_rename, "d2", "d1/d2/..");
	S(SYS_rename, "d1", "d2/d1");
	SN(N_STAT, SYS_stat, "d2", BUF);
}

/* readdir while entries go: every name present throughout comes once. */
static void
scen_readdir_stable(struct ctx *ctx)
{
	char name[32], seen[200];
	int fd;

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "entry%03d", i);
		pd_mkfile(ctx, name, 0644, 0);
	}
	fd = (int)S(SYS_open, ".", O_RDONLY | O_DIRECTORY);
	for (int round = 0, more = 1; more || round < 40; round++) {
		long n = more ? ctx->fn(SYS_getdents64, fd, BUF, 150, 0, 0, 0) : 0;

		if (more && n <= 0) {
			NOTE(&n, sizeof(n));
			more = 0;
		}
		if (round >= 40 && !more)
			break;
		for (long off = 0; off < n;) {
			unsigned short reclen;
			const char *nm = (const char *)ctx->buf + off + 19;
			int idx;

			memcpy(&reclen, ctx->buf + off + 16, 2);
			off += reclen;
			if (sscanf(nm, "entry%d", &idx) == 1 && idx >= 0 &&
			    idx < 200 && seen[idx] < 100)
				seen[idx]++;
		}
		/* the same removals and additions on both sides, however
		 * the entries come in batches */
		if (round >= 40)
			continue;
		for (int k = 0; k < 3; k++) {
			int victim = (round * 37 + k * 61) % 200;

			if (victim % 5 == 0) {
				snprintf(name, sizeof(name), "entry%03d", victim);
				if (ctx->fn(SYS_unlink, (long)name, 0, 0, 0, 0,
				    0) == 0)
					seen[victim] += 100;	/* gone */
			}
		}
		snprintf(name, sizeof(name), "late%03d", round);
		pd_mkfile(ctx, name, 0644, 0);
	}
	/* survivors: exactly once; removed ones: at most once */
	for (int i = 0; i < 200; i++) {
		int ok = seen[i] < 100 ? seen[i] == 1 : seen[i] - 100 <= 1;

		if (!ok) {
			snprintf(name, sizeof(name), "entry%03d seen %d", i,
			    seen[i]);
			NOTE(name, strlen(name));
		}
	}
	S(SYS_lseek, fd, 0, SEEK_SET);
	SN(N_DENTS, SYS_getdents64, fd, BUF, 65536);
	S(SYS_getdents64, fd, BUF, 65536);
	S(SYS_lseek, fd, 0, SEEK_SET);
	S(SYS_getdents64, fd, BUF, 10);		/* too small for one */
	S(SYS_getdents64, fd, BUF, 24);		/* "." fits */
	S(SYS_getdents64, 99, BUF, 100);
	S(SYS_open, "entry001", O_RDONLY);
	S(SYS_getdents64, 1, BUF, 100);
	S(SYS_lseek, fd, -1, SEEK_SET);
	S(SYS_lseek, fd, 0, SEEK_END);
}

static void
scen_getcwd_chdir(struct ctx *ctx)
{
	SN(N_CWD, SYS_getcwd, BUF, 4096);
	S(SYS_getcwd, BUF, 1);
	S(SYS_getcwd, BUF, 0);
	S(SYS_mkdir, "a", 0755);
	S(SYS_mkdir, "a/b", 0755);
	S(SYS_chdir, "a/b");
	SN(N_CWD, SYS_getcwd, BUF, 4096);
	S(SYS_chdir, "../..");
	S(SYS_open, "a", O_RDONLY | O_DIRECTORY);
	S(SYS_open, "a", O_PATH);
	pd_mkfile(ctx, "f", 0644, 1);
	S(SYS_open, "f", O_RDONLY);
	S(SYS_fchdir, 0);
	SN(N_CWD, SYS_getcwd, BUF, 4096);
	S(SYS_fchdir, 1);			/* O_PATH is fine */
	S(SYS_fchdir, 2);
	S(SYS_fchdir, 99);
	S(SYS_chdir, "");
	S(SYS_chdir, "f");
	S(SYS_chdir, "nx");
	S(SYS_chdir, "b");
	SN(N_CWD, SYS_getcwd, BUF, 4096);
	S(SYS_rmdir, "b");			/* the cwd itself */
	S(SYS_chdir, "..");
	S(SYS_rmdir, "a/b");
	S(SYS_fchdir, 0);
	S(SYS_chdir, "b");
	S(SYS_mkdir, "b2", 0755);
	S(SYS_chdir, "b2");
	S(SYS_rmdir, "../b2");
	S(SYS_getcwd, BUF, 4096);
	S(SYS_open, ".", O_RDONLY);
	S(SYS_open, "x", O_RDWR | O_CREAT, 0644);
	S(SYS_mkdir, "y", 0755);
	SN(N_STAT, SYS_stat, ".", BUF);
	S(SYS_chdir, "..");
	SN(N_CWD, SYS_getcwd, BUF, 4096);
}

static void
scen_link_counts(struct ctx *ctx)
{
	SN(N_STAT, SYS_stat, ".", BUF);
	S(SYS_mkdir, "d", 0755);
	SN(N_STAT, SYS_stat, ".", BUF);
	for (int i = 0; i < 5; i++) {
		char n[32];

		snprintf(n, sizeof(n), "d/%d", i);
		S(SYS_mkdir, n, 0755);
	}
	pd_mkfile(ctx, "d/f", 0644, 0);
	SN(N_STAT, SYS_stat, "d", BUF);
	S(SYS_rmdir, "d/3");
	S(SYS_rename, "d/4", "d4");
	SN(N_STAT, SYS_stat, "d", BUF);
	SN(N_STAT, SYS_stat, ".", BUF);
	S(SYS_link, "d/f", "f1");
	S(SYS_link, "f1", "d4/f2");
	SN(N_STAT, SYS_stat, "d/f", BUF);
	S(SYS_link, "d", "d5");
	S(SYS_link, "nx", "f3");
	S(SYS_link, "f1", "nx/f3");
	S(SYS_link, "f1", "d4/f2");
	S(SYS_symlink, "d/f", "sl");
	S(SYS_link, "sl", "sl2");
	SN(N_STAT, SYS_lstat, "sl2", BUF);
	S(SYS_linkat, AT_FDCWD, "sl", AT_FDCWD, "sl3", AT_SYMLINK_FOLLOW);
	SN(N_STAT, SYS_lstat, "sl3", BUF);
	S(SYS_linkat, AT_FDCWD, "sl", AT_FDCWD, "sl4", 0x1);
	S(SYS_open, "f1", O_RDONLY);
	S(SYS_linkat, 0, "", AT_FDCWD, "byfd", AT_EMPTY_PATH);
	S(SYS_linkat, 0, "", AT_FDCWD, "byfd2", 0);
	SN(N_STAT, SYS_stat, "f1", BUF);
	S(SYS_symlink, "", "empty");
	S(SYS_symlink, "x", "");
	S(SYS_symlink, "x", "d/");
	S(SYS_symlink, "x", "newdir/");
	SO(16, SYS_readlink, "sl", BUF, 16);
	SO(3, SYS_readlink, "sl", BUF, 3);
	S(SYS_readlink, "sl", BUF, 0);
	S(SYS_readlink, "sl", BUF, -1);
	S(SYS_readlink, "d", BUF, 16);
	S(SYS_readlink, "", BUF, 16);
	S(SYS_readlinkat, 0, "", BUF, 16);
	S(SYS_open, "sl", O_PATH | O_NOFOLLOW);
	SO(16, SYS_readlinkat, 1, "", BUF, 16);
	SN(N_STAT, SYS_newfstatat, 1, "", BUF, AT_EMPTY_PATH);
	SN(N_STAT, SYS_newfstatat, 1, "", BUF, 0);
	S(SYS_newfstatat, AT_FDCWD, "sl", BUF, 0x4000);
}

/* ------------------------------------------------------------ mounts */

static void
scen_mount_exdev_ebusy(struct ctx *ctx)
{
	S(SYS_mkdir, "m", 0755);
	S(SYS_mount, "none", "m", "tmpfs", 0, "size=1m,mode=0755");
	SN(N_STAT, SYS_stat, "m", BUF);
	SN(N_STATFS, SYS_statfs, "m", BUF);
	pd_mkfile(ctx, "f", 0644, 10);
	S(SYS_mkdir, "m/d", 0755);
	S(SYS_rename, "f", "m/f");
	S(SYS_link, "f", "m/f");
	S(SYS_rename, "m/d", "d");
	S(SYS_renameat2, AT_FDCWD, "f", AT_FDCWD, "m/d", RENAME_EXCHANGE);
	S(SYS_rmdir, "m");
	S(SYS_rename, "m", "m2");
	S(SYS_unlink, "m");
	S(SYS_mkdir, "m", 0755);
	S(SYS_rename, "f", "m");
	S(SYS_open, "m/d", O_RDONLY | O_DIRECTORY);
	S(SYS_umount2, "m", 0);
	S(SYS_close, 0);
	S(SYS_chdir, "m/d");
	S(SYS_umount2, "../../m", 0);
	S(SYS_chdir, "../..");
	S(SYS_umount2, "m/d", 0);
	S(SYS_umount2, "nx", 0);
	S(SYS_umount2, "m", 0x100);
	S(SYS_umount2, "m", 0);
	S(SYS_umount2, "m", 0);
	SN(N_STAT, SYS_stat, "m", BUF);
	S(SYS_mount, "none", "f", "tmpfs", 0, "");
	S(SYS_mount, "none", "nx", "tmpfs", 0, "");
	S(SYS_mount, "none", "m", "nosuchfs", 0, "");
	S(SYS_setresuid, 1000, 1000, 0);
	S(SYS_mount, "none", "m", "tmpfs", 0, "");
	S(SYS_umount2, "m", 0);
}

static void
scen_mount_enospc(struct ctx *ctx)
{
	S(SYS_mkdir, "m", 0755);
	S(SYS_mount, "none", "m", "tmpfs", 0, "size=16k,nr_inodes=6");
	SN(N_STATFS, SYS_statfs, "m", BUF);
	S(SYS_open, "m/a", O_RDWR | O_CREAT, 0644);
	S(SYS_write, 0, PAT, 10000);
	S(SYS_write, 0, PAT, 10000);
	S(SYS_write, 0, PAT, 10000);
	SN(N_STAT, SYS_fstat, 0, BUF);
	S(SYS_pwrite64, 0, PAT, 100, 100000);
	S(SYS_fallocate, 0, 0, 0, 100000);
	S(SYS_ftruncate, 0, 1000000);
	S(SYS_ftruncate, 0, 0);
	S(SYS_write, 0, PAT, 8192);
	for (int i = 0; i < 8; i++) {
		char n[32];

		snprintf(n, sizeof(n), "m/n%d", i);
		S(SYS_mkdir, n, 0755);
	}
	S(SYS_symlink, "x", "m/sl");
	S(SYS_mknod, "m/fifo", S_IFIFO | 0644, 0);
	S(SYS_link, "m/a", "m/a2");
	S(SYS_open, "m/b", O_RDWR | O_CREAT, 0644);
	S(SYS_rmdir, "m/n0");
	S(SYS_open, "m/b", O_RDWR | O_CREAT, 0644);
	S(SYS_close, 0);
	S(SYS_umount2, "m", 0);
	S(SYS_close, 1);
	S(SYS_umount2, "m", 0);
	S(SYS_mount, "none", "m", "tmpfs", 0, "size=bogus");
	S(SYS_mount, "none", "m", "tmpfs", 0, "nosuchoption=1");
}

static void
scen_statfs(struct ctx *ctx)
{
	SN(N_STATFS, SYS_statfs, ".", BUF);
	S(SYS_statfs, "nx", BUF);
	S(SYS_statfs, "", BUF);
	S(SYS_open, ".", O_RDONLY);
	SN(N_STATFS, SYS_fstatfs, 0, BUF);
	S(SYS_fstatfs, 99, BUF);
	S(SYS_mkdir, "m", 0755);
	S(SYS_mount, "none", "m", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
	    "size=64k");
	SN(N_STATFS, SYS_statfs, "m", BUF);
	S(SYS_mkdir, "m/x", 0755);
	S(SYS_open, "m/y", O_WRONLY | O_CREAT, 0644);
	S(SYS_access, "m", W_OK);
	S(SYS_umount2, "m", 0);
}

/* Deep trees and long paths. */
static void
scen_deep_paths(struct ctx *ctx)
{
	char path[4200], name[256];
	size_t len = 0;

	memset(name, 'd', 200);
	name[200] = '\0';
	for (int i = 0; i < 25; i++) {
		if (len + 201 >= sizeof(path))
			break;
		if (len > 0)
			path[len++] = '/';
		memcpy(path + len, name, 200);
		len += 200;
		path[len] = '\0';
		S(SYS_mkdir, path, 0755);	/* ENAMETOOLONG from 4096 */
	}
	S(SYS_chdir, name);
	for (int i = 0; i < 18; i++)
		PREP(SYS_chdir, name);
	SN(N_CWD, SYS_getcwd, BUF, 4096);
	S(SYS_mkdir, name, 0755);
	S(SYS_chdir, name);
	SN(N_CWD, SYS_getcwd, BUF, 4096);
	S(SYS_mkdir, name, 0755);
	S(SYS_chdir, name);
	S(SYS_getcwd, BUF, 4096);		/* longer than PATH_MAX */
	S(SYS_open, "x", O_RDWR | O_CREAT, 0644);
}

DIFF(rename_cases)
DIFF(readdir_stable)
DIFF(getcwd_chdir)
DIFF(link_counts)
DIFF(mount_exdev_ebusy)
DIFF(mount_enospc)
DIFF(statfs)
DIFF(deep_paths)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_rename_cases),
	T(diff_readdir_stable),
	T(diff_getcwd_chdir),
	T(diff_link_counts),
	T(diff_mount_exdev_ebusy),
	T(diff_mount_enospc),
	T(diff_statfs),
	T(diff_deep_paths),
	T(totals),
)

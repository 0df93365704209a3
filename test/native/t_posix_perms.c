/*
 * Differential tests against Linux: permissions.  Root prepares the files;
 * the scenario then runs as uid 1000, gid 1000, groups {1000, 2000} on both
 * sides (setgroups/setresgid/setresuid in the host child and in the kernel
 * process).  Owner, group and other bits, supplementary groups, root's
 * override, sticky and setgid directories, chmod/chown/utimensat rules,
 * search permission, O_TRUNC, protected hard links, mknod.  See posix_diff.h.
 */
#include "posix_diff.h"

#define ME	1000
#define MYGRP	1000
#define SUPP	2000
#define OTHER	1001
#define OGRP	3000

/* A node of mode m owned by (u, g), made as root. */
static void
mk(struct ctx *ctx, const char *name, mode_t m, uid_t u, gid_t g)
{
	if (S_ISDIR(m))
		PREP(SYS_mkdir, name, 0700);
	else
		pd_mkfile(ctx, name, 0600, 4);
	PREP(SYS_chown, name, u, g);
	PREP(SYS_chmod, name, m & 07777);
}

/* Every access mode against files of every owner class and mode. */
static void
scen_access_matrix(struct ctx *ctx)
{
	static const mode_t modes[] = { 0, 0400, 0200, 0100, 0040, 0020, 0010,
	    0004, 0002, 0001, 0700, 0070, 0007, 0644, 0604, 0460, 0755, 0111 };
	static const struct { uid_t u; gid_t g; } owners[] = {
		{ ME, OGRP }, { OTHER, MYGRP }, { OTHER, SUPP }, { OTHER, OGRP },
		{ ME, MYGRP },
	};
	char name[64];

	PREP(SYS_chmod, ".", 0777);
	for (size_t o = 0; o < 5; o++)
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			snprintf(name, sizeof(name), "f%zu_%04o", o, modes[i]);
			mk(ctx, name, S_IFREG | modes[i], owners[o].u, owners[o].g);
		}
	pd_become_user(ctx, ME, MYGRP);
	for (size_t o = 0; o < 5; o++)
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			long fd;

			snprintf(name, sizeof(name), "f%zu_%04o", o, modes[i]);
			TAG("%.40s", name);
			S(SYS_access, name, R_OK);
			S(SYS_access, name, W_OK);
			S(SYS_access, name, X_OK);
			S(SYS_faccessat2, AT_FDCWD, name, R_OK | W_OK, AT_EACCESS);
			fd = S(SYS_open, name, O_RDONLY);
			if (fd >= 0)
				PREP(SYS_close, fd);
			fd = S(SYS_open, name, O_WRONLY);
			if (fd >= 0)
				PREP(SYS_close, fd);
			fd = S(SYS_open, name, O_RDONLY | O_TRUNC);
			if (fd >= 0)
				PREP(SYS_close, fd);
			S(SYS_truncate, name, 2);
			S(SYS_utimensat, AT_FDCWD, name, 0, 0);
			S(SYS_chmod, name, modes[i] | 0400);
			S(SYS_chown, name, -1, SUPP);
		}
	TAG("%s", "");
}

/* access(2) uses the real ids, AT_EACCESS the effective ones. */
static void
scen_access_real_ids(struct ctx *ctx)
{
	mk(ctx, "mine", S_IFREG | 0600, ME, MYGRP);
	mk(ctx, "other", S_IFREG | 0600, OTHER, OGRP);
	PREP(SYS_setresgid, MYGRP, MYGRP, MYGRP);
	S(SYS_setresuid, ME, 0, 0);		/* real 1000, effective root */
	S(SYS_access, "other", R_OK);
	S(SYS_faccessat, AT_FDCWD, "other", R_OK);
	S(SYS_faccessat2, AT_FDCWD, "other", R_OK, AT_EACCESS);
	S(SYS_faccessat2, AT_FDCWD, "mine", R_OK, 0);
	S(SYS_faccessat2, AT_FDCWD, "mine", 8, 0);
	S(SYS_faccessat2, AT_FDCWD, "mine", R_OK, 0x8000);
	S(SYS_open, "other", O_RDONLY);
	S(SYS_setresuid, 0, ME, 0);		/* real root, effective 1000 */
	S(SYS_access, "other", R_OK);
	S(SYS_faccessat2, AT_FDCWD, "other", R_OK, AT_EACCESS);
	S(SYS_faccessat2, AT_FDCWD, "mine", W_OK, AT_EACCESS);
	S(SYS_open, "other", O_RDONLY);
	S(SYS_open, "mine", O_RDWR);
}

/* Root's override, and where it ends (execute needs some x bit). */
static void
scen_root(struct ctx *ctx)
{
	mk(ctx, "none", S_IFREG | 0, OTHER, OGRP);
	mk(ctx, "x", S_IFREG | 0001, OTHER, OGRP);
	mk(ctx, "dnone", S_IFDIR | 0, OTHER, OGRP);
	S(SYS_access, "none", R_OK | W_OK);
	S(SYS_access, "none", X_OK);
	S(SYS_access, "x", X_OK);
	S(SYS_access, "dnone", R_OK | W_OK | X_OK);
	S(SYS_open, "none", O_RDWR);
	S(SYS_open, "dnone/f", O_RDWR | O_CREAT, 0644);
	SN(N_STAT, SYS_stat, "dnone/f", BUF);
	S(SYS_chmod, "none", 04755);
	S(SYS_chown, "none", 5, 6);
	SN(N_STAT, SYS_stat, "none", BUF);
	S(SYS_mknod, "cdev", S_IFCHR | 0644, 0x0103);
	S(SYS_mknod, "bdev", S_IFBLK | 0644, 0x0701);
	S(SYS_mknod, "sock", S_IFSOCK | 0644, 0);
	S(SYS_mknod, "bad", 0170000 | 0644, 0);
	S(SYS_mknod, "dir", S_IFDIR | 0755, 0);
	SN(N_STAT, SYS_stat, "cdev", BUF);
	S(SYS_open, "cdev", O_RDWR);
	S(SYS_write, 2, "x", 1);
	S(SYS_read, 2, BUF, 10);
	S(SYS_open, "sock", O_RDONLY);
}

/* Search permission along the path. */
static void
scen_search(struct ctx *ctx)
{
	mk(ctx, "a", S_IFDIR | 0755, ME, MYGRP);
	mk(ctx, "a/noexec", S_IFDIR | 0666, ME, MYGRP);
	mk(ctx, "a/noexec/f", S_IFREG | 0666, ME, MYGRP);
	mk(ctx, "a/noread", S_IFDIR | 0333, OTHER, OGRP);
	mk(ctx, "a/noread/f", S_IFREG | 0666, ME, MYGRP);
	mk(ctx, "a/grp", S_IFDIR | 0750, OTHER, SUPP);
	mk(ctx, "a/grp/f", S_IFREG | 0640, OTHER, SUPP);
	mk(ctx, "a/ro", S_IFDIR | 0555, OTHER, OGRP);
	mk(ctx, "a/ro/f", S_IFREG | 0666, OTHER, OGRP);
	PREP(SYS_symlink, "noexec/f", "a/lnk");
	pd_become_user(ctx, ME, MYGRP);
	S(SYS_open, "a/noexec/f", O_RDONLY);
	S(SYS_stat, "a/noexec/f", BUF);
	S(SYS_open, "a/noexec", O_RDONLY);
	SN(N_DENTS, SYS_getdents64, 0, BUF, 4096);
	S(SYS_chdir, "a/noexec");
	S(SYS_open, "a/lnk", O_RDONLY);
	S(SYS_readlink, "a/lnk", BUF, 64);
	S(SYS_open, "a/noread/f", O_RDONLY);
	S(SYS_open, "a/noread", O_RDONLY);
	S(SYS_chdir, "a/noread");
	S(SYS_mkdir, "a/noread/new", 0755);
	S(SYS_mkdir, "a/noexec/new", 0755);
	S(SYS_open, "a/grp/f", O_RDONLY);
	S(SYS_open, "a/grp/f", O_WRONLY);
	S(SYS_mkdir, "a/grp/new", 0755);
	S(SYS_unlink, "a/ro/f");
	S(SYS_open, "a/ro/g", O_WRONLY | O_CREAT, 0644);
	S(SYS_open, "a/ro/f", O_WRONLY | O_CREAT, 0644);
	S(SYS_rename, "a/ro/f", "a/g");
	S(SYS_rename, "a/noread/f", "a/g");
	S(SYS_symlink, "x", "a/ro/s");
	S(SYS_link, "a/noread/f", "a/h");
	S(SYS_rmdir, "a/noexec");
	S(SYS_rename, "a/noexec", "a/moved");	/* its ".." is not writable? */
	S(SYS_rename, "a/grp", "a/moved");
}

/* Sticky directories, as /tmp and /dev/shm. */
static void
scen_sticky(struct ctx *ctx)
{
	mk(ctx, "tmp", S_IFDIR | 01777, 0, 0);
	mk(ctx, "tmp/theirs", S_IFREG | 0666, OTHER, OGRP);
	mk(ctx, "tmp/theirs2", S_IFREG | 0666, OTHER, OGRP);
	mk(ctx, "tmp/mine", S_IFREG | 0600, ME, MYGRP);
	mk(ctx, "tmp/theirdir", S_IFDIR | 0777, OTHER, OGRP);
	mk(ctx, "own", S_IFDIR | 01777, ME, MYGRP);
	mk(ctx, "own/theirs", S_IFREG | 0666, OTHER, OGRP);
	pd_become_user(ctx, ME, MYGRP);
	S(SYS_unlink, "tmp/theirs");
	S(SYS_rename, "tmp/theirs", "tmp/x");
	S(SYS_rename, "tmp/mine", "tmp/theirs");
	S(SYS_rename, "tmp/mine", "tmp/newname");
	S(SYS_rmdir, "tmp/theirdir");
	S(SYS_open, "tmp/theirs", O_WRONLY);
	S(SYS_write, 0, "hi", 2);
	S(SYS_open, "tmp/theirs2", O_WRONLY | O_CREAT, 0644);
	S(SYS_open, "tmp/theirs2", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	S(SYS_unlink, "own/theirs");		/* the directory is mine */
	S(SYS_unlink, "tmp/newname");
	S(SYS_mkdir, "tmp/d", 0755);
	SN(N_STAT, SYS_stat, "tmp/d", BUF);
	S(SYS_renameat2, AT_FDCWD, "tmp/d", AT_FDCWD, "tmp/theirs",
	    RENAME_EXCHANGE);
}

/* Setgid directories and set-id bits. */
static void
scen_setgid(struct ctx *ctx)
{
	mk(ctx, "sg", S_IFDIR | 02777, OTHER, OGRP);
	mk(ctx, "sg2", S_IFDIR | 02777, OTHER, SUPP);
	mk(ctx, "suid", S_IFREG | 06755, ME, OGRP);
	mk(ctx, "suid2", S_IFREG | 06755, ME, MYGRP);
	mk(ctx, "suid3", S_IFREG | 06745, ME, MYGRP);
	pd_become_user(ctx, ME, MYGRP);
	S(SYS_open, "sg/f", O_WRONLY | O_CREAT, 02755);
	SN(N_STAT, SYS_stat, "sg/f", BUF);
	S(SYS_mkdir, "sg/d", 0755);
	SN(N_STAT, SYS_stat, "sg/d", BUF);
	S(SYS_mkdir, "sg/d/e", 0700);
	SN(N_STAT, SYS_stat, "sg/d/e", BUF);
	S(SYS_mknod, "sg/fifo", S_IFIFO | 02666, 0);
	SN(N_STAT, SYS_lstat, "sg/fifo", BUF);
	S(SYS_symlink, "x", "sg/sl");
	SN(N_STAT, SYS_lstat, "sg/sl", BUF);
	S(SYS_open, "sg2/f", O_WRONLY | O_CREAT, 02755);
	SN(N_STAT, SYS_stat, "sg2/f", BUF);
	S(SYS_chmod, "sg/f", 02755);		/* not in group 3000 */
	SN(N_STAT, SYS_stat, "sg/f", BUF);
	S(SYS_chmod, "suid", 06755);
	SN(N_STAT, SYS_stat, "suid", BUF);
	S(SYS_chmod, "suid2", 06755);
	SN(N_STAT, SYS_stat, "suid2", BUF);
	S(SYS_open, "suid2", O_WRONLY);		/* a write drops set-id */
	S(SYS_write, 0, "x", 1);
	SN(N_STAT, SYS_stat, "suid2", BUF);
	S(SYS_truncate, "suid3", 1);
	SN(N_STAT, SYS_stat, "suid3", BUF);
	S(SYS_chmod, "suid3", 06745);
	S(SYS_chown, "suid3", -1, SUPP);	/* chown drops set-id */
	SN(N_STAT, SYS_stat, "suid3", BUF);
	S(SYS_chmod, "sg/d", 02755);
	SN(N_STAT, SYS_stat, "sg/d", BUF);
}

/*
 * Writes, truncates and allocations by an ordinary user drop set-user-ID,
 * and set-group-ID where group execute is set; an empty write drops
 * nothing; root's writes keep both.
 */
static void
scen_killpriv(struct ctx *ctx)
{
	static const mode_t modes[] = { 04755, 02755, 02745, 06775, 06745,
	    04700, 02070 };
	static const char *const how[] = { "write", "empty", "pwrite",
	    "ftruncate", "fallocate", "append" };
	char name[64];
	long fd;

	PREP(SYS_chmod, ".", 0777);
	for (size_t h = 0; h < sizeof(how) / sizeof(how[0]); h++)
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			snprintf(name, sizeof(name), "%s_%04o", how[h],
			    modes[i]);
			mk(ctx, name, S_IFREG | modes[i], ME, MYGRP);
			PREP(SYS_chmod, name, modes[i] | 0220);
		}
	mk(ctx, "root", S_IFREG | 06777, ME, MYGRP);
	fd = S(SYS_open, "root", O_WRONLY);
	S(SYS_write, fd, "x", 1);
	S(SYS_close, fd);
	SN(N_STAT, SYS_stat, "root", BUF);
	pd_become_user(ctx, ME, MYGRP);
	for (size_t h = 0; h < sizeof(how) / sizeof(how[0]); h++)
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			snprintf(name, sizeof(name), "%s_%04o", how[h],
			    modes[i]);
			TAG("%.40s", name);
			fd = S(SYS_open, name,
			    h == 5 ? O_WRONLY | O_APPEND : O_RDWR);
			switch (h) {
			case 0: S(SYS_write, fd, "ab", 2); break;
			case 1: S(SYS_write, fd, "ab", 0); break;
			case 2: S(SYS_pwrite64, fd, "ab", 2, 100); break;
			case 3: S(SYS_ftruncate, fd, 1); break;
			case 4: S(SYS_fallocate, fd, 0, 0, 8192); break;
			default: S(SYS_write, fd, "ab", 2); break;
			}
			S(SYS_close, fd);
			SN(N_STAT, SYS_stat, name, BUF);
		}
	TAG("%s", "");
}

/* chown and chmod rules for ordinary users. */
static void
scen_chown_rules(struct ctx *ctx)
{
	mk(ctx, "mine", S_IFREG | 0644, ME, MYGRP);
	mk(ctx, "theirs", S_IFREG | 0666, OTHER, MYGRP);
	PREP(SYS_chmod, ".", 0777);
	pd_become_user(ctx, ME, MYGRP);
	S(SYS_chown, "mine", ME, MYGRP);	/* no change: allowed */
	S(SYS_chown, "mine", -1, -1);
	S(SYS_chown, "mine", OTHER, -1);
	S(SYS_chown, "mine", -1, SUPP);
	SN(N_STAT, SYS_stat, "mine", BUF);
	S(SYS_chown, "mine", -1, OGRP);
	S(SYS_chown, "mine", ME, MYGRP);
	S(SYS_chown, "theirs", -1, -1);
	S(SYS_chown, "theirs", -1, MYGRP);
	S(SYS_chown, "theirs", OTHER, -1);
	S(SYS_chmod, "theirs", 0777);
	S(SYS_chmod, "mine", 07777);
	SN(N_STAT, SYS_stat, "mine", BUF);
	S(SYS_open, "mine", O_RDONLY);
	S(SYS_fchmod, 0, 0600);
	S(SYS_fchown, 0, -1, SUPP);
	S(SYS_open, "theirs", O_RDONLY);
	S(SYS_fchmod, 1, 0600);
	S(SYS_fchown, 1, -1, -1);
	S(SYS_fchownat, AT_FDCWD, "mine", -1, MYGRP, AT_SYMLINK_NOFOLLOW);
	S(SYS_fchownat, AT_FDCWD, "mine", -1, MYGRP, 0x1);
	S(SYS_fchmodat, AT_FDCWD, "mine", 0640);
	S(SYS_symlink, "mine", "sl");
	S(SYS_lchown, "sl", -1, SUPP);
	SN(N_STAT, SYS_lstat, "sl", BUF);
	S(SYS_chmod, "sl", 0600);		/* follows: mine */
	S(SYS_fchmodat, AT_FDCWD, "nx", 0600);
}

/* utimensat: explicit times need ownership, "now" needs write access. */
static void
scen_utimens_rules(struct ctx *ctx)
{
	static const struct timespec t[2] = { { 100, 0 }, { 200, 0 } };
	static const struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	static const struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	static const struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	static const struct timespec half[2] = { { 5, UTIME_OMIT }, { 6, 7 } };

	mk(ctx, "mine", S_IFREG | 0400, ME, MYGRP);
	mk(ctx, "w", S_IFREG | 0666, OTHER, OGRP);
	mk(ctx, "ro", S_IFREG | 0644, OTHER, OGRP);
	pd_become_user(ctx, ME, MYGRP);
	S(SYS_utimensat, AT_FDCWD, "mine", t, 0);
	S(SYS_utimensat, AT_FDCWD, "mine", 0, 0);
	S(SYS_utimensat, AT_FDCWD, "w", t, 0);
	S(SYS_utimensat, AT_FDCWD, "w", 0, 0);
	S(SYS_utimensat, AT_FDCWD, "w", now, 0);
	S(SYS_utimensat, AT_FDCWD, "w", half, 0);
	S(SYS_utimensat, AT_FDCWD, "ro", 0, 0);
	S(SYS_utimensat, AT_FDCWD, "ro", now, 0);
	S(SYS_utimensat, AT_FDCWD, "ro", omit, 0);
	S(SYS_utimensat, AT_FDCWD, "ro", bad, 0);
	S(SYS_utimensat, AT_FDCWD, "nx", t, 0);
	S(SYS_utimensat, AT_FDCWD, "w", t, 0x4000);
	S(SYS_open, "w", O_RDONLY);
	S(SYS_utimensat, 0, 0, 0, 0);
	S(SYS_utimensat, 0, 0, t, 0);
	S(SYS_utimensat, 0, 0, 0, AT_SYMLINK_NOFOLLOW);
	S(SYS_utimensat, 99, 0, 0, 0);
	S(SYS_utimensat, AT_FDCWD, "", 0, 0);
	S(SYS_utimensat, 0, "", 0, AT_EMPTY_PATH);
}

/* fs.protected_hardlinks=1: links only to what one owns or may use. */
static void
scen_hardlinks(struct ctx *ctx)
{
	mk(ctx, "rw", S_IFREG | 0666, OTHER, OGRP);
	mk(ctx, "r", S_IFREG | 0644, OTHER, OGRP);
	mk(ctx, "suid", S_IFREG | 04777, OTHER, OGRP);
	mk(ctx, "sgid", S_IFREG | 02777, OTHER, OGRP);
	mk(ctx, "sgidnox", S_IFREG | 02767, OTHER, OGRP);
	mk(ctx, "mine", S_IFREG | 0, ME, OGRP);
	mk(ctx, "d", S_IFDIR | 0777, OTHER, OGRP);
	PREP(SYS_mknod, "fifo", S_IFIFO | 0666, 0);
	PREP(SYS_chown, "fifo", OTHER, OGRP);
	PREP(SYS_chmod, ".", 0777);
	pd_become_user(ctx, ME, MYGRP);
	S(SYS_link, "rw", "l1");
	S(SYS_link, "r", "l2");
	S(SYS_link, "suid", "l3");
	S(SYS_link, "sgid", "l4");
	S(SYS_link, "sgidnox", "l5");
	S(SYS_link, "mine", "l6");
	S(SYS_link, "d", "l7");
	S(SYS_link, "fifo", "l8");
	S(SYS_link, "r", "r");
	S(SYS_mknod, "cdev", S_IFCHR | 0644, 0x0103);
	S(SYS_mknod, "cdev", S_IFBLK | 0644, 0x0103);
	S(SYS_mknod, "fifo2", S_IFIFO | 0644, 0);
	S(SYS_mknod, "reg", S_IFREG | 0644, 0);
	SN(N_STAT, SYS_stat, "reg", BUF);
}

DIFF(access_matrix)
DIFF(access_real_ids)
DIFF(root)
DIFF(search)
DIFF(sticky)
DIFF(setgid)
DIFF(killpriv)
DIFF(chown_rules)
DIFF(utimens_rules)
DIFF(hardlinks)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_access_matrix),
	T(diff_access_real_ids),
	T(diff_root),
	T(diff_search),
	T(diff_sticky),
	T(diff_setgid),
	T(diff_killpriv),
	T(diff_chown_rules),
	T(diff_utimens_rules),
	T(diff_hardlinks),
	T(totals),
)

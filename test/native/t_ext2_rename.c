/*
 * ext2: renameat2(RENAME_EXCHANGE), and directories moved by rename.
 * Two files in one directory, files across directories, a file and a
 * directory across parents, two directories across parents and in one
 * parent, a directory and one in a sibling's subtree, hard links, the
 * root's children; a directory into its own subtree (EINVAL), a missing
 * name (ENOENT); plain renames of directories across parents.  After each
 * call: the names' inode numbers are exchanged, the ".." of every
 * directory moved names its new parent, the parents' link counts follow,
 * the moved nodes keep their mtime and get a new ctime (as on Linux, which
 * does not count the rewrite of ".." as a change of the directory), the
 * parents get a new mtime.  The same calls on a tmpfs shadow must give the
 * same tree (ext2_cmp.h); after unmount e2fsck -fn passes and a read-only
 * mount shows the same tree again.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_cmp.h"
#include "ext2_util.h"
#include "sysfn.h"

static struct console con;
static const struct timespec T0 = { 1000000000, 123456789 };

/* Make path (a directory if it ends in '/') on both trees, times at T0. */
static void
make(const char *path)
{
	const char *roots[] = { "/mnt", "/shadow" };
	struct timespec ts[2] = { T0, T0 };

	for (int i = 0; i < 2; i++) {
		char p[200];
		size_t n;
		int fd;

		snprintf(p, sizeof(p), "%s/%s", roots[i], path);
		n = strlen(p);
		if (p[n - 1] == '/') {
			p[n - 1] = '\0';
			CHECK_EQ(rump_sys_mkdir(p, 0755), 0);
		} else {
			fd = rump_sys_open(p, O_CREAT | O_WRONLY, 0644);
			CHECK(fd >= 0);
			n = strlen(path);	/* the contents: the name */
			CHECK_EQ(rump_sys_write(fd, path, n), (long)n);
			rump_sys_close(fd);
		}
		CHECK_EQ(rump_sys_utimensat(AT_FDCWD, p, ts, 0), 0);
	}
}

static void
parent_of(char *buf, size_t len, const char *path)
{
	const char *s = strrchr(path, '/');

	snprintf(buf, len, "/mnt/%.*s", s ? (int)(s - path) : 0, path);
	if (s == NULL)
		buf[4] = '\0';		/* "/mnt" */
}

static bool
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* The ext2 tree against the shadow. */
static void
compare(const char *when)
{
	struct view m = { "ext2", sys_rump, "/mnt" };
	struct view sh = { "tmpfs", sys_rump, "/shadow" };
	struct treecmp c = { .a = &m, .b = &sh, .flags = CMP_NLINK |
	    CMP_DIRNLINK | CMP_LINKS | CMP_LOSTFOUND };

	if (!cmp_trees(&c))
		printf("# the trees differ %s\n", when);
}

/*
 * renameat2(p, q, flags) on both trees, expecting errno want (0: success),
 * and what it must have done to p, q and their parents on ext2.
 */
static void
move(const char *p, const char *q, unsigned flags, int want)
{
	bool exchange = (flags & RENAME_EXCHANGE) != 0;
	char mp[200], mq[200], sp[200], sq[200], pp[200], pq[200], dd[220];
	struct stat bp, bq, bpp, bpq, ap, aq, app, apq, up;
	struct timespec now;
	long r;
	int dp, dq;

	snprintf(mp, sizeof(mp), "/mnt/%s", p);
	snprintf(mq, sizeof(mq), "/mnt/%s", q);
	snprintf(sp, sizeof(sp), "/shadow/%s", p);
	snprintf(sq, sizeof(sq), "/shadow/%s", q);
	parent_of(pp, sizeof(pp), p);
	parent_of(pq, sizeof(pq), q);
	CHECK(rump_sys_lstat(mp, &bp) == 0 || want != 0);
	if (rump_sys_lstat(mq, &bq) != 0)
		bq.st_mode = 0;		/* a new name */
	CHECK(rump_sys_stat(pp, &bpp) == 0 && rump_sys_stat(pq, &bpq) == 0);
	clock_gettime(CLOCK_REALTIME, &now);
	errno = 0;
	r = rump_sys_renameat2(AT_FDCWD, mp, AT_FDCWD, mq, flags);
	if (r != (want ? -1 : 0) || (want && errno != want)) {
		printf("# %s %s -> %s: %ld errno %d, want errno %d\n",
		    exchange ? "exchange" : "rename", p, q, r, errno, want);
		t_failed = 1;
	}
	errno = 0;
	r = rump_sys_renameat2(AT_FDCWD, sp, AT_FDCWD, sq, flags);
	CHECK(r == (want ? -1 : 0) && (!want || errno == want));
	if (want != 0) {
		compare("after a failed call");
		return;
	}
	CHECK(rump_sys_lstat(mq, &aq) == 0);
	CHECK(rump_sys_stat(pp, &app) == 0 && rump_sys_stat(pq, &apq) == 0);
	/* the inodes went where they were sent */
	CHECK_EQ(aq.st_ino, bp.st_ino);
	if (exchange) {
		CHECK(rump_sys_lstat(mp, &ap) == 0);
		CHECK_EQ(ap.st_ino, bq.st_ino);
	} else {
		CHECK_ERR(rump_sys_lstat(mp, &ap), ENOENT);
	}
	/* each directory moved names its new parent */
	if (S_ISDIR(aq.st_mode)) {
		snprintf(dd, sizeof(dd), "%s/..", mq);
		CHECK(rump_sys_stat(dd, &up) == 0 && up.st_ino == apq.st_ino);
	}
	if (exchange && S_ISDIR(ap.st_mode)) {
		snprintf(dd, sizeof(dd), "%s/..", mp);
		CHECK(rump_sys_stat(dd, &up) == 0 && up.st_ino == app.st_ino);
	}
	/*
	 * Link counts: p's parent loses p and gains q if exchanged, q's
	 * parent gains p and loses what q was (moved or replaced).
	 */
	dp = -S_ISDIR(bp.st_mode) + (exchange && S_ISDIR(bq.st_mode));
	dq = S_ISDIR(bp.st_mode) - S_ISDIR(bq.st_mode);
	if (bpp.st_ino != bpq.st_ino) {
		CHECK_EQ(app.st_nlink, bpp.st_nlink + dp);
		CHECK_EQ(apq.st_nlink, bpq.st_nlink + dq);
	} else {
		CHECK_EQ(app.st_nlink, bpp.st_nlink + dp + dq);
	}
	CHECK_EQ(aq.st_nlink, bp.st_nlink);
	if (exchange)
		CHECK_EQ(ap.st_nlink, bq.st_nlink);
	/* times: the nodes moved keep their mtime, the parents get one */
	if (!same_time(&aq.st_mtim, &bp.st_mtim) ||
	    (exchange && !same_time(&ap.st_mtim, &bq.st_mtim))) {
		printf("# %s %s -> %s: the mtime of a node moved changed\n",
		    exchange ? "exchange" : "rename", p, q);
		t_failed = 1;
	}
	CHECK(aq.st_ctime >= now.tv_sec && (!exchange ||
	    ap.st_ctime >= now.tv_sec));
	CHECK(app.st_mtime >= now.tv_sec && apq.st_mtime >= now.tv_sec);
	compare("after a rename");
}

static void
rename_case(const char *mkfsopts)
{
	char dir[128], img[200], cmd[600];
	struct rump_config cfg = { .console = collect, .console_arg = &con };
	struct rump_kernel *k;

	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_rename.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && "
	    "mke2fs -q -F -t ext2 %s '%s' 8M >/dev/null", dir, dir, mkfsopts,
	    img);
	REQUIRE(run(cmd) == 0);
	memset(&con, 0, sizeof(con));
	REQUIRE((k = rump_kernel_boot(&cfg)) != NULL);
	rump_kernel_enter(k);
	CHECK(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	CHECK(rump_sys_mkdir("/mnt", 0755) == 0);
	CHECK(rump_sys_mkdir("/shadow", 0755) == 0);
	CHECK(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	if (t_failed)
		goto out;
	make("d1/");
	make("d2/");
	make("d1/f");
	make("d1/g");
	make("d2/h");
	make("d1/sub/");
	make("d1/sub/in");
	make("d1/e/");
	make("d2/dir/");
	make("d2/dir/deeper/");
	make("d2/dir/deeper/leaf");
	make("d2/dir2/");
	make("d2/dir2/x/");
	make("d1/n/");
	make("d1/n/m/");
	CHECK_EQ(rump_sys_link("/mnt/d1/f", "/mnt/d1/n/f-link"), 0);
	CHECK_EQ(rump_sys_link("/shadow/d1/f", "/shadow/d1/n/f-link"), 0);
	compare("at the start");

	move("d1/f", "d1/g", RENAME_EXCHANGE, 0);	/* files, one dir */
	move("d1/f", "d2/h", RENAME_EXCHANGE, 0);	/* files, two dirs */
	move("d1/g", "d2/dir", RENAME_EXCHANGE, 0);	/* file and dir */
	move("d1/sub", "d2/dir2", RENAME_EXCHANGE, 0);	/* dirs, two parents */
	move("d1/e", "d1/sub", RENAME_EXCHANGE, 0);	/* dirs, one parent */
	move("d1/e", "d1/g/deeper", RENAME_EXCHANGE, 0); /* into a subtree */
	move("d1/n/f-link", "d2/h", RENAME_EXCHANGE, 0); /* a hard link */
	move("d1/n/f-link", "d1/g/f", RENAME_EXCHANGE, ENOENT);
	move("d1/g", "d1/g/deeper/x", RENAME_EXCHANGE, EINVAL);
	move("d1/g/deeper", "d1/g", RENAME_EXCHANGE, EINVAL);
	move("d1", "d2", RENAME_EXCHANGE, 0);		/* the root's */
	/* plain renames of directories */
	move("d2/n", "d1/moved", 0, 0);
	move("d1/moved/m", "d2/sub/m2", 0, 0);
	move("d2/sub/m2", "d2/sub/m2/z", 0, EINVAL);
	move("d2/e", "d1/dir", 0, ENOTDIR);
	make("d1/empty/");
	move("d2/e", "d1/empty", 0, 0);			/* over an empty one */
	move("d1/empty", "d1/dir2", 0, ENOTEMPTY);
	move("d1", "d2", 0, ENOTEMPTY);

	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(fsck_clean(img));
	CHECK_EQ(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL), 0);
	compare("after a remount");
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
out:
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

static void b1k_inode128(void) { rename_case("-b 1024 -I 128"); }
static void b4k_inode256(void) { rename_case("-b 4096 -I 256"); }

TESTS(
	T(b1k_inode128),
	T(b4k_inode256),
)

/*
 * ext2 against the Linux kernel's own ext2 (or the ext4 driver serving it)
 * on loop devices, as root.
 *
 *   rump_writes_*   rumpkit writes: a fresh mke2fs image gets a seeded
 *                   random sequence of calls in a rump kernel (ext2_ops.h,
 *                   in lockstep with a tmpfs shadow), then Linux and a
 *                   fresh kernel mount it read-only and their views must
 *                   agree in every field (ext2_cmp.h): names, types, modes,
 *                   owners, sizes, link counts, inode numbers, block counts,
 *                   atime/mtime/ctime to the nanosecond, device numbers,
 *                   link targets, contents; and statfs.
 *   linux_writes_*  Linux writes: a random tree (ext2_tree.h, big files and
 *                   a hashed directory of 3000 entries included) made with
 *                   host calls on a read-write Linux mount, then churned
 *                   (renames, unlinks, truncates, new files in freed
 *                   blocks); both read-only views must agree.  Then rumpkit
 *                   and Linux make the same random calls on twin copies of
 *                   the image, with the same results call by call; e2fsck
 *                   -fn passes on both, and Linux must see in rumpkit's
 *                   image what it made of its own.
 *   times_*         utimensat past what an inode can hold (before 1901,
 *                   after 2038 on 128-byte inodes, after 2446): the times
 *                   kept must be Linux's, in memory and after a remount.
 *
 * Everything happens in a private mount namespace with a tmpfs on /tmp:
 * however the program ends, its mounts, their loop devices (mount -o loop
 * detaches at unmount) and its files go with it.  Without root, loop
 * devices or a working loop mount, the cases are skipped.  The seed is
 * printed; RUMPKIT_SEED=N replays it.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_cmp.h"
#include "ext2_ops.h"
#include "ext2_tree.h"
#include "ext2_util.h"
#include "sysfn.h"

#define WORK	"/tmp/t_ext2_linux"	/* on the private tmpfs */
#define IMG	WORK "/img"
#define IMG2	WORK "/img2"
#define LDIR	WORK "/linux"
#define LDIR2	WORK "/linux2"

/* Compared by two readers of one image: everything. */
#define SAME_IMAGE	(CMP_NLINK | CMP_DIRNLINK | CMP_DIRSIZE | CMP_INO | \
	CMP_TIMES | CMP_BLOCKS)
/* Two images that went through the same calls. */
#define SAME_CALLS	(CMP_NLINK | CMP_DIRNLINK | CMP_LINKS | CMP_BLOCKS)

static struct console con;
static struct rump_kernel *kern;
static const char *mounted[2];

/* ------------------------------------------------------------ Linux */

/*
 * A private mount namespace (mounts stay in this process and go when it
 * goes) with a tmpfs on /tmp, and a loop mount that works: NULL, or why
 * the cases must be skipped.
 */
static const char *
linux_setup(void)
{
	static const char *why;
	static bool done;

	if (done)
		return why;
	done = true;
	if (geteuid() != 0)
		return why = "not root";
	if (access("/dev/loop-control", F_OK) != 0)
		return why = "no /dev/loop-control";
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", "/tmp", "tmpfs", 0, "size=3g,mode=1777") != 0)
		return why = "no private mount namespace with a tmpfs";
	if (mkdir(WORK, 0700) != 0 ||
	    run("mke2fs -q -F -t ext2 " IMG " 1M >/dev/null 2>&1") != 0 ||
	    mkdir(LDIR, 0755) != 0 ||
	    run("mount -t ext2 -o loop,ro " IMG " " LDIR) != 0)
		return why = "mount -o loop of an ext2 image failed";
	(void)run("umount " LDIR);
	(void)system("rm -rf " WORK "/*");
	return NULL;
}

static int
lmount(const char *img, const char *dir, const char *opts)
{
	char cmd[300];

	(void)mkdir(dir, 0755);
	snprintf(cmd, sizeof(cmd), "mount -t ext2 -o loop,%s %s %s", opts, img,
	    dir);
	if (run(cmd) != 0)
		return -1;
	mounted[mounted[0] != NULL] = dir;
	return 0;
}

static void
lumount(const char *dir)
{
	char cmd[200];

	if (dir == NULL)
		return;
	for (int i = 0; i < 2; i++)
		if (mounted[i] == dir) {
			snprintf(cmd, sizeof(cmd), "umount %s", dir);
			CHECK(run(cmd) == 0);
			mounted[i] = NULL;
		}
}

/* ------------------------------------------------------------ rumpkit */

/* A kernel with the image at /dev/ld0, /mnt and /shadow. */
static struct rump_kernel *
boot(const char *img, int diskflags)
{
	if ((kern = boot_with_disk(&con, img, diskflags)) != NULL &&
	    rump_sys_mkdir("/shadow", 0755) != 0) {
		rump_kernel_halt(kern);
		kern = NULL;
	}
	return kern;
}

static void
halt(void)
{
	if (kern == NULL)
		return;
	if (t_failed && con.len > 0)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_kernel_halt(kern), 0);
	kern = NULL;
}

/* Whatever a case left: its kernel, its mounts, its files. */
static void
cleanup(void)
{
	halt();
	lumount(mounted[0]);
	lumount(mounted[1]);
	(void)system("rm -rf " WORK "/*");
}

static int
mkfs(const char *img, const char *opts, const char *size)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 %s %s %s >/dev/null",
	    opts, img, size);
	return run(cmd);
}

/*
 * The image img read by Linux (mounted read-only at dir) and by a fresh
 * kernel: the same tree to the last field, the same statfs (but f_blocks,
 * whose overhead rumpkit approximates).
 */
static void
same_views(const char *img, const char *dir)
{
	struct view lin = { "linux", sys_host, dir };
	struct view rump = { "rump", sys_rump, "/mnt" };
	struct treecmp c = { .a = &lin, .b = &rump, .flags = SAME_IMAGE };
	struct statfs a, b;

	REQUIRE(boot(img, RUMP_DISK_RDONLY) != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) == 0);
	cmp_trees(&c);
	printf("# linux and rump views of %s: %d nodes\n", img, c.nodes);
	CHECK(c.nodes > 10);
	CHECK(statfs(dir, &a) == 0 && rump_sys_statfs("/mnt", &b) == 0);
	CHECK_EQ(a.f_type, b.f_type);
	CHECK_EQ(a.f_bsize, b.f_bsize);
	CHECK_EQ(a.f_bfree, b.f_bfree);
	CHECK_EQ(a.f_bavail, b.f_bavail);
	CHECK_EQ(a.f_files, b.f_files);
	CHECK_EQ(a.f_ffree, b.f_ffree);
	CHECK_EQ(a.f_namelen, b.f_namelen);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	halt();
}

/* ------------------------------------------------------------ rumpkit writes */

static void
rump_writes_body(const char *opts, uint64_t salt)
{
	static struct ops o;
	struct view m = { "ext2", sys_rump, "/mnt" };
	struct view sh = { "tmpfs", sys_rump, "/shadow" };

	rng = seed_of() ^ salt * 0x9e3779b97f4a7c15ull;
	REQUIRE(mkfs(IMG, opts, "96M") == 0);
	REQUIRE(boot(IMG, 0) != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	ops_init(&o, &m, &sh);
	o.mtimes = true;
	for (int i = 0; i < 600 && o.nmismatch < 5; i++)
		ops_step(&o);
	ops_report(&o);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	halt();
	CHECK(fsck_clean(IMG));
	REQUIRE(lmount(IMG, LDIR, "ro") == 0);
	same_views(IMG, LDIR);
	lumount(LDIR);
}

static void
rump_writes(const char *opts, uint64_t salt)
{
	const char *why = linux_setup();

	if (why != NULL)
		SKIP(why);
	rump_writes_body(opts, salt);
	cleanup();
}

static void rump_writes_1k(void) { rump_writes("-b 1024 -I 128", 1); }
static void rump_writes_4k(void) { rump_writes("-b 4096 -I 256", 2); }

/* ------------------------------------------------------------ Linux writes */

static void
linux_writes_body(const char *opts, uint64_t salt)
{
	static struct ops o;
	struct treeopt to = { .big = true, .bigdir = true, .wide_times = true };
	struct view m = { "rump", sys_rump, "/mnt" };
	struct view lin = { "linux", sys_host, LDIR };
	struct view lin2 = { "linux", sys_host, LDIR2 };
	struct treecmp c = { .a = &m, .b = &lin2, .flags = SAME_CALLS };
	struct treecmp c2 = { .a = &lin, .b = &lin2, .flags = SAME_CALLS };

	rng = seed_of() ^ salt * 0x9e3779b97f4a7c15ull;
	REQUIRE(mkfs(IMG, opts, "160M") == 0);
	/* Linux makes a tree, and changes it: freed blocks, reused ones */
	REQUIRE(lmount(IMG, LDIR, "rw,nodev") == 0);
	make_tree(LDIR, &to);
	ops_init(&o, &lin, NULL);
	ops_learn_tree(&o, "");
	for (int i = 0; i < 400; i++)
		ops_step(&o);
	ops_report(&o);
	lumount(LDIR);
	CHECK(fsck_clean(IMG));
	REQUIRE(lmount(IMG, LDIR, "ro") == 0);
	same_views(IMG, LDIR);
	lumount(LDIR);

	/* the same calls by rumpkit on the image and by Linux on its twin */
	REQUIRE(run("cp --sparse=always " IMG " " IMG2) == 0);
	REQUIRE(lmount(IMG2, LDIR2, "rw,nodev") == 0);
	REQUIRE(boot(IMG, 0) != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_NODEV, NULL) == 0);
	ops_init(&o, &m, &lin2);
	o.no_falloc = true;	/* Linux's ext2 has none */
	o.mtimes = true;
	ops_learn_tree(&o, "");
	for (int i = 0; i < 400 && o.nmismatch < 5; i++)
		ops_step(&o);
	ops_report(&o);
	cmp_trees(&c);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	halt();
	lumount(LDIR2);
	CHECK(fsck_clean(IMG));
	CHECK(fsck_clean(IMG2));

	/* Linux sees in rumpkit's image what it made of its own */
	REQUIRE(lmount(IMG, LDIR, "ro") == 0);
	REQUIRE(lmount(IMG2, LDIR2, "ro") == 0);
	cmp_trees(&c2);
	printf("# linux: rumpkit's changes and its own: %d nodes\n", c2.nodes);
	CHECK(c2.nodes > 100);
	lumount(LDIR2);
	same_views(IMG, LDIR);
	lumount(LDIR);
}

static void
linux_writes(const char *opts, uint64_t salt)
{
	const char *why = linux_setup();

	if (why != NULL)
		SKIP(why);
	linux_writes_body(opts, salt);
	cleanup();
}

static void linux_writes_1k(void) { linux_writes("-b 1024 -I 256", 3); }
static void linux_writes_4k(void) { linux_writes("-b 4096 -I 128", 4); }

/* ------------------------------------------------------------ times */

static const struct timespec edge_times[] = {
	{ 0, 0 }, { -1, 999999999 }, { 1700000000, 123456789 },
	{ INT32_MIN, 1 }, { INT32_MIN - 1ll, 5 }, { -(1ll << 40), 0 },
	{ INT32_MAX, 999999999 }, { INT32_MAX + 1ll, 0 }, { 1ll << 32, 7 },
	{ (1ll << 34) - 1 + INT32_MIN, 3 },	/* the last second of 2446 */
	{ (1ll << 34) + INT32_MIN, 0 }, { 1ll << 40, 0 },
};
#define NTIMES	(sizeof(edge_times) / sizeof(edge_times[0]))

/* File i's times on rumpkit (rump) and Linux (dir) agree. */
static void
same_times(const char *dir, const char *when)
{
	for (size_t i = 0; i < NTIMES; i++) {
		char lp[100], rp[100];
		struct stat a, b;

		snprintf(lp, sizeof(lp), "%s/t%zu", dir, i);
		snprintf(rp, sizeof(rp), "/mnt/t%zu", i);
		if (lstat(lp, &a) != 0 || rump_sys_lstat(rp, &b) != 0) {
			printf("# t%zu: lstat: errno %d\n", i, errno);
			t_failed = 1;
			continue;
		}
		if (a.st_mtim.tv_sec != b.st_mtim.tv_sec ||
		    a.st_mtim.tv_nsec != b.st_mtim.tv_nsec ||
		    a.st_atim.tv_sec != b.st_atim.tv_sec ||
		    a.st_atim.tv_nsec != b.st_atim.tv_nsec) {
			printf("# %s: set %lld.%09ld: linux mtime %lld.%09ld "
			    "atime %lld.%09ld, rump %lld.%09ld %lld.%09ld\n",
			    when, (long long)edge_times[i].tv_sec,
			    edge_times[i].tv_nsec,
			    (long long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec,
			    (long long)a.st_atim.tv_sec, a.st_atim.tv_nsec,
			    (long long)b.st_mtim.tv_sec, b.st_mtim.tv_nsec,
			    (long long)b.st_atim.tv_sec, b.st_atim.tv_nsec);
			t_failed = 1;
		}
	}
}

static void
times_body(const char *opts)
{
	REQUIRE(mkfs(IMG, opts, "8M") == 0);
	REQUIRE(run("cp " IMG " " IMG2) == 0);
	REQUIRE(lmount(IMG2, LDIR2, "rw") == 0);
	REQUIRE(boot(IMG, 0) != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	for (size_t i = 0; i < NTIMES; i++) {
		struct timespec ts[2] = { edge_times[i], edge_times[i] };
		char lp[100], rp[100];
		int fd;

		ts[0].tv_nsec = (ts[0].tv_nsec + 1) % 1000000000;
		snprintf(lp, sizeof(lp), LDIR2 "/t%zu", i);
		snprintf(rp, sizeof(rp), "/mnt/t%zu", i);
		CHECK((fd = open(lp, O_CREAT | O_WRONLY, 0644)) >= 0);
		close(fd);
		CHECK((fd = rump_sys_open(rp, O_CREAT | O_WRONLY, 0644)) >= 0);
		rump_sys_close(fd);
		CHECK_EQ(utimensat(AT_FDCWD, lp, ts, 0), 0);
		CHECK_EQ(rump_sys_utimensat(AT_FDCWD, rp, ts, 0), 0);
	}
	same_times(LDIR2, "in memory");
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	lumount(LDIR2);
	CHECK(fsck_clean(IMG));
	REQUIRE(lmount(IMG2, LDIR2, "ro") == 0);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) == 0);
	same_times(LDIR2, "after a remount");
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	lumount(LDIR2);
	halt();
}

static void
times(const char *opts)
{
	const char *why = linux_setup();

	if (why != NULL)
		SKIP(why);
	times_body(opts);
	cleanup();
}

static void times_inode128(void) { times("-b 1024 -I 128"); }
static void times_inode256(void) { times("-b 4096 -I 256"); }

TESTS(
	T(rump_writes_1k),
	T(rump_writes_4k),
	T(linux_writes_1k),
	T(linux_writes_4k),
	T(times_inode128),
	T(times_inode256),
)

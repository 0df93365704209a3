/*
 * ext2, read-write: fresh images from the real mke2fs (1 and 4 KiB blocks,
 * with and without dir_index, 128- and 256-byte inodes) are mounted
 * read-write and driven by seeded random sequences of create, write (large
 * and sparse), truncate, rename (and exchange), unlink, mkdir, rmdir, link,
 * symlink, chmod, chown, mknod, fallocate and utimensat over a deep name
 * space (ext2_ops.h); each call is made in lockstep on a shadow tree in
 * tmpfs and the results and errno must agree, and which mtimes changed,
 * and the trees must match (ext2_cmp.h).  After unmount the real e2fsck -fn must find nothing to fix
 * and debugfs rdump must give back the shadow tree; a second mount must
 * show it too.  Tiny images run out of blocks and of inodes cleanly.
 * The seed is printed; RUMPKIT_SEED=N replays it.  Everything is made
 * under /dev/shm and removed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_cmp.h"
#include "ext2_ops.h"
#include "ext2_util.h"

static struct console con;

static struct rump_kernel *
boot_with(const char *img)
{
	struct rump_kernel *k;

	if ((k = boot_with_disk(&con, img, 0)) == NULL)
		return NULL;
	if (rump_sys_mkdir("/shadow", 0755) != 0) {
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

/* ------------------------------------------------------------ comparing */

static int ncompared;

/* Host path h (debugfs rdump output) against shadow path s. */
static void
cmp_host(const char *h, const char *s)
{
	static char ba[65536], bb[65536];
	struct stat a, b;
	char buf[4096];
	int fd, n;

	if (rump_sys_lstat(s, &b) != 0)
		return;
	if (!S_ISREG(b.st_mode) && !S_ISDIR(b.st_mode) && !S_ISLNK(b.st_mode))
		return;		/* rdump skips special files */
	if (lstat(h, &a) != 0) {
		printf("# rdump: %s missing\n", h);
		t_failed = 1;
		return;
	}
	ncompared++;
	if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) ||
	    /* rdump leaves out set-user-ID, set-group-ID and sticky */
	    (!S_ISLNK(a.st_mode) && (a.st_mode & ~07000u) !=
	    (b.st_mode & ~07000u)) ||
	    (!S_ISDIR(a.st_mode) && a.st_size != b.st_size) ||
	    (!S_ISLNK(a.st_mode) && (a.st_uid != b.st_uid ||
	    a.st_gid != b.st_gid))) {
		printf("# rdump: %s: mode %o/%o uid %u/%u gid %u/%u size "
		    "%lld/%lld\n", h, a.st_mode, b.st_mode, a.st_uid, b.st_uid,
		    a.st_gid, b.st_gid, (long long)a.st_size,
		    (long long)b.st_size);
		t_failed = 1;
	}
	if (S_ISREG(a.st_mode) && a.st_size == b.st_size) {
		int hf = open(h, O_RDONLY), kf = rump_sys_open(s, O_RDONLY, 0);

		for (off_t off = 0; off < a.st_size; off += sizeof(ba)) {
			ssize_t na = pread(hf, ba, sizeof(ba), off);
			ssize_t nb = rump_sys_pread64(kf, bb, sizeof(bb), off);

			if (na != nb || na < 0 || memcmp(ba, bb, (size_t)na)) {
				printf("# rdump: %s: contents differ at %lld\n",
				    h, (long long)off);
				t_failed = 1;
				break;
			}
			if (off > (1 << 20) && a.st_size - off > (1 << 20))
				off += (a.st_size - off) / 2 & ~(off_t)65535;
		}
		close(hf);
		rump_sys_close(kf);
	}
	if (!S_ISDIR(b.st_mode) || (fd = rump_sys_open(s, O_RDONLY |
	    O_DIRECTORY, 0)) < 0)
		return;
	while ((n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0)
		for (int off = 0; off < n;) {
			struct dirent64 *de = (void *)(buf + off);
			char ch[800], cs[800];

			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(ch, sizeof(ch), "%s/%.255s", h, de->d_name);
			snprintf(cs, sizeof(cs), "%s/%.255s", s, de->d_name);
			cmp_host(ch, cs);
		}
	rump_sys_close(fd);
}

/* ------------------------------------------------------------ cases */

/* ext2 at /mnt against the tmpfs shadow: the whole tree. */
static void
cmp_shadow(void)
{
	struct view m = { "ext2", sys_rump, "/mnt" };
	struct view sh = { "tmpfs", sys_rump, "/shadow" };
	struct treecmp c = { .a = &m, .b = &sh, .flags = CMP_NLINK |
	    CMP_DIRNLINK | CMP_LINKS | CMP_LOSTFOUND };

	cmp_trees(&c);
	ncompared += c.nodes;
}

/*
 * Cut every file past 4 MiB down to 4 MiB on both sides (debugfs rdump
 * writes holes out in full: a few 5 GiB files would take a minute and
 * fill /tmp).  Cutting the indirect trees of huge sparse files is one more
 * thing for e2fsck to look at.
 */
static void
shrink_big(const char *rel)
{
	char buf[4096], m[600], sh[600], child[400];
	struct stat st;
	int fd, n;

	snprintf(sh, sizeof(sh), "/shadow/%s", rel);
	if ((fd = rump_sys_open(sh, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return;
	while ((n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0)
		for (int off = 0; off < n;) {
			struct dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%.140s/%.255s", rel,
			    de->d_name);
			snprintf(sh, sizeof(sh), "/shadow/%s", child);
			snprintf(m, sizeof(m), "/mnt/%s", child);
			if (de->d_type == DT_DIR)
				shrink_big(child);
			else if (de->d_type == DT_REG && rump_sys_stat(sh,
			    &st) == 0 && st.st_size > (4 << 20)) {
				CHECK_EQ(rump_sys_truncate(sh, 4 << 20), 0);
				CHECK_EQ(rump_sys_truncate(m, 4 << 20), 0);
			}
		}
	rump_sys_close(fd);
}

static void
random_case(const char *mkfsopts, int steps, uint64_t salt)
{
	static struct ops o;
	struct view m = { "ext2", sys_rump, "/mnt" };
	struct view sh = { "tmpfs", sys_rump, "/shadow" };
	char dir[128], img[200], out[200], cmd[800];
	struct rump_kernel *k;

	if (geteuid() != 0)
		SKIP("not root (debugfs rdump owners, chown)");
	rng = seed_of() ^ salt * 0x9e3779b97f4a7c15ull;
	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_write.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && "
	    "mke2fs -q -F -t ext2 %s '%s' 96M >/dev/null", dir, dir, mkfsopts,
	    img);
	REQUIRE(run(cmd) == 0);
	REQUIRE((k = boot_with(img)) != NULL);
	if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) != 0) {
		printf("# mount: errno %d\n%s", errno, con.text);
		t_failed = 1;
		rump_kernel_halt(k);
		return;
	}
	ops_init(&o, &m, &sh);
	o.mtimes = true;
	for (int i = 0; i < steps && o.nmismatch < 5; i++) {
		ops_step(&o);
		if (getenv("T_CHECK")) {	/* find the first divergence */
			cmp_shadow();
			if (t_failed)
				break;
		}
	}
	ops_report(&o);
	/* the deep name space did its job */
	CHECK(o.maxdepth >= 5);
	CHECK(o.dir_moves > 0);
	CHECK(o.into_self > 0);
	CHECK(o.notempty > 0);
	ncompared = 0;
	cmp_shadow();
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(fsck_clean(img));
	CHECK_EQ(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL), 0);
	shrink_big("");
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(fsck_clean(img));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && debugfs -R 'rdump / %s' "
	    "'%s' >/dev/null 2>&1", out, out, img);
	CHECK(run(cmd) == 0);
	cmp_host(out, "/shadow");
	CHECK_EQ(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL), 0);
	cmp_shadow();
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	printf("# %d nodes compared\n", ncompared);
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_kernel_halt(k), 0);
	if (!t_failed)
		rmtree(dir);
}

#define STEPS	1000	/* mke2fs's default features include dir_index */

static void b1k_dirindex(void) { random_case("-b 1024 -I 128", STEPS, 1); }
static void b1k_plain(void) { random_case("-b 1024 -I 256 -O ^dir_index", STEPS, 2); }
static void b4k_dirindex(void) { random_case("-b 4096 -I 256", STEPS, 3); }
static void b4k_plain(void) { random_case("-b 4096 -I 128 -O ^dir_index", STEPS, 4); }

/* Fill a tiny file system: ENOSPC, nothing half done, e2fsck clean. */
static void
full_case(const char *mkfsopts, const char *size, bool inodes)
{
	char dir[128], img[200], cmd[600], path[64];
	struct rump_kernel *k;
	struct statfs before, after;
	int i, fd, err = 0;

	if (geteuid() != 0)
		SKIP("not root");
	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_full.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && "
	    "mke2fs -q -F -t ext2 %s '%s' %s", dir, dir, mkfsopts, img, size);
	REQUIRE(run(cmd) == 0);
	REQUIRE((k = boot_with(img)) != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	REQUIRE(rump_sys_statfs("/mnt", &before) == 0);
	memset(ops_data, 'x', sizeof(ops_data));
	for (i = 0; i < 10000 && err == 0; i++) {
		snprintf(path, sizeof(path), "/mnt/%s%d", i % 2 ? "d" : "f", i);
		if (i % 2 && !inodes) {
			if (rump_sys_mkdir(path, 0755) != 0)
				err = errno;
			continue;
		}
		fd = rump_sys_open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (!inodes && rump_sys_write(fd, ops_data, 20000) < 0)
			err = errno;
		rump_sys_close(fd);
	}
	CHECK_EQ(err, ENOSPC);
	CHECK(rump_sys_mkdir("/mnt/more", 0755) != 0);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(fsck_clean(img));
	/* everything removed: the counts come back */
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	for (int j = 0; j < i; j++) {
		snprintf(path, sizeof(path), "/mnt/%s%d", j % 2 ? "d" : "f", j);
		if (rump_sys_unlink(path) != 0)
			(void)rump_sys_rmdir(path);
	}
	REQUIRE(rump_sys_statfs("/mnt", &after) == 0);
	CHECK_EQ(after.f_bfree, before.f_bfree);
	CHECK_EQ(after.f_ffree, before.f_ffree);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(fsck_clean(img));
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

static void enospc(void) { full_case("-b 1024 -N 64 -m 0", "400", false); }
static void no_inodes(void) { full_case("-b 1024 -N 32 -m 0", "2048", true); }

TESTS(
	T(b1k_dirindex),
	T(b1k_plain),
	T(b4k_dirindex),
	T(b4k_plain),
	T(enospc),
	T(no_inodes),
)

/*
 * ext2, read-write: fresh images from the real mke2fs (1 and 4 KiB blocks,
 * with and without dir_index, 128- and 256-byte inodes) are mounted
 * read-write and driven by seeded random sequences of create, write (large
 * and sparse), truncate, rename, unlink, mkdir, rmdir, link, symlink,
 * chmod, chown, mknod and fallocate over a small name space; each call is
 * made in lockstep on a shadow tree in tmpfs and the results and errno
 * must agree.  After unmount the real e2fsck -fn must find nothing to fix
 * and debugfs rdump must give back the shadow tree; a second mount must
 * show it too.  Tiny images run out of blocks and of inodes cleanly.
 * The seed is printed; RUMPKIT_SEED=N replays it.  Everything is made
 * under /tmp and removed.
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
#include "ext2_util.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static struct console con;

static uint64_t
seed_of(void)
{
	const char *s = getenv("RUMPKIT_SEED");

	return s != NULL ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
}

static struct rump_kernel *
boot_with(const char *img)
{
	struct rump_config cfg = { .console = collect, .console_arg = &con };
	struct rump_kernel *k;

	con.len = 0;
	con.text[0] = '\0';
	if ((k = rump_kernel_boot(&cfg)) == NULL)
		return NULL;
	rump_kernel_enter(k);
	if (rump_disk_attach(k, "/dev/ld0", img, 0) != 0 ||
	    rump_sys_mkdir("/mnt", 0755) != 0 ||
	    rump_sys_mkdir("/shadow", 0755) != 0) {
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

/* ------------------------------------------------------------ the ops */

static const char *const dirs[] = { "", "a/", "b/", "a/c/" };
static const char *const leaves[] = { "f0", "f1", "f2", "a", "b", "c" };

static void
pick(char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", dirs[rnd() % 4], leaves[rnd() % 6]);
}

static int nops, nmismatch;
static void cmp_k(const char *m, const char *s, bool top);

/* The call on both trees: same result, same errno. */
#define BOTH(expr) do {							\
	char _m[300], _s[300];						\
	long _r1, _r2; int _e1, _e2;					\
	snprintf(_m, sizeof(_m), "/mnt/%s", p);				\
	snprintf(_s, sizeof(_s), "/shadow/%s", p);			\
	{ const char *P = _m, *Q = q1; errno = 0; _r1 = (long)(expr);	\
	  _e1 = errno; (void)P; (void)Q; }				\
	{ const char *P = _s, *Q = q2; errno = 0; _r2 = (long)(expr);	\
	  _e2 = errno; (void)P; (void)Q; }				\
	nops++;								\
	if (getenv("T_TRACE"))						\
		printf("# %d %s %s %s -> %ld/%d\n", nops, #expr, p, q,	\
		    _r1, _e1);						\
	if ((_r1 < 0) != (_r2 < 0) || (_r1 < 0 && _e1 != _e2) ||	\
	    (_r1 >= 0 && _r1 != _r2)) {					\
		printf("# op %d %s %s %s: ext2 %ld/%d tmpfs %ld/%d\n",	\
		    nops, #expr, p, q, _r1, _e1, _r2, _e2);		\
		nmismatch++;						\
		t_failed = 1;						\
	}								\
} while (0)

static char databuf[300000];

static long
do_write(const char *path, off_t off, size_t len, int flags)
{
	int fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_NONBLOCK | flags, 0644);
	long r;

	if (fd < 0)
		return -1;
	r = rump_sys_pwrite64(fd, databuf, len, off);
	rump_sys_close(fd);
	return r;
}

static long
do_falloc(const char *path, off_t off, off_t len)
{
	int fd = rump_sys_open(path, O_WRONLY | O_NONBLOCK, 0);
	long r;

	if (fd < 0)
		return -1;
	r = rump_sys_fallocate(fd, 0, off, len);
	rump_sys_close(fd);
	return r;
}

static long
do_create(const char *path, mode_t mode)
{
	int fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK, mode);

	if (fd < 0)
		return -1;
	rump_sys_close(fd);
	return 0;
}

/* A write: small, large, or far out (indirect trees, holes). */
static void
op_write(const char *p, const char *q, const char *q1, const char *q2)
{
	static const off_t far[] = { 0, 12 << 10, 300 << 10, 70 << 20,
	    5ll << 30 };
	off_t off = far[rnd() % 5] + rnd() % 5000;
	size_t len = rnd() % 3 == 0 ? rnd() % sizeof(databuf) : rnd() % 5000;

	for (size_t i = 0; i < len; i++)
		databuf[i] = (char)rnd();
	int fl = rnd() % 4 == 0 ? O_TRUNC : 0;

	BOTH(do_write(P, off, len, fl));
}

static void
one_op(void)
{
	char p[64], q[64], tgt[200];
	const char *q1 = NULL, *q2 = NULL;
	char qm[300], qs[300];
	uint32_t op = rnd() % 15, ids[] = { 0, 7, 1000, 65534, 70000, 123456 };

	pick(p, sizeof(p));
	pick(q, sizeof(q));
	snprintf(qm, sizeof(qm), "/mnt/%s", q);
	snprintf(qs, sizeof(qs), "/shadow/%s", q);
	q1 = qm;
	q2 = qs;
	switch (op) {
	case 0: case 1:
		{ mode_t m = 0600 | (rnd() & 0177);
		BOTH(do_create(P, m)); }
		break;
	case 2: case 3:
		op_write(p, q, q1, q2);
		break;
	case 4:
		{ off_t len = rnd() % 3 == 0 ? (off_t)(rnd() % (80 << 20)) :
		    (off_t)(rnd() % 400000);
		BOTH(rump_sys_truncate(P, len)); }
		break;
	case 5:
		BOTH(rump_sys_rename(P, Q));
		break;
	case 6:
		BOTH(rump_sys_unlink(P));
		break;
	case 7:
		{ mode_t m = 0700 | (rnd() & 077);
		BOTH(rump_sys_mkdir(P, m)); }
		break;
	case 8:
		BOTH(rump_sys_rmdir(P));
		break;
	case 9:
		BOTH(rump_sys_link(P, Q));
		break;
	case 10: {
		size_t n = rnd() % 3 == 0 ? 60 + rnd() % 130 : 1 + rnd() % 59;

		for (size_t i = 0; i < n; i++)
			tgt[i] = (char)('a' + rnd() % 26);
		tgt[n] = '\0';
		BOTH(rump_sys_symlink(tgt, P));
		break;
	}
	case 11:
		{ mode_t m = rnd() & 07777;
		BOTH(rump_sys_chmod(P, m)); }
		break;
	case 12: {
		uid_t u = ids[rnd() % 6];
		gid_t g = ids[rnd() % 6];

		BOTH(rump_sys_lchown(P, u, g));
		break;
	}
	case 13: {
		off_t off = rnd() % 200000, len = 1 + rnd() % 100000;

		BOTH(do_falloc(P, off, len));
		break;
	}
	default: {
		static const mode_t types[] = { S_IFIFO, S_IFCHR, S_IFBLK,
		    S_IFSOCK };
		mode_t t = types[rnd() % 4];
		dev_t d = rnd() % 2 ? makedev(1, 3) : makedev(300, 70000);

		BOTH(rump_sys_mknod(P, t | 0644, d));
		break;
	}
	}
}

/* ------------------------------------------------------------ comparing */

static bool
same_data_k(const char *a, const char *b, uint64_t size)
{
	static char ba[65536], bb[65536];
	int fa = rump_sys_open(a, O_RDONLY, 0), fb = rump_sys_open(b, O_RDONLY, 0);
	bool same = fa >= 0 && fb >= 0;

	for (uint64_t off = 0; same && off < size; off += sizeof(ba)) {
		/* skip the middle of huge sparse files quickly: holes read as 0 */
		ssize_t na = rump_sys_pread64(fa, ba, sizeof(ba), (off_t)off);
		ssize_t nb = rump_sys_pread64(fb, bb, sizeof(bb), (off_t)off);

		same = na == nb && na >= 0 && memcmp(ba, bb, (size_t)na) == 0;
		if (off > (1 << 20) && size - off > (1 << 20))
			off += (size - off) / 2 & ~(uint64_t)65535;
	}
	rump_sys_close(fa);
	rump_sys_close(fb);
	return same;
}

static int ncompared;

/* Kernel paths m (ext2) and s (shadow): the same tree. */
static void
cmp_k(const char *m, const char *s, bool top)
{
	struct stat a, b;
	char buf[4096];
	int fd, n;

	if (rump_sys_lstat(m, &a) != 0 || rump_sys_lstat(s, &b) != 0) {
		printf("# %s: missing on one side\n", m);
		t_failed = 1;
		return;
	}
	ncompared++;
	if ((a.st_mode != b.st_mode || a.st_uid != b.st_uid ||
	    a.st_gid != b.st_gid || a.st_nlink - top != b.st_nlink ||
	    (!S_ISDIR(a.st_mode) && a.st_size != b.st_size) ||
	    ((S_ISCHR(a.st_mode) || S_ISBLK(a.st_mode)) &&
	    a.st_rdev != b.st_rdev))) {
		printf("# %s: mode %o/%o uid %u/%u gid %u/%u nlink %lu/%lu size "
		    "%lld/%lld\n", m, a.st_mode, b.st_mode, a.st_uid, b.st_uid,
		    a.st_gid, b.st_gid, (unsigned long)a.st_nlink,
		    (unsigned long)b.st_nlink, (long long)a.st_size,
		    (long long)b.st_size);
		t_failed = 1;
		return;
	}
	if (S_ISREG(a.st_mode) && !same_data_k(m, s, (uint64_t)a.st_size)) {
		printf("# %s: contents differ\n", m);
		t_failed = 1;
	}
	if (S_ISLNK(a.st_mode)) {
		char la[300], lb[300];
		long na = rump_sys_readlink(m, la, sizeof(la));
		long nb = rump_sys_readlink(s, lb, sizeof(lb));

		if (na != nb || na < 0 || memcmp(la, lb, (size_t)na) != 0) {
			printf("# %s: link targets differ\n", m);
			t_failed = 1;
		}
	}
	if (!S_ISDIR(a.st_mode))
		return;
	/* every shadow entry exists in ext2, and the counts agree */
	int cnt[2] = { 0, 0 };
	for (int side = 0; side < 2; side++) {
		fd = rump_sys_open(side ? s : m, O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0) {
			t_failed = 1;
			return;
		}
		while ((n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0)
			for (int off = 0; off < n;) {
				struct dirent64 *de = (void *)(buf + off);
				char cm[800], cs[800];

				off += de->d_reclen;
				if (!strcmp(de->d_name, ".") ||
				    !strcmp(de->d_name, "..") ||
				    (top && !strcmp(de->d_name, "lost+found")))
					continue;
				cnt[side]++;
				if (!side)
					continue;
				snprintf(cm, sizeof(cm), "%s/%.255s", m, de->d_name);
				snprintf(cs, sizeof(cs), "%s/%.255s", s, de->d_name);
				cmp_k(cm, cs, false);
			}
		rump_sys_close(fd);
	}
	if (cnt[0] != cnt[1]) {
		printf("# %s: %d entries, shadow %d\n", m, cnt[0], cnt[1]);
		t_failed = 1;
	}
}

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

static bool
fsck_clean(const char *img)
{
	char cmd[1000];

	snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' > '%s.fsck' 2>&1", img,
	    img);
	if (system(cmd) == 0)
		return true;
	snprintf(cmd, sizeof(cmd), "sed 's/^/# /' '%s.fsck'", img);
	(void)system(cmd);
	return false;
}

/* ------------------------------------------------------------ cases */

static void
random_case(const char *mkfsopts, int steps)
{
	char dir[128], img[200], out[200], cmd[800];
	struct rump_kernel *k;
	uint64_t seed = seed_of();

	if (geteuid() != 0)
		SKIP("not root (debugfs rdump owners, chown)");
	rng = seed;
	printf("# seed %llu (RUMPKIT_SEED replays)\n", (unsigned long long)seed);
	snprintf(dir, sizeof(dir), "/tmp/t_ext2_write.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && "
	    "mke2fs -q -F -t ext2 %s '%s' 96M", dir, dir, mkfsopts, img);
	REQUIRE(run(cmd) == 0);
	REQUIRE((k = boot_with(img)) != NULL);
	if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) != 0) {
		printf("# mount: errno %d\n%s", errno, con.text);
		t_failed = 1;
		rump_kernel_halt(k);
		return;
	}
	nops = nmismatch = 0;
	for (int i = 0; i < steps && nmismatch < 5; i++) {
		one_op();
		if (getenv("T_CHECK")) {	/* find the first divergence */
			cmp_k("/mnt", "/shadow", true);
			if (t_failed)
				break;
		}
	}
	ncompared = 0;
	cmp_k("/mnt", "/shadow", true);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(fsck_clean(img));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && debugfs -R 'rdump / %s' "
	    "'%s' >/dev/null 2>&1", out, out, img);
	CHECK(run(cmd) == 0);
	cmp_host(out, "/shadow");
	CHECK_EQ(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL), 0);
	cmp_k("/mnt", "/shadow", true);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	printf("# %d ops, %d nodes compared\n", nops, ncompared);
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_kernel_halt(k), 0);
	if (!t_failed) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)system(cmd);
	}
}

static void b1k_dirindex(void) { random_case("-b 1024 -I 128 -O dir_index", 400); }
static void b1k_plain(void) { random_case("-b 1024 -I 256 -O ^dir_index", 400); }
static void b4k_dirindex(void) { random_case("-b 4096 -I 256 -O dir_index", 400); }
static void b4k_plain(void) { random_case("-b 4096 -I 128 -O ^dir_index", 400); }

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
	snprintf(dir, sizeof(dir), "/tmp/t_ext2_full.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && "
	    "mke2fs -q -F -t ext2 %s '%s' %s", dir, dir, mkfsopts, img, size);
	REQUIRE(run(cmd) == 0);
	REQUIRE((k = boot_with(img)) != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	REQUIRE(rump_sys_statfs("/mnt", &before) == 0);
	memset(databuf, 'x', sizeof(databuf));
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
		if (!inodes && rump_sys_write(fd, databuf, 20000) < 0)
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
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)system(cmd);
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

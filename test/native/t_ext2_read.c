/*
 * ext2, read-only: images made by the real mke2fs -d from random host trees
 * (seeded), mounted through mount(2) and walked; every name, type, mode,
 * owner, size, time (the seconds mke2fs copies: atime and mtime), content,
 * symlink target, device number and hard-link identity must match the host
 * tree.  Block sizes 1, 2 and 4 KiB, revisions 0 and 1, inode sizes 128 and
 * 256, with and without dir_index; indirect, double and triple indirect
 * blocks; holes; a file past 4 GiB; big directories.  Images with features
 * the driver does not know are refused with EINVAL and a console line.
 * Everything is made under /tmp and removed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <linux/magic.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_util.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static void
rmtree(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	(void)system(cmd);
}

static int
write_file(const char *path, size_t size)
{
	char buf[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = MIN(sizeof(buf), size - off);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)rnd();
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

/* A file of size bytes with a few data blocks at the given offsets. */
static int
write_sparse(const char *path, uint64_t size, const uint64_t *offs, int n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char buf[700];

		for (size_t j = 0; j < sizeof(buf); j++)
			buf[j] = (char)rnd();
		if (pwrite(fd, buf, sizeof(buf), (off_t)offs[i]) != sizeof(buf))
			return -1;
	}
	return close(fd);
}

static const uid_t owners[] = { 0, 1, 1000, 65534, 70000, 123456 };

/* Random owner, mode and times for a node made by the tree builder. */
static void
decorate(const char *path, bool dir)
{
	struct timespec ts[2];

	CHECK(lchown(path, owners[rnd() % 6], owners[rnd() % 6]) == 0);
	if (!dir)
		CHECK(chmod(path, 0400 | (rnd() & 0777)) == 0);
	ts[0].tv_sec = 100000000 + rnd() % 1000000000;
	ts[0].tv_nsec = rnd() % 1000000000;
	ts[1].tv_sec = 100000000 + rnd() % 1000000000;
	ts[1].tv_nsec = rnd() % 1000000000;
	CHECK(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == 0);
}

struct treeopt {
	bool	big;		/* > 16 MiB file, triple indirect, > 4 GiB */
	bool	bigdir;		/* a directory of thousands of entries */
};

static void
make_specials(const char *dir)
{
	char p[512];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	snprintf(p, sizeof(p), "%s/fifo", dir);
	CHECK(mkfifo(p, 0640) == 0);
	snprintf(p, sizeof(p), "%s/chr", dir);
	CHECK(mknod(p, S_IFCHR | 0600, makedev(4, 5)) == 0);
	snprintf(p, sizeof(p), "%s/blk", dir);
	CHECK(mknod(p, S_IFBLK | 0660, makedev(259, 70000)) == 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/sock", dir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(s);
	snprintf(p, sizeof(p), "%s/fast", dir);
	CHECK(symlink("a/short/target", p) == 0);
	snprintf(p, sizeof(p), "%s/slow", dir);
	CHECK(symlink("a/much/longer/target/that/does/not/fit/in/the/inode/"
	    "block/array/of/sixty/bytes/and/so/needs/a/data/block/of/its/own",
	    p) == 0);
}

/* A random tree of dirs, files, links under root. */
static void
make_tree(const char *root, const struct treeopt *o)
{
	char dirs[40][400], p[512], q[512];
	int ndirs = 1;

	snprintf(dirs[0], sizeof(dirs[0]), "%s", root);
	for (int i = 0; i < 25; i++) {
		const char *parent = dirs[rnd() % ndirs];

		if (strlen(parent) > 300)
			parent = root;
		snprintf(dirs[ndirs], sizeof(dirs[0]), "%.300s/d%d", parent, i);
		CHECK(mkdir(dirs[ndirs], 0755) == 0);
		ndirs++;
	}
	/* a deep path */
	snprintf(p, sizeof(p), "%s", root);
	for (int i = 0; i < 12; i++) {
		strcat(p, "/deep");
		CHECK(mkdir(p, 0700) == 0);
	}
	for (int i = 0; i < 60; i++) {
		size_t sz = (rnd() % 4 == 0) ? rnd() % 300000 : rnd() % 3000;

		snprintf(p, sizeof(p), "%.400s/f%d", dirs[rnd() % ndirs], i);
		CHECK(write_file(p, sz) == 0);
		if (rnd() % 6 == 0) {
			snprintf(q, sizeof(q), "%.400s/h%d", dirs[rnd() % ndirs], i);
			CHECK(link(p, q) == 0);
		}
		decorate(p, false);
	}
	make_specials(root);
	{
		uint64_t offs[] = { 0, 300000, 2000000 };

		snprintf(p, sizeof(p), "%s/sparse", root);
		CHECK(write_sparse(p, 3000000, offs, 3) == 0);
	}
	if (o->big) {
		uint64_t tind[] = { 5000, 70ull << 20, (70ull << 20) + 9000 };
		uint64_t huge[] = { 4096, (5ull << 30) - 700 };

		snprintf(p, sizeof(p), "%s/big", root);
		CHECK(write_file(p, (17 << 20) + 123) == 0);
		snprintf(p, sizeof(p), "%s/tind", root);
		CHECK(write_sparse(p, (80ull << 20), tind, 3) == 0);
		snprintf(p, sizeof(p), "%s/huge", root);
		CHECK(write_sparse(p, 5ull << 30, huge, 2) == 0);
	}
	if (o->bigdir) {
		snprintf(p, sizeof(p), "%s/many", root);
		CHECK(mkdir(p, 0755) == 0);
		for (int i = 0; i < 3000; i++) {
			snprintf(q, sizeof(q), "%.400s/entry-with-a-longer-name-%05d",
			    p, i);
			CHECK(write_file(q, i % 7 == 0 ? 10 : 0) == 0);
		}
	}
	for (int i = 1; i < ndirs; i++)
		decorate(dirs[i], true);
}

/* ------------------------------------------------------------ comparing */

struct inomap {
	ino_t	host[200];
	ino_t	rump[200];
	int	n;
};

static int nchecked;

static void
cmp_content(const char *hp, const char *rp, off_t size)
{
	static char hb[65536], rb[65536];
	int hfd = open(hp, O_RDONLY), rfd = rump_sys_open(rp, O_RDONLY, 0);
	off_t off = 0;

	REQUIRE(hfd >= 0 && rfd >= 0);
	/* skip the holes of sparse files on the host side quickly */
	while (off < size) {
		off_t data = lseek(hfd, off, SEEK_DATA);
		ssize_t hn, rn;

		if (data < 0)
			data = size;
		if (data > off + (off_t)sizeof(hb)) {
			/* a host hole: the kernel must read zeros there */
			off_t at = data - (off_t)sizeof(rb);

			rn = rump_sys_pread64(rfd, rb, sizeof(rb), at);
			CHECK_EQ(rn, (ssize_t)sizeof(rb));
			for (size_t i = 0; i < sizeof(rb); i++)
				if (rb[i] != 0) {
					printf("# %s: nonzero in hole at %lld\n", rp,
					    (long long)(at + (off_t)i));
					t_failed = 1;
					break;
				}
			off = data;
			if (off >= size)
				break;
		}
		hn = pread(hfd, hb, sizeof(hb), off);
		rn = rump_sys_pread64(rfd, rb, sizeof(rb), off);
		if (hn != rn || hn <= 0 || memcmp(hb, rb, (size_t)hn) != 0) {
			printf("# %s: content differs at %lld (%zd/%zd)\n", rp,
			    (long long)off, hn, rn);
			t_failed = 1;
			break;
		}
		off += hn;
	}
	CHECK_EQ(rump_sys_pread64(rfd, rb, 1, size), 0);
	close(hfd);
	rump_sys_close(rfd);
}

static void
cmp_inode(struct inomap *im, const struct stat *hs, const struct stat *rs)
{
	for (int i = 0; i < im->n; i++) {
		if (im->host[i] == hs->st_ino) {
			CHECK_EQ(im->rump[i], rs->st_ino);
			return;
		}
		CHECK(im->rump[i] != rs->st_ino);
	}
	if (hs->st_nlink > 1 && !S_ISDIR(hs->st_mode) && im->n < 200) {
		im->host[im->n] = hs->st_ino;
		im->rump[im->n++] = rs->st_ino;
	}
}

static void cmp_tree(struct inomap *im, const char *hp, const char *rp);

static void
cmp_node(struct inomap *im, const char *hp, const char *rp)
{
	struct stat hs, rs;

	REQUIRE(lstat(hp, &hs) == 0);
	if (rump_sys_lstat(rp, &rs) != 0) {
		printf("# %s: lstat errno %d\n", rp, errno);
		t_failed = 1;
		return;
	}
	nchecked++;
	if (hs.st_mode != rs.st_mode || hs.st_uid != rs.st_uid ||
	    hs.st_gid != rs.st_gid || hs.st_mtime != rs.st_mtime ||
	    (S_ISREG(hs.st_mode) && hs.st_size != rs.st_size) ||
	    (!S_ISDIR(hs.st_mode) && hs.st_nlink != rs.st_nlink) ||
	    hs.st_rdev != rs.st_rdev) {
		printf("# %s: host mode %o uid %d gid %d size %lld mtime %lld "
		    "nlink %d rdev %llx; kernel %o %d %d %lld %lld %d %llx\n", rp,
		    hs.st_mode, hs.st_uid, hs.st_gid, (long long)hs.st_size,
		    (long long)hs.st_mtime, (int)hs.st_nlink,
		    (unsigned long long)hs.st_rdev, rs.st_mode, rs.st_uid,
		    rs.st_gid, (long long)rs.st_size, (long long)rs.st_mtime,
		    (int)rs.st_nlink, (unsigned long long)rs.st_rdev);
		t_failed = 1;
	}
	cmp_inode(im, &hs, &rs);
	if (S_ISREG(hs.st_mode)) {
		cmp_content(hp, rp, hs.st_size);
	} else if (S_ISLNK(hs.st_mode)) {
		char ht[1024], rt[1024];
		ssize_t hn = readlink(hp, ht, sizeof(ht));
		ssize_t rn = rump_sys_readlink(rp, rt, sizeof(rt));

		CHECK(hn > 0 && hn == rn && memcmp(ht, rt, (size_t)hn) == 0);
		CHECK_EQ(rs.st_size, hn);
	} else if (S_ISDIR(hs.st_mode)) {
		cmp_tree(im, hp, rp);
	}
}

/* Both directories hold the same names (lost+found aside). */
static void
cmp_tree(struct inomap *im, const char *hp, const char *rp)
{
	static char dbuf[32768];
	DIR *d = opendir(hp);
	struct dirent *e;
	int hcount = 0, rcount = 0, fd;
	long n;

	REQUIRE(d != NULL);
	while ((e = readdir(d)) != NULL) {
		char h[1024], r[1024];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		hcount++;
		snprintf(h, sizeof(h), "%s/%s", hp, e->d_name);
		snprintf(r, sizeof(r), "%s/%s", rp, e->d_name);
		cmp_node(im, h, r);
	}
	closedir(d);
	fd = rump_sys_open(rp, O_RDONLY | O_DIRECTORY, 0);
	REQUIRE(fd >= 0);
	while ((n = rump_sys_getdents64(fd, dbuf, sizeof(dbuf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(dbuf + off);

			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0 &&
			    strcmp(de->d_name, "lost+found") != 0)
				rcount++;
			off += de->d_reclen;
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(rcount, hcount);
	rump_sys_close(fd);
}

/* ------------------------------------------------------------ the cases */

struct imgopt {
	const char	*tag;
	const char	*mkfs;		/* mke2fs options */
	const char	*size;
	struct treeopt	tree;
};

static struct rump_kernel *
boot_with(struct console *con, const char *img, int flags)
{
	struct rump_config cfg = { .console = collect, .console_arg = con };
	struct rump_kernel *k = rump_kernel_boot(&cfg);

	if (k == NULL)
		return NULL;
	rump_kernel_enter(k);
	if (rump_disk_attach(k, "/dev/ld0", img, flags) != 0 ||
	    rump_sys_mkdir("/mnt", 0755) != 0) {
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

static void
image_case(const struct imgopt *o, uint64_t seed)
{
	static struct console con;
	char dir[128], tree[160], img[160], cmd[800];
	struct inomap im = { .n = 0 };
	struct rump_kernel *k;
	struct statfs sfs;

	if (geteuid() != 0)
		SKIP("needs root for chown and mknod");
	rng = seed;
	snprintf(dir, sizeof(dir), "/tmp/rumpkit-ext2r-%d-%s", (int)getpid(),
	    o->tag);
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(img, sizeof(img), "%s/img", dir);
	rmtree(dir);
	REQUIRE(mkdir(dir, 0700) == 0);
	REQUIRE(mkdir(tree, 0755) == 0);
	make_tree(tree, &o->tree);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 %s -d '%s' '%s' %s "
	    ">/dev/null 2>&1", o->mkfs, tree, img, o->size);
	if (run(cmd) != 0) {
		t_failed = 1;
		rmtree(dir);
		return;
	}
	memset(&con, 0, sizeof(con));
	k = boot_with(&con, img, RUMP_DISK_RDONLY);
	if (k == NULL) {
		t_failed = 1;
		rmtree(dir);
		return;
	}
	CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL), EACCES);
	if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) != 0) {
		printf("# mount: errno %d; console:\n%s", errno, con.text);
		t_failed = 1;
	} else {
		nchecked = 0;
		cmp_tree(&im, tree, "/mnt");
		CHECK(nchecked > 60);
		CHECK(rump_sys_statfs("/mnt", &sfs) == 0);
		CHECK_EQ(sfs.f_type, EXT2_SUPER_MAGIC);
		CHECK_ERR(rump_sys_open("/mnt/new", O_CREAT | O_WRONLY, 0644),
		    EROFS);
		CHECK_ERR(rump_sys_mkdir("/mnt/newdir", 0755), EROFS);
		CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	}
	if (strstr(con.text, "corrupt") != NULL) {
		printf("# console:\n%s", con.text);
		t_failed = 1;
	}
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

static void
b1k_rev1_dirindex(void)
{
	struct imgopt o = { "1k", "-b 1024 -r 1 -I 128", "200M",
	    { .big = true, .bigdir = true }, };

	image_case(&o, 1);
}

static void
b4k_rev1_inode256(void)
{
	struct imgopt o = { "4k", "-b 4096 -r 1 -I 256", "64M",
	    { .big = true, .bigdir = true }, };

	image_case(&o, 2);
}

static void
b1k_rev0(void)
{
	struct imgopt o = { "r0", "-b 1024 -r 0", "16M",
	    { .big = false, .bigdir = false } };

	image_case(&o, 3);
}

static void
b4k_no_dirindex(void)
{
	struct imgopt o = { "nodx", "-b 4096 -I 256 -O ^dir_index", "32M",
	    { .big = false, .bigdir = true } };

	image_case(&o, 4);
}

static void
b2k_inode256(void)
{
	struct imgopt o = { "2k", "-b 2048 -I 256", "32M", { .big = false, .bigdir = false } };

	image_case(&o, 5);
}

/* An image with a feature the driver does not know is refused. */
static void
refuse_case(const char *tag, const char *mkfs, int flags, int want,
    const char *msg)
{
	static struct console con;
	char img[160], cmd[400];
	struct rump_kernel *k;

	snprintf(img, sizeof(img), "/tmp/rumpkit-ext2r-%d-%s.img", (int)getpid(),
	    tag);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F %s '%s' 16M >/dev/null 2>&1",
	    mkfs, img);
	REQUIRE(run(cmd) == 0);
	memset(&con, 0, sizeof(con));
	k = boot_with(&con, img, 0);
	if (k != NULL) {
		CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt", "ext2", flags, NULL),
		    want);
		if (strstr(con.text, msg) == NULL) {
			printf("# console lacks \"%s\":\n%s", msg, con.text);
			t_failed = 1;
		}
		CHECK_EQ(rump_kernel_halt(k), 0);
	} else {
		t_failed = 1;
	}
	unlink(img);
}

static void
refuse_ext4(void)
{
	refuse_case("ext4", "-t ext4", MS_RDONLY, EINVAL, "extents");
}

static void
refuse_extents(void)
{
	refuse_case("extents", "-t ext2 -O extents", MS_RDONLY, EINVAL,
	    "unsupported incompatible features: extents");
}

static void
refuse_rw_rocompat(void)
{
	/* huge_file is read-only compatible: read-write is refused */
	refuse_case("huge", "-t ext2 -O huge_file", 0, EINVAL,
	    "cannot mount read-write: unsupported read-only-compatible "
	    "features: huge_file");
}

static void
not_ext2(void)
{
	refuse_case("fat", "-t ext2 -E offset=8192 -b 1024", MS_RDONLY, EINVAL,
	    "bad magic");
}

/*
 * Corrupt images (made with debugfs -w): each bad structure gives EUCLEAN
 * and a console line, the rest of the file system stays readable.
 */
static void
corrupt(void)
{
	static struct console con;
	char dir[64], img[80], cmd[1400];
	struct rump_kernel *k;
	char buf[4096];
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/rumpkit-ext2r-%d-bad", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	rmtree(dir);
	REQUIRE(mkdir(dir, 0700) == 0);
	snprintf(cmd, sizeof(cmd), "mkdir %s/t %s/t/d %s/t/e && "
	    "echo hello > %s/t/f && echo ok > %s/t/good && "
	    "head -c 20000 /dev/zero > %s/t/g && "
	    "mke2fs -q -F -t ext2 -b 1024 -d %s/t %s 4M >/dev/null 2>&1 && "
	    "debugfs -w -f - %s >/dev/null 2>&1 <<EOF\n"
	    "set_inode_field /f block[0] 99999999\n"
	    "set_inode_field /g block[IND] 5000000\n"
	    "set_inode_field /d block[0] 0\n"
	    "set_inode_field /e mode 0170000\n"
	    "EOF\n", dir, dir, dir, dir, dir, dir, dir, img, img);
	if (run(cmd) != 0) {
		t_failed = 1;
		rmtree(dir);
		return;
	}
	memset(&con, 0, sizeof(con));
	k = boot_with(&con, img, RUMP_DISK_RDONLY);
	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) == 0);
	fd = rump_sys_open("/mnt/f", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_ERR(rump_sys_read(fd, buf, sizeof(buf)), EUCLEAN);
	rump_sys_close(fd);
	fd = rump_sys_open("/mnt/g", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_ERR(rump_sys_pread64(fd, buf, sizeof(buf), 15000), EUCLEAN);
	rump_sys_close(fd);
	CHECK_ERR(rump_sys_open("/mnt/d/x", O_RDONLY, 0), EUCLEAN);
	CHECK_ERR(rump_sys_open("/mnt/e", O_RDONLY, 0), EUCLEAN);
	fd = rump_sys_open("/mnt/good", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 3);
	rump_sys_close(fd);
	CHECK(strstr(con.text, "corrupt file system: inode 14: block slot 0 "
	    "points to block 99999999") != NULL);
	CHECK(strstr(con.text, "block slot 12 points to block 5000000") != NULL);
	CHECK(strstr(con.text, "hole at block 0") != NULL);
	CHECK(strstr(con.text, "bad mode") != NULL);
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

TESTS(
	T(b1k_rev1_dirindex),
	T(b4k_rev1_inode256),
	T(b1k_rev0),
	T(b4k_no_dirindex),
	T(b2k_inode256),
	T(refuse_ext4),
	T(refuse_extents),
	T(refuse_rw_rocompat),
	T(not_ext2),
	T(corrupt),
)

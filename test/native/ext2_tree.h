/*
 * Random host trees (seeded by ext2_util.h's generator), made with plain
 * host system calls under a directory: nested and deep directories, files
 * of random sizes and contents, hard links, fast and slow symlinks, a FIFO,
 * a socket, character and block devices, sparse files, optionally big files
 * (a 17 MiB one, data past 70 MiB: triple indirect on 1 KiB blocks, a
 * sparse 5 GiB one) and a directory of thousands of entries; random owners
 * (up to 32-bit ids), modes and times.  Needs root (chown, mknod).
 */
#ifndef EXT2_TREE_H
#define EXT2_TREE_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "ext2_util.h"

static inline int
write_file(const char *path, size_t size)
{
	char buf[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

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
static inline int
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

struct treeopt {
	bool	big;		/* > 16 MiB file, triple indirect, > 4 GiB */
	bool	bigdir;		/* a directory of thousands of entries */
	bool	wide_times;	/* times before 1970 and after 2038 too */
};

/* A random time: 1973 to 2005, or with wide, 1901 to 2446 too. */
static inline struct timespec
random_time(bool wide)
{
	struct timespec ts;

	ts.tv_sec = 100000000 + rnd() % 1000000000;
	ts.tv_nsec = (long)(rnd() % 1000000000);
	if (wide && rnd() % 3 == 0) {
		if (rnd() % 2)
			ts.tv_sec = -(time_t)(rnd() % 2147483647u);
		else
			ts.tv_sec = 2147483648ll + (time_t)rnd() * 4;
	}
	return ts;
}

/* Random owner, mode and times for a node made by the tree builder. */
static inline void
decorate(const char *path, bool dir, bool wide)
{
	static const uid_t owners[] = { 0, 1, 1000, 65534, 70000, 123456 };
	struct timespec ts[2];
	uid_t u = owners[rnd() % 6];
	gid_t g = owners[rnd() % 6];

	CHECK(lchown(path, u, g) == 0);
	if (!dir)
		CHECK(chmod(path, 0400 | (rnd() & 0777)) == 0);
	ts[0] = random_time(wide);
	ts[1] = random_time(wide);
	CHECK(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == 0);
}

static inline void
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

/* Directory dir with n entries of longer names; every seventh has data. */
static inline void
make_bigdir(const char *dir, int n)
{
	char q[600];

	CHECK(mkdir(dir, 0755) == 0);
	for (int i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%.400s/entry-with-a-longer-name-%05d",
		    dir, i);
		CHECK(write_file(q, i % 7 == 0 ? 10 : 0) == 0);
	}
}

/* A random tree of dirs, files, links under root. */
static inline void
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
		decorate(p, false, o->wide_times);
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
		make_bigdir(p, 3000);
	}
	for (int i = 1; i < ndirs; i++)
		decorate(dirs[i], true, o->wide_times);
}

#endif

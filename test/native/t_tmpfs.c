/*
 * tmpfs on its own: big directories, sparse and huge files, memory used
 * only for written pages, limits, and everything given back at halt.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <stdio.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

static struct rump_kernel *
boot(uint64_t memlimit)
{
	struct rump_config cfg = { .memlimit = memlimit, .maxfiles = 4096,
	    .maxfiles_hard = 4096 };
	struct rump_kernel *k = rump_kernel_boot(&cfg);

	if (k != NULL)
		rump_kernel_enter(k);
	return k;
}

static uint64_t
memused(struct rump_kernel *k)
{
	struct rump_kernel_stats st;

	rump_kernel_stats(k, &st);
	return st.memused;
}

/* 100,000 entries: every one found by name, listed exactly once. */
static void
hundred_thousand_entries(void)
{
	enum { N = 100000 };
	struct rump_kernel *k = boot(1ull << 30);
	static unsigned char seen[N];
	static char buf[65536];
	char path[64];
	struct stat st;
	int fd, bad = 0, count = 0;
	long n;

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mkdir("/big", 0755) == 0);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/big/e%d", i);
		if ((fd = rump_sys_open(path, O_CREAT | O_EXCL | O_WRONLY, 0644)) < 0 ||
		    rump_sys_close(fd) != 0)
			bad++;
	}
	CHECK_EQ(bad, 0);
	for (int i = 0; i < N; i += 7) {
		snprintf(path, sizeof(path), "/big/e%d", (i * 7919) % N);
		if (rump_sys_stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_ERR(rump_sys_stat("/big/e100000", &st), ENOENT);
	REQUIRE((fd = rump_sys_open("/big", O_RDONLY | O_DIRECTORY, 0)) >= 0);
	while ((n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const char *name = buf + off + 19;
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, 2);
			if (name[0] == 'e') {
				int i = atoi(name + 1);

				if (i < 0 || i >= N || seen[i]++)
					bad++;
				count++;
			}
			off += reclen;
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(count, N);
	CHECK_EQ(bad, 0);
	rump_sys_close(fd);
	REQUIRE(rump_sys_stat("/big", &st) == 0);
	CHECK_EQ(st.st_size, 40 + 20 * N);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/big/e%d", i);
		if (rump_sys_unlink(path) != 0)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(rump_sys_rmdir("/big"), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* Holes read as zeros and use no memory; a file beyond 4 GiB works. */
static void
sparse_and_huge_files(void)
{
	struct rump_kernel *k = boot(64ull << 20);
	char buf[8192];
	uint64_t before, after;
	struct stat st;
	int fd;

	REQUIRE(k != NULL);
	REQUIRE((fd = rump_sys_open("/sparse", O_CREAT | O_RDWR, 0644)) >= 0);
	before = memused(k);
	CHECK_EQ(rump_sys_pwrite64(fd, "end", 3, 10ll << 30), 3);	/* 10 GiB */
	after = memused(k);
	CHECK(after - before < 64 * 1024);	/* one page and its tree */
	REQUIRE(rump_sys_fstat(fd, &st) == 0);
	CHECK_EQ(st.st_size, (10ll << 30) + 3);
	CHECK_EQ(st.st_blocks, 8);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(rump_sys_pread64(fd, buf, sizeof(buf), 5ll << 30), (long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0)
			t_failed = 1;
	CHECK_EQ(rump_sys_pread64(fd, buf, 8, (10ll << 30) - 2), 5);
	CHECK(memcmp(buf, "\0\0end", 5) == 0);
	CHECK_EQ(rump_sys_lseek(fd, 0, SEEK_DATA), 10ll << 30);
	CHECK_EQ(rump_sys_lseek(fd, 0, SEEK_HOLE), 0);
	CHECK_EQ(rump_sys_ftruncate(fd, 4096), 0);
	CHECK(memused(k) <= before + 4096);
	CHECK_EQ(rump_sys_close(fd), 0);
	CHECK_EQ(rump_sys_unlink("/sparse"), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* Every kind of node, and their link counts. */
static void
kinds_of_nodes(void)
{
	struct rump_kernel *k = boot(0);
	char target[64];
	struct stat st;

	REQUIRE(k != NULL);
	CHECK_EQ(rump_sys_mkdir("/d", 0755), 0);
	CHECK_EQ(rump_sys_mkdir("/d/sub", 0755), 0);
	CHECK_EQ(rump_sys_close(rump_sys_open("/d/f", O_CREAT | O_WRONLY, 0600)), 0);
	CHECK_EQ(rump_sys_link("/d/f", "/d/g"), 0);
	CHECK_EQ(rump_sys_symlink("f", "/d/l"), 0);
	CHECK_EQ(rump_sys_mknod("/d/p", S_IFIFO | 0600, 0), 0);
	CHECK_EQ(rump_sys_mknod("/d/c", S_IFCHR | 0600, makedev(1, 3)), 0);
	CHECK_EQ(rump_sys_mknod("/d/s", S_IFSOCK | 0600, 0), 0);
	REQUIRE(rump_sys_stat("/d", &st) == 0);
	CHECK_EQ(st.st_nlink, 3);
	REQUIRE(rump_sys_stat("/d/g", &st) == 0);
	CHECK_EQ(st.st_nlink, 2);
	REQUIRE(rump_sys_lstat("/d/l", &st) == 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 1);
	CHECK_EQ(rump_sys_readlink("/d/l", target, sizeof(target)), 1);
	REQUIRE(rump_sys_stat("/d/p", &st) == 0);
	CHECK(S_ISFIFO(st.st_mode));
	REQUIRE(rump_sys_stat("/d/c", &st) == 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, makedev(1, 3));
	/* the node made by mknod is a working /dev/null */
	int fd = rump_sys_open("/d/c", O_RDWR, 0);
	CHECK(fd >= 0);
	CHECK_EQ(rump_sys_write(fd, "x", 1), 1);
	CHECK_EQ(rump_sys_read(fd, target, 1), 0);
	rump_sys_close(fd);
	CHECK_ERR(rump_sys_open("/d/s", O_RDONLY, 0), ENXIO);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* A mount with its own limits, and unmount only when unused. */
static void
mount_limits(void)
{
	struct rump_kernel *k = boot(0);
	char page[4096] = { 0 };
	struct statfs sf;
	int fd, n = 0;

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mkdir("/m", 0755) == 0);
	CHECK_ERR(rump_sys_mount("tmpfs", "/m", "nosuchfs", 0, NULL), ENODEV);
	CHECK_ERR(rump_sys_mount("tmpfs", "/m", "tmpfs", 0, "size=zz"), EINVAL);
	REQUIRE(rump_sys_mount("tmpfs", "/m", "tmpfs", 0, "size=40k,mode=0700") == 0);
	REQUIRE(rump_sys_statfs("/m", &sf) == 0);
	CHECK_EQ(sf.f_blocks, 10);
	CHECK_EQ(sf.f_bsize, 4096);
	REQUIRE((fd = rump_sys_open("/m/f", O_CREAT | O_WRONLY, 0644)) >= 0);
	while (rump_sys_write(fd, page, sizeof(page)) == (long)sizeof(page))
		n++;
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(n, 10);
	CHECK_ERR(rump_sys_umount2("/m", 0), EBUSY);
	rump_sys_close(fd);
	CHECK_EQ(rump_sys_chdir("/m"), 0);
	CHECK_ERR(rump_sys_umount2("/m", 0), EBUSY);
	CHECK_EQ(rump_sys_chdir("/"), 0);
	CHECK_EQ(rump_sys_umount2("/m", 0), 0);
	CHECK_ERR(rump_sys_umount2("/m", 0), EINVAL);
	/* memory of the unmounted file system is back */
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* Halting with files open, mounts mounted and data written frees it all. */
static void
halt_frees_everything(void)
{
	struct rump_kernel *k = boot(0);
	int fds[2];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mkdir("/m", 0755) == 0);
	REQUIRE(rump_sys_mount("tmpfs", "/m", "tmpfs", 0, "") == 0);
	REQUIRE(rump_sys_mkdir("/m/n", 0755) == 0);
	REQUIRE(rump_sys_mount("tmpfs", "/m/n", "tmpfs", 0, "") == 0);
	CHECK(rump_sys_open("/m/n/f", O_CREAT | O_RDWR, 0644) >= 0);
	CHECK_EQ(rump_sys_pwrite64(3, "data", 4, 1 << 20), -1);	/* EBADF: no fd 3 */
	CHECK(rump_sys_pipe(fds) == 0);
	CHECK_EQ(rump_sys_write(fds[1], "x", 1), 1);
	CHECK_EQ(rump_sys_chdir("/m/n"), 0);
	CHECK_EQ(rump_lwproc_rfork(RUMP_RFFDG), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* The name cache answers repeated lookups and never answers stale. */
static void
name_cache(void)
{
	struct rump_kernel *k = boot(1ull << 30);
	struct rump_kernel_stats a, b;
	struct stat st;
	char path[64];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mkdir("/d", 0755) == 0);
	REQUIRE(rump_sys_close(rump_sys_open("/d/f", O_CREAT | O_WRONLY, 0644)) == 0);
	REQUIRE(rump_sys_close(rump_sys_open("/d/g", O_CREAT | O_WRONLY, 0600)) == 0);
	rump_kernel_stats(k, &a);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(rump_sys_stat("/d/f", &st), 0);
	rump_kernel_stats(k, &b);
	CHECK(b.nchits - a.nchits >= 190);	/* "d" and "f", each time but the first */
	CHECK_EQ(rump_sys_rename("/d/f", "/d/h"), 0);
	CHECK_ERR(rump_sys_stat("/d/f", &st), ENOENT);
	CHECK_EQ(rump_sys_stat("/d/h", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0644);
	CHECK_EQ(rump_sys_renameat2(AT_FDCWD, "/d/h", AT_FDCWD, "/d/g",
	    RENAME_EXCHANGE), 0);
	CHECK_EQ(rump_sys_stat("/d/g", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0644);	/* the names swapped their files */
	CHECK_EQ(rump_sys_stat("/d/h", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(rump_sys_unlink("/d/g"), 0);
	CHECK_ERR(rump_sys_stat("/d/g", &st), ENOENT);
	/* a new file where an old one was: found, not the old one */
	REQUIRE(rump_sys_close(rump_sys_open("/d/g", O_CREAT | O_WRONLY, 0640)) == 0);
	CHECK_EQ(rump_sys_stat("/d/g", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	/* a mount over a cached directory is crossed */
	REQUIRE(rump_sys_mount("tmpfs", "/d", "tmpfs", 0, "mode=0711") == 0);
	CHECK_EQ(rump_sys_stat("/d", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0711);
	CHECK_ERR(rump_sys_stat("/d/g", &st), ENOENT);
	CHECK_EQ(rump_sys_umount2("/d", 0), 0);
	CHECK_EQ(rump_sys_stat("/d/g", &st), 0);
	/* bounded: many names do not grow it without end */
	for (int i = 0; i < 20000; i++) {
		snprintf(path, sizeof(path), "/d/n%d", i);
		rump_sys_close(rump_sys_open(path, O_CREAT | O_WRONLY, 0644));
		rump_sys_stat(path, &st);
	}
	rump_kernel_stats(k, &b);
	CHECK(b.ncentries <= 8192);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

TESTS(
	T(name_cache),
	T(hundred_thousand_entries),
	T(sparse_and_huge_files),
	T(kinds_of_nodes),
	T(mount_limits),
	T(halt_frees_everything),
)

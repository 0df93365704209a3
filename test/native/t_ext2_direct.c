/*
 * ext2's direct read path: reads of whole blocks not in the buffer cache go
 * from the disk straight into the caller's buffers, blocks the cache holds
 * (clean or dirty) come from the cache, holes are zeros.  Files of random
 * data on images made by the real mke2fs -d (1 and 4 KiB blocks, with
 * holes) are changed in place (dirty blocks), partly read in small pieces
 * (clean cached blocks) and read back at odd offsets and lengths through
 * readv with odd vectors, byte for byte against a copy kept here; again
 * after a remount (nothing cached), read-only.  Host read errors reach the
 * caller as EIO, bad buffers as EFAULT.  Seeded: RUMPKIT_SEED=N replays.
 * Everything is made under /dev/shm and removed.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_util.h"

static inline size_t
MIN(size_t a, size_t b)
{
	return a < b ? a : b;
}

static struct console con;
static char dir[128], img[160];

/* The files: a plain one, and one with holes (host-sparse, then kept so). */
#define NFILES	2
static const char *const names[NFILES] = { "plain", "sparse" };

struct model {
	unsigned char	*data;
	size_t		size;
	size_t		cap;	/* bytes at data */
};

static struct model files[NFILES];

static void
fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd();
}

static bool
host_write(const char *path, const struct model *m, bool sparse, size_t bsize)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok = fd >= 0 && ftruncate(fd, (off_t)m->size) == 0;

	/* the sparse file: every third run of 8 blocks is left a hole */
	for (size_t off = 0; ok && off < m->size; off += 8 * bsize) {
		size_t n = MIN(8 * bsize, m->size - off);

		if (sparse && (off / (8 * bsize)) % 3 == 1)
			continue;
		ok = pwrite(fd, m->data + off, n, (off_t)off) == (ssize_t)n;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

/* At exit, whatever a case that stopped early left. */
static void
cleanup(void)
{
	if (dir[0] != '\0')
		rmtree(dir);
	for (int i = 0; i < NFILES; i++) {
		free(files[i].data);
		files[i].data = NULL;
	}
}

/* An image with the files, their contents kept in files[]. */
static bool
mkimg(const char *opts, size_t bsize)
{
	char cmd[800], tree[200], path[260];

	if (dir[0] == '\0' && atexit(cleanup) != 0)
		return false;
	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_direct.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	rmtree(dir);
	if (mkdir(dir, 0700) != 0 || mkdir(tree, 0755) != 0)
		return false;
	for (int i = 0; i < NFILES; i++) {
		struct model *m = &files[i];

		free(m->data);
		/* past the double indirect blocks with 1 KiB blocks */
		m->size = (size_t)(2u << 20) + 1000 + rnd() % 300000;
		m->cap = m->size;
		if ((m->data = calloc(1, m->size)) == NULL)
			return false;
		fill(m->data, m->size);
		if (i == 1)	/* the holes read as zeros */
			for (size_t off = 8 * bsize; off < m->size;
			    off += 24 * bsize)
				memset(m->data + off, 0, MIN(8 * bsize,
				    m->size - off));
		snprintf(path, sizeof(path), "%s/%s", tree, names[i]);
		if (!host_write(path, m, i == 1, bsize))
			return false;
	}
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 %s -d '%s' '%s' 16M "
	    ">/dev/null 2>&1", opts, tree, img);
	return run(cmd) == 0;
}

static struct rump_kernel *
boot_mount(unsigned long flags)
{
	struct rump_kernel *k;

	if ((k = boot_with_disk(&con, img, (flags & MS_RDONLY) ?
	    RUMP_DISK_RDONLY : 0)) == NULL)
		return NULL;
	if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", flags, NULL) != 0) {
		printf("# mount: errno %d\n%s", errno, con.text);
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

static int
unmount_halt(struct rump_kernel *k)
{
	int error = rump_sys_umount2("/mnt", 0) == 0 ? 0 : errno;

	if (rump_kernel_halt(k) != 0 && error == 0)
		error = EBUSY;
	return error;
}

static int
open_file(int i, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/mnt/%s", names[i]);
	return rump_sys_open(path, flags, 0);
}

/* A length for a read: mostly past the direct path's threshold. */
static size_t
rnd_len(void)
{
	switch (rnd() % 4) {
	case 0:
		return 1 + rnd() % 20000;
	case 1:
		return 16384 + rnd() % 200000;
	default:
		return 1 + rnd() % 700000;
	}
}

/*
 * Read len bytes at off through readv with 1 to 6 vectors of random
 * lengths (some tiny, some empty), and compare with the model.
 */
static void
read_check(int fd, const struct model *m, size_t off, size_t len)
{
	static unsigned char buf[800000];
	struct iovec iov[6];
	size_t want = off >= m->size ? 0 : MIN(len, m->size - off), at = 0;
	int cnt = 1 + (int)(rnd() % 6);
	ssize_t r;

	len = MIN(len, sizeof(buf));
	want = MIN(want, len);
	memset(buf, 0xa5, len);
	for (int i = 0; i < cnt; i++) {
		size_t n = i == cnt - 1 ? len - at : rnd() % 3 == 0 ?
		    MIN(rnd() % 700, len - at) : rnd() % (len - at + 1);

		iov[i].iov_base = buf + at;
		iov[i].iov_len = n;
		at += n;
	}
	r = rump_sys_preadv(fd, iov, cnt, (unsigned long)off, 0);
	if (r != (ssize_t)want) {
		printf("#   read of %zu at %zu: %zd (errno %d), want %zu\n",
		    len, off, r, errno, want);
		t_failed = 1;
		return;
	}
	if (memcmp(buf, m->data + off, want) != 0) {
		size_t i = 0;

		while (buf[i] == m->data[off + i])
			i++;
		printf("#   read of %zu at %zu (%d vectors): differs at byte "
		    "%zu\n", len, off, cnt, off + i);
		t_failed = 1;
	}
	for (size_t i = want; i < len; i++)
		if (buf[i] != 0xa5) {
			printf("#   read of %zu at %zu: wrote past the data\n",
			    len, off);
			t_failed = 1;
			break;
		}
}

/* Offsets: block aligned, odd, near the end, past it. */
static size_t
rnd_off(const struct model *m, size_t bsize)
{
	switch (rnd() % 5) {
	case 0:
		return (rnd() % (m->size / bsize)) * bsize;
	case 1:
		return m->size - rnd() % 50000;
	case 2:
		return m->size + rnd() % 3;
	default:
		return rnd() % m->size;
	}
}

/* Overwrite a random range of file i (dirty blocks), in the model too. */
static void
change(int fd, struct model *m)
{
	size_t off = rnd() % m->size;
	size_t n = MIN(1 + rnd() % 40000, m->size - off);

	fill(m->data + off, n);
	CHECK(rump_sys_pwrite64(fd, m->data + off, n, (off_t)off) ==
	    (ssize_t)n);
}

/* Cut file i short or make it longer (a hole at the end), in the model too. */
static void
resize(int fd, struct model *m)
{
	size_t size = m->cap / 2 + rnd() % (m->cap / 2 + 1);

	if (size > m->size)
		memset(m->data + m->size, 0, size - m->size);
	m->size = size;
	CHECK_EQ(rump_sys_ftruncate(fd, (off_t)size), 0);
}

/* Whole file in pieces of bufsize, sequentially. */
static void
read_all(int fd, const struct model *m, size_t bufsize)
{
	static unsigned char buf[300000];
	size_t off = 0;
	ssize_t r;

	REQUIRE(rump_sys_lseek(fd, 0, SEEK_SET) == 0);
	while ((r = rump_sys_read(fd, buf, bufsize)) > 0) {
		if (off + (size_t)r > m->size ||
		    memcmp(buf, m->data + off, (size_t)r) != 0) {
			printf("#   sequential read (%zu) differs at %zu\n",
			    bufsize, off);
			t_failed = 1;
			return;
		}
		off += (size_t)r;
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(off, m->size);
}

static void
mixed_case(const char *opts, size_t bsize)
{
	struct rump_kernel *k;
	struct stat st;
	int fd[NFILES];

	REQUIRE(mkimg(opts, bsize));
	REQUIRE((k = boot_mount(0)) != NULL);
	REQUIRE(rump_sys_stat("/mnt/sparse", &st) == 0);
	CHECK((uint64_t)st.st_blocks * 512 < files[1].size);	/* holes */
	for (int i = 0; i < NFILES; i++)
		REQUIRE((fd[i] = open_file(i, O_RDWR)) >= 0);
	/* nothing cached: all direct */
	for (int i = 0; i < NFILES; i++) {
		read_all(fd[i], &files[i], 131072);
		read_all(fd[i], &files[i], 100000);
	}
	for (int round = 0; round < 300; round++) {
		int i = (int)(rnd() % NFILES);
		struct model *m = &files[i];

		switch (rnd() % 9) {
		case 0:
			change(fd[i], m);	/* dirty blocks */
			break;
		case 3:
			if (rnd() % 4 == 0)
				resize(fd[i], m);
			break;
		case 1:
			/* small reads: clean blocks cached, with read-ahead */
			read_check(fd[i], m, rnd() % m->size, 1 + rnd() % 5000);
			break;
		case 2:
			if (rnd() % 4 == 0)	/* dirty ones written: clean */
				CHECK_EQ(rump_sys_fsync(fd[i]), 0);
			break;
		default:
			read_check(fd[i], m, rnd_off(m, bsize), rnd_len());
			break;
		}
	}
	for (int i = 0; i < NFILES; i++) {
		read_all(fd[i], &files[i], 131072);
		read_all(fd[i], &files[i], 4096 * 3 + 1);
		rump_sys_close(fd[i]);
	}
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));

	/* nothing cached, read-only: what was written is on the disk */
	REQUIRE((k = boot_mount(MS_RDONLY)) != NULL);
	for (int i = 0; i < NFILES; i++) {
		REQUIRE((fd[i] = open_file(i, O_RDONLY)) >= 0);
		read_all(fd[i], &files[i], 131072);
		for (int j = 0; j < 40; j++)
			read_check(fd[i], &files[i], rnd_off(&files[i], bsize),
			    rnd_len());
		rump_sys_close(fd[i]);
	}
	CHECK_EQ(unmount_halt(k), 0);
	rmtree(dir);
}

static void
mixed_1k(void)
{
	rng = seed_of();
	mixed_case("-b 1024", 1024);
}

static void
mixed_4k(void)
{
	rng = seed_of();
	mixed_case("-b 4096", 4096);
}

/*
 * The block map changing under runs direct reads mapped before: a hole
 * filled by a write, and blocks freed by truncation then read as a hole.
 */
static void
remap(void)
{
	static unsigned char buf[1 << 20], zeros[1 << 20];
	struct model *p = &files[0], *h = &files[1];
	size_t hole = 8 * 4096, half = 1 << 20;
	struct rump_kernel *k;
	int fd;

	rng = seed_of();
	REQUIRE(mkimg("-b 4096", 4096));
	REQUIRE((k = boot_mount(0)) != NULL);

	/* the first hole of the sparse file read, then a block of it written */
	REQUIRE((fd = open_file(1, O_RDWR)) >= 0);
	CHECK(rump_sys_pread64(fd, buf, hole, (off_t)hole) == (ssize_t)hole);
	CHECK(memcmp(buf, zeros, hole) == 0);
	/* its second half: blocks 12 to 15, one run in the indirect block */
	CHECK(rump_sys_pread64(fd, buf, hole / 2, (off_t)(hole + hole / 2)) ==
	    (ssize_t)hole / 2);
	fill(h->data + hole + 20480, 4096);
	CHECK(rump_sys_pwrite64(fd, h->data + hole + 20480, 4096,
	    (off_t)hole + 20480) == 4096);
	CHECK_EQ(rump_sys_fsync(fd), 0);
	CHECK(rump_sys_pread64(fd, buf, hole / 2, (off_t)(hole + hole / 2)) ==
	    (ssize_t)hole / 2);
	CHECK(memcmp(buf, h->data + hole + hole / 2, hole / 2) == 0);
	CHECK(rump_sys_pread64(fd, buf, hole, (off_t)hole) == (ssize_t)hole);
	CHECK(memcmp(buf, h->data + hole, hole) == 0);
	rump_sys_close(fd);

	/* the plain file read, cut to half (its blocks freed), made long again */
	REQUIRE((fd = open_file(0, O_RDWR)) >= 0);
	CHECK(rump_sys_pread64(fd, buf, half, (off_t)half) == (ssize_t)half);
	CHECK(memcmp(buf, p->data + half, half) == 0);
	CHECK_EQ(rump_sys_ftruncate(fd, (off_t)half), 0);
	CHECK_EQ(rump_sys_fsync(fd), 0);
	CHECK_EQ(rump_sys_ftruncate(fd, (off_t)p->size), 0);
	CHECK(rump_sys_pread64(fd, buf, half, (off_t)half) == (ssize_t)half);
	CHECK(memcmp(buf, zeros, half) == 0);
	rump_sys_close(fd);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	rmtree(dir);
}

/*
 * A host read error on the direct path is EIO for the read (with a console
 * line), and the next read gets the data; buffers the kernel may not write
 * are EFAULT, whether it or the host finds out.
 */
static void
errors(void)
{
	static unsigned char buf[262144];
	struct rump_kernel *k;
	struct iovec iov[2];
	void *gone;
	int fd;

	rng = seed_of();
	REQUIRE(mkimg("-b 4096", 4096));
	REQUIRE((k = boot_mount(0)) != NULL);
	REQUIRE((fd = open_file(0, O_RDONLY)) >= 0);
	/* the indirect block cached: the next host read is the data's */
	REQUIRE(rump_sys_pread64(fd, buf, 65536, 49152) == 65536);
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_READ, 1) == 0);
	CHECK_ERR(rump_sys_pread64(fd, buf, sizeof(buf), 204800), EIO);
	CHECK(strstr(con.text, "host read error") != NULL);
	CHECK(rump_sys_pread64(fd, buf, sizeof(buf), 204800) ==
	    (ssize_t)sizeof(buf));
	CHECK(memcmp(buf, files[0].data + 204800, sizeof(buf)) == 0);

	/* below the lowest mappable address: refused before the host read */
	iov[0].iov_base = buf;
	iov[0].iov_len = 65536;
	iov[1].iov_base = (void *)(uintptr_t)0x1000;
	iov[1].iov_len = 65536;
	CHECK_ERR(rump_sys_preadv(fd, iov, 2, 0, 0), EFAULT);
	/* mapped without access: the host read finds it */
	gone = mmap(NULL, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(gone != MAP_FAILED);
	CHECK_ERR(rump_sys_pread64(fd, gone, 65536, 0), EFAULT);
	CHECK_EQ(munmap(gone, 65536), 0);
	CHECK(rump_sys_pread64(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	CHECK(memcmp(buf, files[0].data, sizeof(buf)) == 0);
	rump_sys_close(fd);
	CHECK_EQ(unmount_halt(k), 0);
	rmtree(dir);
}

TESTS(T(mixed_1k), T(mixed_4k), T(remap), T(errors))

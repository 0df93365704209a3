/*
 * The copying program of bench/ext2.ts: a file or a tree copied between
 * the host and an ext2 image, through rumpkit's C API or through the host's
 * system calls (on a loop mount of the image, or host to host for the
 * host's own share of the work).  The same copy loop serves every side.
 *
 *   bench_ext2 [-i IMAGE] in|out SRC DST
 *   bench_ext2 -n in|out SRC DST
 *
 * With -i, a kernel is booted (default configuration, as the rumpkit CLI),
 * IMAGE is attached at /dev/ld0 (read-only for "out") and mounted as ext2
 * at /mnt (MS_RDONLY for "out"); the image-side path (DST for "in", SRC for
 * "out") is a path inside the image.  The kernel then unmounts (writing
 * every dirty block back to the image file) and halts.  Without -i both
 * paths are host paths.  Prints one JSON object: the elapsed time from
 * before the boot to after the halt, and what was copied.
 *
 * -n times the host's half of a copy alone, with no image at all: "in"
 * reads SRC and discards what it reads; "out" first reads SRC into memory
 * (not timed), then times making DST from memory.  No copy between the host
 * and an image can take less than its host half.
 *
 * Files are read and written in 1 MiB chunks; directories are made 0755,
 * files 0644; nothing else (owners, times) is copied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#define CHUNK	(1 << 20)

/* One side of a copy: the calls on host paths or on kernel paths. */
struct ops {
	int	(*open)(const char *, int, mode_t);
	int	(*close)(int);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	int	(*mkdir)(const char *, mode_t);
	int	(*lstat)(const char *, struct stat *);
	long	(*getdents)(int, void *, size_t);
};

static int h_open(const char *p, int f, mode_t m) { return open(p, f, m); }
static long h_getdents(int fd, void *b, size_t n) { return syscall(SYS_getdents64, fd, b, n); }
static int r_mkdir(const char *p, mode_t m) { return rump_sys_mkdir(p, m); }
static int r_lstat(const char *p, struct stat *st) { return rump_sys_lstat(p, st); }
static long r_getdents(int fd, void *b, size_t n) { return rump_sys_getdents64(fd, b, (unsigned)n); }

static const struct ops host_ops = {
	h_open, close, read, write, mkdir, lstat, h_getdents,
};
static const struct ops rump_ops = {
	rump_sys_open, rump_sys_close, rump_sys_read, rump_sys_write, r_mkdir,
	r_lstat, r_getdents,
};

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "bench_ext2: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/*
 * Memory as one side: a tree recorded in copy order (mem_ops), replayed
 * onto the host (replay), or nothing at all (null_ops).
 */
struct mnode {
	char	*path;		/* below the top: "" for the top itself */
	bool	dir;
	char	*data;
	size_t	len, cap;
};
static struct mnode *mnodes;
static size_t nmnodes;

static struct mnode *
mnew(const char *path, bool dir)
{
	static size_t cap;
	struct mnode *m;

	if (nmnodes == cap) {
		cap = cap ? 2 * cap : 1024;
		if ((mnodes = realloc(mnodes, cap * sizeof(*mnodes))) == NULL)
			die("realloc", path);
	}
	m = &mnodes[nmnodes++];
	memset(m, 0, sizeof(*m));
	if ((m->path = strdup(path)) == NULL)
		die("strdup", path);
	m->dir = dir;
	return m;
}

static int m_open(const char *p, int f, mode_t m) { (void)f; (void)m; mnew(p, false); return (int)nmnodes - 1; }
static int m_mkdir(const char *p, mode_t m) { (void)m; mnew(p, true); return 0; }
static int z_close(int fd) { (void)fd; return 0; }
static int z_open(const char *p, int f, mode_t m) { (void)p; (void)f; (void)m; return 0; }
static int z_mkdir(const char *p, mode_t m) { (void)p; (void)m; return 0; }
static ssize_t z_write(int fd, const void *b, size_t n) { (void)fd; (void)b; return (ssize_t)n; }

static ssize_t
m_write(int fd, const void *b, size_t n)
{
	struct mnode *m = &mnodes[fd];

	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		if ((m->data = realloc(m->data, m->cap)) == NULL)
			die("realloc", m->path);
	}
	memcpy(m->data + m->len, b, n);
	m->len += n;
	return (ssize_t)n;
}

static const struct ops mem_ops = {
	m_open, z_close, NULL, m_write, m_mkdir, NULL, NULL,
};
static const struct ops null_ops = {
	z_open, z_close, NULL, z_write, z_mkdir, NULL, NULL,
};

/* Make the recorded tree at dst on the host. */
static void
replay(const char *dst)
{
	char path[4096];

	for (size_t i = 0; i < nmnodes; i++) {
		struct mnode *m = &mnodes[i];
		int fd;

		snprintf(path, sizeof(path), "%s%s", dst, m->path);
		if (m->dir) {
			if (mkdir(path, 0755) != 0 && errno != EEXIST)
				die("mkdir", path);
			continue;
		}
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
			die("create", path);
		for (size_t off = 0; off < m->len;) {
			ssize_t w = write(fd, m->data + off,
			    MIN(m->len - off, (size_t)CHUNK));

			if (w <= 0)
				die("write", path);
			off += (size_t)w;
		}
		if (close(fd) != 0)
			die("close", path);
	}
}

struct dirent64_hdr {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

struct totals {
	uint64_t bytes, files, dirs;
};

static char *buf;

static void
copy_file(const struct ops *so, const char *src, const struct ops *dop,
    const char *dst, struct totals *t)
{
	int in, out;
	ssize_t n;

	if ((in = so->open(src, O_RDONLY, 0)) < 0)
		die("open", src);
	if ((out = dop->open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		die("create", dst);
	while ((n = so->read(in, buf, CHUNK)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = dop->write(out, buf + off, (size_t)(n - off));

			if (w <= 0)
				die("write", dst);
			off += w;
		}
		t->bytes += (uint64_t)n;
	}
	if (n < 0)
		die("read", src);
	so->close(in);
	if (dop->close(out) != 0)
		die("close", dst);
	t->files++;
}

static void copy(const struct ops *, const char *, unsigned char,
    const struct ops *, const char *, struct totals *);

/* The entries of a directory, read whole before any is copied. */
static void
copy_dir(const struct ops *so, const char *src, const struct ops *dop,
    const char *dst, struct totals *t)
{
	static char dbuf[32768];
	char *names = NULL, *p;
	size_t len = 0, cap = 0;
	long got;
	int fd;

	if (dop->mkdir(dst, 0755) != 0 && errno != EEXIST)
		die("mkdir", dst);
	t->dirs++;
	if ((fd = so->open(src, O_RDONLY | O_DIRECTORY, 0)) < 0)
		die("open", src);
	while ((got = so->getdents(fd, dbuf, sizeof(dbuf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64_hdr *de = (void *)(dbuf + off);
			size_t nl = strlen(de->d_name) + 2;

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (len + nl > cap) {
				cap = (cap + nl) * 2;
				if ((names = realloc(names, cap)) == NULL)
					die("realloc", src);
			}
			names[len] = (char)de->d_type;	/* then the name */
			memcpy(names + len + 1, de->d_name, nl - 1);
			len += nl;
		}
	}
	if (got < 0)
		die("getdents", src);
	so->close(fd);
	for (p = names; p != NULL && p < names + len; p += strlen(p + 1) + 2) {
		char s[4096], d[4096];

		snprintf(s, sizeof(s), "%s/%s", src, p + 1);
		snprintf(d, sizeof(d), "%s/%s", dst, p + 1);
		copy(so, s, (unsigned char)p[0], dop, d, t);
	}
	free(names);
}

/* Copy src, of type dtype (a d_type; DT_UNKNOWN: lstat tells). */
static void
copy(const struct ops *so, const char *src, unsigned char dtype,
    const struct ops *dop, const char *dst, struct totals *t)
{
	struct stat st;

	if (dtype == DT_UNKNOWN) {
		if (so->lstat(src, &st) != 0)
			die("lstat", src);
		dtype = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ?
		    DT_REG : DT_UNKNOWN;
	}
	if (dtype == DT_DIR)
		copy_dir(so, src, dop, dst, t);
	else if (dtype == DT_REG)
		copy_file(so, src, dop, dst, t);
	/* other types: the benchmark's trees have none */
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	const char *image = NULL;
	bool half = false;
	struct rump_kernel *k = NULL;
	struct totals t = { 0, 0, 0 };
	char ipath[4096];
	bool in;
	double t0, t1;
	int ch, error;

	while ((ch = getopt(argc, argv, "i:n")) != -1) {
		if (ch == 'i')
			image = optarg;
		else if (ch == 'n')
			half = true;
		else
			goto usage;
	}
	if (half && image != NULL)
		goto usage;
	if (argc - optind != 3 || (strcmp(argv[optind], "in") != 0 &&
	    strcmp(argv[optind], "out") != 0))
		goto usage;
	in = strcmp(argv[optind], "in") == 0;
	if ((buf = malloc(CHUNK)) == NULL)
		die("malloc", "");
	memset(buf, 0, CHUNK);	/* touched before the clock starts */

	if (half && !in) {
		/* the tree into memory first: only making it on the host is timed */
		copy(&host_ops, argv[optind + 1], DT_UNKNOWN, &mem_ops, "", &t);
	}
	t0 = now();
	if (half) {
		if (in)
			copy(&host_ops, argv[optind + 1], DT_UNKNOWN, &null_ops,
			    "", &t);
		else
			replay(argv[optind + 2]);
	} else if (image == NULL) {
		copy(&host_ops, argv[optind + 1], DT_UNKNOWN, &host_ops,
		    argv[optind + 2], &t);
	} else {
		if ((k = rump_kernel_boot(NULL)) == NULL || rump_kernel_enter(k) != 0)
			die("boot", "");
		if ((error = rump_disk_attach(k, "/dev/ld0", image,
		    in ? 0 : RUMP_DISK_RDONLY)) != 0) {
			errno = error;
			die("attach", image);
		}
		if (rump_sys_mkdir("/mnt", 0755) != 0)
			die("mkdir", "/mnt");
		if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", in ? 0 : MS_RDONLY,
		    NULL) != 0)
			die("mount", image);
		snprintf(ipath, sizeof(ipath), "/mnt%s", argv[optind + (in ? 2 : 1)]);
		if (in)
			copy(&host_ops, argv[optind + 1], DT_UNKNOWN, &rump_ops, ipath,
			    &t);
		else
			copy(&rump_ops, ipath, DT_UNKNOWN, &host_ops, argv[optind + 2],
			    &t);
		if (rump_sys_umount2("/mnt", 0) != 0)
			die("unmount", image);
		rump_kernel_leave();
		if (rump_kernel_halt(k) != 0)
			fprintf(stderr, "bench_ext2: kernel memory leaked at halt\n");
	}
	t1 = now();
	free(buf);
	printf("{\"ns\":%.0f,\"bytes\":%llu,\"files\":%llu,\"dirs\":%llu}\n",
	    t1 - t0, (unsigned long long)t.bytes, (unsigned long long)t.files,
	    (unsigned long long)t.dirs);
	return 0;
usage:
	fprintf(stderr, "usage: bench_ext2 [-i IMAGE | -n] in|out SRC DST\n");
	return 2;
}

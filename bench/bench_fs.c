/*
 * The file-system half of `npm run bench`, in C: rump_sys_* on a kernel's
 * tmpfs against the host's system calls on /dev/shm (the host's tmpfs),
 * side by side in one run.  Prints one JSON object on stdout.
 *
 *   bench_fs [-b batches] [-n files] [-g seq-mib]
 *
 * Per-call figures are the median over batches; rump and host batches
 * alternate so that a noisy neighbour hits both alike.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "bench.h"

#define MAXBATCH	16
#define SEQ_ROUNDS	3

/* The calls both sides make, as function pointers to one set or the other. */
struct ops {
	const char *name;
	int	(*open)(const char *, int, mode_t);
	int	(*close)(int);
	int	(*stat)(const char *, struct stat *);
	ssize_t	(*pread)(int, void *, size_t, off_t);
	ssize_t	(*pwrite)(int, const void *, size_t, off_t);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	int	(*unlink)(const char *);
	int	(*mkdir)(const char *, mode_t);
	int	(*rmdir)(const char *);
	long	(*getdents)(int, void *, size_t);
};

static int h_open(const char *p, int f, mode_t m) { return open(p, f, m); }
static int h_stat(const char *p, struct stat *st) { return stat(p, st); }
static long h_getdents(int fd, void *b, size_t n) { return syscall(SYS_getdents64, fd, b, n); }
static int r_stat(const char *p, struct stat *st) { return rump_sys_stat(p, st); }
static ssize_t r_pread(int fd, void *b, size_t n, off_t o) { return rump_sys_pread64(fd, b, n, o); }
static ssize_t r_pwrite(int fd, const void *b, size_t n, off_t o) { return rump_sys_pwrite64(fd, b, n, o); }
static long r_getdents(int fd, void *b, size_t n) { return rump_sys_getdents64(fd, b, (unsigned)n); }
static int r_mkdir(const char *p, mode_t m) { return rump_sys_mkdir(p, m); }

static const struct ops host_ops = {
	"host", h_open, close, h_stat, pread, pwrite, read, write, unlink,
	mkdir, rmdir, h_getdents,
};
static const struct ops rump_ops = {
	"rump", rump_sys_open, rump_sys_close, r_stat, r_pread, r_pwrite,
	rump_sys_read, rump_sys_write, rump_sys_unlink, r_mkdir, rump_sys_rmdir,
	r_getdents,
};

static volatile long sink;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per call of one measured operation, on one side */
typedef double (*measure_fn)(const struct ops *o, const char *base, int n);

static double
m_stat(const struct ops *o, const char *base, int n)
{
	char path[256];
	struct stat st;
	double t;

	snprintf(path, sizeof(path), "%s/file", base);
	t = now();
	for (int i = 0; i < n; i++)
		sink += o->stat(path, &st);
	return (now() - t) / n;
}

static double
m_openclose(const struct ops *o, const char *base, int n)
{
	char path[256];
	double t;

	snprintf(path, sizeof(path), "%s/file", base);
	t = now();
	for (int i = 0; i < n; i++) {
		int fd = o->open(path, O_RDONLY, 0);

		sink += o->close(fd);
	}
	return (now() - t) / n;
}

static double
rw4k(const struct ops *o, const char *base, int n, bool write)
{
	static char buf[4096];
	char path[256];
	double t;
	int fd;

	snprintf(path, sizeof(path), "%s/file", base);
	if ((fd = o->open(path, O_RDWR, 0)) < 0)
		die("open file");
	t = now();
	for (int i = 0; i < n; i++) {
		off_t off = (off_t)(i % 256) * 4096;

		sink += write ? o->pwrite(fd, buf, sizeof(buf), off) :
		    o->pread(fd, buf, sizeof(buf), off);
	}
	t = (now() - t) / n;
	o->close(fd);
	return t;
}

static double
m_pread(const struct ops *o, const char *base, int n)
{
	return rw4k(o, base, n, false);
}

static double
m_pwrite(const struct ops *o, const char *base, int n)
{
	return rw4k(o, base, n, true);
}

/* Create n files in a fresh directory (the figure), then unlink them. */
static double
m_create(const struct ops *o, const char *base, int n)
{
	char dir[256], path[300];
	double t;

	snprintf(dir, sizeof(dir), "%s/c", base);
	if (o->mkdir(dir, 0755) != 0)
		die("mkdir");
	t = now();
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%06d", dir, i);
		int fd = o->open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);

		if (fd < 0)
			die("create");
		o->close(fd);
	}
	t = (now() - t) / n;
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%06d", dir, i);
		o->unlink(path);
	}
	o->rmdir(dir);
	return t;
}

static double
m_unlink(const struct ops *o, const char *base, int n)
{
	char dir[256], path[300];
	double t;

	snprintf(dir, sizeof(dir), "%s/u", base);
	if (o->mkdir(dir, 0755) != 0)
		die("mkdir");
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%06d", dir, i);
		o->close(o->open(path, O_CREAT | O_WRONLY, 0644));
	}
	t = now();
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%06d", dir, i);
		sink += o->unlink(path);
	}
	t = (now() - t) / n;
	o->rmdir(dir);
	return t;
}

/* List the n-entry directory "big" once: ns per listing. */
static double
m_readdir(const struct ops *o, const char *base, int reps)
{
	static char buf[32768];
	char dir[256];
	double t;

	snprintf(dir, sizeof(dir), "%s/big", base);
	t = now();
	for (int r = 0; r < reps; r++) {
		int fd = o->open(dir, O_RDONLY | O_DIRECTORY, 0);
		long got;

		while ((got = o->getdents(fd, buf, sizeof(buf))) > 0)
			sink += got;
		o->close(fd);
	}
	return (now() - t) / reps;
}

/* Sequential write then read of mib MiB in 1 MiB chunks: MiB/s each. */
static void
seq(const struct ops *o, const char *base, int mib, double *wr, double *rd)
{
	static char buf[1 << 20];
	char path[256];
	double t;
	int fd;

	memset(buf, 0x5a, sizeof(buf));
	snprintf(path, sizeof(path), "%s/seq", base);
	if ((fd = o->open(path, O_CREAT | O_TRUNC | O_RDWR, 0644)) < 0)
		die("open seq");
	t = now();
	for (int i = 0; i < mib; i++)
		if (o->write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write seq");
	*wr = mib / ((now() - t) / 1e9);
	o->close(fd);
	if ((fd = o->open(path, O_RDONLY, 0)) < 0)
		die("open seq");
	t = now();
	for (int i = 0; i < mib; i++)
		if (o->read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("read seq");
	*rd = mib / ((now() - t) / 1e9);
	o->close(fd);
	o->unlink(path);
}

static void
setup(const struct ops *o, const char *base, int nfiles)
{
	static char page[4096];
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/file", base);
	if ((fd = o->open(path, O_CREAT | O_RDWR | O_TRUNC, 0644)) < 0)
		die("setup file");
	for (int i = 0; i < 256; i++)
		o->write(fd, page, sizeof(page));
	o->close(fd);
	snprintf(path, sizeof(path), "%s/big", base);
	o->mkdir(path, 0755);
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/big/entry-%06d", base, i);
		o->close(o->open(path, O_CREAT | O_WRONLY, 0644));
	}
}

static void
teardown(const struct ops *o, const char *base, int nfiles)
{
	char path[300];

	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/big/entry-%06d", base, i);
		o->unlink(path);
	}
	snprintf(path, sizeof(path), "%s/big", base);
	o->rmdir(path);
	snprintf(path, sizeof(path), "%s/file", base);
	o->unlink(path);
	o->rmdir(base);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		measure_fn fn;
		int n;
	} cases[] = {
		{ "stat", m_stat, 200000 },
		{ "open_close", m_openclose, 100000 },
		{ "pread_4k", m_pread, 100000 },
		{ "pwrite_4k", m_pwrite, 100000 },
		{ "create", m_create, 0 },	/* n: the file count */
		{ "unlink", m_unlink, 0 },
		{ "readdir", m_readdir, 20 },
	};
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	double res[NCASES][2][MAXBATCH];
	int batches = 5, nfiles = 10000, mib = 1024, ch;
	char hostbase[] = "/dev/shm/rumpkit-bench-XXXXXX";
	const char *rumpbase = "/bench";
	struct rump_config cfg = { .memlimit = (uint64_t)(mib + 512) << 21 };
	struct rump_kernel *k;
	double wr[2], rd[2], first[2], swr[2][SEQ_ROUNDS], srd[2][SEQ_ROUNDS];

	while ((ch = getopt(argc, argv, "b:n:g:")) != -1) {
		switch (ch) {
		case 'b': batches = atoi(optarg); break;
		case 'n': nfiles = atoi(optarg); break;
		case 'g': mib = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench_fs [-b batches] [-n files] [-g seq-mib]\n");
			return 2;
		}
	}
	if (batches < 1 || batches > MAXBATCH || nfiles < 1 || mib < 1)
		return 2;
	cfg.memlimit = ((uint64_t)mib + 512) << 21;
	if ((k = rump_kernel_boot(&cfg)) == NULL || rump_kernel_enter(k) != 0)
		die("boot");
	if (mkdtemp(hostbase) == NULL)
		die("mkdtemp");
	if (rump_sys_mkdir(rumpbase, 0755) != 0)
		die("rump mkdir");
	setup(&host_ops, hostbase, nfiles);
	setup(&rump_ops, rumpbase, nfiles);

	for (int b = 0; b < batches; b++) {
		for (int c = 0; c < NCASES; c++) {
			int n = cases[c].n ? cases[c].n : nfiles;

			res[c][0][b] = cases[c].fn(&rump_ops, rumpbase, n);
			res[c][1][b] = cases[c].fn(&host_ops, hostbase, n);
		}
	}
	/* rounds alternate; each writes a fresh file after the last was removed */
	for (int r = 0; r < SEQ_ROUNDS; r++) {
		seq(&rump_ops, rumpbase, mib, &swr[0][r], &srd[0][r]);
		seq(&host_ops, hostbase, mib, &swr[1][r], &srd[1][r]);
	}
	for (int i = 0; i < 2; i++) {
		first[i] = swr[i][0];
		double w[SEQ_ROUNDS], r[SEQ_ROUNDS];

		/* median() sorts: keep the rounds in order for the report */
		memcpy(w, swr[i], sizeof(w));
		memcpy(r, srd[i], sizeof(r));
		wr[i] = median(w, SEQ_ROUNDS);
		rd[i] = median(r, SEQ_ROUNDS);
	}
	teardown(&host_ops, hostbase, nfiles);
	teardown(&rump_ops, rumpbase, nfiles);
	rump_kernel_leave();
	if (rump_kernel_halt(k) != 0)
		fprintf(stderr, "bench_fs: kernel memory leaked at halt\n");

	printf("{\"batches\":%d,\"files\":%d,\"seq_mib\":%d", batches, nfiles, mib);
	for (int c = 0; c < NCASES; c++)
		printf(",\"%s\":{\"rump_ns\":%.1f,\"host_ns\":%.1f}", cases[c].name,
		    median(res[c][0], batches), median(res[c][1], batches));
	printf(",\"seq_write\":{\"rump_mibs\":%.0f,\"host_mibs\":%.0f,"
	    "\"rump_first_mibs\":%.0f,\"host_first_mibs\":%.0f,\"rounds\":%d,"
	    "\"rump_rounds_mibs\":[%.0f,%.0f,%.0f],\"host_rounds_mibs\":[%.0f,%.0f,%.0f]}",
	    wr[0], wr[1], first[0], first[1], SEQ_ROUNDS, swr[0][0], swr[0][1],
	    swr[0][2], swr[1][0], swr[1][1], swr[1][2]);
	printf(",\"seq_read\":{\"rump_mibs\":%.0f,\"host_mibs\":%.0f}}\n", rd[0], rd[1]);
	return 0;
}

/*
 * The differential POSIX suite's engine (the t_posix_*.c programs).
 *
 * A scenario is a function of a struct ctx that makes system calls through
 * ctx->fn with the host's SYS_* numbers and relative paths.  It runs twice:
 *
 *   host    a forked child, chdir'ed into a fresh directory under /dev/shm,
 *           SIGPIPE ignored, every descriptor closed, its log in MAP_SHARED
 *           memory; real Linux system calls (syscall(2));
 *   kernel  a fresh kernel, a process rfork'ed with an empty descriptor
 *           table, chdir'ed into a fresh /t; rump_syscall().
 *
 * Each recorded call keeps its return value, errno and (where asked) its
 * out-buffer, raw or through a normalizer that keeps only what is
 * comparable (no inode numbers, devices or times).  After the scenario,
 * both directories are walked as root and the trees compared.  The host side
 * runs and is cleaned up (mounts detached, directory removed) before the
 * kernel side starts, so that nothing of it outlives a crash of the kernel.
 */
#ifndef POSIX_DIFF_H
#define POSIX_DIFF_H

/* each program uses a part of the engine */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/stat.h>

#include <rump/rump.h>

#include "harness.h"
#include "sysfn.h"

#define PD_MAXREC	4096
#define PD_OUTMAX	112
#define PD_TAGMAX	56
#define PD_TREEMAX	(1 << 20)
#define PD_BUFSZ	(1 << 17)
#define PD_HOSTROOT	"/dev/shm"

struct pd_rec {
	long	ret;
	int	err;
	int	line;
	unsigned short outlen;
	unsigned char out[PD_OUTMAX];
	char	tag[PD_TAGMAX];
};

struct pd_log {
	int	n;
	int	lost;		/* records past PD_MAXREC */
	int	done;		/* the scenario ran to its end */
	size_t	treelen;
	char	tree[PD_TREEMAX];
	struct pd_rec r[PD_MAXREC];
};

struct ctx;
/* Turns the call's out-buffer into the bytes compared (at most PD_OUTMAX). */
typedef size_t (*pd_norm)(struct ctx *c, long ret, unsigned char *out);

struct ctx {
	sysfn	fn;
	struct pd_log *lg;
	int	kernel;		/* 0: the host, 1: a rump kernel */
	int	depth;		/* processes started with pd_sub */
	long	pids[8];	/* pids[depth]: this process */
	char	tag[PD_TAGMAX];	/* printed with a divergence */
	unsigned char *buf;	/* PD_BUFSZ bytes: the calls' out-buffer */
	struct rump_kernel *k;
};

static uint64_t
pd_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}
#define PD_HASH0	14695981039346656037ULL

static struct pd_rec *
pd_newrec(struct ctx *c, int line)
{
	struct pd_log *lg = c->lg;
	struct pd_rec *r;

	if (lg->n >= PD_MAXREC) {
		lg->lost++;
		return NULL;
	}
	r = &lg->r[lg->n++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	memcpy(r->tag, c->tag, PD_TAGMAX);
	return r;
}

/* Raw out-buffer: the first bytes, and a hash of all n. */
static size_t
pd_raw(struct ctx *c, size_t n, unsigned char *out)
{
	uint64_t h = pd_hash(c->buf, n, PD_HASH0);
	size_t keep = n < PD_OUTMAX - 8 ? n : PD_OUTMAX - 8;

	memcpy(out, &h, 8);
	memcpy(out + 8, c->buf, keep);
	return keep + 8;
}

static size_t N_CWD(struct ctx *c, long ret, unsigned char *out);
static const char *pd_cwd_prefix(struct ctx *c);

/* Make one call and record it. */
static long
pd_call(struct ctx *c, int line, size_t raw, pd_norm norm, long nr, long a,
    long b, long cc, long d, long e, long f)
{
	struct pd_rec *r;
	long ret;
	int err;

	memset(c->buf, 0xa5, raw > 4096 ? raw : 4096);
	errno = 0;
	ret = c->fn(nr, a, b, cc, d, e, f);
	err = ret == -1 ? errno : 0;
	if ((r = pd_newrec(c, line)) != NULL) {
		r->ret = ret;
		r->err = err;
		if (norm != NULL && ret != -1) {
			r->outlen = (unsigned short)norm(c, ret, r->out);
			if (norm == N_CWD)	/* the length below the prefix */
				r->ret = ret - (long)strlen(pd_cwd_prefix(c));
		}
		else if (raw > 0 && ret != -1)
			r->outlen = (unsigned short)pd_raw(c, raw, r->out);
	}
	errno = err;
	return ret;
}

/*
 * A documented deviation (docs/deviations.md): the kernel must give
 * (eret, eerr); Linux's own result is not compared, and a descriptor it
 * returns is closed so that both sides stay in step.
 */
static long
pd_deviation(struct ctx *c, int line, long eret, int eerr, long nr, long a,
    long b, long cc, long d)
{
	struct pd_rec *r;
	long ret;

	errno = 0;
	ret = c->fn(nr, a, b, cc, d, 0, 0);
	if ((r = pd_newrec(c, line)) == NULL)
		return ret;
	if (!c->kernel) {
		if (ret >= 0 && (nr == SYS_open || nr == SYS_openat))
			c->fn(SYS_close, ret, 0, 0, 0, 0, 0);
		r->ret = eret;
		r->err = eerr;
		return eret;
	}
	r->ret = ret;
	r->err = ret == -1 ? errno : 0;
	return ret;
}
#define DEV(eret, eerr, ...)	DEV_(eret, eerr, __VA_ARGS__, 0, 0, 0, 0)
#define DEV_(eret, eerr, nr, a, b, c, d, ...) pd_deviation(ctx, __LINE__, \
	eret, eerr, nr, PD_L(a), PD_L(b), PD_L(c), PD_L(d))

/* Record a value the scenario computed (both sides must compute it alike). */
static void
pd_note(struct ctx *c, int line, const void *p, size_t n)
{
	struct pd_rec *r = pd_newrec(c, line);

	if (r == NULL)
		return;
	if (n > PD_OUTMAX) {
		uint64_t h = pd_hash(p, n, PD_HASH0);

		memcpy(r->out, &h, 8);
		memcpy(r->out + 8, p, PD_OUTMAX - 8);
		n = PD_OUTMAX;
	} else {
		memcpy(r->out, p, n);
	}
	r->outlen = (unsigned short)n;
}

#define PD_L(x)		((long)(x))
#define S(...)		S_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define S_(nr, a, b, c, d, e, f, ...) pd_call(ctx, __LINE__, 0, NULL, nr, \
	PD_L(a), PD_L(b), PD_L(c), PD_L(d), PD_L(e), PD_L(f))
/* compare the first n bytes of BUF too */
#define SO(n, ...)	SO_(n, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define SO_(n, nr, a, b, c, d, e, f, ...) pd_call(ctx, __LINE__, (n), NULL, \
	nr, PD_L(a), PD_L(b), PD_L(c), PD_L(d), PD_L(e), PD_L(f))
/* compare what normalizer fn keeps of BUF */
#define SN(fn, ...)	SN_(fn, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define SN_(fn, nr, a, b, c, d, e, f, ...) pd_call(ctx, __LINE__, 0, fn, \
	nr, PD_L(a), PD_L(b), PD_L(c), PD_L(d), PD_L(e), PD_L(f))
/* not compared: brings both sides to the same point */
#define PREP(...)	PREP_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define PREP_(nr, a, b, c, d, e, f, ...) ctx->fn(nr, PD_L(a), PD_L(b), \
	PD_L(c), PD_L(d), PD_L(e), PD_L(f))
#define NOTE(p, n)	pd_note(ctx, __LINE__, (p), (n))
#define BUF		((long)(uintptr_t)ctx->buf)
#define TAG(...)	snprintf(ctx->tag, PD_TAGMAX, __VA_ARGS__)

/* ------------------------------------------------------------ normalizers */

struct pd_stat {
	uint32_t mode, nlink, uid, gid;
	uint64_t size, blocks, rdev;
	uint32_t blksize;
};

static size_t
pd_put_stat(const struct stat *st, unsigned char *out)
{
	struct pd_stat s;

	memset(&s, 0, sizeof(s));
	s.mode = st->st_mode;
	s.nlink = (uint32_t)st->st_nlink;
	s.uid = st->st_uid;
	s.gid = st->st_gid;
	s.size = (uint64_t)st->st_size;
	s.blocks = (uint64_t)st->st_blocks;
	s.rdev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ?
	    (uint64_t)st->st_rdev : 0;
	s.blksize = (uint32_t)st->st_blksize;
	memcpy(out, &s, sizeof(s));
	return sizeof(s);
}

static size_t
N_STAT(struct ctx *c, long ret, unsigned char *out)
{
	struct stat st;

	(void)ret;
	memcpy(&st, c->buf, sizeof(st));
	return pd_put_stat(&st, out);
}

/* the same without st_blocks: sparse files, where only "fewer" holds */
static size_t
N_STAT_NOBLK(struct ctx *c, long ret, unsigned char *out)
{
	struct stat st;

	(void)ret;
	memcpy(&st, c->buf, sizeof(st));
	st.st_blocks = (blkcnt_t)(st.st_blocks * 512 < st.st_size);
	return pd_put_stat(&st, out);
}

static size_t
N_STATX(struct ctx *c, long ret, unsigned char *out)
{
	struct statx sx;
	uint32_t v[8];

	(void)ret;
	memcpy(&sx, c->buf, sizeof(sx));
	v[0] = sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_NLINK |
	    STATX_UID | STATX_GID | STATX_SIZE | STATX_BLOCKS);
	v[1] = sx.stx_mode;
	v[2] = sx.stx_nlink;
	v[3] = sx.stx_uid;
	v[4] = sx.stx_gid;
	v[5] = (uint32_t)sx.stx_size;
	v[6] = (uint32_t)(sx.stx_size >> 32);
	v[7] = sx.stx_blksize;
	memcpy(out, v, sizeof(v));
	return sizeof(v);
}

static size_t
N_STATFS(struct ctx *c, long ret, unsigned char *out)
{
	struct statfs sf;
	int64_t v[4];

	(void)ret;
	memcpy(&sf, c->buf, sizeof(sf));
	v[0] = (int64_t)sf.f_type;
	v[1] = (int64_t)sf.f_bsize;
	v[2] = (int64_t)sf.f_namelen;
	v[3] = (int64_t)(sf.f_flags & ~(long)0x1000 /* ST_RELATIME */);
	memcpy(out, v, sizeof(v));
	return sizeof(v);
}

/* A getdents64 result as a set: sorted "type name" lines, hashed. */
static int
pd_cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
N_DENTS(struct ctx *c, long ret, unsigned char *out)
{
	char *names[512], *p = (char *)c->buf;
	uint64_t h = PD_HASH0;
	uint32_t n = 0;

	for (long off = 0; off < ret && n < 512;) {
		unsigned short reclen;

		memcpy(&reclen, p + off + 16, 2);
		names[n++] = p + off + 18;	/* type, then the name */
		off += reclen;
	}
	qsort(names, n, sizeof(names[0]), pd_cmpstr);
	for (uint32_t i = 0; i < n; i++)
		h = pd_hash(names[i], strlen(names[i] + 1) + 2, h);
	memcpy(out, &n, 4);
	memcpy(out + 4, &h, 8);
	return 12;
}

/*
 * In-and-out arguments (struct flock, pollfd arrays, fd_sets) live in AUX,
 * past the part of BUF that is cleared before each call.
 */
#define PD_AUXOFF	8192
#define AUX		((long)(uintptr_t)(ctx->buf + PD_AUXOFF))
#define AUXP(type)	((type *)(void *)(ctx->buf + PD_AUXOFF))

static size_t
N_AUX(struct ctx *c, long ret, unsigned char *out)
{
	(void)ret;
	memcpy(out, c->buf + PD_AUXOFF, 64);
	return 64;
}

/* epoll_wait's reports at BUF: events and data of each, in order. */
static size_t
N_EV(struct ctx *c, long ret, unsigned char *out)
{
	size_t n = ret > 0 ? (size_t)ret : 0, len = 0;

	for (size_t i = 0; i < n && len + 12 <= PD_OUTMAX; i++) {
		struct epoll_event ev;

		memcpy(&ev, c->buf + i * sizeof(ev), sizeof(ev));
		memcpy(out + len, &ev.events, 4);
		memcpy(out + len + 4, &ev.data.u64, 8);
		len += 12;
	}
	return len;
}

/* select's three sets (at AUX, 128 bytes apart): the first 64 fds of each */
static size_t
N_SELECT(struct ctx *c, long ret, unsigned char *out)
{
	(void)ret;
	for (int i = 0; i < 3; i++)
		memcpy(out + 8 * i, c->buf + PD_AUXOFF + 128 * i, 8);
	return 24;
}

/* struct flock at AUX, with l_pid as an index into the scenario's processes. */
static size_t
N_FLOCK(struct ctx *c, long ret, unsigned char *out)
{
	struct flock fl;
	int64_t v[5];

	(void)ret;
	memcpy(&fl, c->buf + PD_AUXOFF, sizeof(fl));
	v[0] = fl.l_type;
	v[1] = fl.l_whence;
	v[2] = fl.l_start;
	v[3] = fl.l_len;
	v[4] = fl.l_pid == 0 ? -1 : -2;
	for (int i = 0; i <= c->depth; i++)
		if (fl.l_pid == c->pids[i])
			v[4] = i;
	memcpy(out, v, sizeof(v));
	return sizeof(v);
}

/* getcwd: the path below the scenario's directory. */
static const char *pd_cwd_prefix(struct ctx *c);

static size_t
N_CWD(struct ctx *c, long ret, unsigned char *out)
{
	const char *pre = pd_cwd_prefix(c), *s = (const char *)c->buf;
	size_t pl = strlen(pre), n;

	(void)ret;
	if (strncmp(s, pre, pl) == 0)
		s += pl;
	else
		s = "<outside>";
	n = strlen(s);
	if (n > PD_OUTMAX - 1)
		n = PD_OUTMAX - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return n + 1;
}

/* ------------------------------------------------------------ helpers */

/* A pattern both sides write. */
static unsigned char pd_pat[1 << 17];

static void
pd_pat_init(void)
{
	for (size_t i = 0; i < sizeof(pd_pat); i++)
		pd_pat[i] = (unsigned char)('a' + (i * 7 + i / 251) % 26);
}
#define PAT	((long)(uintptr_t)pd_pat)

/* Write a file with n bytes of the pattern (not compared). */
static void
pd_mkfile(struct ctx *ctx, const char *name, mode_t mode, size_t n)
{
	long fd = PREP(SYS_openat, AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC,
	    mode);

	if (fd < 0)
		return;
	if (n > 0)
		PREP(SYS_write, fd, PAT, n);
	PREP(SYS_fchmod, fd, mode);
	PREP(SYS_close, fd);
}

/* Run fn in a child process sharing nothing but copies of fds and cwd. */
static void
pd_sub(struct ctx *c, void (*fn)(struct ctx *))
{
	if (c->depth + 1 >= 8)
		return;
	if (!c->kernel) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			c->depth++;
			c->pids[c->depth] = getpid();
			fn(c);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		return;
	}
	struct lwp *me = rump_lwproc_curlwp();

	if (rump_lwproc_rfork(RUMP_RFFDG) != 0)
		return;
	c->depth++;
	c->pids[c->depth] = rump_lwproc_getpid();
	fn(c);
	c->depth--;
	rump_lwproc_releaselwp();
	rump_lwproc_switch(me);
}

/* As fn, with the ids of an ordinary user (uid 1000, gid 1000, {1000, 2000}). */
static void
pd_become_user(struct ctx *ctx, uid_t uid, gid_t gid)
{
	gid_t groups[2] = { gid, 2000 };

	PREP(SYS_setgroups, 2, groups);
	PREP(SYS_setresgid, gid, gid, gid);
	PREP(SYS_setresuid, uid, uid, uid);
}

/* ------------------------------------------------------------ tree walk */

struct pd_tree {
	char	*buf;
	size_t	len, cap;
	char	**lines;
	size_t	nlines, capl;
};

static void
pd_tree_add(struct pd_tree *t, const char *s)
{
	if (t->nlines == t->capl) {
		t->capl = t->capl ? t->capl * 2 : 256;
		t->lines = realloc(t->lines, t->capl * sizeof(char *));
	}
	t->lines[t->nlines++] = strdup(s);
}

/* Hash of a regular file's contents (the first and last MiB of big ones). */
static uint64_t
pd_file_hash(struct ctx *c, long dfd, const char *name, uint64_t size)
{
	long fd = c->fn(SYS_openat, dfd, (long)name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK, 0, 0, 0);
	uint64_t h = PD_HASH0;
	long off = 0, n;

	if (fd < 0)
		return 0;
	while ((n = c->fn(SYS_pread64, fd, (long)c->buf, PD_BUFSZ, off, 0,
	    0)) > 0) {
		h = pd_hash(c->buf, (size_t)n, h);
		off += n;
		if (off >= (1 << 20) && size > (2u << 20) &&
		    off < (long)size - (1 << 20))
			off = (long)size - (1 << 20);
	}
	c->fn(SYS_close, fd, 0, 0, 0, 0, 0);
	return h;
}

static void
pd_walk(struct ctx *c, long dfd, const char *rel, struct pd_tree *t, int depth)
{
	char **names = malloc(4096 * sizeof(char *));
	size_t nn = 0;
	long n;

	if (depth > 40 || names == NULL) {
		free(names);
		return;
	}
	while ((n = c->fn(SYS_getdents64, dfd, (long)c->buf, 65536, 0, 0,
	    0)) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;
			const char *nm = (const char *)c->buf + off + 19;

			memcpy(&reclen, c->buf + off + 16, 2);
			off += reclen;
			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
				continue;
			if (nn < 4096)
				names[nn++] = strdup(nm);
		}
	}
	qsort(names, nn, sizeof(names[0]), pd_cmpstr);
	for (size_t i = 0; i < nn; i++) {
		struct stat st;
		char line[8192], extra[4200] = "";
		char *path = malloc(strlen(rel) + strlen(names[i]) + 2);

		sprintf(path, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		if (c->fn(SYS_newfstatat, dfd, (long)names[i], (long)&st,
		    AT_SYMLINK_NOFOLLOW, 0, 0) != 0) {
			snprintf(line, sizeof(line), "%s: stat errno %d", path,
			    errno);
			pd_tree_add(t, line);
			free(path);
			free(names[i]);
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			snprintf(extra, sizeof(extra), " size %lld data %016llx",
			    (long long)st.st_size, (unsigned long long)
			    pd_file_hash(c, dfd, names[i], (uint64_t)st.st_size));
		} else if (S_ISLNK(st.st_mode)) {
			char tgt[4097];
			long r = c->fn(SYS_readlinkat, dfd, (long)names[i],
			    (long)tgt, 4096, 0, 0);

			tgt[r > 0 ? r : 0] = '\0';
			snprintf(extra, sizeof(extra), " size %lld -> %s",
			    (long long)st.st_size, tgt);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			snprintf(extra, sizeof(extra), " rdev %llx",
			    (unsigned long long)st.st_rdev);
		}
		snprintf(line, sizeof(line), "%s: mode %06o nlink %u uid %u "
		    "gid %u%s", path, st.st_mode, (unsigned)st.st_nlink,
		    st.st_uid, st.st_gid, extra);
		pd_tree_add(t, line);
		if (S_ISDIR(st.st_mode)) {
			long sub = c->fn(SYS_openat, dfd, (long)names[i],
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, 0, 0);

			if (sub >= 0) {
				pd_walk(c, sub, path, t, depth + 1);
				c->fn(SYS_close, sub, 0, 0, 0, 0, 0);
			}
		}
		free(path);
		free(names[i]);
	}
	free(names);
}

/* Walk root into c->lg->tree: one sorted line per node, "\n"-separated. */
static void
pd_tree(struct ctx *c, const char *root)
{
	struct pd_tree t = { 0 };
	long fd = c->fn(SYS_openat, AT_FDCWD, (long)root,
	    O_RDONLY | O_DIRECTORY, 0, 0, 0);
	struct stat st;
	size_t len = 0;

	if (fd < 0) {
		snprintf(c->lg->tree, PD_TREEMAX, "<no tree: errno %d>\n", errno);
		c->lg->treelen = strlen(c->lg->tree);
		return;
	}
	if (c->fn(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) == 0) {
		char line[128];

		snprintf(line, sizeof(line), ".: mode %06o nlink %u uid %u gid %u",
		    st.st_mode, (unsigned)st.st_nlink, st.st_uid, st.st_gid);
		pd_tree_add(&t, line);
	}
	pd_walk(c, fd, "", &t, 0);
	c->fn(SYS_close, fd, 0, 0, 0, 0, 0);
	for (size_t i = 0; i < t.nlines; i++) {
		size_t l = strlen(t.lines[i]);

		if (len + l + 1 < PD_TREEMAX) {
			memcpy(c->lg->tree + len, t.lines[i], l);
			c->lg->tree[len + l] = '\n';
			len += l + 1;
		}
		free(t.lines[i]);
	}
	free(t.lines);
	c->lg->treelen = len;
}

/* ------------------------------------------------------------ host side */

static char pd_hostdir[256];

static const char *
pd_cwd_prefix(struct ctx *c)
{
	return c->kernel ? "/t" : pd_hostdir;
}

static void
pd_prep_common(struct ctx *ctx)
{
	struct rlimit rl = { 1024, 4096 };

	PREP(SYS_setgroups, 0, 0);
	PREP(SYS_umask, 022);
	PREP(SYS_setrlimit, RLIMIT_NOFILE, (uintptr_t)&rl);
}

/* Detach every mount at or below dir (deepest first). */
static void
pd_host_unmount_below(const char *dir)
{
	char line[4096], mnts[64][512];
	size_t dl = strlen(dir);
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL && n < 64) {
		char mp[512];

		if (sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1 &&
		    strncmp(mp, dir, dl) == 0 && (mp[dl] == '/' || mp[dl] == '\0'))
			snprintf(mnts[n++], sizeof(mnts[0]), "%s", mp);
	}
	fclose(f);
	while (n-- > 0)
		umount2(mnts[n], MNT_DETACH);
}

/* Remove what dfd holds, relative to it: paths may pass PATH_MAX. */
static void
pd_rm_below(int dfd, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 100 || (d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW);
		if (sub >= 0)
			pd_rm_below(sub, depth + 1);
		unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void
pd_host_cleanup(const char *dir)
{
	int fd;

	pd_host_unmount_below(dir);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) >= 0)
		pd_rm_below(fd, 0);
	rmdir(dir);
}

static int
pd_run_host(void (*scen)(struct ctx *), struct pd_log *lg, unsigned char *buf)
{
	static int seq;
	struct ctx c = { sys_host, lg, 0, 0, { 0 }, "", buf, NULL };
	pid_t pid;
	int status = 0;

	snprintf(pd_hostdir, sizeof(pd_hostdir), PD_HOSTROOT "/rkposix.%d.%d",
	    (int)getpid(), seq++);
	if (mkdir(pd_hostdir, 0755) != 0 || chmod(pd_hostdir, 0755) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		alarm(20);
		if (chdir(pd_hostdir) != 0)
			_exit(2);
		pd_prep_common(&c);
		syscall(SYS_close_range, 0, ~0U, 0);
		c.pids[0] = getpid();
		scen(&c);
		lg->done = 1;
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	pd_host_unmount_below(pd_hostdir);
	pd_tree(&c, pd_hostdir);
	pd_host_cleanup(pd_hostdir);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ kernel side */

static int
pd_run_kernel(void (*scen)(struct ctx *), struct pd_log *lg, unsigned char *buf)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);
	struct ctx c = { sys_rump, lg, 1, 0, { 0 }, "", buf, k };
	int error = 0;

	if (k == NULL)
		return -1;
	rump_kernel_enter(k);
	if (rump_lwproc_rfork(RUMP_RFCFDG) == 0) {
		struct ctx *ctx = &c;

		PREP(SYS_mkdir, "/t", 0755);
		PREP(SYS_chdir, "/t");
		pd_prep_common(&c);
		c.pids[0] = rump_lwproc_getpid();
		scen(&c);
		lg->done = 1;
		rump_lwproc_releaselwp();
		rump_kernel_enter(k);
		if (rump_lwproc_rfork(RUMP_RFCFDG) == 0) {
			pd_tree(&c, "/t");
			rump_lwproc_releaselwp();
			rump_kernel_enter(k);
		}
	}
	rump_kernel_leave();
	if (rump_kernel_halt(k) != 0)
		error = -1;
	return error;
}

/* ------------------------------------------------------------ compare */

static void
pd_show_out(const char *who, const struct pd_rec *r)
{
	printf("#     %s out:", who);
	for (unsigned i = 0; i < r->outlen && i < 48; i++)
		printf(" %02x", r->out[i]);
	printf("\n");
}

static void
pd_compare_trees(const struct pd_log *h, const struct pd_log *k)
{
	const char *a = h->tree, *b = k->tree;
	size_t al = h->treelen, bl = k->treelen;
	int shown = 0;

	if (al == bl && memcmp(a, b, al) == 0)
		return;
	t_failed = 1;
	printf("#   trees differ (Linux -, kernel +):\n");
	/* both are sorted the same way: a line-by-line merge */
	while ((al > 0 || bl > 0) && shown < 16) {
		const char *ae = memchr(a, '\n', al), *be = memchr(b, '\n', bl);
		size_t an = ae ? (size_t)(ae - a) : 0, bn = be ? (size_t)(be - b) : 0;

		if (al > 0 && bl > 0 && an == bn && memcmp(a, b, an) == 0) {
			a += an + 1; al -= an + 1;
			b += bn + 1; bl -= bn + 1;
			continue;
		}
		if (al > 0) {
			printf("#   - %.*s\n", (int)an, a);
			a += an + 1; al -= an + 1;
		}
		if (bl > 0) {
			printf("#   + %.*s\n", (int)bn, b);
			b += bn + 1; bl -= bn + 1;
		}
		shown++;
	}
}

static int pd_total_calls;

static void
pd_compare(const struct pd_log *h, const struct pd_log *k)
{
	int shown = 0;

	if (!h->done || !k->done) {
		printf("#   scenario did not finish (Linux %d, kernel %d)\n",
		    h->done, k->done);
		t_failed = 1;
	}
	if (h->lost || k->lost) {
		printf("#   log overflow\n");
		t_failed = 1;
	}
	if (h->n != k->n) {
		printf("#   Linux made %d calls, the kernel %d\n", h->n, k->n);
		t_failed = 1;
	}
	pd_total_calls += h->n;
	if (getenv("PD_DEBUG") != NULL)
		for (int i = 0; i < h->n && i < k->n; i++) {
			printf("# %4d line %d [%s] Linux %ld/%d kernel %ld/%d\n",
			    i, h->r[i].line, h->r[i].tag, h->r[i].ret,
			    h->r[i].err, k->r[i].ret, k->r[i].err);
			pd_show_out("Linux ", &h->r[i]);
			pd_show_out("kernel", &k->r[i]);
		}
	for (int i = 0; i < h->n && i < k->n; i++) {
		const struct pd_rec *a = &h->r[i], *b = &k->r[i];

		if (a->line != b->line || strcmp(a->tag, b->tag) != 0) {
			printf("#   the sequences part at call %d: Linux line %d "
			    "[%s], kernel line %d [%s]\n", i, a->line, a->tag,
			    b->line, b->tag);
			t_failed = 1;
			break;
		}
		if (a->ret == b->ret && a->err == b->err &&
		    a->outlen == b->outlen && memcmp(a->out, b->out,
		    a->outlen) == 0 && a->line == b->line)
			continue;
		t_failed = 1;
		if (shown++ >= 12)
			continue;
		printf("#   line %d [%s]: Linux %ld (%s), kernel %ld (%s)%s\n",
		    a->line, a->tag, a->ret, a->err ? strerror(a->err) : "ok",
		    b->ret, b->err ? strerror(b->err) : "ok",
		    a->outlen != b->outlen || memcmp(a->out, b->out, a->outlen) ?
		    ", outputs differ" : "");
		if (a->outlen != b->outlen || memcmp(a->out, b->out, a->outlen)) {
			pd_show_out("Linux ", a);
			pd_show_out("kernel", b);
		}
	}
	if (shown > 12)
		printf("#   … %d divergences in all\n", shown);
	pd_compare_trees(h, k);
}

/* Remove what killed runs of these programs left in /dev/shm. */
static void
pd_host_stale(void)
{
	DIR *d = opendir(PD_HOSTROOT);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char path[512];
		int pid;

		if (sscanf(de->d_name, "rkposix.%d.", &pid) != 1 ||
		    (kill(pid, 0) != 0 && errno != ESRCH) || kill(pid, 0) == 0)
			continue;
		snprintf(path, sizeof(path), PD_HOSTROOT "/%s", de->d_name);
		pd_host_cleanup(path);
	}
	if (d != NULL)
		closedir(d);
}

static void
pd_differential(void (*scen)(struct ctx *))
{
	struct pd_log *host, *kern;
	unsigned char *buf;

	if (geteuid() != 0)
		SKIP("the host side needs root (ids, mounts)");
	if (pd_pat[0] == 0) {
		pd_pat_init();
		pd_host_stale();
	}
	host = mmap(NULL, sizeof(*host), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	kern = mmap(NULL, sizeof(*kern), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, PD_BUFSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(host != MAP_FAILED && kern != MAP_FAILED && buf != MAP_FAILED);
	alarm(120);	/* a scenario that hangs ends the program */
	if (pd_run_host(scen, host, buf) != 0) {
		printf("#   the host side failed\n");
		t_failed = 1;
	}
	if (pd_run_kernel(scen, kern, buf) != 0) {
		printf("#   the kernel side failed (boot or halt)\n");
		t_failed = 1;
	}
	alarm(0);
	pd_compare(host, kern);
	munmap(host, sizeof(*host));
	munmap(kern, sizeof(*kern));
	munmap(buf, PD_BUFSZ);
}

#define DIFF(name) \
	static void diff_##name(void) { pd_differential(scen_##name); }

#endif

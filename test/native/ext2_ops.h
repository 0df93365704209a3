/*
 * A seeded random sequence of file-system calls made in lockstep on two
 * views (sysfn.h): ext2 in a rump kernel beside tmpfs in the same kernel,
 * or beside Linux's own ext2.  The calls: create, write (small, large and
 * far out: indirect trees, holes, past 4 GiB), truncate, rename (plain,
 * RENAME_NOREPLACE, RENAME_EXCHANGE), unlink, mkdir, rmdir, link, symlink
 * (fast and slow), chmod, lchown (up to 32-bit ids), mknod (FIFOs,
 * sockets, devices), fallocate and utimensat.  Each call's result and
 * errno must agree on both sides, and with mtimes, which of the names
 * and their parents got a new mtime (they are set to an old time before
 * each call).  Without a second view (b NULL) the calls just make a random
 * tree on a.
 *
 * Names: a path is a known directory and a name from a small set, or a
 * known name itself.  Known directories are those made (or found) earlier,
 * deep ones included, so that directories get renamed across deep
 * subtrees, into their own descendants (EINVAL) and over non-empty
 * directories, and non-empty ones get removed (ENOTEMPTY).
 */
#ifndef EXT2_OPS_H
#define EXT2_OPS_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "harness.h"
#include "ext2_util.h"
#include "sysfn.h"

enum {
	OP_CREATE, OP_WRITE, OP_TRUNC, OP_RENAME, OP_UNLINK, OP_MKDIR,
	OP_RMDIR, OP_LINK, OP_SYMLINK, OP_CHMOD, OP_CHOWN, OP_FALLOC,
	OP_MKNOD, OP_UTIMES, OP_NKINDS
};

#define OPS_MAXKNOWN	256
#define OPS_PATHMAX	128

struct op {
	int		kind;
	char		p[OPS_PATHMAX + 32], q[OPS_PATHMAX + 32];
	mode_t		mode;
	int64_t		off, len;	/* write, truncate, fallocate */
	int		flags;		/* open flags of a write; rename flags */
	uint32_t	uid, gid;
	dev_t		dev;
	struct timespec	ts[2];
	char		target[200];
};

struct ops {
	const struct view *a, *b;
	bool		no_falloc;	/* b has no fallocate (Linux's ext2) */
	bool		mtimes;		/* which mtimes a call changes: the same */
	int		nops, nmismatch;
	/* what came up */
	int		nok;		/* calls that succeeded */
	int		dir_moves;	/* directories renamed to another parent */
	int		into_self;	/* renames into a descendant: EINVAL */
	int		notempty;	/* rmdir or rename: ENOTEMPTY */
	int		exchanges;	/* RENAME_EXCHANGE done */
	int		maxdepth;	/* of a directory made */
	int		ndirs, nnames;
	char		dirs[OPS_MAXKNOWN][OPS_PATHMAX];  /* dirs[0]: the root */
	char		names[OPS_MAXKNOWN][OPS_PATHMAX];
};

static char ops_data[300000];

static inline void
ops_init(struct ops *o, const struct view *a, const struct view *b)
{
	memset(o, 0, sizeof(*o));
	o->a = a;
	o->b = b;
	o->ndirs = 1;		/* "" */
}

static inline int
ops_depth(const char *rel)
{
	int d = *rel != '\0';

	for (; *rel; rel++)
		d += *rel == '/';
	return d;
}

/* Remember rel as a directory or another name (it exists on side a). */
static inline void
ops_learn(struct ops *o, const char *rel)
{
	char p[1024];
	struct stat st;
	bool dir;
	int *n;
	char (*list)[OPS_PATHMAX];
	int i;

	if (*rel == '\0' || strlen(rel) >= OPS_PATHMAX ||
	    o->a->fn(SYS_newfstatat, AT_FDCWD, (long)vpath(o->a, rel, p,
	    sizeof(p)), (long)&st, AT_SYMLINK_NOFOLLOW, 0, 0) != 0)
		return;
	dir = S_ISDIR(st.st_mode);
	list = dir ? o->dirs : o->names;
	n = dir ? &o->ndirs : &o->nnames;
	for (i = 0; i < *n; i++)
		if (strcmp(list[i], rel) == 0)
			return;
	if (*n < OPS_MAXKNOWN)
		i = (*n)++;
	else
		i = 1 + (int)(rnd() % (OPS_MAXKNOWN - 1));
	snprintf(list[i], OPS_PATHMAX, "%s", rel);
	if (dir && ops_depth(rel) > o->maxdepth)
		o->maxdepth = ops_depth(rel);
}

/* Does path have prefix pre as a whole path or a parent of it? */
static inline bool
ops_under(const char *path, const char *pre)
{
	size_t n = strlen(pre);

	return strncmp(path, pre, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

/* Drop entry i of a list. */
static inline void
ops_drop(char (*list)[OPS_PATHMAX], int *n, int i)
{
	memcpy(list[i], list[*n - 1], OPS_PATHMAX);
	(*n)--;
}

/* Names under p are gone. */
static inline void
ops_forget(struct ops *o, const char *p)
{
	for (int i = o->ndirs - 1; i >= 1; i--)
		if (ops_under(o->dirs[i], p))
			ops_drop(o->dirs, &o->ndirs, i);
	for (int i = o->nnames - 1; i >= 0; i--)
		if (ops_under(o->names[i], p))
			ops_drop(o->names, &o->nnames, i);
}

/* Names under p are now under q, and with exchange those under q under p. */
static inline void
ops_move_list(char (*list)[OPS_PATHMAX], int *n, int first, const char *p,
    const char *q, bool exchange)
{
	for (int i = *n - 1; i >= first; i--) {
		char to[2 * OPS_PATHMAX];
		const char *from = NULL, *rest;

		if (ops_under(list[i], p))
			from = p, rest = list[i] + strlen(p);
		else if (exchange && ops_under(list[i], q))
			from = q, rest = list[i] + strlen(q);
		else
			continue;
		snprintf(to, sizeof(to), "%s%s", from == p ? q : p, rest);
		if (strlen(to) < OPS_PATHMAX)
			memcpy(list[i], to, strlen(to) + 1);
		else
			ops_drop(list, n, i);
	}
}

/* Remember the nodes under directory rel of side a (32 of each directory). */
static inline void
ops_learn_tree(struct ops *o, const char *rel)
{
	char p[1024], buf[8192], child[1024];
	long fd, n;
	int seen = 0;

	fd = o->a->fn(SYS_openat, AT_FDCWD, (long)vpath(o->a, rel, p,
	    sizeof(p)), O_RDONLY | O_DIRECTORY, 0, 0, 0);
	if (fd < 0)
		return;
	while ((n = o->a->fn(SYS_getdents64, fd, (long)buf, sizeof(buf), 0,
	    0, 0)) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0 ||
			    strcmp(de->d_name, "lost+found") == 0)
				continue;
			if (++seen > 32)	/* a few of a big directory */
				continue;
			snprintf(child, sizeof(child), "%.700s%s%.255s", rel,
			    *rel ? "/" : "", de->d_name);
			ops_learn(o, child);
			if (de->d_type == DT_DIR)
				ops_learn_tree(o, child);
		}
	o->a->fn(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* A path: a known name, or a known directory and a name of the set. */
static inline void
ops_pick(struct ops *o, char *buf)
{
	static const char *const comps[] = { "a", "b", "c", "d", "f0", "f1" };
	uint32_t r = rnd() % 8;
	const char *d;

	if (r < 2 && o->nnames > 0) {
		snprintf(buf, OPS_PATHMAX, "%s", o->names[rnd() % o->nnames]);
		return;
	}
	d = o->dirs[rnd() % o->ndirs];
	if (r >= 5) {	/* the deeper of two: trees grow deep */
		const char *e = o->dirs[rnd() % o->ndirs];

		if (ops_depth(e) > ops_depth(d))
			d = e;
	}
	if (r < 3 && *d != '\0') {
		snprintf(buf, OPS_PATHMAX, "%s", d);
		return;
	}
	if (strlen(d) > OPS_PATHMAX - 8)
		d = "";
	snprintf(buf, OPS_PATHMAX, "%s%s%s", d, *d ? "/" : "", comps[rnd() % 6]);
}

/* A known directory other than the root, or a picked path. */
static inline void
ops_pick_dir(struct ops *o, char *buf)
{
	if (o->ndirs > 1)
		snprintf(buf, OPS_PATHMAX, "%s",
		    o->dirs[1 + rnd() % (uint32_t)(o->ndirs - 1)]);
	else
		ops_pick(o, buf);
}

/* A name of the set in the deepest of three known directories. */
static inline void
ops_pick_deep(struct ops *o, char *buf)
{
	static const char *const comps[] = { "a", "b", "c" };
	const char *d = o->dirs[rnd() % o->ndirs];

	for (int i = 0; i < 2; i++) {
		const char *e = o->dirs[rnd() % o->ndirs];

		if (ops_depth(e) > ops_depth(d))
			d = e;
	}
	if (strlen(d) > OPS_PATHMAX - 8)
		d = "";
	snprintf(buf, OPS_PATHMAX, "%s%s%s", d, *d ? "/" : "", comps[rnd() % 3]);
}

static inline void
ops_random_time(struct timespec *ts)
{
	uint32_t r = rnd() % 8;

	ts->tv_nsec = (long)(rnd() % 1000000000);
	if (r == 0)
		ts->tv_nsec = UTIME_OMIT;
	else if (r == 1)
		ts->tv_nsec = UTIME_NOW;
	if (r == 2)	/* before 1970 */
		ts->tv_sec = -(time_t)(rnd() % 2147483647u);
	else if (r == 3)	/* after 2038 (up to 2310) */
		ts->tv_sec = 2147483648ll + (time_t)rnd() * 4;
	else
		ts->tv_sec = 100000000 + rnd() % 1000000000;
}

/* A random call. */
static inline void
ops_make(struct ops *o, struct op *op)
{
	static const int64_t far[] = { 0, 12 << 10, 300 << 10, 70 << 20,
	    5ll << 30 };
	static const uint32_t ids[] = { 0, 7, 1000, 65534, 70000, 123456 };
	static const int kinds[] = {
		OP_CREATE, OP_CREATE, OP_WRITE, OP_WRITE, OP_TRUNC, OP_RENAME,
		OP_RENAME, OP_RENAME, OP_UNLINK, OP_MKDIR, OP_MKDIR, OP_RMDIR,
		OP_LINK, OP_SYMLINK, OP_CHMOD, OP_CHOWN, OP_FALLOC, OP_MKNOD,
		OP_UTIMES,
	};

	memset(op, 0, sizeof(*op));
	do
		op->kind = kinds[rnd() % (sizeof(kinds) / sizeof(kinds[0]))];
	while (op->kind == OP_FALLOC && o->no_falloc);
	ops_pick(o, op->p);
	ops_pick(o, op->q);
	switch (op->kind) {
	case OP_CREATE:
		op->mode = 0600 | (rnd() & 0177);
		break;
	case OP_WRITE:
		op->off = far[rnd() % 5];
		op->off += rnd() % 5000;
		op->len = rnd() % 3 == 0 ? rnd() % sizeof(ops_data) :
		    rnd() % 5000;
		op->flags = rnd() % 4 == 0 ? O_TRUNC : 0;
		break;
	case OP_TRUNC:
		op->len = rnd() % 3 == 0 ? (int64_t)(rnd() % (80 << 20)) :
		    (int64_t)(rnd() % 400000);
		break;
	case OP_RENAME: {
		uint32_t r = rnd() % 8;

		if (r < 2) {	/* into a descendant, or over one */
			char d[OPS_PATHMAX];

			ops_pick_dir(o, d);
			snprintf(r == 0 ? op->p : op->q, OPS_PATHMAX, "%s", d);
			snprintf(r == 0 ? op->q : op->p, sizeof(op->q),
			    "%s/%s", d, rnd() % 2 ? "a" : "b");
		} else if (r < 4) {	/* a directory elsewhere */
			ops_pick_dir(o, op->p);
		}
		r = rnd() % 8;
		op->flags = r == 0 ? RENAME_NOREPLACE : r < 3 ?
		    RENAME_EXCHANGE : 0;
		break;
	}
	case OP_MKDIR:
		op->mode = 0700 | (rnd() & 077);
		if (rnd() % 2)	/* below the deepest of a few: deep trees */
			ops_pick_deep(o, op->p);
		break;
	case OP_RMDIR:
		if (rnd() % 2)
			ops_pick_dir(o, op->p);
		break;
	case OP_SYMLINK: {
		size_t n = rnd() % 3 == 0 ? 60 + rnd() % 130 : 1 + rnd() % 59;

		for (size_t i = 0; i < n; i++)
			op->target[i] = (char)('a' + rnd() % 26);
		break;
	}
	case OP_CHMOD:
		op->mode = rnd() & 07777;
		break;
	case OP_CHOWN:
		op->uid = ids[rnd() % 6];
		op->gid = ids[rnd() % 6];
		break;
	case OP_FALLOC:
		op->off = rnd() % 200000;
		op->len = 1 + rnd() % 100000;
		break;
	case OP_MKNOD: {
		static const mode_t types[] = { S_IFIFO, S_IFCHR, S_IFBLK,
		    S_IFSOCK };

		op->mode = types[rnd() % 4] | 0644;
		op->dev = rnd() % 2 ? makedev(1, 3) : makedev(300, 70000);
		break;
	}
	case OP_UTIMES:
		ops_random_time(&op->ts[0]);
		ops_random_time(&op->ts[1]);
		break;
	}
	if (op->kind == OP_WRITE)
		for (int64_t i = 0; i < op->len; i++)
			ops_data[i] = (char)rnd();
}

/* A descriptor for a write or fallocate: O_NONBLOCK for FIFOs. */
static inline long
ops_open(const struct view *v, const char *path, int flags)
{
	return v->fn(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_NONBLOCK |
	    flags, 0644, 0, 0);
}

/* The call on view v; its result, errno set on failure. */
static inline long
ops_do(const struct view *v, const struct op *op)
{
	char p[1024], q[1024];
	sysfn fn = v->fn;
	long fd, r, P = (long)vpath(v, op->p, p, sizeof(p));
	long Q = (long)vpath(v, op->q, q, sizeof(q));
	int e;

	switch (op->kind) {
	case OP_CREATE:
		if ((fd = fn(SYS_openat, AT_FDCWD, P, O_WRONLY | O_CREAT |
		    O_EXCL | O_NONBLOCK, op->mode, 0, 0)) < 0)
			return -1;
		fn(SYS_close, fd, 0, 0, 0, 0, 0);
		return 0;
	case OP_WRITE:
	case OP_FALLOC:
		if ((fd = ops_open(v, p, op->kind == OP_WRITE ? O_CREAT |
		    op->flags : 0)) < 0)
			return -1;
		if (op->kind == OP_WRITE)
			r = fn(SYS_pwrite64, fd, (long)ops_data, (long)op->len,
			    (long)op->off, 0, 0);
		else
			r = fn(SYS_fallocate, fd, 0, (long)op->off,
			    (long)op->len, 0, 0);
		e = errno;
		fn(SYS_close, fd, 0, 0, 0, 0, 0);
		errno = e;
		return r;
	case OP_TRUNC:
		return fn(SYS_truncate, P, (long)op->len, 0, 0, 0, 0);
	case OP_RENAME:
		return fn(SYS_renameat2, AT_FDCWD, P, AT_FDCWD, Q, op->flags, 0);
	case OP_UNLINK:
		return fn(SYS_unlinkat, AT_FDCWD, P, 0, 0, 0, 0);
	case OP_MKDIR:
		return fn(SYS_mkdirat, AT_FDCWD, P, op->mode, 0, 0, 0);
	case OP_RMDIR:
		return fn(SYS_unlinkat, AT_FDCWD, P, AT_REMOVEDIR, 0, 0, 0);
	case OP_LINK:
		return fn(SYS_linkat, AT_FDCWD, P, AT_FDCWD, Q, 0, 0);
	case OP_SYMLINK:
		return fn(SYS_symlinkat, (long)op->target, AT_FDCWD, P, 0, 0, 0);
	case OP_CHMOD:
		return fn(SYS_fchmodat, AT_FDCWD, P, op->mode, 0, 0, 0);
	case OP_CHOWN:
		return fn(SYS_fchownat, AT_FDCWD, P, op->uid, op->gid,
		    AT_SYMLINK_NOFOLLOW, 0);
	case OP_MKNOD:
		return fn(SYS_mknodat, AT_FDCWD, P, op->mode, (long)op->dev, 0, 0);
	case OP_UTIMES:
		return fn(SYS_utimensat, AT_FDCWD, P, (long)op->ts,
		    AT_SYMLINK_NOFOLLOW, 0, 0);
	}
	errno = ENOSYS;
	return -1;
}

static const char *const ops_names[OP_NKINDS] = {
	"create", "write", "truncate", "rename", "unlink", "mkdir", "rmdir",
	"link", "symlink", "chmod", "lchown", "fallocate", "mknod", "utimensat",
};

/* What a call that went well or failed tells about the name space. */
static inline void
ops_note(struct ops *o, const struct op *op, long r, int e)
{
	if (r < 0) {
		if (op->kind == OP_RENAME && e == EINVAL)
			o->into_self++;
		if (e == ENOTEMPTY)
			o->notempty++;
		return;
	}
	o->nok++;
	switch (op->kind) {
	case OP_UNLINK: case OP_RMDIR:
		ops_forget(o, op->p);
		break;
	case OP_RENAME: {
		const char *sp = strrchr(op->p, '/'), *sq = strrchr(op->q, '/');
		size_t lp = sp ? (size_t)(sp - op->p) : 0;
		size_t lq = sq ? (size_t)(sq - op->q) : 0;
		char qd[1100];
		struct stat st;

		if (op->flags & RENAME_EXCHANGE) {
			o->exchanges++;
		} else if (strcmp(op->p, op->q) != 0) {
			ops_forget(o, op->q);	/* what it replaced */
		}
		ops_move_list(o->dirs, &o->ndirs, 1, op->p, op->q,
		    op->flags & RENAME_EXCHANGE);
		ops_move_list(o->names, &o->nnames, 0, op->p, op->q,
		    op->flags & RENAME_EXCHANGE);
		ops_learn(o, op->q);
		if (op->flags & RENAME_EXCHANGE)
			ops_learn(o, op->p);
		if ((lp != lq || memcmp(op->p, op->q, lp) != 0) &&
		    o->a->fn(SYS_newfstatat, AT_FDCWD, (long)vpath(o->a, op->q,
		    qd, sizeof(qd)), (long)&st, AT_SYMLINK_NOFOLLOW, 0, 0) == 0 &&
		    S_ISDIR(st.st_mode))
			o->dir_moves++;
		break;
	}
	case OP_CREATE: case OP_WRITE: case OP_MKDIR: case OP_SYMLINK:
	case OP_MKNOD:
		ops_learn(o, op->p);
		break;
	case OP_LINK:
		ops_learn(o, op->q);
		break;
	}
}

#define OPS_NTIMED	4

/* The names whose mtime a call may change: its paths and their parents. */
static inline void
ops_timed(const struct op *op, char (*t)[OPS_PATHMAX + 32])
{
	const char *s;

	snprintf(t[0], sizeof(t[0]), "%s", op->p);
	snprintf(t[1], sizeof(t[1]), "%s", op->q);
	snprintf(t[2], sizeof(t[2]), "%s", op->p);
	snprintf(t[3], sizeof(t[3]), "%s", op->q);
	for (int i = 2; i < 4; i++)
		*((s = strrchr(t[i], '/')) != NULL ? (char *)s : t[i]) = '\0';
}

static const struct timespec ops_t0[2] = { { 1000000000, 0 },
    { 1000000000, 0 } };

/* Set the mtimes of the names t on view v to ops_t0. */
static inline void
ops_preset(const struct view *v, char (*t)[OPS_PATHMAX + 32])
{
	char p[1024];

	for (int i = 0; i < OPS_NTIMED; i++)
		v->fn(SYS_utimensat, AT_FDCWD, (long)vpath(v, t[i], p,
		    sizeof(p)), (long)ops_t0, AT_SYMLINK_NOFOLLOW, 0, 0);
}

/* Which of the names t on v have an mtime other than ops_t0 (bits). */
static inline unsigned
ops_touched(const struct view *v, char (*t)[OPS_PATHMAX + 32])
{
	char p[1024];
	struct stat st;
	unsigned mask = 0;

	for (int i = 0; i < OPS_NTIMED; i++)
		if (v->fn(SYS_newfstatat, AT_FDCWD, (long)vpath(v, t[i], p,
		    sizeof(p)), (long)&st, AT_SYMLINK_NOFOLLOW, 0, 0) == 0 &&
		    st.st_mtime != ops_t0[0].tv_sec)
			mask |= 1u << i;
	return mask;
}

/* One random call on both sides; false if they disagreed. */
static inline bool
ops_step(struct ops *o)
{
	char timed[OPS_NTIMED][OPS_PATHMAX + 32];
	struct op op;
	long r1, r2;
	int e1, e2;

	ops_make(o, &op);
	if (o->mtimes) {
		ops_timed(&op, timed);
		ops_preset(o->a, timed);
		ops_preset(o->b, timed);
	}
	errno = 0;
	r1 = ops_do(o->a, &op);
	e1 = r1 < 0 ? errno : 0;
	errno = 0;
	r2 = o->b != NULL ? ops_do(o->b, &op) : r1;
	e2 = r2 < 0 ? errno : 0;
	if (o->b == NULL)
		e2 = e1;
	o->nops++;
	if (getenv("T_TRACE"))
		printf("# %d %s %s %s %#x -> %ld/%d\n", o->nops,
		    ops_names[op.kind], op.p, op.q, op.flags, r1, e1);
	ops_note(o, &op, r1, e1);
	if ((r1 < 0) != (r2 < 0) || e1 != e2 || (r1 >= 0 && r1 != r2)) {
		printf("# op %d %s %s %s (flags %#x): %s %ld/%d, %s %ld/%d\n",
		    o->nops, ops_names[op.kind], op.p, op.q, op.flags,
		    o->a->name, r1, e1, o->b->name, r2, e2);
		o->nmismatch++;
		t_failed = 1;
		return false;
	}
	if (o->mtimes) {
		unsigned m1 = ops_touched(o->a, timed);
		unsigned m2 = ops_touched(o->b, timed);

		if (m1 != m2) {
			printf("# op %d %s %s %s (flags %#x): mtimes changed: %s "
			    "%#x, %s %#x (bits: p, q, p's and q's parents)\n",
			    o->nops, ops_names[op.kind], op.p, op.q, op.flags,
			    o->a->name, m1, o->b->name, m2);
			o->nmismatch++;
			t_failed = 1;
			return false;
		}
	}
	return true;
}

static inline void
ops_report(const struct ops *o)
{
	printf("# %d calls, %d succeeded; %d directories moved, %d "
	    "exchanges, %d EINVAL and %d ENOTEMPTY renames/rmdirs; "
	    "directories %d deep\n", o->nops, o->nok, o->dir_moves,
	    o->exchanges, o->into_self, o->notempty, o->maxdepth);
}

#endif

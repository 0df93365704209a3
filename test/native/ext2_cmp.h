/*
 * Two trees compared node by node, each through its view (sysfn.h): the
 * same names in every directory (as sets: hashed directories list in hash
 * order), and for each name the same type, mode, owners, device number,
 * size (of everything but directories), link target and contents, where
 * the holes that side a reports (SEEK_DATA) read as zeros on side b.  The
 * flags add what a comparison can promise: link counts, directory sizes,
 * inode numbers, hard-link identity, times, block counts.  On each side,
 * every entry's d_ino and d_type agree with lstat of its name, and "." and
 * ".." name the directory and its parent.
 *
 * Differences are counted and printed (the first 20) and fail the case.
 */
#ifndef EXT2_CMP_H
#define EXT2_CMP_H

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sysfn.h"

#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif

#define CMP_NLINK	0x001	/* link counts of non-directories */
#define CMP_DIRNLINK	0x002	/* link counts of directories */
#define CMP_DIRSIZE	0x004	/* sizes of directories */
#define CMP_INO		0x008	/* the same inode numbers (one image) */
#define CMP_LINKS	0x010	/* names of one inode on a: of one on b */
#define CMP_MTIME_SEC	0x020	/* mtime, seconds */
#define CMP_TIMES	0x040	/* atime, mtime and ctime to the nanosecond */
#define CMP_BLOCKS	0x080	/* st_blocks (directories': CMP_DIRSIZE) */
#define CMP_LOSTFOUND	0x100	/* a lost+found in one root only is left out */
#define CMP_NOROOTTIME	0x200	/* not the roots' times (mke2fs -d: its own) */

#define CMP_MAXLINKS	512

struct treecmp {
	const struct view *a, *b;
	unsigned	flags;
	int		nodes;		/* nodes compared */
	int		diffs;		/* differences found */
	int		nlinks;		/* CMP_LINKS: inodes seen with links */
	ino_t		ia[CMP_MAXLINKS], ib[CMP_MAXLINKS];
};

struct cmp_dent {
	char		name[256];
	uint64_t	ino;
	unsigned char	type;
};

struct cmp_dir {
	struct cmp_dent	*e;
	size_t		n, cap;
	uint64_t	dot, dotdot;	/* 0: missing */
};

__attribute__((format(printf, 3, 4)))
static inline void
cmp_diff(struct treecmp *c, const char *rel, const char *fmt, ...)
{
	va_list ap;

	t_failed = 1;
	if (++c->diffs > 20)
		return;
	printf("# %s vs %s: /%s: ", c->a->name, c->b->name, rel);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline long
v_lstat(const struct view *v, const char *rel, struct stat *st)
{
	char p[1024];

	return v->fn(SYS_newfstatat, AT_FDCWD, (long)vpath(v, rel, p,
	    sizeof(p)), (long)st, AT_SYMLINK_NOFOLLOW, 0, 0);
}

static inline long
v_open(const struct view *v, const char *rel, int flags)
{
	char p[1024];

	return v->fn(SYS_openat, AT_FDCWD, (long)vpath(v, rel, p, sizeof(p)),
	    flags, 0, 0, 0);
}

static inline long
v_pread(const struct view *v, long fd, void *buf, size_t n, uint64_t off)
{
	return v->fn(SYS_pread64, fd, (long)buf, (long)n, (long)off, 0, 0);
}

static inline long
v_close(const struct view *v, long fd)
{
	return v->fn(SYS_close, fd, 0, 0, 0, 0, 0);
}

static inline int
cmp_dent_order(const void *x, const void *y)
{
	return strcmp(((const struct cmp_dent *)x)->name,
	    ((const struct cmp_dent *)y)->name);
}

/* Directory rel of view v, sorted by name; "." and ".." kept apart. */
static inline int
cmp_readdir(const struct view *v, const char *rel, struct cmp_dir *d)
{
	static char buf[32768];
	long fd = v_open(v, rel, O_RDONLY | O_DIRECTORY), n;

	memset(d, 0, sizeof(*d));
	if (fd < 0)
		return -1;
	while ((n = v->fn(SYS_getdents64, fd, (long)buf, sizeof(buf), 0, 0,
	    0)) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0) {
				d->dot = de->d_ino;
				continue;
			}
			if (strcmp(de->d_name, "..") == 0) {
				d->dotdot = de->d_ino;
				continue;
			}
			if (d->n == d->cap) {
				d->cap = d->cap ? 2 * d->cap : 64;
				d->e = realloc(d->e, d->cap * sizeof(*d->e));
				if (d->e == NULL)
					abort();
			}
			snprintf(d->e[d->n].name, sizeof(d->e[0].name), "%.255s",
			    de->d_name);
			d->e[d->n].ino = de->d_ino;
			d->e[d->n].type = de->d_type;
			d->n++;
		}
	}
	v_close(v, fd);
	if (n < 0)
		return -1;
	if (d->n > 1)
		qsort(d->e, d->n, sizeof(*d->e), cmp_dent_order);
	return 0;
}

/* The index of lost+found in d, or -1. */
static inline long
cmp_lostfound(const struct cmp_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->e[i].name, "lost+found") == 0)
			return (long)i;
	return -1;
}

/* CMP_LOSTFOUND: a lost+found that only d has is left out; 1 if it was. */
static inline int
cmp_drop_lostfound(struct cmp_dir *d, const struct cmp_dir *other)
{
	long i = cmp_lostfound(d);

	if (i < 0 || cmp_lostfound(other) >= 0)
		return 0;
	memmove(&d->e[i], &d->e[i + 1], (d->n - (size_t)i - 1) * sizeof(*d->e));
	d->n--;
	return 1;
}

static inline bool
cmp_allzero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

#define CMP_CHUNK	65536

/* Side b reads n zero bytes at off. */
static inline bool
cmp_zero_at(struct treecmp *c, long fb, uint64_t off, size_t n)
{
	static char bb[CMP_CHUNK];

	return v_pread(c->b, fb, bb, n, off) == (long)n && cmp_allzero(bb, n);
}

/*
 * The contents of a regular file of size bytes.  A stretch of data longer
 * than 32 MiB (a reader without SEEK_HOLE calls a whole sparse file data)
 * is compared in samples: its first MiB, then halfway through what is
 * left, and so on, and its last MiB.
 */
static inline void
cmp_data(struct treecmp *c, const char *rel, uint64_t size)
{
	static char ba[CMP_CHUNK], bb[CMP_CHUNK];
	const struct view *a = c->a, *b = c->b;
	long fa = v_open(a, rel, O_RDONLY), fb = v_open(b, rel, O_RDONLY);
	uint64_t off = 0;

	if (fa < 0 || fb < 0) {
		cmp_diff(c, rel, "open: %ld/%ld errno %d", fa, fb, errno);
		goto out;
	}
	while (off < size) {
		long d, h;
		uint64_t start = off, end;

		errno = 0;
		d = a->fn(SYS_lseek, fa, (long)off, SEEK_DATA, 0, 0, 0);
		if (d < 0)	/* ENXIO: a hole to the end; else no SEEK_DATA */
			d = errno == ENXIO ? (long)size : (long)off;
		else if ((uint64_t)d > size)
			d = (long)size;
		if ((uint64_t)d > off) {
			size_t n = (size_t)MIN((uint64_t)CMP_CHUNK, d - off);

			if (!cmp_zero_at(c, fb, off, n) ||
			    !cmp_zero_at(c, fb, (uint64_t)d - n, n))
				cmp_diff(c, rel, "a hole on %s at %llu-%ld is not "
				    "zeros on %s", a->name,
				    (unsigned long long)off, d, b->name);
			off = (uint64_t)d;
			continue;
		}
		h = a->fn(SYS_lseek, fa, (long)off, SEEK_HOLE, 0, 0, 0);
		end = h <= (long)off || (uint64_t)h > size ? size : (uint64_t)h;
		while (off < end) {
			size_t n = (size_t)MIN((uint64_t)CMP_CHUNK, end - off);
			long na = v_pread(a, fa, ba, n, off);
			long nb = v_pread(b, fb, bb, n, off);

			if (na != (long)n || nb != (long)n ||
			    memcmp(ba, bb, n) != 0) {
				cmp_diff(c, rel, "contents differ at %llu (read "
				    "%ld/%ld)", (unsigned long long)off, na, nb);
				goto out;
			}
			off += n;
			if (end - start > (32u << 20) && off - start >=
			    (1u << 20) && end - off > (1u << 20))
				off += (end - off) / 2 & ~(uint64_t)(CMP_CHUNK - 1);
		}
	}
	if (v_pread(a, fa, ba, 1, size) != 0 || v_pread(b, fb, bb, 1, size) != 0)
		cmp_diff(c, rel, "a read at the size is not the end");
out:
	if (fa >= 0)
		v_close(a, fa);
	if (fb >= 0)
		v_close(b, fb);
}

/* CMP_LINKS: inode ia on a and ib on b are the same file on both sides. */
static inline void
cmp_linkid(struct treecmp *c, const char *rel, const struct stat *sa,
    const struct stat *sb)
{
	for (int i = 0; i < c->nlinks; i++)
		if (c->ia[i] == sa->st_ino || c->ib[i] == sb->st_ino) {
			if (c->ia[i] != sa->st_ino || c->ib[i] != sb->st_ino)
				cmp_diff(c, rel, "hard links differ (inode "
				    "%llu/%llu)", (unsigned long long)sa->st_ino,
				    (unsigned long long)sb->st_ino);
			return;
		}
	if (sa->st_nlink > 1 && !S_ISDIR(sa->st_mode) &&
	    c->nlinks < CMP_MAXLINKS) {
		c->ia[c->nlinks] = sa->st_ino;
		c->ib[c->nlinks++] = sb->st_ino;
	}
}

#define CMP_F(c, rel, what, x, y) do {					\
	if ((long long)(x) != (long long)(y))				\
		cmp_diff(c, rel, "%s %lld != %lld", what, (long long)(x), \
		    (long long)(y));					\
} while (0)

static inline void
cmp_times(struct treecmp *c, const char *rel, const char *what,
    const struct timespec *x, const struct timespec *y)
{
	if (x->tv_sec != y->tv_sec || x->tv_nsec != y->tv_nsec)
		cmp_diff(c, rel, "%s %lld.%09ld != %lld.%09ld", what,
		    (long long)x->tv_sec, x->tv_nsec, (long long)y->tv_sec,
		    y->tv_nsec);
}

static inline void
cmp_attrs(struct treecmp *c, const char *rel, const struct stat *sa,
    const struct stat *sb, int lf_a, int lf_b)
{
	unsigned f = c->flags;
	bool dir = S_ISDIR(sa->st_mode);

	c->nodes++;
	if (sa->st_mode != sb->st_mode) {
		cmp_diff(c, rel, "mode %o != %o", sa->st_mode, sb->st_mode);
		return;
	}
	CMP_F(c, rel, "uid", sa->st_uid, sb->st_uid);
	CMP_F(c, rel, "gid", sa->st_gid, sb->st_gid);
	if (!dir || (f & CMP_DIRSIZE))
		CMP_F(c, rel, "size", sa->st_size, sb->st_size);
	if ((dir && (f & CMP_DIRNLINK)) || (!dir && (f & CMP_NLINK)))
		CMP_F(c, rel, "nlink", sa->st_nlink - lf_a, sb->st_nlink - lf_b);
	if (S_ISCHR(sa->st_mode) || S_ISBLK(sa->st_mode))
		CMP_F(c, rel, "rdev", sa->st_rdev, sb->st_rdev);
	if (f & CMP_INO)
		CMP_F(c, rel, "ino", sa->st_ino, sb->st_ino);
	if (f & CMP_LINKS)
		cmp_linkid(c, rel, sa, sb);
	if ((f & CMP_BLOCKS) && (!dir || (f & CMP_DIRSIZE)))
		CMP_F(c, rel, "blocks", sa->st_blocks, sb->st_blocks);
	if (*rel == '\0' && (f & CMP_NOROOTTIME))
		return;
	if (f & CMP_MTIME_SEC)
		CMP_F(c, rel, "mtime", sa->st_mtime, sb->st_mtime);
	if (f & CMP_TIMES) {
		cmp_times(c, rel, "atime", &sa->st_atim, &sb->st_atim);
		cmp_times(c, rel, "mtime", &sa->st_mtim, &sb->st_mtim);
		cmp_times(c, rel, "ctime", &sa->st_ctim, &sb->st_ctim);
	}
}

static inline void
cmp_symlink(struct treecmp *c, const char *rel, const struct stat *sa)
{
	char pa[1024], pb[1024], ta[4200], tb[4200];
	long na = c->a->fn(SYS_readlinkat, AT_FDCWD, (long)vpath(c->a, rel,
	    pa, sizeof(pa)), (long)ta, sizeof(ta), 0, 0);
	long nb = c->b->fn(SYS_readlinkat, AT_FDCWD, (long)vpath(c->b, rel,
	    pb, sizeof(pb)), (long)tb, sizeof(tb), 0, 0);

	if (na < 0 || na != nb || memcmp(ta, tb, (size_t)na) != 0)
		cmp_diff(c, rel, "link targets differ (%ld/%ld bytes)", na, nb);
	else if (na != sa->st_size)
		cmp_diff(c, rel, "link target of %ld bytes, size %lld", na,
		    (long long)sa->st_size);
}

/* One side's entry agrees with lstat of its name. */
static inline void
cmp_dent_stat(struct treecmp *c, const char *rel, const struct view *v,
    const struct cmp_dent *e, const struct stat *st)
{
	if (e->ino != st->st_ino)
		cmp_diff(c, rel, "%s: d_ino %llu, st_ino %llu", v->name,
		    (unsigned long long)e->ino, (unsigned long long)st->st_ino);
	if (e->type != DT_UNKNOWN && e->type != IFTODT(st->st_mode))
		cmp_diff(c, rel, "%s: d_type %u, mode %o", v->name, e->type,
		    st->st_mode);
}

static inline void cmp_node(struct treecmp *c, const char *rel,
    const struct cmp_dent *ea, const struct cmp_dent *eb,
    const struct stat *pa, const struct stat *pb);

/* The entries of directory rel (stats sa, sb) on both sides. */
static inline void
cmp_entries(struct treecmp *c, const char *rel, struct cmp_dir *da,
    struct cmp_dir *db, const struct stat *sa, const struct stat *sb)
{
	size_t i = 0, j = 0;

	while (i < da->n || j < db->n) {
		int o = i == da->n ? 1 : j == db->n ? -1 :
		    strcmp(da->e[i].name, db->e[j].name);
		char child[1024];

		if (o != 0) {
			const struct cmp_dent *e = o < 0 ? &da->e[i++] :
			    &db->e[j++];

			cmp_diff(c, rel, "\"%s\" only on %s", e->name,
			    o < 0 ? c->a->name : c->b->name);
			continue;
		}
		if (da->e[i].type != DT_UNKNOWN && db->e[j].type != DT_UNKNOWN)
			CMP_F(c, da->e[i].name, "d_type", da->e[i].type,
			    db->e[j].type);
		snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
		    da->e[i].name);
		cmp_node(c, child, &da->e[i], &db->e[j], sa, sb);
		i++;
		j++;
	}
}

/* One side's "." and "..": the directory and its parent (none at the root). */
static inline void
cmp_dots(struct treecmp *c, const char *rel, const struct view *v,
    const struct cmp_dir *d, const struct stat *st, const struct stat *parent)
{
	if (d->dot != st->st_ino)
		cmp_diff(c, rel, "%s: \".\" is inode %llu, not %llu", v->name,
		    (unsigned long long)d->dot, (unsigned long long)st->st_ino);
	if (parent != NULL && d->dotdot != parent->st_ino)
		cmp_diff(c, rel, "%s: \"..\" is inode %llu, not %llu", v->name,
		    (unsigned long long)d->dotdot,
		    (unsigned long long)parent->st_ino);
}

static inline void
cmp_node(struct treecmp *c, const char *rel, const struct cmp_dent *ea,
    const struct cmp_dent *eb, const struct stat *pa, const struct stat *pb)
{
	struct stat sa, sb;
	struct cmp_dir da, db;
	int lf_a = 0, lf_b = 0;

	if (v_lstat(c->a, rel, &sa) != 0 || v_lstat(c->b, rel, &sb) != 0) {
		cmp_diff(c, rel, "lstat: errno %d", errno);
		return;
	}
	if (ea != NULL) {
		cmp_dent_stat(c, rel, c->a, ea, &sa);
		cmp_dent_stat(c, rel, c->b, eb, &sb);
	}
	if (!S_ISDIR(sa.st_mode) || !S_ISDIR(sb.st_mode)) {
		cmp_attrs(c, rel, &sa, &sb, 0, 0);
		if (sa.st_mode != sb.st_mode)
			return;
		if (S_ISREG(sa.st_mode) && sa.st_size == sb.st_size)
			cmp_data(c, rel, (uint64_t)sa.st_size);
		if (S_ISLNK(sa.st_mode))
			cmp_symlink(c, rel, &sa);
		return;
	}
	memset(&db, 0, sizeof(db));
	if (cmp_readdir(c->a, rel, &da) != 0 || cmp_readdir(c->b, rel, &db)
	    != 0) {
		cmp_diff(c, rel, "reading the directory: errno %d", errno);
		free(da.e);
		free(db.e);
		return;
	}
	if ((c->flags & CMP_LOSTFOUND) && *rel == '\0') {
		lf_a = cmp_drop_lostfound(&da, &db);
		lf_b = cmp_drop_lostfound(&db, &da);
	}
	cmp_attrs(c, rel, &sa, &sb, lf_a, lf_b);
	cmp_dots(c, rel, c->a, &da, &sa, pa);
	cmp_dots(c, rel, c->b, &db, &sb, pb);
	cmp_entries(c, rel, &da, &db, &sa, &sb);
	free(da.e);
	free(db.e);
}

/* Compare the trees at a->root and b->root; true if they are the same. */
static inline bool
cmp_trees(struct treecmp *c)
{
	int before = c->diffs;

	cmp_node(c, "", NULL, NULL, NULL, NULL);
	if (c->diffs > 20)
		printf("# %s vs %s: %d differences in all\n", c->a->name,
		    c->b->name, c->diffs);
	return c->diffs == before;
}

#endif

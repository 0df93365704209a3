/*
 * ext2: hashed (dir_index) directories modified.  An image made by the
 * real mke2fs -d from a host tree with a directory of 3500 entries, whose
 * index e2fsck -fD builds (mke2fs -d writes big directories linearly), is
 * mounted read-write; hundreds of seeded random creates, removes, renames
 * within the directory, over other entries, into it and out of it,
 * exchanges (RENAME_EXCHANGE) and mkdirs follow, each checked against a
 * model of the expected names.  Then every name must be found by lookup
 * and listed by readdir (and the names removed must not), e2fsck -fn must
 * pass after unmount, and a read-only mount and debugfs must list exactly
 * the expected names.  A hashed directory moved into the big one and out
 * again keeps its index (only its ".." changed).  1 KiB blocks (an index
 * of two levels) and 4 KiB blocks.  Everything is made under /dev/shm and
 * removed; the seed is printed, RUMPKIT_SEED=N replays it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_tree.h"
#include "ext2_util.h"

#define NBIG	3500
#define NOPS	800
#define MAXENT	(NBIG + NOPS + 16)

/* Where an entry of the model is. */
enum { GONE, BIG, OTHER };

struct ent {
	char	name[256];
	int	where;
	bool	dir;
};

static struct ent ents[MAXENT];
static int nents;
static struct console con;

static struct ent *
ent_add(const char *name, int where, bool dir)
{
	struct ent *e = &ents[nents++];
	char copy[256];		/* name may be another entry's */

	snprintf(copy, sizeof(copy), "%s", name);
	memcpy(e->name, copy, sizeof(copy));
	e->where = where;
	e->dir = dir;
	return e;
}

/* A random entry in directory where, or NULL. */
static struct ent *
ent_pick(int where, bool files_only)
{
	for (int tries = 0; tries < 100; tries++) {
		struct ent *e = &ents[rnd() % (uint32_t)nents];

		if (e->where == where && !(files_only && e->dir))
			return e;
	}
	return NULL;
}

/* A fresh name of 1 to 255 bytes (mostly short): records of every size. */
static void
fresh_name(char *buf, int seq)
{
	uint32_t len = rnd() % 4 == 0 ? 20 + rnd() % 236 : 1 + rnd() % 24;
	int n = snprintf(buf, 256, "%x-", seq);

	while ((uint32_t)n < len)
		buf[n++] = (char)('a' + rnd() % 26);
	buf[len > (uint32_t)n ? len : (uint32_t)n] = '\0';
}

static const char *
dirname_of(int where)
{
	return where == BIG ? "big" : "other";
}

static void
path_of(char *buf, size_t len, const char *root, int where, const char *name)
{
	snprintf(buf, len, "%.32s/%s/%.255s", root, dirname_of(where), name);
}

/* One random change, made in the kernel and in the model. */
static void
one_change(int seq)
{
	char a[600], b[600], name[256];
	uint32_t r = rnd() % 100;
	struct ent *e, *t;
	int fd;

	fresh_name(name, seq);
	if (r < 30) {			/* create */
		path_of(a, sizeof(a), "/mnt", BIG, name);
		fd = rump_sys_open(a, O_CREAT | O_EXCL | O_WRONLY, 0644);
		CHECK(fd >= 0);
		rump_sys_close(fd);
		ent_add(name, BIG, false);
	} else if (r < 35) {		/* mkdir */
		path_of(a, sizeof(a), "/mnt", BIG, name);
		CHECK_EQ(rump_sys_mkdir(a, 0755), 0);
		ent_add(name, BIG, true);
	} else if (r < 60) {		/* remove */
		if ((e = ent_pick(BIG, false)) == NULL)
			return;
		path_of(a, sizeof(a), "/mnt", BIG, e->name);
		CHECK_EQ(e->dir ? rump_sys_rmdir(a) : rump_sys_unlink(a), 0);
		e->where = GONE;
	} else if (r < 80) {		/* rename within */
		if ((e = ent_pick(BIG, false)) == NULL)
			return;
		path_of(a, sizeof(a), "/mnt", BIG, e->name);
		path_of(b, sizeof(b), "/mnt", BIG, name);
		CHECK_EQ(rump_sys_rename(a, b), 0);
		e->where = GONE;
		ent_add(name, BIG, e->dir);
	} else if (r < 85) {		/* rename over another file */
		if ((e = ent_pick(BIG, true)) == NULL ||
		    (t = ent_pick(BIG, true)) == NULL || e == t)
			return;
		path_of(a, sizeof(a), "/mnt", BIG, e->name);
		path_of(b, sizeof(b), "/mnt", BIG, t->name);
		CHECK_EQ(rump_sys_rename(a, b), 0);
		e->where = GONE;
		ent_add(t->name, BIG, false);
		t->where = GONE;
	} else if (r < 90) {		/* exchange, within or with other */
		bool dir;

		if ((e = ent_pick(BIG, false)) == NULL ||
		    (t = ent_pick(r < 87 ? OTHER : BIG, false)) == NULL || e == t)
			return;
		path_of(a, sizeof(a), "/mnt", e->where, e->name);
		path_of(b, sizeof(b), "/mnt", t->where, t->name);
		CHECK_EQ(rump_sys_renameat2(AT_FDCWD, a, AT_FDCWD, b,
		    RENAME_EXCHANGE), 0);
		dir = e->dir;		/* the names stay, the nodes swap */
		e->dir = t->dir;
		t->dir = dir;
	} else {			/* out of it, or into it */
		int from = r < 95 ? BIG : OTHER, to = from == BIG ? OTHER : BIG;

		if ((e = ent_pick(from, false)) == NULL)
			return;
		path_of(a, sizeof(a), "/mnt", from, e->name);
		path_of(b, sizeof(b), "/mnt", to, e->name);
		CHECK_EQ(rump_sys_rename(a, b), 0);
		e->where = GONE;
		ent_add(e->name, to, e->dir);
	}
	if (t_failed || getenv("T_TRACE"))
		printf("# change %d (%u): %s%s%s\n", seq, r, a, r >= 60 ?
		    " -> " : "", r >= 60 ? b : "");
}

static int
name_order(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The model's names in directory where, sorted. */
static size_t
model_names(int where, char **out)
{
	size_t n = 0;

	for (int i = 0; i < nents; i++)
		if (ents[i].where == where)
			out[n++] = ents[i].name;
	qsort(out, n, sizeof(*out), name_order);
	return n;
}

/* Two sorted lists of names: the same? The first differences are shown. */
static bool
same_names(const char *who, char **x, size_t nx, char **y, size_t ny)
{
	size_t i = 0, j = 0;
	int shown = 0;

	while (i < nx || j < ny) {
		int o = i == nx ? 1 : j == ny ? -1 : strcmp(x[i], y[j]);

		if (o == 0) {
			i++;
			j++;
			continue;
		}
		if (shown++ < 5)
			printf("# %s: \"%s\" %s\n", who, o < 0 ? x[i] : y[j],
			    o < 0 ? "missing" : "unexpected");
		if (o < 0)
			i++;
		else
			j++;
	}
	return shown == 0;
}

/* readdir of the kernel's directory, sorted (without "." and ".."). */
static size_t
kernel_names(const char *dir, char **out, size_t max)
{
	static char buf[32768];
	size_t n = 0;
	int fd = rump_sys_open(dir, O_RDONLY | O_DIRECTORY, 0), len;

	if (fd < 0)
		return 0;
	while ((len = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0)
		for (int off = 0; off < len;) {
			struct dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0 && n < max)
				out[n++] = strdup(de->d_name);
		}
	CHECK_EQ(len, 0);
	rump_sys_close(fd);
	qsort(out, n, sizeof(*out), name_order);
	return n;
}

/*
 * The kernel's view at /mnt: every name of the model found by lookup with
 * its type, every name gone not found, readdir listing exactly the model,
 * the directories' link counts and the ".." of the directories in them.
 */
static void
check_kernel(const char *when)
{
	static char *want[MAXENT], *got[MAXENT];
	struct stat st, dst[3];
	int lost = 0, subdirs[3] = { 0, 0, 0 };

	CHECK(rump_sys_stat("/mnt/big", &dst[BIG]) == 0);
	CHECK(rump_sys_stat("/mnt/other", &dst[OTHER]) == 0);
	for (int i = 0; i < nents; i++) {
		struct ent *e = &ents[i];
		char p[600];
		int r;

		if (e->where == GONE) {
			bool again = false;

			/* the name may be in use again (moved back) */
			for (int j = i + 1; j < nents && !again; j++)
				again = ents[j].where != GONE &&
				    strcmp(ents[j].name, e->name) == 0;
			for (int w = BIG; w <= OTHER && !again; w++) {
				path_of(p, sizeof(p), "/mnt", w, e->name);
				errno = 0;
				if ((rump_sys_lstat(p, &st) != -1 ||
				    errno != ENOENT) && lost++ < 5)
					printf("# %s: %s still there\n", when, p);
			}
			continue;
		}
		path_of(p, sizeof(p), "/mnt", e->where, e->name);
		r = (int)rump_sys_lstat(p, &st);
		if (r != 0 || S_ISDIR(st.st_mode) != e->dir) {
			if (lost++ < 5)
				printf("# %s: lookup of %s: %d errno %d\n", when,
				    p, r, errno);
			continue;
		}
		if (e->dir) {
			char dd[700];
			struct stat up;

			subdirs[e->where]++;
			snprintf(dd, sizeof(dd), "%s/..", p);
			if (rump_sys_stat(dd, &up) != 0 ||
			    up.st_ino != dst[e->where].st_ino) {
				printf("# %s: %s: wrong \"..\"\n", when, p);
				t_failed = 1;
			}
		}
	}
	if (lost > 0) {
		printf("# %s: %d lookups wrong\n", when, lost);
		t_failed = 1;
	}
	CHECK_EQ(dst[BIG].st_nlink, 2 + subdirs[BIG]);
	CHECK_EQ(dst[OTHER].st_nlink, 2 + subdirs[OTHER]);
	for (int w = BIG; w <= OTHER; w++) {
		char d[64];
		size_t nw = model_names(w, want), ng;

		snprintf(d, sizeof(d), "/mnt/%s", dirname_of(w));
		ng = kernel_names(d, got, MAXENT);
		CHECK(same_names(when, want, nw, got, ng));
		for (size_t i = 0; i < ng; i++)
			free(got[i]);
	}
}

/* debugfs's listing of /big and /other: the model's names. */
static void
check_debugfs(const char *img)
{
	static char *want[MAXENT], *got[MAXENT];
	char cmd[400], line[1200];

	for (int w = BIG; w <= OTHER; w++) {
		size_t nw = model_names(w, want), ng = 0;
		FILE *f;

		snprintf(cmd, sizeof(cmd), "debugfs -R 'ls -p /%s' '%s' "
		    "2>/dev/null", dirname_of(w), img);
		REQUIRE((f = popen(cmd, "r")) != NULL);
		/* /ino/mode/uid/gid/name/size/; inode 0: a free record */
		while (fgets(line, sizeof(line), f) != NULL && ng < MAXENT) {
			char *p = line, *name;

			if (strncmp(line, "/0/", 3) == 0)
				continue;

			for (int k = 0; k < 4 && p != NULL; k++)
				p = strchr(p + 1, '/');
			if (p == NULL)
				continue;
			name = p + 1;
			if ((p = strchr(name, '/')) == NULL)
				continue;
			*p = '\0';
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
				got[ng++] = strdup(name);
		}
		CHECK_EQ(pclose(f), 0);
		qsort(got, ng, sizeof(*got), name_order);
		CHECK(same_names("debugfs", want, nw, got, ng));
		for (size_t i = 0; i < ng; i++)
			free(got[i]);
	}
}

/* Is directory path of the image hashed (EXT2_INDEX_FL), says debugfs? */
static bool
indexed(const char *img, const char *path)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "debugfs -R 'stat %s' '%s' 2>/dev/null | "
	    "grep -q 'Flags: 0x1000'", path, img);
	return system(cmd) == 0;
}

/* Rename directory from to to: its ".." is then parent. */
static void
move_dir(const char *from, const char *to, const char *parent)
{
	char dd[300];
	struct stat up, pst;

	CHECK_EQ(rump_sys_rename(from, to), 0);
	snprintf(dd, sizeof(dd), "%s/..", to);
	CHECK(rump_sys_stat(dd, &up) == 0 && rump_sys_stat(parent, &pst) == 0 &&
	    up.st_ino == pst.st_ino);
	snprintf(dd, sizeof(dd), "%s/entry-with-a-longer-name-00299", to);
	CHECK(rump_sys_stat(dd, &up) == 0);
}

static void
dirindex_case(const char *mkfsopts, uint64_t salt)
{
	char dir[128], tree[160], img[160], cmd[800], p[300];
	struct rump_kernel *k;
	struct rump_config cfg = { .console = collect, .console_arg = &con };

	rng = seed_of() ^ salt * 0x9e3779b97f4a7c15ull;
	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_dirindex.%d", (int)getpid());
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(img, sizeof(img), "%s/img", dir);
	rmtree(dir);
	REQUIRE(mkdir(dir, 0700) == 0 && mkdir(tree, 0755) == 0);
	snprintf(p, sizeof(p), "%s/big", tree);
	make_bigdir(p, NBIG);
	snprintf(p, sizeof(p), "%s/other", tree);
	REQUIRE(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/moved", tree);
	make_bigdir(p, 300);
	nents = 0;
	for (int i = 0; i < NBIG; i++) {
		char name[64];

		snprintf(name, sizeof(name), "entry-with-a-longer-name-%05d", i);
		ent_add(name, BIG, false);
	}
	for (int i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "%s/other/o%d", tree, i);
		REQUIRE(write_file(p, 100) == 0);
		ent_add(strrchr(p, '/') + 1, OTHER, false);
	}
	/* mke2fs -d writes directories linearly: e2fsck -D indexes them */
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 -O dir_index %s -d '%s' "
	    "'%s' 64M >/dev/null && e2fsck -fyD '%s' >/dev/null 2>&1; "
	    "debugfs -R 'stat /big' '%s' 2>/dev/null | grep -q 'Flags: 0x1000'",
	    mkfsopts, tree, img, img, img);
	REQUIRE(run(cmd) == 0);
	REQUIRE(indexed(img, "/moved"));
	memset(&con, 0, sizeof(con));
	REQUIRE((k = rump_kernel_boot(&cfg)) != NULL);
	rump_kernel_enter(k);
	CHECK(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	CHECK(rump_sys_mkdir("/mnt", 0755) == 0);
	CHECK(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	if (!t_failed) {
		check_kernel("before");
		move_dir("/mnt/moved", "/mnt/big/moved", "/mnt/big");
		for (int i = 0; i < NOPS && !t_failed; i++)
			one_change(i);
		move_dir("/mnt/big/moved", "/mnt/moved", "/mnt");
		check_kernel("after the changes");
		CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
		CHECK(fsck_clean(img));
		CHECK(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY,
		    NULL) == 0);
		check_kernel("read-only");
		CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
		check_debugfs(img);
		/* only its ".." changed: it keeps its index */
		CHECK(indexed(img, "/moved"));
	}
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

static void b1k(void) { dirindex_case("-b 1024", 1); }
static void b4k(void) { dirindex_case("-b 4096", 2); }

TESTS(
	T(b1k),
	T(b4k),
)

/*
 * What the ext2 tests share: a console that collects the kernel's lines,
 * a seeded generator (RUMPKIT_SEED=N replays a run), running a host
 * command (mke2fs, e2fsck, debugfs) with a note when it fails, e2fsck -fn
 * with its output shown when it finds something, removing a host tree, and
 * booting a kernel with an image attached.
 */
#ifndef EXT2_UTIL_H
#define EXT2_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

struct console {
	char	text[16384];
	size_t	len;
};

/* A console hook: append the line to the struct console at arg. */
static inline void
collect(void *arg, const char *line, size_t len)
{
	struct console *c = arg;

	if (c->len + len + 2 < sizeof(c->text)) {
		memcpy(c->text + c->len, line, len);
		c->len += len;
		c->text[c->len++] = '\n';
		c->text[c->len] = '\0';
	}
}

static uint64_t rng;

static inline uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

/* The seed of a random case: RUMPKIT_SEED, else the time; printed. */
static inline uint64_t
seed_of(void)
{
	const char *s = getenv("RUMPKIT_SEED");
	uint64_t seed = s != NULL ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);

	printf("# seed %llu (RUMPKIT_SEED replays)\n", (unsigned long long)seed);
	return seed;
}

static inline int
run(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		printf("# command failed (%d): %s\n", r, cmd);
	return r;
}

/* e2fsck -fn finds nothing to fix; otherwise its output is printed. */
static inline bool
fsck_clean(const char *img)
{
	char cmd[1000];

	snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' > '%s.fsck' 2>&1", img,
	    img);
	if (system(cmd) == 0)
		return true;
	snprintf(cmd, sizeof(cmd), "sed 's/^/# /' '%s.fsck'", img);
	(void)system(cmd);
	return false;
}

static inline void
rmtree(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	(void)system(cmd);
}

/*
 * A kernel, entered, whose console lines go to c (emptied first), with img
 * attached as /dev/ld0 (diskflags: RUMP_DISK_RDONLY or 0) and a /mnt to
 * mount it on; NULL (the kernel halted) if a step fails.
 */
static inline struct rump_kernel *
boot_with_disk(struct console *c, const char *img, int diskflags)
{
	struct rump_config cfg = { .console = collect, .console_arg = c };
	struct rump_kernel *k;

	c->len = 0;
	c->text[0] = '\0';
	if ((k = rump_kernel_boot(&cfg)) == NULL)
		return NULL;
	rump_kernel_enter(k);
	if (rump_disk_attach(k, "/dev/ld0", img, diskflags) != 0 ||
	    rump_sys_mkdir("/mnt", 0755) != 0) {
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

#endif

/*
 * What the ext2 tests share: a console that collects the kernel's lines,
 * a seeded generator, and running a host command (mke2fs, e2fsck, debugfs)
 * with a note when it fails.
 */
#ifndef EXT2_UTIL_H
#define EXT2_UTIL_H

/* each test uses a part of it */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct console {
	char	text[16384];
	size_t	len;
};

/* A console hook: append the line to the struct console at arg. */
static void
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

static uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static int
run(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		printf("# command failed (%d): %s\n", r, cmd);
	return r;
}

#endif

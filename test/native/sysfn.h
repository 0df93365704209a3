/*
 * One way to make a system call on either side of a comparison: a sysfn
 * takes the host's SYS_* number and six arguments, returns the result or
 * -1 with errno, as syscall(2) does.  sys_host makes the real Linux call,
 * sys_rump the same call in the rump kernel bound to the calling thread.
 * A view is a sysfn with a directory: one side of a tree comparison or of
 * a differential run.
 */
#ifndef SYSFN_H
#define SYSFN_H

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <rump/rump.h>

typedef long (*sysfn)(long nr, long a, long b, long c, long d, long e,
    long f);

static inline long
sys_host(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

static inline long
sys_rump(long nr, long a, long b, long c, long d, long e, long f)
{
	long args[6] = { a, b, c, d, e, f }, rv[2] = { 0, 0 };
	int error = rump_syscall(nr, args, rv);

	if (error != 0) {
		errno = error;
		return -1;
	}
	return rv[0];
}

/* One side of a comparison: how it makes calls, and its directory. */
struct view {
	const char	*name;		/* in messages: "linux", "rump" */
	sysfn		fn;
	const char	*root;		/* an absolute path on that side */
};

/* The path of rel ("" for the root itself) on view v, in buf. */
static inline const char *
vpath(const struct view *v, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", v->root, *rel ? "/" : "", rel);
	return buf;
}

#endif

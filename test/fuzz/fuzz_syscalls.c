/*
 * A system-call fuzzer: each input is a program of system calls, decoded
 * with the roles of syscalls/table.mjs into arguments that are valid memory
 * (paths from a dictionary or the input, buffers in an arena, lengths within
 * it) and values that are anything, run in a fresh kernel.  Whatever the
 * calls, the kernel must not crash, hang, or leak (its halt checks that all
 * kernel memory came back).
 *
 * Built with clang -fsanitize=fuzzer it is a libFuzzer target (npm run
 * fuzz:syscalls); built without, main() replays files given as arguments and
 * a fixed number of inputs from a seeded generator, as a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "gen/sysroles.h"

#include "fuzz_kernel.h"

#define ARENA_SIZE	65536
#define MAXCALLS	64

static int trace;	/* RUMPKIT_FUZZ_TRACE: print every call (replay only) */
static unsigned current;	/* the generated input running, for reports */

struct input {
	const uint8_t	*p;
	size_t		left;
};

static uint64_t
take(struct input *in, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && in->left > 0; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static const char *const paths[] = {
	"/", "/tmp", "/tmp/a", "/tmp/a/b", "/tmp/b", "/tmp/link", "/tmp/loop",
	"/tmp/fifo", "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "..", ".",
	"a", "a/../b", "/tmp/a/", "/tmp//a///b", "", "/nonexistent/x",
	"/tmp/mnt", "/tmp/mnt/f", "/dev", "/tmp/a/b/c/d/e/f",
	"tmpfs", "size=8k,nr_inodes=4", "ext2",
};

/* A value: often small or one of the edges, sometimes anything. */
static long
value(struct input *in)
{
	static const long edges[] = { 0, 1, -1, 2, 3, 4, 7, 8, 64, 255, 256, 4096,
	    65536, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, 0777, 01777, 04755,
	    O_CREAT | O_RDWR, O_DIRECTORY, O_PATH, O_APPEND | O_WRONLY, AT_FDCWD,
	    AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EMPTY_PATH };
	unsigned sel = (unsigned)take(in, 1);

	if (sel < 128)
		return (long)(sel & 15);
	if (sel < 224)
		return edges[sel % (sizeof(edges) / sizeof(edges[0]))];
	return (long)take(in, 8);
}

/* A path: from the dictionary, or bytes of the input made a string. */
static const char *
path(struct input *in, char *scratch, size_t size)
{
	unsigned sel = (unsigned)take(in, 1);
	size_t n;

	if (sel < 200)
		return paths[sel % (sizeof(paths) / sizeof(paths[0]))];
	n = (size_t)take(in, 1) % (size - 1);
	for (size_t i = 0; i < n; i++) {
		char c = (char)take(in, 1);

		scratch[i] = c == '\0' ? '/' : c;
	}
	scratch[n] = '\0';
	return scratch;
}

/* A pointer into a region of size bytes with room for at least need. */
static char *
region_ptr(struct input *in, char *base, size_t size, size_t need)
{
	if (need >= size)
		need = size;
	return base + (size_t)take(in, 2) % (size - need + 1);
}

static char *
arena_ptr(struct input *in, char *arena, size_t need)
{
	return region_ptr(in, arena, ARENA_SIZE, need);
}

/* Run one decoded call; its result does not matter, only its survival. */
static void
one_call(struct input *in, char *arena)
{
	const struct sysrole *sr = &sysroles[take(in, 1) % NSYSROLES];
	char strs[6][300];
	long a[6] = { 0 }, rv[2];
	struct iovec *iov;
	socklen_t vrlen[6];
	struct msghdr msg;

	for (int i = 0; i < sr->nargs; i++)
		if (sr->role[i] == SR_VAL || sr->role[i] == SR_FD)
			a[i] = sr->role[i] == SR_FD ? (long)(take(in, 1) % 24) - 2 :
			    value(in);
	for (int i = 0; i < sr->nargs; i++) {
		long n;

		switch (sr->role[i]) {
		case SR_PATH:
		case SR_STR:
			a[i] = (sr->nullable[i] && take(in, 1) < 16) ? 0 :
			    (long)path(in, strs[i], sizeof(strs[i]));
			break;
		case SR_IN:
		case SR_OUT:
		case SR_INOUT:
			if (sr->nullable[i] && take(in, 1) < 16) {
				a[i] = 0;
				break;
			}
			if (sr->len[i] >= 0) {
				/* a length argument: keep it inside the arena */
				n = a[sr->len[i]];
				if (n < 0 || (size_t)n * sr->size[i] > ARENA_SIZE)
					a[sr->len[i]] = n = (long)(take(in, 2) %
					    (ARENA_SIZE / (sr->size[i] ? sr->size[i] : 1)));
				a[i] = (long)arena_ptr(in, arena, (size_t)n * sr->size[i]);
			} else {
				a[i] = (long)arena_ptr(in, arena, sr->size[i]);
			}
			break;
		case SR_VROUT:
			/* 256 bytes; its length argument says at most that */
			a[i] = (sr->nullable[i] && take(in, 1) < 16) ? 0 :
			    (long)arena_ptr(in, arena, 256);
			break;
		case SR_VRLEN:
			vrlen[i] = (socklen_t)(take(in, 1) % 257);
			a[i] = (sr->nullable[i] && take(in, 1) < 16) ? 0 :
			    (long)&vrlen[i];
			break;
		case SR_MSG_IN:
		case SR_MSG_OUT: {
			int cnt = (int)(take(in, 1) % 5);

			memset(&msg, 0, sizeof(msg));
			iov = (struct iovec *)(void *)arena;
			for (int j = 0; j < cnt; j++) {
				size_t len = (size_t)take(in, 2) % 4096;

				iov[j].iov_base = region_ptr(in, arena + 256,
				    ARENA_SIZE - 256, len);
				iov[j].iov_len = len;
			}
			msg.msg_iov = iov;
			msg.msg_iovlen = (size_t)cnt;
			if (take(in, 1) < 128) {
				msg.msg_namelen = (socklen_t)(take(in, 1) % 129);
				msg.msg_name = region_ptr(in, arena + 256,
				    ARENA_SIZE - 256, 128);
			}
			if (take(in, 1) < 128) {
				msg.msg_controllen = (size_t)take(in, 1);
				msg.msg_control = region_ptr(in, arena + 256,
				    ARENA_SIZE - 256, 256);
			}
			a[i] = (long)&msg;
			break;
		}
		case SR_IOV_IN:
		case SR_IOV_OUT: {
			int cnt = (int)(take(in, 1) % 9);

			iov = (struct iovec *)(void *)arena;	/* the arena's head */
			for (int j = 0; j < cnt; j++) {
				size_t len = (size_t)take(in, 2) % 4096;

				/* data after the 256 bytes of the vector itself */
				iov[j].iov_base = region_ptr(in, arena + 256,
				    ARENA_SIZE - 256, len);
				iov[j].iov_len = len;
			}
			a[i] = (long)iov;
			if (sr->len[i] >= 0)
				a[sr->len[i]] = cnt;
			break;
		}
		default:
			break;
		}
	}
	/*
	 * fcntl and ioctl take a pointer for some commands: give them memory,
	 * or a value the kernel can tell is no pointer (below 64 KiB).  Any
	 * other address would be a bad pointer in the calling program itself.
	 */
	if (sr->nr == SYS_fcntl || sr->nr == SYS_ioctl)
		a[2] = take(in, 1) < 160 ? (long)arena_ptr(in, arena, 256) :
		    (long)(take(in, 2) & 0xffff);
	int error = rump_syscall(sr->nr, a, rv);

	if (trace)
		fprintf(stderr, "%s(%lx, %lx, %lx, %lx, %lx, %lx) = %ld / %d\n",
		    sr->name, a[0], a[1], a[2], a[3], a[4], a[5],
		    error ? -1 : rv[0], error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char arena[ARENA_SIZE];
	struct input in = { data, size };
	struct rump_kernel *k = fuzz_kernel_boot();

	rump_kernel_enter(k);
	/* a process that never sleeps: would-block calls return EAGAIN */
	if (rump_lwproc_rfork(RUMP_RFCFDG) != 0)
		abort();
	rump_lwproc_nosleep(1);
	rump_sys_mkdir("/tmp/a", 0755);
	rump_sys_symlink("/tmp/loop", "/tmp/loop");
	rump_sys_symlink("a", "/tmp/link");
	rump_sys_mknod("/tmp/fifo", 010644, 0);
	rump_sys_mkdir("/tmp/mnt", 0755);
	memset(arena, 0, sizeof(arena));
	for (int n = 0; n < MAXCALLS && in.left > 0; n++)
		one_call(&in, arena);
	rump_kernel_leave();
	fuzz_kernel_halt(k, current);
	return 0;
}

#ifndef RUMPKIT_LIBFUZZER
#include "replay.h"

/* Generated input i: a program of bytes from a generator seeded with i. */
size_t
fuzz_generate(unsigned i, uint8_t *buf, size_t cap)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ ((uint64_t)i * 0x100000001b3ull);
	size_t n = 64 + (size_t)(i * 7919u % 960u);

	if (n > cap)
		n = cap;
	for (size_t j = 0; j < n; j++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[j] = (uint8_t)x;
	}
	current = i;
	trace = getenv("RUMPKIT_FUZZ_TRACE") != NULL;
	return n;
}

int
main(int argc, char **argv)
{
	return fuzz_replay_main(argc, argv, FUZZ_REGRESS_DIR, 3000);
}
#endif

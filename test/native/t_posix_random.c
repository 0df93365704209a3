/*
 * Random operations against Linux: a seeded sequence of file-system calls
 * over a small name space (so that collisions and errors are frequent),
 * applied to a host directory and a kernel directory in lockstep.  Every
 * call's result, errno and out-buffer are compared, and every 100 calls a
 * digest of the whole tree.  The seed is printed; RUMPKIT_SEED=<n> replays
 * a run.  See posix_diff.h.
 */
#include "posix_diff.h"

#define NOPS	3000
#define NFDS	8

static uint64_t seed;

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const names[] = {
	"a", "b", "c", "d", "e", "d/a", "d/b", "d/d", "d/d/a", "e/a", "e/d",
	"a/", "d/", "d/d/", ".", "d/..", "x", "nx/a",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

/*
 * Symlink targets: plain names only, so that no chain of links and ".."
 * can lead out of the scenario's directory (on the host: into /dev/shm).
 */
static const char *const targets[] = {
	"a", "b", "c", "d", "e", "d/a", "d/b", "e/a", "nx/a", "x",
};
#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))

static const int oflags[] = {
	O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_CREAT, O_WRONLY | O_CREAT |
	O_TRUNC, O_RDWR | O_CREAT | O_EXCL, O_WRONLY | O_APPEND | O_CREAT,
	O_RDONLY | O_DIRECTORY, O_RDONLY | O_NOFOLLOW, O_RDWR | O_TRUNC,
};

static const char *
nm(uint64_t *s)
{
	return names[rnd(s) % NNAMES];
}

/* A digest of the tree, as a NOTE (the walk opens and closes its own fds). */
static void
tree_digest(struct ctx *ctx, int op)
{
	uint64_t h;

	pd_tree(ctx, ".");
	h = pd_hash(ctx->lg->tree, ctx->lg->treelen, PD_HASH0);
	TAG("tree after op %d", op);
	NOTE(&h, sizeof(h));
}

static void
one_op(struct ctx *ctx, uint64_t *s)
{
	int fd = (int)(rnd(s) % NFDS);
	long off = (long)(rnd(s) % 20000);
	size_t len = (size_t)(rnd(s) % 300);

	switch (rnd(s) % 20) {
	case 0:
	case 1:
		S(SYS_open, nm(s), oflags[rnd(s) % 10] | O_NONBLOCK, 0644);
		break;
	case 2:
		S(SYS_close, fd);
		break;
	case 3:
		SO(len, SYS_read, fd, BUF, len);
		break;
	case 4:
		S(SYS_write, fd, PAT + (long)(rnd(s) % 1000), len);
		break;
	case 5:
		S(SYS_pwrite64, fd, PAT, len, off);
		break;
	case 6:
		S(SYS_truncate, nm(s), off);
		break;
	case 7:
		S(SYS_ftruncate, fd, off);
		break;
	case 8:
		S(SYS_mkdir, nm(s), 0755);
		break;
	case 9:
		S(SYS_rmdir, nm(s));
		break;
	case 10:
		S(SYS_unlink, nm(s));
		break;
	case 11:
	case 12:
		S(SYS_rename, nm(s), nm(s));
		break;
	case 13:
		S(SYS_link, nm(s), nm(s));
		break;
	case 14:
		S(SYS_symlink, targets[rnd(s) % NTARGETS], nm(s));
		break;
	case 15:
		S(SYS_chmod, nm(s), (long)(rnd(s) % 01000));
		break;
	case 16:
		S(SYS_lseek, fd, off - 1000, (long)(rnd(s) % 5));
		break;
	case 17:
		/* from the start: resumed readdir order is not comparable */
		PREP(SYS_lseek, fd, 0, SEEK_SET);
		SN(N_DENTS, SYS_getdents64, fd, BUF, 65536);
		break;
	case 18:
		SN(N_STAT, SYS_fstat, fd, BUF);
		break;
	default:
		SN(N_STAT, SYS_newfstatat, AT_FDCWD, nm(s), BUF,
		    AT_SYMLINK_NOFOLLOW);
		break;
	}
}

static void
scen_random(struct ctx *ctx)
{
	uint64_t s = seed;

	for (int op = 0; op < NOPS; op++) {
		TAG("op %d", op);
		one_op(ctx, &s);
		if (op % 100 == 99)
			tree_digest(ctx, op);
	}
	TAG("%s", "");
}

DIFF(random)

static void
random_ops(void)
{
	const char *env = getenv("RUMPKIT_SEED");
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = env != NULL ? strtoull(env, NULL, 0) :
	    (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
	if (seed == 0)
		seed = 1;
	printf("# seed %llu (RUMPKIT_SEED=%llu replays it)\n",
	    (unsigned long long)seed, (unsigned long long)seed);
	diff_random();
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(random_ops),
)

/*
 * The ext2 fuzzer: each input is a disk image, attached read-only, mounted
 * as ext2 and walked — every directory listed, every node stat'ed, files
 * read, symlinks read — with bounds on depth, entries and bytes.  Whatever
 * the image, the kernel must not crash, hang or leak; a refused or corrupt
 * image is an error (EINVAL, EUCLEAN, EIO …), nothing more.
 *
 * Seeds: small images made by mke2fs, in test/fuzz/corpus/ext2/.  Replay:
 * the regression inputs, then each seed mutated in a few thousand seeded
 * ways (bytes flipped in the metadata the driver reads first).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#define MAXDEPTH	12
#define MAXNODES	512
#define MAXREAD		(256u << 10)

struct walk {
	int	nodes;
	size_t	bytes;
};

static void
walk_dir(struct walk *w, const char *dir, int depth)
{
	static char buf[8192];
	char path[1024], data[4096];
	struct stat st;
	long n;
	int fd;

	if (depth > MAXDEPTH || (fd = rump_sys_open(dir, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return;
	while (w->nodes < MAXNODES && (n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n && w->nodes < MAXNODES;) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (reclen == 0)
				break;
			off += reclen;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			w->nodes++;
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (rump_sys_lstat(path, &st) != 0)
				continue;
			if (S_ISDIR(st.st_mode)) {
				walk_dir(w, path, depth + 1);
			} else if (S_ISLNK(st.st_mode)) {
				(void)rump_sys_readlink(path, data, sizeof(data));
			} else if (S_ISREG(st.st_mode)) {
				int f = rump_sys_open(path, O_RDONLY, 0);
				long r;

				while (f >= 0 && w->bytes < MAXREAD &&
				    (r = rump_sys_read(f, data, sizeof(data))) > 0)
					w->bytes += (size_t)r;
				if (f >= 0) {
					(void)rump_sys_pread64(f, data, sizeof(data),
					    st.st_size > 4096 ? st.st_size - 4096 : 0);
					rump_sys_close(f);
				}
			}
		}
	}
	rump_sys_close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rump_config cfg = { .memlimit = 64u << 20 };
	struct walk w = { 0, 0 };
	struct rump_kernel *k;
	char path[64];
	int mfd;

	if ((mfd = memfd_create("ext2-image", 0)) < 0)
		abort();
	if (size > 0 && write(mfd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	if ((k = rump_kernel_boot(&cfg)) == NULL)
		abort();
	rump_kernel_enter(k);
	if (rump_disk_attach(k, "/dev/ld0", path, RUMP_DISK_RDONLY) == 0 &&
	    rump_sys_mkdir("/mnt", 0755) == 0 &&
	    rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) == 0) {
		struct statfs sf;

		(void)rump_sys_statfs("/mnt", &sf);
		walk_dir(&w, "/mnt", 0);
		if (rump_sys_umount2("/mnt", 0) != 0)
			abort();	/* nothing of ours is open */
	}
	rump_kernel_leave();
	if (rump_kernel_halt(k) != 0) {
		fprintf(stderr, "fuzz_ext2: kernel memory leaked at halt\n");
		abort();
	}
	close(mfd);
	return 0;
}

#ifndef RUMPKIT_LIBFUZZER
#include "replay.h"

#define MUTANTS_PER_SEED	400

/* A seed image, read once. */
static size_t
load_seed(unsigned n, uint8_t *buf, size_t cap)
{
	char path[1024];
	struct dirent *de;
	unsigned seen = 0;
	size_t len = 0;
	DIR *d = opendir(FUZZ_CORPUS_DIR);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || seen++ != n)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS_DIR, de->d_name);
		FILE *f = fopen(path, "rb");

		if (f != NULL) {
			len = fread(buf, 1, cap, f);
			fclose(f);
		}
		break;
	}
	closedir(d);
	return len;
}

/*
 * Input i: seed i / MUTANTS_PER_SEED with a few bytes changed, mostly in the
 * first 16 KiB where the superblock, group descriptors, bitmaps, inode
 * table and first directories of a small image live.
 */
size_t
fuzz_generate(unsigned i, uint8_t *buf, size_t cap)
{
	uint64_t x = 0x2545f4914f6cdd1dull ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
	size_t len = load_seed(i / MUTANTS_PER_SEED, buf, cap);
	int flips;

	if (len == 0)
		return 0;
	flips = 1 + (int)(i % 8);
	for (int f = 0; f < flips; f++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t span = len < 16384 ? len : 16384;
		size_t at = (x >> 8) % ((x & 1) ? span : len);

		buf[at] = (x & 2) ? (uint8_t)(x >> 40) : (uint8_t)(buf[at] ^ (1u << ((x >> 32) & 7)));
	}
	return len;
}

int
main(int argc, char **argv)
{
	unsigned seeds = 0;
	DIR *d = opendir(FUZZ_CORPUS_DIR);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL)
		seeds += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return fuzz_replay_main(argc, argv, FUZZ_REGRESS_DIR, seeds * MUTANTS_PER_SEED);
}
#endif

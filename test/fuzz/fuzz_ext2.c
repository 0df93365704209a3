/*
 * The ext2 fuzzer: each input is a disk image, mounted read-only as ext2
 * and walked — every directory listed, every node stat'ed, files read,
 * symlinks read — with bounds on depth, entries and bytes; then mounted
 * read-write and changed (files written, truncated, allocated, renamed and
 * removed, directories made and removed, in the directories the walk
 * found), unmounted, and walked once more.  The image lives in a memfd of
 * the input's size.  Whatever the image, the kernel must not crash, hang or
 * leak; a refused or corrupt image is an error (EINVAL, EUCLEAN, ENOSPC,
 * EIO …), nothing more.
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

#define MAXKEPT		24

struct walk {
	int	nodes;
	size_t	bytes;
	int	nkept;		/* nodes remembered for the read-write pass */
	mode_t	kmode[MAXKEPT];
	char	kept[MAXKEPT][256];
};

static void
keep(struct walk *w, const char *path, mode_t mode)
{
	if (w->nkept < MAXKEPT && strlen(path) < sizeof(w->kept[0])) {
		strcpy(w->kept[w->nkept], path);
		w->kmode[w->nkept++] = mode;
	}
}

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
			keep(w, path, st.st_mode);
			if (S_ISDIR(st.st_mode)) {
				walk_dir(w, path, depth + 1);
			} else if (S_ISLNK(st.st_mode)) {
				(void)rump_sys_readlink(path, data, sizeof(data));
			} else if (S_ISREG(st.st_mode)) {
				int f = rump_sys_open(path, O_RDONLY | O_NONBLOCK, 0);
				long r;

				while (f >= 0 && w->bytes < MAXREAD &&
				    (r = rump_sys_read(f, data, sizeof(data))) > 0)
					w->bytes += (size_t)r;
				if (f >= 0) {
					(void)rump_sys_pread64(f, data, sizeof(data),
					    st.st_size > 4096 ? st.st_size - 4096 : 0);
					(void)rump_sys_lseek(f, 0, SEEK_HOLE);
					(void)rump_sys_lseek(f, st.st_size / 2, SEEK_DATA);
					rump_sys_close(f);
				}
			}
		}
	}
	rump_sys_close(fd);
}

/*
 * Changes in and around what the walk found; every call may fail.  Opens
 * are non-blocking: a name may be a FIFO, whose open would wait for the
 * other end (as on Linux).
 */
static void
change(const struct walk *w)
{
	static char data[20000];
	char path[300], to[300];
	int fd;

	memset(data, 0x5a, sizeof(data));
	for (int i = 0; i < w->nkept; i++) {
		const char *p = w->kept[i];
		mode_t m = w->kmode[i];

		if (S_ISDIR(m)) {
			snprintf(path, sizeof(path), "%s/new%d", p, i);
			fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_NONBLOCK, 0644);
			if (fd >= 0) {
				(void)rump_sys_write(fd, data, (size_t)(i * 997) % sizeof(data));
				rump_sys_close(fd);
			}
			snprintf(to, sizeof(to), "/mnt/moved%d", i);
			(void)rump_sys_rename(path, to);
			snprintf(path, sizeof(path), "%s/dir%d", p, i);
			(void)rump_sys_mkdir(path, 0755);
			(void)rump_sys_rmdir(p);
		} else if (S_ISREG(m)) {
			fd = rump_sys_open(p, O_RDWR | O_NONBLOCK, 0);
			if (fd >= 0) {
				(void)rump_sys_pwrite64(fd, data, 3000, (off_t)i * 5000);
				(void)rump_sys_ftruncate(fd, (off_t)i * 1500);
				(void)rump_sys_fallocate(fd, 0, 0, 9000);
				(void)rump_sys_write(fd, data, sizeof(data));
				rump_sys_close(fd);
			}
			if (i % 3 == 0)
				(void)rump_sys_unlink(p);
			else if (i % 3 == 1) {
				snprintf(to, sizeof(to), "/mnt/link%d", i);
				(void)rump_sys_link(p, to);
			}
		} else {
			(void)rump_sys_chmod(p, 0600);
			snprintf(to, sizeof(to), "%s.old", p);
			(void)rump_sys_rename(p, to);
			(void)rump_sys_unlink(to);
		}
	}
	(void)rump_sys_symlink("a-target-name-longer-than-sixty-bytes-so-that-it-needs-a-block",
	    "/mnt/slow");
	(void)rump_sys_mknod("/mnt/fifo", S_IFIFO | 0644, 0);
	(void)rump_sys_renameat2(AT_FDCWD, "/mnt/moved0", AT_FDCWD, "/mnt/slow",
	    RENAME_EXCHANGE);
	rump_sys_sync();
}

/* FUZZ_CONSOLE=1: the kernel's console lines on stderr. */
static void
to_stderr(void *arg, const char *line, size_t len)
{
	(void)arg;
	fprintf(stderr, "%.*s\n", (int)len, line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rump_config cfg = { .memlimit = 64u << 20,
	    .console = getenv("FUZZ_CONSOLE") ? to_stderr : NULL };
	struct walk w;
	struct rump_kernel *k;
	char path[64];
	int mfd;

	memset(&w, 0, sizeof(w));
	if ((mfd = memfd_create("ext2-image", 0)) < 0)
		abort();
	if (size > 0 && write(mfd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	if ((k = rump_kernel_boot(&cfg)) == NULL)
		abort();
	rump_kernel_enter(k);
	if (rump_disk_attach(k, "/dev/ld0", path, 0) == 0 &&
	    rump_sys_mkdir("/mnt", 0755) == 0 &&
	    rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) == 0) {
		struct statfs sf;

		(void)rump_sys_statfs("/mnt", &sf);
		walk_dir(&w, "/mnt", 0);
		if (rump_sys_umount2("/mnt", 0) != 0)
			abort();	/* nothing of ours is open */
		if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0) {
			change(&w);
			if (rump_sys_umount2("/mnt", 0) != 0) {
				fprintf(stderr, "fuzz_ext2: umount: errno %d\n",
				    errno);
				abort();
			}
			if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY,
			    NULL) == 0) {
				w.nodes = 0;
				w.bytes = 0;
				walk_dir(&w, "/mnt", 0);
				if (rump_sys_umount2("/mnt", 0) != 0)
					abort();
			}
		}
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

/*
 * Input i: seed i / MUTANTS_PER_SEED with a few bytes changed, mostly in the
 * first 16 KiB where the superblock, group descriptors, bitmaps, inode
 * table and first directories of a small image live.
 */
size_t
fuzz_generate(unsigned i, uint8_t *buf, size_t cap)
{
	return replay_mutant(FUZZ_CORPUS_DIR, i, MUTANTS_PER_SEED, 16384, buf, cap);
}

int
main(int argc, char **argv)
{
	return fuzz_replay_main(argc, argv, FUZZ_REGRESS_DIR,
	    replay_count_seeds(FUZZ_CORPUS_DIR) * MUTANTS_PER_SEED);
}
#endif

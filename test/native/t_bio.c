/*
 * The buffer cache, white-box: a file system's view (vfs_getdevvp, bread,
 * getblk, bwrite, bdwrite, vflushbuf, binvalbuf), hits, misses and eviction
 * under a small memory limit, delayed writes reaching the host file through
 * fsync, sync, the flusher and halt, the flusher thread coming and going,
 * and injected host I/O errors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "sys/systm.h"
#include "sys/buf.h"
#include "sys/disk.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "sys/vnode.h"

#include "harness.h"

static char img[128];

static struct rump_kernel *
setup_cfg(const struct rump_config *cfg, size_t size, int flags)
{
	struct rump_kernel *k;
	int fd;

	snprintf(img, sizeof(img), "/tmp/rumpkit-bio-%d.img", (int)getpid());
	if ((fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		return NULL;
	if (ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	if ((k = rump_kernel_boot(cfg)) == NULL)
		return NULL;
	rump_kernel_enter(k);
	if (rump_disk_attach(k, "/dev/ld0", img, flags) != 0) {
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

static struct rump_kernel *
setup(uint64_t memlimit, size_t size, int flags)
{
	struct rump_config cfg = { .memlimit = memlimit };

	return setup_cfg(&cfg, size, flags);
}

static int
getdevvp(struct rump_kernel *k, const char *path, int fflag,
    struct vnode **vpp)
{
	int error;

	vfs_enter(k);
	error = vfs_getdevvp(curlwp, path, fflag, vpp);
	vfs_exit(k);
	return error;
}

static void
putdevvp(struct rump_kernel *k, struct vnode *vp)
{
	vfs_enter(k);
	vrele(vp);
	vfs_exit(k);
}

static struct rump_kernel_stats
stats(struct rump_kernel *k)
{
	struct rump_kernel_stats st;

	rump_kernel_stats(k, &st);
	return st;
}

static int
hostbyte(off_t off)
{
	unsigned char c;
	int fd = open(img, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, &c, 1, off);

	if (fd >= 0)
		close(fd);
	return n == 1 ? c : -1;
}

/* Dirty block blkno of 1 KiB filled with c, as a delayed write. */
static int
dirty(struct vnode *vp, bdaddr_t blkno, int c)
{
	struct buf *bp = getblk(vp, blkno, 1024);

	if (bp == NULL)
		return ENOMEM;
	memset(bp->b_data, c, 1024);
	bdwrite(bp);
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
getdevvp_errors(void)
{
	struct rump_kernel *k = setup(0, 65536, RUMP_DISK_RDONLY);
	struct vnode *vp;

	REQUIRE(k != NULL);
	CHECK_EQ(getdevvp(k, "/dev/null", FREAD, &vp), ENOTBLK);
	CHECK_EQ(getdevvp(k, "/tmp", FREAD, &vp), ENOTBLK);
	CHECK_EQ(getdevvp(k, "/dev/nothing", FREAD, &vp), ENOENT);
	CHECK_EQ(getdevvp(k, NULL, FREAD, &vp), ENOTBLK);
	REQUIRE(rump_sys_mknod("/dev/ld5", S_IFBLK | 0600, makedev(7, 5)) == 0);
	CHECK_EQ(getdevvp(k, "/dev/ld5", FREAD, &vp), ENXIO);
	CHECK_EQ(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp), EACCES);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD, &vp) == 0);
	CHECK(vp->v_type == VBLK);
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* Hits, misses, and the bound: a 4 MiB kernel caches at most 1 MiB. */
static void
hits_misses_eviction(void)
{
	struct rump_kernel *k = setup(4 << 20, 4 << 20, 0);
	struct rump_kernel_stats st;
	struct vnode *vp;
	struct buf *bp;
	int bad = 0;

	REQUIRE(k != NULL);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	REQUIRE(bread(vp, 8, 4096, &bp) == 0);
	CHECK_EQ(bp->b_bcount, 4096);
	CHECK_EQ(((char *)bp->b_data)[0], 0);
	brelse(bp);
	REQUIRE(bread(vp, 8, 4096, &bp) == 0);
	brelse(bp);
	st = stats(k);
	CHECK_EQ(st.bufmisses, 1);
	CHECK_EQ(st.bufhits, 1);
	CHECK_EQ(st.bufs, 1);
	CHECK_EQ(st.buflimit, 1 << 20);
	for (int i = 0; i < 512; i++) {		/* 2 MiB of blocks */
		if (bread(vp, (bdaddr_t)i * 8, 4096, &bp) != 0)
			bad++;
		else
			brelse(bp);
	}
	CHECK_EQ(bad, 0);
	st = stats(k);
	CHECK(st.bufbytes <= 1 << 20);
	CHECK_EQ(st.bufs, 256);
	uint64_t misses = st.bufmisses;
	REQUIRE(bread(vp, 0, 4096, &bp) == 0);	/* went long ago */
	brelse(bp);
	CHECK_EQ(stats(k).bufmisses, misses + 1);
	REQUIRE(bread(vp, 511 * 8, 4096, &bp) == 0);	/* still here */
	brelse(bp);
	CHECK_EQ(stats(k).bufmisses, misses + 1);
	/* eviction writes dirty buffers back first */
	REQUIRE(dirty(vp, 7000, 0x77) == 0);
	for (int i = 0; i < 300; i++) {
		if (bread(vp, 4096 + (bdaddr_t)i * 8, 4096, &bp) == 0)
			brelse(bp);
	}
	CHECK_EQ(hostbyte(7000 * 512), 0x77);
	/* another size for a cached block: the old buffer goes */
	REQUIRE(bread(vp, 4096, 1024, &bp) == 0);
	CHECK_EQ(bp->b_bcount, 1024);
	brelse(bp);
	binvalbuf(vp);
	CHECK_EQ(stats(k).bufs, 0);
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* Delayed writes: on the host only after vflushbuf or fsync of the node. */
static void
delayed_write_fsync(void)
{
	struct rump_kernel *k = setup(0, 1 << 20, 0);
	struct vnode *vp;
	struct buf *bp;
	int fd;

	REQUIRE(k != NULL);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	REQUIRE(dirty(vp, 2, 0x11) == 0);
	CHECK_EQ(stats(k).dirtybufs, 1);
	CHECK_EQ(hostbyte(1024), 0);
	CHECK(vflushbuf(vp) == 0);
	CHECK_EQ(stats(k).dirtybufs, 0);
	CHECK_EQ(hostbyte(1024), 0x11);
	CHECK_EQ(hostbyte(2047), 0x11);
	/* fsync of the device node */
	REQUIRE(dirty(vp, 4, 0x22) == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDONLY, 0)) >= 0);
	CHECK(rump_sys_fsync(fd) == 0);
	CHECK_EQ(hostbyte(2048), 0x22);
	/* descriptor I/O sees dirty buffers, and its writes replace them */
	REQUIRE(dirty(vp, 6, 0x33) == 0);
	unsigned char c = 0;
	CHECK(rump_sys_pread64(fd, &c, 1, 3072) == 1 && c == 0x33);
	rump_sys_close(fd);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDWR, 0)) >= 0);
	c = 0x44;
	CHECK_EQ(rump_sys_pwrite64(fd, &c, 1, 3072), 1);
	REQUIRE(bread(vp, 6, 1024, &bp) == 0);
	CHECK_EQ(((unsigned char *)bp->b_data)[0], 0x44);
	CHECK_EQ(((unsigned char *)bp->b_data)[1], 0x33);
	/* bwrite is synchronous */
	memset(bp->b_data, 0x55, 1024);
	CHECK(bwrite(bp) == 0);
	CHECK_EQ(hostbyte(3072), 0x55);
	rump_sys_close(fd);
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* sync(2) writes every dirty buffer. */
static void
delayed_write_sync(void)
{
	struct rump_kernel *k = setup(0, 1 << 20, 0);
	struct vnode *vp;

	REQUIRE(k != NULL);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	for (int i = 0; i < 10; i++)
		REQUIRE(dirty(vp, 100 + i * 2, 0x60 + i) == 0);
	CHECK_EQ(stats(k).dirtybufs, 10);
	rump_sys_sync();
	CHECK_EQ(stats(k).dirtybufs, 0);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(hostbyte((100 + i * 2) * 512 + 5), 0x60 + i);
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* The flusher starts with the first delayed write and exits when done. */
static void
flusher_comes_and_goes(void)
{
	struct rump_kernel *k = setup(0, 1 << 20, 0);
	struct rump_kernel_stats st;
	struct vnode *vp;

	REQUIRE(k != NULL);
	CHECK_EQ(stats(k).flusher, 0);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	for (int round = 0; round < 2; round++) {
		REQUIRE(dirty(vp, 10, 0x90 + round) == 0);
		st = stats(k);
		CHECK_EQ(st.flusher, 1);
		for (int i = 0; i < 100 && stats(k).flusher; i++)
			sleep_ms(50);
		st = stats(k);
		CHECK_EQ(st.flusher, 0);
		CHECK_EQ(st.dirtybufs, 0);
		CHECK_EQ(st.nlwps, 1);
		CHECK_EQ(hostbyte(10 * 512), 0x90 + round);
	}
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* Halt with the flusher running and dirty buffers: written, no leak. */
static void
halt_flushes(void)
{
	struct rump_kernel *k = setup(0, 1 << 20, 0);
	struct vnode *vp;

	REQUIRE(k != NULL);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	for (int i = 0; i < 50; i++)
		REQUIRE(dirty(vp, (bdaddr_t)i * 2, 0xa0) == 0);
	putdevvp(k, vp);
	CHECK_EQ(stats(k).flusher, 1);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(hostbyte(0), 0xa0);
	CHECK_EQ(hostbyte(49 * 1024 + 1023), 0xa0);
	unlink(img);
}

/* Host errors come back as EIO; the kernel goes on. */
static void
io_errors(void)
{
	struct rump_kernel *k = setup(0, 1 << 20, 0);
	struct vnode *vp;
	struct buf *bp;
	unsigned char c = 1;
	int fd;

	REQUIRE(k != NULL);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	CHECK_EQ(rump_disk_fault(k, "/dev/nope", RUMP_DISK_FAULT_READ, 1), ENOENT);
	/* the second read fails */
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_READ, 2) == 0);
	REQUIRE(bread(vp, 0, 1024, &bp) == 0);
	brelse(bp);
	CHECK_EQ(bread(vp, 2, 1024, &bp), EIO);
	CHECK(bp == NULL);
	REQUIRE(bread(vp, 2, 1024, &bp) == 0);	/* not cached, read again */
	/* a synchronous write */
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_WRITE, 1) == 0);
	CHECK_EQ(bwrite(bp), EIO);
	/* a delayed write: the next flush of the disk says so, once */
	REQUIRE(dirty(vp, 4, 0x10) == 0);
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_WRITE, 1) == 0);
	CHECK_EQ(vflushbuf(vp), EIO);
	CHECK_EQ(vflushbuf(vp), 0);
	CHECK_EQ(stats(k).dirtybufs, 0);
	/* descriptors */
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDWR, 0)) >= 0);
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_READ, 1) == 0);
	CHECK_ERR(rump_sys_pread64(fd, &c, 1, 0), EIO);
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_WRITE, 1) == 0);
	CHECK_ERR(rump_sys_pwrite64(fd, &c, 1, 0), EIO);
	CHECK_EQ(rump_sys_pwrite64(fd, &c, 1, 0), 1);
	CHECK_EQ(rump_sys_pread64(fd, &c, 1, 0), 1);
	rump_sys_close(fd);
	CHECK_EQ(hostbyte(0), 1);
	CHECK_EQ(rump_sys_mkdir("/still", 0755), 0);
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* rump_config.bufcache bounds the cache instead, never above memlimit. */
static void
configured_bound(void)
{
	struct rump_config cfg = { .memlimit = 4 << 20, .bufcache = 512 << 10 };
	struct rump_config big = { .memlimit = 4 << 20, .bufcache = 1ull << 40 };
	struct rump_kernel *k = setup_cfg(&cfg, 4 << 20, 0);
	struct vnode *vp;
	struct buf *bp;
	int bad = 0;

	REQUIRE(k != NULL);
	CHECK_EQ(stats(k).buflimit, 512 << 10);
	REQUIRE(getdevvp(k, "/dev/ld0", FREAD | FWRITE, &vp) == 0);
	for (int i = 0; i < 512; i++) {		/* 2 MiB of blocks */
		if (bread(vp, (bdaddr_t)i * 8, 4096, &bp) != 0)
			bad++;
		else
			brelse(bp);
	}
	CHECK_EQ(bad, 0);
	CHECK(stats(k).bufbytes <= 512 << 10);
	CHECK_EQ(stats(k).bufs, 128);
	putdevvp(k, vp);
	CHECK_EQ(rump_kernel_halt(k), 0);
	REQUIRE((k = rump_kernel_boot(&big)) != NULL);
	CHECK_EQ(stats(k).buflimit, 4 << 20);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

TESTS(
	{ "getdevvp_errors", getdevvp_errors },
	{ "hits_misses_eviction", hits_misses_eviction },
	{ "configured_bound", configured_bound },
	{ "delayed_write_fsync", delayed_write_fsync },
	{ "delayed_write_sync", delayed_write_sync },
	{ "flusher_comes_and_goes", flusher_comes_and_goes },
	{ "halt_flushes", halt_flushes },
	{ "io_errors", io_errors },
)

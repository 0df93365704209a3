/*
 * Disks on host files: the device node, sector I/O through descriptors,
 * partitions (offset and size), read-only disks, the block-device ioctls,
 * etfs files, many kernels with disks in one process, detaching, and the
 * exclusive claims of mounts and O_EXCL opens.  Host image files are made in
 * /tmp and removed; the tests read them back with plain POSIX.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

static struct rump_kernel *
boot(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);

	if (k != NULL)
		rump_kernel_enter(k);
	return k;
}

/* A host image of size bytes, byte i = pattern(i); its path in buf. */
static int
mkimage(char *buf, size_t len, const char *tag, size_t size)
{
	static unsigned char chunk[4096];
	int fd;

	snprintf(buf, len, "/tmp/rumpkit-%s-%d.img", tag, (int)getpid());
	if ((fd = open(buf, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	for (size_t off = 0; off < size; off += sizeof(chunk)) {
		size_t n = size - off < sizeof(chunk) ? size - off : sizeof(chunk);

		for (size_t i = 0; i < n; i++)
			chunk[i] = (unsigned char)((off + i) / 512 + (off + i) % 7);
		if (pwrite(fd, chunk, n, (off_t)off) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i / 512 + i % 7);
}

static int
hostbyte(const char *path, off_t off)
{
	unsigned char c;
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, &c, 1, off);

	if (fd >= 0)
		close(fd);
	return n == 1 ? c : -1;
}

/* The node, its type and number; sectors read and written. */
static void
attach_read_write(void)
{
	char img[128];
	unsigned char buf[1024];
	struct stat st;
	uint64_t size = 0;
	int fd, ssz = 0, bad = 0;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "rw", 1 << 20) == 0);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	CHECK_EQ(rump_disk_attach(k, "/dev/ld0", img, 0), EEXIST);
	REQUIRE(rump_sys_stat("/dev/ld0", &st) == 0);
	CHECK(S_ISBLK(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 7);
	CHECK_EQ(st.st_size, 0);		/* as Linux for block devices */
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDWR, 0)) >= 0);
	CHECK(rump_sys_ioctl(fd, BLKGETSIZE64, (long)&size) == 0);
	CHECK_EQ(size, 1 << 20);
	CHECK(rump_sys_ioctl(fd, BLKSSZGET, (long)&ssz) == 0);
	CHECK_EQ(ssz, 512);
	CHECK_EQ(rump_sys_lseek(fd, 0, SEEK_END), 1 << 20);
	CHECK_EQ(rump_sys_pread64(fd, buf, sizeof(buf), 4096), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		bad += buf[i] != pattern(4096 + i);
	CHECK_EQ(bad, 0);
	memset(buf, 0xab, 512);
	CHECK_EQ(rump_sys_pwrite64(fd, buf, 512, 8192), 512);
	CHECK_EQ(rump_sys_lseek(fd, 100, SEEK_SET), 100);
	CHECK_EQ(rump_sys_write(fd, "xyz", 3), 3);	/* bytes, not sectors */
	CHECK(rump_sys_fsync(fd) == 0);
	CHECK_EQ(hostbyte(img, 8192), 0xab);
	CHECK_EQ(hostbyte(img, 8703), 0xab);
	CHECK_EQ(hostbyte(img, 8704), pattern(8704));
	CHECK_EQ(hostbyte(img, 101), 'y');
	CHECK(rump_sys_close(fd) == 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* At the end: short reads, then 0; writes short, then ENOSPC. */
static void
end_of_device(void)
{
	char img[128];
	unsigned char buf[2048];
	int fd;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "end", 64 * 1024) == 0);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDWR, 0)) >= 0);
	CHECK_EQ(rump_sys_pread64(fd, buf, sizeof(buf), 64 * 1024 - 1000), 1000);
	CHECK_EQ(rump_sys_pread64(fd, buf, sizeof(buf), 64 * 1024), 0);
	CHECK_EQ(rump_sys_pread64(fd, buf, sizeof(buf), 1 << 30), 0);
	CHECK_EQ(rump_sys_pwrite64(fd, buf, sizeof(buf), 64 * 1024 - 512), 512);
	CHECK_ERR(rump_sys_pwrite64(fd, buf, sizeof(buf), 64 * 1024), ENOSPC);
	CHECK_ERR(rump_sys_pwrite64(fd, buf, 1, 1 << 30), ENOSPC);
	CHECK_EQ(rump_sys_pwrite64(fd, buf, 0, 64 * 1024), 0);
	rump_sys_close(fd);
	CHECK_EQ(rump_kernel_halt(k), 0);
	struct stat st;
	CHECK(stat(img, &st) == 0 && st.st_size == 64 * 1024);	/* never grown */
	unlink(img);
}

/* A partition: offset and size inside the image, bounds kept. */
static void
partition(void)
{
	char img[128];
	unsigned char buf[4096];
	uint64_t size = 0;
	int fd;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "part", 1 << 20) == 0);
	CHECK_EQ(rump_disk_attach_range(k, "/dev/ld1", img, 0, 1000, 4096),
	    EINVAL);		/* not on a sector */
	CHECK_EQ(rump_disk_attach_range(k, "/dev/ld1", img, 0, 512 * 1024,
	    1 << 20), EINVAL);	/* past the file's end */
	REQUIRE(rump_disk_attach_range(k, "/dev/ld1", img, 0, 65536,
	    32768) == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld1", O_RDWR, 0)) >= 0);
	CHECK(rump_sys_ioctl(fd, BLKGETSIZE64, (long)&size) == 0);
	CHECK_EQ(size, 32768);
	CHECK_EQ(rump_sys_pread64(fd, buf, 512, 0), 512);
	CHECK_EQ(buf[0], pattern(65536));
	CHECK_EQ(buf[511], pattern(65536 + 511));
	CHECK_EQ(rump_sys_pread64(fd, buf, sizeof(buf), 32768 - 100), 100);
	CHECK_EQ(buf[99], pattern(65536 + 32767));
	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(rump_sys_pwrite64(fd, buf, sizeof(buf), 32768 - 512), 512);
	CHECK_ERR(rump_sys_pwrite64(fd, buf, 1, 32768), ENOSPC);
	rump_sys_close(fd);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(hostbyte(img, 65536 + 32767), 0x5a);
	CHECK_EQ(hostbyte(img, 65536 + 32768), pattern(65536 + 32768));
	CHECK_EQ(hostbyte(img, 65535), pattern(65535));
	unlink(img);
}

/* Read-only: EACCES for write access, as Linux for a read-only loop device. */
static void
read_only(void)
{
	char img[128];
	unsigned char buf[512];
	int fd;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "ro", 8192) == 0);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, RUMP_DISK_RDONLY) == 0);
	CHECK_ERR(rump_sys_open("/dev/ld0", O_RDWR, 0), EACCES);
	CHECK_ERR(rump_sys_open("/dev/ld0", O_WRONLY, 0), EACCES);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDONLY, 0)) >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 512);
	CHECK_ERR(rump_sys_write(fd, buf, 1), EBADF);
	int ro = 0;
	CHECK(rump_sys_ioctl(fd, BLKROGET, (long)&ro) == 0 && ro == 1);
	rump_sys_close(fd);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* A node with no disk, a node of another kind, bad arguments. */
static void
no_disk(void)
{
	char img[128];
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mknod("/dev/ld9", S_IFBLK | 0600, makedev(7, 9)) == 0);
	CHECK_ERR(rump_sys_open("/dev/ld9", O_RDONLY, 0), ENXIO);
	REQUIRE(mkimage(img, sizeof(img), "nd", 4096) == 0);
	CHECK_EQ(rump_disk_attach(k, "dev/ld0", img, 0), EINVAL);
	CHECK_EQ(rump_disk_attach(k, "/nodir/ld0", img, 0), ENOENT);
	CHECK_EQ(rump_disk_attach(k, "/dev/ld0", "/nonexistent/x", 0), ENOENT);
	CHECK_EQ(rump_disk_attach(k, "/dev/ld0", "/tmp", 0), EISDIR);
	CHECK_EQ(rump_disk_attach(k, "/dev/null", img, 0), EEXIST);
	/* a second node for the same device reaches the same disk */
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE(rump_sys_mknod("/tmp/alias", S_IFBLK | 0600, makedev(7, 0)) == 0);
	int fd = rump_sys_open("/tmp/alias", O_RDONLY, 0);
	CHECK(fd >= 0);
	rump_sys_close(fd);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* etfs: a host file as a regular file, and as a block device. */
static void
etfs(void)
{
	char img[128], buf[64];
	struct stat st;
	int fd;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "etfs", 1000) == 0);
	REQUIRE(rump_etfs_register(k, "/hostfile", img, RUMP_ETFS_REG) == 0);
	REQUIRE(rump_sys_stat("/hostfile", &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 1000);
	REQUIRE((fd = rump_sys_open("/hostfile", O_RDWR, 0)) >= 0);
	CHECK_EQ(rump_sys_pread64(fd, buf, 10, 995), 5);
	CHECK_EQ((unsigned char)buf[4], pattern(999));
	CHECK_EQ(rump_sys_pwrite64(fd, "hello", 5, 998), 5);	/* grows */
	CHECK_EQ(rump_sys_lseek(fd, 0, SEEK_END), 1003);
	CHECK(rump_sys_fstat(fd, &st) == 0 && st.st_size == 1003);
	rump_sys_close(fd);
	CHECK_EQ(hostbyte(img, 1002), 'o');
	REQUIRE(rump_etfs_register(k, "/dev/eb0", img, RUMP_ETFS_BLK) == 0);
	REQUIRE(rump_sys_stat("/dev/eb0", &st) == 0);
	CHECK(S_ISBLK(st.st_mode));
	CHECK_EQ(rump_etfs_register(k, "/x", img, 7), EINVAL);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/* Ten kernels, each with its own disk, in one process. */
static void
ten_kernels(void)
{
	enum { N = 10 };
	struct rump_kernel *ks[N];
	char imgs[N][128], tag[16];
	int bad = 0;

	for (int i = 0; i < N; i++) {
		snprintf(tag, sizeof(tag), "ten%d", i);
		REQUIRE(mkimage(imgs[i], sizeof(imgs[i]), tag, 65536) == 0);
		REQUIRE((ks[i] = rump_kernel_boot(NULL)) != NULL);
		REQUIRE(rump_disk_attach(ks[i], "/dev/ld0", imgs[i], 0) == 0);
	}
	for (int i = 0; i < N; i++) {
		unsigned char c = (unsigned char)(0xc0 + i);
		int fd;

		rump_kernel_enter(ks[i]);
		fd = rump_sys_open("/dev/ld0", O_RDWR, 0);
		bad += fd < 0 || rump_sys_pwrite64(fd, &c, 1, 4096) != 1 ||
		    rump_sys_close(fd) != 0;
	}
	for (int i = 0; i < N; i++) {
		CHECK_EQ(rump_kernel_halt(ks[i]), 0);
		CHECK_EQ(hostbyte(imgs[i], 4096), 0xc0 + i);
		unlink(imgs[i]);
	}
	CHECK_EQ(bad, 0);
}

/* How many descriptors of this process are open on the host file path. */
static int
hostopens(const char *path)
{
	char link[300], target[256];
	struct dirent *de;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		n += strcmp(target, path) == 0;
	}
	closedir(dir);
	return n;
}

/*
 * Detach: refused while a descriptor is open, then the node goes and the
 * host file is closed; other nodes with the number give ENXIO; the key can
 * be attached again (with a new minor number).
 */
static void
detach(void)
{
	char img[128];
	struct stat st, st2;
	int fd, pfd;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "detach", 65536) == 0);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	CHECK_EQ(hostopens(img), 1);
	REQUIRE(rump_sys_mknod("/tmp/alias", S_IFBLK | 0600, makedev(7, 0)) == 0);
	REQUIRE((fd = rump_sys_open("/tmp/alias", O_RDWR, 0)) >= 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), EBUSY);	/* through another node */
	CHECK_EQ(rump_sys_pwrite64(fd, "detach", 6, 1000), 6);
	CHECK(rump_sys_close(fd) == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDONLY, 0)) >= 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), EBUSY);
	CHECK(rump_sys_close(fd) == 0);
	/* O_PATH does not open the device (as Linux): no obstacle */
	REQUIRE((pfd = rump_sys_open("/dev/ld0", O_PATH, 0)) >= 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), 0);
	CHECK_EQ(hostopens(img), 0);
	CHECK_ERR(rump_sys_stat("/dev/ld0", &st), ENOENT);
	CHECK_ERR(rump_sys_open("/tmp/alias", O_RDONLY, 0), ENXIO);
	CHECK(rump_sys_fstat(pfd, &st) == 0 && S_ISBLK(st.st_mode));
	CHECK(rump_sys_close(pfd) == 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), ENOENT);
	CHECK_EQ(hostbyte(img, 1003), 'a');
	/* attached again: a new number; the old alias still reaches nothing */
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE(rump_sys_stat("/dev/ld0", &st) == 0);
	CHECK_EQ(minor(st.st_rdev), 1);
	CHECK_ERR(rump_sys_open("/tmp/alias", O_RDONLY, 0), ENXIO);
	/* a node renamed away, and a key taken by another file: left alone */
	REQUIRE(rump_sys_rename("/dev/ld0", "/tmp/moved") == 0);
	REQUIRE(rump_sys_mknod("/dev/ld0", S_IFBLK | 0600, makedev(7, 1)) == 0);
	REQUIRE(rump_sys_stat("/dev/ld0", &st2) == 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), 0);	/* same number: removed */
	CHECK_ERR(rump_sys_stat("/dev/ld0", &st2), ENOENT);
	CHECK(rump_sys_stat("/tmp/moved", &st2) == 0 && S_ISBLK(st2.st_mode));
	CHECK_ERR(rump_sys_open("/tmp/moved", O_RDONLY, 0), ENXIO);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE(rump_sys_unlink("/dev/ld0") == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_WRONLY | O_CREAT, 0644)) >= 0);
	rump_sys_close(fd);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), 0);
	CHECK(rump_sys_stat("/dev/ld0", &st2) == 0 && S_ISREG(st2.st_mode));
	/* etfs: a block device detaches, a regular file does not */
	REQUIRE(rump_etfs_register(k, "/dev/eb0", img, RUMP_ETFS_BLK) == 0);
	REQUIRE(rump_etfs_register(k, "/etfsfile", img, RUMP_ETFS_REG) == 0);
	CHECK_EQ(rump_disk_detach(k, "/etfsfile"), EINVAL);
	CHECK_EQ(rump_disk_detach(k, "/dev/eb0"), 0);
	CHECK_EQ(rump_disk_detach(k, NULL), EINVAL);
	CHECK_EQ(rump_disk_detach(NULL, "/dev/eb0"), EINVAL);
	/* halt closes what is left: a disk that is still open, the etfs file */
	REQUIRE(rump_disk_attach(k, "/dev/ld5", img, 0) == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld5", O_RDONLY, 0)) >= 0);
	CHECK_EQ(hostopens(img), 2);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(hostopens(img), 0);
	unlink(img);
}

/* O_EXCL without O_CREAT claims a block device, as on Linux. */
static void
exclusive_open(void)
{
	char img[128];
	int fd, fd2, fd3;
	struct rump_kernel *k = boot();

	REQUIRE(k != NULL);
	REQUIRE(mkimage(img, sizeof(img), "excl", 65536) == 0);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE(rump_sys_mknod("/tmp/alias", S_IFBLK | 0600, makedev(7, 0)) == 0);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDONLY | O_EXCL, 0)) >= 0);
	/* F_GETFL shows no O_EXCL (0100000 is the kernel's O_LARGEFILE) */
	CHECK_EQ(rump_sys_fcntl(fd, F_GETFL, 0) & ~0100000, O_RDONLY);
	CHECK_ERR(rump_sys_open("/dev/ld0", O_RDWR | O_EXCL, 0), EBUSY);
	CHECK_ERR(rump_sys_open("/tmp/alias", O_RDONLY | O_EXCL, 0), EBUSY);
	CHECK_ERR(rump_sys_open("/dev/ld0", O_RDWR | O_CREAT | O_EXCL, 0), EEXIST);
	REQUIRE((fd2 = rump_sys_open("/dev/ld0", O_RDWR, 0)) >= 0);	/* shared */
	REQUIRE((fd3 = rump_sys_dup(fd)) >= 0);
	CHECK(rump_sys_close(fd) == 0);
	CHECK_ERR(rump_sys_open("/dev/ld0", O_RDONLY | O_EXCL, 0), EBUSY);
	CHECK(rump_sys_close(fd3) == 0);	/* the file's last descriptor */
	REQUIRE((fd = rump_sys_open("/tmp/alias", O_RDONLY | O_EXCL, 0)) >= 0);
	CHECK(rump_sys_close(fd) == 0);
	CHECK(rump_sys_close(fd2) == 0);
	/* O_EXCL on other files without O_CREAT means nothing */
	REQUIRE((fd = rump_sys_open("/dev/null", O_RDONLY | O_EXCL, 0)) >= 0);
	REQUIRE((fd2 = rump_sys_open("/dev/null", O_RDONLY | O_EXCL, 0)) >= 0);
	rump_sys_close(fd);
	rump_sys_close(fd2);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(img);
}

/*
 * A mounted device is held: a second mount (same or another mount point,
 * through any node) and O_EXCL give EBUSY, detach gives EBUSY; plain opens
 * still work.  A failed mount leaves no claim.  e2fsck is happy after.
 */
static void
mount_claims(void)
{
	char img[128], zero[128], cmd[512];
	unsigned char sb[1024];
	int fd;
	struct rump_kernel *k;

	snprintf(img, sizeof(img), "/tmp/rumpkit-mnt-%d.img", (int)getpid());
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 '%s' 2M >/dev/null 2>&1",
	    img);
	if (system(cmd) != 0)
		SKIP("mke2fs is not there");
	REQUIRE(mkimage(zero, sizeof(zero), "mntzero", 65536) == 0);
	REQUIRE((k = boot()) != NULL);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE(rump_disk_attach(k, "/dev/ld1", zero, 0) == 0);
	REQUIRE(rump_sys_mknod("/tmp/alias", S_IFBLK | 0600, makedev(7, 0)) == 0);
	REQUIRE(rump_sys_mkdir("/mnt", 0755) == 0);
	REQUIRE(rump_sys_mkdir("/mnt2", 0755) == 0);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL) == 0);
	CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL), EBUSY);
	CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt2", "ext2", 0, NULL), EBUSY);
	CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt2", "ext2", MS_RDONLY, NULL),
	    EBUSY);
	CHECK_ERR(rump_sys_mount("/tmp/alias", "/mnt2", "ext2", MS_RDONLY, NULL),
	    EBUSY);
	CHECK_ERR(rump_sys_open("/dev/ld0", O_RDONLY | O_EXCL, 0), EBUSY);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), EBUSY);
	REQUIRE((fd = rump_sys_open("/dev/ld0", O_RDONLY, 0)) >= 0);
	CHECK_EQ(rump_sys_pread64(fd, sb, sizeof(sb), 1024), sizeof(sb));
	CHECK(sb[56] == 0x53 && sb[57] == 0xef);	/* the ext2 magic */
	CHECK(rump_sys_mkdir("/mnt/d", 0755) == 0);
	CHECK(rump_sys_umount2("/mnt", 0) == 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), EBUSY);	/* fd still open */
	CHECK(rump_sys_close(fd) == 0);
	/* the claim went with the mount: mount again elsewhere, then detach */
	REQUIRE(rump_sys_mount("/tmp/alias", "/mnt2", "ext2", MS_RDONLY, NULL)
	    == 0);
	struct stat st;
	CHECK(rump_sys_stat("/mnt2/d", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(rump_sys_umount2("/mnt2", 0) == 0);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld0"), 0);
	/* a failed mount (no ext2 there) keeps no claim */
	CHECK_ERR(rump_sys_mount("/dev/ld1", "/mnt", "ext2", 0, NULL), EINVAL);
	REQUIRE((fd = rump_sys_open("/dev/ld1", O_RDONLY | O_EXCL, 0)) >= 0);
	/* and an O_EXCL open keeps mounts out */
	CHECK_ERR(rump_sys_mount("/dev/ld1", "/mnt", "ext2", 0, NULL), EBUSY);
	rump_sys_close(fd);
	CHECK_EQ(rump_disk_detach(k, "/dev/ld1"), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' >/dev/null 2>&1", img);
	CHECK_EQ(system(cmd), 0);
	unlink(img);
	unlink(zero);
}

TESTS(
	{ "attach_read_write", attach_read_write },
	{ "end_of_device", end_of_device },
	{ "partition", partition },
	{ "read_only", read_only },
	{ "no_disk", no_disk },
	{ "etfs", etfs },
	{ "ten_kernels", ten_kernels },
	{ "detach", detach },
	{ "exclusive_open", exclusive_open },
	{ "mount_claims", mount_claims },
)

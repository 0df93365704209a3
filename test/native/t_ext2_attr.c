/*
 * ext2, the rules around the data: access times (relatime, noatime,
 * strictatime, read-only mounts), the reserved blocks (s_r_blocks_count,
 * s_def_resuid, s_def_resgid), the file system's state across mounts (an
 * unclean or erroneous file system stays so; corruption found while mounted
 * read-write marks it; the mount count), set-ID bits dropped by an ordinary
 * user's write, host I/O errors, and 64 KiB blocks.  Images come from the real mke2fs; the
 * real e2fsck, dumpe2fs and debugfs check what the driver left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_util.h"

static struct console con;
static char dir[128], img[200];

/* A fresh image from mke2fs with opts, size in its own units. */
static bool
mkimg(const char *opts, const char *size)
{
	char cmd[800];

	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_attr.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && "
	    "mke2fs -q -F -t ext2 %s '%s' %s 2>/dev/null", dir, dir, opts, img,
	    size);
	return run(cmd) == 0;
}

static void
rmimg(void)
{
	if (t_failed) {
		printf("# console:\n%s", con.text);
		return;		/* keep the image to look at */
	}
	rmtree(dir);
}

/* A kernel with the image as /dev/ld0, mounted on /mnt with flags. */
static struct rump_kernel *
boot_mount(unsigned long flags)
{
	struct rump_kernel *k;

	if ((k = boot_with_disk(&con, img,
	    (flags & MS_RDONLY) ? RUMP_DISK_RDONLY : 0)) == NULL)
		return NULL;
	if (rump_lwproc_rfork(RUMP_RFCFDG) != 0 ||	/* a process to return to */
	    rump_sys_mount("/dev/ld0", "/mnt", "ext2", flags, NULL) != 0) {
		printf("# boot and mount: errno %d\n%s", errno, con.text);
		rump_kernel_halt(k);
		return NULL;
	}
	return k;
}

static int
unmount_halt(struct rump_kernel *k)
{
	int r = rump_sys_umount2("/mnt", 0);

	if (rump_kernel_halt(k) != 0)
		return -1;
	return r;
}

/* The value of a dumpe2fs -h field ("Filesystem state", …) in buf. */
static bool
super_field(const char *field, char *buf, size_t len)
{
	char cmd[600];
	FILE *f;
	bool ok = false;

	snprintf(cmd, sizeof(cmd), "dumpe2fs -h '%s' 2>/dev/null | "
	    "sed -n 's/^%s: *//p'", img, field);
	if ((f = popen(cmd, "r")) == NULL)
		return false;
	if (fgets(buf, (int)len, f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		ok = true;
	}
	pclose(f);
	return ok;
}

static void
write_file(const char *path, size_t len)
{
	static char data[65536];
	int fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	memset(data, 'x', sizeof(data));
	while (len > 0) {
		size_t n = len < sizeof(data) ? len : sizeof(data);

		REQUIRE(rump_sys_write(fd, data, n) == (ssize_t)n);
		len -= n;
	}
	REQUIRE(rump_sys_close(fd) == 0);
}

static bool
same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* atime at (sec, 0) and mtime at (msec, 0); ctime moves to now. */
static void
set_times(const char *path, time_t asec, time_t msec)
{
	struct timespec ts[2] = { { asec, 0 }, { msec, 0 } };

	REQUIRE(rump_sys_utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) ==
	    0);
}

static struct timespec
atime_of(const char *path)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	CHECK_EQ(rump_sys_lstat(path, &st), 0);
	return st.st_atim;
}

static void
read_all(const char *path)
{
	char buf[4096];
	int fd = rump_sys_open(path, O_RDONLY, 0);

	REQUIRE(fd >= 0);
	while (rump_sys_read(fd, buf, sizeof(buf)) > 0)
		;
	rump_sys_close(fd);
}

static void
list_dir(const char *path)
{
	char buf[4096];
	int fd = rump_sys_open(path, O_RDONLY | O_DIRECTORY, 0);

	REQUIRE(fd >= 0);
	while (rump_sys_getdents64(fd, buf, sizeof(buf)) > 0)
		;
	rump_sys_close(fd);
}

/* ------------------------------------------------------------ atime */

/* Does a read of path (a file, directory or symlink) move its atime? */
static bool
read_moves_atime(const char *path, char kind)
{
	struct timespec before = atime_of(path);
	char buf[256];

	if (kind == 'f')
		read_all(path);
	else if (kind == 'd')
		list_dir(path);
	else
		CHECK(rump_sys_readlink(path, buf, sizeof(buf)) > 0);
	return !same_time(before, atime_of(path));
}

/*
 * relatime: a read moves atime when it is not newer than mtime or ctime;
 * an atime newer than both stays.  For files, directories and symlinks.
 */
static void
atime_relatime(void)
{
	static const struct { const char *path; char kind; } nodes[] = {
		{ "/mnt/f", 'f' }, { "/mnt/d", 'd' }, { "/mnt/l", 'l' },
	};
	time_t now = time(NULL);
	struct rump_kernel *k;
	struct timespec a;

	REQUIRE(mkimg("-b 4096 -I 256", "8M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	write_file("/mnt/f", 5000);
	REQUIRE(rump_sys_mkdir("/mnt/d", 0755) == 0);
	REQUIRE(rump_sys_symlink("f", "/mnt/l") == 0);
	for (size_t i = 0; i < 3; i++) {
		const char *p = nodes[i].path;

		set_times(p, 1000, 2000);		/* older than mtime */
		CHECK(read_moves_atime(p, nodes[i].kind));
		a = atime_of(p);
		CHECK(a.tv_sec >= now - 5);
		set_times(p, now + 3600, 2000);		/* newer than both */
		CHECK(!read_moves_atime(p, nodes[i].kind));
	}
	/* O_NOATIME (the owner asks) leaves it */
	set_times("/mnt/f", 1000, 2000);
	{
		char buf[16];
		int fd = rump_sys_open("/mnt/f", O_RDONLY | O_NOATIME, 0);

		REQUIRE(fd >= 0);
		CHECK(rump_sys_read(fd, buf, sizeof(buf)) == sizeof(buf));
		rump_sys_close(fd);
		CHECK_EQ(atime_of("/mnt/f").tv_sec, 1000);
	}
	/* what a read moved is on disk after unmount */
	read_all("/mnt/f");
	a = atime_of("/mnt/f");
	CHECK(a.tv_sec >= now - 5);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	REQUIRE((k = boot_mount(MS_RDONLY)) != NULL);
	CHECK(same_time(atime_of("/mnt/f"), a));
	/* a read-only mount never writes an atime */
	CHECK(!read_moves_atime("/mnt/d", 'd'));
	CHECK_EQ(unmount_halt(k), 0);
	rmimg();
}

/* MS_NOATIME never moves it; MS_STRICTATIME always does; statfs tells. */
static void
atime_mount_flags(void)
{
	struct rump_kernel *k;
	struct statfs sf;
	time_t now = time(NULL);

	REQUIRE(mkimg("-b 1024 -I 128", "4M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	write_file("/mnt/f", 100);
	REQUIRE(rump_sys_mkdir("/mnt/d", 0755) == 0);
	REQUIRE(rump_sys_statfs("/mnt", &sf) == 0);
	CHECK((sf.f_flags & ST_RELATIME) != 0);
	CHECK(unmount_halt(k) == 0);

	REQUIRE((k = boot_mount(MS_NOATIME)) != NULL);
	REQUIRE(rump_sys_statfs("/mnt", &sf) == 0);
	CHECK((sf.f_flags & ST_NOATIME) && !(sf.f_flags & ST_RELATIME));
	set_times("/mnt/f", 1000, 2000);
	set_times("/mnt/d", 1000, 2000);
	CHECK(!read_moves_atime("/mnt/f", 'f'));
	CHECK(!read_moves_atime("/mnt/d", 'd'));
	CHECK(unmount_halt(k) == 0);

	REQUIRE((k = boot_mount(MS_NODIRATIME)) != NULL);
	REQUIRE(rump_sys_statfs("/mnt", &sf) == 0);
	CHECK((sf.f_flags & ST_NODIRATIME) != 0);
	CHECK(read_moves_atime("/mnt/f", 'f'));
	CHECK(!read_moves_atime("/mnt/d", 'd'));
	CHECK(unmount_halt(k) == 0);

	REQUIRE((k = boot_mount(MS_STRICTATIME)) != NULL);
	REQUIRE(rump_sys_statfs("/mnt", &sf) == 0);
	CHECK(!(sf.f_flags & (ST_RELATIME | ST_NOATIME)));
	set_times("/mnt/f", now + 3600, 2000);
	CHECK(read_moves_atime("/mnt/f", 'f'));
	/* a remount may turn it off */
	CHECK_EQ(rump_sys_mount(NULL, "/mnt", NULL, MS_REMOUNT | MS_NOATIME,
	    NULL), 0);
	set_times("/mnt/f", 1000, 2000);
	CHECK(!read_moves_atime("/mnt/f", 'f'));
	CHECK(unmount_halt(k) == 0);
	CHECK(fsck_clean(img));
	rmimg();
}

/* ------------------------------------------------------------ reserved */

/* As uid/gid with groups, write 1 KiB pieces to path until an error. */
static long
fill_as(uid_t uid, gid_t gid, gid_t supp, const char *path, int *err)
{
	struct lwp *me = rump_lwproc_curlwp();
	gid_t groups[2] = { gid, supp };
	char buf[1024];
	long n = 0;
	int fd;

	memset(buf, 'r', sizeof(buf));
	*err = 0;
	if (rump_lwproc_rfork(RUMP_RFFDG) != 0) {
		*err = -1;
		t_failed = 1;
		return 0;
	}
	CHECK_EQ(rump_sys_setgroups(2, groups), 0);
	CHECK_EQ(rump_sys_setresgid(gid, gid, gid), 0);
	CHECK_EQ(rump_sys_setresuid(uid, uid, uid), 0);
	if ((fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0) {
		*err = errno;
	} else {
		for (;;) {
			ssize_t r = rump_sys_write(fd, buf, sizeof(buf));

			if (r < 0) {
				*err = errno;
				break;
			}
			n += r;
		}
		rump_sys_close(fd);
	}
	rump_lwproc_releaselwp();
	rump_lwproc_switch(me);
	return n;
}

static uint64_t
free_blocks(void)
{
	struct statfs sf;

	memset(&sf, 0, sizeof(sf));
	CHECK_EQ(rump_sys_statfs("/mnt", &sf), 0);
	return sf.f_bfree;
}

/*
 * An ordinary user stops at the reserve (ENOSPC with f_bfree still about
 * s_r_blocks_count and f_bavail 0); root, the reserved user and members
 * of the reserved group go on into it.
 */
static void
reserved_blocks(void)
{
	struct rump_kernel *k;
	struct statfs sf;
	char v[64];
	uint64_t reserved, left;
	int err;

	REQUIRE(mkimg("-b 1024 -m 20 -N 64", "2048"));
	REQUIRE(super_field("Reserved block count", v, sizeof(v)));
	reserved = strtoull(v, NULL, 10);
	REQUIRE(reserved > 100);
	REQUIRE((k = boot_mount(0)) != NULL);
	REQUIRE(rump_sys_chmod("/mnt", 0777) == 0);

	CHECK(fill_as(1000, 1000, 1000, "/mnt/user", &err) > 0);
	CHECK_EQ(err, ENOSPC);
	left = free_blocks();
	/* the last write may have stopped an indirect block short */
	CHECK(left >= reserved && left <= reserved + 2);
	REQUIRE(rump_sys_statfs("/mnt", &sf) == 0);
	CHECK(sf.f_bavail <= 2);
	/* a second ordinary user gets nothing at all */
	CHECK_EQ(fill_as(1001, 1001, 1001, "/mnt/user2", &err), 0);
	CHECK_EQ(err, ENOSPC);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));

	/* the reserved user, then the reserved group, then root */
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "tune2fs -u 1000 -g 3000 '%s' "
		    ">/dev/null", img);
		REQUIRE(run(cmd) == 0);
	}
	REQUIRE((k = boot_mount(0)) != NULL);
	CHECK(fill_as(1001, 1001, 1001, "/mnt/user2", &err) == 0);
	CHECK(fill_as(1000, 1000, 1000, "/mnt/resuid", &err) > 20 * 1024);
	CHECK_EQ(err, ENOSPC);
	CHECK_EQ(free_blocks(), 0);
	CHECK_EQ(rump_sys_unlink("/mnt/resuid"), 0);
	CHECK(fill_as(1002, 1002, 3000, "/mnt/resgid", &err) > 20 * 1024);
	CHECK_EQ(err, ENOSPC);
	CHECK_EQ(free_blocks(), 0);
	CHECK_EQ(rump_sys_unlink("/mnt/resgid"), 0);
	CHECK(fill_as(0, 0, 0, "/mnt/root", &err) > 20 * 1024);
	CHECK_EQ(err, ENOSPC);
	CHECK_EQ(free_blocks(), 0);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	rmimg();
}

/* ------------------------------------------------------------ state */

static bool
state_is(const char *want)
{
	char v[64];

	if (!super_field("Filesystem state", v, sizeof(v)))
		return false;
	if (strcmp(v, want) != 0) {
		printf("# state \"%s\", expected \"%s\"\n", v, want);
		return false;
	}
	return true;
}

static void
set_state(int state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "debugfs -w -R 'ssv state %d' '%s' "
	    ">/dev/null 2>&1", state, img);
	REQUIRE(run(cmd) == 0);
}

/*
 * A clean file system is marked in use while mounted and clean after;
 * one that was not clean, or had errors, keeps that state (with a warning
 * at mount) until e2fsck; the mount count grows by one per read-write mount.
 */
static void
state_kept(void)
{
	struct rump_kernel *k;
	char v[64];
	long count;

	REQUIRE(mkimg("-b 1024", "4M"));
	REQUIRE(super_field("Mount count", v, sizeof(v)));
	count = strtol(v, NULL, 10);
	REQUIRE((k = boot_mount(0)) != NULL);
	CHECK(state_is("not clean"));
	write_file("/mnt/f", 3000);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(state_is("clean"));
	REQUIRE(super_field("Mount count", v, sizeof(v)));
	CHECK_EQ(strtol(v, NULL, 10), count + 1);

	/* read-only mounts neither count nor mark */
	REQUIRE((k = boot_mount(MS_RDONLY)) != NULL);
	CHECK(state_is("clean"));
	CHECK_EQ(unmount_halt(k), 0);
	REQUIRE(super_field("Mount count", v, sizeof(v)));
	CHECK_EQ(strtol(v, NULL, 10), count + 1);

	set_state(0);			/* as after a crash */
	REQUIRE((k = boot_mount(0)) != NULL);
	CHECK(strstr(con.text, "not cleanly unmounted") != NULL);
	write_file("/mnt/g", 3000);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(state_is("not clean"));

	set_state(3);			/* valid, with errors */
	REQUIRE((k = boot_mount(0)) != NULL);
	CHECK(strstr(con.text, "with errors") != NULL);
	CHECK_EQ(rump_sys_mount(NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY,
	    NULL), 0);
	CHECK(state_is("clean with errors"));
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(state_is("clean with errors"));

	set_state(1);
	REQUIRE((k = boot_mount(0)) != NULL);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(state_is("clean"));
	CHECK(fsck_clean(img));
	rmimg();
}

/* Corruption met on a read-write mount leaves the errors flag behind. */
static void
state_errors(void)
{
	struct rump_kernel *k;
	char cmd[500], buf[64];
	int fd;

	REQUIRE(mkimg("-b 1024", "4M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	write_file("/mnt/bad", 3000);
	write_file("/mnt/good", 3000);
	CHECK_EQ(unmount_halt(k), 0);
	snprintf(cmd, sizeof(cmd), "debugfs -w -R 'sif /bad block[0] 99999999' "
	    "'%s' >/dev/null 2>&1", img);
	REQUIRE(run(cmd) == 0);
	REQUIRE((k = boot_mount(0)) != NULL);
	fd = rump_sys_open("/mnt/bad", O_RDONLY, 0);
	REQUIRE(fd >= 0);
	CHECK_ERR(rump_sys_read(fd, buf, sizeof(buf)), EUCLEAN);
	rump_sys_close(fd);
	fd = rump_sys_open("/mnt/good", O_RDONLY, 0);
	REQUIRE(fd >= 0);
	CHECK(rump_sys_read(fd, buf, sizeof(buf)) == sizeof(buf));
	rump_sys_close(fd);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(state_is("clean with errors"));
	rmimg();
}

/*
 * Host I/O errors (rump_disk_fault) reach the caller as EIO and the rest
 * of the file system goes on; a write lost at unmount leaves the file
 * system marked not clean, with a console line, and the unmount done.
 */
static void
io_errors(void)
{
	struct rump_kernel *k;
	char buf[4096];
	int fd, r = 0;

	REQUIRE(mkimg("-b 1024", "4M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	write_file("/mnt/a", 20000);
	write_file("/mnt/b", 20000);
	CHECK_EQ(unmount_halt(k), 0);

	REQUIRE((k = boot_mount(0)) != NULL);	/* nothing cached */
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_READ, 1) == 0);
	fd = rump_sys_open("/mnt/a", O_RDONLY, 0);
	if (fd >= 0) {
		r = (int)rump_sys_read(fd, buf, sizeof(buf));
		CHECK(r < 0 && errno == EIO);
		rump_sys_close(fd);
	} else {
		CHECK_EQ(errno, EIO);
	}
	fd = rump_sys_open("/mnt/a", O_RDONLY, 0);	/* read again */
	CHECK(fd >= 0 && rump_sys_read(fd, buf, sizeof(buf)) == sizeof(buf));
	rump_sys_close(fd);
	fd = rump_sys_open("/mnt/b", O_RDONLY, 0);
	CHECK(fd >= 0 && rump_sys_read(fd, buf, sizeof(buf)) == sizeof(buf));
	rump_sys_close(fd);

	fd = rump_sys_open("/mnt/c", O_WRONLY | O_CREAT, 0644);
	REQUIRE(fd >= 0);
	CHECK(rump_sys_write(fd, buf, sizeof(buf)) == sizeof(buf));
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_WRITE, 1) == 0);
	CHECK_ERR(rump_sys_fsync(fd), EIO);
	CHECK(rump_sys_write(fd, buf, sizeof(buf)) == sizeof(buf));
	CHECK_EQ(rump_sys_fsync(fd), 0);
	rump_sys_close(fd);

	write_file("/mnt/d", 3000);
	REQUIRE(rump_disk_fault(k, "/dev/ld0", RUMP_DISK_FAULT_WRITE, 1) == 0);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK(strstr(con.text, "writing back at unmount") != NULL);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK(state_is("not clean"));
	rmimg();
}

/*
 * Extended-attribute blocks (written by debugfs; ext_attr is preserved,
 * not interpreted): a file that keeps its block through writes and
 * truncation, and files freed with theirs, leave e2fsck nothing to fix.
 */
static void
xattr_blocks(void)
{
	struct rump_kernel *k;
	char cmd[1200];
	struct stat st;

	REQUIRE(mkimg("-b 1024 -I 128", "4M"));
	snprintf(cmd, sizeof(cmd), "for f in x y z; do "
	    "debugfs -w -R \"write /etc/hostname $f\" '%s' && "
	    "debugfs -w -R \"ea_set /$f user.a value-of-$f\" '%s'; done "
	    ">/dev/null 2>&1", img, img);
	REQUIRE(run(cmd) == 0);
	REQUIRE((k = boot_mount(0)) != NULL);
	REQUIRE(rump_sys_stat("/mnt/x", &st) == 0);
	CHECK_EQ(st.st_blocks, 4);		/* a data and an attribute block */
	write_file("/mnt/x", 5000);		/* truncated, then 5 blocks */
	REQUIRE(rump_sys_stat("/mnt/x", &st) == 0);
	CHECK_EQ(st.st_blocks, 12);
	CHECK_EQ(rump_sys_unlink("/mnt/y"), 0);
	CHECK_EQ(rump_sys_rename("/mnt/x", "/mnt/z"), 0);	/* z freed */
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	snprintf(cmd, sizeof(cmd), "debugfs -R 'ea_get /z user.a' '%s' "
	    "2>/dev/null | grep -q value-of-x", img);
	CHECK(run(cmd) == 0);
	rmimg();
}

/* ------------------------------------------------------------ holes */

static off_t
seek(int fd, off_t off, int whence)
{
	off_t r = rump_sys_lseek(fd, off, whence);

	return r < 0 ? -errno : r;
}

/*
 * SEEK_DATA and SEEK_HOLE see the unmapped blocks: direct, indirect and
 * the triple indirect tree of a 1 KiB-block file, and a file past 4 GiB.
 */
static void
seek_holes(void)
{
	struct rump_kernel *k;
	const off_t M = 1 << 20;
	int fd;

	REQUIRE(mkimg("-b 1024", "64M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	fd = rump_sys_open("/mnt/s", O_RDWR | O_CREAT, 0644);
	REQUIRE(fd >= 0);
	CHECK(rump_sys_pwrite64(fd, "a", 1, 0) == 1);
	CHECK(rump_sys_pwrite64(fd, "b", 1, M + 5) == 1);	/* double ind. */
	CHECK(rump_sys_pwrite64(fd, "c", 1, 70 * M) == 1);	/* triple */
	CHECK(rump_sys_ftruncate(fd, 90 * M) == 0);
	CHECK_EQ(seek(fd, 0, SEEK_DATA), 0);
	CHECK_EQ(seek(fd, 0, SEEK_HOLE), 1024);
	CHECK_EQ(seek(fd, 1024, SEEK_DATA), M);
	CHECK_EQ(seek(fd, M + 7, SEEK_DATA), M + 7);
	CHECK_EQ(seek(fd, M, SEEK_HOLE), M + 1024);
	CHECK_EQ(seek(fd, M + 1024, SEEK_DATA), 70 * M);
	CHECK_EQ(seek(fd, 70 * M, SEEK_HOLE), 70 * M + 1024);
	CHECK_EQ(seek(fd, 70 * M + 1024, SEEK_DATA), -ENXIO);
	CHECK_EQ(seek(fd, 70 * M + 1024, SEEK_HOLE), 70 * M + 1024);
	CHECK_EQ(seek(fd, 90 * M, SEEK_HOLE), -ENXIO);
	CHECK_EQ(seek(fd, 90 * M - 1, SEEK_HOLE), 90 * M - 1);
	rump_sys_close(fd);
	/* full: no hole before the end */
	write_file("/mnt/full", 300000);
	fd = rump_sys_open("/mnt/full", O_RDONLY, 0);
	REQUIRE(fd >= 0);
	CHECK_EQ(seek(fd, 5, SEEK_HOLE), 300000);
	CHECK_EQ(seek(fd, 299999, SEEK_DATA), 299999);
	rump_sys_close(fd);
	/* past 4 GiB, in a file system of 64 MiB */
	fd = rump_sys_open("/mnt/big", O_RDWR | O_CREAT, 0644);
	REQUIRE(fd >= 0);
	CHECK(rump_sys_pwrite64(fd, "z", 1, 5ll << 30) == 1);
	CHECK_EQ(seek(fd, 0, SEEK_DATA), 5ll << 30);
	CHECK_EQ(seek(fd, 0, SEEK_HOLE), 0);
	rump_sys_close(fd);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	rmimg();
}

/* ------------------------------------------------------------ set-ID */

/* An ordinary user's write drops set-user-ID; on disk after unmount. */
static void
setid_write(void)
{
	struct rump_kernel *k;
	struct stat st;

	REQUIRE(mkimg("-b 4096", "8M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	write_file("/mnt/suid", 10);
	write_file("/mnt/sgid", 10);
	write_file("/mnt/root", 10);
	REQUIRE(rump_sys_chown("/mnt/suid", 1000, 1000) == 0);
	REQUIRE(rump_sys_chown("/mnt/sgid", 1000, 1000) == 0);
	REQUIRE(rump_sys_chmod("/mnt/suid", 06777) == 0);
	REQUIRE(rump_sys_chmod("/mnt/sgid", 02767) == 0);
	REQUIRE(rump_sys_chmod("/mnt/root", 06777) == 0);
	REQUIRE(rump_sys_truncate("/mnt/root", 0) == 0);
	{
		struct lwp *me = rump_lwproc_curlwp();
		int fd;

		REQUIRE(rump_lwproc_rfork(RUMP_RFFDG) == 0);
		REQUIRE(rump_sys_setresgid(1000, 1000, 1000) == 0);
		REQUIRE(rump_sys_setresuid(1000, 1000, 1000) == 0);
		fd = rump_sys_open("/mnt/suid", O_WRONLY, 0);
		CHECK(fd >= 0 && rump_sys_write(fd, "ab", 2) == 2);
		rump_sys_close(fd);
		fd = rump_sys_open("/mnt/sgid", O_WRONLY, 0);
		CHECK(fd >= 0 && rump_sys_write(fd, "ab", 2) == 2);
		rump_sys_close(fd);
		rump_lwproc_releaselwp();
		rump_lwproc_switch(me);
	}
	{
		int fd = rump_sys_open("/mnt/root", O_WRONLY, 0);

		CHECK(fd >= 0 && rump_sys_write(fd, "ab", 2) == 2);
		rump_sys_close(fd);
	}
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	REQUIRE((k = boot_mount(MS_RDONLY)) != NULL);
	REQUIRE(rump_sys_stat("/mnt/suid", &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 0777);	/* group x: both go */
	REQUIRE(rump_sys_stat("/mnt/sgid", &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 02767);	/* no group x: kept */
	REQUIRE(rump_sys_stat("/mnt/root", &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 06777);
	CHECK_EQ(unmount_halt(k), 0);
	rmimg();
}

/* ------------------------------------------------------------ 64 KiB */

/*
 * 64 KiB blocks: a block's one free record is longer than the 16-bit
 * field holds (stored as 65535).  Directories that grow past a block,
 * shrink, and are renamed between; e2fsck and debugfs agree.
 */
static void
blocks_64k(void)
{
	struct rump_kernel *k;
	char path[128], cmd[600];
	struct stat st;
	int n = 0;

	REQUIRE(mkimg("-b 65536 -N 4000", "256M"));
	REQUIRE((k = boot_mount(0)) != NULL);
	REQUIRE(rump_sys_mkdir("/mnt/big", 0755) == 0);
	REQUIRE(rump_sys_mkdir("/mnt/other", 0755) == 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/mnt/big/entry-with-a-long-name-%05d",
		    i);
		write_file(path, i % 100 == 0 ? 70000 : 0);
	}
	REQUIRE(rump_sys_stat("/mnt/big", &st) == 0);
	CHECK(st.st_size >= 2 * 65536);		/* more than one block */
	for (int i = 0; i < 3000; i += 3) {
		snprintf(path, sizeof(path), "/mnt/big/entry-with-a-long-name-%05d",
		    i);
		REQUIRE(rump_sys_unlink(path) == 0);
	}
	for (int i = 1; i < 3000; i += 3) {
		char to[128];

		snprintf(path, sizeof(path), "/mnt/big/entry-with-a-long-name-%05d",
		    i);
		snprintf(to, sizeof(to), "/mnt/other/r%d", i);
		REQUIRE(rump_sys_rename(path, to) == 0);
	}
	write_file("/mnt/large", 5u << 20);
	CHECK_EQ(unmount_halt(k), 0);
	CHECK(fsck_clean(img));
	REQUIRE((k = boot_mount(MS_RDONLY)) != NULL);
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/mnt/big/entry-with-a-long-name-%05d",
		    i);
		if ((rump_sys_stat(path, &st) == 0) != (i % 3 == 2)) {
			printf("# %s: unexpected\n", path);
			t_failed = 1;
			break;
		}
		n += i % 3 == 2;
	}
	CHECK_EQ(n, 1000);
	CHECK_EQ(rump_sys_stat("/mnt/large", &st), 0);
	CHECK_EQ(st.st_size, 5 << 20);
	CHECK_EQ(unmount_halt(k), 0);
	/* debugfs counts the same entries */
	snprintf(cmd, sizeof(cmd), "test \"$(debugfs -R 'ls /other' '%s' "
	    "2>/dev/null | tr -s ' ' '\\n' | grep -c '^r[0-9]')\" = 1000", img);
	CHECK(run(cmd) == 0);
	rmimg();
}

TESTS(
	T(atime_relatime),
	T(atime_mount_flags),
	T(reserved_blocks),
	T(state_kept),
	T(state_errors),
	T(io_errors),
	T(xattr_blocks),
	T(seek_holes),
	T(setid_write),
	T(blocks_64k),
)

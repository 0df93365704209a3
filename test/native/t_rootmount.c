/*
 * A file system mounted on "/" covers the root tmpfs: absolute paths, ".."
 * at the top, absolute symlinks, chdir("/") and getcwd all see the mounted
 * one (the hijack library's local mode mounts an image there), and
 * halting unmounts it cleanly (e2fsck -fn).  The image is made by mke2fs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

static char img[64];

static int
mkfs(void)
{
	char cmd[160];

	snprintf(img, sizeof(img), "/tmp/rumpkit-rootmount-%d.img",
	    (int)getpid());
	snprintf(cmd, sizeof(cmd),
	    "mke2fs -q -F -t ext2 -b 1024 %s 4M >/dev/null 2>&1", img);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_cover(void)
{
	struct rump_kernel *k;
	struct stat st, root;
	char buf[64], cmd[160];
	int fd;

	if (mkfs() != 0)
		SKIP("mke2fs is not installed");
	REQUIRE((k = rump_kernel_boot(NULL)) != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, 0) == 0);
	REQUIRE(rump_sys_mount("/dev/ld0", "/", "ext2", 0, NULL) == 0);
	/* the image's own lost+found is at the top; the tmpfs's /dev is not */
	CHECK(rump_sys_stat("/lost+found", &st) == 0);
	CHECK_ERR(rump_sys_stat("/dev/ld0", &st), ENOENT);
	CHECK(rump_sys_mkdir("/a", 0755) == 0);
	CHECK(rump_sys_symlink("/a", "/a/abs") == 0);
	CHECK(rump_sys_stat("/", &root) == 0);
	CHECK(rump_sys_stat("/a/../..", &st) == 0);
	CHECK_EQ(st.st_ino, root.st_ino);
	CHECK(rump_sys_stat("/a/abs/abs/..", &st) == 0);
	CHECK_EQ(st.st_ino, root.st_ino);
	/*
	 * pid 1's cwd stays on the covered root, as a Linux process's does;
	 * chdir("/") takes it to the covering one, where a child starts too
	 */
	CHECK(rump_sys_stat(".", &st) == 0);
	CHECK(st.st_ino != root.st_ino);
	CHECK(rump_sys_chdir("/") == 0);
	REQUIRE(rump_lwproc_rfork(RUMP_RFFDG) == 0);
	CHECK(rump_sys_stat(".", &st) == 0);
	CHECK_EQ(st.st_ino, root.st_ino);
	CHECK(rump_sys_chdir("/a") == 0);
	CHECK(rump_sys_getcwd(buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "/a") == 0);
	fd = rump_sys_open("f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	rump_sys_close(fd);
	CHECK(rump_sys_stat("/a/f", &st) == 0);
	rump_lwproc_releaselwp();
	rump_kernel_enter(k);
	/* busy while a cwd is on it, as on Linux; halt unmounts it */
	CHECK_ERR(rump_sys_umount2("/", 0), EBUSY);
	CHECK_EQ(rump_kernel_halt(k), 0);
	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s >/dev/null 2>&1", img);
	CHECK(system(cmd) == 0);
	unlink(img);
}

TESTS(T(test_cover))

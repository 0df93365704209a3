/*
 * ext2, read-only: images made by the real mke2fs -d from random host trees
 * (seeded), mounted through mount(2) and walked; every name, type, mode,
 * owner, size, time (the seconds mke2fs copies: atime and mtime), content,
 * symlink target, device number and hard-link identity must match the host
 * tree.  Block sizes 1, 2 and 4 KiB, revisions 0 and 1, inode sizes 128 and
 * 256, with and without dir_index; indirect, double and triple indirect
 * blocks; holes; a file past 4 GiB; big directories, linear and hashed
 * (indexed by e2fsck -D: mke2fs -d writes them linearly).  (The trees:
 * ext2_tree.h; the comparison: ext2_cmp.h.)  Images with features the
 * driver does not know are refused with EINVAL and a console line.
 * Everything is made under /dev/shm and removed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <linux/magic.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_cmp.h"
#include "ext2_tree.h"
#include "ext2_util.h"

/* ------------------------------------------------------------ the cases */

struct imgopt {
	const char	*tag;
	const char	*mkfs;		/* mke2fs options */
	const char	*size;
	struct treeopt	tree;
	bool		index;		/* big directories hashed (e2fsck -D) */
};

static void
image_case(const struct imgopt *o, uint64_t seed)
{
	static struct console con;
	char dir[128], tree[160], img[160], cmd[800];
	struct view host = { "host", sys_host, tree };
	struct view rump = { "rump", sys_rump, "/mnt" };
	struct treecmp c = { .a = &host, .b = &rump, .flags = CMP_NLINK |
	    CMP_LINKS | CMP_MTIME_SEC | CMP_LOSTFOUND | CMP_NOROOTTIME };
	struct rump_kernel *k;
	struct statfs sfs;

	if (geteuid() != 0)
		SKIP("needs root for chown and mknod");
	rng = seed;
	snprintf(dir, sizeof(dir), "/dev/shm/rumpkit-ext2r-%d-%s", (int)getpid(),
	    o->tag);
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(img, sizeof(img), "%s/img", dir);
	rmtree(dir);
	REQUIRE(mkdir(dir, 0700) == 0);
	REQUIRE(mkdir(tree, 0755) == 0);
	make_tree(tree, &o->tree);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 %s -d '%s' '%s' %s "
	    ">/dev/null 2>&1", o->mkfs, tree, img, o->size);
	/* mke2fs -d writes big directories linearly: e2fsck -D hashes them */
	if (o->index)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " && { "
		    "e2fsck -fyD '%s' >/dev/null 2>&1; debugfs -R 'stat /many' "
		    "'%s' 2>/dev/null | grep -q 'Flags: 0x1000'; }", img, img);
	if (run(cmd) != 0) {
		t_failed = 1;
		rmtree(dir);
		return;
	}
	memset(&con, 0, sizeof(con));
	k = boot_with_disk(&con, img, RUMP_DISK_RDONLY);
	if (k == NULL) {
		t_failed = 1;
		rmtree(dir);
		return;
	}
	CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt", "ext2", 0, NULL), EACCES);
	if (rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) != 0) {
		printf("# mount: errno %d; console:\n%s", errno, con.text);
		t_failed = 1;
	} else {
		cmp_trees(&c);
		CHECK(c.nodes > 60);
		CHECK(rump_sys_statfs("/mnt", &sfs) == 0);
		CHECK_EQ(sfs.f_type, EXT2_SUPER_MAGIC);
		CHECK_ERR(rump_sys_open("/mnt/new", O_CREAT | O_WRONLY, 0644),
		    EROFS);
		CHECK_ERR(rump_sys_mkdir("/mnt/newdir", 0755), EROFS);
		CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	}
	if (strstr(con.text, "corrupt") != NULL) {
		printf("# console:\n%s", con.text);
		t_failed = 1;
	}
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

static void
b1k_rev1_dirindex(void)
{
	struct imgopt o = { "1k", "-b 1024 -r 1 -I 128", "200M",
	    { .big = true, .bigdir = true }, .index = true };

	image_case(&o, 1);
}

static void
b4k_rev1_inode256(void)
{
	struct imgopt o = { "4k", "-b 4096 -r 1 -I 256", "64M",
	    { .big = true, .bigdir = true }, .index = true };

	image_case(&o, 2);
}

static void
b1k_rev0(void)
{
	struct imgopt o = { "r0", "-b 1024 -r 0", "16M",
	    { .big = false, .bigdir = false }, .index = false };

	image_case(&o, 3);
}

static void
b4k_no_dirindex(void)
{
	struct imgopt o = { "nodx", "-b 4096 -I 256 -O ^dir_index", "32M",
	    { .big = false, .bigdir = true }, .index = false };

	image_case(&o, 4);
}

static void
b2k_inode256(void)
{
	struct imgopt o = { "2k", "-b 2048 -I 256", "32M",
	    { .big = false, .bigdir = false }, .index = false };

	image_case(&o, 5);
}

/* An image with a feature the driver does not know is refused. */
static void
refuse_case(const char *tag, const char *mkfs, int flags, int want,
    const char *msg)
{
	static struct console con;
	char img[160], cmd[400];
	struct rump_kernel *k;

	snprintf(img, sizeof(img), "/dev/shm/rumpkit-ext2r-%d-%s.img",
	    (int)getpid(), tag);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F %s '%s' 16M >/dev/null 2>&1",
	    mkfs, img);
	REQUIRE(run(cmd) == 0);
	memset(&con, 0, sizeof(con));
	k = boot_with_disk(&con, img, 0);
	if (k != NULL) {
		CHECK_ERR(rump_sys_mount("/dev/ld0", "/mnt", "ext2", flags, NULL),
		    want);
		if (strstr(con.text, msg) == NULL) {
			printf("# console lacks \"%s\":\n%s", msg, con.text);
			t_failed = 1;
		}
		CHECK_EQ(rump_kernel_halt(k), 0);
	} else {
		t_failed = 1;
	}
	unlink(img);
}

static void
refuse_ext4(void)
{
	refuse_case("ext4", "-t ext4", MS_RDONLY, EINVAL, "extents");
}

static void
refuse_extents(void)
{
	refuse_case("extents", "-t ext2 -O extents", MS_RDONLY, EINVAL,
	    "unsupported incompatible features: extents");
}

static void
refuse_rw_rocompat(void)
{
	/* huge_file is read-only compatible: read-write is refused */
	refuse_case("huge", "-t ext2 -O huge_file", 0, EINVAL,
	    "cannot mount read-write: unsupported read-only-compatible "
	    "features: huge_file");
}

static void
not_ext2(void)
{
	refuse_case("fat", "-t ext2 -E offset=8192 -b 1024", MS_RDONLY, EINVAL,
	    "bad magic");
}

/*
 * Corrupt images (made with debugfs -w): each bad structure gives EUCLEAN
 * and a console line, the rest of the file system stays readable.
 */
static void
corrupt(void)
{
	static struct console con;
	char dir[64], img[80], cmd[1400];
	struct rump_kernel *k;
	char buf[4096];
	int fd;

	snprintf(dir, sizeof(dir), "/dev/shm/rumpkit-ext2r-%d-bad", (int)getpid());
	snprintf(img, sizeof(img), "%s/img", dir);
	rmtree(dir);
	REQUIRE(mkdir(dir, 0700) == 0);
	snprintf(cmd, sizeof(cmd), "mkdir %s/t %s/t/d %s/t/e && "
	    "echo hello > %s/t/f && echo ok > %s/t/good && "
	    "head -c 20000 /dev/zero > %s/t/g && "
	    "mke2fs -q -F -t ext2 -b 1024 -d %s/t %s 4M >/dev/null 2>&1 && "
	    "debugfs -w -f - %s >/dev/null 2>&1 <<EOF\n"
	    "set_inode_field /f block[0] 99999999\n"
	    "set_inode_field /g block[IND] 5000000\n"
	    "set_inode_field /d block[0] 0\n"
	    "set_inode_field /e mode 0170000\n"
	    "EOF\n", dir, dir, dir, dir, dir, dir, dir, img, img);
	if (run(cmd) != 0) {
		t_failed = 1;
		rmtree(dir);
		return;
	}
	memset(&con, 0, sizeof(con));
	k = boot_with_disk(&con, img, RUMP_DISK_RDONLY);
	REQUIRE(k != NULL);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) == 0);
	fd = rump_sys_open("/mnt/f", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_ERR(rump_sys_read(fd, buf, sizeof(buf)), EUCLEAN);
	rump_sys_close(fd);
	fd = rump_sys_open("/mnt/g", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_ERR(rump_sys_pread64(fd, buf, sizeof(buf), 15000), EUCLEAN);
	rump_sys_close(fd);
	CHECK_ERR(rump_sys_open("/mnt/d/x", O_RDONLY, 0), EUCLEAN);
	CHECK_ERR(rump_sys_open("/mnt/e", O_RDONLY, 0), EUCLEAN);
	fd = rump_sys_open("/mnt/good", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 3);
	rump_sys_close(fd);
	CHECK(strstr(con.text, "corrupt file system: inode 14: block slot 0 "
	    "points to block 99999999") != NULL);
	CHECK(strstr(con.text, "block slot 12 points to block 5000000") != NULL);
	CHECK(strstr(con.text, "hole at block 0") != NULL);
	CHECK(strstr(con.text, "bad mode") != NULL);
	if (t_failed)
		printf("# console:\n%s", con.text);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmtree(dir);
}

TESTS(
	T(b1k_rev1_dirindex),
	T(b4k_rev1_inode256),
	T(b1k_rev0),
	T(b4k_no_dirindex),
	T(b2k_inode256),
	T(refuse_ext4),
	T(refuse_extents),
	T(refuse_rw_rocompat),
	T(not_ext2),
	T(corrupt),
)

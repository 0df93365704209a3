/*
 * ext2 hashed directories: the driver's name hashes against debugfs's
 * dx_hash (legacy, half-MD4 and TEA, signed and unsigned, with and
 * without a seed, over random names of every length), and lookups in
 * directories that e2fsck -D indexed (one and two index levels) going
 * through the index: every name found, absent names not, and only a few
 * blocks read for each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "ext2_util.h"
#include "fs/ext2fs/ext2fs.h"

#define NNAMES	300

/* debugfs's names for hash versions 0 to 5 (3 to 5: bytes unsigned) */
static const char *const algs[] = { "HASHALG_0", "HASHALG_1", "HASHALG_2",
    "HASHALG_3", "HASHALG_4", "HASHALG_5" };

/*
 * A name debugfs's command parser takes as one word (no blanks, quotes or
 * '\') and not as an option.
 */
static size_t
random_name(char *buf, size_t max)
{
	size_t len = 1 + rnd() % max;

	for (size_t i = 0; i < len; i++) {
		unsigned char c;

		do
			c = (unsigned char)(rnd() % 2 ? 0x21 + rnd() % 94 :
			    0x80 + rnd() % 128);
		while (c == '"' || c == '\'' || c == '\\' || c == '#' ||
		    c == '/' || (i == 0 && c == '-'));
		buf[i] = (char)c;
	}
	buf[len] = '\0';
	return len;
}

static void
hash_case(const char *seedstr, const uint32_t seed[4])
{
	static char names[NNAMES][256];
	char cmdfile[64], outfile[64], cmd[300], line[1024];
	unsigned got = 0, bad = 0;
	FILE *f;

	snprintf(cmdfile, sizeof(cmdfile), "/tmp/t_ext2_htree.%d.cmd",
	    (int)getpid());
	snprintf(outfile, sizeof(outfile), "/tmp/t_ext2_htree.%d.out",
	    (int)getpid());
	REQUIRE((f = fopen(cmdfile, "w")) != NULL);
	for (int i = 0; i < NNAMES; i++) {
		random_name(names[i], i < 20 ? 8 : 255);
		for (size_t a = 0; a < 6; a++)
			fprintf(f, "dx_hash -h %s%s%s %s\n", algs[a],
			    seedstr ? " -s " : "", seedstr ? seedstr : "",
			    names[i]);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "debugfs -f %s /dev/null > %s 2>/dev/null",
	    cmdfile, outfile);
	(void)system(cmd);
	REQUIRE((f = fopen(outfile, "r")) != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *is = strstr(line, " is 0x");
		unsigned long h, m;
		uint32_t hash, minor;
		int i = (int)(got / 6), a = (int)(got % 6);

		if (strncmp(line, "Hash of ", 8) != 0 || is == NULL)
			continue;
		while (strstr(is + 1, " is 0x") != NULL)	/* the last */
			is = strstr(is + 1, " is 0x");
		if (i >= NNAMES || sscanf(is, " is 0x%lx (minor 0x%lx)", &h,
		    &m) != 2)
			break;
		got++;
		CHECK_EQ(ext2fs_dirhash(a, seed, names[i], strlen(names[i]),
		    &hash, &minor), 0);
		if (hash != h || (a % 3 != 0 && minor != m)) {
			if (bad++ < 5)
				printf("# %s of a %zu-byte name: 0x%08x/0x%08x, "
				    "debugfs 0x%08lx/0x%08lx\n", algs[a],
				    strlen(names[i]), hash, minor, h, m);
		}
	}
	fclose(f);
	unlink(cmdfile);
	unlink(outfile);
	CHECK_EQ(got, 6 * NNAMES);
	CHECK_EQ(bad, 0);
}

static void
hashes(void)
{
	static const uint32_t zero[4] = { 0, 0, 0, 0 };
	/* 01234567-89ab-cdef-0123-456789abcdef, as the superblock holds it */
	static const uint8_t bytes[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	    0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	uint32_t seed[4];

	rng = 42;
	memcpy(seed, bytes, sizeof(seed));
	hash_case(NULL, zero);
	hash_case("01234567-89ab-cdef-0123-456789abcdef", seed);
}

/* ------------------------------------------------------------ lookups */

static struct console con;

static uint64_t
misses(struct rump_kernel *k)
{
	struct rump_kernel_stats st;

	rump_kernel_stats(k, &st);
	return st.bufmisses;
}

/*
 * A directory of n files made by mke2fs -d (indexed), looked up name by
 * name in a fresh kernel: each lookup reads at most a few blocks.
 */
static void
lookups(const char *opts, int n, int levels, int padlen)
{
	char dir[128], img[200], cmd[1200], path[400], pad[201];
	struct rump_config cfg = { .console = collect, .console_arg = &con };
	struct rump_kernel *k;
	struct stat st;
	uint64_t before, most = 0;
	int missing = 0;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[padlen] = '\0';
	snprintf(dir, sizeof(dir), "/dev/shm/t_ext2_htree.%d", (int)getpid());
	snprintf(img, sizeof(img), "%s.img", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/big && cd %s/big "
	    "&& seq -f 'name-%%.0f-of-the-directory%s' 1 %d | xargs touch && "
	    "mke2fs -q -F -t ext2 -O dir_index %s -d %s '%s' 64M 2>/dev/null",
	    dir, dir, dir, pad, n, opts, dir, img);
	REQUIRE(run(cmd) == 0);
	/* mke2fs -d writes linear directories; e2fsck -D indexes them */
	snprintf(cmd, sizeof(cmd), "e2fsck -fyD '%s' >/dev/null 2>&1; "
	    "test $? -le 1", img);
	REQUIRE(run(cmd) == 0);
	/* the image holds the index this test means to walk */
	snprintf(cmd, sizeof(cmd), "debugfs -R 'htree_dump /big' '%s' "
	    "2>/dev/null | grep -q 'Indirect levels: %d'", img, levels);
	REQUIRE(run(cmd) == 0);
	con.len = 0;
	REQUIRE((k = rump_kernel_boot(&cfg)) != NULL);
	rump_kernel_enter(k);
	REQUIRE(rump_disk_attach(k, "/dev/ld0", img, RUMP_DISK_RDONLY) == 0);
	REQUIRE(rump_sys_mkdir("/mnt", 0755) == 0);
	REQUIRE(rump_sys_mount("/dev/ld0", "/mnt", "ext2", MS_RDONLY, NULL) ==
	    0);
	REQUIRE(rump_sys_stat("/mnt/big", &st) == 0);
	for (int i = 1; i <= n; i += 7) {
		snprintf(path, sizeof(path),
		    "/mnt/big/name-%d-of-the-directory%s", i, pad);
		before = misses(k);
		if (rump_sys_stat(path, &st) != 0)
			missing++;
		if (misses(k) - before > most)
			most = misses(k) - before;
	}
	CHECK_EQ(missing, 0);
	/* "." and ".." live in the root block, outside the index */
	CHECK(rump_sys_stat("/mnt/big/.", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(rump_sys_stat("/mnt/big/..", &st) == 0 && st.st_ino == 2);
	for (int i = n + 1; i <= n + 200; i++) {
		snprintf(path, sizeof(path),
		    "/mnt/big/name-%d-of-the-directory%s", i, pad);
		before = misses(k);
		CHECK_ERR(rump_sys_stat(path, &st), ENOENT);
		if (misses(k) - before > most)
			most = misses(k) - before;
	}
	/*
	 * root, intermediate node and leaf, the indirect blocks that map
	 * them, the inode table's block
	 */
	printf("# at most %llu blocks read for a lookup\n",
	    (unsigned long long)most);
	CHECK(most <= (uint64_t)levels * 3 + 4);
	CHECK_EQ(rump_sys_umount2("/mnt", 0), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	if (t_failed) {
		printf("# console:\n%s", con.text);
	} else {
		snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, img);
		(void)system(cmd);
	}
}

static void one_level_1k(void) { lookups("-b 1024", 2000, 0, 0); }
static void one_level_4k(void) { lookups("-b 4096", 3000, 0, 0); }
/* long names: more leaves than the root's table holds */
static void two_levels_1k(void) { lookups("-b 1024", 1500, 1, 200); }

TESTS(
	T(hashes),
	T(one_level_1k),
	T(one_level_4k),
	T(two_levels_1k),
)

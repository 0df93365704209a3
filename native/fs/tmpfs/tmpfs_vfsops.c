/* tmpfs mounts: options, the root directory, statfs, unmount. */
#include <linux/magic.h>
#include <sys/statfs.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/vnode.h"

#include "fs/tmpfs/tmpfs.h"

/* "1m", "512k", "2g", "4096" */
static int
parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return EINVAL;
	if (i < len) {
		int shift;

		switch (s[i]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return EINVAL;
		}
		if (i + 1 != len || v > (UINT64_MAX >> shift))
			return EINVAL;
		v <<= shift;
	}
	*out = v;
	return 0;
}

static int
parse_octal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7' || v > 07777)
			return EINVAL;
		v = v * 8 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Options: size=, nr_inodes=, mode=, uid=, gid= (comma-separated). */
static int
parse_options(const char *data, uint64_t *size, uint64_t *inodes,
    uint64_t *mode, uint64_t *uid, uint64_t *gid)
{
	const char *p = data;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq != NULL ? (size_t)(eq - p) : len;
		const char *v = eq != NULL ? eq + 1 : p + len;
		size_t vlen = len - klen - (eq != NULL);
		int error;

#define OPT(name) (klen == sizeof(name) - 1 && memcmp(p, name, klen) == 0)
		if (OPT("size"))
			error = parse_size(v, vlen, size);
		else if (OPT("nr_inodes"))
			error = parse_size(v, vlen, inodes);
		else if (OPT("mode"))
			error = parse_octal(v, vlen, mode);
		else if (OPT("uid"))
			error = parse_size(v, vlen, uid);
		else if (OPT("gid"))
			error = parse_size(v, vlen, gid);
		else if (len == 0)
			error = 0;
		else
			error = EINVAL;
#undef OPT
		if (error != 0)
			return error;
		p = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

static int
tmpfs_mount(struct mount *mp, const char *source, const char *data)
{
	struct rump_kernel *k = mp->mnt_kernel;
	/* Linux's defaults: half of memory, inodes for half of memory's pages */
	uint64_t size = k->k_memlimit / 2, inodes = 0, mode = 01777;
	uint64_t uid = 0, gid = 0;
	struct tmpfs_mount *tm;
	struct tmpfs_node *root;
	int error;

	if ((error = parse_options(data, &size, &inodes, &mode, &uid, &gid)))
		return error;
	if (uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1)
		return EINVAL;
	if ((tm = kmem_zalloc(k, sizeof(*tm))) == NULL)
		return ENOMEM;
	tm->tm_mount = mp;
	tm->tm_pages_max = (size + TMPFS_PAGE_SIZE - 1) / TMPFS_PAGE_SIZE;
	tm->tm_nodes_max = inodes != 0 ? inodes :
	    MAX(k->k_memlimit / TMPFS_PAGE_SIZE / 2, 1024);
	tm->tm_nextino = 1;
	LIST_INIT(&tm->tm_nodes);
	mp->mnt_data = tm;
	error = tmpfs_alloc_node(tm, VDIR, (mode_t)mode, (uid_t)uid, (gid_t)gid,
	    0, NULL, &root);
	if (error == 0 && (error = tmpfs_dir_init(tm, root, root)) != 0)
		tmpfs_free_node(tm, root);
	if (error != 0) {
		kmem_free(k, tm, sizeof(*tm));
		return error;
	}
	root->tn_links = 2;
	tm->tm_root = root;
	vref(&root->tn_vnode);		/* the mount's own reference */
	return 0;
}

/* Free every node, whatever still refers to it (the VFS checked use). */
static int
tmpfs_unmount(struct mount *mp)
{
	struct tmpfs_mount *tm = VFS_TO_TMPFS(mp);
	struct tmpfs_node *n;

	while ((n = LIST_FIRST(&tm->tm_nodes)) != NULL)
		tmpfs_free_node(tm, n);
	kmem_free(mp->mnt_kernel, tm, sizeof(*tm));
	mp->mnt_data = NULL;
	return 0;
}

static struct vnode *
tmpfs_root(struct mount *mp)
{
	return &VFS_TO_TMPFS(mp)->tm_root->tn_vnode;
}

static int
tmpfs_statfs(struct mount *mp, struct statfs *sb)
{
	struct tmpfs_mount *tm = VFS_TO_TMPFS(mp);

	sb->f_type = TMPFS_MAGIC;
	sb->f_bsize = TMPFS_PAGE_SIZE;
	sb->f_frsize = TMPFS_PAGE_SIZE;
	sb->f_blocks = tm->tm_pages_max;
	sb->f_bfree = tm->tm_pages_max - tm->tm_pages_used;
	sb->f_bavail = sb->f_bfree;
	sb->f_files = tm->tm_nodes_max;
	sb->f_ffree = tm->tm_nodes_max - tm->tm_nodes_used;
	sb->f_namelen = 255;
	return 0;
}

static int
tmpfs_sync(struct mount *mp)
{
	(void)mp;
	return 0;
}

const struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_mount = tmpfs_mount,
	.vfs_unmount = tmpfs_unmount,
	.vfs_root = tmpfs_root,
	.vfs_statfs = tmpfs_statfs,
	.vfs_sync = tmpfs_sync,
};

/*
 * tmpfs: a file system in kernel memory.  Nodes live as long as they have
 * names or references; regular files keep their data in 4 KiB pages under
 * a radix tree (holes cost nothing); directories hash their entries by name
 * and keep them in slots whose index is the readdir cookie, so a readdir in
 * progress is stable while entries come and go.
 */
#ifndef FS_TMPFS_H
#define FS_TMPFS_H

#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/vnode.h"

#define TMPFS_PAGE_SHIFT	12
#define TMPFS_PAGE_SIZE		(1u << TMPFS_PAGE_SHIFT)
#define TMPFS_RADIX_SHIFT	9		/* 512 slots a radix node */
#define TMPFS_RADIX_SLOTS	(1u << TMPFS_RADIX_SHIFT)
#define TMPFS_MAXFILESIZE	INT64_MAX	/* as Linux's tmpfs */
#define TMPFS_DIRENT_SIZE	20		/* Linux's directory size unit */
#define TMPFS_DIROFF_EOF	INT32_MAX	/* a directory read to its end */

struct tmpfs_node;

struct tmpfs_dirent {
	struct tmpfs_node	*td_node;
	struct tmpfs_dirent	*td_hnext;	/* hash chain */
	uint32_t		td_hash;
	uint32_t		td_slot;	/* readdir position */
	uint16_t		td_namelen;
	char			td_name[];
};

struct tmpfs_dir {
	struct tmpfs_dirent	**td_hash;	/* td_hmask + 1 chains */
	uint32_t		td_hmask;
	struct tmpfs_dirent	**td_slots;	/* NULL where removed */
	uint32_t		td_nslots;	/* slots in use or freed */
	uint32_t		td_slotcap;
	uint32_t		*td_free;	/* freed slots, reused first */
	uint32_t		td_nfree;
	uint32_t		td_freecap;
	uint32_t		td_count;	/* entries */
	struct tmpfs_node	*td_parent;
};

struct tmpfs_reg {
	void			**tr_root;	/* radix tree of pages */
	int			tr_height;	/* levels; 0: no pages */
	uint64_t		tr_npages;
};

struct tmpfs_node {
	struct vnode		tn_vnode;
	LIST_ENTRY(tmpfs_node)	tn_entries;	/* every node of the mount */
	ino_t			tn_id;
	enum vtype		tn_type;
	mode_t			tn_mode;	/* permission and set-id bits */
	uid_t			tn_uid;
	gid_t			tn_gid;
	nlink_t			tn_links;
	uint64_t		tn_size;
	dev_t			tn_rdev;
	struct timespec		tn_atime, tn_mtime, tn_ctime, tn_birthtime;
	union {
		struct tmpfs_dir tn_dir;
		struct tmpfs_reg tn_reg;
		struct {
			char	*tl_link;
			size_t	tl_len;
		} tn_lnk;
	};
};

struct tmpfs_mount {
	struct mount		*tm_mount;
	struct tmpfs_node	*tm_root;
	uint64_t		tm_pages_max;
	uint64_t		tm_pages_used;
	uint64_t		tm_nodes_max;
	uint64_t		tm_nodes_used;
	ino_t			tm_nextino;
	LIST_HEAD(, tmpfs_node)	tm_nodes;
};

#define VP_TO_TMPFS_NODE(vp)	((struct tmpfs_node *)(vp)->v_data)
#define VFS_TO_TMPFS(mp)	((struct tmpfs_mount *)(mp)->mnt_data)

extern const struct vnodeops tmpfs_vnodeops;

/* tmpfs_subr.c */
struct rump_kernel *tmpfs_kernel(struct tmpfs_mount *tm);
int	tmpfs_alloc_node(struct tmpfs_mount *tm, enum vtype type, mode_t mode,
	    uid_t uid, gid_t gid, dev_t rdev, const char *link,
	    struct tmpfs_node **np);
void	tmpfs_free_node(struct tmpfs_mount *tm, struct tmpfs_node *n);
int	tmpfs_dir_init(struct tmpfs_mount *tm, struct tmpfs_node *dir,
	    struct tmpfs_node *parent);
struct tmpfs_dirent *tmpfs_dir_lookup(struct tmpfs_node *dir, const char *nm,
	    size_t len);
int	tmpfs_dir_attach(struct tmpfs_mount *tm, struct tmpfs_node *dir,
	    const char *nm, size_t len, struct tmpfs_node *n);
void	tmpfs_dir_detach(struct tmpfs_mount *tm, struct tmpfs_node *dir,
	    struct tmpfs_dirent *de);
int	tmpfs_reg_read(struct tmpfs_node *n, struct uio *uio);
int	tmpfs_reg_write(struct tmpfs_mount *tm, struct tmpfs_node *n,
	    struct uio *uio, bool append);
int	tmpfs_reg_truncate(struct tmpfs_mount *tm, struct tmpfs_node *n,
	    uint64_t size);
int	tmpfs_reg_allocate(struct tmpfs_mount *tm, struct tmpfs_node *n,
	    uint64_t off, uint64_t len, bool keepsize);
/* The first page at or after idx that exists (want_data) or not; or -1. */
int64_t	tmpfs_reg_seek(struct tmpfs_node *n, uint64_t idx, bool want_data);

#endif

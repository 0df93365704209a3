/* tmpfs nodes, directories and file pages. */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/kpage.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

#include "fs/tmpfs/tmpfs.h"

struct rump_kernel *
tmpfs_kernel(struct tmpfs_mount *tm)
{
	return tm->tm_mount->mnt_kernel;
}

int
tmpfs_alloc_node(struct tmpfs_mount *tm, enum vtype type, mode_t mode,
    uid_t uid, gid_t gid, dev_t rdev, const char *link, struct tmpfs_node **np)
{
	struct rump_kernel *k = tmpfs_kernel(tm);
	struct tmpfs_node *n;
	struct timespec now;

	if (tm->tm_nodes_used >= tm->tm_nodes_max)
		return ENOSPC;
	if ((n = kmem_zalloc(k, sizeof(*n))) == NULL)
		return ENOMEM;
	if (type == VLNK) {
		n->tn_lnk.tl_len = strlen(link);
		n->tn_lnk.tl_link = kmem_alloc(k, n->tn_lnk.tl_len + 1);
		if (n->tn_lnk.tl_link == NULL) {
			kmem_free(k, n, sizeof(*n));
			return ENOMEM;
		}
		memcpy(n->tn_lnk.tl_link, link, n->tn_lnk.tl_len + 1);
		n->tn_size = n->tn_lnk.tl_len;
	}
	vnode_init(&n->tn_vnode, tm->tm_mount, &tmpfs_vnodeops, type, n);
	n->tn_id = tm->tm_nextino++;
	n->tn_type = type;
	n->tn_mode = mode & 07777;
	n->tn_uid = uid;
	n->tn_gid = gid;
	n->tn_rdev = rdev;
	vfs_gettime(&now);
	n->tn_atime = n->tn_mtime = n->tn_ctime = n->tn_birthtime = now;
	LIST_INSERT_HEAD(&tm->tm_nodes, n, tn_entries);
	tm->tm_nodes_used++;
	*np = n;
	return 0;
}

static void tmpfs_dir_free(struct rump_kernel *k, struct tmpfs_dir *d);

void
tmpfs_free_node(struct tmpfs_mount *tm, struct tmpfs_node *n)
{
	struct rump_kernel *k = tmpfs_kernel(tm);

	cache_purge(&n->tn_vnode);
	switch (n->tn_type) {
	case VREG:
		tmpfs_reg_truncate(tm, n, 0);
		break;
	case VDIR:
		tmpfs_dir_free(k, &n->tn_dir);
		break;
	case VLNK:
		kmem_free(k, n->tn_lnk.tl_link, n->tn_lnk.tl_len + 1);
		break;
	default:
		break;
	}
	LIST_REMOVE(n, tn_entries);
	tm->tm_nodes_used--;
	kmem_free(k, n, sizeof(*n));
}

/* ------------------------------------------------------------ directories */

static uint32_t
name_hash(const char *nm, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)nm[i];
		h *= 16777619u;
	}
	return h;
}

#define DIR_HASH_INITIAL	8

int
tmpfs_dir_init(struct tmpfs_mount *tm, struct tmpfs_node *dir,
    struct tmpfs_node *parent)
{
	struct tmpfs_dir *d = &dir->tn_dir;

	d->td_hash = kmem_zalloc(tmpfs_kernel(tm),
	    DIR_HASH_INITIAL * sizeof(*d->td_hash));
	if (d->td_hash == NULL)
		return ENOMEM;
	d->td_hmask = DIR_HASH_INITIAL - 1;
	d->td_parent = parent;
	dir->tn_size = 2 * TMPFS_DIRENT_SIZE;
	return 0;
}

static void
tmpfs_dir_free(struct rump_kernel *k, struct tmpfs_dir *d)
{
	for (uint32_t i = 0; i < d->td_nslots; i++) {
		struct tmpfs_dirent *de = d->td_slots[i];

		if (de != NULL)
			kmem_free(k, de, sizeof(*de) + de->td_namelen);
	}
	kmem_free(k, d->td_slots, d->td_slotcap * sizeof(*d->td_slots));
	kmem_free(k, d->td_free, d->td_freecap * sizeof(*d->td_free));
	kmem_free(k, d->td_hash, (d->td_hmask + 1) * sizeof(*d->td_hash));
	memset(d, 0, sizeof(*d));
}

struct tmpfs_dirent *
tmpfs_dir_lookup(struct tmpfs_node *dir, const char *nm, size_t len)
{
	struct tmpfs_dir *d = &dir->tn_dir;
	uint32_t h = name_hash(nm, len);
	struct tmpfs_dirent *de;

	for (de = d->td_hash[h & d->td_hmask]; de != NULL; de = de->td_hnext)
		if (de->td_hash == h && de->td_namelen == len &&
		    memcmp(de->td_name, nm, len) == 0)
			return de;
	return NULL;
}

/* Double the chains once the entries outnumber them. */
static void
dir_hash_grow(struct rump_kernel *k, struct tmpfs_dir *d)
{
	uint32_t nb = (d->td_hmask + 1) * 2;
	struct tmpfs_dirent **h;

	if (d->td_count <= d->td_hmask + 1)
		return;
	if ((h = kmem_zalloc(k, nb * sizeof(*h))) == NULL)
		return;		/* longer chains are only slower */
	for (uint32_t i = 0; i <= d->td_hmask; i++) {
		struct tmpfs_dirent *de, *next;

		for (de = d->td_hash[i]; de != NULL; de = next) {
			next = de->td_hnext;
			de->td_hnext = h[de->td_hash & (nb - 1)];
			h[de->td_hash & (nb - 1)] = de;
		}
	}
	kmem_free(k, d->td_hash, (d->td_hmask + 1) * sizeof(*d->td_hash));
	d->td_hash = h;
	d->td_hmask = nb - 1;
}

/* Grow an array of elements of size es from *capp to hold n. */
static int
grow_array(struct rump_kernel *k, void **arrp, uint32_t *capp, uint32_t n,
    size_t es)
{
	uint32_t ncap = *capp ? *capp : 16;
	void *na;

	if (n <= *capp)
		return 0;
	while (ncap < n)
		ncap *= 2;
	if ((na = kmem_alloc(k, ncap * es)) == NULL)
		return ENOMEM;
	if (*capp > 0)
		memcpy(na, *arrp, *capp * es);
	kmem_free(k, *arrp, *capp * es);
	*arrp = na;
	*capp = ncap;
	return 0;
}

int
tmpfs_dir_attach(struct tmpfs_mount *tm, struct tmpfs_node *dir,
    const char *nm, size_t len, struct tmpfs_node *n)
{
	struct rump_kernel *k = tmpfs_kernel(tm);
	struct tmpfs_dir *d = &dir->tn_dir;
	struct tmpfs_dirent *de;
	uint32_t slot;
	int error;

	if ((de = kmem_alloc(k, sizeof(*de) + len)) == NULL)
		return ENOMEM;
	if (d->td_nfree == 0) {
		error = grow_array(k, (void **)&d->td_slots, &d->td_slotcap,
		    d->td_nslots + 1, sizeof(*d->td_slots));
		/* room to free every slot later, so detaching cannot fail */
		if (error == 0)
			error = grow_array(k, (void **)&d->td_free,
			    &d->td_freecap, d->td_nslots + 1,
			    sizeof(*d->td_free));
		if (error != 0) {
			kmem_free(k, de, sizeof(*de) + len);
			return error;
		}
		slot = d->td_nslots++;
	} else {
		slot = d->td_free[--d->td_nfree];
	}
	de->td_node = n;
	de->td_hash = name_hash(nm, len);
	de->td_slot = slot;
	de->td_namelen = (uint16_t)len;
	memcpy(de->td_name, nm, len);
	de->td_hnext = d->td_hash[de->td_hash & d->td_hmask];
	d->td_hash[de->td_hash & d->td_hmask] = de;
	d->td_slots[slot] = de;
	d->td_count++;
	dir->tn_size += TMPFS_DIRENT_SIZE;
	n->tn_links++;
	if (n->tn_type == VDIR) {
		n->tn_dir.td_parent = dir;
		dir->tn_links++;	/* the child's ".." */
	}
	dir_hash_grow(k, d);
	return 0;
}

void
tmpfs_dir_detach(struct tmpfs_mount *tm, struct tmpfs_node *dir,
    struct tmpfs_dirent *de)
{
	struct tmpfs_dir *d = &dir->tn_dir;
	struct tmpfs_dirent **pp;
	struct tmpfs_node *n = de->td_node;

	cache_remove(&dir->tn_vnode, de->td_name, de->td_namelen);
	for (pp = &d->td_hash[de->td_hash & d->td_hmask]; *pp != de;
	    pp = &(*pp)->td_hnext)
		continue;
	*pp = de->td_hnext;
	d->td_slots[de->td_slot] = NULL;
	d->td_free[d->td_nfree++] = de->td_slot;
	d->td_count--;
	dir->tn_size -= TMPFS_DIRENT_SIZE;
	n->tn_links--;
	if (n->tn_type == VDIR)
		dir->tn_links--;
	kmem_free(tmpfs_kernel(tm), de, sizeof(*de) + de->td_namelen);
}

/* ------------------------------------------------------------ file pages */

/*
 * The slot of page idx in the radix tree, or NULL when the page is absent
 * and alloc is false.  With alloc, missing interior nodes are made (and the
 * tree grows taller as needed).
 */
static void **
page_slot(struct rump_kernel *k, struct tmpfs_reg *r, uint64_t idx, bool alloc)
{
	void **node;
	int level;

	/* grow until idx fits: 512^height pages */
	while (r->tr_height == 0 ||
	    (r->tr_height < 7 && (idx >> (TMPFS_RADIX_SHIFT * r->tr_height)) != 0)) {
		void **nr;

		if (!alloc)
			return NULL;
		if ((nr = kmem_zalloc(k, TMPFS_RADIX_SLOTS * sizeof(void *))) == NULL)
			return NULL;
		nr[0] = r->tr_root;
		r->tr_root = nr;
		r->tr_height++;
	}
	node = r->tr_root;
	for (level = r->tr_height - 1; level > 0; level--) {
		unsigned i = (idx >> (TMPFS_RADIX_SHIFT * level)) &
		    (TMPFS_RADIX_SLOTS - 1);

		if (node[i] == NULL) {
			if (!alloc)
				return NULL;
			node[i] = kmem_zalloc(k, TMPFS_RADIX_SLOTS * sizeof(void *));
			if (node[i] == NULL)
				return NULL;
		}
		node = node[i];
	}
	return &node[idx & (TMPFS_RADIX_SLOTS - 1)];
}

/*
 * The first tree index >= idx with a page (want_data) or without one,
 * searching a subtree of the given level; -1 when there is none there.
 */
static int64_t
seek_level(void **node, int level, uint64_t base, uint64_t idx, bool want)
{
	uint64_t span = (uint64_t)1 << (TMPFS_RADIX_SHIFT * level);
	unsigned first = idx > base ? (unsigned)((idx - base) / span) : 0;

	for (unsigned i = first; i < TMPFS_RADIX_SLOTS; i++) {
		uint64_t b = base + i * span;
		uint64_t from = idx > b ? idx : b;

		if (node[i] == NULL) {
			if (!want)
				return (int64_t)from;
			continue;
		}
		if (level == 0) {
			if (want)
				return (int64_t)from;
			continue;
		}
		int64_t r = seek_level(node[i], level - 1, b, from, want);
		if (r >= 0)
			return r;
	}
	return -1;
}

int64_t
tmpfs_reg_seek(struct tmpfs_node *n, uint64_t idx, bool want_data)
{
	struct tmpfs_reg *r = &n->tn_reg;

	if (r->tr_height == 0 || (r->tr_height < 7 &&
	    (idx >> (TMPFS_RADIX_SHIFT * r->tr_height)) != 0))
		return want_data ? -1 : (int64_t)idx;
	return seek_level(r->tr_root, r->tr_height - 1, 0, idx, want_data);
}

int
tmpfs_reg_read(struct tmpfs_node *n, struct uio *uio)
{
	static const char zeros[TMPFS_PAGE_SIZE];
	int error = 0;

	while (uio->uio_resid > 0 && (uint64_t)uio->uio_offset < n->tn_size) {
		uint64_t off = (uint64_t)uio->uio_offset;
		uint64_t idx = off >> TMPFS_PAGE_SHIFT;
		size_t po = off & (TMPFS_PAGE_SIZE - 1);
		size_t cnt = MIN((size_t)(TMPFS_PAGE_SIZE - po), uio->uio_resid);
		void **slot = page_slot(NULL, &n->tn_reg, idx, false);
		const char *page = slot != NULL && *slot != NULL ? *slot : zeros;

		cnt = (size_t)MIN((uint64_t)cnt, n->tn_size - off);
		if ((error = uiomove((void *)(uintptr_t)(page + po), cnt, uio)) != 0)
			break;
	}
	return error;
}

int
tmpfs_reg_write(struct tmpfs_mount *tm, struct tmpfs_node *n, struct uio *uio,
    bool append)
{
	struct rump_kernel *k = tmpfs_kernel(tm);
	size_t start = uio->uio_resid;
	int error = 0;

	if (append)
		uio->uio_offset = (off_t)n->tn_size;
	if (uio->uio_offset < 0)
		return EINVAL;
	if ((uint64_t)uio->uio_offset >= TMPFS_MAXFILESIZE)
		return uio->uio_resid > 0 ? EFBIG : 0;
	if (uio->uio_resid > TMPFS_MAXFILESIZE - (uint64_t)uio->uio_offset)
		uio->uio_resid = TMPFS_MAXFILESIZE - (uint64_t)uio->uio_offset;
	while (uio->uio_resid > 0) {
		uint64_t off = (uint64_t)uio->uio_offset;
		uint64_t idx = off >> TMPFS_PAGE_SHIFT;
		size_t po = off & (TMPFS_PAGE_SIZE - 1);
		size_t cnt = MIN((size_t)(TMPFS_PAGE_SIZE - po), uio->uio_resid);
		void **slot = page_slot(k, &n->tn_reg, idx, true);

		if (slot == NULL) {
			error = ENOMEM;
			break;
		}
		if (*slot == NULL) {
			if (tm->tm_pages_used >= tm->tm_pages_max) {
				error = ENOSPC;
				break;
			}
			if ((*slot = kpage_alloc(k)) == NULL) {
				error = ENOMEM;
				break;
			}
			/* zero what this write will not cover */
			if (po != 0 || cnt != TMPFS_PAGE_SIZE)
				memset(*slot, 0, TMPFS_PAGE_SIZE);
			tm->tm_pages_used++;
			n->tn_reg.tr_npages++;
		}
		if ((error = uiomove((char *)*slot + po, cnt, uio)) != 0)
			break;
		if ((uint64_t)uio->uio_offset > n->tn_size)
			n->tn_size = (uint64_t)uio->uio_offset;
	}
	/* a short write is a success, as far as it went */
	if (uio->uio_resid < start)
		error = 0;
	return error;
}

/* Free the pages at tree indexes >= first in a subtree; true if emptied. */
static bool
free_from(struct tmpfs_mount *tm, struct tmpfs_node *n, void **node, int level,
    uint64_t base, uint64_t first)
{
	struct rump_kernel *k = tmpfs_kernel(tm);
	uint64_t span = (uint64_t)1 << (TMPFS_RADIX_SHIFT * level);
	bool empty = true;

	for (unsigned i = 0; i < TMPFS_RADIX_SLOTS; i++) {
		uint64_t b = base + i * span;

		if (node[i] == NULL)
			continue;
		if (b + span <= first) {
			empty = false;
			continue;
		}
		if (level == 0) {
			kpage_free(k, node[i]);
			tm->tm_pages_used--;
			n->tn_reg.tr_npages--;
			node[i] = NULL;
		} else if (free_from(tm, n, node[i], level - 1, b, first)) {
			kmem_free(k, node[i], TMPFS_RADIX_SLOTS * sizeof(void *));
			node[i] = NULL;
		} else {
			empty = false;
		}
	}
	return empty;
}

int
tmpfs_reg_truncate(struct tmpfs_mount *tm, struct tmpfs_node *n, uint64_t size)
{
	struct tmpfs_reg *r = &n->tn_reg;
	uint64_t first = (size + TMPFS_PAGE_SIZE - 1) >> TMPFS_PAGE_SHIFT;

	if (size > TMPFS_MAXFILESIZE)
		return EFBIG;
	/*
	 * Pages past the new end go, even when the size does not shrink:
	 * fallocate(FALLOC_FL_KEEP_SIZE) leaves pages beyond the size.
	 */
	if (r->tr_height > 0) {
		/* zero the tail of the last page kept */
		if (size & (TMPFS_PAGE_SIZE - 1)) {
			void **slot = page_slot(NULL, r, size >> TMPFS_PAGE_SHIFT,
			    false);

			if (slot != NULL && *slot != NULL)
				memset((char *)*slot + (size & (TMPFS_PAGE_SIZE - 1)),
				    0, TMPFS_PAGE_SIZE - (size & (TMPFS_PAGE_SIZE - 1)));
		}
		if (free_from(tm, n, r->tr_root, r->tr_height - 1, 0, first)) {
			kmem_free(tmpfs_kernel(tm), r->tr_root,
			    TMPFS_RADIX_SLOTS * sizeof(void *));
			r->tr_root = NULL;
			r->tr_height = 0;
		}
	}
	n->tn_size = size;
	return 0;
}

/* Make the pages of [off, off + len) exist, and (unless keepsize) the size
 * cover them. */
int
tmpfs_reg_allocate(struct tmpfs_mount *tm, struct tmpfs_node *n, uint64_t off,
    uint64_t len, bool keepsize)
{
	struct rump_kernel *k = tmpfs_kernel(tm);
	uint64_t end = off + len;

	if (end > TMPFS_MAXFILESIZE || end < off)
		return EFBIG;
	for (uint64_t idx = off >> TMPFS_PAGE_SHIFT;
	    idx < (end + TMPFS_PAGE_SIZE - 1) >> TMPFS_PAGE_SHIFT; idx++) {
		void **slot = page_slot(k, &n->tn_reg, idx, true);

		if (slot == NULL)
			return ENOMEM;
		if (*slot != NULL)
			continue;
		if (tm->tm_pages_used >= tm->tm_pages_max)
			return ENOSPC;
		if ((*slot = kpage_alloc(k)) == NULL)
			return ENOMEM;
		memset(*slot, 0, TMPFS_PAGE_SIZE);
		tm->tm_pages_used++;
		n->tn_reg.tr_npages++;
	}
	if (end > n->tn_size && !keepsize)
		n->tn_size = end;
	return 0;
}

/*
 * The name cache: recent (directory, name) -> vnode lookups, so that a
 * file system whose lookups are costly is asked once per name.  Entries
 * hold no references; they go when the name goes (cache_remove, called by
 * the file system as it removes or replaces a name) or the vnode goes
 * (cache_purge).  The VFS lock covers it all.
 */
#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/vnode.h"

#define NCHASH_MIN	64	/* chains at first; doubled as entries come */
#define NCHASH_MAX	4096
#define NC_MAX		8192	/* entries a kernel keeps at most */

struct namecache {
	LIST_ENTRY(namecache) nc_hash;
	LIST_ENTRY(namecache) nc_dlist;	/* on nc_dvp->v_dnclist */
	LIST_ENTRY(namecache) nc_vlist;	/* on nc_vp->v_nclist */
	TAILQ_ENTRY(namecache) nc_lru;
	struct vnode	*nc_dvp;
	struct vnode	*nc_vp;
	uint32_t	nc_hashval;
	uint8_t		nc_nlen;
	char		nc_name[NCHNAMLEN];
};

static struct rump_kernel *
kernel_of(struct vnode *vp)
{
	return vp->v_mount->mnt_kernel;
}

static uint32_t
nc_hash(struct vnode *dvp, const char *nm, size_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)((uintptr_t)dvp >> 4);

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)nm[i];
		h *= 16777619u;
	}
	return h;
}

static struct namecache *
nc_find(struct rump_kernel *k, struct vnode *dvp, const char *nm, size_t len,
    uint32_t h)
{
	struct namecache *nc;

	if (k->k_nchash == NULL)
		return NULL;
	LIST_FOREACH(nc, &k->k_nchash[h & k->k_nchashmask], nc_hash)
		if (nc->nc_hashval == h && nc->nc_dvp == dvp &&
		    nc->nc_nlen == len && memcmp(nc->nc_name, nm, len) == 0)
			return nc;
	return NULL;
}

static void
nc_free(struct rump_kernel *k, struct namecache *nc)
{
	LIST_REMOVE(nc, nc_hash);
	LIST_REMOVE(nc, nc_dlist);
	LIST_REMOVE(nc, nc_vlist);
	TAILQ_REMOVE(&k->k_nclru, nc, nc_lru);
	k->k_ncount--;
	kmem_free(k, nc, sizeof(*nc));
}

/* Move every entry into n fresh chains. */
static int
nc_rehash(struct rump_kernel *k, unsigned n)
{
	struct nchashhead *nh = kmem_alloc(k, n * sizeof(*nh));
	struct namecache *nc;

	if (nh == NULL)
		return ENOMEM;
	for (unsigned i = 0; i < n; i++)
		LIST_INIT(&nh[i]);
	if (k->k_nchash != NULL) {
		TAILQ_FOREACH(nc, &k->k_nclru, nc_lru) {
			LIST_REMOVE(nc, nc_hash);
			LIST_INSERT_HEAD(&nh[nc->nc_hashval & (n - 1)], nc, nc_hash);
		}
		kmem_free(k, k->k_nchash, (k->k_nchashmask + 1) * sizeof(*nh));
	}
	k->k_nchash = nh;
	k->k_nchashmask = n - 1;
	return 0;
}

bool
cache_lookup(struct vnode *dvp, const char *nm, size_t len, struct vnode **vpp)
{
	struct rump_kernel *k = kernel_of(dvp);
	struct namecache *nc;

	if (len > NCHNAMLEN)
		return false;
	if ((nc = nc_find(k, dvp, nm, len, nc_hash(dvp, nm, len))) == NULL) {
		k->k_ncmisses++;
		return false;
	}
	k->k_nchits++;
	TAILQ_REMOVE(&k->k_nclru, nc, nc_lru);
	TAILQ_INSERT_TAIL(&k->k_nclru, nc, nc_lru);
	vref(nc->nc_vp);
	*vpp = nc->nc_vp;
	return true;
}

void
cache_enter(struct vnode *dvp, const char *nm, size_t len, struct vnode *vp)
{
	struct rump_kernel *k = kernel_of(dvp);
	uint32_t h = nc_hash(dvp, nm, len);
	struct namecache *nc;

	if (len > NCHNAMLEN || nc_find(k, dvp, nm, len, h) != NULL)
		return;
	if (k->k_nchash == NULL) {
		if (nc_rehash(k, NCHASH_MIN) != 0)
			return;		/* a cache is optional */
		TAILQ_INIT(&k->k_nclru);
	} else if (k->k_ncount >= 2 * (k->k_nchashmask + 1) &&
	    k->k_nchashmask + 1 < NCHASH_MAX) {
		(void)nc_rehash(k, 2 * (k->k_nchashmask + 1));	/* or stay longer */
	}
	if (k->k_ncount >= NC_MAX)
		nc_free(k, TAILQ_FIRST(&k->k_nclru));
	if ((nc = kmem_alloc(k, sizeof(*nc))) == NULL)
		return;
	nc->nc_dvp = dvp;
	nc->nc_vp = vp;
	nc->nc_hashval = h;
	nc->nc_nlen = (uint8_t)len;
	memcpy(nc->nc_name, nm, len);
	LIST_INSERT_HEAD(&k->k_nchash[h & k->k_nchashmask], nc, nc_hash);
	LIST_INSERT_HEAD(&dvp->v_dnclist, nc, nc_dlist);
	LIST_INSERT_HEAD(&vp->v_nclist, nc, nc_vlist);
	TAILQ_INSERT_TAIL(&k->k_nclru, nc, nc_lru);
	k->k_ncount++;
}

void
cache_remove(struct vnode *dvp, const char *nm, size_t len)
{
	struct rump_kernel *k = kernel_of(dvp);
	struct namecache *nc;

	if (len <= NCHNAMLEN &&
	    (nc = nc_find(k, dvp, nm, len, nc_hash(dvp, nm, len))) != NULL)
		nc_free(k, nc);
}

void
cache_purge(struct vnode *vp)
{
	struct rump_kernel *k = kernel_of(vp);
	struct namecache *nc;

	while ((nc = LIST_FIRST(&vp->v_nclist)) != NULL)
		nc_free(k, nc);
	while ((nc = LIST_FIRST(&vp->v_dnclist)) != NULL)
		nc_free(k, nc);
}

void
cache_fini(struct rump_kernel *k)
{
	struct namecache *nc;

	if (k->k_nchash == NULL)
		return;
	while ((nc = TAILQ_FIRST(&k->k_nclru)) != NULL)
		nc_free(k, nc);
	kmem_free(k, k->k_nchash, (k->k_nchashmask + 1) * sizeof(*k->k_nchash));
	k->k_nchash = NULL;
}

/* The page allocator (see sys/kpage.h). */
#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kpage.h"

#define CHUNK_SIZE	(2u << 20)
#define CHUNK_PAGES	(CHUNK_SIZE / KPAGE_SIZE)

/* The first page of a chunk describes it; the other 511 are handed out. */
struct kpchunk {
	LIST_ENTRY(kpchunk) kc_list;	/* on k_kpavail while it has room */
	void		*kc_free;	/* freed pages, linked through themselves */
	unsigned	kc_next;	/* the first page never handed out */
	unsigned	kc_used;
};

int
kpage_init(struct rump_kernel *k)
{
	LIST_INIT(&k->k_kpavail);
	k->k_kpempty = 0;
	return mutex_init(&k->k_kplock);
}

void
kpage_fini(struct rump_kernel *k)
{
	struct kpchunk *c;

	while ((c = LIST_FIRST(&k->k_kpavail)) != NULL) {
		LIST_REMOVE(c, kc_list);
		if (c->kc_used != 0)
			klog(k, "kpage: %u pages still in use at halt", c->kc_used);
		rumpuser_pagefree(c, CHUNK_SIZE);
	}
	mutex_destroy(&k->k_kplock);
}

void *
kpage_alloc(struct rump_kernel *k)
{
	struct kpchunk *c;
	uint64_t used;
	void *pg;

	used = atomic_fetch_add_explicit(&k->k_memused, KPAGE_SIZE,
	    memory_order_relaxed);
	if (used + KPAGE_SIZE > k->k_memlimit) {
		atomic_fetch_sub_explicit(&k->k_memused, KPAGE_SIZE,
		    memory_order_relaxed);
		return NULL;
	}
	mutex_enter(&k->k_kplock);
	if ((c = LIST_FIRST(&k->k_kpavail)) == NULL) {
		void *mem;

		if (rumpuser_pagealloc(CHUNK_SIZE, CHUNK_SIZE, &mem) != 0) {
			mutex_exit(&k->k_kplock);
			atomic_fetch_sub_explicit(&k->k_memused, KPAGE_SIZE,
			    memory_order_relaxed);
			return NULL;
		}
		c = mem;
		c->kc_free = NULL;
		c->kc_next = 1;
		c->kc_used = 0;
		LIST_INSERT_HEAD(&k->k_kpavail, c, kc_list);
		k->k_kpempty++;
	}
	if (c->kc_free != NULL) {
		pg = c->kc_free;
		c->kc_free = *(void **)pg;
	} else {
		pg = (char *)c + (size_t)c->kc_next++ * KPAGE_SIZE;
	}
	if (c->kc_used++ == 0)
		k->k_kpempty--;
	if (c->kc_free == NULL && c->kc_next == CHUNK_PAGES)
		LIST_REMOVE(c, kc_list);	/* full */
	mutex_exit(&k->k_kplock);
	return pg;
}

void
kpage_free(struct rump_kernel *k, void *pg)
{
	struct kpchunk *c = (void *)((uintptr_t)pg & ~(uintptr_t)(CHUNK_SIZE - 1));

	if (pg == NULL)
		return;
	mutex_enter(&k->k_kplock);
	if (c->kc_free == NULL && c->kc_next == CHUNK_PAGES)
		LIST_INSERT_HEAD(&k->k_kpavail, c, kc_list);	/* had been full */
	*(void **)pg = c->kc_free;
	c->kc_free = pg;
	if (--c->kc_used == 0) {
		/*
		 * Empty chunks are kept, up to a quarter of the kernel's memory,
		 * for the next writes: the host may take their memory back
		 * lazily, and a chunk it did not take costs no page faults and
		 * no zeroing when used again.  Beyond that they go back.
		 */
		if ((uint64_t)(k->k_kpempty + 1) * CHUNK_SIZE > k->k_memlimit / 4 &&
		    k->k_kpempty > 0) {
			LIST_REMOVE(c, kc_list);
			rumpuser_pagefree(c, CHUNK_SIZE);
		} else {
			k->k_kpempty++;
			c->kc_free = NULL;	/* every page is fresh again */
			c->kc_next = 1;
			rumpuser_pagediscard((char *)c + KPAGE_SIZE,
			    CHUNK_SIZE - KPAGE_SIZE);
		}
	}
	mutex_exit(&k->k_kplock);
	atomic_fetch_sub_explicit(&k->k_memused, KPAGE_SIZE, memory_order_relaxed);
}

/* Kernel memory, charged to its kernel and bounded by its limit. */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"

void *
kmem_alloc(struct rump_kernel *k, size_t size)
{
	uint64_t used;
	void *p;

	used = atomic_fetch_add_explicit(&k->k_memused, size,
	    memory_order_relaxed);
	if (__predict_false(used + size > k->k_memlimit || used + size < used)) {
		atomic_fetch_sub_explicit(&k->k_memused, size,
		    memory_order_relaxed);
		return NULL;
	}
	if (rumpuser_malloc(size, 0, &p) != 0) {
		atomic_fetch_sub_explicit(&k->k_memused, size,
		    memory_order_relaxed);
		return NULL;
	}
	atomic_fetch_add_explicit(&k->k_memallocs, 1, memory_order_relaxed);
	return p;
}

void *
kmem_zalloc(struct rump_kernel *k, size_t size)
{
	void *p = kmem_alloc(k, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
kmem_free(struct rump_kernel *k, void *p, size_t size)
{
	if (p == NULL)
		return;
	rumpuser_free(p, size);
	atomic_fetch_sub_explicit(&k->k_memused, size, memory_order_relaxed);
	atomic_fetch_sub_explicit(&k->k_memallocs, 1, memory_order_relaxed);
}

char *
kmem_strdup(struct rump_kernel *k, const char *s, size_t *lenp)
{
	size_t len = strlen(s) + 1;
	char *p = kmem_alloc(k, len);

	if (p != NULL)
		memcpy(p, s, len);
	if (lenp != NULL)
		*lenp = len;
	return p;
}

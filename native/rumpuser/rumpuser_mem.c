/* Memory hypercalls: kernel memory comes from the host allocator. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rump/rumpuser.h>

/*
 * glibc gives the top of a heap back to the system once more than 128 KiB
 * are free there.  Network buffers (64 KiB each, allocated by a writer's
 * thread, freed by its reader's) then fault every page in again on the next
 * send: with 4 MiB socket buffers, a loopback transfer spent two thirds of
 * its time in page faults.  Up to 64 MiB stay with the process.
 *
 * Setting that threshold also turns off glibc's sliding mmap threshold
 * (which otherwise rises to the size of any mmap'd block freed), so every
 * allocation from 128 KiB up became its own mmap and munmap, pages faulted
 * in afresh: in a program under librumphijack, cp -a allocating its 128 KiB
 * copy buffer for each file spent a third of its time there.  Blocks below
 * 4 MiB come from the heap again, as they would once the threshold slid.
 * (librumphijack sets its own heap growth: its concern, hj_init.c.)
 */
static pthread_once_t malloc_tuned = PTHREAD_ONCE_INIT;

static void
malloc_tune(void)
{
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int
rumpuser_malloc(size_t len, size_t alignment, void **memp)
{
	void *p;

	pthread_once(&malloc_tuned, malloc_tune);
	if (len == 0)
		len = 1;
	if (alignment <= sizeof(void *) * 2) {
		p = malloc(len);
		if (p == NULL)
			return ENOMEM;
	} else {
		if (posix_memalign(&p, alignment, len) != 0)
			return ENOMEM;
	}
	*memp = p;
	return 0;
}

void
rumpuser_free(void *mem, size_t len)
{
	(void)len;
	free(mem);
}

int
rumpuser_pagealloc(size_t len, size_t align, void **memp)
{
	size_t span = len + align;
	char *p, *a;

	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return ENOMEM;
	a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + span)
		munmap(a + len, (size_t)(p + span - (a + len)));
	madvise(a, len, MADV_HUGEPAGE);
	*memp = a;
	return 0;
}

void
rumpuser_pagefree(void *mem, size_t len)
{
	munmap(mem, len);
}

void
rumpuser_pagediscard(void *mem, size_t len)
{
	madvise(mem, len, MADV_FREE);
}

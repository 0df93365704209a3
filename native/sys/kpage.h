/*
 * Pages: 4 KiB of kernel memory for file data, carved from 2 MiB chunks the
 * host maps (as huge pages where it can), so that a file of a gigabyte costs
 * the host a few hundred mappings rather than a quarter of a million
 * allocations and page faults.  Each page is charged to the kernel's memory
 * limit like kmem.  A page comes back with undefined contents.  Chunks that
 * empty are kept for reuse up to a quarter of the kernel's memory limit,
 * their memory left for the host to reclaim lazily (MADV_FREE).
 */
#ifndef SYS_KPAGE_H
#define SYS_KPAGE_H

#include "sys/systm.h"

#define KPAGE_SIZE	4096u

int	kpage_init(struct rump_kernel *k);
void	kpage_fini(struct rump_kernel *k);
void	*kpage_alloc(struct rump_kernel *k);
void	kpage_free(struct rump_kernel *k, void *pg);

#endif

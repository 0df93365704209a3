/*
 * Kernel memory: every allocation is charged to one kernel and bounded by
 * its memory limit.  Allocation fails (NULL) rather than exceed the limit;
 * callers turn that into ENOMEM.
 */
#ifndef SYS_KMEM_H
#define SYS_KMEM_H

#include "sys/systm.h"

void	*kmem_alloc(struct rump_kernel *k, size_t size);
void	*kmem_zalloc(struct rump_kernel *k, size_t size);
void	kmem_free(struct rump_kernel *k, void *p, size_t size);
char	*kmem_strdup(struct rump_kernel *k, const char *s, size_t *lenp);

#endif

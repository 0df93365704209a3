/* Internal helpers of the hypercall layer. */
#ifndef RUMPUSER_INT_H
#define RUMPUSER_INT_H

#include <stdio.h>
#include <stdlib.h>

/* A host primitive failing where it cannot fail is a host bug: stop. */
#define RUMPUSER_ASSERT(cond, what) do {				\
	if (!(cond)) {							\
		fprintf(stderr, "rumpuser: %s failed\n", (what));	\
		abort();						\
	}								\
} while (0)

#include <stdbool.h>

/* rumpuser_iofault.c: count an operation; true when it is to fail. */
bool	rumpuser_iofault_hit(int fd, int op);
void	rumpuser_iofault_clear(int fd);

#endif

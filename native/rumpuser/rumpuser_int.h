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

#endif

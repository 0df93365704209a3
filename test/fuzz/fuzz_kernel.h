/*
 * The kernel one fuzz input runs against: booted small for each input,
 * halted after it, and memory it does not get back at halt is a failure
 * like a crash.  input names the generated input in the report (replay).
 */
#ifndef FUZZ_KERNEL_H
#define FUZZ_KERNEL_H

#include <stdio.h>
#include <stdlib.h>

#include <rump/rump.h>

static inline struct rump_kernel *
fuzz_kernel_boot(void)
{
	struct rump_config cfg = { .memlimit = 64u << 20, .maxfiles = 64,
	    .maxfiles_hard = 128 };
	struct rump_kernel *k = rump_kernel_boot(&cfg);

	if (k == NULL)
		abort();
	return k;
}

static inline void
fuzz_kernel_halt(struct rump_kernel *k, unsigned input)
{
	if (rump_kernel_halt(k) != 0) {
		fprintf(stderr, "fuzz: kernel memory leaked at halt (generated input %u)\n",
		    input);
		abort();
	}
}

#endif

/*
 * The C half of `npm run bench`: kernel boot+halt latency, resident memory
 * per idle kernel, and rump_sys_getpid against the host's getpid system
 * call.  bench/run.ts builds and runs this program and prints the table;
 * the program itself prints one JSON object on stdout and nothing else.
 *
 *   bench_kern [-k kernels] [-b batches]
 *
 * All times come from CLOCK_MONOTONIC.  Per-call figures are the median
 * over batches; the rump and host batches alternate, so that a noisy
 * neighbour on a shared machine hits both sides alike.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* syscall(2), getopt, mallinfo2 */
#endif
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "bench.h"

#define MAXBATCH		32
#define BOOT_WARMUP		500
#define BOOT_PER_BATCH		5000
#define GETPID_RUMP_CALLS	2000000
#define GETPID_HOST_CALLS	200000

static volatile long sink;	/* keeps call results alive */

static void
print_doubles(const char *name, const double *v, size_t n)
{
	printf("\"%s\":[", name);
	for (size_t i = 0; i < n; i++)
		printf("%s%.3f", i ? "," : "", v[i]);
	printf("]");
}

/* Resident set size of this process, from /proc/self/statm. */
static uint64_t
rss_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL) {
		perror("bench_kern: /proc/self/statm");
		exit(1);
	}
	if (fscanf(f, "%lu %lu", &size, &resident) != 2) {
		fprintf(stderr, "bench_kern: cannot parse /proc/self/statm\n");
		exit(1);
	}
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Bytes the host allocator has handed out and not had back. */
static uint64_t
heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
#else
	return 0;
#endif
}

static struct rump_kernel *
boot_or_die(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);

	if (k == NULL) {
		fprintf(stderr, "bench_kern: rump_kernel_boot: %s\n",
		    strerror(errno));
		exit(1);
	}
	return k;
}

static void
halt_or_die(struct rump_kernel *k)
{
	int error = rump_kernel_halt(k);

	if (error != 0) {
		fprintf(stderr, "bench_kern: rump_kernel_halt: %s\n",
		    strerror(error));
		exit(1);
	}
}

/*
 * Boot nkern kernels and keep them idle; the growth of the resident set,
 * divided by nkern, is what one idle kernel costs.  This runs first, on a
 * fresh heap, so that no freed memory from earlier kernels hides the cost.
 */
static void
bench_memory(unsigned nkern)
{
	struct rump_kernel **ks;
	struct rump_kernel_stats st;
	uint64_t rss0, rss1, rss2, heap0, heap1, kmem = 0;

	if ((ks = calloc(nkern, sizeof(*ks))) == NULL) {
		perror("bench_kern: calloc");
		exit(1);
	}
	memset(ks, 0, nkern * sizeof(*ks));	/* resident before the baseline */
	halt_or_die(boot_or_die());		/* kernel code paged in */

	rss0 = rss_bytes();
	heap0 = heap_in_use();
	for (unsigned i = 0; i < nkern; i++)
		ks[i] = boot_or_die();
	rss1 = rss_bytes();
	heap1 = heap_in_use();
	for (unsigned i = 0; i < nkern; i++) {
		rump_kernel_stats(ks[i], &st);
		kmem += st.memused;
	}
	for (unsigned i = 0; i < nkern; i++)
		halt_or_die(ks[i]);
	rss2 = rss_bytes();
	free(ks);

	printf("\"memory\":{\"kernels\":%u,\"rss_before_bytes\":%" PRIu64
	    ",\"rss_after_bytes\":%" PRIu64 ",\"rss_after_halt_bytes\":%" PRIu64
	    ",\"per_kernel_bytes\":%.1f,\"heap_per_kernel_bytes\":%.1f"
	    ",\"kmem_per_kernel_bytes\":%.1f}",
	    nkern, rss0, rss1, rss2,
	    ((double)rss1 - (double)rss0) / nkern,
	    ((double)heap1 - (double)heap0) / nkern,
	    (double)kmem / nkern);
}

/* rump_kernel_boot + rump_kernel_halt, each iteration timed alone. */
static void
bench_boot_halt(unsigned nbatch)
{
	unsigned n = nbatch * BOOT_PER_BATCH;
	uint64_t *total, *boot, *halt, sum = 0;
	double batchmed[MAXBATCH];

	total = calloc(n, sizeof(*total));
	boot = calloc(n, sizeof(*boot));
	halt = calloc(n, sizeof(*halt));
	if (total == NULL || boot == NULL || halt == NULL) {
		perror("bench_kern: calloc");
		exit(1);
	}
	for (unsigned i = 0; i < BOOT_WARMUP; i++)
		halt_or_die(boot_or_die());

	for (unsigned b = 0; b < nbatch; b++) {
		for (unsigned i = b * BOOT_PER_BATCH; i < (b + 1) * BOOT_PER_BATCH; i++) {
			uint64_t t0, t1, t2;
			struct rump_kernel *k;

			t0 = now_ns();
			k = boot_or_die();
			t1 = now_ns();
			halt_or_die(k);
			t2 = now_ns();
			total[i] = t2 - t0;
			boot[i] = t1 - t0;
			halt[i] = t2 - t1;
			sum += t2 - t0;
		}
		batchmed[b] = (double)quantile_u64(total + b * BOOT_PER_BATCH,
		    BOOT_PER_BATCH, 0.5);
	}

	printf("\"boot_halt\":{\"iterations\":%u,\"median_ns\":%" PRIu64
	    ",\"mean_ns\":%.1f,\"p10_ns\":%" PRIu64 ",\"p90_ns\":%" PRIu64,
	    n, quantile_u64(total, n, 0.5), (double)sum / n,
	    quantile_u64(total, n, 0.1), quantile_u64(total, n, 0.9));
	printf(",\"boot_median_ns\":%" PRIu64 ",\"halt_median_ns\":%" PRIu64 ",",
	    quantile_u64(boot, n, 0.5), quantile_u64(halt, n, 0.5));
	print_doubles("batch_medians_ns", batchmed, nbatch);
	printf("}");
	free(total);
	free(boot);
	free(halt);
}

static double
time_rump_getpid(unsigned calls)
{
	uint64_t t0 = now_ns();
	long acc = 0;

	for (unsigned i = 0; i < calls; i++)
		acc += rump_sys_getpid();
	sink = acc;
	return (double)(now_ns() - t0) / calls;
}

static double
time_host_getpid(unsigned calls)
{
	uint64_t t0 = now_ns();
	long acc = 0;

	for (unsigned i = 0; i < calls; i++)
		acc += syscall(SYS_getpid);
	sink = acc;
	return (double)(now_ns() - t0) / calls;
}

/* rump_sys_getpid against the host's getpid, which libc cannot cache. */
static void
bench_getpid(unsigned nbatch)
{
	struct rump_kernel *k = boot_or_die();
	double rump[MAXBATCH], host[MAXBATCH], rs[MAXBATCH], hs[MAXBATCH];
	pid_t pid;

	if (rump_kernel_enter(k) != 0 || (pid = rump_sys_getpid()) != 1) {
		fprintf(stderr, "bench_kern: rump_sys_getpid in a new kernel "
		    "did not return 1\n");
		exit(1);
	}
	(void)time_rump_getpid(GETPID_RUMP_CALLS / 10);
	(void)time_host_getpid(GETPID_HOST_CALLS / 10);
	for (unsigned b = 0; b < nbatch; b++) {
		host[b] = time_host_getpid(GETPID_HOST_CALLS);
		rump[b] = time_rump_getpid(GETPID_RUMP_CALLS);
	}
	rump_kernel_leave();
	halt_or_die(k);

	/* median() sorts: the batches are reported in the order they ran */
	memcpy(rs, rump, nbatch * sizeof(*rump));
	memcpy(hs, host, nbatch * sizeof(*host));
	printf("\"getpid\":{\"rump_ns\":%.3f,\"host_ns\":%.3f,"
	    "\"rump_calls_per_batch\":%u,\"host_calls_per_batch\":%u,",
	    median(rs, nbatch), median(hs, nbatch),
	    GETPID_RUMP_CALLS, GETPID_HOST_CALLS);
	print_doubles("rump_batches_ns", rump, nbatch);
	printf(",");
	print_doubles("host_batches_ns", host, nbatch);
	printf("}");
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_kern [-k kernels] [-b batches]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long nkern = 10000, nbatch = 5;
	char *end;
	int ch;

	while ((ch = getopt(argc, argv, "k:b:")) != -1) {
		switch (ch) {
		case 'k':
			nkern = strtoul(optarg, &end, 10);
			if (*end != '\0' || nkern == 0 || nkern > 10000000)
				usage();
			break;
		case 'b':
			nbatch = strtoul(optarg, &end, 10);
			if (*end != '\0' || nbatch == 0 || nbatch > MAXBATCH)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	printf("{\"batches\":%lu,", nbatch);
	bench_memory((unsigned)nkern);
	printf(",");
	bench_boot_halt((unsigned)nbatch);
	printf(",");
	bench_getpid((unsigned)nbatch);
	printf("}\n");
	return fflush(stdout) == 0 ? 0 : 1;
}

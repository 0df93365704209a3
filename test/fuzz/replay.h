/*
 * The replay side of a fuzzer (built without libFuzzer): run the inputs kept
 * in the source tree, the files named on the command line, and inputs a
 * harness generates from a seed, then print a TAP result for run.mjs.
 * Each harness defines LLVMFuzzerTestOneInput and, for generated inputs,
 * fuzz_generate(i, buf, cap) returning the length of input number i.
 */
#ifndef FUZZ_REPLAY_H
#define FUZZ_REPLAY_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t fuzz_generate(unsigned i, uint8_t *buf, size_t cap);

#define REPLAY_MAX	(4u << 20)

static bool
replay_file(const char *path)
{
	static uint8_t fbuf[REPLAY_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return false;
	n = fread(fbuf, 1, sizeof(fbuf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(fbuf, n);
	return true;
}

static int
replay_dir(const char *dir)
{
	char path[1024];
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n += replay_file(path);
	}
	closedir(d);
	return n;
}

/* The number of seed files in dir. */
static inline unsigned
replay_count_seeds(const char *dir)
{
	unsigned seeds = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL)
		seeds += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return seeds;
}

/* Seed file number n of dir into buf: its length (0: none). */
static inline size_t
replay_load_seed(const char *dir, unsigned n, uint8_t *buf, size_t cap)
{
	char path[1024];
	struct dirent *de;
	unsigned seen = 0;
	size_t len = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || seen++ != n)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");

		if (f != NULL) {
			len = fread(buf, 1, cap, f);
			fclose(f);
		}
		break;
	}
	closedir(d);
	return len;
}

/*
 * Generated input i: seed i / per_seed of dir with a few bytes changed,
 * mostly in the first `front` bytes (where headers live).
 */
static inline size_t
replay_mutant(const char *dir, unsigned i, unsigned per_seed, size_t front,
    uint8_t *buf, size_t cap)
{
	uint64_t x = 0x2545f4914f6cdd1dull ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
	size_t len = replay_load_seed(dir, i / per_seed, buf, cap);
	int flips;

	if (len == 0)
		return 0;
	flips = 1 + (int)(i % 8);
	for (int f = 0; f < flips; f++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t span = len < front ? len : front;
		size_t at = (x >> 8) % ((x & 1) ? span : len);

		buf[at] = (x & 2) ? (uint8_t)(x >> 40) : (uint8_t)(buf[at] ^ (1u << ((x >> 32) & 7)));
	}
	return len;
}

/*
 * RUMPKIT_FUZZ_COUNT: how many generated inputs (default given);
 * RUMPKIT_FUZZ_ONLY=i: only generated input i (with a harness's tracing).
 */
static int
fuzz_replay_main(int argc, char **argv, const char *regress_dir,
    unsigned default_count)
{
	static uint8_t buf[REPLAY_MAX];
	unsigned count = default_count, only = UINT32_MAX;
	int files = 0;

	if (getenv("RUMPKIT_FUZZ_COUNT") != NULL)
		count = (unsigned)atoi(getenv("RUMPKIT_FUZZ_COUNT"));
	if (getenv("RUMPKIT_FUZZ_ONLY") != NULL)	/* one generated input */
		only = (unsigned)atoi(getenv("RUMPKIT_FUZZ_ONLY"));
	if (regress_dir != NULL)
		files += replay_dir(regress_dir);
	for (int i = 1; i < argc; i++)
		files += replay_file(argv[i]);
	for (unsigned i = 0; i < count; i++) {
		if (only != UINT32_MAX && i != only)
			continue;
		size_t n = fuzz_generate(i, buf, sizeof(buf));

		if (n > 0)
			LLVMFuzzerTestOneInput(buf, n);
	}
	printf("1..1\nok 1 - %d files and %u generated inputs ran\n1 passed, 0 failed\n",
	    files, count);
	return 0;
}

#endif

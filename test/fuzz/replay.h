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

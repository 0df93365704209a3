/*
 * A small test harness for the native tests: each t_*.c file lists its test
 * cases with TESTS(...) and gets a main() that runs them in order and prints
 * TAP ("ok N - name" / "not ok N - name") followed by "N passed, N failed".
 * CHECK records a failure and goes on; REQUIRE also ends the case.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tcase {
	const char *name;
	void (*fn)(void);
};

static int t_failed;
static const char *t_skip;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed (errno %d: %s)\n",	\
		    __FILE__, __LINE__, #cond, errno, strerror(errno));	\
		t_failed = 1;						\
	}								\
} while (0)

#define REQUIRE(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: REQUIRE(%s) failed (errno %d: %s)\n",	\
		    __FILE__, __LINE__, #cond, errno, strerror(errno));	\
		t_failed = 1;						\
		return;							\
	}								\
} while (0)

/* An equality that prints both sides. */
#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %s failed: %lld != %lld\n",	\
		    __FILE__, __LINE__, #a, #b, _a, _b);		\
		t_failed = 1;						\
	}								\
} while (0)

/* A rump_sys_* call that must fail with errno e. */
#define CHECK_ERR(call, e) do {						\
	errno = 0;							\
	long _r = (long)(call);						\
	if (_r != -1 || errno != (e)) {					\
		printf("#   %s:%d: %s: got %ld errno %d, want -1 errno %d\n",\
		    __FILE__, __LINE__, #call, _r, errno, (e));		\
		t_failed = 1;						\
	}								\
} while (0)

#define SKIP(why) do { t_skip = (why); return; } while (0)

#define TESTS(...)							\
static const struct tcase t_cases[] = { __VA_ARGS__ };			\
int									\
main(int argc, char **argv)						\
{									\
	size_t n = sizeof(t_cases) / sizeof(t_cases[0]);		\
	int passed = 0, failed = 0;					\
									\
	setvbuf(stdout, NULL, _IONBF, 0);				\
	printf("1..%zu\n", n);						\
	for (size_t i = 0; i < n; i++) {				\
		if (argc > 1 && strcmp(argv[1], t_cases[i].name) != 0)	\
			continue;					\
		t_failed = 0;						\
		t_skip = NULL;						\
		t_cases[i].fn();					\
		if (t_skip != NULL) {					\
			printf("ok %zu - %s # SKIP %s\n", i + 1,	\
			    t_cases[i].name, t_skip);			\
		} else if (t_failed) {					\
			printf("not ok %zu - %s\n", i + 1,		\
			    t_cases[i].name);				\
			failed++;					\
		} else {						\
			printf("ok %zu - %s\n", i + 1, t_cases[i].name); \
			passed++;					\
		}							\
	}								\
	printf("%d passed, %d failed\n", passed, failed);		\
	return failed != 0;						\
}

#define T(fn)	{ #fn, fn }

#endif

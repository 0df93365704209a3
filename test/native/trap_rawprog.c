/*
 * A program that reaches files only through raw system calls — syscall(2)
 * and inline `syscall` instructions, no libc file function — for the trap's
 * end-to-end test (test/trap-preload.test.ts): run under librumphijack,
 * its /rump paths must land in the kernel, which the test then checks on
 * the kernel's disk.  Prints what it read back; exits non-zero at the
 * first call that failed (with the step's number).
 *
 *	trap_rawprog DIR	(DIR: a kernel directory, e.g. /rump/raw)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "asm_syscall.h"

static const char *dir;

static void *
thread_main(void *arg)
{
	char path[256], data[32];
	long fd, i = (long)arg;

	snprintf(path, sizeof(path), "%s/thread%ld", dir, i);
	snprintf(data, sizeof(data), "thread %ld\n", i);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC,
	    0644);
	if (fd < 0 || syscall(SYS_write, fd, data, strlen(data)) !=
	    (long)strlen(data))
		return (void *)1;
	syscall(SYS_close, fd);
	return NULL;
}

#define STEP(n, cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "trap_rawprog: step %d failed\n", n);	\
		return n;						\
	}								\
} while (0)

int
main(int argc, char **argv)
{
	char path[256], buf[4096];
	struct stat st;
	pthread_t t[3];
	long fd, n, pos, names = 0;

	if (argc != 2)
		return 100;
	dir = argv[1];
	STEP(1, syscall(SYS_mkdirat, AT_FDCWD, dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/raw.txt", dir);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC,
	    0640);
	STEP(2, fd >= 0);
	STEP(3, asm_syscall(SYS_write, fd, (long)"raw syscalls\n", 13, 0) == 13);
	STEP(4, asm_syscall(SYS_close, fd, 0, 0, 0) == 0);
	STEP(5, syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) == 0);
	STEP(6, st.st_size == 13 && (st.st_mode & 0777) == 0640);
	for (long i = 0; i < 3; i++)
		STEP(7, pthread_create(&t[i], NULL, thread_main, (void *)i) == 0);
	for (int i = 0; i < 3; i++) {
		void *rv;

		STEP(8, pthread_join(t[i], &rv) == 0 && rv == NULL);
	}
	fd = asm_syscall(SYS_openat, AT_FDCWD, (long)dir,
	    O_RDONLY | O_DIRECTORY, 0);
	STEP(9, fd >= 0);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (pos = 0; pos < n; ) {
			unsigned short reclen;

			memcpy(&reclen, buf + pos + 16, sizeof(reclen));
			names += strcmp(buf + pos + 19, ".") != 0 &&
			    strcmp(buf + pos + 19, "..") != 0;
			pos += reclen;
		}
	STEP(10, n == 0);
	syscall(SYS_close, fd);
	STEP(11, names == 4);
	/* the host is still the host outside /rump */
	STEP(12, syscall(SYS_newfstatat, AT_FDCWD, "/proc/self/exe", &st, 0) ==
	    0 && S_ISREG(st.st_mode));
	printf("%ld entries\n", names);
	return 0;
}

/*
 * A preload library for t_trap_programs: the trap (hj_trap.c) with an
 * identity router — every trapped call goes to the host unchanged — and a
 * count of the calls it trapped.  Armed at start with the selector at
 * BLOCK and no interposed I/O function at all, so every system call an
 * unmodified program makes (except vDSO ones) passes through the SIGSYS
 * handler.  At exit it appends "PID COUNT" to $T_TRAP_REPORT.
 * Test-only: routes nothing to a kernel.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trap_router.h"

static atomic_long trapped;

long
hj_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	atomic_fetch_add(&trapped, 1);
	if (nr == SYS_exit_group) {
		/* the destructor does not run for _exit: report now */
		char line[64];
		const char *path = getenv("T_TRAP_REPORT");
		long fd;
		int n;

		if (path != NULL) {
			n = snprintf(line, sizeof(line), "%ld %ld\n",
			    hj_host_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0),
			    atomic_load(&trapped));
			fd = hj_host_syscall(SYS_openat, AT_FDCWD, (long)path,
			    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600,
			    0, 0);
			if (fd >= 0) {
				hj_host_syscall(SYS_write, fd, (long)line, n,
				    0, 0, 0);
				hj_host_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
			}
		}
	}
	return hj_host_syscall(nr, a0, a1, a2, a3, a4, a5);
}

__attribute__((constructor)) static void
trap_identity_start(void)
{
	if (hj_trap_init() == 0 && hj_trap_enabled())
		hj_selector = 1;	/* SYSCALL_DISPATCH_FILTER_BLOCK */
}

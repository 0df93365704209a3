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

#include "hijack.h"

__thread volatile unsigned char hj_selector;
static __thread int hj_depth;

/* the router's brackets, as the contract has them: nesting, ALLOW inside */
void
hj_enter(void)
{
	hj_depth++;
	hj_selector = 0;
}

void
hj_leave(void)
{
	if (--hj_depth == 0)
		hj_selector = 1;
}
static atomic_long trapped;

__asm__(
	".pushsection " HJ_TEXT_SECTION ",\"ax\",@progbits\n"
	".globl hj_host_syscall\n"
	".type hj_host_syscall,@function\n"
	"hj_host_syscall:\n"
	"	movq %rdi, %rax\n"
	"	movq %rsi, %rdi\n"
	"	movq %rdx, %rsi\n"
	"	movq %rcx, %rdx\n"
	"	movq %r8, %r10\n"
	"	movq %r9, %r8\n"
	"	movq 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	".size hj_host_syscall, .-hj_host_syscall\n"
	".popsection\n");

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

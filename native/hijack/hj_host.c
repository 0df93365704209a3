/*
 * The library's way out to the host, and the bracket that tells the trap
 * when a thread is inside the library.
 */
#include <linux/prctl.h>
#include <stddef.h>

#include "hj_int.h"

#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW	0
#define SYSCALL_DISPATCH_FILTER_BLOCK	1
#endif

__thread volatile unsigned char hj_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
__thread unsigned hj_depth;

/* the trap is a separate file: without it, nothing is ever trapped */
#pragma weak hj_trap_enabled

/*
 * A raw system call, in the section the trap never intercepts.  Written
 * as the x86-64 calling sequence: arguments in rdi..r9, the number in rax.
 */
HJ_TEXT __attribute__((noinline)) long
hj_host_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile ("syscall"
	    : "=a"(ret)
	    : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

void
hj_enter(void)
{
	hj_depth++;
	hj_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
}

void
hj_leave(void)
{
	if (--hj_depth != 0)
		return;
	if (hj_trap_enabled != NULL && hj_trap_enabled())
		hj_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
}

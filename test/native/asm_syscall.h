/*
 * A raw `syscall` instruction in the including program's own text, not
 * libc's: what the trap must catch without any interposed function.
 * Up to four arguments; returns the kernel's value (-errno on error).
 */
#ifndef ASM_SYSCALL_H
#define ASM_SYSCALL_H

static inline long
asm_syscall(long nr, long a0, long a1, long a2, long a3)
{
	register long r10 __asm__("r10") = a3;
	long r;

	__asm__ volatile("syscall" : "=a"(r)
	    : "0"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
	    : "rcx", "r11", "memory");
	return r;
}

#endif

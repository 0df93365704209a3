/*
 * What a stand-in for librumphijack's router gives the trap (hj_trap.c),
 * as native/hijack/hijack.h has it: the selector, the nesting brackets
 * that set it to ALLOW inside, and hj_host_syscall in the trap's own
 * text section.  The including program writes hj_syscall itself.  One
 * file per program includes this: it defines, not declares.
 */
#ifndef TRAP_ROUTER_H
#define TRAP_ROUTER_H

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

#endif

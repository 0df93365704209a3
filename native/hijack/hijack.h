/*
 * librumphijack: how its parts meet.
 *
 * A program's call reaches the library in one of two ways: through an
 * interposed libc function (open, read, fopen, poll, fork ...: LD_PRELOAD,
 * or the executable itself in link mode), or, for a raw system call issued
 * anywhere else (glibc's internal calls, inline `syscall` instructions),
 * through the Syscall User Dispatch trap (hj_trap.c).  Both end in
 * hj_syscall(), which routes by number, descriptor and path: to the host,
 * or to the kernel behind the backend (a kernel inside this process in
 * local and link mode, a server over librumpclient in remote mode).
 */
#ifndef HIJACK_H
#define HIJACK_H

#include <stdbool.h>
#include <sys/types.h>

/* A kernel to send system calls to. */
struct hj_backend {
	const char *name;		/* "local", "remote" */
	/* rump_syscall()'s contract: 0 and retval[0], or an errno */
	int (*syscall)(long nr, const long *args, long *retval);
	/* host fork keeping the kernel process straight; -1 + errno */
	pid_t (*fork)(void);
	/* execve keeping the kernel process; returns only on failure */
	int (*execve)(const char *path, char *const argv[], char *const envp[]);
};
extern const struct hj_backend *hj_backend;

/*
 * A raw Linux system call as the program issued it (numbers and arguments
 * unchanged), routed to the host or the kernel; returns what the raw
 * instruction would: the result, or -errno.
 */
long hj_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/*
 * A system call made on the host, never trapped: the library's own way
 * out, from code inside the range the trap leaves alone.
 */
long hj_host_syscall(long nr, long a0, long a1, long a2, long a3, long a4,
    long a5);

/*
 * Bracket library code: while a thread is inside (nesting allowed), its
 * system calls are not trapped, so libc and the kernel may issue them.
 */
void hj_enter(void);
void hj_leave(void);

/*
 * The calling thread's dispatch selector (PR_SYS_DISPATCH_ON's selector
 * byte): SYSCALL_DISPATCH_FILTER_ALLOW while inside the library,
 * SYSCALL_DISPATCH_FILTER_BLOCK while the program runs with the trap armed.
 * hj_enter/hj_leave move it; the trap sets ALLOW while it works.
 */
extern __thread volatile unsigned char hj_selector;

/*
 * Code whose system calls are never trapped (hj_host_syscall's stub, the
 * trap's signal return) lives in this section; the linker's
 * __start_hj_text/__stop_hj_text bound the range given to the kernel.
 */
#define HJ_TEXT_SECTION	"hj_text"
#define HJ_TEXT		__attribute__((section(HJ_TEXT_SECTION), used))

/*
 * The trap (hj_trap.c): arm Syscall User Dispatch for the calling thread
 * (at start-up, and in every thread the program creates: not in threads
 * the kernel creates for itself).  Returns 0, or an errno when the host
 * kernel lacks it (the library then works by interposition alone).
 */
int hj_trap_init(void);
int hj_trap_thread_init(void);
bool hj_trap_enabled(void);

#endif /* HIJACK_H */

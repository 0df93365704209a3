/*
 * Start-up: read RUMPHIJACK, pick the backend (RUMP_SERVER set: a server
 * over librumpclient; otherwise a kernel inside this process), take over
 * what an exec'ing parent left in the environment, and arm the trap.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj_int.h"

const struct hj_backend *hj_backend;

#pragma weak hj_trap_init

bool
hj_ready(void)
{
	return hj_backend != NULL;
}

void
hj_note(const char *msg)
{
	static const char pre[] = "rumphijack: ";
	struct { const void *b; size_t l; } v[3] = {
		{ pre, sizeof(pre) - 1 }, { msg, strlen(msg) }, { "\n", 1 } };

	hj_host_syscall(SYS_writev, 2, (long)v, 3, 0, 0, 0);
}

/*
 * With the trap armed every brk, mmap and munmap malloc makes inside libc
 * is a signal.  glibc grows the heap 128 KiB at a time and serves blocks
 * from 128 KiB up with mmap until one is freed (then the bar slides up),
 * but only while no threshold was ever set, and the local kernel's
 * allocator sets one (rumpuser_mem.c).  Fixed bars, as there: blocks below
 * 4 MiB from the heap, the heap grown by 1 MiB more than asked.  cp -a in
 * remote mode otherwise mmap'd and unmapped its copy buffer for each file,
 * two signals a file.
 */
static void
malloc_tune(void)
{
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
}

__attribute__((constructor)) static void
hj_start(void)
{
	const char *v;

	hj_enter();
	malloc_tune();
	hj_proc_init();
	if (hj_config_parse(getenv("RUMPHIJACK"), &hj_cfg) != 0) {
		hj_note("cannot parse RUMPHIJACK");
		_exit(127);
	}
	if ((v = getenv("RUMP_SERVER")) != NULL && *v != '\0') {
		/* it says why when it cannot */
		if ((hj_backend = hj_remote_backend()) == NULL)
			_exit(127);
	} else {
		if (hj_local_boot() != 0)
			_exit(127);
		hj_backend = &hj_local_backend;
	}
	hj_fd_envload(getenv("RUMPHIJACK__FDMAP"));
	/* "1": the kernel process's own cwd; a path: where a new kernel goes */
	if ((v = getenv("RUMPHIJACK__KCWD")) != NULL && (strcmp(v, "1") == 0 ||
	    (v[0] == '/' && hj_ksys(SYS_chdir, (long)v, 0, 0, 0, 0, 0) == 0)))
		hj_kcwd = true;
	if (hj_trap_init != NULL)
		hj_trap_init();
	hj_leave();
}

/* every way out of the process passes here (exit, _exit, exit_group) */
void
hj_exit_prepare(void)
{
	if (hj_backend == &hj_local_backend) {
		hj_backend = NULL;
		hj_local_halt();
	}
}

__attribute__((destructor)) static void
hj_stop(void)
{
	hj_enter();
	hj_exit_prepare();
	hj_leave();
}

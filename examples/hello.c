/*
 * Boot two kernels in one process, act as different users in each, and
 * show that they share nothing.  Build against an installed rumpkit with
 *   cc hello.c $(pkg-config --cflags --libs rumpkit)
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

int
main(void)
{
	struct rump_kernel *k1, *k2;
	int fd;

	if ((k1 = rump_kernel_boot(NULL)) == NULL ||
	    (k2 = rump_kernel_boot(NULL)) == NULL)
		err(1, "rump_kernel_boot");

	rump_kernel_enter(k1);
	if (rump_lwproc_rfork(RUMP_RFCFDG) != 0 || rump_sys_setuid(1000) != 0)
		err(1, "kernel 1: new process as uid 1000");
	fd = rump_sys_eventfd2(0, EFD_NONBLOCK);
	printf("kernel 1: pid %d, uid %d, eventfd %d\n",
	    rump_sys_getpid(), rump_sys_getuid(), fd);

	rump_kernel_enter(k2);
	printf("kernel 2: pid %d, uid %d\n", rump_sys_getpid(),
	    rump_sys_getuid());
	if (rump_sys_close(fd) == -1)
		printf("kernel 2: close(%d): %s (not its descriptor)\n", fd,
		    strerror(errno));

	rump_kernel_leave();
	if (rump_kernel_halt(k1) != 0 || rump_kernel_halt(k2) != 0)
		errx(1, "halt: kernel memory leaked");
	printf("both kernels halted\n");
	return 0;
}

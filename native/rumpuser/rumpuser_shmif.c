/*
 * Host side of shared-memory buses: mapping the bus file, futexes on its
 * words (not process-private: members may be other processes), and the
 * liveness of a process that may have died holding the bus lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpuser.h>

#include "rumpuser_int.h"

int
rumpuser_shmif_map(const char *path, size_t size, void **memp)
{
	struct stat st;
	void *mem;
	int fd, error;

	do {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0)
		goto fail;
	/* only ever grows: members racing to size it agree on the size */
	if ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) != 0)
		goto fail;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		goto fail;
	close(fd);	/* the mapping keeps the file */
	*memp = mem;
	return 0;
fail:
	error = errno;
	close(fd);
	return error;
}

void
rumpuser_shmif_unmap(void *mem, size_t size)
{
	munmap(mem, size);
}

int
rumpuser_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	if (syscall(SYS_futex, addr, FUTEX_WAIT, val, tsp, NULL, 0) == 0)
		return 0;
	return errno == EWOULDBLOCK ? EAGAIN : errno;
}

void
rumpuser_futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);
}

int
rumpuser_getpid(void)
{
	return (int)getpid();
}

int
rumpuser_pid_alive(int pid)
{
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

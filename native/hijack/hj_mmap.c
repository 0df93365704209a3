/*
 * mmap of kernel files, by copy: the mapping is anonymous memory filled
 * with pread.  A writable MAP_SHARED mapping is written back with pwrite
 * on msync and munmap (whole pages up to the file's size); others of the
 * program's processes do not see each other's changes until then.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "hj_int.h"

#define EXPORT	__attribute__((visibility("default")))

struct kmap {
	struct kmap	*next;
	char		*addr;
	size_t		len;
	int		kfd;	/* a kernel dup of the file */
	off_t		off;
};
static struct kmap *maps;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long
host(long nr, const long *a)
{
	return hj_host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

long
hj_sys_mmap(const long *a)
{
	size_t len = (size_t)a[1];
	int prot = (int)a[2], flags = (int)a[3], kfd = hj_kfd(a[4]);
	off_t off = a[5];
	struct kmap *m;
	long addr, r;

	if ((flags & MAP_ANONYMOUS) || kfd < 0)
		return host(SYS_mmap, a);
	addr = hj_host_syscall(SYS_mmap, a[0], len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | (flags & (MAP_FIXED |
	    MAP_FIXED_NOREPLACE | MAP_POPULATE)), -1, 0);
	if (addr < 0 && addr > -4096)
		return addr;
	for (size_t done = 0; done < len;) {
		r = hj_ksys(SYS_pread64, kfd, addr + (long)done, len - done,
		    off + (off_t)done, 0, 0);
		if (r < 0) {
			hj_host_syscall(SYS_munmap, addr, len, 0, 0, 0, 0);
			return r == -EISDIR ? -ENODEV : r;
		}
		if (r == 0)
			break;	/* past the end: zeros, as a page tail is */
		done += (size_t)r;
	}
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE)) {
		if ((m = malloc(sizeof(*m))) == NULL ||
		    (r = hj_ksys(SYS_fcntl, kfd, F_DUPFD_CLOEXEC, 0, 0, 0,
		    0)) < 0) {
			free(m);
			hj_host_syscall(SYS_munmap, addr, len, 0, 0, 0, 0);
			return -ENOMEM;
		}
		m->addr = (char *)addr;
		m->len = len;
		m->kfd = (int)r;
		m->off = off;
		pthread_mutex_lock(&lock);
		m->next = maps;
		maps = m;
		pthread_mutex_unlock(&lock);
	}
	if (prot != (PROT_READ | PROT_WRITE))
		hj_host_syscall(SYS_mprotect, addr, len, prot, 0, 0, 0);
	return addr;
}

/* write [addr, addr + len) of m back, up to the file's size */
static long
writeback(struct kmap *m, char *addr, size_t len)
{
	struct stat st;
	off_t at = m->off + (addr - m->addr);
	long r;

	if (hj_ksys(SYS_fstat, m->kfd, (long)&st, 0, 0, 0, 0) < 0)
		return -EIO;
	if (at >= st.st_size)
		return 0;
	if ((off_t)len > st.st_size - at)
		len = (size_t)(st.st_size - at);
	r = hj_ksys(SYS_pwrite64, m->kfd, (long)addr, (long)len, at, 0, 0);
	return r < 0 ? r : 0;
}

long
hj_sys_munmap(long nr, const long *a)
{
	char *lo = (char *)a[0], *hi = lo + a[1];
	struct kmap **p, *m;

	pthread_mutex_lock(&lock);
	for (p = &maps; (m = *p) != NULL;) {
		char *s = lo > m->addr ? lo : m->addr;
		char *e = hi < m->addr + m->len ? hi : m->addr + m->len;

		if (s < e)
			writeback(m, s, (size_t)(e - s));
		/* an unmapping of the whole mapping ends it */
		if (nr == SYS_munmap && lo <= m->addr &&
		    hi >= m->addr + m->len) {
			*p = m->next;
			hj_ksys(SYS_close, m->kfd, 0, 0, 0, 0, 0);
			free(m);
			continue;
		}
		p = &m->next;
	}
	pthread_mutex_unlock(&lock);
	return host(nr, a);
}

EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)HJ_SYS(SYS_mmap, addr, len, prot, flags, fd, off);
}

EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

EXPORT int
munmap(void *addr, size_t len)
{
	return (int)HJ_SYS(SYS_munmap, addr, len, 0, 0, 0, 0);
}

EXPORT int
msync(void *addr, size_t len, int fl)
{
	return (int)HJ_SYS(SYS_msync, addr, len, fl, 0, 0, 0);
}

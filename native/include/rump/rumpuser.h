/*
 * rumpuser: the hypercall interface.  These functions are the only way the
 * kernel reaches the host; native/rumpuser/ implements them on POSIX.
 * Functions that can fail return 0 or a host errno value.
 */
#ifndef RUMP_RUMPUSER_H
#define RUMP_RUMPUSER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rumpuser_mtx;
struct rumpuser_rw;
struct rumpuser_cv;
struct rumpuser_thread;
struct iovec;

/* memory */
int	rumpuser_malloc(size_t len, size_t alignment, void **memp);
void	rumpuser_free(void *mem, size_t len);

/*
 * Large page-aligned memory straight from the host's mappings (aligned to
 * align, a power of two), zero-filled, huge pages where the host has them.
 */
int	rumpuser_pagealloc(size_t len, size_t align, void **memp);
void	rumpuser_pagefree(void *mem, size_t len);
/* The contents are no longer needed: the host may reclaim the memory lazily. */
void	rumpuser_pagediscard(void *mem, size_t len);

/* threads */
int	rumpuser_thread_create(void *(*fn)(void *), void *arg,
	    const char *name, struct rumpuser_thread **tp);
int	rumpuser_thread_join(struct rumpuser_thread *t);
/* Let another runnable thread have this CPU (a spinning waiter's partner). */
void	rumpuser_yield(void);

/* locks */
int	rumpuser_mutex_init(struct rumpuser_mtx **mp);
void	rumpuser_mutex_enter(struct rumpuser_mtx *m);
int	rumpuser_mutex_tryenter(struct rumpuser_mtx *m);	/* 0 or EBUSY */
void	rumpuser_mutex_exit(struct rumpuser_mtx *m);
void	rumpuser_mutex_destroy(struct rumpuser_mtx *m);

enum rumprwlock { RUMPUSER_RW_READER, RUMPUSER_RW_WRITER };
int	rumpuser_rw_init(struct rumpuser_rw **rwp);
void	rumpuser_rw_enter(struct rumpuser_rw *rw, enum rumprwlock op);
int	rumpuser_rw_tryenter(struct rumpuser_rw *rw, enum rumprwlock op);
void	rumpuser_rw_exit(struct rumpuser_rw *rw);
void	rumpuser_rw_destroy(struct rumpuser_rw *rw);

int	rumpuser_cv_init(struct rumpuser_cv **cvp);
void	rumpuser_cv_destroy(struct rumpuser_cv *cv);
void	rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *m);
/* Relative timeout; returns 0 when signalled, ETIMEDOUT otherwise. */
int	rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *m,
	    int64_t sec, int64_t nsec);
void	rumpuser_cv_signal(struct rumpuser_cv *cv);
void	rumpuser_cv_broadcast(struct rumpuser_cv *cv);

/* clocks */
enum rumpclock { RUMPUSER_CLOCK_RELWALL, RUMPUSER_CLOCK_ABSMONO };
int	rumpuser_clock_gettime(enum rumpclock which, int64_t *sec, long *nsec);
/* RELWALL: sleep for the interval; ABSMONO: sleep until the instant. */
int	rumpuser_clock_sleep(enum rumpclock which, int64_t sec, long nsec);

/* randomness; fills up to buflen bytes, *retp says how many */
#define RUMPUSER_RANDOM_NOWAIT	0x01
int	rumpuser_getrandom(void *buf, size_t buflen, int flags, size_t *retp);

/* console: hand one line to the kernel's console hook, if any */
void	rumpuser_console_write(void (*hook)(void *, const char *, size_t),
	    void *arg, const char *line, size_t len);

/* a kernel assertion failed: report and stop the host process */
void	rumpuser_panic(const char *msg) __attribute__((noreturn));

/* the host errno of the calling thread, for the rump_sys_* wrappers */
void	rumpuser_seterrno(int error);

/* host files, for block devices and host file mapping */
#define RUMPUSER_OPEN_RDONLY	0x0000
#define RUMPUSER_OPEN_WRONLY	0x0001
#define RUMPUSER_OPEN_RDWR	0x0002
#define RUMPUSER_OPEN_ACCMODE	0x0003
#define RUMPUSER_OPEN_CREATE	0x0004
#define RUMPUSER_OPEN_EXCL	0x0008
#define RUMPUSER_OPEN_TRUNC	0x0010
int	rumpuser_open(const char *path, int ruflags, int *fdp);
int	rumpuser_close(int fd);
#define RUMPUSER_FT_OTHER	0
#define RUMPUSER_FT_DIR		1
#define RUMPUSER_FT_REG		2
#define RUMPUSER_FT_BLK		3
#define RUMPUSER_FT_CHR		4
int	rumpuser_getfileinfo(const char *path, uint64_t *sizep, int *typep);
/* Positioned vector I/O; *retp is the byte count transferred. */
int	rumpuser_iovread(int fd, struct iovec *iov, int iovcnt, int64_t off,
	    size_t *retp);
int	rumpuser_iovwrite(int fd, const struct iovec *iov, int iovcnt,
	    int64_t off, size_t *retp);
/*
 * Fault injection for tests: the nth next read (or write) on host
 * descriptor fd fails with EIO.  Returns 0, EINVAL, or ENOSPC when too many
 * faults are pending.
 */
#define RUMPUSER_IOFAULT_READ	1
#define RUMPUSER_IOFAULT_WRITE	2
int	rumpuser_iofault(int fd, int op, unsigned nth);
#define RUMPUSER_SYNC_DATA	0x01
#define RUMPUSER_SYNC_ALL	0x02
int	rumpuser_syncfd(int fd, int flags);

/*
 * Shared-memory buses (dev/shmif): map the file at path (created 0600 and
 * sized to size bytes if it is smaller) shared, read-write.  Every process
 * that maps the same file sees the same bytes.
 */
int	rumpuser_shmif_map(const char *path, size_t size, void **memp);
void	rumpuser_shmif_unmap(void *mem, size_t size);
/*
 * Futexes on a 32-bit word in shared memory (between processes too).
 * wait: sleeps while *addr == val, at most timeout_ns (< 0: no limit);
 * returns 0 (woken), EAGAIN (the value differed), ETIMEDOUT or EINTR.
 * wake: wakes up to n sleepers.
 */
int	rumpuser_futex_wait(uint32_t *addr, uint32_t val,
	    int64_t timeout_ns);
void	rumpuser_futex_wake(uint32_t *addr, int n);
/* The host process id, and whether process pid still exists. */
int	rumpuser_getpid(void);
int	rumpuser_pid_alive(int pid);

/*
 * TAP devices (dev/virtif): attach to the host's TAP interface name
 * (IFF_TAP | IFF_NO_PI; made if it does not exist and we may).
 * recv blocks until a frame arrives (0, *lenp its size) or
 * rumpuser_tap_wakeup is called (EINTR).
 */
struct rumpuser_tap;
int	rumpuser_tap_open(const char *name, struct rumpuser_tap **tp);
int	rumpuser_tap_recv(struct rumpuser_tap *t, void *buf, size_t len,
	    size_t *lenp);
int	rumpuser_tap_send(struct rumpuser_tap *t, const struct iovec *iov,
	    int iovcnt);
void	rumpuser_tap_wakeup(struct rumpuser_tap *t);
void	rumpuser_tap_close(struct rumpuser_tap *t);

/* the process-wide default kernel (rump_init); host-side state */
void	*rumpuser_default_kernel(void *(*boot)(void));
void	*rumpuser_default_kernel_get(void);
void	rumpuser_default_kernel_clear(void *k);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMPUSER_H */

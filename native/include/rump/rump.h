/*
 * rumpkit public C API: boot and halt kernels, bind threads to them, and
 * manage kernel processes (lwproc).  System calls are declared in the
 * generated <rump/rump_syscalls.h>; they use the host's ABI (flags, errno,
 * struct layouts) and return -1 with errno set on failure.
 */
#ifndef RUMP_RUMP_H
#define RUMP_RUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUMPKIT_VERSION "0.1.0"

struct rump_kernel;
struct lwp;

/* Called with one line of kernel console output (no trailing newline). */
typedef void (*rump_console_fn)(void *arg, const char *line, size_t len);

struct rump_config {
	uint64_t	memlimit;	/* bytes of kernel memory; 0 = default */
	unsigned	maxfiles;	/* RLIMIT_NOFILE soft limit; 0 = default */
	unsigned	maxfiles_hard;	/* RLIMIT_NOFILE hard limit; 0 = default */
	const char	*hostname;	/* NULL = "rump" */
	rump_console_fn	console;	/* NULL = console output is dropped */
	void		*console_arg;
	uint64_t	bufcache;	/* buffer cache bound (bytes, at most
					   memlimit); 0 = a quarter of memlimit */
};

#define RUMP_DEFAULT_MEMLIMIT	(256ull << 20)
#define RUMP_DEFAULT_MAXFILES	1024u
#define RUMP_DEFAULT_MAXFILES_HARD 4096u

/*
 * Boot a kernel.  Many kernels may live in one process; each owns all of
 * its state.  Returns NULL with errno set on failure.  cfg may be NULL.
 */
struct rump_kernel *rump_kernel_boot(const struct rump_config *cfg);

/*
 * Halt a kernel and free everything it allocated.  No thread may be inside
 * a system call of this kernel.  Threads bound to it are unbound only if
 * they are the caller; other threads must not use it again.
 * Returns 0, or EBUSY if kernel memory was still in use after teardown
 * (a kernel leak, reported on the console).
 */
int rump_kernel_halt(struct rump_kernel *k);

/* Bind the calling thread to kernel k, in its initial process (pid 1). */
int rump_kernel_enter(struct rump_kernel *k);
/* Unbind the calling thread from whatever kernel it is bound to. */
void rump_kernel_leave(void);
/* The kernel the calling thread is bound to, or NULL. */
struct rump_kernel *rump_kernel_current(void);

/* Statistics of a kernel. */
struct rump_kernel_stats {
	uint64_t	memused;	/* bytes of kernel memory in use */
	uint64_t	memlimit;
	uint64_t	memallocs;	/* live allocations */
	unsigned	nprocs;
	unsigned	nlwps;
	uint64_t	nchits;		/* name cache: lookups answered */
	uint64_t	ncmisses;	/* lookups the file system answered */
	unsigned	ncentries;
	unsigned	bufs;		/* buffer cache: buffers */
	unsigned	dirtybufs;	/* of which delayed writes */
	uint64_t	bufbytes;	/* bytes they hold */
	uint64_t	buflimit;	/* the buffer cache's bound */
	uint64_t	bufhits;	/* blocks found in the cache */
	uint64_t	bufmisses;	/* blocks that were not */
	unsigned	flusher;	/* 1 while the flusher thread runs */
};
void rump_kernel_stats(struct rump_kernel *k, struct rump_kernel_stats *st);

/*
 * The process-wide default kernel, for programs that want one kernel:
 * rump_init() boots it once and binds the calling thread; threads that
 * are bound to no kernel use it implicitly.  Returns 0 or an errno.
 */
int rump_init(void);
struct rump_kernel *rump_default_kernel(void);

/* lwproc: processes and their threads (NetBSD's vocabulary). */
#define RUMP_RFFDG	0x04	/* copy the parent's descriptor table */
#define RUMP_RFCFDG	0x08	/* start with an empty descriptor table */
/* neither flag: share the parent's descriptor table */

/*
 * Create a child of the current process with one lwp, and switch the
 * calling thread to it.  Returns 0 or an errno.
 */
int rump_lwproc_rfork(int flags);
/* Create a new lwp in process pid of the current kernel and switch to it. */
int rump_lwproc_newlwp(pid_t pid);
/* Switch the calling thread to lwp l (NULL: the kernel's implicit lwp). */
void rump_lwproc_switch(struct lwp *l);
/*
 * Release the current lwp; when it is its process's last, the process
 * exits (descriptors closed, children given to pid 1).  The thread is left
 * bound to no lwp: switch or enter before the next call.
 */
void rump_lwproc_releaselwp(void);
/*
 * execve(2)'s effect on the current process's descriptors: close those
 * marked close-on-exec.  Returns 0, or ENXIO with no current lwp.
 */
int rump_lwproc_execclose(void);
/*
 * Mark the current lwp as an event-loop thread (on != 0): a call that would
 * sleep fails with EAGAIN instead, as if the descriptor were non-blocking.
 */
void rump_lwproc_nosleep(int on);
/*
 * Readiness for event loops: call fn(arg) whenever an entry of epoll
 * instance epfd (a descriptor of the current process) becomes ready, so a
 * loop can collect with epoll_wait(epfd, ..., 0) instead of parking a
 * thread in it.  fn runs on whatever thread made the entry ready, with a
 * kernel lock held: it may only signal (uv_async_send, a futex, a pipe
 * write) and must not call into the kernel.  fn NULL removes the hook.
 * Returns 0, EBADF, or EINVAL (not an epoll instance, or no current lwp).
 */
int rump_epoll_notify(int epfd, void (*fn)(void *arg), void *arg);
/*
 * The calling thread's lwp.  The implicit lwp that rump_kernel_enter binds
 * is freed when the thread switches away: keep only lwps of processes made
 * with rump_lwproc_rfork (or switch back with rump_kernel_enter).
 */
struct lwp *rump_lwproc_curlwp(void);
pid_t rump_lwproc_getpid(void);

/*
 * Interrupt lwp l, from any thread: a call it is blocked in (pipe, socket,
 * FIFO, eventfd, poll, select, epoll, lock waits) returns EINTR, as do its
 * later blocking sleeps until it calls rump_lwproc_clearintr().  Disk I/O
 * is not interrupted.  l must stay alive during the call (its owner frees
 * it only after).  Returns 0 or EINVAL.
 */
int rump_lwproc_interrupt(struct lwp *l);
/* Clear the calling thread's lwp's interruption. */
void rump_lwproc_clearintr(void);

/*
 * Disks: a host file (or the byte range [offset, offset + size) of one, a
 * partition of an image) as a block device of 512-byte sectors, with its
 * node at kernel path key (e.g. "/dev/ld0") in the root file system.  The
 * disk stays until it is detached or the kernel halts.  Returns 0 or an
 * errno.
 */
#define RUMP_DISK_RDONLY	0x01
int rump_disk_attach(struct rump_kernel *k, const char *key,
    const char *hostpath, int flags);
int rump_disk_attach_range(struct rump_kernel *k, const char *key,
    const char *hostpath, int flags, uint64_t offset, uint64_t size);
/*
 * Detach the disk attached at key (or an etfs block device): its buffers
 * are written back, its node is removed (if it is still at key and still
 * names the disk) and the host file is closed.  EBUSY while it is mounted
 * or open, ENOENT when no disk has that key, EINVAL for an etfs regular
 * file, EIO when writing back failed (it stays attached).
 */
int rump_disk_detach(struct rump_kernel *k, const char *key);
/* Tests: the nth next read (or write) of the disk at key fails with EIO. */
#define RUMP_DISK_FAULT_READ	1
#define RUMP_DISK_FAULT_WRITE	2
int rump_disk_fault(struct rump_kernel *k, const char *key, int op,
    unsigned nth);
/*
 * etfs: host file hostpath at kernel path key, as a regular file whose
 * reads and writes go to the host file (RUMP_ETFS_REG), or as a block
 * device (RUMP_ETFS_BLK, as rump_disk_attach).
 */
#define RUMP_ETFS_REG		0
#define RUMP_ETFS_BLK		1
int rump_etfs_register(struct rump_kernel *k, const char *key,
    const char *hostpath, int type);

/*
 * Generic entry: run system call nr (the host's number) with up to six
 * register-sized arguments.  Returns 0 and fills retval, or an errno.
 * Does not touch the host's errno.
 */
int rump_syscall(long nr, const long *args, long *retval);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMP_H */

/*
 * librumphijack internals: configuration, the descriptor map and the
 * helpers the interposed functions share.  See docs/hijack.md.
 */
#ifndef HJ_INT_H
#define HJ_INT_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "hijack.h"

/* Library-private symbols stay out of the export list (exports.map). */
#define HJ_MAXBLANKET	8
#define HJ_DEFAULT_FDOFF 128	/* NetBSD's default: half its FD_SETSIZE */
#define HJ_MAPMAX	1024	/* host numbers that can name a kernel fd */
#define HJ_HIGHMAX	65536	/* host numbers tracked above fdoff */

/* RUMPHIJACK, parsed */
struct hj_config {
	char		path[PATH_MAX];		/* "" when none */
	size_t		pathlen;
	char		blanket[HJ_MAXBLANKET][PATH_MAX];
	unsigned	nblanket;
	unsigned	sockdomains;		/* bit per AF_* < 32 */
	int		fdoff;
};
extern struct hj_config hj_cfg;
int hj_config_parse(const char *s, struct hj_config *c);

/*
 * Where a path goes: HJ_HOST (unchanged), or HJ_KERNEL with the kernel's
 * path in out (PATH_MAX bytes).  Relative paths follow the cwd's side.
 */
enum hj_side { HJ_HOST, HJ_KERNEL };
enum hj_side hj_path_route(const char *path, char *out);
extern bool hj_kcwd;			/* the cwd is in the kernel */

/* descriptors */
int hj_kfd(long fd);			/* kernel fd behind fd, or -1 */
long hj_fd_export(long kfd);		/* a kernel fd as the program sees it */
void hj_fd_hostnew(long fd);		/* a host call returned fd */
bool hj_fd_guarded(long fd);		/* the library's own host fd */
void hj_fd_guard(long fd, bool on);
void hj_fd_unguard_local(void);		/* all but a client's connection */
long hj_close(long fd);
long hj_dup(long fd);
long hj_dup3(long oldfd, long newfd, int flags);
long hj_close_range(unsigned lo, unsigned hi, unsigned flags);
void hj_fd_envsave(char *buf, size_t len);	/* the map for an exec */
void hj_fd_envload(const char *s);
void hj_fd_forget_kernel(void);		/* the kernel is gone (local exec) */

void hj_stdio_mapped(int fd, bool on);	/* 0..2 name a kernel file */
void hj_stdio_flush(int fd);

/* the backend */
long hj_ksys(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
bool hj_ready(void);
int hj_init(void);
extern const struct hj_backend hj_local_backend;
const struct hj_backend *hj_remote_backend(void);	/* NULL: not built */
bool hj_remote_owns_fd(int fd);
int hj_local_boot(void);
void hj_local_halt(void);
bool hj_local_owns_fd(int fd);

long hj_route(long nr, const long *a);	/* hj_syscall, already inside */

/* mmap of kernel files */
long hj_sys_mmap(const long *a);
long hj_sys_munmap(long nr, const long *a);

/* multiplexing */
long hj_sys_poll(long nr, const long *a);
long hj_sys_epoll(long nr, const long *a);
void hj_epoll_closed(long fd);	/* a host fd closed */

/* process */
long hj_fork(void);
long hj_fork_raw(long nr, const long *a);	/* a trapped fork or clone */
pid_t hj_host_fork(void);		/* the host side of a backend's fork */
void hj_exit_prepare(void);
void hj_proc_init(void);		/* at start and in a fork's child */		/* before the process ends */
long hj_execve(const char *path, char *const argv[], char *const envp[]);

/* a call from an interposed function: -1 and errno on failure */
static inline long
hj_ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* whether the calling thread is already inside the library */
extern __thread unsigned hj_depth;
#define HJ_SYS(nr, a0, a1, a2, a3, a4, a5)				\
	hj_ret(hj_depth ? hj_inner((nr), (long)(a0), (long)(a1),	\
	    (long)(a2), (long)(a3), (long)(a4), (long)(a5)) :		\
	    hj_syscall((nr), (long)(a0), (long)(a1), (long)(a2),	\
	    (long)(a3), (long)(a4), (long)(a5)))

/*
 * A call the library itself makes through an interposed function (the
 * kernel's rumpuser, librumpclient): to the host, with the descriptors it
 * makes moved out of the program's way and guarded.
 */
long hj_inner(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

void hj_note(const char *msg);		/* one line on stderr */

#endif /* HJ_INT_H */

/*
 * librumpclient: system calls of a program served by a rumpkit kernel in
 * another process (a server started with k.serve() or `rumpkit serve`),
 * over the sysproxy wire protocol (docs/sysproxy.md).
 *
 * The calls keep the host's ABI (rule 3 of DESIGN.md): arguments are the
 * program's own, with Linux's constants and struct layouts, and errors are
 * Linux errno values.
 */
#ifndef RUMP_RUMPCLIENT_H
#define RUMP_RUMPCLIENT_H

#include <sys/types.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Connect to the server named by $RUMP_SERVER:
 *   unix://relative/path   unix:///absolute/path   tcp://host:port
 * The handshake makes one kernel process for this client (with the
 * client's uid and gids, unless the server keeps root).  When the process
 * was exec'ed by a client (rumpclient_exec), the connection and the
 * kernel process are taken over from the environment instead.
 * Returns 0, or -1 with errno set.
 */
int rumpclient_init(void);

/*
 * Any system call of the table (syscalls/table.mjs) by its host number
 * SYS_<name>, with the arguments as the program passed them: in-buffers
 * travel with the request, out-buffers come back with the reply, so a call
 * costs one round trip.  Same contract as the kernel's own rump_syscall():
 * returns 0 with the result in retval[0], or an errno (ENOSYS for a call
 * the wire does not carry).  Safe from any thread of the program: each
 * thread gets its own connection, bound to the same kernel process.
 */
int rumpclient_syscall(long nr, const long *args, long *retval);

/* The generated wrappers: rump_sys_open() and so on, over the wire. */
#include <rump/rump_syscalls.h>

/*
 * fork: the parent asks the kernel to fork its process and gets a cookie;
 * the child connects with it and inherits the kernel descriptors.
 */
struct rumpclient_fork;
struct rumpclient_fork *rumpclient_prefork(void);	/* NULL + errno */
int rumpclient_fork_init(struct rumpclient_fork *rf);	/* in the child */
void rumpclient_fork_cancel(struct rumpclient_fork *rf); /* host fork failed */
pid_t rumpclient_fork(void);		/* prefork, fork(2), fork_init */

/*
 * execve(2) that keeps the kernel process and its descriptors (except
 * close-on-exec ones) across the exec: the connection stays open and its
 * number travels in envp.  Returns only on failure (-1, errno).
 */
int rumpclient_exec(const char *path, char *const argv[], char *const envp[]);

/*
 * Whether host descriptor fd belongs to the client library itself (its
 * connections): a hijack layer keeps programs from closing or dup2'ing
 * over it.
 */
bool rumpclient_owns_fd(int fd);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMPCLIENT_H */

/*
 * The sysproxy server: serves a kernel's system calls to client programs
 * (librumpclient, librumphijack) over the wire protocol of
 * docs/sysproxy.md.  Requests are served by native threads, one per client
 * connection, each bound to that client's kernel process; the caller's
 * thread is never used for serving.
 */
#ifndef RUMP_SYSPROXY_H
#define RUMP_SYSPROXY_H

#include <rump/rump.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rump_sysproxy;

/* Clients' kernel processes stay root instead of taking the client's ids. */
#define RUMP_SP_KEEPROOT	0x01

/*
 * Listen on url and serve kernel k:
 *   unix:///absolute/path, unix://relative/path  (created with mode 0600;
 *       a client's process gets the client's uid and gids from SO_PEERCRED)
 *   tcp://host:port  (host "" or missing: 127.0.0.1; port 0: any free one)
 * The real address is in rump_sysproxy_url().  Returns 0 or an errno.
 */
int rump_sysproxy_start(struct rump_kernel *k, const char *url, int flags,
    struct rump_sysproxy **spp);
const char *rump_sysproxy_url(const struct rump_sysproxy *sp);

/*
 * Stop listening, end every client's connection (their kernel processes
 * exit and free what they held; calls blocked in the kernel are
 * interrupted), join the serving threads and remove a unix socket's node.
 * Must precede rump_kernel_halt().  Returns 0 or an errno.
 */
int rump_sysproxy_stop(struct rump_sysproxy *sp);

struct rump_sysproxy_stats {
	unsigned long	clients;	/* connections now open */
	unsigned long	accepted;	/* connections accepted in all */
	unsigned long	calls;		/* system calls served */
	unsigned long	dropped;	/* connections ended for malformed frames */
};
void rump_sysproxy_stats(const struct rump_sysproxy *sp,
    struct rump_sysproxy_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_SYSPROXY_H */

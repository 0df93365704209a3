/*
 * Socket I/O of the sysproxy ends, by raw system calls: librumpclient
 * lives inside librumphijack, whose interposed read, write, connect and
 * close would route the library's own calls back into it.
 */
#ifndef SYSPROXY_SP_IO_H
#define SYSPROXY_SP_IO_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sysproxy/sp_proto.h"

/* A system call: the result, or -errno.  Never goes through libc. */
long	sp_raw(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Bytes received on a connection: frames are cut from it in place. */
struct sp_rbuf {
	unsigned char	*buf;
	size_t		cap;
	size_t		have;		/* bytes in buf */
	size_t		next;		/* where the frame after this one starts */
};

/*
 * The next frame, in rb->buf[0..hdr->len).  spin: how many times to try
 * without sleeping first.  Returns 0, -EPIPE at the end of the stream,
 * -EBADMSG for a frame whose length is impossible, -EINTR (call again:
 * nothing is lost), or another -errno.
 */
int	sp_recv_frame(int fd, struct sp_rbuf *rb, int spin);
void	sp_rbuf_fini(struct sp_rbuf *rb);

/* Send a built message whole.  Returns 0 or -errno. */
int	sp_send_msg(int fd, struct sp_msg *m);
/* Send bytes whole.  Returns 0 or -errno. */
int	sp_send_all(int fd, const void *p, size_t n);

#endif /* SYSPROXY_SP_IO_H */

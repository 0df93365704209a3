/*
 * Pipes and FIFOs: a 64 KiB ring with its own lock; writes of up to
 * PIPE_BUF bytes are atomic.  An anonymous pipe's two descriptors each hold
 * one end; a FIFO's pipe hangs off its vnode while any end is open.
 */
#ifndef SYS_PIPE_H
#define SYS_PIPE_H

#include "sys/systm.h"
#include "sys/mutex.h"
#include "sys/selinfo.h"

struct uio;
struct stat;

struct pipe {
	struct rump_kernel *pipe_kernel;
	kmutex_t	pipe_lock;
	kcondvar_t	pipe_cv;	/* data, room, or an end came or went */
	char		*pipe_buf;	/* allocated on first write */
	size_t		pipe_cap;
	size_t		pipe_head;	/* where the next read starts */
	size_t		pipe_len;	/* bytes buffered */
	int		pipe_readers;	/* read ends open */
	int		pipe_writers;	/* write ends open */
	unsigned	pipe_wgen;	/* counts writers' arrivals (FIFO opens) */
	unsigned	pipe_rgen;
	struct selinfo	pipe_sel;
	struct timespec	pipe_atime, pipe_mtime, pipe_ctime;
};

int	pipe_create(struct rump_kernel *k, struct pipe **pp);
void	pipe_destroy(struct pipe *pp);
/* An end opens (for FIFOs) or closes; destroys the pipe after the last. */
void	pipe_open_end(struct pipe *pp, int fflag);
bool	pipe_close_end(struct pipe *pp, int fflag);
int	pipe_read(struct pipe *pp, struct uio *uio, bool nonblock);
int	pipe_write(struct pipe *pp, struct uio *uio, bool nonblock);
int	pipe_poll(struct pipe *pp, int fflag, int events, struct pollctx *pc);
size_t	pipe_nread(struct pipe *pp);

#endif

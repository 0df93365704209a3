/*
 * Differential tests against Linux: epoll over pipes, FIFOs, eventfds and
 * nested epoll instances.  Level and edge triggering, one-shot entries and
 * their re-arming, removal, the errors of epoll_create/ctl/wait, EPOLLHUP
 * and EPOLLERR when a pipe's other end goes, entries kept by a file that is
 * still open under another descriptor, the order of reports when maxevents
 * cuts them short.  See posix_diff.h; the events reported are compared
 * through N_EV (events and data of each, in order).
 */
#include "posix_diff.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* The epoll_event at AUX (the argument of epoll_ctl). */
#define EV		AUX
#define EVP		AUXP(struct epoll_event)
/* A second area, past the first, for poll(2)'s array. */
#define AUX2		(AUX + 64)
#define AUX2P(type)	((type *)(void *)(ctx->buf + PD_AUXOFF + 64))

static void
setev(struct ctx *ctx, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	memcpy(EVP, &ev, sizeof(ev));
}

/* epoll_ctl(ep, op, fd) with events and data. */
#define CTL(ep, op, fd, events, data) do {				\
	setev(ctx, (events), (data));					\
	S(SYS_epoll_ctl, (ep), (op), (fd), EV);				\
} while (0)

/* poll(2)'s one pollfd at AUX2 */
static size_t
N_PFD(struct ctx *c, long ret, unsigned char *out)
{
	(void)ret;
	memcpy(out, c->buf + PD_AUXOFF + 64, sizeof(struct pollfd));
	return sizeof(struct pollfd);
}

#define WAIT(ep, max, tmo)	SN(N_EV, SYS_epoll_wait, (ep), BUF, (max), (tmo))

static void
scen_epoll_errors(struct ctx *ctx)
{
	S(SYS_epoll_create, 0);				/* EINVAL */
	S(SYS_epoll_create, -1);
	S(SYS_epoll_create, 1);				/* 0 */
	S(SYS_epoll_create1, 1);			/* EINVAL */
	S(SYS_epoll_create1, EPOLL_CLOEXEC | O_NONBLOCK);
	S(SYS_epoll_create1, EPOLL_CLOEXEC);		/* 1 */
	S(SYS_fcntl, 0, F_GETFD);
	S(SYS_fcntl, 1, F_GETFD);
	S(SYS_fcntl, 1, F_GETFL);
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 2, 3 */
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLIN, 0x1122334455667788ull);
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLIN, 1);		/* EEXIST */
	CTL(0, EPOLL_CTL_MOD, 3, EPOLLOUT, 1);		/* ENOENT */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 3, 0);	/* ENOENT */
	CTL(0, EPOLL_CTL_ADD, 0, EPOLLIN, 1);		/* epfd == fd: EINVAL */
	CTL(2, EPOLL_CTL_ADD, 3, EPOLLOUT, 1);		/* not an epoll: EINVAL */
	CTL(99, EPOLL_CTL_ADD, 2, EPOLLIN, 1);		/* EBADF */
	CTL(0, EPOLL_CTL_ADD, 99, EPOLLIN, 1);
	CTL(-1, EPOLL_CTL_ADD, 2, EPOLLIN, 1);
	CTL(0, 99, 2, EPOLLIN, 1);			/* no such op: EINVAL */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_ADD, 3, 0);	/* EFAULT */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_MOD, 2, 0);
	S(SYS_epoll_ctl, 0, 99, 2, 0);
	S(SYS_open, "f", O_RDWR | O_CREAT, 0644);	/* 4 */
	CTL(0, EPOLL_CTL_ADD, 4, EPOLLIN, 1);		/* a regular file: EPERM */
	CTL(4, EPOLL_CTL_ADD, 2, EPOLLIN, 1);		/* EINVAL */
	CTL(4, EPOLL_CTL_ADD, 4, EPOLLIN, 1);		/* EPERM first */
	S(SYS_mkdir, "d", 0755);
	S(SYS_open, "d", O_RDONLY | O_DIRECTORY);	/* 5 */
	CTL(0, EPOLL_CTL_ADD, 5, EPOLLIN, 1);		/* EPERM */
	S(SYS_close, 5);
	S(SYS_open, "/dev/null", O_RDWR);		/* 5 */
	CTL(0, EPOLL_CTL_ADD, 5, EPOLLIN, 1);		/* no poll: EPERM */
	S(SYS_close, 5);
	S(SYS_open, "f", O_PATH);			/* 5 */
	CTL(0, EPOLL_CTL_ADD, 5, EPOLLIN, 1);		/* EBADF */
	CTL(5, EPOLL_CTL_ADD, 2, EPOLLIN, 1);
	S(SYS_close, 5);
	/* EPOLLEXCLUSIVE: ADD only, with in/out/err/hup/et only, no epoll */
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLOUT | EPOLLEXCLUSIVE, 3);
	CTL(0, EPOLL_CTL_MOD, 3, EPOLLOUT, 3);		/* EINVAL */
	CTL(0, EPOLL_CTL_MOD, 3, EPOLLOUT | EPOLLEXCLUSIVE, 3);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 3, 0);
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 3);
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLOUT | EPOLLEXCLUSIVE | EPOLLRDHUP, 3);
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLOUT | EPOLLEXCLUSIVE | EPOLLET, 3);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN | EPOLLEXCLUSIVE, 3);	/* an epoll */
	CTL(0, EPOLL_CTL_MOD, 2, EPOLLIN | EPOLLEXCLUSIVE, 3);
	/* epoll_wait */
	WAIT(0, 0, 0);					/* EINVAL */
	WAIT(0, -1, 0);
	WAIT(0, 0x7fffffff, 0);
	WAIT(2, 4, 0);					/* not an epoll */
	WAIT(4, 4, 0);
	WAIT(99, 4, 0);					/* EBADF */
	WAIT(0, 4, 0);					/* the write end */
	S(SYS_epoll_wait, 0, 0, 4, 0);			/* none ready: 0 */
	S(SYS_epoll_wait, 0, -4096L, 4, 0);		/* outside: EFAULT */
	S(SYS_epoll_wait, 99, -4096L, 4, 0);		/* EBADF first */
	S(SYS_epoll_wait, 1, 0, 4, 0);			/* nothing ready: 0 */
	S(SYS_epoll_wait, 1, -4096L, 4, 0);
	S(SYS_epoll_wait, 1, -4096L, 4, 10);
	S(SYS_epoll_wait, 2, -4096L, 4, 0);		/* not an epoll */
	S(SYS_epoll_wait, 1, 0x7fffffffe000L, 1000, 0);	/* ends outside */
	S(SYS_write, 3, "x", 1);
	S(SYS_epoll_wait, 0, 0, 4, 0);			/* EFAULT, nothing lost */
	WAIT(0, 4, 0);
	memset(AUX2P(char), 0, 16);
	SN(N_EV, SYS_epoll_pwait, 0, BUF, 4, 0, AUX2, 7);	/* EINVAL */
	SN(N_EV, SYS_epoll_pwait, 0, BUF, 4, 0, AUX2, 8);
	SN(N_EV, SYS_epoll_pwait, 0, BUF, 4, 0, 0, 7);
	SN(N_EV, SYS_epoll_pwait, 0, BUF, 0, 0, AUX2, 7);	/* EINVAL first */
	/* the instance's own file */
	S(SYS_read, 0, BUF, 8);				/* EINVAL */
	S(SYS_write, 0, "12345678", 8);
	S(SYS_lseek, 0, 0, SEEK_CUR);
	S(SYS_ioctl, 0, FIONREAD, BUF);
	S(SYS_dup, 0);					/* 5 */
	CTL(0, EPOLL_CTL_ADD, 5, EPOLLIN, 5);		/* the same file: EINVAL */
	CTL(5, EPOLL_CTL_ADD, 0, EPOLLIN, 5);
	S(SYS_close, 5);
	/* DEL ignores its event; then the descriptor is watched no more */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 2, 0);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 2, 0);	/* ENOENT */
	WAIT(0, 4, 0);
}

static void
scen_epoll_loops(struct ctx *ctx)
{
	for (int i = 0; i < 7; i++)
		S(SYS_epoll_create1, 0);		/* 0 … 6 */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	CTL(1, EPOLL_CTL_ADD, 0, EPOLLIN, 0);		/* a cycle: ELOOP */
	CTL(1, EPOLL_CTL_ADD, 2, EPOLLIN, 2);
	CTL(2, EPOLL_CTL_ADD, 0, EPOLLIN, 0);		/* a longer cycle */
	CTL(2, EPOLL_CTL_ADD, 1, EPOLLIN, 0);
	CTL(2, EPOLL_CTL_ADD, 3, EPOLLIN, 3);
	CTL(3, EPOLL_CTL_ADD, 4, EPOLLIN, 4);		/* five deep */
	CTL(4, EPOLL_CTL_ADD, 5, EPOLLIN, 5);		/* six: ELOOP */
	CTL(5, EPOLL_CTL_ADD, 6, EPOLLIN, 6);
	CTL(5, EPOLL_CTL_ADD, 0, EPOLLIN, 6);		/* six the other way */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 1, 0);
	CTL(1, EPOLL_CTL_ADD, 0, EPOLLIN, 0);		/* no cycle now */
	S(SYS_close, 4);
	CTL(3, EPOLL_CTL_ADD, 5, EPOLLIN, 5);
}

static void
scen_epoll_pipe_triggers(struct ctx *ctx)
{
	S(SYS_epoll_create1, 0);			/* 0 */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 1, 2 */
	WAIT(0, 8, 0);					/* empty */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLOUT | EPOLLET, 2);
	WAIT(0, 8, 0);					/* the write end */
	WAIT(0, 8, 0);					/* edge: once */
	S(SYS_write, 2, "abc", 3);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);					/* level: again */
	WAIT(0, 1, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN | EPOLLET, 11);
	WAIT(0, 8, 0);					/* MOD re-polls */
	WAIT(0, 8, 0);
	SO(1, SYS_read, 1, BUF, 1);
	WAIT(0, 8, 0);					/* a read is no edge */
	S(SYS_write, 2, "d", 1);
	WAIT(0, 8, 0);					/* a write is */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 2, EPOLLOUT, 22);		/* level now */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 2, EPOLLOUT | EPOLLIN | EPOLLRDHUP | EPOLLPRI, 23);
	WAIT(0, 8, 0);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 2, 0);
	S(SYS_close, 2);				/* the last writer */
	WAIT(0, 8, 0);					/* IN|HUP, once */
	WAIT(0, 8, 0);
	SO(3, SYS_read, 1, BUF, 8);
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN, 12);
	WAIT(0, 8, 0);					/* HUP */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, 0, 13);		/* HUP is always asked */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLOUT, 14);
	WAIT(0, 8, 0);
	/* a full pipe: the reader's read is the writer's edge */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 2, 3 */
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLOUT | EPOLLET, 3);
	WAIT(0, 8, 0);
	for (int i = 0; i < 16; i++)
		PREP(SYS_write, 3, ctx->buf + 4096, 4096);
	S(SYS_write, 3, "x", 1);			/* EAGAIN */
	WAIT(0, 8, 0);
	S(SYS_read, 2, BUF, 4096);
	WAIT(0, 8, 0);					/* room again */
	WAIT(0, 8, 0);
	S(SYS_read, 2, BUF, 4096);			/* more room: no edge */
	WAIT(0, 8, 0);
	S(SYS_close, 2);				/* no reader: ERR */
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 3, 0, 4);
	WAIT(0, 8, 0);					/* ERR alone */
}

static void
scen_epoll_eventfd(struct ctx *ctx)
{
	uint64_t one = 1, two = 2;

	S(SYS_epoll_create1, 0);			/* 0 */
	S(SYS_eventfd2, 0, EFD_NONBLOCK);		/* 1 */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN | EPOLLOUT, 1);
	WAIT(0, 8, 0);
	S(SYS_write, 1, &one, 8);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN | EPOLLOUT | EPOLLET, 2);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	S(SYS_write, 1, &two, 8);
	WAIT(0, 8, 0);
	SO(8, SYS_read, 1, BUF, 8);
	WAIT(0, 8, 0);					/* the read: OUT */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN | EPOLLET, 3);
	WAIT(0, 8, 0);					/* not readable */
	S(SYS_write, 1, &one, 8);
	WAIT(0, 8, 0);
	SO(8, SYS_read, 1, BUF, 8);
	WAIT(0, 8, 0);					/* a read is no IN edge */
	S(SYS_write, 1, &one, 8);
	S(SYS_write, 1, &one, 8);
	WAIT(0, 8, 0);					/* two writes, one report */
	/* a semaphore eventfd, level-triggered */
	S(SYS_eventfd2, 2, EFD_NONBLOCK | EFD_SEMAPHORE);	/* 2 */
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLIN, 20);
	WAIT(0, 8, 0);
	SO(8, SYS_read, 2, BUF, 8);
	WAIT(0, 8, 0);
	SO(8, SYS_read, 2, BUF, 8);
	WAIT(0, 8, 0);
	S(SYS_close, 1);				/* its entry goes */
	S(SYS_write, 2, &one, 8);
	WAIT(0, 8, 0);
}

static void
scen_epoll_oneshot(struct ctx *ctx)
{
	S(SYS_epoll_create1, 0);			/* 0 */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 1, 2 */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN | EPOLLONESHOT, 1);
	WAIT(0, 8, 0);
	S(SYS_write, 2, "a", 1);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);					/* disarmed */
	S(SYS_write, 2, "b", 1);
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);		/* still there: EEXIST */
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN | EPOLLONESHOT, 2);	/* re-armed */
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN | EPOLLONESHOT | EPOLLET, 3);
	WAIT(0, 8, 0);
	S(SYS_close, 2);				/* HUP: but disarmed */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN, 4);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 1, 0);
	WAIT(0, 8, 0);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 1, 0);	/* ENOENT */
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN, 5);		/* ENOENT */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN | EPOLLONESHOT, 6);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
}

static void
scen_epoll_hup_err(struct ctx *ctx)
{
	S(SYS_epoll_create1, 0);			/* 0 */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 1, 2 */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 3, 4 */
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLOUT, 2);
	CTL(0, EPOLL_CTL_ADD, 3, 0, 3);			/* ERR and HUP only */
	CTL(0, EPOLL_CTL_ADD, 4, EPOLLIN, 4);		/* a write end, asked IN */
	WAIT(0, 8, 0);
	S(SYS_close, 1);				/* 2 loses its reader */
	WAIT(0, 8, 0);
	S(SYS_close, 4);				/* 3 loses its writer */
	WAIT(0, 8, 0);
	S(SYS_write, 2, "x", 1);			/* EPIPE */
	WAIT(0, 8, 0);
	S(SYS_close, 2);
	S(SYS_close, 3);
	WAIT(0, 8, 0);					/* nothing left */
	/* a FIFO */
	S(SYS_mknod, "p", S_IFIFO | 0644, 0);
	S(SYS_open, "p", O_RDONLY | O_NONBLOCK);	/* 1 */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN | EPOLLET, 1);
	WAIT(0, 8, 0);					/* never had a writer */
	S(SYS_open, "p", O_WRONLY | O_NONBLOCK);	/* 2 */
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLOUT, 2);
	WAIT(0, 8, 0);
	S(SYS_write, 2, "fifo", 4);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	S(SYS_close, 2);
	WAIT(0, 8, 0);
	SO(4, SYS_read, 1, BUF, 8);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN, 1);
	WAIT(0, 8, 0);
}

static void
scen_epoll_nested(struct ctx *ctx)
{
	struct pollfd *pfd = AUX2P(struct pollfd);

	S(SYS_epoll_create1, 0);			/* 0: outer */
	S(SYS_epoll_create1, 0);			/* 1: inner */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 2, 3 */
	CTL(1, EPOLL_CTL_ADD, 2, EPOLLIN, 2);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	WAIT(0, 8, 0);
	pfd->fd = 1;
	pfd->events = POLLIN | POLLOUT;
	pfd->revents = 0;
	SN(N_PFD, SYS_poll, AUX2, 1, 0);
	S(SYS_write, 3, "x", 1);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);					/* inner still ready */
	SN(N_PFD, SYS_poll, AUX2, 1, 0);
	WAIT(1, 8, 0);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN | EPOLLET, 11);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);					/* edge consumed */
	S(SYS_write, 3, "y", 1);			/* an edge through both */
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	SO(2, SYS_read, 2, BUF, 8);
	CTL(0, EPOLL_CTL_MOD, 1, EPOLLIN, 12);
	WAIT(0, 8, 0);					/* inner not ready now */
	/* the inner entry edge-triggered: polling the inner is no report */
	CTL(1, EPOLL_CTL_MOD, 2, EPOLLIN | EPOLLET, 21);
	S(SYS_write, 3, "z", 1);
	WAIT(0, 8, 0);
	WAIT(0, 8, 0);
	WAIT(1, 8, 0);
	WAIT(0, 8, 0);					/* reported: gone */
	/* three levels, and the inner one closed under the outer */
	S(SYS_epoll_create1, 0);			/* 4: outermost */
	CTL(4, EPOLL_CTL_ADD, 0, EPOLLIN | EPOLLOUT, 0);
	S(SYS_write, 3, "w", 1);
	WAIT(4, 8, 0);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 1, 0);
	WAIT(4, 8, 0);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	WAIT(4, 8, 0);
	S(SYS_close, 1);				/* the inner goes */
	WAIT(4, 8, 0);
	WAIT(0, 8, 0);
}

static void
scen_epoll_dup_close(struct ctx *ctx)
{
	S(SYS_epoll_create1, 0);			/* 0 */
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 1, 2 */
	S(SYS_dup, 1);					/* 3 */
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLIN, 3);		/* the same file, another fd */
	S(SYS_close, 1);				/* the file stays open */
	S(SYS_write, 2, "x", 1);
	WAIT(0, 8, 0);					/* both entries */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 1, 0);	/* fd 1 is gone: EBADF */
	S(SYS_dup2, 3, 1);				/* fd 1 again, same file */
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 1, 0);	/* the old entry */
	WAIT(0, 8, 0);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 10);		/* deleted: added again */
	S(SYS_close, 1);
	S(SYS_close, 3);				/* the last: entries go */
	WAIT(0, 8, 0);
	S(SYS_pipe2, BUF, O_NONBLOCK);			/* 1, 3: new files */
	S(SYS_write, 3, "x", 1);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 100);
	WAIT(0, 8, 0);
	/* the instance lives while a descriptor has it */
	S(SYS_dup, 0);					/* 4 */
	S(SYS_close, 0);
	WAIT(4, 8, 0);
	CTL(4, EPOLL_CTL_ADD, 3, EPOLLOUT, 103);
	WAIT(4, 8, 0);
}

static void
scen_epoll_order_timeouts(struct ctx *ctx)
{
	S(SYS_epoll_create1, 0);			/* 0 */
	for (int i = 0; i < 3; i++)
		S(SYS_pipe2, BUF, O_NONBLOCK);		/* 1,2 3,4 5,6 */
	CTL(0, EPOLL_CTL_ADD, 2, EPOLLOUT, 2);
	CTL(0, EPOLL_CTL_ADD, 4, EPOLLOUT, 4);
	CTL(0, EPOLL_CTL_ADD, 6, EPOLLOUT, 6);
	WAIT(0, 2, 0);					/* 2, 4 */
	WAIT(0, 2, 0);					/* 6, 2 */
	WAIT(0, 8, 0);
	WAIT(0, 1, 0);
	CTL(0, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	CTL(0, EPOLL_CTL_ADD, 5, EPOLLIN, 5);
	CTL(0, EPOLL_CTL_ADD, 3, EPOLLIN, 3);
	S(SYS_write, 6, "x", 1);
	S(SYS_write, 2, "x", 1);
	WAIT(0, 8, 0);
	WAIT(0, 3, 0);
	S(SYS_epoll_ctl, 0, EPOLL_CTL_DEL, 4, 0);
	WAIT(0, 8, 0);
	/* timeouts: nothing ready */
	S(SYS_epoll_create1, 0);			/* 7 */
	WAIT(7, 8, 0);
	WAIT(7, 8, 10);
	SN(N_EV, SYS_epoll_pwait, 7, BUF, 8, 10, 0, 8);
	CTL(7, EPOLL_CTL_ADD, 1, EPOLLIN, 1);
	WAIT(7, 8, -1);					/* ready: no wait */
	WAIT(7, 8, 10);
}

DIFF(epoll_errors)
DIFF(epoll_loops)
DIFF(epoll_pipe_triggers)
DIFF(epoll_eventfd)
DIFF(epoll_oneshot)
DIFF(epoll_hup_err)
DIFF(epoll_nested)
DIFF(epoll_dup_close)
DIFF(epoll_order_timeouts)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_epoll_errors),
	T(diff_epoll_loops),
	T(diff_epoll_pipe_triggers),
	T(diff_epoll_eventfd),
	T(diff_epoll_oneshot),
	T(diff_epoll_hup_err),
	T(diff_epoll_nested),
	T(diff_epoll_dup_close),
	T(diff_epoll_order_timeouts),
	T(totals),
)

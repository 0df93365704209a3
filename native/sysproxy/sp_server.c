/*
 * The sysproxy server (rump_sysproxy.h): a listener and watcher thread,
 * and one thread per client connection bound to the client's kernel
 * process.  The watcher accepts connections, notices a client that hangs
 * up or sends INTERRUPT while its call sleeps in the kernel (and
 * interrupts that call), reaps forked children nobody claimed, and joins
 * connection threads that ended.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rump_sysproxy.h>

#include "sysproxy/sp_io.h"
#include "sysproxy/sp_listen.h"
#include "sysproxy/sp_server.h"

#define FORK_TIMEOUT_NS	(30ull * 1000000000ull)
#define NOBODY		65534
/*
 * Non-blocking receives tried before a connection thread sleeps.  None:
 * unlike native/net's spin on memory, each try here is a system call, and
 * on this 2-core host 64 tries made a round trip 4× slower, 4 no better.
 */
#define SPIN		0
#define TICK_MS		50	/* the watcher's round while clients are connected */
#define ARM_AFTER_NS	(20ull * 1000000ull)	/* a call this old is watched */

/* A kernel process serving one client program (its connections). */
struct sp_proc {
	pid_t		pid;
	uint8_t		token[SP_TOKEN];
	pthread_mutex_t	lock;		/* nconn, and the lwps' births/deaths */
	int		nconn;
	int		refs;		/* sp->lock */
	struct sp_proc	*next;
};

/* A forked child waiting for its connection. */
struct sp_pending {
	uint8_t		cookie[SP_TOKEN];
	struct lwp	*l;
	uint64_t	deadline;
	struct sp_pending *next;
};

struct sp_conn {
	struct rump_sysproxy *sp;
	int		fd;
	bool		tcp;
	pthread_t	thread;
	struct lwp	*l;		/* NULL until the handshake */
	struct sp_proc	*proc;
	pthread_mutex_t	lock;		/* inflight, armed; reads while inflight */
	bool		inflight;	/* a call may sleep in the kernel */
	bool		armed;		/* the watcher watches the socket */
	bool		interrupted;	/* the lwp was interrupted in this call */
	uint64_t	since;		/* when the call in flight started */
	atomic_bool	done;
	struct sp_rbuf	rb;
	struct sp_call	call;
	struct sp_msg	msg;
	bool		nosleep;	/* the fuzzer's: never sleep in the kernel */
	struct sp_conn	*next;
};

struct rump_sysproxy {
	struct rump_kernel *k;
	int		flags;
	struct sp_listener li;		/* its socket, address and node */
	int		epfd, evfd;
	pthread_t	watcher;
	pthread_mutex_t	lock;
	struct sp_conn	*conns;
	struct sp_proc	*procs;
	struct sp_pending *pending;
	atomic_bool	stopping;
	atomic_ulong	nclients, accepted, calls, dropped;
};

/* Interrupt the call lwp l sleeps in; c->lock held, the call in flight. */
static void
interrupt_call(struct sp_conn *c)
{
	if (c->l != NULL && rump_lwproc_interrupt(c->l) == 0)
		c->interrupted = true;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
random_bytes(uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
		}
	}
}

static void
wake_watcher(struct rump_sysproxy *sp)
{
	uint64_t one = 1;

	(void)!write(sp->evfd, &one, sizeof(one));
}

/* ------------------------------------------------------------ processes */

static struct sp_proc *
proc_new(struct rump_sysproxy *sp, pid_t pid)
{
	struct sp_proc *pr = calloc(1, sizeof(*pr));

	if (pr == NULL)
		return NULL;
	pr->pid = pid;
	random_bytes(pr->token, sizeof(pr->token));
	pthread_mutex_init(&pr->lock, NULL);
	pr->nconn = 1;
	pr->refs = 1;
	pthread_mutex_lock(&sp->lock);
	pr->next = sp->procs;
	sp->procs = pr;
	pthread_mutex_unlock(&sp->lock);
	return pr;
}

static void
proc_unref(struct rump_sysproxy *sp, struct sp_proc *pr)
{
	struct sp_proc **pp;
	bool last;

	pthread_mutex_lock(&sp->lock);
	if ((last = --pr->refs == 0))
		for (pp = &sp->procs; *pp != NULL; pp = &(*pp)->next)
			if (*pp == pr) {
				*pp = pr->next;
				break;
			}
	pthread_mutex_unlock(&sp->lock);
	if (last) {
		pthread_mutex_destroy(&pr->lock);
		free(pr);
	}
}

/* The connection's lwp goes; the process exits with its last one. */
static void
conn_release(struct sp_conn *c)
{
	if (c->l == NULL)
		return;
	pthread_mutex_lock(&c->proc->lock);
	rump_lwproc_switch(c->l);
	rump_lwproc_releaselwp();
	c->l = NULL;
	c->proc->nconn--;
	pthread_mutex_unlock(&c->proc->lock);
	proc_unref(c->sp, c->proc);
	c->proc = NULL;
}

/* Give the new process the client's identity (SO_PEERCRED). */
static int
set_creds(struct sp_conn *c)
{
	gid_t groups[256];
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int ngroups = 0;

	if (c->sp->flags & RUMP_SP_KEEPROOT)
		return 0;
	if (c->tcp) {
		/* no credentials travel over tcp: nobody */
		uc.uid = NOBODY;
		uc.gid = NOBODY;
		groups[ngroups++] = NOBODY;
	} else {
		if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0)
			return errno;
		len = sizeof(groups);
		if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
			ngroups = (int)(len / sizeof(gid_t));
	}
	if (rump_sys_setgroups(ngroups, groups) != 0 ||
	    rump_sys_setresgid(uc.gid, uc.gid, uc.gid) != 0 ||
	    rump_sys_setresuid(uc.uid, uc.uid, uc.uid) != 0)
		return errno;
	return 0;
}

static int
join_new(struct sp_conn *c)
{
	int error;

	if ((error = rump_kernel_enter(c->sp->k)) != 0 ||
	    (error = rump_lwproc_rfork(RUMP_RFCFDG)) != 0)
		return error;
	c->l = rump_lwproc_curlwp();
	if ((c->proc = proc_new(c->sp, rump_lwproc_getpid())) == NULL) {
		rump_lwproc_releaselwp();
		c->l = NULL;
		return ENOMEM;
	}
	if ((error = set_creds(c)) != 0)
		conn_release(c);
	return error;
}

static int
join_fork(struct sp_conn *c, const uint8_t *cookie)
{
	struct rump_sysproxy *sp = c->sp;
	struct sp_pending **pp, *pe = NULL;

	pthread_mutex_lock(&sp->lock);
	for (pp = &sp->pending; *pp != NULL; pp = &(*pp)->next)
		if (memcmp((*pp)->cookie, cookie, SP_TOKEN) == 0) {
			pe = *pp;
			*pp = pe->next;
			break;
		}
	pthread_mutex_unlock(&sp->lock);
	if (pe == NULL)
		return ESRCH;
	rump_lwproc_switch(pe->l);
	c->l = pe->l;
	free(pe);
	if ((c->proc = proc_new(sp, rump_lwproc_getpid())) == NULL) {
		rump_lwproc_releaselwp();
		c->l = NULL;
		return ENOMEM;
	}
	return 0;
}

static int
join_attach(struct sp_conn *c, pid_t pid, const uint8_t *token)
{
	struct rump_sysproxy *sp = c->sp;
	struct sp_proc *pr;
	int error = ESRCH;

	pthread_mutex_lock(&sp->lock);
	for (pr = sp->procs; pr != NULL; pr = pr->next)
		if (pr->pid == pid && memcmp(pr->token, token, SP_TOKEN) == 0)
			break;
	if (pr != NULL)
		pr->refs++;
	pthread_mutex_unlock(&sp->lock);
	if (pr == NULL)
		return ESRCH;
	pthread_mutex_lock(&pr->lock);
	if (pr->nconn > 0 && (error = rump_kernel_enter(sp->k)) == 0 &&
	    (error = rump_lwproc_newlwp(pid)) == 0) {
		pr->nconn++;
		c->l = rump_lwproc_curlwp();
		c->proc = pr;
	}
	pthread_mutex_unlock(&pr->lock);
	if (error != 0) {
		rump_kernel_leave();
		proc_unref(sp, pr);
	}
	return error;
}

/* ------------------------------------------------------------ serving */

static int
handshake(struct sp_conn *c)
{
	struct sp_welcome w = { SP_MAGIC, SP_VERSION, SP_TABLE_SUM, 0, 0, { 0 }, 0 };
	struct sp_hdr h, rh = { sizeof(rh) + sizeof(w), SP_T_HELLO_REPLY, 0, 0, 0 };
	struct sp_hello hi;
	unsigned char out[sizeof(rh) + sizeof(w)];
	int error;

	do
		error = sp_recv_frame(c->fd, &c->rb, 0);
	while (error == -EINTR);
	if (error != 0)
		return error == -EBADMSG ? SP_BAD : -1;
	memcpy(&h, c->rb.buf, sizeof(h));
	if (h.type != SP_T_HELLO || h.len != sizeof(h) + sizeof(hi) ||
	    h.flags != 0)
		return SP_BAD;
	memcpy(&hi, c->rb.buf + sizeof(h), sizeof(hi));
	if (hi.magic != SP_MAGIC)
		return SP_BAD;
	if (hi.version != SP_VERSION || hi.tablesum != SP_TABLE_SUM)
		w.error = EPROTONOSUPPORT;
	else if (hi.op == SP_OP_NEW)
		w.error = join_new(c);
	else if (hi.op == SP_OP_FORK)
		w.error = join_fork(c, hi.cookie);
	else if (hi.op == SP_OP_ATTACH)
		w.error = join_attach(c, hi.pid, hi.cookie);
	else
		return SP_BAD;
	if (w.error == 0) {
		w.pid = c->proc->pid;
		memcpy(w.token, c->proc->token, SP_TOKEN);
	}
	memcpy(out, &rh, sizeof(rh));
	memcpy(out + sizeof(rh), &w, sizeof(w));
	if (sp_send_all(c->fd, out, sizeof(out)) != 0 || w.error != 0)
		return -1;
	return 0;
}

/* FORK: the client's process forks into a child waiting for its cookie. */
static int
do_fork(struct sp_conn *c, uint8_t *cookie)
{
	struct rump_sysproxy *sp = c->sp;
	struct sp_pending *pe = calloc(1, sizeof(*pe));
	int error;

	if (pe == NULL)
		return ENOMEM;
	if ((error = rump_lwproc_rfork(RUMP_RFFDG)) != 0) {
		free(pe);
		return error;
	}
	pe->l = rump_lwproc_curlwp();
	rump_lwproc_switch(c->l);
	random_bytes(pe->cookie, SP_TOKEN);
	memcpy(cookie, pe->cookie, SP_TOKEN);
	pe->deadline = now_ns() + FORK_TIMEOUT_NS;
	pthread_mutex_lock(&sp->lock);
	pe->next = sp->pending;
	sp->pending = pe;
	pthread_mutex_unlock(&sp->lock);
	wake_watcher(sp);
	return 0;
}

/*
 * A call that may sleep is in flight (on) or over.  The watcher arms a
 * watch on the socket once the call has run a while (see arm_slow), so a
 * call that returns soon costs no system call here.
 */
static void
inflight(struct sp_conn *c, bool on)
{
	pthread_mutex_lock(&c->lock);
	c->inflight = on;
	if (on) {
		c->since = now_ns();
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (c->armed) {
		c->armed = false;
		(void)epoll_ctl(c->sp->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	}
	/* an interruption is the call's: the next one starts clean */
	if (c->interrupted) {
		c->interrupted = false;
		rump_lwproc_clearintr();
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * The client may send its INTERRUPT right behind the call (a signal at
 * once): then one read took both, and the frame sits in our buffer, where
 * the watcher cannot see it.  Take it out and interrupt the call before it
 * starts.  Only bytes after the call's own frame move.
 */
static void
take_early_interrupt(struct sp_conn *c)
{
	struct sp_rbuf *rb = &c->rb;
	struct sp_hdr h;

	if (rb->have - rb->next < sizeof(h))
		return;
	memcpy(&h, rb->buf + rb->next, sizeof(h));
	if (h.type != SP_T_INTERRUPT || h.len != sizeof(h) || h.flags != 0 ||
	    h.spare != 0)
		return;
	memmove(rb->buf + rb->next, rb->buf + rb->next + sizeof(h),
	    rb->have - rb->next - sizeof(h));
	rb->have -= sizeof(h);
	pthread_mutex_lock(&c->lock);
	interrupt_call(c);
	pthread_mutex_unlock(&c->lock);
}

static int
serve_call(struct sp_conn *c, struct sp_hdr *h)
{
	struct sp_call *call = &c->call;
	long rv[2] = { 0, 0 };
	int error;

	error = sp_dec_call(call, h->arg, c->rb.buf + sizeof(*h),
	    h->len - sizeof(*h));
	if (error == SP_BAD)
		return SP_BAD;
	if (error == 0) {
		bool blocking = call->sr.blocking;

		if (blocking) {
			inflight(c, true);
			take_early_interrupt(c);
		}
		error = rump_syscall(call->sr.nr, call->a, rv);
		if (blocking)
			inflight(c, false);
		atomic_fetch_add(&c->sp->calls, 1);
	}
	sp_msg_init(&c->msg);
	if (sp_enc_reply(&c->msg, call, error, rv) != 0 ||
	    sp_send_msg(c->fd, &c->msg) != 0) {
		sp_msg_fini(&c->msg);
		return -1;
	}
	sp_msg_fini(&c->msg);
	return 0;
}

static int
serve_small(struct sp_conn *c, uint16_t type, int error, const void *body,
    size_t n)
{
	unsigned char out[sizeof(struct sp_hdr) + SP_TOKEN];
	struct sp_hdr h = { (uint32_t)(sizeof(h) + n), type, 0,
	    (uint32_t)error, 0 };

	memcpy(out, &h, sizeof(h));
	if (n)
		memcpy(out + sizeof(h), body, n);
	return sp_send_all(c->fd, out, sizeof(h) + n) == 0 ? 0 : -1;
}

/* One frame; SP_BAD ends the connection as malformed, -1 as gone. */
static int
serve_frame(struct sp_conn *c)
{
	uint8_t cookie[SP_TOKEN];
	struct sp_hdr h;
	int error;

	memcpy(&h, c->rb.buf, sizeof(h));
	if (h.flags != 0 || h.spare != 0)
		return SP_BAD;
	switch (h.type) {
	case SP_T_CALL:
		return serve_call(c, &h);
	case SP_T_INTERRUPT:
		/* the call it meant has already returned */
		return h.len == sizeof(h) ? 0 : SP_BAD;
	case SP_T_FORK:
		if (h.len != sizeof(h))
			return SP_BAD;
		error = do_fork(c, cookie);
		return serve_small(c, SP_T_FORK_REPLY, error, cookie,
		    error ? 0 : SP_TOKEN);
	case SP_T_EXEC:
		if (h.len != sizeof(h))
			return SP_BAD;
		return serve_small(c, SP_T_EXEC_REPLY, rump_lwproc_execclose(),
		    NULL, 0);
	default:
		return SP_BAD;
	}
}

static void *
conn_main(void *arg)
{
	struct sp_conn *c = arg;
	int error;

	if ((error = handshake(c)) == 0 && c->nosleep)
		rump_lwproc_nosleep(1);
	while (error == 0) {
		do
			error = sp_recv_frame(c->fd, &c->rb, SPIN);
		while (error == -EINTR);
		if (error == -EBADMSG)
			error = SP_BAD;
		else if (error == 0)
			error = serve_frame(c);
	}
	if (error == SP_BAD)
		atomic_fetch_add(&c->sp->dropped, 1);
	conn_release(c);
	rump_kernel_leave();
	atomic_store(&c->done, true);
	wake_watcher(c->sp);
	return NULL;
}

static void
conn_free(struct sp_conn *c)
{
	close(c->fd);
	sp_rbuf_fini(&c->rb);
	sp_call_fini(&c->call);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ------------------------------------------------------------ watcher */

static void
accept_all(struct rump_sysproxy *sp)
{
	for (;;) {
		int fd = accept4(sp->li.fd, NULL, NULL, SOCK_CLOEXEC), one = 1;
		struct sp_conn *c;

		if (fd < 0)
			return;
		if (atomic_load(&sp->stopping) ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->sp = sp;
		c->fd = fd;
		c->tcp = strncmp(sp->li.url, "tcp:", 4) == 0;
		if (c->tcp)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		pthread_mutex_init(&c->lock, NULL);
		if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
			conn_free(c);
			continue;
		}
		pthread_mutex_lock(&sp->lock);
		c->next = sp->conns;
		sp->conns = c;
		pthread_mutex_unlock(&sp->lock);
		atomic_fetch_add(&sp->accepted, 1);
		atomic_fetch_add(&sp->nclients, 1);
	}
}

/* A connection with a call in flight has something to read. */
static void
conn_event(struct sp_conn *c)
{
	struct sp_hdr h;
	ssize_t n;

	pthread_mutex_lock(&c->lock);
	if (c->inflight) {
		n = recv(c->fd, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			interrupt_call(c);		/* hung up */
		} else if (n == sizeof(h) && h.type == SP_T_INTERRUPT &&
		    h.len == sizeof(h)) {
			(void)!recv(c->fd, &h, sizeof(h), MSG_DONTWAIT);
			interrupt_call(c);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static void
reap_conns(struct rump_sysproxy *sp)
{
	struct sp_conn **cp = &sp->conns, *c;

	pthread_mutex_lock(&sp->lock);
	while ((c = *cp) != NULL) {
		if (!atomic_load(&c->done)) {
			cp = &c->next;
			continue;
		}
		*cp = c->next;
		pthread_mutex_unlock(&sp->lock);
		pthread_join(c->thread, NULL);
		conn_free(c);
		atomic_fetch_sub(&sp->nclients, 1);
		pthread_mutex_lock(&sp->lock);
	}
	pthread_mutex_unlock(&sp->lock);
}

/* Forked children nobody claimed in time (all of them: force). */
static void
reap_pending(struct rump_sysproxy *sp, bool force)
{
	struct sp_pending **pp = &sp->pending, *pe;
	uint64_t now = now_ns();

	pthread_mutex_lock(&sp->lock);
	while ((pe = *pp) != NULL) {
		if (!force && pe->deadline > now) {
			pp = &pe->next;
			continue;
		}
		*pp = pe->next;
		rump_lwproc_switch(pe->l);
		rump_lwproc_releaselwp();
		free(pe);
	}
	pthread_mutex_unlock(&sp->lock);
}

/*
 * Watch the sockets of calls that have been in flight a while: a hangup or
 * an INTERRUPT frame then reaches conn_event.  An INTERRUPT sent before
 * the arming is still there to read (the watch is level-triggered).
 */
static void
arm_slow(struct rump_sysproxy *sp)
{
	uint64_t now = now_ns();

	pthread_mutex_lock(&sp->lock);
	for (struct sp_conn *c = sp->conns; c != NULL; c = c->next) {
		struct epoll_event ev = { EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
		    { .ptr = c } };

		pthread_mutex_lock(&c->lock);
		if (c->inflight && !c->armed && now - c->since >= ARM_AFTER_NS &&
		    epoll_ctl(sp->epfd, EPOLL_CTL_ADD, c->fd, &ev) == 0)
			c->armed = true;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&sp->lock);
}

/* Stopping: end every connection and interrupt the calls in flight. */
static void
hang_up_all(struct rump_sysproxy *sp)
{
	pthread_mutex_lock(&sp->lock);
	for (struct sp_conn *c = sp->conns; c != NULL; c = c->next) {
		pthread_mutex_lock(&c->lock);
		(void)shutdown(c->fd, SHUT_RDWR);
		if (c->inflight)
			interrupt_call(c);
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&sp->lock);
}

static void *
watcher_main(void *arg)
{
	struct rump_sysproxy *sp = arg;
	struct epoll_event ev[16];

	for (;;) {
		bool stopping = atomic_load(&sp->stopping);
		int timeout = stopping ? 100 : atomic_load(&sp->nclients) > 0 ?
		    TICK_MS : sp->pending != NULL ? 1000 : -1;
		int n = epoll_wait(sp->epfd, ev, 16, timeout);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL) {
				accept_all(sp);
			} else if (ev[i].data.ptr == sp) {
				uint64_t v;

				(void)!read(sp->evfd, &v, sizeof(v));
			} else {
				conn_event(ev[i].data.ptr);
			}
		}
		reap_conns(sp);
		reap_pending(sp, false);
		arm_slow(sp);
		if (stopping) {
			hang_up_all(sp);
			if (sp->conns == NULL)
				break;
		}
	}
	reap_pending(sp, true);
	rump_kernel_leave();
	return NULL;
}

/* ------------------------------------------------------------ start, stop */

static void
sp_free(struct rump_sysproxy *sp)
{
	sp_unlisten(&sp->li);
	if (sp->epfd >= 0)
		close(sp->epfd);
	if (sp->evfd >= 0)
		close(sp->evfd);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}

int
rump_sysproxy_start(struct rump_kernel *k, const char *url, int flags,
    struct rump_sysproxy **spp)
{
	struct rump_sysproxy *sp;
	struct epoll_event ev = { EPOLLIN, { .ptr = NULL } };
	int error;

	if (k == NULL || url == NULL || spp == NULL || (flags & ~RUMP_SP_KEEPROOT))
		return EINVAL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return ENOMEM;
	sp->k = k;
	sp->flags = flags;
	sp->li.fd = sp->epfd = sp->evfd = -1;
	pthread_mutex_init(&sp->lock, NULL);
	if ((error = sp_listen(url, &sp->li)) != 0)
		goto fail;
	if ((sp->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (sp->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    epoll_ctl(sp->epfd, EPOLL_CTL_ADD, sp->li.fd, &ev) != 0) {
		error = errno;
		goto fail;
	}
	ev.data.ptr = sp;
	if (epoll_ctl(sp->epfd, EPOLL_CTL_ADD, sp->evfd, &ev) != 0) {
		error = errno;
		goto fail;
	}
	if ((error = pthread_create(&sp->watcher, NULL, watcher_main, sp)) != 0)
		goto fail;
	*spp = sp;
	return 0;
fail:
	sp_free(sp);
	return error;
}

const char *
rump_sysproxy_url(const struct rump_sysproxy *sp)
{
	return sp->li.url;
}

int
rump_sysproxy_stop(struct rump_sysproxy *sp)
{
	if (sp == NULL)
		return EINVAL;
	atomic_store(&sp->stopping, true);
	wake_watcher(sp);
	pthread_join(sp->watcher, NULL);
	sp_free(sp);
	return 0;
}

void
rump_sysproxy_stats(const struct rump_sysproxy *sp,
    struct rump_sysproxy_stats *st)
{
	struct rump_sysproxy *s = (struct rump_sysproxy *)(uintptr_t)sp;

	st->clients = atomic_load(&s->nclients);
	st->accepted = atomic_load(&s->accepted);
	st->calls = atomic_load(&s->calls);
	st->dropped = atomic_load(&s->dropped);
}

/* ------------------------------------------------------------ fuzzing */

struct feed {
	int		fd;
	const uint8_t	*data;
	size_t		n;
};

static void *
feed_main(void *arg)
{
	struct feed *f = arg;
	size_t off = 0;

	while (off < f->n) {
		ssize_t w = send(f->fd, f->data + off, f->n - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	(void)shutdown(f->fd, SHUT_WR);
	return NULL;
}

static void *
drain_main(void *arg)
{
	char *sink = malloc(65536), c;
	int fd = *(int *)arg;

	while (sink != NULL && recv(fd, sink, 65536, 0) > 0)
		continue;
	while (sink == NULL && recv(fd, &c, 1, 0) > 0)
		continue;		/* no buffer: byte by byte */
	free(sink);
	return NULL;
}

int
sp_serve_bytes(struct rump_kernel *k, const uint8_t *data, size_t n)
{
	struct rump_sysproxy sp = { .k = k, .li.fd = -1, .epfd = -1 };
	struct sp_conn c = { .sp = &sp, .nosleep = true };
	pthread_t feeder, drainer;
	struct feed f;
	int s[2], error;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0)
		return -1;
	sp.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sp.epfd = epoll_create1(EPOLL_CLOEXEC);
	pthread_mutex_init(&sp.lock, NULL);
	pthread_mutex_init(&c.lock, NULL);
	c.fd = s[0];
	f = (struct feed){ s[1], data, n };
	pthread_create(&feeder, NULL, feed_main, &f);
	pthread_create(&drainer, NULL, drain_main, &s[1]);
	error = handshake(&c);
	if (error == 0)
		rump_lwproc_nosleep(1);
	while (error == 0) {
		error = sp_recv_frame(c.fd, &c.rb, 0);
		if (error == -EBADMSG)
			error = SP_BAD;
		else if (error == 0)
			error = serve_frame(&c);
	}
	conn_release(&c);
	rump_kernel_leave();
	reap_pending(&sp, true);
	rump_kernel_leave();
	(void)shutdown(s[0], SHUT_RDWR);
	pthread_join(feeder, NULL);
	pthread_join(drainer, NULL);
	close(s[0]);
	close(s[1]);
	close(sp.evfd);
	close(sp.epfd);
	sp_rbuf_fini(&c.rb);
	sp_call_fini(&c.call);
	pthread_mutex_destroy(&c.lock);
	pthread_mutex_destroy(&sp.lock);
	return error == SP_BAD ? SP_BAD : error == -EPIPE ? 0 : error < 0 ? -1 : 0;
}

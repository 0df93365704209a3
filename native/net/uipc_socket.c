/*
 * The protocol-independent socket layer: creating and closing sockets,
 * the generic send and receive loops, listen queues, connection and
 * socket-level options.  Protocols are reached through their protosw.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socketvar.h"
#include "sys/uiomove.h"
#include "net/netstate.h"
#include "net/unpcb.h"

/* Linux's defaults (net.core.[rw]mem_default, _max; somaxconn). */
#define SB_DEFAULT	212992
#define SB_MAX		212992
#define SOCK_MIN_SNDBUF	4608
#define SOCK_MIN_RCVBUF	2304
#define SOMAXCONN_LINUX	4096
/* The most one send moves into a mbuf at a time (streams). */
#define SOSEND_CHUNK	65536

/* ---------------------------------------------------- per-kernel state */

int
soinit(struct netstate *ns)
{
	struct sockstat_list *sl = kmem_zalloc(ns->ns_kernel, sizeof(*sl));

	if (sl == NULL)
		return ENOMEM;
	LIST_INIT(&sl->sl_head);
	ns->ns_socks = sl;
	return 0;
}

void
sofini(struct netstate *ns)
{
	struct sockstat_list *sl = ns->ns_socks;

	if (sl == NULL)
		return;
	if (sl->sl_count != 0)
		klog(ns->ns_kernel, "net: %u sockets left at halt", sl->sl_count);
	kmem_free(ns->ns_kernel, sl, sizeof(*sl));
	ns->ns_socks = NULL;
}

void
sodispose_later(struct socket *so, struct mbuf *control)
{
	struct sockstat_list *sl = so->so_ns->ns_socks;
	void (*fn)(struct mbuf *) = so->so_proto->pr_dispose;

	if (control == NULL)
		return;
	if (fn == NULL) {
		m_freem(control);
		return;
	}
	/* one protocol passes rights (AF_UNIX): one disposer */
	KASSERT(sl->sl_dispose == NULL || sl->sl_dispose == fn);
	sl->sl_dispose = fn;
	control->m_nextpkt = sl->sl_disposeq;
	sl->sl_disposeq = control;
}

void
sodefer(struct netstate *ns, struct sodefer *d,
    void (*fn)(struct rump_kernel *, void *), void *arg)
{
	struct sockstat_list *sl = ns->ns_socks;

	d->d_fn = fn;
	d->d_arg = arg;
	d->d_next = sl->sl_defer;
	sl->sl_defer = d;
}

void
sounlock(struct netstate *ns)
{
	struct sockstat_list *sl = ns->ns_socks;
	struct rump_kernel *k = ns->ns_kernel;

	for (;;) {
		struct mbuf *q = sl->sl_disposeq;
		struct sodefer *d = sl->sl_defer;
		void (*fn)(struct mbuf *) = sl->sl_dispose;

		sl->sl_disposeq = NULL;
		sl->sl_defer = NULL;
		net_unlock(ns);
		if (q == NULL && d == NULL)
			return;
		while (q != NULL) {
			struct mbuf *next = q->m_nextpkt;

			q->m_nextpkt = NULL;
			fn(q);
			q = next;
		}
		while (d != NULL) {
			struct sodefer *next = d->d_next;

			d->d_fn(k, d->d_arg);
			d = next;
		}
		/* what that released may have queued more */
		net_lock(ns);
	}
}

/* Flush a socket buffer, its control data disposed of later. */
static void
sbflush_so(struct socket *so, struct sockbuf *sb)
{
	struct mbuf *rec;

	while ((rec = sb_dequeue(sb)) != NULL) {
		struct mbuf *m = rec, *prev = NULL, *ctl = NULL, *ctltail = NULL;

		while (m != NULL) {
			struct mbuf *next = m->m_next;

			if (m->m_type == MT_CONTROL) {
				if (prev != NULL)
					prev->m_next = next;
				else
					rec = next;
				m->m_next = NULL;
				if (ctltail != NULL)
					ctltail->m_next = m;
				else
					ctl = m;
				ctltail = m;
			} else {
				prev = m;
			}
			m = next;
		}
		m_freem(rec);
		sodispose_later(so, ctl);
	}
}

/* ------------------------------------------------------ create and free */

static struct socket *
soalloc(struct netstate *ns, const struct protosw *prp, int type,
    kauth_cred_t cred, pid_t pid)
{
	struct rump_kernel *k = ns->ns_kernel;
	struct socket *so = kmem_zalloc(k, sizeof(*so));

	if (so == NULL)
		return NULL;
	if (cv_init(&so->so_cv) != 0)
		goto fail0;
	if (cv_init(&so->so_rcv.sb_cv) != 0)
		goto fail1;
	if (cv_init(&so->so_snd.sb_cv) != 0)
		goto fail2;
	so->so_ns = ns;
	so->so_type = (short)type;
	so->so_proto = prp;
	kauth_cred_hold(cred);
	so->so_cred = cred;
	so->so_cpid = pid;
	TAILQ_INIT(&so->so_q0);
	TAILQ_INIT(&so->so_q);
	selinit(&so->so_rcv.sb_sel);
	selinit(&so->so_snd.sb_sel);
	so->so_rcv.sb_lowat = 1;
	so->so_snd.sb_lowat = 1;
	sbreserve(&so->so_rcv, SB_DEFAULT);
	sbreserve(&so->so_snd, SB_DEFAULT);
	return so;
fail2:
	cv_destroy(&so->so_rcv.sb_cv);
fail1:
	cv_destroy(&so->so_cv);
fail0:
	kmem_free(k, so, sizeof(*so));
	return NULL;
}

static void
solink(struct socket *so)
{
	struct sockstat_list *sl = so->so_ns->ns_socks;

	so->so_serial = ++sl->sl_serial;
	LIST_INSERT_HEAD(&sl->sl_head, so, so_all);
	sl->sl_count++;
}

/* The last of a socket: nobody refers to it any more. */
static void
sodestroy(struct socket *so)
{
	struct netstate *ns = so->so_ns;
	struct rump_kernel *k = ns->ns_kernel;

	sbflush_so(so, &so->so_rcv);
	sbflush_so(so, &so->so_snd);
	if (so->so_serial != 0) {
		LIST_REMOVE(so, so_all);
		ns->ns_socks->sl_count--;
	}
	seldestroy(k, &so->so_rcv.sb_sel);
	seldestroy(k, &so->so_snd.sb_sel);
	cv_destroy(&so->so_cv);
	cv_destroy(&so->so_rcv.sb_cv);
	cv_destroy(&so->so_snd.sb_cv);
	kauth_cred_free(k, so->so_cred);
	kmem_free(k, so, sizeof(*so));
}

/* Take so off its listener's queue. */
static void
sodequeue(struct socket *so)
{
	struct socket *head = so->so_head;

	if (head == NULL)
		return;
	if (so->so_onq0) {
		TAILQ_REMOVE(&head->so_q0, so, so_qe);
		head->so_q0len--;
	} else {
		TAILQ_REMOVE(&head->so_q, so, so_qe);
		head->so_qlen--;
	}
	so->so_onq0 = false;
	so->so_head = NULL;
}

void
sofree(struct socket *so)
{
	KASSERT(so->so_file == NULL);
	sodequeue(so);
	if (so->so_pcb != NULL)
		so->so_proto->pr_detach(so);
	sodestroy(so);
}

int
socreate(struct rump_kernel *k, int domain, int type, int proto,
    struct socket **sop)
{
	const struct domain *dp;
	const struct protosw *prp = NULL;
	struct netstate *ns;
	struct socket *so;
	kauth_cred_t cr;
	bool typefound = false;
	int error;

	if ((ns = net_get(k, &error)) == NULL)
		return error;
	if ((dp = pffinddomain(ns, domain)) == NULL)
		return EAFNOSUPPORT;
	for (int i = 0; i < dp->dom_nprotosw; i++) {
		const struct protosw *p = &dp->dom_protosw[i];

		if (p->pr_type != type)
			continue;
		typefound = true;
		if (proto == 0 || p->pr_protocol == proto || p->pr_protocol == 0) {
			prp = p;
			break;
		}
	}
	if (prp == NULL)
		return typefound ? EPROTONOSUPPORT : ESOCKTNOSUPPORT;
	cr = kauth_cred_get_proc(curproc);
	net_lock(ns);
	so = soalloc(ns, prp, type, cr, curproc->p_pid);
	kauth_cred_free(k, cr);
	if (so == NULL) {
		sounlock(ns);
		return ENOBUFS;
	}
	if ((error = prp->pr_attach(so, proto)) != 0) {
		so->so_pcb = NULL;
		sodestroy(so);
		sounlock(ns);
		return error;
	}
	solink(so);
	sounlock(ns);
	*sop = so;
	return 0;
}

struct socket *
sonewconn(struct socket *head, bool connected)
{
	struct netstate *ns = head->so_ns;
	struct socket *so;

	KASSERT(net_locked(ns));
	if (head->so_qlen + head->so_q0len > head->so_qlimit)
		return NULL;
	so = soalloc(ns, head->so_proto, head->so_type, head->so_cred,
	    head->so_cpid);
	if (so == NULL)
		return NULL;
	/* a clone of the listener, but AF_UNIX makes a fresh socket */
	if (head->so_proto->pr_domain->dom_family != AF_UNIX) {
		so->so_options = head->so_options & ~SOO_ACCEPTCONN;
		so->so_linger = head->so_linger;
		so->so_rcv.sb_hiwat = head->so_rcv.sb_hiwat;
		so->so_rcv.sb_mbmax = head->so_rcv.sb_mbmax;
		so->so_snd.sb_hiwat = head->so_snd.sb_hiwat;
		so->so_snd.sb_mbmax = head->so_snd.sb_mbmax;
		so->so_rcv.sb_lowat = head->so_rcv.sb_lowat;
		so->so_rcv.sb_timeo_ns = head->so_rcv.sb_timeo_ns;
		so->so_snd.sb_timeo_ns = head->so_snd.sb_timeo_ns;
	}
	if (head->so_proto->pr_attach(so, head->so_proto->pr_protocol) != 0) {
		so->so_pcb = NULL;
		sodestroy(so);
		return NULL;
	}
	solink(so);
	so->so_head = head;
	if (connected) {
		so->so_state |= SS_ISCONNECTED;
		TAILQ_INSERT_TAIL(&head->so_q, so, so_qe);
		head->so_qlen++;
		sorwakeup(head);
		cv_broadcast(&head->so_cv);
	} else {
		so->so_onq0 = true;
		TAILQ_INSERT_TAIL(&head->so_q0, so, so_qe);
		head->so_q0len++;
	}
	return so;
}

/* Abort the connections a closing listener never accepted. */
static void
soabortq(struct socket *head)
{
	struct socket *so;

	while ((so = TAILQ_FIRST(&head->so_q0)) != NULL ||
	    (so = TAILQ_FIRST(&head->so_q)) != NULL) {
		sodequeue(so);
		if (so->so_proto->pr_abort != NULL)
			so->so_proto->pr_abort(so);
		sofree(so);
	}
}

/*
 * Sleep on cv with the buffer's timeout (0: none); EAGAIN when it runs
 * out, EINTR when the lwp is interrupted.
 */
static int
sosleep(struct socket *so, kcondvar_t *cv, int64_t timeo_ns, int64_t *deadline)
{
	int64_t left;

	if (timeo_ns <= 0)
		return net_sleep(so->so_ns, cv, -1) == EINTR ? EINTR : 0;
	if (*deadline == 0)
		*deadline = mono_ns() + timeo_ns;
	left = *deadline - mono_ns();
	if (left <= 0)
		return EAGAIN;
	return net_sleep(so->so_ns, cv, left) == EINTR ? EINTR : 0;
}

int
soclose(struct socket *so)
{
	struct netstate *ns = so->so_ns;
	int error = 0;

	net_lock(ns);
	if (so->so_options & SOO_ACCEPTCONN)
		soabortq(so);
	if ((so->so_state & SS_ISCONNECTED) &&
	    (so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    so->so_proto->pr_disconnect != NULL) {
		error = so->so_proto->pr_disconnect(so);
		if ((so->so_options & SOO_LINGER) && so->so_linger > 0) {
			int64_t deadline = 0;

			while ((so->so_state & SS_ISCONNECTED) && error == 0)
				error = sosleep(so, &so->so_cv,
				    (int64_t)so->so_linger * 1000000000, &deadline);
			error = 0;
		}
	}
	so->so_file = NULL;
	sofree(so);
	sounlock(ns);
	return error;
}

/* ------------------------------------------------------------------ send */

static int
so_senderror(struct socket *so)
{
	int error;

	/* AF_UNIX reports a reset on receive only, as Linux; TCP reports a
	 * pending error before "can't send" (sk_stream_error's order) */
	if (so->so_error != 0 &&
	    so->so_proto->pr_domain->dom_family != AF_UNIX) {
		error = so->so_error;
		so->so_error = 0;
		return error;
	}
	if (so->so_state & SS_CANTSENDMORE)
		return EPIPE;
	return 0;
}

/* A chain of len bytes from uio (len may be 0). */
static int
so_getdata(struct socket *so, struct uio *uio, size_t len, struct mbuf **mp)
{
	struct mbuf *m;
	int error;

	m = m_gethdr(so->so_ns->ns_kernel, 0, len);
	if (m == NULL)
		return ENOBUFS;
	if ((error = uiomove(mtod(m, void *), len, uio)) != 0) {
		m_freem(m);
		return error;
	}
	m->m_len = (uint32_t)len;
	m->m_pkthdr.len = (uint32_t)len;
	*mp = m;
	return 0;
}

int
sosend(struct socket *so, const struct sockaddr *to, socklen_t tolen,
    struct uio *uio, struct mbuf *control, int flags, bool nbio)
{
	struct netstate *ns = so->so_ns;
	const struct protosw *prp = so->so_proto;
	bool atomic = (prp->pr_flags & PR_ATOMIC) != 0;
	size_t start = uio->uio_resid;
	int64_t deadline = 0;
	int error = 0;

	if (flags & MSG_DONTWAIT)
		nbio = true;
	net_lock(ns);
	if (atomic && start > so->so_snd.sb_hiwat - MIN(so->so_snd.sb_hiwat, 32)) {
		error = EMSGSIZE;
		goto out;
	}
	do {
		size_t space, len;
		struct mbuf *m;

		if ((error = so_senderror(so)) != 0)
			break;
		if ((prp->pr_flags & PR_CONNREQUIRED) &&
		    !(so->so_state & SS_ISCONNECTED)) {
			/* Linux's TCP says EPIPE, its AF_UNIX ENOTCONN */
			error = prp->pr_domain->dom_family == AF_UNIX ?
			    ENOTCONN : EPIPE;
			/* the protocol knows better what an address means */
			if (to == NULL && !(so->so_state & SS_ISCONNECTING))
				break;
		}
		error = 0;
		space = sbspace(&so->so_snd);
		if ((atomic && space < uio->uio_resid) || (!atomic && space == 0) ||
		    (flags & MSG_OOB && space < 1)) {
			if (!atomic && space == 0 &&
			    !(so->so_state & SS_ISCONNECTED) &&
			    (prp->pr_flags & PR_CONNREQUIRED))
				goto dosend;	/* the protocol's errors */
			if (atomic && so->so_snd.sb_cc == 0)
				goto dosend;	/* nothing queued: let it try */
			if (nbio) {
				error = EAGAIN;
				break;
			}
			if ((error = sosleep(so, &so->so_snd.sb_cv,
			    so->so_snd.sb_timeo_ns, &deadline)) != 0)
				break;
			continue;
		}
dosend:
		len = atomic ? uio->uio_resid :
		    MIN(MIN(uio->uio_resid, MAX(space, 1)), SOSEND_CHUNK);
		if (!atomic && len == 0)
			break;		/* nothing to queue on a stream */
		if ((error = so_getdata(so, uio, len, &m)) != 0)
			break;
		if (atomic || uio->uio_resid == 0)
			flags |= MSG_EOR;
		/* a protocol that waits itself (a full receiver) must know */
		error = prp->pr_send(so, m, to, tolen, control,
		    flags | (nbio ? MSG_DONTWAIT : 0));
		control = NULL;
		if (error != 0)
			break;
	} while (uio->uio_resid > 0);
out:
	sounlock(ns);
	if (control != NULL)
		m_freem(control);
	if (uio->uio_resid < start && (error == EAGAIN || error == EPIPE ||
	    error == EINTR) && !atomic)
		error = 0;	/* a partial send counts */
	return error;
}

/* --------------------------------------------------------------- receive */

static int
so_rcverror(struct socket *so)
{
	int error = so->so_error;

	so->so_error = 0;
	return error;
}

/* Take the address and control mbufs off the head record. */
static void
so_takehead(struct socket *so, struct mbuf **paddr, struct mbuf **controlp,
    bool peek)
{
	struct sockbuf *sb = &so->so_rcv;
	struct mbuf *m;

	while ((m = sb->sb_mb) != NULL && m->m_type != MT_DATA) {
		if (peek) {
			/* a peek sees the address; rights stay queued */
			if (m->m_type == MT_SONAME && paddr != NULL &&
			    *paddr == NULL)
				*paddr = m_copym(m, 0, M_COPYALL);
			return;
		}
		sbunlinkhead(sb);
		if (m->m_type == MT_SONAME && paddr != NULL && *paddr == NULL) {
			*paddr = m;
		} else if (m->m_type == MT_CONTROL && controlp != NULL) {
			struct mbuf **pp = controlp;

			while (*pp != NULL)
				pp = &(*pp)->m_next;
			*pp = m;
		} else if (m->m_type == MT_CONTROL) {
			sodispose_later(so, m);
		} else {
			m_free(m);
		}
	}
}

/* Bytes of data in the head record. */
static size_t
so_reclen(const struct mbuf *rec)
{
	size_t n = 0;

	for (; rec != NULL; rec = rec->m_next)
		if (rec->m_type == MT_DATA)
			n += rec->m_len;
	return n;
}

/* Copy up to want bytes of a record's data from offset off to uio. */
static int
so_copyrec(const struct mbuf *rec, size_t off, size_t want, struct uio *uio)
{
	const struct mbuf *m;
	int error;

	for (m = rec; m != NULL && want > 0; m = m->m_next) {
		size_t n;

		if (m->m_type != MT_DATA)
			continue;
		if (off >= m->m_len) {
			off -= m->m_len;
			continue;
		}
		n = MIN(m->m_len - off, want);
		if ((error = uiomove(m->m_data + off, n, uio)) != 0)
			return error;
		want -= n;
		off = 0;
	}
	return 0;
}

static bool
rec_has_control(const struct mbuf *rec)
{
	for (; rec != NULL; rec = rec->m_next)
		if (rec->m_type == MT_CONTROL)
			return true;
	return false;
}

/* Datagrams and records: one per call. */
static int
soreceive_atomic(struct socket *so, struct mbuf **paddr, struct uio *uio,
    struct mbuf **controlp, int *flagsp, int flags)
{
	struct sockbuf *sb = &so->so_rcv;
	bool peek = (flags & MSG_PEEK) != 0;
	size_t len, want;
	struct mbuf *rec;
	int error;

	so_takehead(so, paddr, controlp, peek);
	rec = sb->sb_mb;
	len = so_reclen(rec);
	want = MIN(len, uio->uio_resid);
	if ((error = so_copyrec(rec, 0, want, uio)) != 0)
		return error;
	if (want < len) {
		*flagsp |= MSG_TRUNC;
		uio->uio_offset += (off_t)(len - want);
	}
	if (so->so_type == SOCK_SEQPACKET)
		*flagsp |= MSG_EOR;
	if (!peek) {
		m_freem(sb_dequeue(sb));
		if (so->so_proto->pr_flags & PR_WANTRCVD)
			so->so_proto->pr_rcvd(so);
	}
	return 0;
}

/* Byte streams: as much as is there, at least the low-water mark. */
static int
soreceive_stream(struct socket *so, struct mbuf **controlp, struct uio *uio,
    int flags, bool nbio, int64_t *deadline, size_t start)
{
	struct sockbuf *sb = &so->so_rcv;
	bool peek = (flags & MSG_PEEK) != 0;
	size_t peekoff = 0;
	int error = 0;

	for (;;) {
		struct mbuf *rec = sb->sb_mb;
		bool ctl;
		size_t avail, n;

		if (rec == NULL)
			break;
		if (peek && peekoff > 0) {
			/* a peek walks the records without taking them */
			size_t skip = peekoff;

			while (rec != NULL && skip >= so_reclen(rec) &&
			    !rec_has_control(rec)) {
				skip -= so_reclen(rec);
				rec = rec->m_nextpkt;
			}
			if (rec == NULL || rec_has_control(rec))
				break;
			n = MIN(so_reclen(rec) - skip, uio->uio_resid);
			if ((error = so_copyrec(rec, skip, n, uio)) != 0)
				return error;
			peekoff += n;
			if (uio->uio_resid == 0)
				break;
			continue;
		}
		/* rights end a read (Linux glues what comes before them) */
		ctl = rec_has_control(rec);
		so_takehead(so, NULL, controlp, peek);
		rec = sb->sb_mb;
		if (rec == NULL)
			break;
		avail = so_reclen(rec);
		n = MIN(avail, uio->uio_resid);
		if ((error = so_copyrec(rec, 0, n, uio)) != 0)
			return error;
		if (peek) {
			peekoff = n;
			if (ctl || uio->uio_resid == 0)
				break;
			continue;
		}
		sbdrop(sb, n);
		if (so->so_proto->pr_flags & PR_WANTRCVD)
			so->so_proto->pr_rcvd(so);
		if (ctl || uio->uio_resid == 0)
			break;
		if (sb->sb_mb == NULL) {
			/* MSG_WAITALL waits for the rest */
			if (!(flags & MSG_WAITALL) || nbio ||
			    (so->so_state & SS_CANTRCVMORE) || so->so_error)
				break;
			if ((error = sosleep(so, &sb->sb_cv, sb->sb_timeo_ns,
			    deadline)) != 0)
				break;
		}
	}
	return error;
}

int
soreceive(struct socket *so, struct mbuf **paddr, struct uio *uio,
    struct mbuf **controlp, int *flagsp, bool nbio)
{
	struct netstate *ns = so->so_ns;
	const struct protosw *prp = so->so_proto;
	struct sockbuf *sb = &so->so_rcv;
	bool atomic = (prp->pr_flags & PR_ATOMIC) != 0;
	int flags = *flagsp, error = 0;
	size_t start = uio->uio_resid;
	int64_t deadline = 0;

	*flagsp = 0;
	if (paddr != NULL)
		*paddr = NULL;
	if (controlp != NULL)
		*controlp = NULL;
	if (flags & MSG_DONTWAIT)
		nbio = true;
	if (flags & MSG_OOB) {
		if (prp->pr_domain->dom_family == AF_UNIX)
			return EOPNOTSUPP;
		return EINVAL;	/* no urgent data is kept apart */
	}
	net_lock(ns);
	for (;;) {
		size_t need;

		/*
		 * Not connected: unless it was (a pending error, then the
		 * end of the data, come first, as Linux's tcp_recvmsg has it)
		 */
		if ((prp->pr_flags & PR_CONNREQUIRED) &&
		    !(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
		    SS_ISDISCONNECTED | SS_CANTRCVMORE)) && so->so_error == 0 &&
		    sb->sb_mb == NULL) {
			/*
			 * never connected: AF_UNIX streams say EINVAL (one
			 * that was and is no longer reads end of file)
			 */
			error = (prp->pr_domain->dom_family == AF_UNIX &&
			    so->so_type == SOCK_STREAM) ? EINVAL : ENOTCONN;
			goto out;
		}
		if (so->so_options & SOO_ACCEPTCONN) {
			error = prp->pr_domain->dom_family == AF_UNIX &&
			    so->so_type == SOCK_SEQPACKET ? ENOTCONN : EINVAL;
			goto out;
		}
		if (atomic) {
			if (sb->sb_mb != NULL)
				break;
		} else {
			/* even an empty read waits for a byte, as Linux */
			need = MIN(uio->uio_resid, sb->sb_lowat);
			if (flags & MSG_WAITALL)
				need = uio->uio_resid;
			need = MAX(need, 1);
			if (sb->sb_mb != NULL && (sb->sb_cc >= need ||
			    rec_has_control(sb->sb_mb) ||
			    (so->so_state & SS_CANTRCVMORE) || so->so_error))
				break;
			if (sb->sb_mb != NULL && (flags & MSG_WAITALL) &&
			    sb->sb_cc >= MIN(uio->uio_resid, sb->sb_lowat))
				break;	/* take what is there, wait for more */
		}
		/* TCP: the peer's FIN read as the end before an error that
		 * came after it (tcp_recvmsg's SOCK_DONE) */
		if ((so->so_state & SS_RCVEOF) &&
		    prp->pr_domain->dom_family != AF_UNIX)
			goto out;
		if (so->so_error != 0) {
			error = so_rcverror(so);
			goto out;
		}
		if (so->so_state & SS_CANTRCVMORE)
			goto out;
		if (nbio) {
			error = EAGAIN;
			goto out;
		}
		if ((error = sosleep(so, &sb->sb_cv, sb->sb_timeo_ns,
		    &deadline)) != 0)
			goto out;
	}
	if (atomic)
		error = soreceive_atomic(so, paddr, uio, controlp, flagsp, flags);
	else
		error = soreceive_stream(so, controlp, uio, flags, nbio,
		    &deadline, start);
	if (uio->uio_resid < start && (error == EAGAIN || error == EINTR))
		error = 0;
out:
	sounlock(ns);
	return error;
}

/* ----------------------------------------------------- the other calls */

int
sobind(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct netstate *ns = so->so_ns;
	int error;

	net_lock(ns);
	error = so->so_proto->pr_bind(so, nam, len);
	sounlock(ns);
	return error;
}

int
solisten(struct socket *so, int backlog)
{
	struct netstate *ns = so->so_ns;
	int error;

	net_lock(ns);
	if (!(so->so_proto->pr_flags & PR_LISTEN) ||
	    so->so_proto->pr_listen == NULL) {
		error = EOPNOTSUPP;
		goto out;
	}
	if (so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTING)) {
		error = EINVAL;
		goto out;
	}
	if ((error = so->so_proto->pr_listen(so)) != 0)
		goto out;
	if ((unsigned)backlog > SOMAXCONN_LINUX)
		backlog = SOMAXCONN_LINUX;
	so->so_qlimit = backlog;
	so->so_options |= SOO_ACCEPTCONN;
	/* more room in the queue: blocked connectors may try again */
	cv_broadcast(&so->so_cv);
out:
	sounlock(ns);
	return error;
}

/*
 * A connection attempt failed and connect said so: the socket is as new
 * (Linux disconnects it then: reads say ENOTCONN, a new connect may go).
 */
static void
so_connfailed(struct socket *so)
{
	if (so->so_proto->pr_domain->dom_family == AF_UNIX)
		return;
	so->so_state &= ~(SS_CANTRCVMORE | SS_CANTSENDMORE | SS_RCVEOF |
	    SS_ISDISCONNECTED);
}

int
soconnect(struct socket *so, const struct sockaddr *nam, socklen_t len,
    bool nbio)
{
	struct netstate *ns = so->so_ns;
	int64_t deadline = 0;
	int error;

	net_lock(ns);
	/*
	 * AF_UNIX looks its peer up first and checks our state after; TCP
	 * answers for a listener itself (EISCONN, as Linux)
	 */
	if (so->so_proto->pr_domain->dom_family == AF_UNIX)
		goto doconnect;
	/*
	 * After EINPROGRESS, Linux's next connect reports the outcome once:
	 * 0 when the connection is up, its error when it failed.
	 */
	if ((so->so_state & SS_INPROGRESS) &&
	    !(so->so_state & SS_ISCONNECTING)) {
		so->so_state &= ~SS_INPROGRESS;
		if (so->so_state & SS_ISCONNECTED)
			error = 0;
		else if ((error = so_rcverror(so)) == 0)
			error = ECONNABORTED;
		if (error != 0)
			so_connfailed(so);
		goto out;
	}
	if ((so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    (so->so_state & SS_ISCONNECTING)) {
		error = EALREADY;
		goto out;
	}
	if ((so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    (so->so_state & SS_ISCONNECTED)) {
		error = EISCONN;
		goto out;
	}
doconnect:
	so->so_error = 0;
	/* pr_connect may wait (AF_UNIX: a full backlog) unless told not to */
	if (nbio)
		so->so_state |= SS_NBIO;
	error = so->so_proto->pr_connect(so, nam, len);
	so->so_state &= ~SS_NBIO;
	if (error != 0)
		goto out;
	if (so->so_state & SS_ISCONNECTING) {
		if (nbio) {
			so->so_state |= SS_INPROGRESS;
			error = EINPROGRESS;
			goto out;
		}
		while ((so->so_state & SS_ISCONNECTING) && so->so_error == 0) {
			if ((error = sosleep(so, &so->so_cv,
			    so->so_snd.sb_timeo_ns, &deadline)) != 0) {
				/* the connection goes on behind the call */
				if (error == EAGAIN)
					error = EINPROGRESS;
				else
					so->so_state |= SS_INPROGRESS;
				goto out;
			}
		}
		if ((error = so_rcverror(so)) != 0)
			so_connfailed(so);
	}
out:
	sounlock(ns);
	return error;
}

int
soconnect2(struct socket *so1, struct socket *so2)
{
	struct netstate *ns = so1->so_ns;
	int error;

	net_lock(ns);
	error = so1->so_proto->pr_connect2 != NULL ?
	    so1->so_proto->pr_connect2(so1, so2) : EOPNOTSUPP;
	sounlock(ns);
	return error;
}

int
soaccept(struct socket *head, bool nbio, struct socket **sop)
{
	struct netstate *ns = head->so_ns;
	int64_t deadline = 0;
	struct socket *so;
	int error = 0;

	net_lock(ns);
	for (;;) {
		if (!(head->so_options & SOO_ACCEPTCONN) ||
		    (head->so_state & SS_CANTRCVMORE)) {
			error = EINVAL;
			goto out;
		}
		if ((so = TAILQ_FIRST(&head->so_q)) != NULL)
			break;
		if (head->so_error != 0) {
			error = so_rcverror(head);
			goto out;
		}
		if (nbio) {
			error = EAGAIN;
			goto out;
		}
		if ((error = sosleep(head, &head->so_cv,
		    head->so_rcv.sb_timeo_ns, &deadline)) != 0)
			goto out;
	}
	sodequeue(so);
	if (so->so_proto->pr_accept != NULL)
		so->so_proto->pr_accept(so);
	/* room in the queue again */
	cv_broadcast(&head->so_cv);
	*sop = so;
out:
	sounlock(ns);
	return error;
}

int
soshutdown(struct socket *so, int how)
{
	struct netstate *ns = so->so_ns;
	int error = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return EINVAL;
	net_lock(ns);
	if (how != SHUT_WR) {
		so->so_state |= SS_CANTRCVMORE;
		if (so->so_proto->pr_domain->dom_family != AF_UNIX)
			sbflush_so(so, &so->so_rcv);
		sorwakeup(so);
		/* a listener stops accepting */
		cv_broadcast(&so->so_cv);
	}
	/* TCP: nothing to shut on a socket not connected (Linux still marks
	 * it); a listener stops listening on SHUT_RD */
	if (so->so_proto->pr_domain->dom_family != AF_UNIX &&
	    (so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    !(so->so_options & SOO_ACCEPTCONN) &&
	    !(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTING)))
		error = ENOTCONN;
	if (how != SHUT_RD) {
		so->so_state |= SS_CANTSENDMORE;
		if (so->so_proto->pr_shutdown != NULL)
			error = so->so_proto->pr_shutdown(so);
		sowwakeup(so);
	} else if (so->so_proto->pr_domain->dom_family == AF_UNIX &&
	    so->so_proto->pr_shutdown != NULL) {
		/* AF_UNIX tells the peer about reads shut down too */
		error = so->so_proto->pr_shutdown(so);
	}
	sounlock(ns);
	return error;
}

/* ------------------------------------------------------------- options */

static int
sopt_int(const void *val, socklen_t len, int *vp)
{
	if ((int)len < (int)sizeof(int))
		return EINVAL;
	if (val == NULL)
		return EFAULT;
	memcpy(vp, val, sizeof(int));
	return 0;
}

static int
sopt_timeval(const void *val, socklen_t len, int64_t *nsp)
{
	struct timeval tv;

	if ((int)len < (int)sizeof(tv))
		return EINVAL;
	if (val == NULL)
		return EFAULT;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return EDOM;
	if (tv.tv_sec < 0) {
		*nsp = -1;		/* no waiting at all */
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*nsp = 0;		/* forever */
		return 0;
	}
	if (tv.tv_sec > INT64_MAX / 1000000000 - 1)
		*nsp = 0;
	else
		*nsp = (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	return 0;
}

static void
soset_flag(struct socket *so, int bit, int on)
{
	if (on)
		so->so_options |= bit;
	else
		so->so_options &= ~bit;
}

static int
sosetopt_locked(struct socket *so, int name, const void *val, socklen_t len)
{
	struct linger l;
	int v = 0, error;

	switch (name) {
	case SO_LINGER:
		if ((int)len < (int)sizeof(l))
			return EINVAL;
		if (val == NULL)
			return EFAULT;
		memcpy(&l, val, sizeof(l));
		soset_flag(so, SOO_LINGER, l.l_onoff);
		so->so_linger = l.l_linger < 0 ? 0 : l.l_linger;
		return 0;
	case SO_RCVTIMEO:
		return sopt_timeval(val, len, &so->so_rcv.sb_timeo_ns);
	case SO_SNDTIMEO:
		return sopt_timeval(val, len, &so->so_snd.sb_timeo_ns);
	}
	if ((error = sopt_int(val, len, &v)) != 0)
		return error;
	switch (name) {
	case SO_REUSEADDR:
		soset_flag(so, SOO_REUSEADDR, v);
		break;
	case SO_REUSEPORT:
		/* only the internet families have it */
		if (v && so->so_proto->pr_domain->dom_family != AF_INET &&
		    so->so_proto->pr_domain->dom_family != AF_INET6)
			return EOPNOTSUPP;
		soset_flag(so, SOO_REUSEPORT, v);
		break;
	case SO_KEEPALIVE:
		soset_flag(so, SOO_KEEPALIVE, v);
		break;
	case SO_BROADCAST:
		soset_flag(so, SOO_BROADCAST, v);
		break;
	case SO_OOBINLINE:
		soset_flag(so, SOO_OOBINLINE, v);
		break;
	case SO_DONTROUTE:
		soset_flag(so, SOO_DONTROUTE, v);
		break;
	case SO_PASSCRED:
		soset_flag(so, SOO_PASSCRED, v);
		break;
	case SO_TIMESTAMP:
		soset_flag(so, SOO_TIMESTAMP, v);
		break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE: {
		/* Linux clamps to wmem_max (not with FORCE), then doubles */
		uint32_t u = (uint32_t)v;

		if (name == SO_SNDBUF && u > SB_MAX)
			u = SB_MAX;
		if (u > INT_MAX / 2)
			u = INT_MAX / 2;
		so->so_snd.sb_hiwat = MAX(u * 2, SOCK_MIN_SNDBUF);
		so->so_snd.sb_mbmax = 2 * so->so_snd.sb_hiwat;
		/* the user's size stands: no auto-tuning (Linux's lock) */
		so->so_snd.sb_flags &= ~SB_AUTOSIZE;
		sowwakeup(so);
		break;
	}
	case SO_RCVBUF:
	case SO_RCVBUFFORCE: {
		uint32_t u = (uint32_t)v;

		if (name == SO_RCVBUF && u > SB_MAX)
			u = SB_MAX;
		if (u > INT_MAX / 2)
			u = INT_MAX / 2;
		so->so_rcv.sb_hiwat = MAX(u * 2, SOCK_MIN_RCVBUF);
		so->so_rcv.sb_mbmax = 2 * so->so_rcv.sb_hiwat;
		so->so_rcv.sb_flags &= ~SB_AUTOSIZE;
		break;
	}
	case SO_RCVLOWAT:
		if (v < 0)
			v = INT_MAX;
		so->so_rcv.sb_lowat = v == 0 ? 1 : (size_t)v;
		sorwakeup(so);
		break;
	default:
		return ENOPROTOOPT;
	}
	return 0;
}

int
sosetopt(struct socket *so, int level, int name, const void *val,
    socklen_t len)
{
	struct netstate *ns = so->so_ns;
	int error;

	if ((int)len < 0)
		return EINVAL;
	net_lock(ns);
	if (level == SOL_SOCKET)
		error = sosetopt_locked(so, name, val, len);
	else if (so->so_proto->pr_ctloutput != NULL)
		error = so->so_proto->pr_ctloutput(SOPT_SET, so, level, name,
		    (void *)(uintptr_t)val, &len);
	else
		error = ENOPROTOOPT;
	sounlock(ns);
	return error;
}

static void
ns_to_tv(int64_t ns, struct timeval *tv)
{
	if (ns <= 0) {
		tv->tv_sec = 0;
		tv->tv_usec = 0;
		return;
	}
	tv->tv_sec = ns / 1000000000;
	tv->tv_usec = (ns % 1000000000) / 1000;
}

/* A socket-level option's value into u (*lvp bytes). */
static int
sogetopt_locked(struct socket *so, int name, void *u, size_t *lvp,
    socklen_t len)
{
	int v;

	switch (name) {
	case SO_LINGER: {
		struct linger l = { (so->so_options & SOO_LINGER) ? 1 : 0,
		    so->so_linger };

		memcpy(u, &l, sizeof(l));
		*lvp = sizeof(l);
		return 0;
	}
	case SO_RCVTIMEO:
	case SO_SNDTIMEO: {
		struct timeval tv;

		ns_to_tv(name == SO_RCVTIMEO ? so->so_rcv.sb_timeo_ns :
		    so->so_snd.sb_timeo_ns, &tv);
		memcpy(u, &tv, sizeof(tv));
		*lvp = sizeof(tv);
		return 0;
	}
	case SO_PEERCRED: {
		struct ucred uc = { 0, (uid_t)-1, (gid_t)-1 };
		socklen_t l = sizeof(uc);

		if (so->so_proto->pr_ctloutput != NULL &&
		    so->so_proto->pr_ctloutput(SOPT_GET, so, SOL_SOCKET,
		    SO_PEERCRED, &uc, &l) != 0) {
			uc.pid = 0;
			uc.uid = (uid_t)-1;
			uc.gid = (gid_t)-1;
		}
		memcpy(u, &uc, sizeof(uc));
		*lvp = sizeof(uc);
		return 0;
	}
	}
	(void)len;
	switch (name) {
	case SO_TYPE:
		v = so->so_type;
		break;
	case SO_DOMAIN:
		v = so->so_proto->pr_domain->dom_family;
		break;
	case SO_PROTOCOL: {
		socklen_t l = sizeof(v);

		/* the protocol may know better (AF_UNIX keeps socket(2)'s) */
		v = so->so_proto->pr_protocol;
		if (so->so_proto->pr_ctloutput != NULL)
			(void)so->so_proto->pr_ctloutput(SOPT_GET, so,
			    SOL_SOCKET, SO_PROTOCOL, &v, &l);
		break;
	}
	case SO_ACCEPTCONN:
		v = (so->so_options & SOO_ACCEPTCONN) != 0;
		break;
	case SO_ERROR:
		v = so_rcverror(so);
		break;
	case SO_REUSEADDR:
		v = (so->so_options & SOO_REUSEADDR) != 0;
		break;
	case SO_REUSEPORT:
		v = (so->so_options & SOO_REUSEPORT) != 0;
		break;
	case SO_KEEPALIVE:
		v = (so->so_options & SOO_KEEPALIVE) != 0;
		break;
	case SO_BROADCAST:
		v = (so->so_options & SOO_BROADCAST) != 0;
		break;
	case SO_OOBINLINE:
		v = (so->so_options & SOO_OOBINLINE) != 0;
		break;
	case SO_DONTROUTE:
		v = (so->so_options & SOO_DONTROUTE) != 0;
		break;
	case SO_PASSCRED:
		v = (so->so_options & SOO_PASSCRED) != 0;
		break;
	case SO_TIMESTAMP:
		v = (so->so_options & SOO_TIMESTAMP) != 0;
		break;
	case SO_SNDBUF:
		v = (int)so->so_snd.sb_hiwat;
		break;
	case SO_RCVBUF:
		v = (int)so->so_rcv.sb_hiwat;
		break;
	case SO_RCVLOWAT:
		v = (int)MIN(so->so_rcv.sb_lowat, (size_t)INT_MAX);
		break;
	case SO_SNDLOWAT:
		v = 1;
		break;
	default:
		return ENOPROTOOPT;
	}
	memcpy(u, &v, sizeof(v));
	*lvp = sizeof(v);
	return 0;
}

int
sogetopt(struct socket *so, int level, int name, void *val, socklen_t *lenp)
{
	struct netstate *ns = so->so_ns;
	unsigned char u[64];
	size_t lv = 0;
	socklen_t len = *lenp;
	int error;

	if ((int)len < 0)
		return EINVAL;
	net_lock(ns);
	if (level == SOL_SOCKET) {
		error = sogetopt_locked(so, name, u, &lv, len);
		if (error == 0) {
			if (len > lv)
				len = (socklen_t)lv;
			if (len > 0 && val == NULL)
				error = EFAULT;
			else if (len > 0)
				memcpy(val, u, len);
			*lenp = len;
		}
	} else if (so->so_proto->pr_ctloutput != NULL) {
		error = so->so_proto->pr_ctloutput(SOPT_GET, so, level, name,
		    val, lenp);
	} else {
		error = ENOPROTOOPT;
	}
	sounlock(ns);
	return error;
}

/* ------------------------------------------------------------------ poll */

/*
 * Readiness as Linux's tcp_poll reports it; AF_UNIX has its own rules
 * (unp_poll).  The selinfos are recorded before the state is read.
 */
int
sopoll(struct socket *so, int events, struct pollctx *pc)
{
	struct netstate *ns = so->so_ns;
	int mask = 0, shut;

	if (so->so_proto->pr_domain->dom_family == AF_UNIX)
		return unp_poll(so, events, pc);
	selrecord(pc, &so->so_rcv.sb_sel);
	selrecord(pc, &so->so_snd.sb_sel);
	net_lock(ns);
	shut = so->so_state & (SS_CANTRCVMORE | SS_CANTSENDMORE);
	if (so->so_options & SOO_ACCEPTCONN) {
		if (so->so_qlen > 0)
			mask |= POLLIN | POLLRDNORM;
		goto out;
	}
	if (so->so_error != 0)
		mask |= POLLERR;
	if (shut == (SS_CANTRCVMORE | SS_CANTSENDMORE) ||
	    ((so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    !(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING))))
		mask |= POLLHUP;
	if (shut & SS_CANTRCVMORE)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (so->so_rcv.sb_cc >= so->so_rcv.sb_lowat ||
	    ((so->so_proto->pr_flags & PR_ATOMIC) && so->so_rcv.sb_mb != NULL))
		mask |= POLLIN | POLLRDNORM;
	if (so->so_oobmark_valid)
		mask |= POLLPRI;
	if (!(so->so_state & SS_ISCONNECTING) || !(so->so_proto->pr_flags &
	    PR_CONNREQUIRED)) {
		if ((shut & SS_CANTSENDMORE) ||
		    sbspace(&so->so_snd) >= so->so_snd.sb_lowat)
			mask |= POLLOUT | POLLWRNORM;
	}
out:
	sounlock(ns);
	return mask & (events | POLLERR | POLLHUP);
}

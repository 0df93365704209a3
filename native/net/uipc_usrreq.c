/*
 * AF_UNIX: stream, datagram and seqpacket sockets within one kernel.
 * Data goes straight into the peer's receive buffer; a stream sender's
 * send buffer only mirrors how much of it waits there (flow control).
 * Names are socket nodes in the kernel's VFS (held while bound) or
 * abstract names (sun_path[0] == 0) in a per-kernel list.  Descriptors in
 * flight (SCM_RIGHTS) hold their files until received or dropped.
 *
 * Lock order here: ns_lock, then the VFS lock (names are looked up and
 * created with ns_lock held), then a descriptor table's lock.
 */
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kauth.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socketvar.h"
#include "sys/vnode.h"
#include "net/netstate.h"
#include "net/unpcb.h"

#define UNP_MAX_DGRAM_QLEN	10	/* net.unix.max_dgram_qlen */
#define SCM_MAX_FD		253
#define SUN_OFF			offsetof(struct sockaddr_un, sun_path)

struct unp_state {
	LIST_HEAD(, unpcb) us_bound;	/* every bound socket */
	kcondvar_t	us_connwait;	/* connectors facing a full backlog */
	uint32_t	us_autobind;	/* the next autobind name */
};

/* Control data in flight: rights (held files) or credentials. */
struct unp_ctl {
	int		uc_type;	/* SCM_RIGHTS, SCM_CREDENTIALS */
	int		uc_n;		/* files */
	struct ucred	uc_cred;
	struct file	*uc_fps[];
};

static struct unp_state *
unp_state(struct socket *so)
{
	return so->so_ns->ns_unp;
}

static void
unp_curcred(struct unp_cred *uc)
{
	struct proc *p = curproc;
	kauth_cred_t cr = kauth_cred_get_proc(p);

	uc->pid = p->p_pid;
	uc->uid = cr->cr_euid;
	uc->gid = cr->cr_egid;
	uc->valid = true;
	kauth_cred_free(p->p_kernel, cr);
}

/* ------------------------------------------------------------- names */

/*
 * Check a name from bind/connect/sendto; *lenp becomes the length
 * getsockname will report (a path's is cut at its NUL, plus one).
 */
static int
unp_checkname(const struct sockaddr *nam, socklen_t len,
    struct sockaddr_un *sun, socklen_t *lenp)
{
	if (len <= SUN_OFF || len > sizeof(*sun))
		return EINVAL;
	if (nam->sa_family != AF_UNIX)
		return EINVAL;
	memset(sun, 0, sizeof(*sun));
	memcpy(sun, nam, len);
	if (sun->sun_path[0] != '\0') {
		size_t n = strnlen(sun->sun_path, len - SUN_OFF);

		if (n >= sizeof(sun->sun_path))
			n = sizeof(sun->sun_path) - 1;
		sun->sun_path[n] = '\0';
		*lenp = (socklen_t)(SUN_OFF + n + 1);
	} else {
		*lenp = len;
	}
	return 0;
}

/* Abstract names are per socket type, as Linux hashes them. */
static struct unpcb *
unp_findabstract(struct unp_state *us, const struct sockaddr_un *sun,
    socklen_t len, int type)
{
	struct unpcb *unp;

	LIST_FOREACH(unp, &us->us_bound, unp_namelink)
		if (unp->unp_vnode == NULL && unp->unp_addrlen == len &&
		    unp->unp_socket->so_type == type &&
		    unp->unp_addr.sun_path[0] == '\0' &&
		    memcmp(&unp->unp_addr, sun, len) == 0)
			return unp;
	return NULL;
}

/* The socket a name names (ECONNREFUSED: none), of type type. */
static int
unp_lookup(struct socket *so, const struct sockaddr *nam, socklen_t len,
    struct unpcb **unpp)
{
	struct unp_state *us = unp_state(so);
	struct sockaddr_un sun;
	struct unpcb *unp = NULL;
	socklen_t slen;
	int error;

	if ((error = unp_checkname(nam, len, &sun, &slen)) != 0)
		return error;
	if (sun.sun_path[0] != '\0') {
		struct vnode *vp;

		if ((error = vn_find_socket(curlwp, sun.sun_path, &vp)) != 0)
			return error;
		LIST_FOREACH(unp, &us->us_bound, unp_namelink)
			if (unp->unp_vnode == vp)
				break;
		vn_release_socket(so->so_ns->ns_kernel, vp);
	} else {
		unp = unp_findabstract(us, &sun, slen, so->so_type);
	}
	if (unp == NULL)
		return ECONNREFUSED;
	if (unp->unp_socket->so_type != so->so_type)
		return EPROTOTYPE;
	*unpp = unp;
	return 0;
}

static int
unp_autobind(struct socket *so)
{
	struct unp_state *us = unp_state(so);
	struct unpcb *unp = sotounpcb(so);

	for (unsigned tries = 0; tries < 0x100000; tries++) {
		struct sockaddr_un sun;
		uint32_t n = us->us_autobind++ & 0xfffff;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		ksnprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "%05x", n);
		if (unp_findabstract(us, &sun, SUN_OFF + 6, so->so_type) != NULL)
			continue;
		unp->unp_addr = sun;
		unp->unp_addrlen = SUN_OFF + 6;
		LIST_INSERT_HEAD(&us->us_bound, unp, unp_namelink);
		unp->unp_named = true;
		return 0;
	}
	return ENOSPC;
}

/* ------------------------------------------------------ attach, detach */

static int
unp_attach(struct socket *so, int proto)
{
	struct unpcb *unp;

	if (proto != 0 && proto != PF_UNIX)
		return EPROTONOSUPPORT;
	if ((unp = kmem_zalloc(so->so_ns->ns_kernel, sizeof(*unp))) == NULL)
		return ENOBUFS;
	unp->unp_socket = so;
	LIST_INIT(&unp->unp_refs);
	LIST_INIT(&unp->unp_waiters);
	if (so->so_type == SOCK_RAW)
		so->so_type = SOCK_DGRAM;	/* as Linux */
	so->so_pcb = unp;
	return 0;
}

/* Stop waiting for room at another socket. */
static void
unp_unwait(struct unpcb *unp)
{
	if (unp->unp_waitingon != NULL) {
		LIST_REMOVE(unp, unp_waitlink);
		unp->unp_waitingon = NULL;
	}
}

/* Wake the senders waiting for room here. */
static void
unp_wakewaiters(struct unpcb *unp)
{
	struct unpcb *w;

	while ((w = LIST_FIRST(&unp->unp_waiters)) != NULL) {
		unp_unwait(w);
		sowwakeup(w->unp_socket);
	}
	LIST_FOREACH(w, &unp->unp_refs, unp_reflink)
		sowwakeup(w->unp_socket);
}

static void
unp_savepeer(struct unpcb *unp, struct unpcb *peer)
{
	unp->unp_peer = peer->unp_addr;
	unp->unp_peerlen = peer->unp_addrlen;
}

/* A datagram socket forgets its target. */
static void
unp_dgram_disconnect(struct unpcb *unp)
{
	if (unp->unp_conn != NULL) {
		LIST_REMOVE(unp, unp_reflink);
		unp->unp_conn = NULL;
	}
	unp->unp_socket->so_state &= ~SS_ISCONNECTED;
}

/* A connection's end goes: the peer sees end of file, maybe a reset. */
static void
unp_stream_drop(struct unpcb *unp, bool reset)
{
	struct unpcb *peer = unp->unp_conn;
	struct socket *so2;

	if (peer == NULL)
		return;
	so2 = peer->unp_socket;
	unp_savepeer(peer, unp);
	peer->unp_conn = NULL;
	peer->unp_peergone = true;
	unp->unp_conn = NULL;
	if (reset)
		so2->so_error = ECONNRESET;
	so2->so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE;
	so2->so_snd.sb_cc = 0;
	sorwakeup(so2);
	sowwakeup(so2);
	selwakeup(so2->so_ns->ns_kernel, &so2->so_rcv.sb_sel,
	    POLLHUP | POLLIN | POLLRDHUP);
}

static void
unp_detach(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so), *ref;
	struct unp_state *us = unp_state(so);

	if (so->so_type == SOCK_DGRAM) {
		unp_dgram_disconnect(unp);
		while ((ref = LIST_FIRST(&unp->unp_refs)) != NULL) {
			unp_dgram_disconnect(ref);
			ref->unp_peerdead = true;
			ref->unp_socket->so_state |= SS_ISCONNECTED;
			sowwakeup(ref->unp_socket);
		}
	} else {
		unp_stream_drop(unp, so->so_rcv.sb_cc > 0 ||
		    so->so_head != NULL);
	}
	unp_unwait(unp);
	unp_wakewaiters(unp);
	if (unp->unp_named)
		LIST_REMOVE(unp, unp_namelink);
	if (unp->unp_vnode != NULL)
		vn_release_socket(so->so_ns->ns_kernel, unp->unp_vnode);
	if (so->so_options & SOO_ACCEPTCONN)
		cv_broadcast(&us->us_connwait);
	so->so_pcb = NULL;
	kmem_free(so->so_ns->ns_kernel, unp, sizeof(*unp));
}

static void
unp_abort(struct socket *so)
{
	/* an unaccepted connection: its connector sees a reset */
	unp_stream_drop(sotounpcb(so), true);
}

/* ---------------------------------------------------------- bind, listen */

static int
unp_bind(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct unp_state *us = unp_state(so);
	struct unpcb *unp = sotounpcb(so);
	struct sockaddr_un sun;
	struct vnode *vp;
	socklen_t slen;
	mode_t mode;
	int error;

	if (len < SUN_OFF || nam->sa_family != AF_UNIX)
		return EINVAL;
	if (len == SUN_OFF)
		return unp->unp_addrlen > 0 ? 0 : unp_autobind(so);
	if ((error = unp_checkname(nam, len, &sun, &slen)) != 0)
		return error;
	if (sun.sun_path[0] == '\0') {
		if (unp->unp_addrlen > 0)
			return EINVAL;
		if (unp_findabstract(us, &sun, slen, so->so_type) != NULL)
			return EADDRINUSE;
		unp->unp_addr = sun;
		unp->unp_addrlen = slen;
		LIST_INSERT_HEAD(&us->us_bound, unp, unp_namelink);
		unp->unp_named = true;
		return 0;
	}
	/* a path: the node first (EADDRINUSE), then "already bound" */
	mutex_enter(&curproc->p_lock);
	mode = 0777 & ~curproc->p_umask;
	mutex_exit(&curproc->p_lock);
	if ((error = vn_bind_socket(curlwp, sun.sun_path, mode,
	    unp->unp_addrlen == 0 ? &vp : NULL)) != 0)
		return error;
	if (unp->unp_addrlen > 0)
		return EINVAL;	/* Linux made the node and took it back */
	unp->unp_vnode = vp;
	unp->unp_addr = sun;
	unp->unp_addrlen = slen;
	LIST_INSERT_HEAD(&us->us_bound, unp, unp_namelink);
	unp->unp_named = true;
	return 0;
}

static int
unp_listen(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so);

	if (unp->unp_addrlen == 0)
		return EINVAL;
	unp_curcred(&unp->unp_listencred);
	cv_broadcast(&unp_state(so)->us_connwait);
	return 0;
}

/* ---------------------------------------------------------- connecting */

static void
unp_link(struct unpcb *a, struct unpcb *b)
{
	a->unp_conn = b;
	b->unp_conn = a;
	a->unp_peergone = b->unp_peergone = false;
}

static int
unp_connect_stream(struct socket *so, const struct sockaddr *nam,
    socklen_t len)
{
	struct unp_state *us = unp_state(so);
	struct unpcb *unp = sotounpcb(so), *lunp, *nunp;
	bool nbio = (so->so_state & SS_NBIO) != 0;
	int64_t deadline = 0;
	struct socket *so2, *nso;
	int error;

	for (;;) {
		if ((error = unp_lookup(so, nam, len, &lunp)) != 0)
			return error;
		so2 = lunp->unp_socket;
		if (!(so2->so_options & SOO_ACCEPTCONN) ||
		    (so2->so_state & SS_CANTRCVMORE))
			return ECONNREFUSED;
		/* Linux's order: the listener's queue, then our state */
		if (so2->so_qlen + so2->so_q0len <= so2->so_qlimit) {
			if (so->so_state & SS_ISCONNECTED)
				return EISCONN;
			if (so->so_options & SOO_ACCEPTCONN)
				return EINVAL;
			if ((nso = sonewconn(so2, false)) == NULL)
				return ENOBUFS;
			break;
		}
		if (nbio)
			return EAGAIN;
		/* a full backlog: wait for accept, then look again */
		if (so->so_snd.sb_timeo_ns > 0) {
			int64_t left;

			if (deadline == 0)
				deadline = mono_ns() + so->so_snd.sb_timeo_ns;
			if ((left = deadline - mono_ns()) <= 0)
				return EAGAIN;
			if (net_sleep(so->so_ns, &us->us_connwait, left) ==
			    EINTR)
				return EINTR;
		} else if (net_sleep(so->so_ns, &us->us_connwait, -1) ==
		    EINTR) {
			return EINTR;
		}
	}
	nunp = sotounpcb(nso);
	nunp->unp_addr = lunp->unp_addr;
	nunp->unp_addrlen = lunp->unp_addrlen;
	unp_curcred(&nunp->unp_peercred);
	unp->unp_peercred = lunp->unp_listencred;
	unp_link(unp, nunp);
	soisconnected(so);
	soisconnected(nso);	/* to the listener's accept queue */
	return 0;
}

static int
unp_connect(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct unpcb *unp = sotounpcb(so), *target;
	int error;

	if (so->so_type != SOCK_DGRAM)
		return unp_connect_stream(so, nam, len);
	if (len >= sizeof(sa_family_t) && nam->sa_family == AF_UNSPEC) {
		unp_dgram_disconnect(unp);
		unp->unp_peerdead = false;
		return 0;
	}
	if ((error = unp_lookup(so, nam, len, &target)) != 0)
		return error;
	if (target->unp_conn != NULL && target->unp_conn != unp &&
	    target != unp)
		return EPERM;
	unp_dgram_disconnect(unp);
	unp->unp_conn = target;
	unp->unp_peerdead = false;
	LIST_INSERT_HEAD(&target->unp_refs, unp, unp_reflink);
	unp_curcred(&unp->unp_peercred);
	unp->unp_peercred = target->unp_listencred.valid ?
	    target->unp_listencred : unp->unp_peercred;
	so->so_state |= SS_ISCONNECTED;
	return 0;
}

static int
unp_connect2(struct socket *so1, struct socket *so2)
{
	struct unpcb *a = sotounpcb(so1), *b = sotounpcb(so2);

	unp_curcred(&a->unp_peercred);
	b->unp_peercred = a->unp_peercred;
	if (so1->so_type == SOCK_DGRAM) {
		a->unp_conn = b;
		b->unp_conn = a;
		LIST_INSERT_HEAD(&b->unp_refs, a, unp_reflink);
		LIST_INSERT_HEAD(&a->unp_refs, b, unp_reflink);
		so1->so_state |= SS_ISCONNECTED;
		so2->so_state |= SS_ISCONNECTED;
		return 0;
	}
	unp_link(a, b);
	soisconnected(so1);
	soisconnected(so2);
	return 0;
}

static int
unp_accept(struct socket *so)
{
	(void)so;
	return 0;
}

static int
unp_disconnect(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so);

	if (so->so_type == SOCK_DGRAM)
		unp_dgram_disconnect(unp);
	else
		unp_stream_drop(unp, so->so_rcv.sb_cc > 0);
	return 0;
}

static int
unp_shutdown(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so);
	struct socket *so2;

	if (so->so_type == SOCK_DGRAM || unp->unp_conn == NULL)
		return 0;
	/* the peer learns it: our end of writing is its end of reading */
	so2 = unp->unp_conn->unp_socket;
	if ((so->so_state & SS_CANTSENDMORE) &&
	    !(so2->so_state & SS_CANTRCVMORE))
		socantrcvmore(so2);
	if ((so->so_state & SS_CANTRCVMORE) &&
	    !(so2->so_state & SS_CANTSENDMORE))
		socantsendmore(so2);
	if ((so2->so_state & (SS_CANTRCVMORE | SS_CANTSENDMORE)) ==
	    (SS_CANTRCVMORE | SS_CANTSENDMORE))
		selwakeup(so2->so_ns->ns_kernel, &so2->so_rcv.sb_sel, POLLHUP);
	return 0;
}

/* ----------------------------------------------------------- addresses */

static void
unp_putname(const struct sockaddr_un *sun, socklen_t len, struct sockaddr *sa,
    socklen_t *lenp)
{
	if (len == 0) {
		sa->sa_family = AF_UNIX;
		*lenp = sizeof(sa_family_t);
		return;
	}
	memcpy(sa, sun, MIN(len, *lenp));
	*lenp = len;
}

static int
unp_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct unpcb *unp = sotounpcb(so);

	unp_putname(&unp->unp_addr, unp->unp_addrlen, sa, lenp);
	return 0;
}

static int
unp_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct unpcb *unp = sotounpcb(so);

	if (unp->unp_conn != NULL)
		unp_putname(&unp->unp_conn->unp_addr, unp->unp_conn->unp_addrlen,
		    sa, lenp);
	else if (unp->unp_peergone || so->so_type == SOCK_DGRAM)
		unp_putname(&unp->unp_peer, unp->unp_peerlen, sa, lenp);
	else
		return ENOTCONN;
	return 0;
}

void
unp_peername(struct socket *so, struct sockaddr_storage *ss, socklen_t *lenp)
{
	struct unpcb *unp;
	socklen_t len = sizeof(*ss);

	net_lock(so->so_ns);
	unp = sotounpcb(so);
	if (unp != NULL && unp->unp_conn != NULL &&
	    unp->unp_conn->unp_addrlen > 0)
		unp_putname(&unp->unp_conn->unp_addr, unp->unp_conn->unp_addrlen,
		    (struct sockaddr *)ss, &len);
	else if (unp != NULL && unp->unp_conn == NULL && unp->unp_peerlen > 0)
		unp_putname(&unp->unp_peer, unp->unp_peerlen,
		    (struct sockaddr *)ss, &len);
	else
		len = 0;	/* an unnamed peer gives no name */
	sounlock(so->so_ns);
	*lenp = len;
}

/* ------------------------------------------------------------- control */

static void
unp_ctl_free(struct mbuf *m)
{
	for (; m != NULL; m = m_free(m)) {
		struct unp_ctl *uc = mtod(m, struct unp_ctl *);

		if (m->m_len < sizeof(*uc) || uc->uc_type != SCM_RIGHTS)
			continue;
		for (int i = 0; i < uc->uc_n; i++)
			if (uc->uc_fps[i] != NULL)
				fdrop(uc->uc_fps[i]);
	}
}

static void
unp_dispose(struct mbuf *control)
{
	unp_ctl_free(control);
}

/* The caller's cmsgs into held files and credentials. */
static int
unp_internalize(struct socket *so, struct mbuf *raw, struct mbuf **outp)
{
	struct rump_kernel *k = so->so_ns->ns_kernel;
	size_t len = m_length(raw), off = 0;
	struct mbuf *out = NULL, **tail = &out;
	unsigned char *buf;
	int error = 0;

	*outp = NULL;
	if ((buf = kmem_alloc(k, len ? len : 1)) == NULL)
		return ENOBUFS;
	m_copydata(raw, 0, len, buf);
	while (off + sizeof(struct cmsghdr) <= len) {
		struct cmsghdr cm;
		size_t dlen, n;
		struct mbuf *m;
		struct unp_ctl *uc;

		memcpy(&cm, buf + off, sizeof(cm));
		if (cm.cmsg_len < sizeof(cm) || cm.cmsg_len > len - off) {
			error = EINVAL;
			break;
		}
		dlen = cm.cmsg_len - CMSG_LEN(0);
		if (cm.cmsg_level != SOL_SOCKET)
			goto next;
		if (cm.cmsg_type == SCM_RIGHTS) {
			n = dlen / sizeof(int);
			if (n == 0)
				goto next;
			if (n > SCM_MAX_FD) {
				error = EINVAL;
				break;
			}
			m = m_get(k, 0, sizeof(*uc) + n * sizeof(struct file *));
			if (m == NULL) {
				error = ENOBUFS;
				break;
			}
			uc = mtod(m, struct unp_ctl *);
			memset(uc, 0, sizeof(*uc) + n * sizeof(struct file *));
			uc->uc_type = SCM_RIGHTS;
			m->m_len = (uint32_t)(sizeof(*uc) + n * sizeof(struct file *));
			m->m_type = MT_CONTROL;
			*tail = m;
			tail = &m->m_next;
			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, buf + off + CMSG_LEN(0) + i * sizeof(int),
				    sizeof(fd));
				if ((uc->uc_fps[i] = fd_getfile(curproc, fd)) == NULL) {
					error = EBADF;
					break;
				}
				uc->uc_n = (int)i + 1;
			}
			if (error != 0)
				break;
		} else if (cm.cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;
			struct unp_cred me;

			if (dlen != sizeof(cred)) {
				error = EINVAL;
				break;
			}
			memcpy(&cred, buf + off + CMSG_LEN(0), sizeof(cred));
			unp_curcred(&me);
			if ((cred.pid != me.pid || cred.uid != me.uid ||
			    cred.gid != me.gid) && me.uid != 0) {
				error = EPERM;
				break;
			}
			if ((m = m_get(k, 0, sizeof(*uc))) == NULL) {
				error = ENOBUFS;
				break;
			}
			uc = mtod(m, struct unp_ctl *);
			memset(uc, 0, sizeof(*uc));
			uc->uc_type = SCM_CREDENTIALS;
			uc->uc_cred = cred;
			m->m_len = sizeof(*uc);
			m->m_type = MT_CONTROL;
			*tail = m;
			tail = &m->m_next;
		} else {
			error = EINVAL;
			break;
		}
next:
		off += CMSG_ALIGN(cm.cmsg_len);
	}
	kmem_free(k, buf, len ? len : 1);
	if (error != 0) {
		unp_ctl_free(out);
		return error;
	}
	*outp = out;
	return 0;
}

/* The sender's credentials for a receiver with SO_PASSCRED. */
static struct mbuf *
unp_addcreds(struct socket *so, struct mbuf *control)
{
	struct mbuf *m, **pp;
	struct unp_ctl *uc;
	struct unp_cred me;

	for (m = control; m != NULL; m = m->m_next)
		if (mtod(m, struct unp_ctl *)->uc_type == SCM_CREDENTIALS)
			return control;
	if ((m = m_get(so->so_ns->ns_kernel, 0, sizeof(*uc))) == NULL)
		return control;
	unp_curcred(&me);
	uc = mtod(m, struct unp_ctl *);
	memset(uc, 0, sizeof(*uc));
	uc->uc_type = SCM_CREDENTIALS;
	uc->uc_cred.pid = me.pid;
	uc->uc_cred.uid = me.uid;
	uc->uc_cred.gid = me.gid;
	m->m_len = sizeof(*uc);
	m->m_type = MT_CONTROL;
	/* credentials come first, as Linux puts them */
	pp = &m->m_next;
	*pp = control;
	return m;
}

int
unp_externalize(struct lwp *l, struct mbuf *control, void *uctl,
    size_t *lenp, int inflags, int *flagsp)
{
	size_t cap = uctl != NULL ? *lenp : 0, used = 0;
	struct mbuf *m;
	int error = 0;

	for (m = control; m != NULL; m = m->m_next) {
		struct unp_ctl *uc = mtod(m, struct unp_ctl *);
		struct cmsghdr cm;
		size_t left = cap - used;

		cm.cmsg_level = SOL_SOCKET;
		cm.cmsg_type = uc->uc_type;
		if (uc->uc_type == SCM_CREDENTIALS) {
			size_t n;

			if (left < sizeof(cm)) {
				*flagsp |= MSG_CTRUNC;
				continue;
			}
			cm.cmsg_len = CMSG_LEN(sizeof(uc->uc_cred));
			n = MIN(left, cm.cmsg_len);
			if (n < cm.cmsg_len)
				*flagsp |= MSG_CTRUNC;
			if (error == 0)
				error = copyout(&cm, (char *)uctl + used,
				    sizeof(cm));
			if (error == 0)
				error = copyout(&uc->uc_cred,
				    (char *)uctl + used + CMSG_LEN(0),
				    n - CMSG_LEN(0));
			used += MIN(left, CMSG_SPACE(sizeof(uc->uc_cred)));
			continue;
		}
		/* rights: as many descriptors as fit, the rest closed */
		{
			size_t fit = left > CMSG_LEN(0) ?
			    (left - CMSG_LEN(0)) / sizeof(int) : 0;
			int i;

			if (left < CMSG_LEN(sizeof(int)))
				fit = 0;
			for (i = 0; i < uc->uc_n && (size_t)i < fit &&
			    error == 0; i++) {
				int fd;

				if (fd_install(l->l_proc, 0, uc->uc_fps[i],
				    (inflags & MSG_CMSG_CLOEXEC) != 0, &fd) != 0)
					break;
				error = copyout(&fd, (char *)uctl + used +
				    CMSG_LEN(0) + (size_t)i * sizeof(int),
				    sizeof(fd));
			}
			if (i < uc->uc_n)
				*flagsp |= MSG_CTRUNC;
			if (i > 0) {
				cm.cmsg_len = CMSG_LEN((size_t)i * sizeof(int));
				if (error == 0)
					error = copyout(&cm, (char *)uctl + used,
					    sizeof(cm));
				used += MIN(left,
				    CMSG_SPACE((size_t)i * sizeof(int)));
			}
		}
	}
	unp_ctl_free(control);	/* installed files hold their own refs */
	*lenp = used;
	return error;
}

/* -------------------------------------------------------------- sending */

/* Would a datagram of len bytes from unp overflow target? */
static bool
unp_full(struct unpcb *unp, struct unpcb *target, size_t len)
{
	struct sockbuf *sb = &target->unp_socket->so_rcv;
	unsigned n = 0;

	if (sb->sb_cc > 0 && sb->sb_cc + len >
	    MAX(unp->unp_socket->so_snd.sb_hiwat, sb->sb_hiwat))
		return true;
	if (target->unp_conn == unp)
		return false;
	for (struct mbuf *m = sb->sb_mb; m != NULL; m = m->m_nextpkt)
		n++;
	return n > UNP_MAX_DGRAM_QLEN;
}

static int
unp_send_dgram(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    socklen_t namlen, struct mbuf **controlp, int flags)
{
	struct unpcb *unp = sotounpcb(so), *target;
	size_t len = m_length(m);
	int64_t deadline = 0;
	int error;

	for (;;) {
		if (nam != NULL) {
			if ((error = unp_lookup(so, nam, namlen, &target)) != 0)
				return error;
		} else if ((target = unp->unp_conn) == NULL) {
			if (unp->unp_peerdead) {
				unp->unp_peerdead = false;
				so->so_state &= ~SS_ISCONNECTED;
				return ECONNREFUSED;
			}
			return ENOTCONN;
		}
		if (target->unp_conn != NULL && target->unp_conn != unp &&
		    target != unp)
			return EPERM;
		if (target->unp_socket->so_state & SS_CANTRCVMORE)
			return EPIPE;
		if (!unp_full(unp, target, len))
			break;
		if (flags & MSG_DONTWAIT)
			return EAGAIN;
		/* wait for the receiver to read (or to go) */
		unp_unwait(unp);
		LIST_INSERT_HEAD(&target->unp_waiters, unp, unp_waitlink);
		unp->unp_waitingon = target;
		if (so->so_snd.sb_timeo_ns > 0) {
			int64_t left;

			if (deadline == 0)
				deadline = mono_ns() + so->so_snd.sb_timeo_ns;
			left = deadline - mono_ns();
			if (left <= 0) {
				unp_unwait(unp);
				return EAGAIN;
			}
			error = net_sleep(so->so_ns, &so->so_snd.sb_cv, left);
		} else {
			error = net_sleep(so->so_ns, &so->so_snd.sb_cv, -1);
		}
		unp_unwait(unp);
		if (error == EINTR)
			return EINTR;
	}
	if (target->unp_socket->so_options & SOO_PASSCRED)
		*controlp = unp_addcreds(so, *controlp);
	if (!sbappendaddr(&target->unp_socket->so_rcv,
	    unp->unp_addrlen > 0 ? (struct sockaddr *)&unp->unp_addr : NULL,
	    unp->unp_addrlen, m, *controlp))
		return ENOBUFS;
	sorwakeup(target->unp_socket);
	return 0;
}

static int
unp_send_conn(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    struct mbuf **controlp)
{
	struct mbuf *control;
	struct unpcb *unp = sotounpcb(so), *peer = unp->unp_conn;
	struct socket *so2;

	if (nam != NULL && so->so_type == SOCK_STREAM)
		return (so->so_state & SS_ISCONNECTED) ? EISCONN : EOPNOTSUPP;
	if (peer == NULL)
		return unp->unp_peergone ? EPIPE : ENOTCONN;
	so2 = peer->unp_socket;
	if (so2->so_state & SS_CANTRCVMORE)
		return EPIPE;
	if (so2->so_options & SOO_PASSCRED)
		*controlp = unp_addcreds(so, *controlp);
	control = *controlp;
	if (so->so_type == SOCK_SEQPACKET) {
		if (!sbappendrecord(&so2->so_rcv, m, control))
			return ENOBUFS;
	} else if (control != NULL) {
		if (!sbappendcontrol(&so2->so_rcv, m, control))
			return ENOBUFS;
	} else {
		sbappendstream(&so2->so_rcv, m);
	}
	/* our send buffer counts what waits at the peer */
	so->so_snd.sb_cc = so2->so_rcv.sb_cc;
	sorwakeup(so2);
	return 0;
}

static int
unp_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    socklen_t namlen, struct mbuf *control, int flags)
{
	struct mbuf *ctl = NULL;
	int error;

	if (flags & MSG_OOB) {
		error = EOPNOTSUPP;
		goto drop;
	}
	if (control != NULL &&
	    (error = unp_internalize(so, control, &ctl)) != 0)
		goto drop;
	m_freem(control);
	control = NULL;
	if (so->so_type == SOCK_DGRAM)
		error = unp_send_dgram(so, m, nam, namlen, &ctl, flags);
	else
		error = unp_send_conn(so, m, nam, &ctl);
	if (error == 0)
		return 0;
	/* nothing was queued; rights not sent go back after the lock */
	sodispose_later(so, ctl);
	m_freem(m);
	return error;
drop:
	m_freem(control);
	m_freem(m);
	return error;
}

static void
unp_rcvd(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so);

	if (so->so_type != SOCK_DGRAM && unp->unp_conn != NULL) {
		struct socket *so2 = unp->unp_conn->unp_socket;

		so2->so_snd.sb_cc = so->so_rcv.sb_cc;
		sowwakeup(so2);
	}
	unp_wakewaiters(unp);
}

static int
unp_ctloutput(int op, struct socket *so, int level, int name, void *val,
    socklen_t *lenp)
{
	struct unpcb *unp = sotounpcb(so);

	if (level == SOL_SOCKET && op == SOPT_GET && name == SO_PEERCRED) {
		struct ucred uc = { 0, (uid_t)-1, (gid_t)-1 };

		if (so->so_options & SOO_ACCEPTCONN) {
			/* a listener reports its own, from listen(2) */
			uc.pid = unp->unp_listencred.pid;
			uc.uid = unp->unp_listencred.uid;
			uc.gid = unp->unp_listencred.gid;
		} else if (unp->unp_peercred.valid && so->so_type != SOCK_DGRAM) {
			uc.pid = unp->unp_peercred.pid;
			uc.uid = unp->unp_peercred.uid;
			uc.gid = unp->unp_peercred.gid;
		} else if (unp->unp_peercred.valid && unp->unp_conn != NULL &&
		    unp->unp_conn->unp_conn == unp) {
			uc.pid = unp->unp_peercred.pid;
			uc.uid = unp->unp_peercred.uid;
			uc.gid = unp->unp_peercred.gid;
		}
		memcpy(val, &uc, MIN((size_t)*lenp, sizeof(uc)));
		return 0;
	}
	return level == SOL_SOCKET ? ENOPROTOOPT : EOPNOTSUPP;
}

/* ------------------------------------------------------------------ poll */

int
unp_poll(struct socket *so, int events, struct pollctx *pc)
{
	struct netstate *ns = so->so_ns;
	struct unpcb *unp;
	int mask = 0, shut;
	bool closed, writable;

	selrecord(pc, &so->so_rcv.sb_sel);
	selrecord(pc, &so->so_snd.sb_sel);
	net_lock(ns);
	unp = sotounpcb(so);
	shut = so->so_state & (SS_CANTRCVMORE | SS_CANTSENDMORE);
	closed = !(so->so_state & SS_ISCONNECTED) &&
	    !(so->so_options & SOO_ACCEPTCONN);
	if (so->so_error != 0)
		mask |= POLLERR;
	if (shut == (SS_CANTRCVMORE | SS_CANTSENDMORE))
		mask |= POLLHUP;
	if (shut & SS_CANTRCVMORE)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (so->so_rcv.sb_mb != NULL || so->so_qlen > 0)
		mask |= POLLIN | POLLRDNORM;
	if (so->so_type != SOCK_DGRAM && closed)
		mask |= POLLHUP;
	writable = !(so->so_options & SOO_ACCEPTCONN) &&
	    so->so_snd.sb_cc * 4 <= so->so_snd.sb_hiwat;
	if (writable && so->so_type == SOCK_DGRAM && unp->unp_conn != NULL &&
	    unp->unp_conn->unp_conn != unp && unp_full(unp, unp->unp_conn, 0)) {
		/* reading there will wake us */
		writable = false;
		if (pc != NULL && unp->unp_waitingon == NULL) {
			LIST_INSERT_HEAD(&unp->unp_conn->unp_waiters, unp,
			    unp_waitlink);
			unp->unp_waitingon = unp->unp_conn;
		}
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	sounlock(ns);
	return mask & (events | POLLERR | POLLHUP);
}

/* --------------------------------------------------------------- domain */

extern const struct domain unixdomain;

#define UNP_COMMON							\
	.pr_domain = (struct domain *)&unixdomain,			\
	.pr_attach = unp_attach,					\
	.pr_detach = unp_detach,					\
	.pr_bind = unp_bind,						\
	.pr_connect = unp_connect,					\
	.pr_connect2 = unp_connect2,					\
	.pr_accept = unp_accept,					\
	.pr_disconnect = unp_disconnect,				\
	.pr_shutdown = unp_shutdown,					\
	.pr_abort = unp_abort,						\
	.pr_rcvd = unp_rcvd,						\
	.pr_send = unp_send,						\
	.pr_sockaddr = unp_sockaddr,					\
	.pr_peeraddr = unp_peeraddr,					\
	.pr_ctloutput = unp_ctloutput,					\
	.pr_dispose = unp_dispose

static const struct protosw unixsw[] = {
	{ .pr_type = SOCK_STREAM, .pr_listen = unp_listen,
	  .pr_flags = PR_CONNREQUIRED | PR_WANTRCVD | PR_RIGHTS | PR_LISTEN,
	  UNP_COMMON },
	{ .pr_type = SOCK_DGRAM,
	  .pr_flags = PR_ATOMIC | PR_ADDR | PR_WANTRCVD | PR_RIGHTS,
	  UNP_COMMON },
	{ .pr_type = SOCK_SEQPACKET, .pr_listen = unp_listen,
	  .pr_flags = PR_ATOMIC | PR_CONNREQUIRED | PR_WANTRCVD | PR_RIGHTS |
	    PR_LISTEN,
	  UNP_COMMON },
	{ .pr_type = SOCK_RAW,
	  .pr_flags = PR_ATOMIC | PR_ADDR | PR_WANTRCVD | PR_RIGHTS,
	  UNP_COMMON },
};

const struct domain unixdomain = {
	.dom_family = AF_UNIX,
	.dom_name = "unix",
	.dom_protosw = (struct protosw *)unixsw,
	.dom_nprotosw = (int)(sizeof(unixsw) / sizeof(unixsw[0])),
};

int
unp_init(struct netstate *ns)
{
	struct unp_state *us = kmem_zalloc(ns->ns_kernel, sizeof(*us));
	int error;

	if (us == NULL)
		return ENOMEM;
	if ((error = cv_init(&us->us_connwait)) != 0) {
		kmem_free(ns->ns_kernel, us, sizeof(*us));
		return error;
	}
	LIST_INIT(&us->us_bound);
	ns->ns_unp = us;
	return domain_register(ns, &unixdomain);
}

/*
 * Halt: processes are gone, but descriptors in flight may keep sockets
 * alive, even in cycles (a socket carrying its own descriptor).  Drop
 * every socket's queued control data until none is left.
 */
void
unp_fini(struct netstate *ns)
{
	struct unp_state *us = ns->ns_unp;

	if (us == NULL)
		return;
	for (;;) {
		struct socket *so;
		bool found = false;

		net_lock(ns);
		LIST_FOREACH(so, &ns->ns_socks->sl_head, so_all) {
			for (struct mbuf *r = so->so_rcv.sb_mb; r && !found;
			    r = r->m_nextpkt)
				for (struct mbuf *m = r; m; m = m->m_next)
					if (m->m_type == MT_CONTROL) {
						found = true;
						break;
					}
			if (found) {
				struct mbuf *rec;

				while ((rec = sb_dequeue(&so->so_rcv)) != NULL) {
					struct mbuf *m = rec, *prev = NULL;

					while (m != NULL) {
						struct mbuf *next = m->m_next;

						if (m->m_type == MT_CONTROL) {
							if (prev) prev->m_next = next;
							else rec = next;
							m->m_next = NULL;
							sodispose_later(so, m);
						} else {
							prev = m;
						}
						m = next;
					}
					m_freem(rec);
				}
				break;
			}
		}
		sounlock(ns);
		if (!found)
			break;
	}
	cv_destroy(&us->us_connwait);
	kmem_free(ns->ns_kernel, us, sizeof(*us));
	ns->ns_unp = NULL;
}

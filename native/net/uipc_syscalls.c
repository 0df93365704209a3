/*
 * The socket system calls: descriptors, addresses and messages between
 * the caller and the socket layer.  Checks come in Linux's order, so
 * that a call with several faults fails as it does there.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kauth.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socketvar.h"
#include "sys/uiomove.h"
#include "net/netstate.h"
#include "net/unpcb.h"
#include "gen/syscallargs.h"

#define NPROTO_LINUX	46		/* families Linux knows */
#define SOCK_MAX_LINUX	11
#define SOCK_TYPE_MASK	0xf
#ifndef UIO_MAXIOV
#define UIO_MAXIOV	1024
#endif
#define MAX_RW_COUNT	((size_t)INT_MAX & ~(size_t)4095)
#define SOCKADDR_MAX	((socklen_t)sizeof(struct sockaddr_storage))

/* A socket's new descriptor; the socket is closed if that fails. */
static int
sock_install(struct lwp *l, struct socket *so, int flags, int *fdp)
{
	struct proc *p = l->l_proc;
	kauth_cred_t cr = kauth_cred_get_proc(p);
	struct file *fp;
	int error;

	error = sofile(so, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, cr, &fp);
	kauth_cred_free(p->p_kernel, cr);
	if (error != 0) {
		soclose(so);
		return error;
	}
	error = fd_install(p, 0, fp, (flags & SOCK_CLOEXEC) != 0, fdp);
	fdrop(fp);		/* the descriptor holds it, or it closes */
	return error;
}

/*
 * socket(2)'s and socketpair(2)'s domain and type: *typep loses its flags
 * to *flagsp; the flags are checked first, as Linux does.
 */
static int
sock_args(int domain, int *typep, int *flagsp)
{
	int flags = *typep & ~SOCK_TYPE_MASK, type = *typep & SOCK_TYPE_MASK;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return EINVAL;
	if (domain < 0 || domain >= NPROTO_LINUX)
		return EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX_LINUX)
		return EINVAL;
	*typep = type;
	*flagsp = flags;
	return 0;
}

/* Whether fd is a socket (its errors come first in some calls). */
static int
sock_exists(struct lwp *l, int fd)
{
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = fd_getsock(l->l_proc, fd, &so, &fp)) != 0)
		return error;
	fdrop(fp);
	return 0;
}

/* One descriptor, closed again after a later step failed. */
static void
fd_close1(struct proc *p, int fd)
{
	fd_close_range(p, (unsigned)fd, (unsigned)fd, false);
}

int
sys_socket(struct lwp *l, const struct sys_socket_args *uap, long *retval)
{
	int type = SCARG(uap, type), flags, fd, error;
	struct socket *so;

	if ((error = sock_args(SCARG(uap, domain), &type, &flags)) != 0)
		return error;
	if ((error = fd_install(l->l_proc, 0, NULL, false, NULL)) != 0)
		return error;
	error = socreate(l->l_proc->p_kernel, SCARG(uap, domain), type,
	    SCARG(uap, protocol), &so);
	if (error != 0)
		return error;
	if ((error = sock_install(l, so, flags, &fd)) != 0)
		return error;
	*retval = fd;
	return 0;
}

int
sys_socketpair(struct lwp *l, const struct sys_socketpair_args *uap,
    long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	int type = SCARG(uap, type), flags, fds[2], error;
	struct socket *so1, *so2;

	(void)retval;
	if ((error = sock_args(SCARG(uap, domain), &type, &flags)) != 0)
		return error;
	error = socreate(k, SCARG(uap, domain), type, SCARG(uap, protocol), &so1);
	if (error != 0)
		return error;
	error = socreate(k, SCARG(uap, domain), type, SCARG(uap, protocol), &so2);
	if (error != 0) {
		soclose(so1);
		return error;
	}
	if ((error = soconnect2(so1, so2)) != 0) {
		soclose(so1);
		soclose(so2);
		return error;
	}
	if ((error = sock_install(l, so1, flags, &fds[0])) != 0) {
		soclose(so2);
		return error;
	}
	if ((error = sock_install(l, so2, flags, &fds[1])) != 0) {
		fd_close1(l->l_proc, fds[0]);
		return error;
	}
	if ((error = copyout(fds, SCARG(uap, sv), sizeof(fds))) != 0) {
		fd_close1(l->l_proc, fds[0]);
		fd_close1(l->l_proc, fds[1]);
	}
	return error;
}

/* An address from the caller (move_addr_to_kernel's rules). */
static int
sockaddr_in(const void *uaddr, socklen_t len, struct sockaddr_storage *ss)
{
	if ((int)len < 0 || len > SOCKADDR_MAX)
		return EINVAL;
	memset(ss, 0, sizeof(*ss));
	return copyin(uaddr, ss, len);
}

/* The room the caller gives in a value-result length. */
static int
vrlen_in(const socklen_t *ulen, socklen_t *capp)
{
	int error;

	if ((error = copyin(ulen, capp, sizeof(*capp))) != 0)
		return error;
	return (int)*capp < 0 ? EINVAL : 0;
}

/* n bytes of buf to the caller, then report to its value-result length. */
static int
vr_out(const void *buf, socklen_t n, void *ubuf, socklen_t *ulen,
    socklen_t report)
{
	int error;

	if (n > 0 && (error = copyout(buf, ubuf, n)) != 0)
		return error;
	return copyout(&report, ulen, sizeof(report));
}

/* An address to the caller: at most *ulen bytes, *ulen set to len. */
static int
sockaddr_out(const struct sockaddr_storage *ss, socklen_t len, void *uaddr,
    socklen_t *ulen)
{
	socklen_t cap;
	int error;

	if ((error = vrlen_in(ulen, &cap)) != 0)
		return error;
	return vr_out(ss, MIN(cap, len), uaddr, ulen, len);
}

/*
 * The socket fd and the caller's address; the descriptor is checked
 * before the address.  On success the caller drops *fpp.
 */
static int
sock_getaddr(struct lwp *l, int fd, const void *uaddr, socklen_t len,
    struct socket **sop, struct file **fpp, struct sockaddr_storage *ss)
{
	int error;

	if ((error = fd_getsock(l->l_proc, fd, sop, fpp)) != 0)
		return error;
	if ((error = sockaddr_in(uaddr, len, ss)) != 0)
		fdrop(*fpp);
	return error;
}

/* A call taking the socket fd and an int (listen, shutdown). */
static int
sock_intop(struct lwp *l, int fd, int (*op)(struct socket *, int), int arg)
{
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = fd_getsock(l->l_proc, fd, &so, &fp)) != 0)
		return error;
	error = op(so, arg);
	fdrop(fp);
	return error;
}

/*
 * The socket's own or (peer) its peer's address, read under the lock;
 * with needconn a peer of an unconnected socket is ENOTCONN
 * (getpeername), without it none is checked (a socket just accepted).
 */
static int
sock_name(struct socket *so, bool peer, bool needconn,
    struct sockaddr_storage *ss, socklen_t *lenp)
{
	int error;

	*lenp = sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	net_lock(so->so_ns);
	if (peer && needconn &&
	    !(so->so_state & (SS_ISCONNECTED | SS_ISCONFIRMING)))
		error = ENOTCONN;
	else
		error = peer ?
		    so->so_proto->pr_peeraddr(so, (struct sockaddr *)ss, lenp) :
		    so->so_proto->pr_sockaddr(so, (struct sockaddr *)ss, lenp);
	sounlock(so->so_ns);
	return error;
}

int
sys_bind(struct lwp *l, const struct sys_bind_args *uap, long *retval)
{
	struct sockaddr_storage ss;
	struct socket *so;
	struct file *fp;
	int error;

	(void)retval;
	if ((error = sock_getaddr(l, SCARG(uap, sockfd), SCARG(uap, addr),
	    SCARG(uap, addrlen), &so, &fp, &ss)) != 0)
		return error;
	error = sobind(so, (struct sockaddr *)&ss, SCARG(uap, addrlen));
	fdrop(fp);
	return error;
}

int
sys_listen(struct lwp *l, const struct sys_listen_args *uap, long *retval)
{
	(void)retval;
	return sock_intop(l, SCARG(uap, sockfd), solisten, SCARG(uap, backlog));
}

static int
doaccept(struct lwp *l, int fd, struct sockaddr *uaddr, socklen_t *ulen,
    int flags, long *retval)
{
	struct socket *head, *so;
	struct file *fp;
	struct sockaddr_storage ss;
	socklen_t len;
	int nfd, error;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return EINVAL;
	if ((error = fd_getsock(l->l_proc, fd, &head, &fp)) != 0)
		return error;
	if ((error = fd_install(l->l_proc, 0, NULL, false, NULL)) != 0) {
		fdrop(fp);
		return error;
	}
	if (!(head->so_proto->pr_flags & PR_LISTEN)) {
		fdrop(fp);
		return EOPNOTSUPP;
	}
	error = soaccept(head, fnonblock(fp), &so);
	fdrop(fp);
	if (error != 0)
		return error;
	if (uaddr != NULL) {
		error = sock_name(so, true, false, &ss, &len);
		if (error == 0)
			error = sockaddr_out(&ss, len, uaddr, ulen);
		if (error != 0) {
			soclose(so);
			return error;
		}
	}
	if ((error = sock_install(l, so, flags, &nfd)) != 0)
		return error;
	*retval = nfd;
	return 0;
}

int
sys_accept(struct lwp *l, const struct sys_accept_args *uap, long *retval)
{
	return doaccept(l, SCARG(uap, sockfd), SCARG(uap, addr),
	    SCARG(uap, addrlen), 0, retval);
}

int
sys_accept4(struct lwp *l, const struct sys_accept4_args *uap, long *retval)
{
	return doaccept(l, SCARG(uap, sockfd), SCARG(uap, addr),
	    SCARG(uap, addrlen), SCARG(uap, flags), retval);
}

int
sys_connect(struct lwp *l, const struct sys_connect_args *uap, long *retval)
{
	struct sockaddr_storage ss;
	struct socket *so;
	struct file *fp;
	int error;

	(void)retval;
	if ((error = sock_getaddr(l, SCARG(uap, sockfd), SCARG(uap, addr),
	    SCARG(uap, addrlen), &so, &fp, &ss)) != 0)
		return error;
	error = soconnect(so, (struct sockaddr *)&ss, SCARG(uap, addrlen),
	    fnonblock(fp));
	fdrop(fp);
	return error;
}

int
sys_shutdown(struct lwp *l, const struct sys_shutdown_args *uap, long *retval)
{
	(void)retval;
	return sock_intop(l, SCARG(uap, sockfd), soshutdown, SCARG(uap, how));
}

/* ------------------------------------------------------------ messages */

/* A copy of the caller's iovec array (at most UIO_MAXIOV). */
static int
iov_copyin(struct rump_kernel *k, const struct iovec *uiov, size_t n,
    struct iovec *small, size_t nsmall, struct iovec **iovp, size_t *totalp)
{
	struct iovec *iov = small;
	size_t total = 0;
	int error;

	if (n > UIO_MAXIOV)
		return EMSGSIZE;
	if (n > nsmall && (iov = kmem_alloc(k, n * sizeof(*iov))) == NULL)
		return ENOMEM;
	if ((error = copyin(uiov, iov, n * sizeof(*iov))) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			error = EINVAL;
			goto fail;
		}
		if (iov[i].iov_len > 0 && !useraddr_ok(iov[i].iov_base,
		    iov[i].iov_len)) {
			error = EFAULT;
			goto fail;
		}
		if (total + iov[i].iov_len > MAX_RW_COUNT)
			iov[i].iov_len = MAX_RW_COUNT - total;
		total += iov[i].iov_len;
	}
	*iovp = iov;
	*totalp = total;
	return 0;
fail:
	if (iov != small)
		kmem_free(k, iov, n * sizeof(*iov));
	return error;
}

static void
iov_free(struct rump_kernel *k, struct iovec *iov, size_t n,
    struct iovec *small)
{
	if (iov != small)
		kmem_free(k, iov, n * sizeof(*iov));
}

/* send/sendto/recv/recvfrom's one buffer as an iovec (*lenp clamped). */
static int
iov_one(void *buf, size_t *lenp, struct iovec *iov)
{
	if (*lenp > MAX_RW_COUNT)
		*lenp = MAX_RW_COUNT;
	if (*lenp > 0 && !useraddr_ok(buf, *lenp))
		return EFAULT;
	iov->iov_base = buf;
	iov->iov_len = *lenp;
	return 0;
}

static void
uio_setup(struct uio *uio, struct iovec *iov, size_t niov, size_t total,
    enum uio_rw rw)
{
	uio->uio_iov = iov;
	uio->uio_iovcnt = (int)niov;
	uio->uio_offset = 0;
	uio->uio_resid = total;
	uio->uio_rw = rw;
}

/* sendmsg/recvmsg's header, once fd is known to be a socket. */
static int
msghdr_in(struct lwp *l, int fd, const struct msghdr *umsg,
    struct msghdr *msg)
{
	int error;

	if ((error = sock_exists(l, fd)) != 0)
		return error;
	return copyin(umsg, msg, sizeof(*msg));
}

/* The caller's control bytes as an MT_CONTROL mbuf. */
static int
control_in(struct rump_kernel *k, const void *uctl, size_t len,
    struct mbuf **mp)
{
	struct mbuf *m;
	int error;

	*mp = NULL;
	if (len == 0)
		return 0;
	if (len > INT_MAX)
		return ENOBUFS;
	if (len > 65536)
		return ENOBUFS;
	if ((m = m_get(k, 0, len)) == NULL)
		return ENOBUFS;
	if ((error = copyin(uctl, mtod(m, void *), len)) != 0) {
		m_freem(m);
		return error;
	}
	m->m_len = (uint32_t)len;
	m->m_type = MT_CONTROL;
	*mp = m;
	return 0;
}

static int
sendit(struct lwp *l, int fd, struct iovec *iov, size_t niov, size_t total,
    const struct sockaddr_storage *to, socklen_t tolen, struct mbuf *control,
    int flags, long *retval)
{
	struct socket *so;
	struct file *fp;
	struct uio uio;
	int error;

	if ((error = fd_getsock(l->l_proc, fd, &so, &fp)) != 0) {
		m_freem(control);
		return error;
	}
	uio_setup(&uio, iov, niov, total, UIO_WRITE);
	error = sosend(so, (const struct sockaddr *)to, tolen, &uio, control,
	    flags, fnonblock(fp));
	fdrop(fp);
	if (error == 0)
		*retval = (long)(total - uio.uio_resid);
	return error;
}

int
sys_sendto(struct lwp *l, const struct sys_sendto_args *uap, long *retval)
{
	struct iovec iov;
	struct sockaddr_storage ss;
	size_t len = SCARG(uap, len);
	int error;

	if ((error = iov_one((void *)(uintptr_t)SCARG(uap, buf), &len,
	    &iov)) != 0)
		return error;
	if (SCARG(uap, dest_addr) != NULL) {
		struct socket *so;
		struct file *fp;

		if ((error = sock_getaddr(l, SCARG(uap, sockfd),
		    SCARG(uap, dest_addr), SCARG(uap, addrlen), &so, &fp,
		    &ss)) != 0)
			return error;
		fdrop(fp);
	}
	return sendit(l, SCARG(uap, sockfd), &iov, 1, len,
	    SCARG(uap, dest_addr) != NULL ? &ss : NULL,
	    SCARG(uap, dest_addr) != NULL ? SCARG(uap, addrlen) : 0, NULL,
	    SCARG(uap, flags), retval);
}

int
sys_sendmsg(struct lwp *l, const struct sys_sendmsg_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct iovec small[8], *iov = NULL;
	struct sockaddr_storage ss;
	struct msghdr msg;
	struct mbuf *control = NULL;
	size_t total;
	int error;

	if ((error = msghdr_in(l, SCARG(uap, sockfd), SCARG(uap, msg),
	    &msg)) != 0)
		return error;
	if (msg.msg_name != NULL && msg.msg_namelen > 0) {
		if ((error = sockaddr_in(msg.msg_name, msg.msg_namelen,
		    &ss)) != 0)
			return error;
	}
	if ((error = iov_copyin(k, msg.msg_iov, msg.msg_iovlen, small, 8, &iov,
	    &total)) != 0)
		return error;
	if ((error = control_in(k, msg.msg_control, msg.msg_controllen,
	    &control)) != 0) {
		iov_free(k, iov, msg.msg_iovlen, small);
		return error;
	}
	error = sendit(l, SCARG(uap, sockfd), iov, msg.msg_iovlen, total,
	    msg.msg_name != NULL && msg.msg_namelen > 0 ? &ss : NULL,
	    msg.msg_name != NULL ? msg.msg_namelen : 0, control,
	    SCARG(uap, flags), retval);
	iov_free(k, iov, msg.msg_iovlen, small);
	return error;
}

/*
 * Receive into iov; the sender's address to name (namelen in/out), the
 * control data to ctl (ctllen in/out).
 */
/*
 * Other protocols' cmsgs (aligned, as CMSG_SPACE lays them out) to the
 * caller's buffer the way Linux's put_cmsg writes them: the header and
 * data of each, never the padding after it; one that does not fit is cut
 * (its cmsg_len says how much is there) with MSG_CTRUNC; *ctllen becomes
 * the space used, padding included.
 */
static int
control_out(struct mbuf *control, void *uctl, size_t *ctllen, int *flagsp)
{
	struct rump_kernel *k = control->m_kernel;
	size_t len = m_length(control), room = *ctllen, off = 0, used = 0;
	uint8_t *buf;
	int error = 0;

	*ctllen = 0;
	if (len == 0)
		return 0;
	if ((buf = kmem_alloc(k, len)) == NULL)
		return ENOBUFS;
	m_copydata(control, 0, len, buf);
	while (off + sizeof(struct cmsghdr) <= len && error == 0) {
		struct cmsghdr h;
		size_t clen, step, next;

		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			break;
		next = off + CMSG_ALIGN(h.cmsg_len);
		if (room < sizeof(h)) {
			*flagsp |= MSG_CTRUNC;
			break;
		}
		clen = h.cmsg_len;
		if (room < clen) {
			*flagsp |= MSG_CTRUNC;
			clen = h.cmsg_len = room;
		}
		error = copyout(&h, (char *)uctl + used, sizeof(h));
		if (error == 0 && clen > sizeof(h))
			error = copyout(buf + off + sizeof(h),
			    (char *)uctl + used + sizeof(h), clen - sizeof(h));
		step = MIN(CMSG_ALIGN(clen), room);
		used += step;
		room -= step;
		off = next;
	}
	kmem_free(k, buf, len);
	*ctllen = used;
	return error;
}

static int
recvit(struct lwp *l, int fd, struct iovec *iov, size_t niov, size_t total,
    struct sockaddr_storage *name, socklen_t *namelen, void *uctl,
    size_t *ctllen, int *flagsp, long *retval)
{
	struct socket *so;
	struct file *fp;
	struct mbuf *from = NULL, *control = NULL;
	struct uio uio;
	int inflags = *flagsp, error;

	if ((error = fd_getsock(l->l_proc, fd, &so, &fp)) != 0)
		return error;
	uio_setup(&uio, iov, niov, total, UIO_READ);
	error = soreceive(so, name != NULL ? &from : NULL, &uio,
	    ctllen != NULL ? &control : NULL, flagsp, fnonblock(fp));
	if (error != 0)
		goto out;
	if ((inflags & MSG_TRUNC) && (so->so_proto->pr_flags & PR_ATOMIC))
		*retval = (long)uio.uio_offset;
	else
		*retval = (long)(total - uio.uio_resid);
	if (name != NULL) {
		socklen_t len = 0;

		if (from != NULL) {
			len = (socklen_t)MIN((size_t)from->m_len, sizeof(*name));
			memcpy(name, mtod(from, void *), len);
		} else if (so->so_proto->pr_domain->dom_family == AF_UNIX &&
		    (so->so_state & SS_ISCONNECTED) && *retval > 0) {
			unp_peername(so, name, &len);
		}
		*namelen = len;
	}
	if (ctllen != NULL) {
		if (control != NULL &&
		    so->so_proto->pr_domain->dom_family == AF_UNIX) {
			error = unp_externalize(l, control, uctl, ctllen,
			    inflags, flagsp);
			control = NULL;
		} else if (control != NULL) {
			error = control_out(control, uctl, ctllen, flagsp);
			m_freem(control);
			control = NULL;
		} else {
			*ctllen = 0;
		}
	}
out:
	fdrop(fp);
	m_freem(from);
	if (control != NULL) {
		net_lock(so->so_ns);
		sodispose_later(so, control);
		sounlock(so->so_ns);
	}
	return error;
}

int
sys_recvfrom(struct lwp *l, const struct sys_recvfrom_args *uap, long *retval)
{
	struct iovec iov;
	struct sockaddr_storage ss;
	socklen_t namelen = 0;
	size_t len = SCARG(uap, len);
	int flags = SCARG(uap, flags), error;

	if ((error = iov_one(SCARG(uap, buf), &len, &iov)) != 0)
		return error;
	error = recvit(l, SCARG(uap, sockfd), &iov, 1, len,
	    SCARG(uap, src_addr) != NULL ? &ss : NULL, &namelen, NULL, NULL,
	    &flags, retval);
	if (error == 0 && SCARG(uap, src_addr) != NULL)
		error = sockaddr_out(&ss, namelen, SCARG(uap, src_addr),
		    SCARG(uap, addrlen));
	return error;
}

int
sys_recvmsg(struct lwp *l, const struct sys_recvmsg_args *uap, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct msghdr msg, *umsg = SCARG(uap, msg);
	struct iovec small[8], *iov = NULL;
	struct sockaddr_storage ss;
	socklen_t namelen = 0;
	size_t total, ctllen;
	int flags = SCARG(uap, flags), error;

	if ((error = msghdr_in(l, SCARG(uap, sockfd), umsg, &msg)) != 0)
		return error;
	if ((int)msg.msg_namelen < 0)
		return EINVAL;
	if ((error = iov_copyin(k, msg.msg_iov, msg.msg_iovlen, small, 8, &iov,
	    &total)) != 0)
		return error;
	ctllen = msg.msg_control != NULL ? msg.msg_controllen : 0;
	error = recvit(l, SCARG(uap, sockfd), iov, msg.msg_iovlen, total,
	    msg.msg_name != NULL ? &ss : NULL, &namelen, msg.msg_control,
	    &ctllen, &flags, retval);
	iov_free(k, iov, msg.msg_iovlen, small);
	if (error != 0)
		return error;
	if (msg.msg_name != NULL) {
		socklen_t n = MIN(namelen, msg.msg_namelen);

		if ((error = copyout(&ss, msg.msg_name, n)) != 0)
			return error;
		msg.msg_namelen = namelen;
	} else {
		msg.msg_namelen = 0;
	}
	msg.msg_controllen = ctllen;
	/* Linux hands MSG_CMSG_CLOEXEC back in msg_flags */
	msg.msg_flags = flags | (SCARG(uap, flags) & MSG_CMSG_CLOEXEC);
	if ((error = copyout(&msg.msg_namelen, &umsg->msg_namelen,
	    sizeof(msg.msg_namelen))) != 0 ||
	    (error = copyout(&msg.msg_controllen, &umsg->msg_controllen,
	    sizeof(msg.msg_controllen))) != 0 ||
	    (error = copyout(&msg.msg_flags, &umsg->msg_flags,
	    sizeof(msg.msg_flags))) != 0)
		return error;
	return 0;
}

/* ------------------------------------------------------------- options */

int
sys_setsockopt(struct lwp *l, const struct sys_setsockopt_args *uap,
    long *retval)
{
	unsigned char small[256], *buf = small;
	socklen_t len = SCARG(uap, optlen);
	struct socket *so;
	struct file *fp;
	int error;

	(void)retval;
	if ((error = fd_getsock(l->l_proc, SCARG(uap, sockfd), &so, &fp)) != 0)
		return error;
	if ((int)len < 0) {
		error = EINVAL;
		goto out;
	}
	if (len > sizeof(small))
		len = sizeof(small);	/* no option is bigger */
	if (SCARG(uap, optval) == NULL) {
		buf = NULL;
	} else if ((error = copyin(SCARG(uap, optval), small, len)) != 0) {
		goto out;
	}
	error = sosetopt(so, SCARG(uap, level), SCARG(uap, optname), buf,
	    SCARG(uap, optlen) > sizeof(small) ? sizeof(small) :
	    SCARG(uap, optlen));
out:
	fdrop(fp);
	return error;
}

int
sys_getsockopt(struct lwp *l, const struct sys_getsockopt_args *uap,
    long *retval)
{
	unsigned char buf[256];
	socklen_t len, cap;
	struct socket *so;
	struct file *fp;
	int error;

	(void)retval;
	if ((error = fd_getsock(l->l_proc, SCARG(uap, sockfd), &so, &fp)) != 0)
		return error;
	if ((error = vrlen_in(SCARG(uap, optlen), &len)) != 0)
		goto out;
	cap = len;
	if (len > sizeof(buf))
		len = sizeof(buf);
	memset(buf, 0, sizeof(buf));
	if ((error = sogetopt(so, SCARG(uap, level), SCARG(uap, optname), buf,
	    &len)) != 0)
		goto out;
	len = MIN(len, cap);
	error = vr_out(buf, len, SCARG(uap, optval), SCARG(uap, optlen), len);
out:
	fdrop(fp);
	return error;
}

static int
getname(struct lwp *l, int fd, struct sockaddr *uaddr, socklen_t *ulen,
    bool peer)
{
	struct sockaddr_storage ss;
	socklen_t len, cap;
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = fd_getsock(l->l_proc, fd, &so, &fp)) != 0)
		return error;
	/* the length must be readable before the socket is asked */
	if ((error = copyin(ulen, &cap, sizeof(cap))) != 0)
		goto out;
	error = sock_name(so, peer, true, &ss, &len);
	if (error == 0)
		error = sockaddr_out(&ss, len, uaddr, ulen);
out:
	fdrop(fp);
	return error;
}

int
sys_getsockname(struct lwp *l, const struct sys_getsockname_args *uap,
    long *retval)
{
	(void)retval;
	return getname(l, SCARG(uap, sockfd), SCARG(uap, addr),
	    SCARG(uap, addrlen), false);
}

int
sys_getpeername(struct lwp *l, const struct sys_getpeername_args *uap,
    long *retval)
{
	(void)retval;
	return getname(l, SCARG(uap, sockfd), SCARG(uap, addr),
	    SCARG(uap, addrlen), true);
}

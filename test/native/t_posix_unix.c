/*
 * Differential tests against Linux: the socket calls over AF_UNIX in its
 * three types.  Socket pairs; bind, listen, connect and accept (without
 * blocking, so one thread drives both ends); path names in the scenario's
 * directory and abstract names; what getsockname and getpeername give and
 * their lengths; shutdown; send and receive with MSG_PEEK, MSG_DONTWAIT,
 * MSG_TRUNC; seqpacket records; datagrams; socket options; SO_PEERCRED
 * (uid and gid: pids differ); poll and epoll readiness in each state;
 * SCM_RIGHTS; and the errors of all of these.  See posix_diff.h.
 */
#include "posix_diff.h"

#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <sys/un.h>

/*
 * The areas at AUX (kept between calls): a socklen_t at AUX, the address
 * given to calls at NAME, a msghdr, its iovec and control buffer, and
 * pollfds.  BUF receives data and names.
 */
#define LEN		AUX
#define LENP		AUXP(socklen_t)
#define NAME		(AUX + 1024)
#define NAMEP		((struct sockaddr_un *)(void *)(ctx->buf + PD_AUXOFF + 1024))
#define MSG		(AUX + 64)
#define MSGP		((struct msghdr *)(void *)(ctx->buf + PD_AUXOFF + 64))
#define IOVP		((struct iovec *)(void *)(ctx->buf + PD_AUXOFF + 128))
#define CTL		(ctx->buf + PD_AUXOFF + 256)
#define PFD		(AUX + 768)
#define PFDP		((struct pollfd *)(void *)(ctx->buf + PD_AUXOFF + 768))
#define OPT		(AUX + 2048)
#define OPTP(t)		((t *)(void *)(ctx->buf + PD_AUXOFF + 2048))
#define SUN_OFF		offsetof(struct sockaddr_un, sun_path)

/* A path name at NAME; its length with the NUL. */
static long
sa_path(struct ctx *ctx, const char *path)
{
	memset(NAMEP, 0, sizeof(*NAMEP));
	NAMEP->sun_family = AF_UNIX;
	strcpy(NAMEP->sun_path, path);
	return (long)(SUN_OFF + strlen(path) + 1);
}

/* An abstract name at NAME (a NUL, then name); its length. */
static long
sa_abs(struct ctx *ctx, const char *name)
{
	memset(NAMEP, 0, sizeof(*NAMEP));
	NAMEP->sun_family = AF_UNIX;
	memcpy(NAMEP->sun_path + 1, name, strlen(name));
	return (long)(SUN_OFF + 1 + strlen(name));
}

/* getsockname/getpeername/accept's name: the length and its bytes. */
static size_t
N_NAME(struct ctx *c, long ret, unsigned char *out)
{
	socklen_t len;

	(void)ret;
	memcpy(&len, c->buf + PD_AUXOFF, sizeof(len));
	memcpy(out, &len, sizeof(len));
	if (len > 100)
		len = 100;
	memcpy(out + 4, c->buf, len);
	return 4 + len;
}

/* recvfrom's data at BUF and its name at BUF + 2048. */
static size_t
N_FROM(struct ctx *c, long ret, unsigned char *out)
{
	socklen_t len;
	size_t n = ret > 40 ? 40 : (size_t)ret;

	memcpy(&len, c->buf + PD_AUXOFF, sizeof(len));
	memcpy(out, &len, sizeof(len));
	if (len > 60)
		len = 60;
	memcpy(out + 4, c->buf + 2048, len);
	memcpy(out + 4 + len, c->buf, n);
	return 4 + len + n;
}

/* getsockopt's value at OPT and its length at AUX. */
static size_t
N_OPT(struct ctx *c, long ret, unsigned char *out)
{
	socklen_t len;

	(void)ret;
	memcpy(&len, c->buf + PD_AUXOFF, sizeof(len));
	memcpy(out, &len, sizeof(len));
	if (len > 32)
		len = 32;
	memcpy(out + 4, c->buf + PD_AUXOFF + 2048, len);
	return 4 + len;
}

/* SO_PEERCRED: uid and gid (the pids are the two systems' own). */
static size_t
N_CRED(struct ctx *c, long ret, unsigned char *out)
{
	struct ucred uc;
	socklen_t len;

	(void)ret;
	memcpy(&len, c->buf + PD_AUXOFF, sizeof(len));
	memcpy(&uc, c->buf + PD_AUXOFF + 2048, sizeof(uc));
	memcpy(out, &len, 4);
	memcpy(out + 4, &uc.uid, 4);
	memcpy(out + 8, &uc.gid, 4);
	out[12] = uc.pid != 0;
	return 13;
}

/* poll's pollfds at PFD (ret of them were asked: see POLLN). */
static int pd_npfd;
static size_t
N_PFDS(struct ctx *c, long ret, unsigned char *out)
{
	(void)ret;
	memcpy(out, c->buf + PD_AUXOFF + 768, (size_t)pd_npfd * sizeof(struct pollfd));
	return (size_t)pd_npfd * sizeof(struct pollfd);
}

/* recvmsg: the data at BUF, msg_flags, name and control lengths, cmsgs. */
static size_t
N_MSG(struct ctx *c, long ret, unsigned char *out)
{
	struct msghdr *m = (struct msghdr *)(void *)(c->buf + PD_AUXOFF + 64);
	size_t n = ret > 24 ? 24 : (size_t)ret, cl = m->msg_controllen;

	memcpy(out, &m->msg_flags, 4);
	memcpy(out + 4, &m->msg_namelen, 4);
	memcpy(out + 8, &cl, 8);
	if (cl > 64)
		cl = 64;
	memcpy(out + 16, c->buf + PD_AUXOFF + 256, cl);
	memcpy(out + 16 + cl, c->buf, n);
	return 16 + cl + n;
}

/* poll(2) over n descriptors for events ev; revents compared. */
static void
pollfds(struct ctx *ctx, int line, const int *fds, int n, short ev)
{
	for (int i = 0; i < n; i++) {
		PFDP[i].fd = fds[i];
		PFDP[i].events = ev;
		PFDP[i].revents = 0;
	}
	pd_npfd = n;
	pd_call(ctx, line, 0, N_PFDS, SYS_poll, PFD, n, 0, 0, 0, 0);
}
#define POLL(ev, ...) do {						\
	int fds_[] = { __VA_ARGS__ };					\
	pollfds(ctx, __LINE__, fds_, (int)(sizeof(fds_) / sizeof(int)), (ev)); \
} while (0)
#define ALLEV	(POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | \
		 POLLWRNORM | POLLWRBAND | POLLRDBAND)

#define SETLEN(n)	(*LENP = (socklen_t)(n))
#define GETNAME(fd)	do { SETLEN(110); SN(N_NAME, SYS_getsockname, (fd), BUF, LEN); } while (0)
#define GETPEER(fd)	do { SETLEN(110); SN(N_NAME, SYS_getpeername, (fd), BUF, LEN); } while (0)
#define ACCEPT(fd, fl)	do { SETLEN(110); SN(N_NAME, SYS_accept4, (fd), BUF, LEN, (fl)); } while (0)
#define SEND(fd, s, fl)	S(SYS_sendto, (fd), (s), strlen(s), (fl), 0, 0)
#define RECV(fd, n, fl)	SO(64, SYS_recvfrom, (fd), BUF, (n), (fl), 0, 0)
#define RECVFROM(fd, n, fl) do { SETLEN(110); SN(N_FROM, SYS_recvfrom, (fd), BUF, (n), (fl), BUF + 2048, LEN); } while (0)
#define GETOPT(fd, lvl, name, len) do { SETLEN(len); memset(OPTP(char), 0x5a, 64); \
	SN(N_OPT, SYS_getsockopt, (fd), (lvl), (name), OPT, LEN); } while (0)
#define SETINT(fd, name, v) do { *OPTP(int) = (v); \
	S(SYS_setsockopt, (fd), SOL_SOCKET, (name), OPT, sizeof(int)); } while (0)

/* ----------------------------------------------------------- scenarios */

static void
scen_unix_create(struct ctx *ctx)
{
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 0 */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 1 */
	S(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0);		/* 2 */
	S(SYS_socket, AF_UNIX, SOCK_RAW, 0);			/* 3: a dgram */
	S(SYS_socket, AF_UNIX, SOCK_STREAM, PF_UNIX);		/* 4 */
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 2);			/* EPROTONOSUPPORT */
	S(SYS_socket, AF_UNIX, SOCK_RDM, 0);			/* ESOCKTNOSUPPORT */
	S(SYS_socket, AF_UNIX, SOCK_PACKET, 0);
	S(SYS_socket, AF_UNIX, 11, 0);				/* EINVAL */
	S(SYS_socket, AF_UNIX, -1, 0);
	S(SYS_socket, AF_UNIX, SOCK_STREAM | 0x100, 0);
	S(SYS_socket, AF_UNIX, SOCK_STREAM | O_NONBLOCK | SOCK_CLOEXEC | 0x1000, 0);
	S(SYS_socket, -1, SOCK_STREAM, 0);			/* EAFNOSUPPORT */
	S(SYS_socket, 46, SOCK_STREAM, 0);
	S(SYS_socket, 1000, SOCK_STREAM, 0);
	S(SYS_socket, 46, 99, 0);				/* EINVAL after */
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);	/* 5 */
	S(SYS_fcntl, 5, F_GETFL);
	S(SYS_fcntl, 5, F_GETFD);
	S(SYS_fcntl, 0, F_GETFL);
	S(SYS_fcntl, 0, F_SETFL, O_NONBLOCK);
	S(SYS_fcntl, 0, F_GETFL);
	for (int fd = 0; fd < 6; fd++) {
		TAG("fd %d", fd);
		GETOPT(fd, SOL_SOCKET, SO_TYPE, 4);
		GETOPT(fd, SOL_SOCKET, SO_DOMAIN, 4);
		GETOPT(fd, SOL_SOCKET, SO_PROTOCOL, 4);
		GETOPT(fd, SOL_SOCKET, SO_ACCEPTCONN, 4);
		GETOPT(fd, SOL_SOCKET, SO_ERROR, 4);
		GETNAME(fd);
		GETPEER(fd);
	}
	TAG("%s", "");
	/* descriptors that are not sockets */
	S(SYS_pipe2, BUF, 0);					/* 6, 7 */
	S(SYS_open, "f", O_RDWR | O_CREAT, 0644);		/* 8 */
	S(SYS_bind, 6, NAME, sa_path(ctx, "x"));		/* ENOTSOCK */
	S(SYS_listen, 8, 1);
	S(SYS_connect, 7, NAME, sa_path(ctx, "x"));
	ACCEPT(6, 0);
	S(SYS_shutdown, 6, SHUT_RD);
	SEND(8, "x", 0);
	RECV(6, 4, MSG_DONTWAIT);
	GETNAME(6);
	GETPEER(8);
	GETOPT(6, SOL_SOCKET, SO_TYPE, 4);
	SETINT(6, SO_REUSEADDR, 1);
	S(SYS_bind, 99, NAME, sa_path(ctx, "x"));		/* EBADF */
	S(SYS_listen, 99, 1);
	S(SYS_connect, -1, NAME, sa_path(ctx, "x"));
	ACCEPT(99, 0);
	S(SYS_shutdown, 99, SHUT_RD);
	SEND(99, "x", 0);
	RECV(99, 4, 0);
	GETNAME(99);
	GETOPT(99, SOL_SOCKET, SO_TYPE, 4);
	S(SYS_open, "f", O_PATH);				/* 9 */
	S(SYS_bind, 9, NAME, sa_path(ctx, "x"));		/* EBADF */
	GETNAME(9);
	SN(N_STAT, SYS_fstat, 0, BUF);
	SN(N_STAT, SYS_fstat, 2, BUF);
	S(SYS_lseek, 0, 0, SEEK_SET);				/* ESPIPE */
	S(SYS_pread64, 0, BUF, 4, 0);
}

static void
scen_unix_pairs(struct ctx *ctx)
{
	S(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BUF);	/* 0 1 */
	S(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, BUF);		/* 2 3 */
	S(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, BUF);	/* 4 5 */
	S(SYS_socketpair, AF_UNIX, SOCK_RDM, 0, BUF);
	S(SYS_socketpair, AF_UNIX, SOCK_STREAM, 3, BUF);
	S(SYS_socketpair, AF_UNIX, 0x4000, 0, BUF);
	S(SYS_socketpair, 99, SOCK_STREAM, 0, BUF);
	S(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 0);		/* EFAULT */
	S(SYS_fcntl, 4, F_GETFL);
	S(SYS_fcntl, 0, F_GETFL);
	/* a stream: bytes, no boundaries */
	SEND(0, "abc", 0);
	SEND(0, "defg", 0);
	S(SYS_ioctl, 1, FIONREAD, AUX);
	NOTE(AUXP(int), sizeof(int));
	RECV(1, 2, MSG_PEEK);
	RECV(1, 5, 0);
	RECV(1, 64, 0);
	RECV(1, 64, MSG_DONTWAIT);				/* EAGAIN */
	SEND(1, "back", MSG_DONTWAIT);
	S(SYS_read, 0, BUF, 64);
	S(SYS_write, 1, "", 0);
	RECV(0, 0, MSG_DONTWAIT);				/* 0 */
	SEND(0, "x", MSG_NOSIGNAL);
	RECV(1, 64, MSG_WAITALL | MSG_DONTWAIT);
	/* datagrams: boundaries, MSG_TRUNC */
	SEND(2, "one", 0);
	SEND(2, "second", 0);
	SEND(2, "", 0);
	S(SYS_ioctl, 3, FIONREAD, AUX);
	NOTE(AUXP(int), sizeof(int));
	RECV(3, 64, MSG_PEEK);
	RECV(3, 2, 0);						/* "on", rest gone */
	RECV(3, 2, MSG_TRUNC);					/* 6 */
	RECV(3, 64, 0);						/* empty: 0 */
	RECV(3, 64, MSG_DONTWAIT);
	SEND(3, "reply", 0);
	RECVFROM(2, 64, 0);					/* unnamed: len 0 */
	/* seqpacket records */
	SEND(4, "rec1", 0);
	SEND(4, "record2", MSG_EOR);
	RECV(5, 2, 0);
	RECV(5, 64, MSG_PEEK);
	RECV(5, 3, MSG_TRUNC);
	RECV(5, 64, 0);
	SEND(5, "", 0);
	RECV(4, 64, 0);
	for (int fd = 0; fd < 6; fd++) {
		TAG("fd %d", fd);
		GETNAME(fd);
		GETPEER(fd);
		SETLEN(sizeof(struct ucred));
		SN(N_CRED, SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
		SN(N_STAT, SYS_fstat, fd, BUF);
	}
	TAG("%s", "");
	/* closing one end */
	SEND(0, "left", 0);
	S(SYS_close, 1);
	RECV(0, 64, MSG_DONTWAIT);
	SEND(0, "x", 0);					/* EPIPE */
	SEND(0, "x", MSG_NOSIGNAL);
	GETOPT(0, SOL_SOCKET, SO_ERROR, 4);
	GETPEER(0);
	S(SYS_close, 5);
	SEND(4, "x", 0);
	RECV(4, 64, 0);
	GETPEER(4);
	S(SYS_close, 3);
	SEND(2, "x", 0);					/* ECONNREFUSED */
	SEND(2, "x", 0);					/* ENOTCONN */
	GETPEER(2);
}

static void
scen_unix_paths(struct ctx *ctx)
{
	PREP(SYS_umask, 022);
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_bind, 0, NAME, 0);				/* EINVAL */
	S(SYS_bind, 0, NAME, 1);
	S(SYS_bind, 0, NAME, 111);
	S(SYS_bind, 0, NAME, 129);
	S(SYS_bind, 0, NAME, -1);
	S(SYS_bind, 0, 0, 10);					/* EFAULT */
	sa_path(ctx, "s");
	NAMEP->sun_family = AF_INET;
	S(SYS_bind, 0, NAME, SUN_OFF + 2);			/* EINVAL */
	S(SYS_bind, 0, NAME, sa_path(ctx, "nodir/s"));		/* ENOENT */
	S(SYS_bind, 0, NAME, sa_path(ctx, "f/s"));
	S(SYS_bind, 0, NAME, sa_path(ctx, "s"));		/* 0 */
	GETNAME(0);
	S(SYS_bind, 0, NAME, sa_path(ctx, "s2"));		/* EINVAL */
	S(SYS_access, "s2", F_OK);				/* not left behind */
	SN(N_STAT, SYS_stat, "s", BUF);
	S(SYS_open, "s", O_RDONLY);				/* ENXIO */
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_bind, 1, NAME, sa_path(ctx, "s"));		/* EADDRINUSE */
	S(SYS_mkdir, "d", 0755);
	S(SYS_bind, 1, NAME, sa_path(ctx, "d"));
	S(SYS_bind, 1, NAME, sa_path(ctx, "d/"));
	S(SYS_connect, 1, NAME, sa_path(ctx, "s"));		/* ECONNREFUSED */
	S(SYS_connect, 1, NAME, sa_path(ctx, "none"));		/* ENOENT */
	S(SYS_connect, 1, NAME, sa_path(ctx, "d"));		/* ECONNREFUSED */
	S(SYS_connect, 1, NAME, SUN_OFF);			/* EINVAL */
	S(SYS_listen, 1, 5);					/* unbound: EINVAL */
	S(SYS_listen, 0, 0);
	GETOPT(0, SOL_SOCKET, SO_ACCEPTCONN, 4);
	S(SYS_connect, 1, NAME, sa_path(ctx, "s"));		/* 0, queued */
	S(SYS_connect, 1, NAME, sa_path(ctx, "s"));		/* EISCONN */
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 2 */
	S(SYS_connect, 2, NAME, sa_path(ctx, "s"));		/* backlog 0: 1 fits */
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 3 */
	S(SYS_connect, 3, NAME, sa_path(ctx, "s"));		/* EAGAIN: full */
	POLL(ALLEV, 0, 1, 2, 3);
	GETPEER(1);
	GETNAME(1);
	S(SYS_connect, 0, NAME, sa_path(ctx, "s"));		/* EINVAL: listening */
	SEND(1, "hello", 0);					/* before accept */
	ACCEPT(0, SOCK_NONBLOCK);				/* 4 */
	S(SYS_fcntl, 4, F_GETFL);
	ACCEPT(0, SOCK_CLOEXEC);				/* 5 */
	S(SYS_fcntl, 5, F_GETFD);
	ACCEPT(0, 0);						/* EAGAIN */
	ACCEPT(0, 0x40);					/* EINVAL */
	ACCEPT(1, 0);						/* EINVAL: not listening */
	S(SYS_accept, 0, 0, 0);
	GETNAME(4);
	GETPEER(4);
	RECV(4, 64, 0);
	POLL(ALLEV, 0, 1, 2, 4, 5);
	SETLEN(sizeof(struct ucred));
	SN(N_CRED, SYS_getsockopt, 4, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
	SETLEN(sizeof(struct ucred));
	SN(N_CRED, SYS_getsockopt, 1, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
	SETLEN(sizeof(struct ucred));
	SN(N_CRED, SYS_getsockopt, 0, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
	/* short buffers for names */
	SETLEN(4);
	SN(N_NAME, SYS_getsockname, 0, BUF, LEN);
	SETLEN(0);
	SN(N_NAME, SYS_getpeername, 1, BUF, LEN);
	SETLEN(-1);
	S(SYS_getsockname, 0, BUF, LEN);			/* EINVAL */
	S(SYS_getsockname, 0, BUF, 0);				/* EFAULT */
	/* the name goes, the socket stays */
	S(SYS_unlink, "s");
	S(SYS_connect, 3, NAME, sa_path(ctx, "s"));		/* ENOENT */
	GETNAME(0);
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 6 */
	S(SYS_bind, 6, NAME, sa_path(ctx, "s"));		/* a new node */
	S(SYS_connect, 3, NAME, sa_path(ctx, "s"));		/* ECONNREFUSED */
	/* umask and the node's mode */
	PREP(SYS_umask, 077);
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 7 */
	S(SYS_bind, 7, NAME, sa_path(ctx, "d/dg"));
	SN(N_STAT, SYS_lstat, "d/dg", BUF);
	PREP(SYS_umask, 022);
	/* a long name: the full 108 bytes without a NUL */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 8 */
	memset(NAMEP->sun_path, 'n', sizeof(NAMEP->sun_path));
	S(SYS_bind, 8, NAME, sizeof(struct sockaddr_un));	/* ENAMETOOLONG? */
	GETNAME(8);
	S(SYS_close, 8);
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 8 */
	S(SYS_bind, 8, NAME, sa_path(ctx, "dgx") + 5);		/* NULs after */
	GETNAME(8);
	/* the listener closes with a connection queued */
	S(SYS_close, 0);
	RECV(2, 64, MSG_DONTWAIT);				/* ECONNRESET */
	RECV(2, 64, MSG_DONTWAIT);
	SEND(2, "x", 0);
	POLL(ALLEV, 1, 2, 4);
	S(SYS_shutdown, 4, SHUT_WR);
	POLL(ALLEV, 1, 4);
	RECV(1, 64, 0);						/* EOF */
	SEND(1, "after", 0);
	RECV(4, 64, 0);
	S(SYS_shutdown, 4, SHUT_RD);
	POLL(ALLEV, 1, 4);
	SEND(1, "x", 0);					/* EPIPE */
	S(SYS_shutdown, 4, 3);					/* EINVAL */
	S(SYS_shutdown, 4, -1);
	S(SYS_shutdown, 6, SHUT_RDWR);				/* unconnected */
	POLL(ALLEV, 6);
}

static void
scen_unix_abstract(struct ctx *ctx)
{
	S(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_bind, 0, NAME, sa_abs(ctx, "rumpkit-tpu-a"));
	GETNAME(0);
	S(SYS_bind, 0, NAME, sa_abs(ctx, "rumpkit-tpu-b"));	/* EINVAL */
	S(SYS_listen, 0, 3);
	S(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_bind, 1, NAME, sa_abs(ctx, "rumpkit-tpu-a"));	/* EADDRINUSE */
	S(SYS_connect, 1, NAME, sa_abs(ctx, "rumpkit-tpu-none"));	/* ECONNREFUSED */
	S(SYS_connect, 1, NAME, sa_abs(ctx, "rumpkit-tpu-a") - 1);	/* a prefix */
	S(SYS_connect, 1, NAME, sa_abs(ctx, "rumpkit-tpu-a"));
	GETPEER(1);
	GETNAME(1);
	ACCEPT(0, SOCK_NONBLOCK);				/* 2 */
	GETNAME(2);
	GETPEER(2);
	SEND(1, "record one", 0);
	SEND(1, "r2", 0);
	SETLEN(0);
	RECV(2, 4, 0);
	RECV(2, 64, 0);
	RECV(2, 64, 0);						/* EAGAIN */
	/* seqpacket: a name on send is ignored; none connected: ENOTCONN */
	S(SYS_sendto, 2, "n", 1, 0, NAME, sa_abs(ctx, "zz"));
	RECV(1, 64, 0);
	S(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0);		/* 3 */
	SEND(3, "x", 0);					/* ENOTCONN */
	RECV(3, 64, MSG_DONTWAIT);
	S(SYS_listen, 3, 1);					/* EINVAL: unbound */
	/* autobind: only the family */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 4 */
	NAMEP->sun_family = AF_UNIX;
	S(SYS_bind, 4, NAME, SUN_OFF);
	SETLEN(110);
	S(SYS_getsockname, 4, BUF, LEN);
	NOTE(LENP, sizeof(socklen_t));				/* 8: "\0xxxxx" */
	S(SYS_bind, 4, NAME, SUN_OFF);				/* again: 0 */
	/* a stream to a seqpacket listener */
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 5 */
	S(SYS_connect, 5, NAME, sa_abs(ctx, "rumpkit-tpu-a"));	/* EPROTOTYPE */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 6 */
	S(SYS_connect, 6, NAME, sa_abs(ctx, "rumpkit-tpu-a"));	/* EPROTOTYPE */
	S(SYS_listen, 6, 1);					/* EOPNOTSUPP */
	ACCEPT(6, 0);
	/* the name is free again once its socket closes */
	S(SYS_close, 0);
	S(SYS_bind, 3, NAME, sa_abs(ctx, "rumpkit-tpu-a"));
	GETNAME(3);
	/* the same bytes with a different length are another name */
	S(SYS_bind, 5, NAME, sa_abs(ctx, "rumpkit-tpu-a") + 1);
	GETNAME(5);
}

static void
scen_unix_dgram(struct ctx *ctx)
{
	S(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_bind, 0, NAME, sa_path(ctx, "srv"));
	S(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_bind, 1, NAME, sa_path(ctx, "cli"));
	S(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* 2: unnamed */
	SEND(1, "x", 0);					/* ENOTCONN */
	S(SYS_sendto, 1, "to srv", 6, 0, NAME, sa_path(ctx, "srv"));
	S(SYS_sendto, 2, "anon", 4, 0, NAME, sa_path(ctx, "srv"));
	S(SYS_sendto, 2, "x", 1, 0, NAME, sa_path(ctx, "none"));	/* ENOENT */
	S(SYS_sendto, 2, "x", 1, 0, NAME, sa_abs(ctx, "rumpkit-tpu-none"));
	S(SYS_sendto, 2, "x", 1, 0, NAME, 1);			/* EINVAL */
	S(SYS_sendto, 2, "x", 1, 0, 0, 5);			/* ENOTCONN */
	RECVFROM(0, 64, MSG_PEEK);
	RECVFROM(0, 3, 0);
	RECVFROM(0, 64, 0);
	RECVFROM(0, 64, 0);					/* EAGAIN */
	/* connect: then sends go there, and only it may send back */
	S(SYS_connect, 1, NAME, sa_path(ctx, "srv"));
	GETPEER(1);
	SEND(1, "via connect", 0);
	RECVFROM(0, 64, 0);
	S(SYS_connect, 0, NAME, sa_path(ctx, "cli"));
	S(SYS_sendto, 2, "x", 1, 0, NAME, sa_path(ctx, "srv"));	/* EPERM */
	S(SYS_sendto, 0, "x", 1, 0, NAME, sa_path(ctx, "cli"));
	RECV(1, 64, 0);
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 3 */
	S(SYS_connect, 3, NAME, sa_path(ctx, "srv"));		/* EPROTOTYPE */
	S(SYS_sendto, 3, "x", 1, 0, NAME, sa_path(ctx, "srv"));	/* EOPNOTSUPP */
	/* AF_UNSPEC disconnects */
	memset(NAMEP, 0, sizeof(*NAMEP));
	S(SYS_connect, 0, NAME, sizeof(sa_family_t));
	GETPEER(0);
	S(SYS_sendto, 2, "ok", 2, 0, NAME, sa_path(ctx, "srv"));
	RECV(0, 64, 0);
	/* too big for the send buffer: EMSGSIZE */
	SETINT(2, SO_SNDBUF, 4096);
	GETOPT(2, SOL_SOCKET, SO_SNDBUF, 4);
	S(SYS_sendto, 2, PAT, 9000, 0, NAME, sa_path(ctx, "srv"));
	S(SYS_sendto, 2, PAT, 100, 0, NAME, sa_path(ctx, "srv"));
	SN(N_MSG, SYS_recvfrom, 0, BUF, 0, MSG_TRUNC, 0, 0);	/* 100 */
	/* a full receiver: EAGAIN (the queue's length, not exact) */
	for (int i = 0; i < 64; i++) {
		long r = PREP(SYS_sendto, 1, "fill", 4, MSG_DONTWAIT, 0, 0);

		if (r < 0)
			break;
	}
	SEND(1, "one more", MSG_DONTWAIT);			/* EAGAIN */
	POLL(POLLOUT | POLLIN, 0, 1);
	/* shut for reading: senders get EPIPE */
	S(SYS_shutdown, 0, SHUT_RD);
	S(SYS_sendto, 2, "x", 1, 0, NAME, sa_path(ctx, "srv"));
	POLL(ALLEV, 0);
	S(SYS_close, 0);
	SEND(1, "x", 0);					/* ECONNREFUSED */
	SEND(1, "x", 0);					/* ENOTCONN */
	S(SYS_sendto, 2, "x", 1, 0, NAME, sa_path(ctx, "srv"));	/* ECONNREFUSED */
}

static void
scen_unix_options(struct ctx *ctx)
{
	struct linger lg = { 1, 5 };
	struct timeval tv = { 2, 500000 };

	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 0 */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 1 */
	static const int names[] = { SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE,
	    SO_BROADCAST, SO_OOBINLINE, SO_DONTROUTE, SO_PASSCRED, SO_RCVLOWAT,
	    SO_SNDLOWAT, SO_SNDBUF, SO_RCVBUF, SO_TYPE, SO_ERROR, SO_LINGER,
	    SO_RCVTIMEO, SO_SNDTIMEO, SO_ACCEPTCONN, SO_DOMAIN, SO_PROTOCOL };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		TAG("opt %d", names[i]);
		GETOPT(0, SOL_SOCKET, names[i], 32);
		GETOPT(1, SOL_SOCKET, names[i], 2);
	}
	TAG("%s", "");
	static const int flags[] = { SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE,
	    SO_BROADCAST, SO_OOBINLINE, SO_PASSCRED };
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		TAG("flag %d", flags[i]);
		SETINT(0, flags[i], 7);
		GETOPT(0, SOL_SOCKET, flags[i], 4);
		SETINT(0, flags[i], 0);
		GETOPT(0, SOL_SOCKET, flags[i], 4);
	}
	TAG("%s", "");
	/* buffer sizes: doubled, clamped below */
	static const int sizes[] = { 0, 1, 1000, 2304, 4000, 65536, 100000 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		TAG("size %d", sizes[i]);
		SETINT(0, SO_SNDBUF, sizes[i]);
		GETOPT(0, SOL_SOCKET, SO_SNDBUF, 4);
		SETINT(0, SO_RCVBUF, sizes[i]);
		GETOPT(0, SOL_SOCKET, SO_RCVBUF, 4);
	}
	TAG("%s", "");
	SETINT(0, SO_RCVLOWAT, 0);
	GETOPT(0, SOL_SOCKET, SO_RCVLOWAT, 4);
	SETINT(0, SO_RCVLOWAT, 100);
	GETOPT(0, SOL_SOCKET, SO_RCVLOWAT, 4);
	SETINT(0, SO_SNDLOWAT, 100);				/* ENOPROTOOPT */
	SETINT(0, SO_TYPE, 1);
	SETINT(0, SO_ERROR, 1);
	SETINT(0, SO_PEERCRED, 1);
	SETINT(0, 9999, 1);
	GETOPT(0, SOL_SOCKET, 9999, 4);
	/* lengths */
	*OPTP(int) = 1;
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, OPT, 2);	/* EINVAL */
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, OPT, -1);
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, 0, 4);	/* EFAULT */
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, OPT, 8);	/* longer: fine */
	GETOPT(0, SOL_SOCKET, SO_KEEPALIVE, 0);
	GETOPT(0, SOL_SOCKET, SO_KEEPALIVE, 1);
	SETLEN(-1);
	S(SYS_getsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, OPT, LEN);	/* EINVAL */
	S(SYS_getsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, OPT, 0);	/* EFAULT */
	/* linger and timeouts */
	memcpy(OPTP(struct linger), &lg, sizeof(lg));
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_LINGER, OPT, sizeof(lg));
	GETOPT(0, SOL_SOCKET, SO_LINGER, 8);
	GETOPT(0, SOL_SOCKET, SO_LINGER, 4);
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_LINGER, OPT, 4);	/* EINVAL */
	memcpy(OPTP(struct timeval), &tv, sizeof(tv));
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_RCVTIMEO, OPT, sizeof(tv));
	GETOPT(0, SOL_SOCKET, SO_RCVTIMEO, 16);
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_SNDTIMEO, OPT, sizeof(tv));
	GETOPT(0, SOL_SOCKET, SO_SNDTIMEO, 16);
	OPTP(struct timeval)->tv_usec = 1000000;
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_RCVTIMEO, OPT, sizeof(tv));	/* EDOM */
	OPTP(struct timeval)->tv_usec = -1;
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_RCVTIMEO, OPT, sizeof(tv));
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_RCVTIMEO, OPT, 8);	/* EINVAL */
	OPTP(struct timeval)->tv_sec = 0;
	OPTP(struct timeval)->tv_usec = 0;
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_RCVTIMEO, OPT, sizeof(tv));
	GETOPT(0, SOL_SOCKET, SO_RCVTIMEO, 16);
	/* other levels: AF_UNIX has none */
	GETOPT(0, IPPROTO_TCP, 1, 4);				/* EOPNOTSUPP */
	SETINT(0, SO_KEEPALIVE, 1);
	*OPTP(int) = 1;
	S(SYS_setsockopt, 0, IPPROTO_TCP, 1, OPT, 4);
	S(SYS_setsockopt, 0, IPPROTO_IP, 2, OPT, 4);
	/* SO_ERROR and SO_PEERCRED of an unconnected socket */
	SETLEN(sizeof(struct ucred));
	SN(N_CRED, SYS_getsockopt, 0, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
	SETLEN(4);
	SN(N_CRED, SYS_getsockopt, 0, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
	/* the options an accepted socket inherits */
	SETINT(0, SO_KEEPALIVE, 1);
	SETINT(0, SO_SNDBUF, 30000);
	S(SYS_bind, 0, NAME, sa_path(ctx, "l"));
	S(SYS_listen, 0, 1);
	GETOPT(0, SOL_SOCKET, SO_ACCEPTCONN, 4);
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 2 */
	S(SYS_connect, 2, NAME, sa_path(ctx, "l"));
	S(SYS_accept, 0, 0, 0);					/* 3 */
	GETOPT(3, SOL_SOCKET, SO_KEEPALIVE, 4);
	GETOPT(3, SOL_SOCKET, SO_SNDBUF, 4);
	GETOPT(3, SOL_SOCKET, SO_ACCEPTCONN, 4);
	GETOPT(3, SOL_SOCKET, SO_LINGER, 8);
	GETOPT(3, SOL_SOCKET, SO_RCVLOWAT, 4);
	S(SYS_close, 3);
	S(SYS_close, 2);
}

/* Readiness in each state, through poll and epoll. */
static void
scen_unix_poll(struct ctx *ctx)
{
	struct epoll_event ev;

	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 fresh */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);	/* 2 */
	POLL(ALLEV, 0, 1, 2);
	POLL(0, 0, 1, 2);
	S(SYS_bind, 0, NAME, sa_path(ctx, "l"));
	S(SYS_listen, 0, 2);
	S(SYS_bind, 2, NAME, sa_path(ctx, "q"));
	S(SYS_listen, 2, 2);
	POLL(ALLEV, 0, 2);
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 3 */
	S(SYS_connect, 3, NAME, sa_path(ctx, "l"));
	S(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);	/* 4 */
	S(SYS_connect, 4, NAME, sa_path(ctx, "q"));
	POLL(ALLEV, 0, 2, 3, 4);
	S(SYS_epoll_create1, 0);				/* 5 */
	for (int fd = 0; fd < 5; fd++) {
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.u64 = (uint64_t)fd;
		memcpy(OPTP(struct epoll_event), &ev, sizeof(ev));
		S(SYS_epoll_ctl, 5, EPOLL_CTL_ADD, fd, OPT);
	}
	SN(N_EV, SYS_epoll_wait, 5, BUF, 8, 0);
	SN(N_EV, SYS_epoll_wait, 5, BUF, 8, 0);			/* edges gone */
	S(SYS_accept4, 0, 0, 0, SOCK_NONBLOCK);			/* 6 */
	S(SYS_accept4, 2, 0, 0, SOCK_NONBLOCK);			/* 7 */
	SN(N_EV, SYS_epoll_wait, 5, BUF, 8, 0);
	POLL(ALLEV, 3, 4, 6, 7);
	SEND(6, "data", 0);
	SEND(7, "rec", 0);
	POLL(ALLEV, 3, 4);
	SN(N_EV, SYS_epoll_wait, 5, BUF, 8, 0);
	S(SYS_shutdown, 6, SHUT_WR);
	POLL(ALLEV, 3, 6);
	SN(N_EV, SYS_epoll_wait, 5, BUF, 8, 0);
	S(SYS_shutdown, 3, SHUT_WR);
	POLL(ALLEV, 3, 6);
	S(SYS_close, 7);
	POLL(ALLEV, 4);
	SN(N_EV, SYS_epoll_wait, 5, BUF, 8, 0);
	RECV(4, 64, 0);
	RECV(4, 64, 0);
	POLL(ALLEV, 4);
	/* select sees them too */
	memset(AUXP(char) + 3072, 0, 384);
	for (int fd = 3; fd <= 4; fd++) {
		FD_SET(fd, (fd_set *)(void *)(ctx->buf + PD_AUXOFF + 3072));
		FD_SET(fd, (fd_set *)(void *)(ctx->buf + PD_AUXOFF + 3200));
	}
	S(SYS_select, 8, AUX + 3072, AUX + 3200, 0, 0);
	NOTE(ctx->buf + PD_AUXOFF + 3072, 256);
	/* a connected datagram socket whose receiver is full */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* 7 */
	S(SYS_bind, 7, NAME, sa_path(ctx, "d"));
	S(SYS_connect, 1, NAME, sa_path(ctx, "d"));
	POLL(ALLEV, 1, 7);
	for (int i = 0; i < 64; i++)
		if (PREP(SYS_sendto, 1, "x", 1, 0, 0, 0) < 0)
			break;
	POLL(ALLEV, 1, 7);
	RECV(7, 8, 0);
	POLL(ALLEV, 1, 7);
}

/* SCM_RIGHTS: a pipe's end passed and read through. */
static void
setmsg(struct ctx *ctx, void *data, size_t len, size_t ctllen)
{
	memset(MSGP, 0, sizeof(*MSGP));
	IOVP->iov_base = data;
	IOVP->iov_len = len;
	MSGP->msg_iov = IOVP;
	MSGP->msg_iovlen = 1;
	MSGP->msg_control = ctllen ? CTL : NULL;
	MSGP->msg_controllen = ctllen;
}

static void
setrights(struct ctx *ctx, const int *fds, int n)
{
	struct cmsghdr cm;

	memset(CTL, 0, 256);
	cm.cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	cm.cmsg_level = SOL_SOCKET;
	cm.cmsg_type = SCM_RIGHTS;
	memcpy(CTL, &cm, sizeof(cm));
	memcpy(CTL + CMSG_LEN(0), fds, (size_t)n * sizeof(int));
}

#define SENDMSG(fd, s, ctllen, fl) do {					\
	setmsg(ctx, (void *)(s), strlen(s), (ctllen));			\
	S(SYS_sendmsg, (fd), MSG, (fl));				\
} while (0)
#define RECVMSG(fd, n, ctllen, fl) do {					\
	setmsg(ctx, ctx->buf, (n), (ctllen));				\
	memset(CTL, 0, 256);						\
	SN(N_MSG, SYS_recvmsg, (fd), MSG, (fl) | MSG_DONTWAIT);			\
} while (0)

static void
scen_unix_rights(struct ctx *ctx)
{
	int one[1], two[2];

	S(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BUF);	/* 0 1 */
	S(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, BUF);		/* 2 3 */
	S(SYS_pipe2, BUF, 0);					/* 4 5 */
	S(SYS_write, 5, "through the pipe", 16);
	one[0] = 4;
	setrights(ctx, one, 1);
	SENDMSG(0, "r", CMSG_SPACE(sizeof(int)), 0);
	S(SYS_close, 4);
	RECVMSG(1, 8, 64, 0);					/* fd 4 again */
	SO(16, SYS_read, 4, BUF, 64);				/* the pipe's data */
	/* two at once, a short control buffer: MSG_CTRUNC */
	two[0] = 5;
	two[1] = 4;
	setrights(ctx, two, 2);
	SENDMSG(2, "two", CMSG_SPACE(2 * sizeof(int)), 0);
	RECVMSG(3, 8, CMSG_SPACE(sizeof(int)), 0);		/* one of two */
	S(SYS_fcntl, 6, F_GETFD);
	S(SYS_fcntl, 7, F_GETFD);				/* EBADF */
	setrights(ctx, two, 2);
	SENDMSG(2, "two", CMSG_SPACE(2 * sizeof(int)), 0);
	RECVMSG(3, 8, 0, 0);					/* none fit */
	RECVMSG(3, 8, 8, MSG_DONTWAIT);				/* EAGAIN */
	setrights(ctx, two, 2);
	SENDMSG(2, "two", CMSG_SPACE(2 * sizeof(int)), 0);
	RECVMSG(3, 8, 64, MSG_CMSG_CLOEXEC);
	S(SYS_fcntl, 7, F_GETFD);
	S(SYS_fcntl, 8, F_GETFD);
	/* errors */
	one[0] = 99;
	setrights(ctx, one, 1);
	SENDMSG(0, "bad", CMSG_SPACE(sizeof(int)), 0);		/* EBADF */
	RECV(1, 8, MSG_DONTWAIT);				/* nothing sent */
	setrights(ctx, one, 0);
	SENDMSG(0, "empty", CMSG_SPACE(0), 0);
	RECVMSG(1, 8, 64, 0);
	one[0] = 4;
	setrights(ctx, one, 1);
	((struct cmsghdr *)(void *)CTL)->cmsg_len = 4;
	SENDMSG(0, "short", CMSG_SPACE(sizeof(int)), 0);	/* EINVAL */
	((struct cmsghdr *)(void *)CTL)->cmsg_len = 200;
	SENDMSG(0, "long", CMSG_SPACE(sizeof(int)), 0);
	setrights(ctx, one, 1);
	((struct cmsghdr *)(void *)CTL)->cmsg_type = 77;
	SENDMSG(0, "type", CMSG_SPACE(sizeof(int)), 0);		/* EINVAL */
	setrights(ctx, one, 1);
	((struct cmsghdr *)(void *)CTL)->cmsg_level = IPPROTO_IP;
	SENDMSG(0, "level", CMSG_SPACE(sizeof(int)), 0);	/* ignored */
	RECVMSG(1, 8, 64, 0);
	/* a socket passes itself; it closes with rights unread */
	one[0] = 0;
	setrights(ctx, one, 1);
	SENDMSG(1, "self", CMSG_SPACE(sizeof(int)), 0);
	S(SYS_close, 0);
	S(SYS_fcntl, 0, F_GETFD);				/* EBADF */
	/* a bigger stream: the rights arrive with the first byte */
	S(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BUF);	/* 0 9 */
	SEND(0, "before", 0);
	one[0] = 5;
	setrights(ctx, one, 1);
	SENDMSG(0, "with", CMSG_SPACE(sizeof(int)), 0);
	SEND(0, "after", 0);
	RECVMSG(9, 64, 64, 0);					/* "beforewith" + fd */
	RECVMSG(9, 64, 64, 0);					/* "after" */
	RECVMSG(9, 64, 64, MSG_DONTWAIT);
	/* msghdr errors */
	setmsg(ctx, ctx->buf, 8, 0);
	MSGP->msg_iovlen = 1025;
	S(SYS_sendmsg, 0, MSG, 0);				/* EMSGSIZE */
	S(SYS_recvmsg, 9, MSG, 0);
	S(SYS_sendmsg, 0, 0, 0);				/* EFAULT */
	S(SYS_recvmsg, 99, MSG, 0);				/* EBADF */
	setmsg(ctx, ctx->buf, 8, 0);
	MSGP->msg_name = NAMEP;
	MSGP->msg_namelen = (socklen_t)sa_path(ctx, "x");
	S(SYS_sendmsg, 0, MSG, 0);				/* EISCONN */
}

/* Permissions: connecting needs write access to the node. */
static void
as_user(struct ctx *ctx)
{
	pd_become_user(ctx, 1000, 1000);
	S(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 2 */
	S(SYS_connect, 2, NAME, sa_path(ctx, "ro"));		/* EACCES */
	S(SYS_connect, 2, NAME, sa_path(ctx, "rw"));
	S(SYS_connect, 2, NAME, sa_path(ctx, "closed/s"));	/* EACCES */
	S(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);			/* 3 */
	S(SYS_sendto, 3, "x", 1, 0, NAME, sa_path(ctx, "ro"));	/* EPROTOTYPE? */
	S(SYS_bind, 3, NAME, sa_path(ctx, "closed/t"));		/* EACCES */
	S(SYS_bind, 3, NAME, sa_path(ctx, "mine"));
	SETLEN(sizeof(struct ucred));
	SN(N_CRED, SYS_getsockopt, 2, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
}

static void
scen_unix_perms(struct ctx *ctx)
{
	PREP(SYS_umask, 022);
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 0 */
	S(SYS_bind, 0, NAME, sa_path(ctx, "ro"));
	S(SYS_listen, 0, 4);
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 1 */
	S(SYS_bind, 1, NAME, sa_path(ctx, "rw"));
	S(SYS_chmod, "rw", 0777);
	S(SYS_listen, 1, 4);
	S(SYS_mkdir, "closed", 0700);
	S(SYS_socket, AF_UNIX, SOCK_STREAM, 0);			/* 2 */
	S(SYS_bind, 2, NAME, sa_path(ctx, "closed/s"));
	S(SYS_listen, 2, 4);
	S(SYS_close, 2);
	S(SYS_chmod, ".", 0777);
	pd_sub(ctx, as_user);
	S(SYS_accept4, 1, 0, 0, SOCK_NONBLOCK);			/* 2 */
	SETLEN(sizeof(struct ucred));
	SN(N_CRED, SYS_getsockopt, 2, SOL_SOCKET, SO_PEERCRED, OPT, LEN);
	S(SYS_chmod, ".", 0755);
}

DIFF(unix_create)
DIFF(unix_pairs)
DIFF(unix_paths)
DIFF(unix_abstract)
DIFF(unix_dgram)
DIFF(unix_options)
DIFF(unix_poll)
DIFF(unix_rights)
DIFF(unix_perms)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_unix_create),
	T(diff_unix_pairs),
	T(diff_unix_paths),
	T(diff_unix_abstract),
	T(diff_unix_dgram),
	T(diff_unix_options),
	T(diff_unix_poll),
	T(diff_unix_rights),
	T(diff_unix_perms),
	T(totals),
)

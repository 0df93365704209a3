/*
 * Differential tests against Linux: TCP over 127.0.0.1, non-blocking, one
 * thread driving both ends (the host side in a network namespace of its
 * own).  socket/bind/listen/connect (EINPROGRESS)/accept4, names, shutdown
 * in each direction, send/recv results and errno, ECONNREFUSED, resets by
 * SO_LINGER 0 (and EPIPE after them), the EADDRINUSE rules with listeners
 * and TIME_WAIT, poll readiness through a connection's life, SO_ERROR,
 * TCP-level options and TCP_INFO's state.  Where readiness depends on the
 * peer, poll waits (with a timeout) so that both sides are compared at the
 * same point of the exchange.  See posix_diff.h.
 */
#include "posix_diff_inet.h"

#include <netinet/tcp.h>
#include <poll.h>

#define PORT_A	40100
#define PORT_B	40101
#define PORT_C	40102

/* an option value and its length */
#define OPT		(AUX + 512)
#define OPTP(type)	((type *)(void *)(ctx->buf + PD_AUXOFF + 512))
#define OPTLEN		(AUX + 1024)
#define OPTLENP		((socklen_t *)(void *)(ctx->buf + PD_AUXOFF + 1024))
/* one pollfd */
#define PFD		(AUX + 64)
#define PFDP		((struct pollfd *)(void *)(ctx->buf + PD_AUXOFF + 64))

/* accept's peer address (at SA(5)), normalized as N_SIN does. */
static size_t
N_PEER5(struct ctx *c, long ret, unsigned char *out)
{
	struct sockaddr_in s = pd_sin(PD_SA(c, 5));

	(void)ret;
	memset(s.sin_zero, 0, sizeof(s.sin_zero));
	memcpy(out, &s, sizeof(s));
	return sizeof(s);
}

/* poll's revents */
static size_t
N_REVENTS(struct ctx *c, long ret, unsigned char *out)
{
	struct pollfd p;

	(void)ret;
	memcpy(&p, c->buf + PD_AUXOFF + 64, sizeof(p));
	memcpy(out, &p.revents, sizeof(p.revents));
	return sizeof(p.revents);
}

/* an int option's value and the length returned */
static size_t
N_INTOPT(struct ctx *c, long ret, unsigned char *out)
{
	(void)ret;
	memcpy(out, c->buf + PD_AUXOFF + 512, 4);
	memcpy(out + 4, c->buf + PD_AUXOFF + 1024, sizeof(socklen_t));
	return 4 + sizeof(socklen_t);
}

/* TCP_INFO: the state, the options negotiated, the length returned */
static size_t
N_TCPINFO(struct ctx *c, long ret, unsigned char *out)
{
	struct tcp_info ti;

	(void)ret;
	memcpy(&ti, c->buf + PD_AUXOFF + 512, sizeof(ti));
	out[0] = ti.tcpi_state;
	out[1] = ti.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK |
	    TCPI_OPT_WSCALE);
	memcpy(out + 2, c->buf + PD_AUXOFF + 1024, sizeof(socklen_t));
	return 2 + sizeof(socklen_t);
}

#define ACCEPT(fd, flags) do {						\
	*SALENP(5) = 16;						\
	SN(N_PEER5, SYS_accept4, (fd), SA(5), SALEN(5), (flags));	\
} while (0)
/* wait (at most a second) for events on fd; revents compared */
#define POLL(f, ev)	do {						\
	*PFDP = (struct pollfd){ .fd = (f), .events = (short)(ev) };	\
	SN(N_REVENTS, SYS_poll, PFD, 1, 1000);				\
} while (0)
/* readiness now, without waiting */
#define POLL0(f, ev)	do {						\
	*PFDP = (struct pollfd){ .fd = (f), .events = (short)(ev) };	\
	SN(N_REVENTS, SYS_poll, PFD, 1, 0);				\
} while (0)
#define GETINT(fd, level, name)	do {					\
	*OPTLENP = sizeof(int);						\
	*OPTP(int) = -12345;						\
	SN(N_INTOPT, SYS_getsockopt, (fd), (level), (name), OPT, OPTLEN); \
} while (0)
#define SETINT(fd, level, name, v) do {					\
	*OPTP(int) = (v);						\
	S(SYS_setsockopt, (fd), (level), (name), OPT, sizeof(int));	\
} while (0)
#define TCPINFO(fd)	do {						\
	*OPTLENP = sizeof(struct tcp_info);				\
	memset(OPTP(struct tcp_info), 0, sizeof(struct tcp_info));	\
	SN(N_TCPINFO, SYS_getsockopt, (fd), IPPROTO_TCP, TCP_INFO, OPT,	\
	    OPTLEN);							\
} while (0)
#define EVALL	(POLLIN | POLLOUT | POLLPRI | POLLRDHUP | POLLERR | POLLHUP)

static void
scen_tcp_basic(struct ctx *ctx)
{
	pd_netns(ctx);
	/* a socket that never connects */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_socket, AF_INET, SOCK_STREAM, IPPROTO_UDP);	/* EPROTONOSUPPORT */
	GETNAME(0);
	GETPEER(0);						/* ENOTCONN */
	TCPINFO(0);						/* CLOSE */
	POLL0(0, EVALL);
	S(SYS_accept4, 0, 0, 0, 0);				/* EINVAL */
	S(SYS_sendto, 0, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* EPIPE */
	S(SYS_recvfrom, 0, BUF, 1, 0, 0, 0);			/* ENOTCONN */
	S(SYS_shutdown, 0, SHUT_WR);				/* ENOTCONN */
	S(SYS_close, 0);

	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    IPPROTO_TCP);					/* 1 */
	setsin(ctx, 0, LOOP, PORT_A);
	S(SYS_bind, 0, SA(0), 8);				/* EINVAL */
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_bind, 0, SA(0), 16);				/* EINVAL */
	S(SYS_listen, 0, 8);
	S(SYS_listen, 0, 16);					/* again: fine */
	GETNAME(0);
	GETPEER(0);						/* ENOTCONN */
	TCPINFO(0);						/* LISTEN */
	POLL0(0, EVALL);					/* nothing */
	S(SYS_connect, 0, SA(0), 16);				/* EISCONN */

	/* a non-blocking connect and the accept */
	S(SYS_connect, 1, SA(0), 16);				/* EINPROGRESS */
	POLL(1, POLLOUT);
	S(SYS_connect, 1, SA(0), 16);				/* 0: it is up */
	S(SYS_connect, 1, SA(0), 16);				/* EISCONN */
	POLL(0, POLLIN);
	ACCEPT(0, SOCK_NONBLOCK);				/* 2 */
	ACCEPT(0, 0);						/* EAGAIN */
	GETNAME(1);
	GETPEER(1);
	GETNAME(2);
	GETPEER(2);
	TCPINFO(1);						/* ESTABLISHED */
	TCPINFO(2);
	GETINT(1, SOL_SOCKET, SO_ERROR);
	POLL0(1, EVALL);					/* POLLOUT */
	POLL0(2, EVALL);

	/* data both ways */
	S(SYS_sendto, 1, PAT, 100, 0, 0, 0);
	POLL(2, POLLIN);
	SO(100, SYS_recvfrom, 2, BUF, 200, 0, 0, 0);
	S(SYS_recvfrom, 2, BUF, 200, MSG_DONTWAIT, 0, 0);	/* EAGAIN */
	S(SYS_sendto, 2, PAT + 5, 3000, 0, 0, 0);
	POLL(1, POLLIN);
	SO(100, SYS_recvfrom, 1, BUF, 10, MSG_PEEK, 0, 0);
	SO(100, SYS_recvfrom, 1, BUF, 3000, MSG_WAITALL, 0, 0);
	/* the client stops sending: the server reads the end */
	S(SYS_shutdown, 1, SHUT_WR);
	POLL(2, POLLIN | POLLRDHUP);
	POLL0(2, EVALL);					/* IN|OUT|RDHUP */
	S(SYS_recvfrom, 2, BUF, 10, 0, 0, 0);			/* 0 */
	S(SYS_recvfrom, 2, BUF, 10, 0, 0, 0);			/* 0 */
	S(SYS_sendto, 1, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* EPIPE */
	/* (the client is in FIN_WAIT2 here, in FIN_WAIT1 on Linux, which
	 * delays the ACK of a FIN; see docs/tcp.md) */
	TCPINFO(2);						/* CLOSE_WAIT */
	POLL0(1, EVALL);					/* OUT */
	/* the server still talks, then ends too */
	S(SYS_sendto, 2, PAT, 10, 0, 0, 0);
	POLL(1, POLLIN);
	SO(10, SYS_recvfrom, 1, BUF, 100, 0, 0, 0);
	S(SYS_shutdown, 2, SHUT_WR);
	POLL(1, POLLIN | POLLRDHUP);
	S(SYS_recvfrom, 1, BUF, 10, 0, 0, 0);			/* 0 */
	POLL0(1, EVALL);
	POLL0(2, EVALL);
	S(SYS_shutdown, 2, SHUT_RD);
	S(SYS_shutdown, 2, 7);					/* EINVAL */
	S(SYS_close, 2);
	S(SYS_close, 1);
	S(SYS_close, 0);
}

static void
scen_tcp_refused(struct ctx *ctx)
{
	pd_netns(ctx);
	setsin(ctx, 0, LOOP, PORT_C);				/* nobody */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_connect, 0, SA(0), 16);				/* EINPROGRESS */
	POLL(0, POLLOUT);
	POLL0(0, EVALL);
	TCPINFO(0);
	GETINT(0, SOL_SOCKET, SO_ERROR);			/* ECONNREFUSED */
	GETINT(0, SOL_SOCKET, SO_ERROR);			/* 0 */
	S(SYS_connect, 0, SA(0), 16);				/* ECONNABORTED */
	S(SYS_close, 0);
	/* the outcome through connect itself */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	S(SYS_connect, 0, SA(0), 16);				/* EINPROGRESS */
	POLL(0, POLLOUT);
	S(SYS_connect, 0, SA(0), 16);				/* ECONNREFUSED */
	GETINT(0, SOL_SOCKET, SO_ERROR);			/* 0 */
	GETPEER(0);						/* ENOTCONN */
	S(SYS_recvfrom, 0, BUF, 10, 0, 0, 0);
	S(SYS_sendto, 0, PAT, 1, MSG_NOSIGNAL, 0, 0);
	S(SYS_close, 0);
	S(SYS_socket, AF_INET, SOCK_STREAM, 0);			/* 0 */
	S(SYS_connect, 0, SA(0), 16);				/* ECONNREFUSED */
	GETINT(0, SOL_SOCKET, SO_ERROR);			/* 0 */
	S(SYS_close, 0);
	/* a port nobody bound on an address that is not ours */
	setsin(ctx, 1, 0x0a090807, PORT_C);
	S(SYS_socket, AF_INET, SOCK_STREAM, 0);			/* 0 */
	S(SYS_connect, 0, SA(1), 16);				/* ENETUNREACH */
	S(SYS_connect, 0, SA(0), 4);				/* EINVAL */
	SAP(0)->sin_family = AF_INET6;
	S(SYS_connect, 0, SA(0), 16);				/* EAFNOSUPPORT */
	S(SYS_close, 0);
}

/* A connected pair: 0 the listener, 1 the client, 2 the server's end. */
static void
pair(struct ctx *ctx, uint16_t port)
{
	setsin(ctx, 0, LOOP, port);
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SETINT(0, SOL_SOCKET, SO_REUSEADDR, 1);
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_listen, 0, 8);
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	S(SYS_connect, 1, SA(0), 16);
	POLL(1, POLLOUT);
	POLL(0, POLLIN);
	ACCEPT(0, SOCK_NONBLOCK);
}

static void
scen_tcp_reset(struct ctx *ctx)
{
	struct linger l = { 1, 0 };

	pd_netns(ctx);
	pair(ctx, PORT_A);
	/* unread data at close: a reset, as Linux (RFC 2525 2.17) */
	S(SYS_sendto, 1, PAT, 50, 0, 0, 0);
	POLL(2, POLLIN);
	S(SYS_close, 2);
	POLL(1, POLLIN | POLLERR | POLLHUP);
	POLL0(1, EVALL);
	TCPINFO(1);						/* CLOSE */
	S(SYS_recvfrom, 1, BUF, 10, 0, 0, 0);			/* ECONNRESET */
	S(SYS_recvfrom, 1, BUF, 10, 0, 0, 0);			/* 0 */
	S(SYS_sendto, 1, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* EPIPE */
	GETPEER(1);						/* ENOTCONN */
	GETNAME(1);
	S(SYS_close, 1);

	/* SO_LINGER 0: close sends a reset */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_connect, 1, SA(0), 16);
	POLL(1, POLLOUT);
	POLL(0, POLLIN);
	ACCEPT(0, SOCK_NONBLOCK);				/* 2 */
	memcpy(OPTP(struct linger), &l, sizeof(l));
	S(SYS_setsockopt, 1, SOL_SOCKET, SO_LINGER, OPT, sizeof(l));
	S(SYS_close, 1);
	POLL(2, POLLIN | POLLERR | POLLHUP);
	POLL0(2, EVALL);
	GETINT(2, SOL_SOCKET, SO_ERROR);			/* ECONNRESET */
	GETINT(2, SOL_SOCKET, SO_ERROR);			/* 0 */
	S(SYS_recvfrom, 2, BUF, 10, 0, 0, 0);			/* 0 */
	S(SYS_sendto, 2, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* EPIPE */
	S(SYS_close, 2);

	/* a reset while the reader waits: the error, then the end */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_connect, 1, SA(0), 16);
	POLL(1, POLLOUT);
	POLL(0, POLLIN);
	ACCEPT(0, SOCK_NONBLOCK);				/* 2 */
	memcpy(OPTP(struct linger), &l, sizeof(l));
	S(SYS_setsockopt, 1, SOL_SOCKET, SO_LINGER, OPT, sizeof(l));
	S(SYS_close, 1);
	POLL(2, POLLIN);
	S(SYS_sendto, 2, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* ECONNRESET */
	S(SYS_sendto, 2, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* EPIPE */
	S(SYS_recvfrom, 2, BUF, 10, 0, 0, 0);			/* 0 */
	S(SYS_close, 2);

	/* data for a peer that closed: it resets; the FIN was the end */
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_connect, 1, SA(0), 16);
	POLL(1, POLLOUT);
	POLL(0, POLLIN);
	ACCEPT(0, SOCK_NONBLOCK);				/* 2 */
	S(SYS_close, 1);
	POLL(2, POLLIN);
	S(SYS_sendto, 2, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* 1 */
	POLL(2, POLLERR);
	POLL0(2, EVALL);
	S(SYS_sendto, 2, PAT, 1, MSG_NOSIGNAL, 0, 0);		/* EPIPE */
	S(SYS_recvfrom, 2, BUF, 10, 0, 0, 0);			/* 0 */
	GETINT(2, SOL_SOCKET, SO_ERROR);
	S(SYS_close, 2);
	S(SYS_close, 0);
}

static void
scen_tcp_addrinuse(struct ctx *ctx)
{
	pd_netns(ctx);
	pair(ctx, PORT_A);
	/* a listener's port: taken, even with SO_REUSEADDR */
	S(SYS_socket, AF_INET, SOCK_STREAM, 0);			/* 3 */
	S(SYS_bind, 3, SA(0), 16);				/* EADDRINUSE */
	SETINT(3, SOL_SOCKET, SO_REUSEADDR, 1);
	S(SYS_bind, 3, SA(0), 16);				/* EADDRINUSE */
	setsin(ctx, 1, 0, PORT_A);
	S(SYS_bind, 3, SA(1), 16);				/* EADDRINUSE */
	S(SYS_close, 3);
	/* the client closes first: its end waits in TIME_WAIT */
	GETNAME(1);
	memcpy(SAP(2), ctx->buf, sizeof(struct sockaddr_in));
	S(SYS_close, 1);
	POLL(2, POLLIN);
	S(SYS_recvfrom, 2, BUF, 10, 0, 0, 0);			/* 0 */
	S(SYS_close, 2);
	S(SYS_socket, AF_INET, SOCK_STREAM, 0);			/* 1 */
	S(SYS_bind, 1, SA(2), 16);				/* EADDRINUSE */
	SETINT(1, SOL_SOCKET, SO_REUSEADDR, 1);
	S(SYS_bind, 1, SA(2), 16);				/* fine */
	S(SYS_close, 1);
	/* the listener goes: its port is free again */
	S(SYS_close, 0);
	S(SYS_socket, AF_INET, SOCK_STREAM, 0);			/* 0 */
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_listen, 0, 1);
	S(SYS_close, 0);
}

static void
scen_tcp_options(struct ctx *ctx)
{
	pd_netns(ctx);
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	GETINT(0, IPPROTO_TCP, TCP_NODELAY);
	SETINT(0, IPPROTO_TCP, TCP_NODELAY, 1);
	GETINT(0, IPPROTO_TCP, TCP_NODELAY);
	SETINT(0, IPPROTO_TCP, TCP_NODELAY, 0);
	GETINT(0, IPPROTO_TCP, TCP_NODELAY);
	GETINT(0, IPPROTO_TCP, TCP_MAXSEG);
	SETINT(0, IPPROTO_TCP, TCP_MAXSEG, 50);			/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_MAXSEG, 40000);		/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_MAXSEG, 1000);
	GETINT(0, IPPROTO_TCP, TCP_MAXSEG);
	GETINT(0, IPPROTO_TCP, TCP_KEEPIDLE);
	GETINT(0, IPPROTO_TCP, TCP_KEEPINTVL);
	GETINT(0, IPPROTO_TCP, TCP_KEEPCNT);
	SETINT(0, IPPROTO_TCP, TCP_KEEPIDLE, 0);		/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_KEEPIDLE, 32768);		/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_KEEPIDLE, 30);
	GETINT(0, IPPROTO_TCP, TCP_KEEPIDLE);
	SETINT(0, IPPROTO_TCP, TCP_KEEPINTVL, 0);		/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_KEEPINTVL, 5);
	GETINT(0, IPPROTO_TCP, TCP_KEEPINTVL);
	SETINT(0, IPPROTO_TCP, TCP_KEEPCNT, 128);		/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_KEEPCNT, 4);
	GETINT(0, IPPROTO_TCP, TCP_KEEPCNT);
	GETINT(0, IPPROTO_TCP, TCP_CORK);
	SETINT(0, IPPROTO_TCP, TCP_CORK, 1);
	GETINT(0, IPPROTO_TCP, TCP_CORK);
	GETINT(0, IPPROTO_TCP, TCP_USER_TIMEOUT);
	SETINT(0, IPPROTO_TCP, TCP_USER_TIMEOUT, -1);		/* EINVAL */
	SETINT(0, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
	GETINT(0, IPPROTO_TCP, TCP_USER_TIMEOUT);
	GETINT(0, SOL_SOCKET, SO_KEEPALIVE);
	SETINT(0, SOL_SOCKET, SO_KEEPALIVE, 1);
	GETINT(0, SOL_SOCKET, SO_KEEPALIVE);
	GETINT(0, SOL_SOCKET, SO_TYPE);
	GETINT(0, SOL_SOCKET, SO_PROTOCOL);
	GETINT(0, SOL_SOCKET, SO_ACCEPTCONN);
	GETINT(0, IPPROTO_TCP, 9999);				/* ENOPROTOOPT */
	/* short option buffers */
	*OPTP(int) = 1;
	S(SYS_setsockopt, 0, IPPROTO_TCP, TCP_NODELAY, OPT, 2);	/* EINVAL */
	*OPTLENP = 2;
	SN(N_INTOPT, SYS_getsockopt, 0, IPPROTO_TCP, TCP_KEEPIDLE, OPT,
	    OPTLEN);
	*OPTLENP = 0;
	SN(N_INTOPT, SYS_getsockopt, 0, IPPROTO_TCP, TCP_KEEPIDLE, OPT,
	    OPTLEN);
	TCPINFO(0);
	S(SYS_close, 0);

	/* on a connection: what was negotiated, and what a child inherits */
	pair(ctx, PORT_B);
	GETINT(2, IPPROTO_TCP, TCP_NODELAY);
	/* (TCP_MAXSEG differs on purpose: Linux's lo sends 32 KiB
	 * segments, lo0 here 64 KiB ones; see docs/tcp.md) */
	TCPINFO(1);
	TCPINFO(2);
	GETINT(0, SOL_SOCKET, SO_ACCEPTCONN);
	GETINT(2, SOL_SOCKET, SO_ACCEPTCONN);
	S(SYS_close, 2);
	S(SYS_close, 1);
	S(SYS_close, 0);
	/* options set on a listener reach its children */
	setsin(ctx, 0, LOOP, PORT_C);
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 0 */
	SETINT(0, IPPROTO_TCP, TCP_NODELAY, 1);
	SETINT(0, IPPROTO_TCP, TCP_KEEPIDLE, 77);
	SETINT(0, SOL_SOCKET, SO_KEEPALIVE, 1);
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_listen, 0, 8);
	S(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);	/* 1 */
	S(SYS_connect, 1, SA(0), 16);
	POLL(1, POLLOUT);
	POLL(0, POLLIN);
	ACCEPT(0, 0);						/* 2 */
	GETINT(2, IPPROTO_TCP, TCP_NODELAY);
	GETINT(2, IPPROTO_TCP, TCP_KEEPIDLE);
	GETINT(2, SOL_SOCKET, SO_KEEPALIVE);
	S(SYS_close, 2);
	S(SYS_close, 1);
	S(SYS_close, 0);
}

DIFF(tcp_basic)
DIFF(tcp_refused)
DIFF(tcp_reset)
DIFF(tcp_addrinuse)
DIFF(tcp_options)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(diff_tcp_basic),
	T(diff_tcp_refused),
	T(diff_tcp_reset),
	T(diff_tcp_addrinuse),
	T(diff_tcp_options),
	T(totals),
)

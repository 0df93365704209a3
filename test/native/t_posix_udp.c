/*
 * Differential tests against Linux: UDP, ping and raw ICMP sockets over
 * 127.0.0.1.  The host side runs in a network namespace of its own (made
 * by the scenario's process: only lo, up, no port shared with anything
 * else on the machine); the kernel side uses its lo0.  Compared: results
 * and errno of socket/bind/connect/sendto/recvfrom/getsockname/
 * getpeername, Linux's address-in-use rules, ECONNREFUSED after a port
 * unreachable, MSG_TRUNC, zero-length datagrams, broadcast needing
 * SO_BROADCAST, IP-level options and their ancillary data, poll readiness,
 * and an echo through a raw ICMP socket (IP header included).  Ephemeral
 * ports are compared as "in 32768-60999", never by value.
 */
#include "posix_diff_inet.h"

#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>

#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif

#define PORT_A	40000
#define PORT_B	40001
#define PORT_C	40002

/* The host side's own network namespace, where ping sockets work. */
static void
host_netns(struct ctx *ctx)
{
	int fd;

	if (ctx->kernel)
		return;
	pd_netns(ctx);
	/* ping sockets for everyone, as rumpkit has them */
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "0 2147483647", 12) != 12)
			_exit(3);
		close(fd);
	}
}

/* The sender's address of recvfrom (at SA(7)), normalized, then the data. */
static size_t
N_FROM(struct ctx *c, long ret, unsigned char *out)
{
	struct sockaddr_in s = pd_sin(PD_SA(c, 7));
	size_t n = ret > 0 ? (size_t)ret : 0;

	memcpy(out, &s, 8);
	n = MIN(n, (size_t)PD_OUTMAX - 8);
	memcpy(out + 8, c->buf, n);
	return 8 + n;
}

#define RECVFROM(fd, len, flags) do {					\
	*SALENP(7) = 16;						\
	SN(N_FROM, SYS_recvfrom, (fd), BUF, (len), (flags), SA(7),	\
	    SALEN(7));							\
} while (0)
#define SENDTO(fd, n, flags, i)						\
	S(SYS_sendto, (fd), PAT, (n), (flags), SA(i), 16)

static void
scen_udp_basic(struct ctx *ctx)
{
	host_netns(ctx);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 0 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_UDP);	/* 1 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_TCP);	/* EPROTONOSUPPORT */
	GETNAME(0);
	GETPEER(0);						/* ENOTCONN */
	setsin(ctx, 0, LOOP, PORT_A);
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_bind, 0, SA(0), 16);				/* EINVAL */
	GETNAME(0);
	S(SYS_bind, 1, SA(0), 16);				/* EADDRINUSE */
	S(SYS_bind, 1, SA(0), 8);				/* EINVAL */
	setsin(ctx, 1, 0, PORT_A);
	S(SYS_bind, 1, SA(1), 16);				/* EADDRINUSE */
	setsin(ctx, 1, 0x0a010203, PORT_B);
	S(SYS_bind, 1, SA(1), 16);				/* EADDRNOTAVAIL */
	SAP(1)->sin_family = AF_INET6;
	S(SYS_bind, 1, SA(1), 16);				/* EAFNOSUPPORT */
	setsin(ctx, 1, 0x7f000009, PORT_B);			/* 127/8 is ours */
	S(SYS_bind, 1, SA(1), 16);
	S(SYS_close, 1);

	/* an unbound sender gets an ephemeral port on its first send */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 1 */
	SENDTO(1, 5, 0, 0);
	GETNAME(1);
	RECVFROM(0, 100, 0);
	/* connected: getpeername, send without address, replies */
	S(SYS_connect, 1, SA(0), 16);
	GETPEER(1);
	S(SYS_sendto, 1, PAT, 7, 0, 0, 0);
	RECVFROM(0, 100, 0);
	S(SYS_sendto, 0, PAT, 9, 0, SA(7), 16);
	RECVFROM(1, 100, 0);
	/* no address on an unconnected socket; port 0 */
	S(SYS_sendto, 0, PAT, 1, 0, 0, 0);			/* EDESTADDRREQ */
	setsin(ctx, 2, LOOP, 0);
	S(SYS_sendto, 0, PAT, 1, 0, SA(2), 16);			/* EINVAL */
	S(SYS_sendto, 0, PAT, 1, 0, SA(2), 4);			/* EINVAL */
	/* too big, big */
	S(SYS_sendto, 1, PAT, 65508, 0, 0, 0);			/* EMSGSIZE */
	S(SYS_sendto, 1, PAT, 65507, 0, 0, 0);
	RECVFROM(0, 70000, 0);
	/* truncation and MSG_TRUNC, zero-length datagrams */
	S(SYS_sendto, 1, PAT, 50, 0, 0, 0);
	S(SYS_sendto, 1, PAT, 50, 0, 0, 0);
	RECVFROM(0, 10, 0);
	RECVFROM(0, 10, MSG_TRUNC);
	S(SYS_sendto, 1, PAT, 0, 0, 0, 0);
	RECVFROM(0, 10, 0);
	RECVFROM(0, 10, MSG_DONTWAIT);				/* EAGAIN */
	/* MSG_PEEK leaves it */
	S(SYS_sendto, 1, PAT + 3, 20, 0, 0, 0);
	RECVFROM(0, 100, MSG_PEEK);
	RECVFROM(0, 100, 0);
	/* unconnect with AF_UNSPEC: what connect chose goes */
	SAP(3)->sin_family = AF_UNSPEC;
	S(SYS_connect, 1, SA(3), 16);
	GETPEER(1);						/* ENOTCONN */
	GETNAME(1);
	/* connect to 0.0.0.0 is to this host */
	setsin(ctx, 4, 0, PORT_A);
	S(SYS_connect, 1, SA(4), 16);
	GETPEER(1);
	GETNAME(1);
	S(SYS_shutdown, 1, SHUT_WR);
	S(SYS_sendto, 1, PAT, 1, 0, 0, 0);			/* EPIPE */
}

/* poll's one pollfd at AUX */
static size_t
N_PFD(struct ctx *c, long ret, unsigned char *out)
{
	(void)ret;
	memcpy(out, c->buf + PD_AUXOFF, sizeof(struct pollfd));
	return sizeof(struct pollfd);
}

#define POLL1(fd, ev) do {						\
	struct pollfd _p = { (fd), (ev), 0 };				\
	memcpy(AUXP(struct pollfd), &_p, sizeof(_p));			\
	SN(N_PFD, SYS_poll, AUX, 1, 0);					\
} while (0)

static void
scen_udp_refused(struct ctx *ctx)
{
	host_netns(ctx);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 0 */
	setsin(ctx, 0, LOOP, PORT_C);				/* nobody */
	S(SYS_connect, 0, SA(0), 16);
	POLL1(0, POLLIN | POLLOUT);
	S(SYS_sendto, 0, PAT, 4, 0, 0, 0);
	POLL1(0, POLLIN | POLLOUT);				/* POLLERR */
	RECVFROM(0, 10, MSG_DONTWAIT);				/* ECONNREFUSED */
	RECVFROM(0, 10, MSG_DONTWAIT);				/* EAGAIN */
	S(SYS_sendto, 0, PAT, 4, 0, 0, 0);
	S(SYS_sendto, 0, PAT, 4, 0, 0, 0);			/* ECONNREFUSED */
	S(SYS_sendto, 0, PAT, 4, 0, 0, 0);
	*AUXP(int) = 0;
	*SALENP(5) = 4;
	SN(N_AUX, SYS_getsockopt, 0, SOL_SOCKET, SO_ERROR, AUX, SALEN(5));
	SN(N_AUX, SYS_getsockopt, 0, SOL_SOCKET, SO_ERROR, AUX, SALEN(5));
	/* unconnected: the same datagram learns nothing */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 1 */
	S(SYS_sendto, 1, PAT, 4, 0, SA(0), 16);
	RECVFROM(1, 10, MSG_DONTWAIT);				/* EAGAIN */
	POLL1(1, POLLIN | POLLOUT);
	/* readiness: data makes POLLIN */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 2 */
	setsin(ctx, 1, LOOP, PORT_A);
	S(SYS_bind, 2, SA(1), 16);
	POLL1(2, POLLIN);
	S(SYS_sendto, 1, PAT, 4, 0, SA(1), 16);
	POLL1(2, POLLIN);
	RECVFROM(2, 10, 0);
	POLL1(2, POLLIN);
}

static void
scen_udp_reuse(struct ctx *ctx)
{
	int one = 1;

	host_netns(ctx);
	memcpy(ctx->buf + PD_AUXOFF + 512, &one, 4);
#define ONE	(AUX + 512)
	setsin(ctx, 0, 0, PORT_A);
	setsin(ctx, 1, LOOP, PORT_A);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 0 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 1 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 2 */
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_REUSEADDR, ONE, 4);
	S(SYS_setsockopt, 1, SOL_SOCKET, SO_REUSEADDR, ONE, 4);
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_bind, 1, SA(1), 16);				/* shared */
	S(SYS_bind, 2, SA(1), 16);				/* EADDRINUSE */
	/* a datagram to the port: the newest of equals, the specific first */
	S(SYS_sendto, 2, PAT, 3, 0, SA(1), 16);
	RECVFROM(1, 10, MSG_DONTWAIT);
	RECVFROM(0, 10, MSG_DONTWAIT);				/* EAGAIN */
	S(SYS_close, 0);
	S(SYS_close, 1);
	S(SYS_close, 2);

	setsin(ctx, 0, 0, PORT_B);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 0 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 1 */
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_REUSEPORT, ONE, 4);
	S(SYS_setsockopt, 1, SOL_SOCKET, SO_REUSEPORT, ONE, 4);
	S(SYS_bind, 0, SA(0), 16);
	S(SYS_bind, 1, SA(0), 16);				/* same owner */
	/* another owner: refused; below 1024 without privilege: EACCES */
	pd_become_user(ctx, 1000, 1000);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 2 */
	S(SYS_setsockopt, 2, SOL_SOCKET, SO_REUSEPORT, ONE, 4);
	S(SYS_bind, 2, SA(0), 16);				/* EADDRINUSE */
	setsin(ctx, 2, LOOP, 999);
	S(SYS_bind, 2, SA(2), 16);				/* EACCES */
	setsin(ctx, 2, 0x0a000001, 999);
	S(SYS_bind, 2, SA(2), 16);				/* EADDRNOTAVAIL */
	/* raw sockets need privilege */
	S(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);		/* EPERM */
#undef ONE
}

static void
scen_udp_broadcast(struct ctx *ctx)
{
	int one = 1;

	host_netns(ctx);
	memcpy(ctx->buf + PD_AUXOFF + 512, &one, 4);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 0 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 1 */
	setsin(ctx, 0, 0, PORT_A);
	S(SYS_bind, 1, SA(0), 16);
	setsin(ctx, 1, 0x7fffffff, PORT_A);		/* lo's broadcast */
	S(SYS_sendto, 0, PAT, 6, 0, SA(1), 16);			/* EACCES */
	S(SYS_connect, 0, SA(1), 16);				/* EACCES */
	S(SYS_setsockopt, 0, SOL_SOCKET, SO_BROADCAST, AUX + 512, 4);
	S(SYS_sendto, 0, PAT, 6, 0, SA(1), 16);
	RECVFROM(1, 10, MSG_DONTWAIT);
	S(SYS_connect, 0, SA(1), 16);
	GETPEER(0);
	/* no route to the limited broadcast with only lo */
	setsin(ctx, 2, 0xffffffff, PORT_A);
	S(SYS_sendto, 0, PAT, 6, 0, SA(2), 16);
}

/* getsockopt's int at AUX and its length at SALEN(5) */
#define GETOPT(fd, lvl, name, len) do {					\
	memset(AUXP(int), 0xee, 8);					\
	*SALENP(5) = (len);						\
	SN(N_AUX, SYS_getsockopt, (fd), (lvl), (name), AUX, SALEN(5));	\
	NOTE(SALENP(5), sizeof(socklen_t));				\
} while (0)
#define SETOPT(fd, lvl, name, val, len) do {				\
	int _v = (val);							\
	memcpy(ctx->buf + PD_AUXOFF + 512, &_v, 4);			\
	S(SYS_setsockopt, (fd), (lvl), (name), AUX + 512, (len));	\
} while (0)

/* recvmsg with a 64-byte control buffer: the data, flags and cmsgs */
static size_t
N_MSG(struct ctx *c, long ret, unsigned char *out)
{
	struct msghdr mh;

	memcpy(&mh, c->buf + PD_AUXOFF + 1024, sizeof(mh));
	memcpy(out, &ret, 4);
	memcpy(out + 4, &mh.msg_flags, 4);
	memcpy(out + 8, &mh.msg_controllen, 4);
	memcpy(out + 12, c->buf + 2048, MIN(mh.msg_controllen, 64));
	return 12 + 64;
}

static void
recvmsg_prep(struct ctx *ctx)
{
	struct msghdr mh;
	struct iovec *iov = (struct iovec *)(void *)(ctx->buf + PD_AUXOFF +
	    1024 + sizeof(mh));

	iov->iov_base = ctx->buf;
	iov->iov_len = 100;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctx->buf + 2048;
	mh.msg_controllen = 64;
	memcpy(ctx->buf + PD_AUXOFF + 1024, &mh, sizeof(mh));
}

#define RECVMSG(fd, flags) do {						\
	recvmsg_prep(ctx);						\
	SN(N_MSG, SYS_recvmsg, (fd), AUX + 1024, (flags));		\
} while (0)

static void
scen_udp_options(struct ctx *ctx)
{
	host_netns(ctx);
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 0 */
	S(SYS_socket, AF_INET, SOCK_DGRAM, 0);			/* 1 */
	GETOPT(0, IPPROTO_IP, IP_TTL, 4);
	GETOPT(0, IPPROTO_IP, IP_TTL, 1);
	SETOPT(0, IPPROTO_IP, IP_TTL, 0, 4);			/* EINVAL */
	SETOPT(0, IPPROTO_IP, IP_TTL, 256, 4);			/* EINVAL */
	SETOPT(0, IPPROTO_IP, IP_TTL, 10, 4);
	GETOPT(0, IPPROTO_IP, IP_TTL, 4);
	SETOPT(0, IPPROTO_IP, IP_TTL, -1, 4);
	GETOPT(0, IPPROTO_IP, IP_TTL, 4);
	SETOPT(0, IPPROTO_IP, IP_TTL, 17, 1);			/* one byte */
	GETOPT(0, IPPROTO_IP, IP_TTL, 4);
	SETOPT(0, IPPROTO_IP, IP_TOS, 0x28, 4);
	GETOPT(0, IPPROTO_IP, IP_TOS, 4);
	GETOPT(0, IPPROTO_IP, IP_MTU_DISCOVER, 4);
	SETOPT(0, IPPROTO_IP, IP_MTU_DISCOVER, 9, 4);		/* EINVAL */
	SETOPT(0, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO, 4);
	GETOPT(0, IPPROTO_IP, IP_MTU_DISCOVER, 4);
	GETOPT(0, IPPROTO_IP, IP_MTU, 4);			/* ENOTCONN */
	SETOPT(0, IPPROTO_IP, IP_HDRINCL, 1, 4);		/* ENOPROTOOPT */
	GETOPT(0, IPPROTO_IP, IP_HDRINCL, 4);
	GETOPT(0, IPPROTO_IP, 12345, 4);			/* ENOPROTOOPT */
	GETOPT(0, IPPROTO_IP, IP_RECVTTL, 4);

	/* TTL and TOS of what arrives, as ancillary data */
	setsin(ctx, 0, LOOP, PORT_A);
	S(SYS_bind, 1, SA(0), 16);
	SETOPT(1, IPPROTO_IP, IP_RECVTTL, 1, 4);
	SETOPT(1, IPPROTO_IP, IP_RECVTOS, 1, 4);
	S(SYS_sendto, 0, PAT, 12, 0, SA(0), 16);
	RECVMSG(1, 0);
	SETOPT(1, IPPROTO_IP, IP_RECVTOS, 0, 4);
	S(SYS_sendto, 0, PAT, 12, 0, SA(0), 16);
	RECVMSG(1, MSG_TRUNC);
	/* a truncated datagram says so in msg_flags */
	S(SYS_sendto, 0, PAT, 200, 0, SA(0), 16);
	RECVMSG(1, 0);
	S(SYS_connect, 0, SA(0), 16);
	GETOPT(0, IPPROTO_IP, IP_MTU, 4);
}

/* An ICMP echo request of 24 bytes at PAT-like data in AUX + 256. */
static void
mkecho(struct ctx *ctx, uint16_t id, uint16_t seq)
{
	uint8_t *p = ctx->buf + PD_AUXOFF + 256;
	uint32_t sum = 0;

	memset(p, 0, 24);
	p[0] = ICMP_ECHO;
	memcpy(p + 4, &(uint16_t){ htons(id) }, 2);
	memcpy(p + 6, &(uint16_t){ htons(seq) }, 2);
	for (int i = 8; i < 24; i++)
		p[i] = (uint8_t)(i * 3);
	for (int i = 0; i < 24; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[2] = (uint8_t)(~sum >> 8);
	p[3] = (uint8_t)~sum;
}

/*
 * A datagram from a raw socket: the IP header without its ID and
 * checksum (the ID is each kernel's own), then the ICMP message.
 */
static size_t
N_RAWIP(struct ctx *c, long ret, unsigned char *out)
{
	size_t n = ret > 0 ? MIN((size_t)ret, (size_t)PD_OUTMAX) : 0;

	memcpy(out, c->buf, n);
	if (n >= 20) {
		memset(out + 4, 0, 2);		/* id */
		memset(out + 10, 0, 2);		/* checksum */
	}
	return n;
}

/* A ping socket's reply: the ICMP message without identifier and sum. */
static size_t
N_PING(struct ctx *c, long ret, unsigned char *out)
{
	size_t n = ret > 0 ? MIN((size_t)ret, (size_t)PD_OUTMAX) : 0;

	memcpy(out, c->buf, n);
	if (n >= 8) {
		memset(out + 2, 0, 4);		/* checksum, identifier */
	}
	return n;
}

/*
 * A ping socket's echo as a raw socket sees it: IP header and ICMP
 * message, without what each kernel picks (IP id and checksum, the
 * identifier, which is the ping socket's port, and the ICMP checksum).
 */
static size_t
N_RAWPING(struct ctx *c, long ret, unsigned char *out)
{
	size_t n = N_RAWIP(c, ret, out);

	if (n >= 26)
		memset(out + 22, 0, 4);		/* ICMP checksum, identifier */
	return n;
}

static void
scen_icmp_echo(struct ctx *ctx)
{
	host_netns(ctx);
	S(SYS_socket, AF_INET, SOCK_RAW, 0);			/* EPROTONOSUPPORT */
	S(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);		/* 0 */
	setsin(ctx, 0, LOOP, 0);
	mkecho(ctx, 0x4242, 1);
	S(SYS_sendto, 0, AUX + 256, 24, 0, SA(0), 16);
	/* the request itself (it arrives here too), then the reply */
	*SALENP(7) = 16;
	SN(N_RAWIP, SYS_recvfrom, 0, BUF, 200, MSG_DONTWAIT, SA(7), SALEN(7));
	NOTE(SAP(7), 8);
	SN(N_RAWIP, SYS_recvfrom, 0, BUF, 200, MSG_DONTWAIT, SA(7), SALEN(7));
	SN(N_RAWIP, SYS_recvfrom, 0, BUF, 200, MSG_DONTWAIT, SA(7), SALEN(7));
	GETOPT(0, IPPROTO_IP, IP_HDRINCL, 4);

	/* a ping socket: the kernel sets the identifier and checksum */
	S(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);	/* 1 */
	mkecho(ctx, 0, 2);
	S(SYS_sendto, 1, AUX + 256, 24, 0, SA(0), 16);
	*SALENP(7) = 16;
	SN(N_PING, SYS_recvfrom, 1, BUF, 200, MSG_DONTWAIT, SA(7), SALEN(7));
	NOTE(SAP(7), 8);
	/* only echo requests may be sent */
	mkecho(ctx, 0, 3);
	ctx->buf[PD_AUXOFF + 256] = ICMP_ECHOREPLY;
	S(SYS_sendto, 1, AUX + 256, 24, 0, SA(0), 16);		/* EINVAL */
	S(SYS_sendto, 1, AUX + 256, 4, 0, SA(0), 16);		/* EINVAL */
	/* the raw socket saw the ping socket's exchange */
	SN(N_RAWPING, SYS_recvfrom, 0, BUF, 200, MSG_DONTWAIT, 0, 0);
}

DIFF(udp_basic)
DIFF(udp_refused)
DIFF(udp_reuse)
DIFF(udp_broadcast)
DIFF(udp_options)
DIFF(icmp_echo)

/*
 * Until the socket layer is in the kernel, there is nothing to compare:
 * a kernel without socket(2) skips these.
 */
static bool
kernel_has_sockets(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);
	long r;
	bool ok;

	if (k == NULL)
		return false;
	rump_kernel_enter(k);
	r = sys_rump(SYS_socket, AF_INET, SOCK_DGRAM, 0, 0, 0, 0);
	ok = r >= 0 || errno != ENOSYS;
	if (r >= 0)
		sys_rump(SYS_close, r, 0, 0, 0, 0, 0);
	rump_kernel_leave();
	rump_kernel_halt(k);
	return ok;
}

#define GUARDED(name) static void					\
g_##name(void)								\
{									\
	if (!kernel_has_sockets())					\
		SKIP("this kernel has no socket(2) yet");		\
	diff_##name();							\
}
GUARDED(udp_basic)
GUARDED(udp_refused)
GUARDED(udp_reuse)
GUARDED(udp_broadcast)
GUARDED(udp_options)
GUARDED(icmp_echo)

static void
totals(void)
{
	printf("# %d calls compared\n", pd_total_calls);
}

TESTS(
	T(g_udp_basic),
	T(g_udp_refused),
	T(g_udp_reuse),
	T(g_udp_broadcast),
	T(g_udp_options),
	T(g_icmp_echo),
	T(totals),
)

/*
 * What the IPv4 differential scenarios (t_posix_tcp, t_posix_udp) share on
 * top of posix_diff.h: the host side's own network namespace, sockaddr_in
 * areas in AUX and their setter, an address normalized so that ephemeral
 * ports compare as "in range", getsockname/getpeername steps.
 */
#ifndef POSIX_DIFF_INET_H
#define POSIX_DIFF_INET_H

#include "posix_diff.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define LOOP	0x7f000001u

/*
 * The host side's own network namespace with lo up: its ports are shared
 * with nothing else on the machine.  The kernel side uses its lo0.
 */
static inline void
pd_netns(struct ctx *ctx)
{
	struct ifreq ifr;
	int s;

	if (ctx->kernel)
		return;
	if (unshare(CLONE_NEWNET) != 0)
		_exit(3);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	if (s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		_exit(3);
	close(s);
}

/* sockaddr_in areas in AUX (the length word after each) */
#define SA(i)		(AUX + 128 + (i) * 32)
#define SAP(i)		((struct sockaddr_in *)(void *)(ctx->buf + PD_AUXOFF + \
			    128 + (i) * 32))
#define SALEN(i)	(SA(i) + 16)
#define SALENP(i)	((socklen_t *)(void *)(ctx->buf + PD_AUXOFF + 128 + \
			    (i) * 32 + 16))
/* the same area as the normalizers see it */
#define PD_SA(c, i)	((c)->buf + PD_AUXOFF + 128 + (i) * 32)

static inline void
setsin(struct ctx *ctx, int i, uint32_t addr, uint16_t port)
{
	struct sockaddr_in *s = SAP(i);

	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(addr);
	s->sin_port = htons(port);
	*SALENP(i) = sizeof(*s);
}

/* The address at p; an ephemeral port (32768-60999) becomes 1. */
static inline struct sockaddr_in
pd_sin(const unsigned char *p)
{
	struct sockaddr_in s;
	uint16_t port;

	memcpy(&s, p, sizeof(s));
	port = ntohs(s.sin_port);
	if (port >= 32768 && port <= 60999)
		s.sin_port = 1;			/* "ephemeral" */
	return s;
}

/* An address in BUF (getsockname), an ephemeral port as "in range". */
static inline size_t
N_SIN(struct ctx *c, long ret, unsigned char *out)
{
	struct sockaddr_in s = pd_sin(c->buf);

	(void)ret;
	memset(s.sin_zero, 0, sizeof(s.sin_zero));
	memcpy(out, &s, sizeof(s));
	return sizeof(s);
}

#define GETNAME(fd)	do {						\
	*SALENP(6) = 16;						\
	SN(N_SIN, SYS_getsockname, (fd), BUF, SALEN(6));		\
} while (0)
#define GETPEER(fd)	do {						\
	*SALENP(6) = 16;						\
	SN(N_SIN, SYS_getpeername, (fd), BUF, SALEN(6));		\
} while (0)

#endif

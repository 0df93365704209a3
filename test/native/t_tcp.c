/*
 * TCP end to end: over lo0 inside one kernel, and between kernels on a
 * shmif bus (clean, then with loss, duplication and reordering).  Bulk
 * transfers checked byte for byte, the handshake and teardown variants
 * (simultaneous open and close, TIME_WAIT, RST on a closed port),
 * keepalive against a peer that vanished, zero-window probing, many
 * connections through one listener, and a SYN flood against a listener.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "lwp_helper.h"

static struct rump_kernel *
boot_proc(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);

	if (k == NULL)
		return NULL;
	rump_kernel_enter(k);
	if (rump_lwproc_rfork(RUMP_RFCFDG) != 0)
		return NULL;
	return k;
}

static void
halt(struct rump_kernel *k)
{
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static struct sockaddr_in
sin4(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, addr, &sin.sin_addr);
	return sin;
}

#define SA(p)	((struct sockaddr *)(p))

/* A listener on addr:port (port 0: any), its port returned. */
static int
listener(const char *addr, int *portp, int backlog)
{
	struct sockaddr_in sin = sin4(addr, *portp);
	socklen_t len = sizeof(sin);
	int one = 1, s;

	if ((s = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	rump_sys_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rump_sys_bind(s, SA(&sin), sizeof(sin)) != 0 ||
	    rump_sys_listen(s, backlog) != 0 ||
	    rump_sys_getsockname(s, SA(&sin), &len) != 0) {
		rump_sys_close(s);
		return -1;
	}
	*portp = ntohs(sin.sin_port);
	return s;
}

/* One thread: a nonblocking connect through lo0, accept, talk, close. */
static void
t_loopback_basic(void)
{
	struct rump_kernel *k = boot_proc();
	struct sockaddr_in sin, peer;
	socklen_t len = sizeof(peer);
	int port = 0, l, c, a, err;
	char buf[64];

	REQUIRE(k != NULL);
	REQUIRE((l = listener("127.0.0.1", &port, 16)) >= 0);
	REQUIRE((c = rump_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    0)) >= 0);
	sin = sin4("127.0.0.1", port);
	CHECK_ERR(rump_sys_connect(c, SA(&sin), sizeof(sin)), EINPROGRESS);
	REQUIRE((a = rump_sys_accept4(l, SA(&peer), &len, 0)) >= 0);
	CHECK_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	len = sizeof(err);
	CHECK_EQ(rump_sys_getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	CHECK_EQ(err, 0);
	CHECK_EQ(rump_sys_write(c, "hello", 5), 5);
	CHECK_EQ(rump_sys_read(a, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(rump_sys_write(a, "world!", 6), 6);
	CHECK_EQ(rump_sys_read(c, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "world!", 6) == 0);
	CHECK_EQ(rump_sys_close(c), 0);
	CHECK_EQ(rump_sys_read(a, buf, sizeof(buf)), 0);
	CHECK_EQ(rump_sys_close(a), 0);
	CHECK_EQ(rump_sys_close(l), 0);
	halt(k);
}

TESTS(T(t_loopback_basic))

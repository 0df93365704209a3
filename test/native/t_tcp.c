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
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

/* White-box: the kernel's TCP counters and connection states. */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "net/netstate.h"
#include "netinet/in_var.h"
#include "netinet/tcp_var.h"
#include <rump/rump_net.h>
#include "net_util.h"

static struct rump_kernel *
boot(unsigned maxfiles)
{
	struct rump_config cfg = { .memlimit = 1ull << 30,
	    .maxfiles = maxfiles, .maxfiles_hard = maxfiles };
	struct rump_kernel *k = rump_kernel_boot(&cfg);

	if (k != NULL)
		rump_kernel_enter(k);
	return k;
}

static void
halt(struct rump_kernel *k)
{
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static struct tcpstat
tcpstat(struct rump_kernel *k)
{
	struct netstate *ns = net_peek(k);
	struct tcpstat st = { 0 };

	if (ns == NULL)
		return st;
	net_lock(ns);
	st = ns->ns_inet->is_tcpstat;
	net_unlock(ns);
	return st;
}

/* How many connections of the kernel are in state (TCPS_*). */
static unsigned
tcp_in_state(struct rump_kernel *k, int state)
{
	struct netstate *ns = net_peek(k);
	struct tcpcb *tp;
	unsigned n = 0;

	if (ns == NULL)
		return 0;
	net_lock(ns);
	LIST_FOREACH(tp, &ns->ns_inet->is_tcp->ts_all, t_all)
		n += tp->t_state == state;
	net_unlock(ns);
	return n;
}

static void
set_msl(struct rump_kernel *k, int64_t msl)
{
	struct netstate *ns = net_peek(k);

	net_lock(ns);
	ns->ns_inet->is_tcp->ts_msl = msl;
	net_unlock(ns);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait (up to secs seconds) for cond; no timing is asserted. */
#define WAIT_FOR(cond, secs) do {					\
	for (int _i = 0; _i < (secs) * 100 && !(cond); _i++)		\
		sleep_ms(10);						\
} while (0)

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

static int
tcp_connect(const char *addr, int port)
{
	struct sockaddr_in sin = sin4(addr, port);
	int s;

	if ((s = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (rump_sys_connect(s, SA(&sin), sizeof(sin)) != 0) {
		int e = errno;

		rump_sys_close(s);
		errno = e;
		return -1;
	}
	return s;
}

static int
tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (rump_sys_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return -1;
	return ti.tcpi_state;
}

/* ------------------------------------------------------------ transfers */

/* The byte at offset i of every test stream. */
static inline uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 11) + (i >> 19));
}

struct xfer {
	struct rump_kernel *k;
	int fd;
	uint64_t total;		/* writer: bytes to send */
	uint64_t moved;		/* bytes written or read */
	uint64_t badat;		/* first wrong byte + 1, 0 = none */
	int error;
};

static void *
writer(void *arg)
{
	struct xfer *x = arg;
	static __thread uint8_t buf[256 * 1024];
	uint32_t r = 1;

	rump_kernel_enter(x->k);
	while (x->moved < x->total) {
		/* varying sizes: segment boundaries fall everywhere */
		size_t n = 1 + (r = r * 1103515245u + 12345u) % sizeof(buf);
		ssize_t w;

		if (n > x->total - x->moved)
			n = (size_t)(x->total - x->moved);
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(x->moved + i);
		if ((w = rump_sys_write(x->fd, buf, n)) <= 0) {
			x->error = errno;
			break;
		}
		x->moved += (uint64_t)w;
	}
	if (rump_sys_shutdown(x->fd, SHUT_WR) != 0 && x->error == 0)
		x->error = errno;
	rump_kernel_leave();
	return NULL;
}

static void *
reader(void *arg)
{
	struct xfer *x = arg;
	static __thread uint8_t buf[200 * 1024 + 7];

	rump_kernel_enter(x->k);
	for (;;) {
		ssize_t n = rump_sys_read(x->fd, buf, sizeof(buf));

		if (n < 0) {
			x->error = errno;
			break;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n && x->badat == 0; i++)
			if (buf[i] != pattern(x->moved + (uint64_t)i))
				x->badat = x->moved + (uint64_t)i + 1;
		x->moved += (uint64_t)n;
	}
	rump_kernel_leave();
	return NULL;
}

/*
 * total bytes from a client in kc to a server in ks listening on srv:
 * both ends in threads of their own, every byte checked.
 */
static void
bulk(struct rump_kernel *ks, struct rump_kernel *kc, const char *srv,
    uint64_t total)
{
	struct xfer w = { .k = kc, .total = total }, r = { .k = ks };
	pthread_t tw, tr;
	int port = 0, l;

	rump_kernel_enter(ks);
	REQUIRE((l = listener(srv, &port, 4)) >= 0);
	rump_kernel_enter(kc);
	REQUIRE((w.fd = tcp_connect(srv, port)) >= 0);
	rump_kernel_enter(ks);
	REQUIRE((r.fd = rump_sys_accept(l, NULL, NULL)) >= 0);
	pthread_create(&tr, NULL, reader, &r);
	pthread_create(&tw, NULL, writer, &w);
	pthread_join(tw, NULL);
	pthread_join(tr, NULL);
	CHECK_EQ(w.error, 0);
	CHECK_EQ(r.error, 0);
	CHECK_EQ(w.moved, total);
	CHECK_EQ(r.moved, total);
	CHECK_EQ(r.badat, 0);
	rump_kernel_enter(kc);
	CHECK_EQ(rump_sys_close(w.fd), 0);
	rump_kernel_enter(ks);
	CHECK_EQ(rump_sys_close(r.fd), 0);
	CHECK_EQ(rump_sys_close(l), 0);
}

/* ------------------------------------------------------------ shmif */

static char busname[64];

/* Two kernels on a fresh bus: 10.93.0.1 and 10.93.0.2. */
static bool
two_kernels(struct rump_kernel **ka, struct rump_kernel **kb)
{
	struct rump_ifcfg a = { .kind = RUMP_IF_SHMIF, .bus = busname,
	    .address = "10.93.0.1/24" }, b = a;
	static int n;

	snprintf(busname, sizeof(busname), "rumpkit-t_tcp-%d-%d",
	    (int)getpid(), n++);
	b.address = "10.93.0.2/24";
	if ((*ka = boot(0)) == NULL || (*kb = boot(0)) == NULL)
		return false;
	return rump_net_attach(*ka, &a, NULL, 0) == 0 &&
	    rump_net_attach(*kb, &b, NULL, 0) == 0;
}

static void
two_halt(struct rump_kernel *ka, struct rump_kernel *kb)
{
	char path[128];

	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(ka), 0);
	CHECK_EQ(rump_kernel_halt(kb), 0);
	snprintf(path, sizeof(path), "/dev/shm/%s", busname);
	unlink(path);
}

static void
impair(struct rump_kernel *k, uint32_t loss, uint32_t dup, uint32_t reorder,
    uint32_t delay_us)
{
	struct rump_impair imp = { .loss_ppm = loss, .dup_ppm = dup,
	    .reorder_ppm = reorder, .delay_us = delay_us, .seed = 42 };

	CHECK_EQ(rump_net_impair(k, "shmif0", &imp), 0);
}

/* One thread: a nonblocking connect through lo0, accept, talk, close. */
static void
t_loopback_basic(void)
{
	struct rump_kernel *k = boot(0);
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

/* 100 MiB through lo0, writer and reader in threads of their own. */
static void
t_loopback_bulk(void)
{
	struct rump_kernel *k = boot(0);
	struct tcpstat st;

	REQUIRE(k != NULL);
	bulk(k, k, "127.0.0.1", 100ull << 20);
	st = tcpstat(k);
	/* nothing is lost on lo0: no retransmissions at all */
	CHECK_EQ(st.sndrexmitpack, 0);
	CHECK(st.sndbyte >= 100ull << 20);
	halt(k);
}

/* A port nobody listens on answers with RST: ECONNREFUSED. */
static void
t_refused(void)
{
	struct rump_kernel *k = boot(0);
	struct sockaddr_in sin = sin4("127.0.0.1", 9);
	struct pollfd pfd;
	socklen_t len;
	int s, err;

	REQUIRE(k != NULL);
	CHECK_ERR(tcp_connect("127.0.0.1", 9), ECONNREFUSED);
	REQUIRE((s = rump_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    0)) >= 0);
	CHECK_ERR(rump_sys_connect(s, SA(&sin), sizeof(sin)), EINPROGRESS);
	pfd = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
	CHECK_EQ(rump_sys_poll(&pfd, 1, 5000), 1);
	CHECK((pfd.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP));
	len = sizeof(err);
	CHECK_EQ(rump_sys_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	CHECK_EQ(err, ECONNREFUSED);
	/* the error is reported once */
	CHECK_EQ(rump_sys_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	CHECK_EQ(err, 0);
	CHECK_EQ(rump_sys_close(s), 0);
	CHECK(tcpstat(k).outrsts >= 2);
	halt(k);
}

/*
 * The active closer keeps the connection in TIME_WAIT: its port cannot
 * be bound without SO_REUSEADDR; with a short MSL the state ends; a
 * kernel halted with TIME_WAITs frees them.
 */
static void
t_time_wait(void)
{
	struct rump_kernel *k = boot(0);
	struct sockaddr_in me, sin;
	socklen_t len = sizeof(me);
	int port = 0, l, c, a, s, one = 1;
	char buf[8];

	REQUIRE(k != NULL);
	REQUIRE((l = listener("127.0.0.1", &port, 4)) >= 0);
	REQUIRE((c = tcp_connect("127.0.0.1", port)) >= 0);
	REQUIRE((a = rump_sys_accept(l, NULL, NULL)) >= 0);
	CHECK_EQ(rump_sys_getsockname(c, SA(&me), &len), 0);
	CHECK_EQ(rump_sys_close(c), 0);		/* active close */
	CHECK_EQ(rump_sys_read(a, buf, sizeof(buf)), 0);
	CHECK_EQ(tcp_state(a), TCP_CLOSE_WAIT);
	CHECK_EQ(rump_sys_close(a), 0);
	CHECK_EQ(tcp_in_state(k, TCPS_TIME_WAIT), 1);
	CHECK_EQ(tcp_in_state(k, TCPS_LAST_ACK), 0);

	/* its port: taken, SO_REUSEADDR or not (the closed socket had none) */
	sin = sin4("127.0.0.1", ntohs(me.sin_port));
	REQUIRE((s = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK_ERR(rump_sys_bind(s, SA(&sin), sizeof(sin)), EADDRINUSE);
	CHECK_EQ(rump_sys_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)), 0);
	CHECK_ERR(rump_sys_bind(s, SA(&sin), sizeof(sin)), EADDRINUSE);
	CHECK_EQ(rump_sys_close(s), 0);
	/* with SO_REUSEADDR on both, the port can be taken over */
	REQUIRE((c = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK_EQ(rump_sys_setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)), 0);
	sin = sin4("127.0.0.1", port);
	CHECK_EQ(rump_sys_connect(c, SA(&sin), sizeof(sin)), 0);
	REQUIRE((a = rump_sys_accept(l, NULL, NULL)) >= 0);
	len = sizeof(me);
	CHECK_EQ(rump_sys_getsockname(c, SA(&me), &len), 0);
	CHECK_EQ(rump_sys_close(c), 0);
	CHECK_EQ(rump_sys_read(a, buf, sizeof(buf)), 0);
	CHECK_EQ(rump_sys_close(a), 0);
	CHECK_EQ(tcp_in_state(k, TCPS_TIME_WAIT), 2);
	sin = sin4("127.0.0.1", ntohs(me.sin_port));
	REQUIRE((s = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK_EQ(rump_sys_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)), 0);
	CHECK_EQ(rump_sys_bind(s, SA(&sin), sizeof(sin)), 0);
	CHECK_EQ(rump_sys_close(s), 0);

	/* 2 * MSL later it is gone */
	set_msl(k, 50 * 1000000LL);
	REQUIRE((c = tcp_connect("127.0.0.1", port)) >= 0);
	REQUIRE((a = rump_sys_accept(l, NULL, NULL)) >= 0);
	CHECK_EQ(rump_sys_close(c), 0);
	CHECK_EQ(rump_sys_close(a), 0);
	CHECK_EQ(tcp_in_state(k, TCPS_TIME_WAIT), 3);
	WAIT_FOR(tcp_in_state(k, TCPS_TIME_WAIT) == 2, 10);
	/* the first two (2 * 15 s) stay, the new one (2 * 50 ms) goes */
	CHECK_EQ(tcp_in_state(k, TCPS_TIME_WAIT), 2);
	CHECK_EQ(rump_sys_close(l), 0);
	halt(k);	/* with a TIME_WAIT left: freed, no leak */
}

/* The reader stops: the window shuts, the sender probes, then resumes. */
static void
t_zero_window(void)
{
	struct rump_kernel *k = boot(0);
	struct xfer r = { .k = k };
	uint8_t buf[64 * 1024];
	uint64_t sent = 0, total;
	pthread_t tr;
	int port = 0, l, c, fl;

	REQUIRE(k != NULL);
	REQUIRE((l = listener("127.0.0.1", &port, 4)) >= 0);
	REQUIRE((c = tcp_connect("127.0.0.1", port)) >= 0);
	REQUIRE((r.fd = rump_sys_accept(l, NULL, NULL)) >= 0);
	fl = rump_sys_fcntl(c, F_GETFL, 0);
	CHECK_EQ(rump_sys_fcntl(c, F_SETFL, fl | O_NONBLOCK), 0);
	for (;;) {
		ssize_t n;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = pattern(sent + i);
		if ((n = rump_sys_write(c, buf, sizeof(buf))) < 0)
			break;
		sent += (uint64_t)n;
	}
	CHECK_EQ(errno, EAGAIN);
	CHECK(sent > 0);
	/* the sender probes the shut window (persist timer) */
	WAIT_FOR(tcpstat(k).persisttimeo >= 2, 30);
	CHECK(tcpstat(k).persisttimeo >= 2);
	CHECK(tcpstat(k).sndprobe >= 2);
	CHECK_EQ(tcpstat(k).sndrexmitpack, 0);
	/* the reader comes back; the rest follows */
	pthread_create(&tr, NULL, reader, &r);
	CHECK_EQ(rump_sys_fcntl(c, F_SETFL, fl), 0);
	total = sent + (8 << 20);
	while (sent < total) {
		size_t n = (size_t)MIN(sizeof(buf), total - sent);

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		REQUIRE(rump_sys_write(c, buf, n) == (ssize_t)n);
		sent += n;
	}
	CHECK_EQ(rump_sys_shutdown(c, SHUT_WR), 0);
	pthread_join(tr, NULL);
	CHECK_EQ(r.error, 0);
	CHECK_EQ(r.moved, total);
	CHECK_EQ(r.badat, 0);
	CHECK_EQ(rump_sys_close(c), 0);
	CHECK_EQ(rump_sys_close(r.fd), 0);
	CHECK_EQ(rump_sys_close(l), 0);
	halt(k);
}

/* ------------------------------------------------------------ many */

#define NCONN	1000

struct server {
	struct rump_kernel *k;
	int l;
	int served;		/* connections whose message was echoed */
	int error;
};

/* epoll-driven: accept everything, echo each connection's message. */
static void *
echo_server(void *arg)
{
	struct server *sv = arg;
	struct epoll_event ev, evs[64];
	int ep, open = 0, accepted = 0;

	rump_kernel_enter(sv->k);
	ep = rump_sys_epoll_create1(0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = sv->l };
	rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, sv->l, &ev);
	while (sv->served < NCONN || open > 0) {
		int n = rump_sys_epoll_wait(ep, evs, 64, 20000);

		if (n <= 0) {
			sv->error = n == 0 ? ETIMEDOUT : errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			char buf[64];
			ssize_t r;

			if (fd == sv->l) {
				int a;

				while ((a = rump_sys_accept4(sv->l, NULL, NULL,
				    SOCK_NONBLOCK)) >= 0) {
					ev = (struct epoll_event){
					    .events = EPOLLIN | EPOLLRDHUP,
					    .data.fd = a };
					rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD,
					    a, &ev);
					open++;
					accepted++;
				}
				continue;
			}
			r = rump_sys_read(fd, buf, sizeof(buf));
			if (r > 0) {
				if (rump_sys_write(fd, buf, (size_t)r) != r)
					sv->error = errno;
				sv->served++;
			} else if (r == 0 || (errno != EAGAIN)) {
				rump_sys_close(fd);
				open--;
			}
		}
	}
	rump_sys_close(ep);
	rump_kernel_leave();
	(void)accepted;
	return NULL;
}

static void
t_many_connections(void)
{
	struct rump_kernel *k = boot(4 * NCONN);
	struct server sv;
	static int c[NCONN];
	pthread_t t;
	int port = 0;

	REQUIRE(k != NULL);
	sv = (struct server){ .k = k };
	REQUIRE((sv.l = listener("127.0.0.1", &port, 128)) >= 0);
	CHECK_EQ(rump_sys_fcntl(sv.l, F_SETFL, O_NONBLOCK), 0);
	pthread_create(&t, NULL, echo_server, &sv);
	/* all of them open at once */
	for (int i = 0; i < NCONN; i++) {
		c[i] = tcp_connect("127.0.0.1", port);
		if (c[i] < 0) {
			CHECK(c[i] >= 0);
			break;
		}
	}
	for (int i = 0; i < NCONN && c[i] >= 0; i++) {
		char msg[16], got[16];
		int n = snprintf(msg, sizeof(msg), "m%d", i);

		CHECK_EQ(rump_sys_write(c[i], msg, (size_t)n), n);
		CHECK_EQ(rump_sys_read(c[i], got, sizeof(got)), n);
		CHECK(memcmp(got, msg, (size_t)n) == 0);
	}
	for (int i = 0; i < NCONN && c[i] >= 0; i++)
		rump_sys_close(c[i]);
	pthread_join(t, NULL);
	CHECK_EQ(sv.error, 0);
	CHECK_EQ(sv.served, NCONN);
	CHECK_EQ(rump_sys_close(sv.l), 0);
	halt(k);
}

/* ------------------------------------------------------------ two kernels */

static void
t_shmif_bulk(void)
{
	struct rump_kernel *ka, *kb;

	REQUIRE(two_kernels(&ka, &kb));
	bulk(ka, kb, "10.93.0.1", 100ull << 20);
	CHECK(tcpstat(kb).sndbyte >= 100ull << 20);
	/*
	 * shmif carries super-segments (IFCAP_TSO): far fewer segments
	 * than 1448-byte ones would take (72,000)
	 */
	CHECK(tcpstat(kb).sndpack < (100ull << 20) / 1448 / 4);
	two_halt(ka, kb);
}

/* 2% loss, 1% duplication, 1% reordering: intact, and recovered by SACK. */
static void
t_shmif_impaired(void)
{
	struct rump_kernel *ka, *kb;
	struct tcpstat st;

	REQUIRE(two_kernels(&ka, &kb));
	impair(ka, 20000, 10000, 10000, 0);
	bulk(ka, kb, "10.93.0.1", 100ull << 20);
	st = tcpstat(kb);
	printf("# sender: %llu retransmitted segments, %llu fast "
	    "retransmits, %llu by SACK, %llu timeouts\n",
	    (unsigned long long)st.sndrexmitpack,
	    (unsigned long long)st.fastrexmit,
	    (unsigned long long)st.sackrexmit,
	    (unsigned long long)st.rexmttimeo);
	CHECK(st.sndrexmitpack > 0);
	CHECK(st.fastrexmit > 0);
	CHECK(st.sackrexmit > 0);
	st = tcpstat(ka);
	CHECK(st.rcvoopack > 0);	/* the receiver reassembled */
	CHECK(st.rcvduppack > 0);	/* and threw duplicates away */
	two_halt(ka, kb);
}

/* Both sides connect to each other at once, no listener anywhere. */
static void
t_simultaneous_open(void)
{
	struct rump_kernel *ka, *kb;
	struct sockaddr_in a = sin4("10.93.0.1", 5001), b = sin4("10.93.0.2", 5002);
	struct pollfd pfd;
	int sa, sb, err;
	socklen_t len = sizeof(err);
	char buf[8];

	REQUIRE(two_kernels(&ka, &kb));
	/* resolve ARP first, then make the SYNs cross on a slow bus */
	rump_kernel_enter(kb);
	CHECK_ERR(tcp_connect("10.93.0.1", 5001), ECONNREFUSED);
	impair(ka, 0, 0, 0, 100 * 1000);
	rump_kernel_enter(ka);
	REQUIRE((sa = rump_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    0)) >= 0);
	CHECK_EQ(rump_sys_bind(sa, SA(&a), sizeof(a)), 0);
	rump_kernel_enter(kb);
	REQUIRE((sb = rump_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    0)) >= 0);
	CHECK_EQ(rump_sys_bind(sb, SA(&b), sizeof(b)), 0);
	rump_kernel_enter(ka);
	CHECK_ERR(rump_sys_connect(sa, SA(&b), sizeof(b)), EINPROGRESS);
	rump_kernel_enter(kb);
	CHECK_ERR(rump_sys_connect(sb, SA(&a), sizeof(a)), EINPROGRESS);
	pfd = (struct pollfd){ .fd = sb, .events = POLLOUT };
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);
	CHECK_EQ(rump_sys_getsockopt(sb, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	CHECK_EQ(err, 0);
	CHECK_EQ(tcp_state(sb), TCP_ESTABLISHED);
	rump_kernel_enter(ka);
	pfd = (struct pollfd){ .fd = sa, .events = POLLOUT };
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);
	CHECK_EQ(rump_sys_getsockopt(sa, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	CHECK_EQ(err, 0);
	CHECK_EQ(tcp_state(sa), TCP_ESTABLISHED);
	CHECK_EQ(rump_sys_write(sa, "ab", 2), 2);
	rump_kernel_enter(kb);
	pfd = (struct pollfd){ .fd = sb, .events = POLLIN };
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);
	CHECK_EQ(rump_sys_read(sb, buf, sizeof(buf)), 2);
	CHECK_EQ(rump_sys_close(sb), 0);
	rump_kernel_enter(ka);
	CHECK_EQ(rump_sys_close(sa), 0);
	two_halt(ka, kb);
}

/* Both sides close at once: both pass CLOSING and end in TIME_WAIT. */
static void
t_simultaneous_close(void)
{
	struct rump_kernel *ka, *kb;
	struct pollfd pfd;
	int port = 0, l, ca, cb;
	char buf[8];

	REQUIRE(two_kernels(&ka, &kb));
	rump_kernel_enter(ka);
	REQUIRE((l = listener("10.93.0.1", &port, 4)) >= 0);
	rump_kernel_enter(kb);
	REQUIRE((cb = tcp_connect("10.93.0.1", port)) >= 0);
	rump_kernel_enter(ka);
	REQUIRE((ca = rump_sys_accept(l, NULL, NULL)) >= 0);
	impair(ka, 0, 0, 0, 100 * 1000);
	CHECK_EQ(rump_sys_shutdown(ca, SHUT_WR), 0);
	rump_kernel_enter(kb);
	CHECK_EQ(rump_sys_shutdown(cb, SHUT_WR), 0);
	CHECK_EQ(tcp_state(cb), TCP_FIN_WAIT1);
	pfd = (struct pollfd){ .fd = cb, .events = POLLIN };
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);
	CHECK_EQ(rump_sys_read(cb, buf, sizeof(buf)), 0);
	rump_kernel_enter(ka);
	pfd = (struct pollfd){ .fd = ca, .events = POLLIN };
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);
	CHECK_EQ(rump_sys_read(ca, buf, sizeof(buf)), 0);
	/* each side's FIN crossed the other's: both wait out 2 MSL */
	WAIT_FOR(tcp_in_state(ka, TCPS_TIME_WAIT) == 1 &&
	    tcp_in_state(kb, TCPS_TIME_WAIT) == 1, 10);
	CHECK_EQ(tcp_in_state(ka, TCPS_TIME_WAIT), 1);
	CHECK_EQ(tcp_in_state(kb, TCPS_TIME_WAIT), 1);
	CHECK_EQ(rump_sys_close(ca), 0);
	CHECK_EQ(rump_sys_close(l), 0);
	rump_kernel_enter(kb);
	CHECK_EQ(rump_sys_close(cb), 0);
	two_halt(ka, kb);
}

/* The peer vanishes (the bus drops everything): keepalive gives up. */
static void
t_keepalive(void)
{
	struct rump_kernel *ka, *kb;
	int port = 0, l, c, a, one = 1, v;
	char buf[8];

	REQUIRE(two_kernels(&ka, &kb));
	rump_kernel_enter(ka);
	REQUIRE((l = listener("10.93.0.1", &port, 4)) >= 0);
	rump_kernel_enter(kb);
	REQUIRE((c = tcp_connect("10.93.0.1", port)) >= 0);
	CHECK_EQ(rump_sys_setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one,
	    sizeof(one)), 0);
	v = 1;
	CHECK_EQ(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v,
	    sizeof(v)), 0);
	CHECK_EQ(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPINTVL, &v,
	    sizeof(v)), 0);
	v = 3;
	CHECK_EQ(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &v,
	    sizeof(v)), 0);
	rump_kernel_enter(ka);
	REQUIRE((a = rump_sys_accept(l, NULL, NULL)) >= 0);
	/* while the peer answers, probes keep the connection */
	sleep_ms(2500);
	rump_kernel_enter(kb);
	CHECK_EQ(tcp_state(c), TCP_ESTABLISHED);
	CHECK(tcpstat(kb).keepprobe >= 1);
	CHECK_EQ(tcpstat(kb).keepdrops, 0);
	/* then it vanishes */
	impair(kb, 1000000, 0, 0, 0);
	CHECK_ERR(rump_sys_read(c, buf, sizeof(buf)), ETIMEDOUT);
	CHECK_EQ(tcpstat(kb).keepdrops, 1);
	CHECK_EQ(rump_sys_close(c), 0);
	rump_kernel_enter(ka);
	CHECK_EQ(rump_sys_close(a), 0);
	CHECK_EQ(rump_sys_close(l), 0);
	two_halt(ka, kb);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* An Ethernet frame carrying a SYN from a host that will never answer. */
static size_t
syn_frame(uint8_t *f, const uint8_t dmac[6], uint32_t src, uint16_t sport,
    uint32_t dst, uint16_t dport, uint32_t seq)
{
	uint8_t *ip = f + 14, *th = ip + 20;

	memset(f, 0, 54);
	memcpy(f, dmac, 6);
	f[6] = 0x02;			/* a made-up, local source MAC */
	f[8] = 0xde;
	f[9] = 0xad;
	f[10] = (uint8_t)(src >> 8);
	f[11] = (uint8_t)src;
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 40);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, nu_cksum(ip, 20, 0));
	put16(th, sport);
	put16(th + 2, dport);
	put32(th + 4, seq);
	th[12] = 5 << 4;
	th[13] = TH_SYN;
	put16(th + 14, 65535);
	put16(th + 16, nu_cksum(th, 20,
	    nu_pseudo(src, dst, IPPROTO_TCP, 20)));
	return 54;
}

/* Many SYNs never completed: bounded state, and the listener serves. */
static void
t_syn_flood(void)
{
	struct rump_kernel *ka, *kb;
	struct rump_ifinfo ifs[4], *ifa = NULL;
	unsigned n;
	uint64_t mem0, mem1;
	int port = 0, l, c, a;
	char buf[8];

	REQUIRE(two_kernels(&ka, &kb));
	CHECK_EQ(rump_net_ifconfig(ka, ifs, 4, &n), 0);
	for (unsigned i = 0; i < n && i < 4; i++)
		if (strcmp(ifs[i].name, "shmif0") == 0)
			ifa = &ifs[i];
	REQUIRE(ifa != NULL);
	rump_kernel_enter(ka);
	REQUIRE((l = listener("10.93.0.1", &port, 64)) >= 0);
	mem0 = atomic_load(&ka->k_memused);
	for (uint32_t i = 0; i < 20000; i++) {
		uint8_t f[64];
		size_t len = syn_frame(f, ifa->mac, 0x0a5d0064 + i % 100,
		    (uint16_t)(1024 + i), 0x0a5d0001, (uint16_t)port,
		    i * 2654435761u);

		if (rump_net_output_frame(kb, "shmif0", f, len) != 0)
			sleep_ms(1);	/* the ring is full: let A catch up */
	}
	WAIT_FOR(tcpstat(ka).synflooddrop > 0 &&
	    tcpstat(ka).rcvtotal >= 19000, 20);
	mem1 = atomic_load(&ka->k_memused);
	printf("# %llu SYNs taken, %llu dropped for room, %u half-open, "
	    "%llu KiB more memory\n",
	    (unsigned long long)tcpstat(ka).accepts,
	    (unsigned long long)tcpstat(ka).synflooddrop,
	    tcp_in_state(ka, TCPS_SYN_RECEIVED),
	    (unsigned long long)((mem1 - mem0) >> 10));
	CHECK(tcpstat(ka).synflooddrop > 0);
	CHECK(tcp_in_state(ka, TCPS_SYN_RECEIVED) <= 65);
	CHECK(mem1 - mem0 < (16u << 20));
	/* a real client still gets through */
	rump_kernel_enter(kb);
	REQUIRE((c = tcp_connect("10.93.0.1", port)) >= 0);
	rump_kernel_enter(ka);
	REQUIRE((a = rump_sys_accept(l, NULL, NULL)) >= 0);
	CHECK_EQ(rump_sys_write(a, "ok", 2), 2);
	rump_kernel_enter(kb);
	CHECK_EQ(rump_sys_read(c, buf, sizeof(buf)), 2);
	CHECK_EQ(rump_sys_close(c), 0);
	rump_kernel_enter(ka);
	CHECK_EQ(rump_sys_close(a), 0);
	CHECK_EQ(rump_sys_close(l), 0);
	two_halt(ka, kb);
}

/* A shmif transfer captured, and tshark's verdict on the capture. */
static void
t_capture_tshark(void)
{
	struct rump_kernel *ka, *kb;
	char pcap[128], cmd[512];
	FILE *p;
	int bad = 0, pkts = 0;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		SKIP("tshark is not installed");
	REQUIRE(two_kernels(&ka, &kb));
	snprintf(pcap, sizeof(pcap), "/tmp/rumpkit-t_tcp-%d.pcap",
	    (int)getpid());
	CHECK_EQ(rump_net_capture(ka, "shmif0", pcap), 0);
	impair(ka, 20000, 10000, 10000, 0);
	bulk(ka, kb, "10.93.0.1", 4ull << 20);
	CHECK_EQ(rump_net_capture(ka, "shmif0", NULL), 0);
	two_halt(ka, kb);
	/* every frame, then the ones tshark finds fault with */
	snprintf(cmd, sizeof(cmd), "tshark -r %s 2>&1 | wc -l", pcap);
	REQUIRE((p = popen(cmd, "r")) != NULL);
	if (fscanf(p, "%d", &pkts) != 1)
		pkts = 0;
	pclose(p);
	snprintf(cmd, sizeof(cmd), "tshark -r %s -o tcp.check_checksum:TRUE "
	    "-o ip.check_checksum:TRUE -Y '_ws.malformed || "
	    "_ws.expert.severity == error || tcp.checksum.status == 2 || "
	    "ip.checksum.status == 2' 2>/dev/null", pcap);
	REQUIRE((p = popen(cmd, "r")) != NULL);
	while (fgets(cmd, sizeof(cmd), p) != NULL)
		if (bad++ < 5)
			printf("# tshark: %s", cmd);
	CHECK_EQ(pclose(p), 0);		/* the filter was understood */
	CHECK(pkts > 100);
	CHECK_EQ(bad, 0);
	if (getenv("T_TCP_KEEP_PCAP") == NULL)
		unlink(pcap);
}

TESTS(T(t_loopback_basic), T(t_loopback_bulk), T(t_refused), T(t_time_wait),
    T(t_zero_window), T(t_many_connections), T(t_shmif_bulk),
    T(t_shmif_impaired), T(t_simultaneous_open), T(t_simultaneous_close),
    T(t_keepalive), T(t_syn_flood), T(t_capture_tshark))

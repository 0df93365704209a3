/*
 * Sockets across threads and processes of one kernel: blocking accept,
 * connect and recv woken by another thread, SO_RCVTIMEO running out, a
 * 64 MiB stream checked byte for byte, descriptors passed between
 * processes, thousands of socketpairs left open at halt (and descriptors
 * in flight in a cycle), epoll edge triggering on a socket.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "lwp_helper.h"

#define MIN(a, b)	((a) < (b) ? (a) : (b))

static void
halt(struct rump_kernel *k)
{
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static socklen_t
mkaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path) + 1);
}

/* The basics in one thread: a pair, a named listener, a datagram. */
static void
basics(void)
{
	struct rump_kernel *k = boot_proc();
	struct sockaddr_un sun, got;
	socklen_t len;
	int sv[2], l, c, a;
	char buf[64];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(rump_sys_write(sv[0], "hello", 5), 5);
	CHECK_EQ(rump_sys_read(sv[1], buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(rump_sys_close(sv[0]), 0);
	CHECK_EQ(rump_sys_read(sv[1], buf, sizeof(buf)), 0);
	CHECK_ERR(rump_sys_write(sv[1], "x", 1), EPIPE);
	CHECK_EQ(rump_sys_close(sv[1]), 0);

	REQUIRE((l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	len = mkaddr(&sun, "/sock");
	CHECK_EQ(rump_sys_bind(l, (struct sockaddr *)&sun, len), 0);
	CHECK_EQ(rump_sys_listen(l, 4), 0);
	REQUIRE((c = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK_EQ(rump_sys_connect(c, (struct sockaddr *)&sun, len), 0);
	len = sizeof(got);
	REQUIRE((a = rump_sys_accept(l, (struct sockaddr *)&got, &len)) >= 0);
	CHECK_EQ(len, 2);
	CHECK_EQ(rump_sys_sendto(c, "ab", 2, 0, NULL, 0), 2);
	CHECK_EQ(rump_sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL), 2);
	len = sizeof(got);
	CHECK_EQ(rump_sys_getpeername(c, (struct sockaddr *)&got, &len), 0);
	CHECK_EQ(len, offsetof(struct sockaddr_un, sun_path) + 6);
	CHECK(strcmp(got.sun_path, "/sock") == 0);
	CHECK_EQ(rump_sys_socket(AF_INET6, SOCK_STREAM, 0), -1);
	CHECK_EQ(errno, EAFNOSUPPORT);
	halt(k);
}

struct side {
	struct lwp	*l;
	int		fd;
	long		result;
	int		err;
	struct sockaddr_un sun;
	socklen_t	len;
};

static void *
delayed_connect(void *arg)
{
	struct side *s = arg;
	int c;

	rump_lwproc_switch(s->l);
	usleep(20000);
	c = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0);
	s->result = rump_sys_connect(c, (struct sockaddr *)&s->sun, s->len);
	if (s->result == 0)
		s->result = rump_sys_write(c, "hi", 2);
	rump_sys_close(c);
	rump_lwproc_releaselwp();
	return NULL;
}

/* accept sleeps until another thread connects; recv gets its data. */
static void
blocking_accept(void)
{
	static struct side s;
	struct rump_kernel *k = boot_proc();
	pthread_t t;
	int l, a;
	char buf[8];

	REQUIRE(k != NULL);
	REQUIRE((l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	s.len = mkaddr(&s.sun, "/l");
	REQUIRE(rump_sys_bind(l, (struct sockaddr *)&s.sun, s.len) == 0);
	REQUIRE(rump_sys_listen(l, 1) == 0);
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_connect, &s);
	a = rump_sys_accept(l, NULL, NULL);		/* sleeps */
	CHECK(a >= 0);
	CHECK_EQ(rump_sys_read(a, buf, sizeof(buf)), 2);
	CHECK_EQ(rump_sys_read(a, buf, sizeof(buf)), 0);	/* closed */
	pthread_join(t, NULL);
	CHECK_EQ(s.result, 2);
	halt(k);
}

static void *
delayed_write(void *arg)
{
	struct side *s = arg;

	s->result = helper_write_later(s->l, s->fd, "wake", 4);
	return NULL;
}

/* A blocked recv and a blocked poll, each woken by a write. */
static void
blocking_recv_poll(void)
{
	static struct side s;
	struct rump_kernel *k = boot_proc();
	struct pollfd pfd;
	pthread_t t;
	int sv[2];
	char buf[8];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	s.fd = sv[1];
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_recvfrom(sv[0], buf, sizeof(buf), 0, NULL, NULL), 4);
	pthread_join(t, NULL);
	CHECK_EQ(s.result, 4);
	pfd.fd = sv[0];
	pfd.events = POLLIN;
	REQUIRE((s.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, delayed_write, &s);
	CHECK_EQ(rump_sys_poll(&pfd, 1, 10000), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	pthread_join(t, NULL);
	halt(k);
}

/* SO_RCVTIMEO runs out with EAGAIN, as Linux; SO_SNDTIMEO for a full pair. */
static void
timeouts(void)
{
	struct rump_kernel *k = boot_proc();
	struct timeval tv = { 0, 30000 };
	static char big[1 << 16];
	int sv[2], n = 0;
	char buf[8];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(rump_sys_setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	CHECK_ERR(rump_sys_read(sv[0], buf, sizeof(buf)), EAGAIN);
	CHECK_EQ(rump_sys_setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)), 0);
	/* fill it: the last write runs out of time, partly or wholly */
	for (;;) {
		long r = rump_sys_write(sv[0], big, sizeof(big));

		if (r < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		if (++n > 1000)
			break;
	}
	CHECK(n < 1000);
	halt(k);
}

struct bulk {
	struct lwp	*l;
	int		fd;
	size_t		total;
	long		result;
};

static unsigned char
pattern(size_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

static void *
bulk_writer(void *arg)
{
	struct bulk *b = arg;
	static unsigned char buf[100003];
	size_t off = 0;

	rump_lwproc_switch(b->l);
	while (off < b->total) {
		size_t n = MIN(sizeof(buf), b->total - off);
		long w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		if ((w = rump_sys_write(b->fd, buf, n)) <= 0)
			break;
		off += (size_t)w;
		/* a short write: the rest goes again */
		if ((size_t)w < n)
			continue;
	}
	b->result = (long)off;
	rump_sys_close(b->fd);
	rump_lwproc_releaselwp();
	return NULL;
}

/* 64 MiB through a socketpair, every byte checked. */
static void
bulk_64m(void)
{
	static struct bulk b;
	static unsigned char buf[65536 + 17];
	struct rump_kernel *k = boot_proc();
	size_t got = 0;
	bool same = true;
	pthread_t t;
	int sv[2];
	long r;

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.total = 64u << 20;
	b.fd = sv[1];
	REQUIRE((b.l = helper_lwp(rump_lwproc_getpid())) != NULL);
	pthread_create(&t, NULL, bulk_writer, &b);
	while ((r = rump_sys_read(sv[0], buf, sizeof(buf))) > 0) {
		for (long i = 0; i < r && same; i++)
			if (buf[i] != pattern(got + (size_t)i))
				same = false;
		got += (size_t)r;
	}
	pthread_join(t, NULL);
	CHECK_EQ(r, 0);
	CHECK_EQ(b.result, (long)b.total);
	CHECK_EQ(got, b.total);
	CHECK(same);
	halt(k);
}

static int
send_fd(int s, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "f", 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return (int)rump_sys_sendmsg(s, &msg, 0);
}

static int
recv_fd(int s)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int fd = -1;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	if (rump_sys_recvmsg(s, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm == NULL || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A pipe's end passed from one process to another of the same kernel. */
static void
pass_between_processes(void)
{
	struct rump_kernel *k = boot_proc();
	struct lwp *parent;
	int sv[2], p[2], fd;
	char buf[8];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	parent = rump_lwproc_curlwp();
	/* the child shares nothing but copies of the descriptors */
	REQUIRE(rump_lwproc_rfork(RUMP_RFFDG) == 0);
	REQUIRE(rump_sys_pipe(p) == 0);
	CHECK_EQ(send_fd(sv[1], p[0]), 1);
	CHECK_EQ(rump_sys_close(p[0]), 0);
	CHECK_EQ(rump_sys_write(p[1], "pipe", 4), 4);
	rump_lwproc_releaselwp();		/* the child exits */
	rump_lwproc_switch(parent);
	fd = recv_fd(sv[0]);
	CHECK(fd >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "pipe", 4) == 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 0);	/* writer gone */
	halt(k);
}

/*
 * Thousands of sockets left open at halt, and sockets that carry their
 * own descriptors (a cycle no close breaks): halt frees all of it.
 */
static void
many_at_halt(void)
{
	struct rump_kernel *k = boot_proc();
	struct rlimit rl = { 8192, 8192 };
	int sv[2];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_setrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (int i = 0; i < 2000; i++) {
		REQUIRE(rump_sys_socketpair(AF_UNIX, i % 3 == 0 ? SOCK_STREAM :
		    i % 3 == 1 ? SOCK_DGRAM : SOCK_SEQPACKET, 0, sv) == 0);
		if (i % 7 == 0)
			CHECK_EQ(rump_sys_write(sv[0], "data", 4), 4);
	}
	for (int i = 0; i < 20; i++) {
		REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CHECK_EQ(send_fd(sv[0], sv[0]), 1);	/* itself, into sv[1] */
		CHECK_EQ(send_fd(sv[1], sv[1]), 1);
		CHECK_EQ(rump_sys_close(sv[0]), 0);
		CHECK_EQ(rump_sys_close(sv[1]), 0);
	}
	halt(k);
}

/* epoll with EPOLLET on a socket: one report per arrival. */
static void
epoll_edge(void)
{
	struct rump_kernel *k = boot_proc();
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 };
	struct epoll_event out[4];
	int sv[2], ep;
	char buf[8];

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv) == 0);
	REQUIRE((ep = rump_sys_epoll_create1(0)) >= 0);
	REQUIRE(rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) == 0);
	CHECK_EQ(rump_sys_epoll_wait(ep, out, 4, 0), 0);
	CHECK_EQ(rump_sys_write(sv[1], "a", 1), 1);
	CHECK_EQ(rump_sys_epoll_wait(ep, out, 4, 0), 1);
	CHECK_EQ(out[0].data.u64, 7);
	CHECK_EQ(rump_sys_epoll_wait(ep, out, 4, 0), 0);	/* edge gone */
	CHECK_EQ(rump_sys_write(sv[1], "b", 1), 1);
	CHECK_EQ(rump_sys_epoll_wait(ep, out, 4, 0), 1);	/* a new edge */
	CHECK_EQ(rump_sys_read(sv[0], buf, sizeof(buf)), 2);
	CHECK_EQ(rump_sys_epoll_wait(ep, out, 4, 0), 0);
	CHECK_EQ(rump_sys_close(sv[1]), 0);			/* hang-up */
	CHECK_EQ(rump_sys_epoll_wait(ep, out, 4, 0), 1);
	CHECK(out[0].events & EPOLLIN);
	halt(k);
}

/* SO_PASSCRED: the receiver gets the sender's pid, uid and gid. */
static void
passcred(void)
{
	struct rump_kernel *k = boot_proc();
	char cbuf[CMSG_SPACE(sizeof(struct ucred))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	struct ucred uc;
	int sv[2], on = 1;

	REQUIRE(k != NULL);
	REQUIRE(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK_EQ(rump_sys_setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)), 0);
	REQUIRE(rump_sys_setgid(77) == 0 && rump_sys_setuid(55) == 0);
	CHECK_EQ(rump_sys_write(sv[0], "c", 1), 1);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	CHECK_EQ(rump_sys_recvmsg(sv[1], &msg, 0), 1);
	REQUIRE((cm = CMSG_FIRSTHDR(&msg)) != NULL);
	CHECK_EQ(cm->cmsg_type, SCM_CREDENTIALS);
	CHECK_EQ(cm->cmsg_len, CMSG_LEN(sizeof(uc)));
	memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
	CHECK_EQ(uc.pid, rump_sys_getpid());
	CHECK_EQ(uc.uid, 55);
	CHECK_EQ(uc.gid, 77);
	halt(k);
}

TESTS(
	T(basics),
	T(passcred),
	T(blocking_accept),
	T(blocking_recv_poll),
	T(timeouts),
	T(bulk_64m),
	T(pass_between_processes),
	T(many_at_halt),
	T(epoll_edge),
)

/*
 * TCP between two kernels in two processes on one shmif bus: 100 MiB
 * each way of a seeded byte stream, checked byte for byte and by a
 * checksum of the whole, on a clean bus and on one that loses 2%,
 * duplicates 1% and reorders 1% of its frames.  The child boots its own
 * kernel on the bus; the parent's kernel connects to it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <rump/rump.h>
#include <rump/rump_net.h>
#include <rump/rump_syscalls.h>

#include "harness.h"

#define TOTAL	(100ull << 20)
#define PORT	7100
#define CHUNK	(64 * 1024)

/* The stream: xorshift64 bytes from a seed, and a running checksum (FNV-1a). */
struct stream {
	uint64_t x;
	uint64_t sum;
};

static void
stream_fill(struct stream *s, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->x ^= s->x << 13;
		s->x ^= s->x >> 7;
		s->x ^= s->x << 17;
		buf[i] = (uint8_t)(s->x >> 24);
		s->sum = (s->sum ^ buf[i]) * 0x100000001b3ull;
	}
}

static struct rump_kernel *
boot_on(const char *bus, const char *addr)
{
	struct rump_config cfg = { .memlimit = 256u << 20 };
	struct rump_ifcfg ic = { .kind = RUMP_IF_SHMIF, .bus = bus, .address = addr };
	struct rump_kernel *k = rump_kernel_boot(&cfg);

	if (k == NULL || rump_net_attach(k, &ic, NULL, 0) != 0 ||
	    rump_kernel_enter(k) != 0)
		return NULL;
	return k;
}

/* Receive exactly TOTAL bytes on fd and check them; 0 when all match. */
static int
sink(int fd, uint64_t seed)
{
	static uint8_t got[CHUNK], want[CHUNK];
	struct stream s = { seed, 0xcbf29ce484222325ull };
	uint64_t n = 0;

	while (n < TOTAL) {
		size_t ask = TOTAL - n < sizeof(got) ? (size_t)(TOTAL - n) : sizeof(got);
		ssize_t r = rump_sys_read(fd, got, ask);

		if (r <= 0)
			return 1;
		stream_fill(&s, want, (size_t)r);
		if (memcmp(got, want, (size_t)r) != 0) {
			size_t at = 0;

			while (got[at] == want[at])
				at++;
			fprintf(stderr, "# pid %d: byte %llu differs (read of %zd, at %zu)\n",
			    (int)getpid(), (unsigned long long)(n + at), r, at);
			return 2;
		}
		n += (uint64_t)r;
	}
	/* the sender's checksum follows the data */
	uint64_t theirs;
	if (rump_sys_read(fd, &theirs, sizeof(theirs)) != sizeof(theirs))
		return 3;
	return theirs == s.sum ? 0 : 4;
}

static int
source(int fd, uint64_t seed)
{
	static uint8_t buf[CHUNK];
	struct stream s = { seed, 0xcbf29ce484222325ull };
	uint64_t n = 0;

	while (n < TOTAL) {
		size_t want = TOTAL - n < sizeof(buf) ? (size_t)(TOTAL - n) : sizeof(buf);

		stream_fill(&s, buf, want);
		for (size_t off = 0; off < want;) {
			ssize_t w = rump_sys_write(fd, buf + off, want - off);

			if (w <= 0)
				return 1;
			off += (size_t)w;
		}
		n += want;
	}
	return rump_sys_write(fd, &s.sum, sizeof(s.sum)) == sizeof(s.sum) ? 0 : 2;
}

/* The child: listen, then sink one stream and source another back. */
static void
child(const char *bus, int ready)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct rump_kernel *k;
	int lfd, fd, rv;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((k = boot_on(bus, "10.94.0.2/24")) == NULL)
		_exit(10);
	lfd = rump_sys_socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || rump_sys_bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    rump_sys_listen(lfd, 1) != 0)
		_exit(11);
	if (write(ready, "x", 1) != 1)
		_exit(12);
	if ((fd = rump_sys_accept(lfd, NULL, NULL)) < 0)
		_exit(13);
	if ((rv = sink(fd, 1)) != 0)
		_exit(20 + rv);
	if ((rv = source(fd, 2)) != 0)
		_exit(30 + rv);
	rump_sys_shutdown(fd, SHUT_WR);
	char c;
	(void)rump_sys_read(fd, &c, 1);		/* the parent's close */
	rump_sys_close(fd);
	rump_sys_close(lfd);
	rump_kernel_leave();
	_exit(rump_kernel_halt(k) == 0 ? 0 : 14);
}

static void
run(const char *name, uint32_t loss, uint32_t dup, uint32_t reorder)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	char bus[64];
	struct rump_kernel *k;
	int p[2], fd, status;
	pid_t pid;
	char c;

	snprintf(bus, sizeof(bus), "rumpkit-t-tcp2p-%s-%d", name, (int)getpid());
	REQUIRE(pipe(p) == 0);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		close(p[0]);
		child(bus, p[1]);
	}
	close(p[1]);
	REQUIRE(read(p[0], &c, 1) == 1);
	close(p[0]);
	REQUIRE((k = boot_on(bus, "10.94.0.1/24")) != NULL);
	{
		/* both members have it mapped: the name can go, whatever happens next */
		char path[128];

		snprintf(path, sizeof(path), "/dev/shm/%s", bus);
		unlink(path);
	}
	if (loss || dup || reorder) {
		struct rump_impair imp = { .loss_ppm = loss, .dup_ppm = dup,
		    .reorder_ppm = reorder, .seed = 42 };

		/* the bus carries them: every member's frames are impaired */
		CHECK_EQ(rump_net_impair(k, "shmif0", &imp), 0);
	}
	inet_pton(AF_INET, "10.94.0.2", &sin.sin_addr);
	REQUIRE((fd = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	/* a child that died leaves no FIN: time out rather than hang */
	struct timeval tv = { .tv_sec = 120 };
	CHECK_EQ(rump_sys_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	CHECK_EQ(rump_sys_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	REQUIRE(rump_sys_connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK_EQ(source(fd, 1), 0);
	if (waitpid(pid, &status, WNOHANG) == pid) {
		/* the child is gone already: its kernel with it */
		printf("# the child exited with %d\n", WEXITSTATUS(status));
		CHECK(0);
		rump_sys_close(fd);
		rump_kernel_leave();
		rump_kernel_halt(k);
		return;
	}
	CHECK_EQ(sink(fd, 2), 0);
	rump_sys_close(fd);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);	/* 2x: receiving, 3x: sending */
	if (loss) {
		struct rump_netstat st[256];
		unsigned n = 0;
		uint64_t rexmit = 0;

		CHECK_EQ(rump_net_stats(k, st, 256, &n), 0);
		for (unsigned i = 0; i < n && i < 256; i++)
			if (strcmp(st[i].proto, "tcp") == 0 &&
			    strcmp(st[i].name, "sndrexmitpack") == 0)
				rexmit = st[i].value;
		printf("# %s: the parent's side retransmitted %llu segments\n",
		    name, (unsigned long long)rexmit);
		CHECK(rexmit > 0);
	}
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
}

static void
t_two_processes(void)
{
	run("clean", 0, 0, 0);
}

static void
t_two_processes_impaired(void)
{
	run("impaired", 20000, 10000, 10000);
}

TESTS(T(t_two_processes), T(t_two_processes_impaired))

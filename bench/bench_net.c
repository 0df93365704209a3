/*
 * The C half of the network benchmarks: TCP bulk throughput and 1-byte
 * round-trip latency, over the host's loopback and over rumpkit's
 * networks, each pair measured in the same run and interleaved.
 * bench/net.ts builds and runs this program and prints the ratios; the
 * program prints one JSON object on stdout and nothing else.
 *
 *   bench_net [-m MiB] [-r round-trips] [-b batches] [-s sides] [-M mtu]
 *
 * sides: a comma list of host, lo0 (one kernel), shmif (two kernels on a
 * bus in this process), shmif2p (two processes), tap (kernel <-> Linux).
 * -M sets the shmif interfaces' MTU (default: Ethernet's 1500).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <rump/rump.h>
#include <rump/rump_net.h>
#include <rump/rump_syscalls.h>

#include "bench.h"

#define CHUNK		(128 * 1024)
#define REMOTE_PORT	7000
#define MAXBATCH	16

/* Children die with the benchmark. */
#include <sys/prctl.h>
static void
prctl_pdeathsig(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * A side: the socket calls of one network, and how a thread joins it.
 * The host's are libc's; a kernel's are rump_sys_* with the thread bound
 * to that kernel.
 */
struct side {
	const char *name;
	struct rump_kernel *srvk, *clik;	/* NULL: the host */
	const char *srvaddr;			/* where the server listens */
	const char *bindaddr;
	int	remote_port;	/* > 0: a child process serves at srvaddr:port */
};

static void
enter(struct rump_kernel *k)
{
	if (k != NULL && rump_kernel_enter(k) != 0)
		die("rump_kernel_enter");
}

#define CALL(k, fn, ...) ((k) != NULL ? rump_sys_##fn(__VA_ARGS__) : fn(__VA_ARGS__))

static int
tcp_listen(struct rump_kernel *k, const char *addr, int *portp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)*portp) };
	socklen_t len = sizeof(sin);
	int one = 1, fd;

	inet_pton(AF_INET, addr, &sin.sin_addr);
	if ((fd = CALL(k, socket, AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	CALL(k, setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (CALL(k, bind, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	if (CALL(k, listen, fd, 16) < 0)
		die("listen");
	if (CALL(k, getsockname, fd, (struct sockaddr *)&sin, &len) < 0)
		die("getsockname");
	*portp = ntohs(sin.sin_port);
	return fd;
}

static int
tcp_connect(struct rump_kernel *k, const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int one = 1, fd;

	inet_pton(AF_INET, addr, &sin.sin_addr);
	if ((fd = CALL(k, socket, AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (CALL(k, connect, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("connect");
	CALL(k, setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

struct server_arg {
	struct rump_kernel *k;
	int lfd;
	int mode;		/* 0: sink bytes; 1: echo 1-byte messages */
	uint64_t bytes;
};

static void *
server_thread(void *arg)
{
	struct server_arg *a = arg;
	static __thread char buf[CHUNK];
	int one = 1, fd;
	ssize_t n;

	enter(a->k);
	if ((fd = CALL(a->k, accept, a->lfd, NULL, NULL)) < 0)
		die("accept");
	CALL(a->k, setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		n = CALL(a->k, read, fd, buf, a->mode == 0 ? sizeof(buf) : 1);
		if (n <= 0)
			break;
		a->bytes += (uint64_t)n;
		if (a->mode == 1 && CALL(a->k, write, fd, buf, 1) != 1)
			die("echo write");
	}
	CALL(a->k, close, fd);
	return NULL;
}

/*
 * A remote side's server (a child process): each connection starts with a
 * mode byte; bulk connections end with the byte count sent back (8 bytes).
 */
static void
remote_serve(struct rump_kernel *k, int lfd)
{
	static char buf[CHUNK];

	for (;;) {
		uint64_t got = 0;
		char mode;
		int one = 1, fd = CALL(k, accept, lfd, NULL, NULL);

		if (fd < 0)
			die("remote accept");
		CALL(k, setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (CALL(k, read, fd, &mode, 1) != 1)
			die("remote mode");
		for (;;) {
			ssize_t n = CALL(k, read, fd, buf, mode == 'b' ? sizeof(buf) : 1);

			if (n <= 0)
				break;
			got += (uint64_t)n;
			if (mode == 'r' && CALL(k, write, fd, buf, 1) != 1)
				die("remote echo");
		}
		if (mode == 'b')
			CALL(k, write, fd, &got, sizeof(got));
		CALL(k, close, fd);
	}
}

/* total bytes (at least) written to fd in CHUNK writes. */
static void
bulk_write(struct rump_kernel *k, int fd, uint64_t total)
{
	static char buf[CHUNK];
	uint64_t sent = 0;

	while (sent < total) {
		ssize_t n = CALL(k, write, fd, buf, sizeof(buf));

		if (n <= 0)
			die("bulk write");
		sent += (uint64_t)n;
	}
}

/* Bytes per second of a bulk transfer of mib MiB. */
static double
run_bulk(const struct side *s, unsigned mib)
{
	struct server_arg a = { .k = s->srvk, .mode = 0 };
	pthread_t t;
	uint64_t total = (uint64_t)mib << 20, t0, t1;
	int port = 0, fd;

	if (s->remote_port > 0) {
		char mode = 'b';
		uint64_t got = 0;

		enter(s->clik);
		fd = tcp_connect(s->clik, s->srvaddr, s->remote_port);
		if (CALL(s->clik, write, fd, &mode, 1) != 1)
			die("mode");
		t0 = now_ns();
		bulk_write(s->clik, fd, total);
		CALL(s->clik, shutdown, fd, SHUT_WR);
		if (CALL(s->clik, read, fd, &got, sizeof(got)) != sizeof(got) ||
		    got != total)
			die("remote bulk count");
		t1 = now_ns();
		CALL(s->clik, close, fd);
		return (double)total * 1e9 / (double)(t1 - t0);
	}
	enter(s->srvk);
	a.lfd = tcp_listen(s->srvk, s->bindaddr, &port);
	pthread_create(&t, NULL, server_thread, &a);
	enter(s->clik);
	fd = tcp_connect(s->clik, s->srvaddr, port);
	t0 = now_ns();
	bulk_write(s->clik, fd, total);
	CALL(s->clik, shutdown, fd, SHUT_WR);
	pthread_join(t, NULL);
	t1 = now_ns();
	CALL(s->clik, close, fd);
	enter(s->srvk);
	CALL(s->srvk, close, a.lfd);
	if (a.bytes != total) {
		fprintf(stderr, "bench_net: %s: %llu of %llu bytes arrived\n",
		    s->name, (unsigned long long)a.bytes,
		    (unsigned long long)total);
		exit(1);
	}
	return (double)total * 1e9 / (double)(t1 - t0);
}

/* Nanoseconds per 1-byte round trip. */
static double
run_rtt(const struct side *s, unsigned trips)
{
	struct server_arg a = { .k = s->srvk, .mode = 1 };
	pthread_t t;
	uint64_t t0, t1;
	char c = 'x';
	int port = 0, fd;

	if (s->remote_port > 0) {
		char mode = 'r';

		enter(s->clik);
		fd = tcp_connect(s->clik, s->srvaddr, s->remote_port);
		if (CALL(s->clik, write, fd, &mode, 1) != 1)
			die("mode");
	} else {
		enter(s->srvk);
		a.lfd = tcp_listen(s->srvk, s->bindaddr, &port);
		pthread_create(&t, NULL, server_thread, &a);
		enter(s->clik);
		fd = tcp_connect(s->clik, s->srvaddr, port);
	}
	/* warm up */
	for (unsigned i = 0; i < trips / 10 + 1; i++) {
		if (CALL(s->clik, write, fd, &c, 1) != 1 ||
		    CALL(s->clik, read, fd, &c, 1) != 1)
			die("rtt warm-up");
	}
	t0 = now_ns();
	for (unsigned i = 0; i < trips; i++) {
		if (CALL(s->clik, write, fd, &c, 1) != 1 ||
		    CALL(s->clik, read, fd, &c, 1) != 1)
			die("rtt");
	}
	t1 = now_ns();
	CALL(s->clik, shutdown, fd, SHUT_WR);
	if (s->remote_port <= 0)
		pthread_join(t, NULL);
	CALL(s->clik, close, fd);
	if (s->remote_port <= 0) {
		enter(s->srvk);
		CALL(s->srvk, close, a.lfd);
	}
	return (double)(t1 - t0) / trips;
}

static unsigned shmif_mtu;	/* -M; 0: the interface's default */

static struct rump_kernel *
shmif_kernel(const char *bus, const char *addr)
{
	struct rump_config cfg = { .memlimit = 1ull << 30 };
	struct rump_ifcfg ic = { .kind = RUMP_IF_SHMIF, .bus = bus, .address = addr,
	    .mtu = shmif_mtu };
	struct rump_kernel *k = rump_kernel_boot(&cfg);
	int error;

	if (k == NULL)
		die("boot");
	if ((error = rump_net_attach(k, &ic, NULL, 0)) != 0) {
		errno = error;
		die("shmif attach");
	}
	return k;
}

/*
 * A child serving on port 7000: setup(a, b), run in the child, gives the
 * kernel to serve in (entered), or NULL for the host's own stack.  The
 * parent returns (the child's pid) once it listens.
 */
static pid_t
serve_child(const char *what, struct rump_kernel *(*setup)(const char *,
    const char *), const char *a, const char *b)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) != 0)
		die("pipe");
	if ((pid = fork()) == 0) {
		struct rump_kernel *k;
		int port, lfd;

		close(p[0]);
		prctl_pdeathsig();
		k = setup(a, b);
		port = REMOTE_PORT;
		lfd = tcp_listen(k, "0.0.0.0", &port);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		remote_serve(k, lfd);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die(what);
	close(p[0]);
	return pid;
}

/* The child's own kernel on bus, at addr. */
static struct rump_kernel *
shmif_setup(const char *bus, const char *addr)
{
	struct rump_kernel *k = shmif_kernel(bus, addr);

	enter(k);
	return k;
}

/* The child in network namespace ns, on the host's TCP. */
static struct rump_kernel *
netns_setup(const char *ns, const char *unused)
{
	char path[128];
	int fd;

	(void)unused;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	if ((fd = open(path, O_RDONLY)) < 0 || setns(fd, CLONE_NEWNET) != 0)
		die("setns");
	return NULL;
}

static bool
want(const char *sides, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = sides; (p = strstr(p, name)) != NULL; p += n)
		if ((p == sides || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	unsigned mib = 256, trips = 20000;
	int batches = 5, opt, nsides = 0;
	const char *sides = "host,lo0";
	struct side sv[8];
	double bulk[8][MAXBATCH], rtt[8][MAXBATCH];
	struct rump_kernel *k0 = NULL, *ka = NULL, *kb = NULL, *kc = NULL, *kt = NULL;
	pid_t kids[2] = { 0, 0 };
	char bus1[64], bus2[64], ns[64], tap[16], cmd[256];

	while ((opt = getopt(argc, argv, "m:r:b:s:M:")) != -1) {
		switch (opt) {
		case 'm': mib = (unsigned)atoi(optarg); break;
		case 'r': trips = (unsigned)atoi(optarg); break;
		case 'b': batches = atoi(optarg); break;
		case 's': sides = optarg; break;
		case 'M': shmif_mtu = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench_net [-m MiB] [-r trips] [-b batches] [-s sides] [-M mtu]\n");
			return 2;
		}
	}
	if (batches < 1 || batches > MAXBATCH)
		batches = 5;
	if (want(sides, "host"))
		sv[nsides++] = (struct side){ "host", NULL, NULL, "127.0.0.1", "127.0.0.1", 0 };
	if (want(sides, "lo0")) {
		struct rump_config cfg = { .memlimit = 1ull << 30 };

		if ((k0 = rump_kernel_boot(&cfg)) == NULL)
			die("boot");
		sv[nsides++] = (struct side){ "lo0", k0, k0, "127.0.0.1", "127.0.0.1", 0 };
	}
	snprintf(bus1, sizeof(bus1), "rumpkit-bench-%d-a", (int)getpid());
	snprintf(bus2, sizeof(bus2), "rumpkit-bench-%d-b", (int)getpid());
	if (want(sides, "shmif")) {
		ka = shmif_kernel(bus1, "10.0.0.1/24");
		kb = shmif_kernel(bus1, "10.0.0.2/24");
		sv[nsides++] = (struct side){ "shmif", kb, ka, "10.0.0.2", "10.0.0.2", 0 };
	}
	if (want(sides, "shmif2p")) {
		kids[0] = serve_child("shmif child", shmif_setup, bus2,
		    "10.0.1.2/24");
		kc = shmif_kernel(bus2, "10.0.1.1/24");
		sv[nsides++] = (struct side){ "shmif2p", NULL, kc, "10.0.1.2", NULL, REMOTE_PORT };
	}
	ns[0] = '\0';
	if (want(sides, "tap")) {
		struct rump_config cfg = { .memlimit = 1ull << 30 };
		struct rump_ifcfg ic = { .kind = RUMP_IF_TAP, .device = tap,
		    .address = "10.0.2.2/24" };

		snprintf(ns, sizeof(ns), "rk-bench-%d", (int)getpid());
		snprintf(tap, sizeof(tap), "rkb%d", (int)getpid() % 100000);
		snprintf(cmd, sizeof(cmd), "ip netns add %s", ns);
		if (system(cmd) != 0)
			die("ip netns add");
		if ((kt = rump_kernel_boot(&cfg)) == NULL ||
		    rump_net_attach(kt, &ic, NULL, 0) != 0)
			die("tap kernel");
		snprintf(cmd, sizeof(cmd), "ip link set %s netns %s && ip netns exec %s "
		    "sh -c 'ip link set lo up && ip addr add 10.0.2.1/24 dev %s && "
		    "ip link set %s up'", tap, ns, ns, tap, tap);
		if (system(cmd) != 0)
			die("tap setup");
		kids[1] = serve_child("netns child", netns_setup, ns, NULL);
		sv[nsides++] = (struct side){ "tap", NULL, kt, "10.0.2.1", NULL, REMOTE_PORT };
	}
	for (int b = 0; b < batches; b++) {
		for (int i = 0; i < nsides; i++) {
			bulk[i][b] = run_bulk(&sv[i], mib);
			rtt[i][b] = run_rtt(&sv[i], trips);
		}
	}
	rump_kernel_leave();
	printf("{\"mib\":%u,\"trips\":%u,\"batches\":%d,\"shmif_mtu\":%u,"
	    "\"sides\":{", mib, trips, batches, shmif_mtu != 0 ? shmif_mtu : 1500);
	for (int i = 0; i < nsides; i++)
		printf("%s\"%s\":{\"bulk_Bps\":%.0f,\"rtt_ns\":%.0f}", i ? "," : "",
		    sv[i].name, median(bulk[i], batches), median(rtt[i], batches));
	printf("}}\n");
	for (int i = 0; i < 2; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	struct rump_kernel *all[] = { k0, ka, kb, kc, kt };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] != NULL && rump_kernel_halt(all[i]) != 0)
			fprintf(stderr, "bench_net: a kernel leaked\n");
	if (ns[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "ip netns del %s", ns);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_net: could not remove %s\n", ns);
	}
	snprintf(cmd, sizeof(cmd), "rm -f /dev/shm/%s /dev/shm/%s", bus1, bus2);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_net: could not remove the buses\n");
	return 0;
}

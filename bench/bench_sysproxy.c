/*
 * The C half of the sysproxy benchmark: a remote getpid and a remote 4 KiB
 * pread64 from a client process (librumpclient) to a server in this
 * process, against a raw unix-socket ping-pong between the same two
 * processes with frames of the same sizes, batches interleaved.
 * bench/sysproxy.ts builds and runs this program and prints the ratios;
 * it prints one JSON object on stdout and nothing else.
 *
 *   bench_sysproxy [-r round-trips] [-b batches]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rump_sysproxy.h>

#include "bench.h"

int rumpclient_init(void);
int rumpclient_syscall(long nr, const long *args, long *retval);

#define MAXBATCH	16
#define REQ_BYTES	64		/* a CALL frame of getpid and of pread64 */
#define GETPID_REPLY	32		/* header and two result words */
#define PREAD_REPLY	(32 + 4 + 4096)	/* and the counted 4 KiB */

enum { K_GETPID, K_PING_GETPID, K_PREAD, K_PING_PREAD, NKIND };
static const char *const kind_name[NKIND] = { "getpid", "ping_getpid", "pread", "ping_pread" };

struct cmd {
	int	kind;
	unsigned n;
};

static void
full(int fd, void *p, size_t n, int send_it)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = send_it ? send(fd, c, n, MSG_NOSIGNAL) : recv(fd, c, n, 0);

		if (r <= 0)
			die(send_it ? "send" : "recv");
		c += r;
		n -= (size_t)r;
	}
}

/* The ping-pong's far end, in the server process: answer each request. */
static void *
echo_main(void *arg)
{
	int fd = *(int *)arg;
	char req[REQ_BYTES], rep[PREAD_REPLY];

	memset(rep, 'r', sizeof(rep));
	for (;;) {
		uint32_t want;

		if (recv(fd, req, sizeof(req), MSG_WAITALL) != sizeof(req))
			return NULL;
		memcpy(&want, req, sizeof(want));
		full(fd, rep, want, 1);
	}
}

/* The client process: run commands, answer nanoseconds per operation. */
static void
client_main(int cmdfd, int pingfd)
{
	char req[REQ_BYTES], rep[PREAD_REPLY], buf[4096];
	struct cmd c;
	long args[6] = { 0 }, rv[2];
	int fd;

	if (read(cmdfd, &c, sizeof(c)) != sizeof(c) || rumpclient_init() != 0)
		die("client start");
	args[0] = (long)"/tmp/f";
	args[1] = O_RDONLY;
	if (rumpclient_syscall(SYS_open, args, rv) != 0)
		die("remote open");
	fd = (int)rv[0];
	memset(req, 'q', sizeof(req));
	while (read(cmdfd, &c, sizeof(c)) == sizeof(c)) {
		uint64_t t0 = now_ns(), dt;
		uint32_t want = c.kind == K_PING_GETPID ? GETPID_REPLY : PREAD_REPLY;

		memcpy(req, &want, sizeof(want));
		for (unsigned i = 0; i < c.n; i++) {
			switch (c.kind) {
			case K_GETPID:
				if (rumpclient_syscall(SYS_getpid, args, rv) != 0)
					die("remote getpid");
				break;
			case K_PREAD: {
				long a[6] = { fd, (long)buf, 4096, 0 };

				if (rumpclient_syscall(SYS_pread64, a, rv) != 0 || rv[0] != 4096)
					die("remote pread64");
				break;
			}
			default:
				full(pingfd, req, sizeof(req), 1);
				full(pingfd, rep, want, 0);
				break;
			}
		}
		dt = (now_ns() - t0) / c.n;
		if (write(cmdfd, &dt, sizeof(dt)) != sizeof(dt))
			die("report");
	}
	_exit(0);
}

int
main(int argc, char **argv)
{
	unsigned trips = 20000;
	int batches = 5, opt, cmd[2], ping[2];
	uint64_t res[NKIND][MAXBATCH];
	char dir[] = "/tmp/bench_sysproxy.XXXXXX", url[96];
	static char page[4096];
	struct rump_sysproxy *sp;
	struct rump_kernel *k;
	pthread_t echo;
	pid_t pid;
	int fd;

	while ((opt = getopt(argc, argv, "r:b:")) != -1) {
		if (opt == 'r')
			trips = (unsigned)atoi(optarg);
		else if (opt == 'b')
			batches = atoi(optarg);
		else
			return 2;
	}
	if (batches < 1 || batches > MAXBATCH || trips < 1)
		return 2;
	/* the client forks before the kernel's threads exist */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, cmd) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, ping) != 0 || mkdtemp(dir) == NULL)
		die("setup");
	snprintf(url, sizeof(url), "unix://%s/sock", dir);
	setenv("RUMP_SERVER", url, 1);
	if ((pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(cmd[0]);
		close(ping[0]);
		client_main(cmd[1], ping[1]);
	}
	close(cmd[1]);
	close(ping[1]);
	if ((k = rump_kernel_boot(NULL)) == NULL || rump_kernel_enter(k) != 0)
		die("boot");
	memset(page, 'p', sizeof(page));
	if ((fd = rump_sys_open("/tmp/f", O_CREAT | O_RDWR, 0644)) < 0 ||
	    rump_sys_write(fd, page, sizeof(page)) != sizeof(page))
		die("file");
	rump_sys_close(fd);
	if ((errno = rump_sysproxy_start(k, url, RUMP_SP_KEEPROOT, &sp)) != 0)
		die("rump_sysproxy_start");
	pthread_create(&echo, NULL, echo_main, &ping[0]);
	struct cmd go = { -1, 0 };

	if (write(cmd[0], &go, sizeof(go)) != sizeof(go))
		die("go");
	/* a warm-up of each kind, then the batches, kinds interleaved */
	for (int b = -1; b < batches; b++) {
		for (int kd = 0; kd < NKIND; kd++) {
			struct cmd c = { kd, b < 0 ? trips / 10 + 1 : trips };
			uint64_t dt;

			if (write(cmd[0], &c, sizeof(c)) != sizeof(c) ||
			    read(cmd[0], &dt, sizeof(dt)) != sizeof(dt))
				die("batch");
			if (b >= 0)
				res[kd][b] = dt;
		}
	}
	close(cmd[0]);
	waitpid(pid, NULL, 0);
	shutdown(ping[0], SHUT_RDWR);
	pthread_join(echo, NULL);
	close(ping[0]);
	rump_sysproxy_stop(sp);
	rump_kernel_leave();
	if (rump_kernel_halt(k) != 0)
		die("halt");
	rmdir(dir);
	printf("{\"trips\":%u,\"batches\":%d", trips, batches);
	for (int kd = 0; kd < NKIND; kd++) {
		printf(",\"%s_ns\":%llu", kind_name[kd], (unsigned long long)
		    quantile_u64(res[kd], (size_t)batches, 0.5));
	}
	printf("}\n");
	return 0;
}

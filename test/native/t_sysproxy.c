/*
 * The sysproxy server in this process, its clients host processes running
 * sp_client (librumpclient alone): files, sockets, threads, fork, exec,
 * credentials, interruption, malformed frames, many clients, and a stop
 * with clients connected; each checked from the kernel's side afterwards,
 * and every kernel halted with all its memory back.
 */
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rump_sysproxy.h>

#include "harness.h"
#include "sysproxy/sp_proto.h"
#include "sysproxy/sp_server.h"

static char dir[64];
static char url[128];
static struct rump_kernel *k;
static struct rump_sysproxy *sp;
static unsigned base_procs;

static unsigned
nprocs(void)
{
	struct rump_kernel_stats st;

	rump_kernel_stats(k, &st);
	return st.nprocs;
}

/* A kernel and a server on a unix socket in a fresh directory. */
static int
up(int flags)
{
	strcpy(dir, "/tmp/t_sysproxy.XXXXXX");
	if (mkdtemp(dir) == NULL || (k = rump_kernel_boot(NULL)) == NULL ||
	    rump_kernel_enter(k) != 0)
		return -1;
	base_procs = nprocs();
	snprintf(url, sizeof(url), "unix://%s/sock", dir);
	return rump_sysproxy_start(k, url, flags, &sp) == 0 ? 0 : -1;
}

static void
wait_clients(unsigned long n)
{
	struct rump_sysproxy_stats st;

	for (int i = 0; i < 2000; i++) {
		rump_sysproxy_stats(sp, &st);
		if (st.clients == n)
			return;
		usleep(5000);
	}
}

static void
down(void)
{
	CHECK_EQ(rump_sysproxy_stop(sp), 0);
	sp = NULL;
	CHECK_EQ(nprocs(), base_procs);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmdir(dir);
}

static const char *
client_path(void)
{
	static char path[4096];
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return "sp_client";
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/sp_client", dirname(self));
	return path;
}

struct run {
	pid_t	pid;
	int	out;		/* its stdout */
	int	in;		/* its stdin */
};

/* Start sp_client with args against server u, as uid (or -1: as we are). */
static struct run
start(const char *u, int uid, char *const args[])
{
	int o[2], i[2];
	struct run r = { -1, -1, -1 };
	char *argv[8] = { "sp_client" };

	for (int j = 0; args[j] != NULL && j < 6; j++)
		argv[j + 1] = args[j];
	if (pipe(o) != 0 || pipe(i) != 0)
		return r;
	if ((r.pid = fork()) == 0) {
		dup2(o[1], 1);
		dup2(i[0], 0);
		close(o[0]);
		close(i[1]);
		setenv("RUMP_SERVER", u, 1);
		if (uid >= 0) {
			gid_t g = (gid_t)uid;

			if (setgroups(1, &g) != 0 || setgid(g) != 0 ||
			    setuid((uid_t)uid) != 0)
				_exit(4);
		}
		execv(client_path(), argv);
		_exit(5);
	}
	close(o[1]);
	close(i[0]);
	r.out = o[0];
	r.in = i[1];
	return r;
}

/* Read its stdout to the end (or n bytes), and its exit status. */
static int
finish(struct run r, char *out, size_t n)
{
	size_t got = 0;
	ssize_t m;
	int st;

	while (got + 1 < n && (m = read(r.out, out + got, n - 1 - got)) > 0)
		got += (size_t)m;
	out[got] = '\0';
	close(r.out);
	close(r.in);
	if (waitpid(r.pid, &st, 0) != r.pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
run1(const char *u, int uid, char *out, size_t n, char *const args[])
{
	return finish(start(u, uid, args), out, n);
}

#define RUN(out, ...) run1(url, -1, out, sizeof(out), (char *const[]){ __VA_ARGS__, NULL })

static void
t_unix_mode(void)
{
	struct stat st;
	char path[128];

	REQUIRE(up(0) == 0);
	snprintf(path, sizeof(path), "%s/sock", dir);
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK(strcmp(rump_sysproxy_url(sp), url) == 0);
	/* the name is taken: a second server refuses it */
	struct rump_sysproxy *sp2;

	CHECK_EQ(rump_sysproxy_start(k, url, 0, &sp2), EADDRINUSE);
	down();
	CHECK(stat(path, &st) == -1 && errno == ENOENT);
}

static void
t_files(void)
{
	char out[256];
	struct stat st;
	char buf[16];

	REQUIRE(up(0) == 0);
	CHECK_EQ(RUN(out, "files", "/tmp/spf"), 0);
	CHECK(strcmp(out, "files ok\n") == 0);
	CHECK(rump_sys_stat("/tmp/spf/b", &st) == 0 && st.st_size == 11);
	CHECK_EQ(rump_sys_readlink("/tmp/spf/l", buf, sizeof(buf)), 1);
	down();
}

static void
t_sockets(void)
{
	char out[256];
	struct stat st;

	REQUIRE(up(0) == 0);
	CHECK_EQ(rump_sys_mkdir("/tmp/sps", 0777), 0);
	CHECK_EQ(RUN(out, "sockets", "/tmp/sps"), 0);
	CHECK(strcmp(out, "sockets ok\n") == 0);
	CHECK(rump_sys_stat("/tmp/sps/sock", &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK(rump_sys_stat("/tmp/sps/passed", &st) == 0 && st.st_size == 3);
	down();
}

static void
t_threads(void)
{
	char out[256];
	struct rump_sysproxy_stats st;

	REQUIRE(up(0) == 0);
	CHECK_EQ(RUN(out, "threads"), 0);
	CHECK(strcmp(out, "threads ok\n") == 0);
	wait_clients(0);
	rump_sysproxy_stats(sp, &st);
	CHECK_EQ(st.accepted, 5);	/* the main thread's and four attached */
	down();
}

static void
t_fork(void)
{
	char out[256], buf[64];
	int fd;

	REQUIRE(up(0) == 0);
	CHECK_EQ(RUN(out, "fork", "/tmp/forked"), 0);
	CHECK(strcmp(out, "fork ok\n") == 0);
	wait_clients(0);
	REQUIRE((fd = rump_sys_open("/tmp/forked", O_RDONLY, 0)) >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 19);
	CHECK(memcmp(buf, "parent child parent", 19) == 0);
	rump_sys_close(fd);
	down();
}

static void
t_exec(void)
{
	char out[256], buf[64];
	int fd;

	REQUIRE(up(0) == 0);
	CHECK_EQ(RUN(out, "exec", "/tmp/execd"), 0);
	CHECK(strcmp(out, "exec ok\n") == 0);
	wait_clients(0);
	REQUIRE((fd = rump_sys_open("/tmp/execd", O_RDONLY, 0)) >= 0);
	CHECK_EQ(rump_sys_read(fd, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "kept", 4) == 0);
	rump_sys_close(fd);
	down();
}

static void
t_ids(void)
{
	char out[256], path[128], want[64];

	REQUIRE(up(0) == 0);
	snprintf(want, sizeof(want), "%d %d", (int)getuid(), (int)getgid());
	CHECK_EQ(RUN(out, "ids"), 0);
	CHECK(strncmp(out, want, strlen(want)) == 0);
	if (getuid() == 0) {
		/* uid 1000 may reach the socket only when it is opened up */
		snprintf(path, sizeof(path), "%s/sock", dir);
		CHECK(chmod(dir, 0755) == 0 && chmod(path, 0666) == 0);
		int st = run1(url, 1000, out, sizeof(out),
		    (char *const[]){ "ids", NULL });

		if (st == 5) {
			/* exec failed: uid 1000 cannot reach the build directory */
			down();
			SKIP("uid 1000 cannot run sp_client where it was built");
		}
		CHECK_EQ(st, 0);
		CHECK(strcmp(out, "1000 1000 1000\n") == 0);
	}
	down();
	if (getuid() != 0)
		SKIP("not root: no client of another uid");
}

static void
t_tcp(void)
{
	struct rump_sysproxy *keep;
	char out[256], kurl[128];

	REQUIRE(up(0) == 0);
	rump_sysproxy_stop(sp);
	REQUIRE(rump_sysproxy_start(k, "tcp://:0", 0, &sp) == 0);
	CHECK(strncmp(rump_sysproxy_url(sp), "tcp://127.0.0.1:", 16) == 0);
	snprintf(url, sizeof(url), "%s", rump_sysproxy_url(sp));
	CHECK_EQ(RUN(out, "ids"), 0);
	CHECK(strcmp(out, "65534 65534 65534\n") == 0);
	CHECK_EQ(RUN(out, "files", "/tmp/tcpf"), 0);
	CHECK(strcmp(out, "files ok\n") == 0);
	REQUIRE(rump_sysproxy_start(k, "tcp://127.0.0.1:0", RUMP_SP_KEEPROOT,
	    &keep) == 0);
	snprintf(kurl, sizeof(kurl), "%s", rump_sysproxy_url(keep));
	CHECK_EQ(run1(kurl, -1, out, sizeof(out), (char *const[]){ "ids", NULL }), 0);
	CHECK(strncmp(out, "0 0", 3) == 0);
	CHECK_EQ(rump_sysproxy_stop(keep), 0);
	down();
}

/* ---------------------------------------------------------- raw frames */

static int
raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A NEW handshake with this table checksum: the pid, or -errno. */
static int
raw_hello_sum(int fd, uint64_t sum)
{
	struct {
		struct sp_hdr	h;
		struct sp_hello	hi;
	} req = { { sizeof(req), SP_T_HELLO, 0, 0, 0 },
	    { SP_MAGIC, SP_VERSION, sum, SP_OP_NEW, 0, { 0 } } };
	struct {
		struct sp_hdr	h;
		struct sp_welcome w;
	} rep;

	if (write(fd, &req, sizeof(req)) != sizeof(req) ||
	    recv(fd, &rep, sizeof(rep), MSG_WAITALL) != sizeof(rep))
		return -EIO;
	return rep.w.error == 0 ? rep.w.pid : -rep.w.error;
}

static int
raw_hello(int fd)
{
	return raw_hello_sum(fd, SP_TABLE_SUM);
}

static long
raw_getpid(int fd)
{
	struct {
		struct sp_hdr	h;
		int64_t		a[6];
	} req = { { sizeof(req), SP_T_CALL, 0, SPW_getpid, 0 }, { 0 } };
	struct {
		struct sp_hdr	h;
		int64_t		rv[2];
	} rep;

	if (write(fd, &req, sizeof(req)) != sizeof(req) ||
	    recv(fd, &rep, sizeof(rep), MSG_WAITALL) != sizeof(rep) ||
	    rep.h.arg != 0)
		return -1;
	return (long)rep.rv[0];
}

/* Whether the server closed fd after the bytes sent. */
static int
dropped_after(const void *p, size_t n)
{
	char c;
	int fd = raw_connect();

	if (fd < 0 || raw_hello(fd) < 0 || write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return 0;
	}
	n = (size_t)read(fd, &c, 1);
	close(fd);
	return n == 0;
}

static void
t_malformed(void)
{
	struct rump_sysproxy_stats st;
	struct sp_hdr big = { SP_MAXFRAME + 1, SP_T_CALL, 0, 0, 0 };
	struct sp_hdr small = { 8, SP_T_CALL, 0, 0, 0 };
	struct sp_hdr type = { sizeof(type), 99, 0, 0, 0 };
	struct {
		struct sp_hdr	h;
		int64_t		a[6];
		uint32_t	len;
		char		path[4];
	} open_bad = { { sizeof(open_bad), SP_T_CALL, 0, SPW_open, 0 },
	    { 1, 0, 0 }, 5, "/tmp" };	/* the path's length runs past the frame */
	struct {
		struct sp_hdr	h;
		int64_t		a[6];
	} widx = { { sizeof(widx), SP_T_CALL, 0, SPW_COUNT, 0 }, { 0 } };
	char out[256];
	int good, pid;

	REQUIRE(up(0) == 0);
	REQUIRE((good = raw_connect()) >= 0);
	REQUIRE((pid = raw_hello(good)) > 1);
	CHECK_EQ(raw_getpid(good), pid);
	CHECK(dropped_after(&big, sizeof(big)));
	CHECK(dropped_after(&small, sizeof(small)));
	CHECK(dropped_after(&type, sizeof(type)));
	CHECK(dropped_after(&open_bad, sizeof(open_bad)));
	CHECK(dropped_after(&widx, sizeof(widx)));
	/* a client of another table is refused at the handshake, not dropped */
	int other = raw_connect();

	CHECK_EQ(raw_hello_sum(other, SP_TABLE_SUM ^ 1), -EPROTONOSUPPORT);
	close(other);
	rump_sysproxy_stats(sp, &st);
	CHECK_EQ(st.dropped, 5);
	/* the others go on */
	CHECK_EQ(raw_getpid(good), pid);
	CHECK_EQ(RUN(out, "calls", "10"), 0);
	close(good);
	wait_clients(0);
	down();
}

static void
t_many(void)
{
	struct run r[16];
	struct rump_sysproxy_stats st;
	char out[256];

	REQUIRE(up(0) == 0);
	for (int i = 0; i < 16; i++)
		r[i] = start(url, -1, (char *const[]){ "calls", "200", NULL });
	for (int i = 0; i < 16; i++) {
		CHECK_EQ(finish(r[i], out, sizeof(out)), 0);
		CHECK(strcmp(out, "calls ok\n") == 0);
	}
	wait_clients(0);
	rump_sysproxy_stats(sp, &st);
	CHECK_EQ(st.accepted, 16);
	CHECK(st.calls >= 16 * 205);
	CHECK_EQ(st.dropped, 0);
	down();
}

static void
t_block_drop(void)
{
	char out[256];
	struct run r;
	ssize_t n;

	REQUIRE(up(0) == 0);
	r = start(url, -1, (char *const[]){ "block", NULL });
	n = read(r.out, out, sizeof(out) - 1);
	CHECK(n > 0 && strncmp(out, "blocking", 8) == 0);
	/* the call sleeps in the kernel; its client goes away */
	kill(r.pid, SIGKILL);
	CHECK_EQ(finish(r, out, sizeof(out)), 128 + SIGKILL);
	wait_clients(0);
	CHECK_EQ(nprocs(), base_procs);
	down();
}

static void
t_intr(void)
{
	char out[256];

	REQUIRE(up(0) == 0);
	CHECK_EQ(RUN(out, "intr"), 0);
	CHECK(strcmp(out, "intr ok\n") == 0);
	down();
}

static void
t_stop_connected(void)
{
	char out[256];
	struct run r;
	ssize_t n;

	REQUIRE(up(0) == 0);
	r = start(url, -1, (char *const[]){ "wait", NULL });
	n = read(r.out, out, sizeof(out) - 1);
	CHECK(n > 0 && strncmp(out, "connected", 9) == 0);
	CHECK(nprocs() == base_procs + 1);
	CHECK_EQ(rump_sysproxy_stop(sp), 0);
	CHECK_EQ(nprocs(), base_procs);
	close(r.in);
	r.in = -1;
	CHECK_EQ(finish(r, out, sizeof(out)), 0);
	CHECK(strcmp(out, "gone\n") == 0);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
	rmdir(dir);
}

/* ---------------------------------------------------------- recording */

/*
 * The fuzzer's seeds: with SP_RECORD_DIR set, each client scenario runs
 * through a proxy that writes what a NEW connection sent to a file there.
 */
struct proxy {
	int	lfd;
	char	path[100];
	const char *outdir;
	int	n;
};

static void
proxy_pump(int cfd, int sfd, FILE *rec)
{
	struct pollfd p[2] = { { cfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
	char buf[65536];

	for (;;) {
		if (poll(p, 2, -1) < 0)
			return;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if ((n = read(p[i].fd, buf, sizeof(buf))) <= 0)
				return;
			if (i == 0 && rec != NULL)
				fwrite(buf, 1, (size_t)n, rec);
			if (write(p[1 - i].fd, buf, (size_t)n) != n)
				return;
		}
	}
}

struct pconn {
	struct proxy	*px;
	int		cfd;
	pthread_t	t;
};

static void *
pconn_main(void *arg)
{
	struct pconn *pc = arg;
	struct sp_hdr h;
	struct sp_hello hi;
	char name[256];
	FILE *rec = NULL;
	int sfd = raw_connect();

	/* only NEW connections: a fuzz input makes its own process */
	if (recv(pc->cfd, name, sizeof(h) + sizeof(hi), MSG_PEEK | MSG_WAITALL) ==
	    (ssize_t)(sizeof(h) + sizeof(hi))) {
		memcpy(&hi, name + sizeof(h), sizeof(hi));
		if (hi.op == SP_OP_NEW) {
			snprintf(name, sizeof(name), "%s/session-%02d", pc->px->outdir,
			    __atomic_fetch_add(&pc->px->n, 1, __ATOMIC_SEQ_CST));
			rec = fopen(name, "wb");
		}
	}
	proxy_pump(pc->cfd, sfd, rec);
	if (rec != NULL)
		fclose(rec);
	close(pc->cfd);
	close(sfd);
	return NULL;
}

static void *
proxy_main(void *arg)
{
	struct proxy *px = arg;
	struct pconn pc[64];
	int cfd, n = 0;

	while (n < 64 && (cfd = accept(px->lfd, NULL, NULL)) >= 0) {
		pc[n] = (struct pconn){ px, cfd, 0 };
		pthread_create(&pc[n].t, NULL, pconn_main, &pc[n]);
		n++;
	}
	for (int i = 0; i < n; i++)
		pthread_join(pc[i].t, NULL);
	return NULL;
}

static void
t_record(void)
{
	static const char *const scen[][3] = {
		{ "files", "/tmp/spf/r", NULL }, { "sockets", "/tmp/sps", NULL },
		{ "fork", "/tmp/forked", NULL }, { "exec", "/tmp/execd", NULL },
		{ "ids", NULL, NULL }, { "calls", "20", NULL },
	};
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct proxy px = { .outdir = getenv("SP_RECORD_DIR") };
	char purl[160], out[256];
	pthread_t t;

	if (px.outdir == NULL)
		SKIP("SP_RECORD_DIR is not set (it records the fuzzer's seeds)");
	REQUIRE(up(0) == 0);
	CHECK_EQ(rump_sys_mkdir("/tmp/spf", 0755), 0);
	CHECK_EQ(rump_sys_mkdir("/tmp/sps", 0777), 0);
	snprintf(px.path, sizeof(px.path), "%.80s/proxy", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", px.path);
	px.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	REQUIRE(bind(px.lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    listen(px.lfd, 8) == 0);
	pthread_create(&t, NULL, proxy_main, &px);
	snprintf(purl, sizeof(purl), "unix://%s", px.path);
	for (size_t i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		char *args[3] = { (char *)scen[i][0], (char *)scen[i][1], NULL };

		CHECK_EQ(run1(purl, -1, out, sizeof(out), args), 0);
	}
	shutdown(px.lfd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(px.lfd);
	unlink(px.path);
	wait_clients(0);
	down();
}

TESTS(
	{ "unix_mode", t_unix_mode },
	{ "files", t_files },
	{ "sockets", t_sockets },
	{ "threads", t_threads },
	{ "fork", t_fork },
	{ "exec", t_exec },
	{ "ids", t_ids },
	{ "tcp", t_tcp },
	{ "malformed", t_malformed },
	{ "many", t_many },
	{ "block_drop", t_block_drop },
	{ "intr", t_intr },
	{ "stop_connected", t_stop_connected },
	{ "record", t_record },
)

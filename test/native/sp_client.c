/*
 * t_sysproxy's client: a program linked with librumpclient alone that
 * runs one scenario against the server named by $RUMP_SERVER and exits 0
 * when every step did what the kernel should have done.  It prints what
 * t_sysproxy checks against the kernel's own view afterwards.
 *
 *   sp_client files DIR        file calls under DIR
 *   sp_client sockets DIR      AF_UNIX stream and datagram, SCM_RIGHTS, poll
 *   sp_client block            read a kernel pipe nobody writes (hangs)
 *   sp_client intr             the same, interrupted by signals: EINTR
 *   sp_client fork FILE        fork: the child writes to the inherited fd
 *   sp_client exec FILE        exec keeps fds, closes close-on-exec ones
 *   sp_client ids              print the kernel process's uid gid groups
 *   sp_client threads          four threads, one kernel process
 *   sp_client calls N          N getpid calls and a file round trip
 *   sp_client wait             one call, then wait for stdin to close, one more
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "sp_client: %s:%d: %s (errno %d)\n",	\
		    __FILE__, __LINE__, #cond, errno);			\
		exit(1);						\
	}								\
} while (0)

static char path_buf[512];

static const char *
at(const char *dir, const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	return path_buf;
}

static int
files(const char *dir)
{
	char buf[64], dents[4096];
	struct stat st;
	struct iovec iov[2] = { { "hello ", 6 }, { "world", 5 } };
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 4 };
	int fd, n;

	EXPECT(rump_sys_mkdir(dir, 0755) == 0);
	EXPECT((fd = rump_sys_open(at(dir, "a"), O_CREAT | O_RDWR, 0644)) >= 0);
	EXPECT(rump_sys_writev(fd, iov, 2) == 11);
	EXPECT(rump_sys_pread64(fd, buf, sizeof(buf), 6) == 5);
	EXPECT(memcmp(buf, "world", 5) == 0);
	EXPECT(rump_sys_fstat(fd, &st) == 0 && st.st_size == 11);
	EXPECT(rump_sys_fcntl(fd, F_SETLK, (long)&fl) == 0);
	fl.l_type = F_WRLCK;
	EXPECT(rump_sys_fcntl(fd, F_GETLK, (long)&fl) == 0);
	EXPECT((rump_sys_fcntl(fd, F_GETFL, 0) & O_ACCMODE) == O_RDWR);
	EXPECT(rump_sys_ioctl(fd, FIONREAD, (long)&n) == 0 || errno == ENOTTY);
	EXPECT(rump_sys_ioctl(fd, TCGETS, (long)buf) == -1 && errno == ENOTTY);
	EXPECT(rump_sys_close(fd) == 0);
	{
		char from[512];

		snprintf(from, sizeof(from), "%s/a", dir);
		EXPECT(rump_sys_rename(from, at(dir, "b")) == 0);
	}
	EXPECT(rump_sys_symlink("b", at(dir, "l")) == 0);
	EXPECT((n = (int)rump_sys_readlink(at(dir, "l"), buf, sizeof(buf))) == 1 &&
	    buf[0] == 'b');
	EXPECT(rump_sys_stat(at(dir, "nope"), &st) == -1 && errno == ENOENT);
	EXPECT((fd = rump_sys_open(dir, O_RDONLY | O_DIRECTORY, 0)) >= 0);
	EXPECT((n = rump_sys_getdents64(fd, dents, sizeof(dents))) > 0);
	EXPECT(rump_sys_close(fd) == 0);
	EXPECT(rump_sys_chdir(dir) == 0);
	EXPECT(rump_sys_getcwd(buf, sizeof(buf)) > 0 && strcmp(buf, dir) == 0);
	EXPECT(rump_sys_close(12345) == -1 && errno == EBADF);
	printf("files ok\n");
	return 0;
}

static int
sockets(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX }, got;
	socklen_t len = sizeof(got);
	char buf[64], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct pollfd pfd;
	int l, c, a, sv[2], n, fd;

	EXPECT(strlen(at(dir, "sock")) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path_buf, strlen(path_buf) + 1);
	EXPECT((l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	EXPECT(rump_sys_bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	EXPECT(rump_sys_listen(l, 4) == 0);
	EXPECT((c = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	EXPECT(rump_sys_connect(c, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	EXPECT((a = rump_sys_accept(l, (struct sockaddr *)&got, &len)) >= 0);
	len = sizeof(got);
	EXPECT(rump_sys_getsockname(l, (struct sockaddr *)&got, &len) == 0);
	EXPECT(strcmp(got.sun_path, sun.sun_path) == 0);
	EXPECT(rump_sys_sendto(c, "ping", 4, 0, NULL, 0) == 4);
	pfd = (struct pollfd){ .fd = a, .events = POLLIN };
	EXPECT(rump_sys_poll(&pfd, 1, -1) == 1 && (pfd.revents & POLLIN));
	EXPECT(rump_sys_ioctl(a, FIONREAD, (long)&n) == 0 && n == 4);
	EXPECT(rump_sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL) == 4);
	EXPECT(memcmp(buf, "ping", 4) == 0);
	/* a descriptor across a socketpair */
	EXPECT(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	EXPECT((fd = rump_sys_open(at(dir, "passed"), O_CREAT | O_RDWR, 0600)) >= 0);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	EXPECT(rump_sys_sendmsg(sv[0], &mh, 0) == 1);
	memset(cbuf, 0, sizeof(cbuf));
	iov = (struct iovec){ buf, sizeof(buf) };
	mh.msg_controllen = sizeof(cbuf);
	EXPECT(rump_sys_recvmsg(sv[1], &mh, 0) == 1 && buf[0] == 'x');
	cm = CMSG_FIRSTHDR(&mh);
	EXPECT(cm != NULL && cm->cmsg_type == SCM_RIGHTS);
	memcpy(&n, CMSG_DATA(cm), sizeof(int));
	EXPECT(n != fd && rump_sys_write(n, "via", 3) == 3);
	EXPECT(rump_sys_pread64(fd, buf, 3, 0) == 3 && memcmp(buf, "via", 3) == 0);
	printf("sockets ok\n");
	return 0;
}

static int
block(void)
{
	int p[2];
	char c;

	EXPECT(rump_sys_pipe(p) == 0);
	printf("blocking %d\n", (int)rump_sys_getpid());
	fflush(stdout);
	(void)rump_sys_read(p[0], &c, 1);
	return 1;
}

static void
on_signal(int sig)
{
	(void)sig;
}

static void *
pester(void *arg)
{
	pthread_t t = *(pthread_t *)arg;

	for (;;) {
		pthread_kill(t, SIGUSR1);
		usleep(20000);
	}
	return NULL;
}

static int
intr(void)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	pthread_t self = pthread_self(), t;
	int p[2];
	char c;

	sigaction(SIGUSR1, &sa, NULL);
	EXPECT(rump_sys_pipe(p) == 0);
	pthread_create(&t, NULL, pester, &self);
	EXPECT(rump_sys_read(p[0], &c, 1) == -1 && errno == EINTR);
	/* the connection still works */
	EXPECT(rump_sys_write(p[1], "z", 1) == 1);
	EXPECT(rump_sys_read(p[0], &c, 1) == 1 && c == 'z');
	printf("intr ok\n");
	return 0;
}

static int
do_fork(const char *file)
{
	char buf[64];
	int fd, st;
	pid_t pid, kpid = rump_sys_getpid();

	EXPECT((fd = rump_sys_open(file, O_CREAT | O_RDWR | O_TRUNC, 0644)) >= 0);
	EXPECT(rump_sys_write(fd, "parent ", 7) == 7);
	EXPECT((pid = rumpclient_fork()) >= 0);
	if (pid == 0) {
		/* the descriptor and its offset are the parent's */
		if (rump_sys_getpid() == kpid || rump_sys_getppid() != kpid ||
		    rump_sys_write(fd, "child ", 6) != 6)
			_exit(1);
		_exit(0);
	}
	EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT(rump_sys_write(fd, "parent", 6) == 6);
	EXPECT(rump_sys_pread64(fd, buf, sizeof(buf), 0) == 19);
	EXPECT(memcmp(buf, "parent child parent", 19) == 0);
	printf("fork ok\n");
	return 0;
}

static int
do_exec(char **argv)
{
	if (argv[3] == NULL) {
		char a[16], b[16], pid[16];
		int fa, fb;

		EXPECT((fa = rump_sys_open(argv[2], O_CREAT | O_RDWR, 0644)) >= 0);
		EXPECT((fb = rump_sys_open(argv[2], O_RDONLY | O_CLOEXEC, 0)) >= 0);
		snprintf(a, sizeof(a), "%d", fa);
		snprintf(b, sizeof(b), "%d", fb);
		snprintf(pid, sizeof(pid), "%d", (int)rump_sys_getpid());
		char *nargv[] = { argv[0], "exec", argv[2], a, b, pid, NULL };
		extern char **environ;

		rumpclient_exec("/proc/self/exe", nargv, environ);
		EXPECT(!"exec failed");
	}
	/* the new image: rumpclient_init took the connection over */
	EXPECT(rump_sys_getpid() == atoi(argv[5]));
	EXPECT(rump_sys_write(atoi(argv[3]), "kept", 4) == 4);
	EXPECT(rump_sys_fcntl(atoi(argv[4]), F_GETFD, 0) == -1 && errno == EBADF);
	printf("exec ok\n");
	return 0;
}

static int
ids(void)
{
	gid_t g[32];
	int n = rump_sys_getgroups(32, g);

	EXPECT(n >= 0);
	printf("%d %d", (int)rump_sys_getuid(), (int)rump_sys_getgid());
	for (int i = 0; i < n; i++)
		printf(" %d", (int)g[i]);
	printf("\n");
	return 0;
}

static pid_t kpid_main;

static void *
thread_main(void *arg)
{
	long ok = rump_sys_getpid() == kpid_main && rump_sys_getpid() == kpid_main;

	(void)arg;
	return (void *)ok;
}

static int
threads(void)
{
	pthread_t t[4];
	void *ok;

	kpid_main = rump_sys_getpid();
	for (int i = 0; i < 4; i++)
		EXPECT(pthread_create(&t[i], NULL, thread_main, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		EXPECT(pthread_join(t[i], &ok) == 0);
		EXPECT(ok == (void *)1L);
	}
	printf("threads ok\n");
	return 0;
}

static int
calls(int n)
{
	char name[64], buf[8];
	pid_t pid = rump_sys_getpid();
	int fd;

	for (int i = 0; i < n; i++)
		EXPECT(rump_sys_getpid() == pid);
	snprintf(name, sizeof(name), "/tmp/calls.%d", (int)pid);
	EXPECT((fd = rump_sys_open(name, O_CREAT | O_RDWR | O_EXCL, 0600)) >= 0);
	EXPECT(rump_sys_write(fd, "12345678", 8) == 8);
	EXPECT(rump_sys_pread64(fd, buf, 8, 0) == 8);
	EXPECT(rump_sys_unlink(name) == 0);
	printf("calls ok\n");
	return 0;
}

static int
wait_stdin(void)
{
	char c;

	EXPECT(rump_sys_getpid() > 1);
	printf("connected\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		continue;
	EXPECT(rump_sys_getpid() == -1 && errno == ENOTCONN);
	printf("gone\n");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (rumpclient_init() != 0) {
		fprintf(stderr, "sp_client: rumpclient_init: %s\n", strerror(errno));
		return 3;
	}
	if (strcmp(argv[1], "files") == 0 && argc > 2)
		return files(argv[2]);
	if (strcmp(argv[1], "sockets") == 0 && argc > 2)
		return sockets(argv[2]);
	if (strcmp(argv[1], "block") == 0)
		return block();
	if (strcmp(argv[1], "intr") == 0)
		return intr();
	if (strcmp(argv[1], "fork") == 0 && argc > 2)
		return do_fork(argv[2]);
	if (strcmp(argv[1], "exec") == 0 && argc > 2)
		return do_exec(argv);
	if (strcmp(argv[1], "ids") == 0)
		return ids();
	if (strcmp(argv[1], "threads") == 0)
		return threads();
	if (strcmp(argv[1], "calls") == 0 && argc > 2)
		return calls(atoi(argv[2]));
	if (strcmp(argv[1], "wait") == 0)
		return wait_stdin();
	return 2;
}

/*
 * librumpclient (rump/rumpclient.h): system calls of this program served
 * by a kernel in a server process, over the sysproxy wire.
 *
 * Each thread has its own connection: the first thread's makes the kernel
 * process (or takes over the one an exec'ing image left), every other
 * thread's first call attaches to that process as a new lwp.  All host
 * socket I/O is done with raw system calls (sp_raw), so that a hijack
 * layer's interposed read, write, connect and close never see it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include "sysproxy/sp_io.h"

#define EXEC_ENV	"RUMPCLIENT_EXEC"
#define SPIN		0	/* non-blocking tries first: none (see sp_server.c) */

struct rc_conn {
	int		fd;
	struct sp_rbuf	rb;
	struct rc_conn	*next;
	struct sp_msg	msg;
};

struct rumpclient_fork {
	uint8_t		cookie[SP_TOKEN];
};

static struct {
	pthread_mutex_t	lock;		/* conns */
	pthread_once_t	once;
	pthread_key_t	key;
	int		ready;
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	pid_t		pid;
	uint8_t		token[SP_TOKEN];
	struct rc_conn	*conns;
} rc = { .lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT };

static __thread struct rc_conn *rc_self;

static int
raw_err(long r)
{
	return r < 0 ? (int)-r : 0;
}

static void
conn_close(struct rc_conn *c)
{
	struct rc_conn **cp;

	pthread_mutex_lock(&rc.lock);
	for (cp = &rc.conns; *cp != NULL; cp = &(*cp)->next)
		if (*cp == c) {
			*cp = c->next;
			break;
		}
	pthread_mutex_unlock(&rc.lock);
	(void)sp_raw(SYS_close, c->fd, 0, 0, 0, 0, 0);
	sp_rbuf_fini(&c->rb);
	free(c);
}

/* A thread ends: its connection (and its lwp on the server) goes. */
static void
thread_gone(void *arg)
{
	struct rc_conn *c = arg;

	if (c != NULL && rc_self == c)
		rc_self = NULL;
	if (c != NULL)
		conn_close(c);
}

static void
make_key(void)
{
	(void)pthread_key_create(&rc.key, thread_gone);
}

static struct rc_conn *
conn_adopt(int fd)
{
	struct rc_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	pthread_mutex_lock(&rc.lock);
	c->next = rc.conns;
	rc.conns = c;
	pthread_mutex_unlock(&rc.lock);
	return c;
}

static void
set_self(struct rc_conn *c)
{
	rc_self = c;
	(void)pthread_once(&rc.once, make_key);
	(void)pthread_setspecific(rc.key, c);
}

/* RUMP_SERVER: unix://relative, unix:///absolute, tcp://host:port */
static int
parse_url(const char *url)
{
	if (url == NULL)
		return ENOENT;
	memset(&rc.addr, 0, sizeof(rc.addr));
	if (strncmp(url, "unix://", 7) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&rc.addr;
		const char *path = url + 7;

		if (*path == '\0' || strlen(path) >= sizeof(sun->sun_path))
			return ENAMETOOLONG;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		rc.addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(path) + 1);
		return 0;
	}
	if (strncmp(url, "tcp://", 6) == 0) {
		const char *hp = url + 6, *colon = strrchr(hp, ':');
		char host[128];
		size_t hl;
		long port;
		char *end;

		if (colon == NULL || (hl = (size_t)(colon - hp)) >= sizeof(host))
			return EINVAL;
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || port <= 0 || port > 65535)
			return EINVAL;
		memcpy(host, hp, hl);
		host[hl] = '\0';
		if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&rc.addr;

			host[hl - 1] = '\0';
			if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
				return EINVAL;
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)port);
			rc.addrlen = sizeof(*sin6);
		} else {
			struct sockaddr_in *sin = (struct sockaddr_in *)&rc.addr;

			if (hl == 0 || strcmp(host, "localhost") == 0)
				strcpy(host, "127.0.0.1");
			/* numeric only: a name lookup would do I/O of its own */
			if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
				return EINVAL;
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			rc.addrlen = sizeof(*sin);
		}
		return 0;
	}
	return EPROTONOSUPPORT;
}

static int
hello(int fd, uint32_t op, int32_t pid, const uint8_t *cookie,
    struct sp_rbuf *rb)
{
	struct {
		struct sp_hdr	h;
		struct sp_hello	hi;
	} req = { { sizeof(req), SP_T_HELLO, 0, 0, 0 },
	    { SP_MAGIC, SP_VERSION, SP_TABLE_SUM, op, pid, { 0 } } };
	struct sp_hdr h;
	struct sp_welcome w;
	int error;

	if (cookie != NULL)
		memcpy(req.hi.cookie, cookie, SP_TOKEN);
	if ((error = sp_send_all(fd, &req, sizeof(req))) != 0)
		return -error;
	do
		error = sp_recv_frame(fd, rb, 0);
	while (error == -EINTR);
	if (error != 0)
		return error == -EPIPE ? ECONNRESET : -error;
	memcpy(&h, rb->buf, sizeof(h));
	if (h.type != SP_T_HELLO_REPLY || h.len != sizeof(h) + sizeof(w))
		return EPROTO;
	memcpy(&w, rb->buf + sizeof(h), sizeof(w));
	if (w.magic != SP_MAGIC)
		return EPROTO;
	if (w.error != 0)
		return w.error;
	rc.pid = w.pid;
	memcpy(rc.token, w.token, SP_TOKEN);
	return 0;
}

/* A new connection to the server, joined to a kernel process by op. */
static int
conn_open(uint32_t op, const uint8_t *cookie, struct rc_conn **cp)
{
	struct rc_conn *c;
	long fd;
	int one = 1, error;

	fd = sp_raw(SYS_socket, rc.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0, 0, 0, 0);
	if (fd < 0)
		return raw_err(fd);
	do
		error = raw_err(sp_raw(SYS_connect, fd, (long)&rc.addr,
		    rc.addrlen, 0, 0, 0));
	while (error == EINTR);
	if (error == 0 && rc.addr.ss_family != AF_UNIX)
		(void)sp_raw(SYS_setsockopt, fd, IPPROTO_TCP, TCP_NODELAY,
		    (long)&one, sizeof(one), 0);
	if (error != 0 || (c = conn_adopt((int)fd)) == NULL) {
		(void)sp_raw(SYS_close, fd, 0, 0, 0, 0, 0);
		return error ? error : ENOMEM;
	}
	if ((error = hello(c->fd, op, rc.pid, cookie, &c->rb)) != 0) {
		conn_close(c);
		return error;
	}
	*cp = c;
	return 0;
}

/* The exec'ing image left its connection in the environment: take it. */
static int
take_over(const char *val)
{
	struct sp_hdr h = { sizeof(h), SP_T_EXEC, 0, 0, 0 };
	struct rc_conn *c;
	unsigned tok[SP_TOKEN];
	int fd, pid, n, error;

	if (sscanf(val, "%d:%d:%n", &fd, &pid, &n) != 2 ||
	    strlen(val + n) != 2 * SP_TOKEN)
		return EINVAL;
	for (int i = 0; i < SP_TOKEN; i++)
		if (sscanf(val + n + 2 * i, "%2x", &tok[i]) != 1)
			return EINVAL;
	(void)sp_raw(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC, 0, 0, 0);
	if ((c = conn_adopt(fd)) == NULL)
		return ENOMEM;
	rc.pid = pid;
	for (int i = 0; i < SP_TOKEN; i++)
		rc.token[i] = (uint8_t)tok[i];
	if ((error = sp_send_all(fd, &h, sizeof(h))) != 0) {
		conn_close(c);
		return -error;
	}
	do
		error = sp_recv_frame(fd, &c->rb, 0);
	while (error == -EINTR);
	if (error == 0) {
		memcpy(&h, c->rb.buf, sizeof(h));
		error = h.type == SP_T_EXEC_REPLY ? (int)h.arg : EPROTO;
	} else {
		error = -error;
	}
	if (error != 0) {
		conn_close(c);
		return error;
	}
	set_self(c);
	return 0;
}

int
rumpclient_init(void)
{
	const char *ex = getenv(EXEC_ENV);
	struct rc_conn *c;
	int error;

	if (rc.ready)
		return 0;
	if ((error = parse_url(getenv("RUMP_SERVER"))) != 0)
		goto fail;
	if (ex != NULL) {
		error = take_over(ex);
		unsetenv(EXEC_ENV);
	} else if ((error = conn_open(SP_OP_NEW, NULL, &c)) == 0) {
		set_self(c);
	}
	if (error != 0)
		goto fail;
	rc.ready = 1;
	return 0;
fail:
	errno = error;
	return -1;
}

/* The calling thread's connection: its first call attaches it. */
static int
self_conn(struct rc_conn **cp)
{
	struct rc_conn *c;
	int error;

	if ((*cp = rc_self) != NULL)
		return 0;
	if (!rc.ready)
		return ENOTCONN;
	if ((error = conn_open(SP_OP_ATTACH, rc.token, &c)) != 0)
		return error;
	set_self(c);
	*cp = c;
	return 0;
}

/* Wait for the reply; a signal while waiting interrupts the call. */
static int
await_reply(struct rc_conn *c)
{
	struct sp_hdr intr = { sizeof(intr), SP_T_INTERRUPT, 0, 0, 0 };
	int error, sent = 0;

	for (;;) {
		error = sp_recv_frame(c->fd, &c->rb, SPIN);
		if (error != -EINTR)
			return error;
		if (!sent && sp_send_all(c->fd, &intr, sizeof(intr)) == 0)
			sent = 1;
	}
}

int
rumpclient_syscall(long nr, const long *args, long *retval)
{
	struct sysrole sr;
	struct rc_conn *c;
	struct sp_hdr h;
	long wa[6];
	int w, error;

	if ((w = sp_wire_pick(nr, args)) < 0)
		return -w;
	if ((error = sp_wire_shape((unsigned)w, args, &sr)) != 0)
		return error;
	if ((error = self_conn(&c)) != 0)
		return error;
	sp_msg_init(&c->msg);
	error = sp_enc_call(&c->msg, (unsigned)w, &sr, args, wa);
	if (error == 0)
		error = -sp_send_msg(c->fd, &c->msg);
	sp_msg_fini(&c->msg);
	if (error != 0)
		return error == EPIPE || error == ECONNRESET ? ENOTCONN : error;
	if ((error = await_reply(c)) != 0)
		return error == -EPIPE || error == -ECONNRESET ? ENOTCONN : -error;
	memcpy(&h, c->rb.buf, sizeof(h));
	if (h.type != SP_T_REPLY)
		return EPROTO;
	if ((error = sp_dec_reply(c->rb.buf + sizeof(h), h.len - sizeof(h), &sr,
	    args, wa, (int)h.arg, retval)) != 0)
		return error;
	return (int)h.arg;
}

/* ------------------------------------------------------------ fork, exec */

struct rumpclient_fork *
rumpclient_prefork(void)
{
	struct sp_hdr h = { sizeof(h), SP_T_FORK, 0, 0, 0 };
	struct rumpclient_fork *rf;
	struct rc_conn *c;
	int error;

	if ((error = self_conn(&c)) != 0)
		goto fail;
	if ((rf = malloc(sizeof(*rf))) == NULL) {
		error = ENOMEM;
		goto fail;
	}
	if ((error = -sp_send_all(c->fd, &h, sizeof(h))) == 0) {
		do
			error = -sp_recv_frame(c->fd, &c->rb, 0);
		while (error == EINTR);
	}
	if (error == 0) {
		memcpy(&h, c->rb.buf, sizeof(h));
		if (h.type != SP_T_FORK_REPLY)
			error = EPROTO;
		else if (h.arg != 0)
			error = (int)h.arg;
		else if (h.len != sizeof(h) + SP_TOKEN)
			error = EPROTO;
		else
			memcpy(rf->cookie, c->rb.buf + sizeof(h), SP_TOKEN);
	}
	if (error != 0) {
		free(rf);
		goto fail;
	}
	return rf;
fail:
	errno = error;
	return NULL;
}

int
rumpclient_fork_init(struct rumpclient_fork *rf)
{
	struct rc_conn *c, *next;
	int error;

	/* the parent's connections are not ours: close our copies */
	pthread_mutex_init(&rc.lock, NULL);
	for (c = rc.conns; c != NULL; c = next) {
		next = c->next;
		(void)sp_raw(SYS_close, c->fd, 0, 0, 0, 0, 0);
		sp_rbuf_fini(&c->rb);
		free(c);
	}
	rc.conns = NULL;
	rc_self = NULL;
	(void)pthread_once(&rc.once, make_key);
	(void)pthread_setspecific(rc.key, NULL);
	error = conn_open(SP_OP_FORK, rf->cookie, &c);
	free(rf);
	if (error != 0) {
		rc.ready = 0;
		errno = error;
		return -1;
	}
	set_self(c);
	return 0;
}

void
rumpclient_fork_cancel(struct rumpclient_fork *rf)
{
	/* the server reaps a child nobody claims */
	free(rf);
}

pid_t
rumpclient_fork(void)
{
	pid_t (*host_fork)(void) = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	struct rumpclient_fork *rf;
	pid_t pid;

	if ((rf = rumpclient_prefork()) == NULL)
		return -1;
	pid = host_fork != NULL ? host_fork() : fork();
	if (pid < 0) {
		int e = errno;

		rumpclient_fork_cancel(rf);
		errno = e;
		return -1;
	}
	if (pid == 0 && rumpclient_fork_init(rf) != 0)
		_exit(127);
	if (pid > 0)
		free(rf);
	return pid;
}

/* envp with EXEC_ENV=fd:pid:token instead of any it had. */
static char **
exec_env(char *const envp[], int fd)
{
	size_t n = 0, j = 0;
	char **ne, *val;

	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((ne = calloc(n + 2, sizeof(*ne))) == NULL ||
	    (val = malloc(sizeof(EXEC_ENV) + 32 + 2 * SP_TOKEN)) == NULL) {
		free(ne);
		return NULL;
	}
	int k = sprintf(val, "%s=%d:%d:", EXEC_ENV, fd, (int)rc.pid);
	for (int i = 0; i < SP_TOKEN; i++)
		k += sprintf(val + k, "%02x", rc.token[i]);
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], EXEC_ENV "=", sizeof(EXEC_ENV)) != 0)
			ne[j++] = envp[i];
	ne[j++] = val;
	ne[j] = NULL;
	return ne;
}

int
rumpclient_exec(const char *path, char *const argv[], char *const envp[])
{
	struct rc_conn *c;
	char **ne;
	int error;

	if ((error = self_conn(&c)) != 0) {
		errno = error;
		return -1;
	}
	if ((ne = exec_env(envp, c->fd)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/* this connection crosses the exec; the others close with it */
	(void)sp_raw(SYS_fcntl, c->fd, F_SETFD, 0, 0, 0, 0);
	error = raw_err(sp_raw(SYS_execve, (long)path, (long)argv, (long)ne,
	    0, 0, 0));
	(void)sp_raw(SYS_fcntl, c->fd, F_SETFD, FD_CLOEXEC, 0, 0, 0);
	for (size_t i = 0; ne[i] != NULL; i++)
		if (strncmp(ne[i], EXEC_ENV "=", sizeof(EXEC_ENV)) == 0)
			free(ne[i]);
	free(ne);
	errno = error;
	return -1;
}

bool
rumpclient_owns_fd(int fd)
{
	bool owns = false;

	pthread_mutex_lock(&rc.lock);
	for (struct rc_conn *c = rc.conns; c != NULL && !owns; c = c->next)
		owns = c->fd == fd;
	pthread_mutex_unlock(&rc.lock);
	return owns;
}

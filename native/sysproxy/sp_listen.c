/*
 * The server's listening socket (sp_listen.h): a unix socket's node made
 * with mode 0600 from its first moment, or a tcp socket on loopback unless
 * a host is given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sysproxy/sp_listen.h"

/*
 * A unix socket's node, with mode 0600 from its first moment: bound in a
 * private directory beside it, then linked into place (link fails rather
 * than replace an existing name).
 */
static int
listen_unix(struct sp_listener *li, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path) - 4], *slash;
	int fd, error = 0;

	if (*path == '\0' || strlen(path) + 16 >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	snprintf(slash ? slash + 1 : dir, sizeof(dir) - (size_t)(slash ? slash + 1 - dir : 0),
	    ".spXXXXXX");
	if (mkdtemp(dir) == NULL)
		return errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		error = errno;
	else if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(sun.sun_path, 0600) != 0 || link(sun.sun_path, path) != 0 ||
	    listen(fd, 128) != 0)
		error = errno == EEXIST ? EADDRINUSE : errno;
	(void)unlink(sun.sun_path);
	(void)rmdir(dir);
	if (error != 0) {
		if (fd >= 0)
			close(fd);
		return error;
	}
	if ((li->path = strdup(path)) == NULL) {
		(void)unlink(path);
		close(fd);
		return ENOMEM;
	}
	li->fd = fd;
	return 0;
}

static int
listen_tcp(struct sp_listener *li, const char *hostport)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV | AI_PASSIVE }, *ai;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[128], addr[64];
	const char *colon = strrchr(hostport, ':'), *port;
	int fd, one = 1, error = 0, gai;
	size_t hl;

	if (colon == NULL)
		return EINVAL;
	hl = (size_t)(colon - hostport);
	port = colon + 1;
	if (hl >= sizeof(host) || *port == '\0')
		return EINVAL;
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	if ((gai = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &ai)) != 0)
		return gai == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		error = errno;
	else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		error = errno;
	freeaddrinfo(ai);
	if (error != 0) {
		if (fd >= 0)
			close(fd);
		return error;
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(li->url, sizeof(li->url), "tcp://%s:%u", addr,
		    ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(li->url, sizeof(li->url), "tcp://[%s]:%u", addr,
		    ntohs(sin6->sin6_port));
	}
	li->fd = fd;
	return 0;
}

int
sp_listen(const char *url, struct sp_listener *li)
{
	int error;

	if (strncmp(url, "unix://", 7) == 0) {
		if ((error = listen_unix(li, url + 7)) == 0)
			snprintf(li->url, sizeof(li->url), "%s", url);
		return error;
	}
	if (strncmp(url, "tcp://", 6) == 0)
		return listen_tcp(li, url + 6);
	return EPROTONOSUPPORT;
}

void
sp_unlisten(struct sp_listener *li)
{
	if (li->fd >= 0)
		close(li->fd);
	li->fd = -1;
	if (li->path != NULL) {
		(void)unlink(li->path);
		free(li->path);
		li->path = NULL;
	}
}

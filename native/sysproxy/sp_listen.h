/*
 * The server's listening socket (sp_listen.c).
 */
#ifndef SYSPROXY_SP_LISTEN_H
#define SYSPROXY_SP_LISTEN_H

struct sp_listener {
	int	fd;		/* non-blocking, close-on-exec */
	char	url[160];	/* what clients use: a tcp port 0 resolved */
	char	*path;		/* a unix socket's node, removed at the end */
};

/*
 * Listen on url: unix://PATH (mode 0600; an existing name is EADDRINUSE)
 * or tcp://HOST:PORT (HOST empty: 127.0.0.1).  Returns 0 or an errno.
 */
int	sp_listen(const char *url, struct sp_listener *li);
/* Close it and remove a unix socket's node. */
void	sp_unlisten(struct sp_listener *li);

#endif /* SYSPROXY_SP_LISTEN_H */

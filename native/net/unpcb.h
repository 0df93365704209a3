/*
 * AF_UNIX (net/uipc_usrreq.c): sockets within one kernel, named in its
 * VFS or in its abstract name space.
 */
#ifndef NET_UNPCB_H
#define NET_UNPCB_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sys/systm.h"
#include "sys/socketvar.h"

struct vnode;
struct lwp;
struct pollctx;

/* Credentials as SO_PEERCRED reports them. */
struct unp_cred {
	pid_t	pid;
	uid_t	uid;
	gid_t	gid;
	bool	valid;
};

struct unpcb {
	struct socket	*unp_socket;
	struct unpcb	*unp_conn;	/* the peer (streams) or target */
	LIST_HEAD(, unpcb) unp_refs;	/* datagram sockets connected to us */
	LIST_ENTRY(unpcb) unp_reflink;
	struct sockaddr_un unp_addr;	/* bound name */
	socklen_t	unp_addrlen;	/* 0: not bound */
	struct sockaddr_un unp_peer;	/* the peer's name when it went */
	socklen_t	unp_peerlen;
	struct vnode	*unp_vnode;	/* a path name's node, held */
	LIST_ENTRY(unpcb) unp_namelink;	/* on us_bound while bound */
	bool		unp_named;	/* on us_bound (accepted: not) */
	struct unp_cred	unp_peercred;	/* the peer's, at connect time */
	struct unp_cred	unp_listencred;	/* ours, at listen time */
	bool		unp_peergone;	/* a stream's peer closed */
	bool		unp_peerdead;	/* a datagram target closed */
	/* senders waiting for room in this socket's receive buffer */
	LIST_HEAD(, unpcb) unp_waiters;
	LIST_ENTRY(unpcb) unp_waitlink;
	struct unpcb	*unp_waitingon;
};

#define sotounpcb(so)	((struct unpcb *)(so)->so_pcb)

int	unp_init(struct netstate *ns);
void	unp_fini(struct netstate *ns);
int	unp_poll(struct socket *so, int events, struct pollctx *pc);
/* The connected peer's name (recvfrom on a stream). */
void	unp_peername(struct socket *so, struct sockaddr_storage *ss,
	    socklen_t *lenp);
/*
 * Control data received: install passed descriptors in l's process and
 * copy the cmsgs to uctl (at most *lenp bytes, *lenp set to what was
 * used); control is consumed.
 */
int	unp_externalize(struct lwp *l, struct mbuf *control, void *uctl,
	    size_t *lenp, int inflags, int *flagsp);

#endif

/*
 * Sockets: the protocol-independent layer between descriptors and
 * protocols.  A socket is a file (socketops); its protocol is reached
 * through the protocol switch (struct protosw) of its domain.  All of it
 * is under the kernel's ns_lock (net/netstate.h).
 */
#ifndef SYS_SOCKETVAR_H
#define SYS_SOCKETVAR_H

#include <sys/queue.h>
#include <sys/socket.h>

#include "sys/systm.h"
#include "sys/mutex.h"
#include "sys/selinfo.h"
#include "sys/kauth.h"

struct mbuf;
struct socket;
struct netstate;
struct file;
struct uio;

/* A socket buffer: a queue of records (m_nextpkt) of mbuf chains. */
struct sockbuf {
	struct mbuf	*sb_mb;		/* first record */
	struct mbuf	*sb_lastrecord;
	struct mbuf	*sb_mbtail;	/* last mbuf of the last record */
	size_t		sb_cc;		/* data bytes queued */
	size_t		sb_hiwat;	/* SO_SNDBUF / SO_RCVBUF */
	size_t		sb_lowat;	/* SO_SNDLOWAT / SO_RCVLOWAT */
	size_t		sb_mbcnt;	/* storage charged, all records */
	size_t		sb_mbmax;	/* storage limit (2 x hiwat) */
	int		sb_flags;	/* SB_* */
	int64_t		sb_timeo_ns;	/* SO_RCVTIMEO / SO_SNDTIMEO, 0 = none */
	kcondvar_t	sb_cv;		/* sleepers for data or space */
	struct selinfo	sb_sel;
};
#define SB_AUTOSIZE	0x01		/* grow with the connection (TCP) */
#define SB_LOCKED	0x02		/* a reader or writer holds it (sblock) */
#define SB_LOCKWAIT	0x04

/* The protocol switch: one per (domain, type, protocol). */
struct protosw {
	int		pr_type;	/* SOCK_STREAM, ... */
	struct domain	*pr_domain;
	int		pr_protocol;	/* 0 = the type's default */
	int		pr_flags;	/* PR_* */

	/* requests from the socket layer; ns_lock held; return an errno */
	int	(*pr_attach)(struct socket *so, int proto);
	void	(*pr_detach)(struct socket *so);	/* frees so_pcb */
	int	(*pr_bind)(struct socket *so, const struct sockaddr *nam,
		    socklen_t len);
	int	(*pr_listen)(struct socket *so);
	int	(*pr_connect)(struct socket *so, const struct sockaddr *nam,
		    socklen_t len);
	int	(*pr_connect2)(struct socket *so1, struct socket *so2);
	int	(*pr_accept)(struct socket *so);	/* so_q entry taken */
	int	(*pr_disconnect)(struct socket *so);
	int	(*pr_shutdown)(struct socket *so);	/* no more sends */
	void	(*pr_abort)(struct socket *so);
	/* the reader took data: window updates, flow control */
	void	(*pr_rcvd)(struct socket *so);
	/*
	 * Send m (a packet, consumed in every case) to nam, or to the peer;
	 * control: ancillary data, consumed.  flags: MSG_OOB, MSG_EOR ...
	 */
	int	(*pr_send)(struct socket *so, struct mbuf *m,
		    const struct sockaddr *nam, socklen_t namlen,
		    struct mbuf *control, int flags);
	/* address into sa (at most *lenp bytes), *lenp = its real length */
	int	(*pr_sockaddr)(struct socket *so, struct sockaddr *sa,
		    socklen_t *lenp);
	int	(*pr_peeraddr)(struct socket *so, struct sockaddr *sa,
		    socklen_t *lenp);
	/* protocol-level options; SOPT_GET fills val, *lenp in/out */
	int	(*pr_ctloutput)(int op, struct socket *so, int level, int name,
		    void *val, socklen_t *lenp);
	/* ioctls the socket layer does not answer (SIOC*) */
	int	(*pr_ioctl)(struct socket *so, unsigned long cmd, void *data);
	/* drain control data never received (fd passing: drop the refs) */
	void	(*pr_dispose)(struct mbuf *control);
};
#define PR_ATOMIC	0x01	/* send whole messages */
#define PR_ADDR		0x02	/* received data carry the sender's address */
#define PR_CONNREQUIRED	0x04
#define PR_WANTRCVD	0x08	/* call pr_rcvd after reads */
#define PR_RIGHTS	0x10	/* passes file descriptors */
#define PR_LISTEN	0x20	/* supports listen */
#define PR_ABRTACPTDIS	0x40	/* an aborted connection in the listen queue */
#define SOPT_SET	0
#define SOPT_GET	1

struct domain {
	int		dom_family;	/* AF_UNIX, AF_INET */
	const char	*dom_name;
	struct protosw	*dom_protosw;
	int		dom_nprotosw;
};

struct socket {
	struct netstate	*so_ns;
	struct file	*so_file;	/* NULL while only in a listen queue */
	short		so_type;
	int		so_options;	/* SO_* bits below */
	short		so_state;	/* SS_* */
	int		so_error;	/* pending error (SO_ERROR) */
	int		so_linger;	/* seconds, with SO_LINGER */
	const struct protosw *so_proto;
	void		*so_pcb;
	kauth_cred_t	so_cred;	/* creator's credential, held */
	pid_t		so_cpid;	/* creator's pid (SO_PEERCRED) */

	/* listening sockets: connections in progress and complete */
	struct socket	*so_head;	/* the listener we are queued on */
	TAILQ_HEAD(, socket) so_q0;	/* incomplete */
	TAILQ_HEAD(, socket) so_q;	/* complete, for accept */
	TAILQ_ENTRY(socket) so_qe;
	int		so_q0len, so_qlen, so_qlimit;
	bool		so_onq0;

	struct sockbuf	so_rcv, so_snd;
	kcondvar_t	so_cv;		/* connect, accept, linger */
	uint8_t		so_oobmark_valid;
	size_t		so_oobmark;	/* bytes before the urgent mark */
	char		so_oobdata;

	LIST_ENTRY(socket) so_all;	/* every socket of the kernel */
	uint64_t	so_serial;	/* ss-style listing order */
};

/* so_options (independent of the host's SO_* numbers) */
#define SOO_ACCEPTCONN	0x0001
#define SOO_REUSEADDR	0x0002
#define SOO_REUSEPORT	0x0004
#define SOO_KEEPALIVE	0x0008
#define SOO_BROADCAST	0x0010
#define SOO_LINGER	0x0020
#define SOO_OOBINLINE	0x0040
#define SOO_DONTROUTE	0x0080
#define SOO_PASSCRED	0x0100
#define SOO_TIMESTAMP	0x0200

/* so_state */
#define SS_ISCONNECTED		0x0001
#define SS_ISCONNECTING		0x0002
#define SS_ISDISCONNECTING	0x0004
#define SS_CANTSENDMORE		0x0008
#define SS_CANTRCVMORE		0x0010
#define SS_ISDISCONNECTED	0x0020
#define SS_NBIO			0x0040	/* unused: f_flag's O_NONBLOCK rules */
#define SS_ISBOUND		0x0080
#define SS_ISCONFIRMING		0x0100
#define SS_RCVEOF		0x0200	/* the peer's end of data (socantrcvmore) */
#define SS_INPROGRESS		0x0400	/* EINPROGRESS was reported: the next
					   connect reports the outcome */

/*
 * Socket layer services for protocols (net/uipc_socket*.c); ns_lock held.
 */
/* A new socket of the listener's kind, on its incomplete queue (NULL: limits). */
struct socket *sonewconn(struct socket *head, bool connected);
void	soisconnecting(struct socket *so);
void	soisconnected(struct socket *so);	/* moves it to so_q if queued */
void	soisdisconnecting(struct socket *so);
void	soisdisconnected(struct socket *so);
void	socantsendmore(struct socket *so);
void	socantrcvmore(struct socket *so);
/* The protocol reports an error (connection refused, reset ...). */
void	sohasoutofband(struct socket *so);
void	sorwakeup(struct socket *so);
void	sowwakeup(struct socket *so);
/* Protocol is done with a socket nobody holds (aborted embryonic ...). */
void	sofree(struct socket *so);

/*
 * The socket layer's per-kernel state (ns_socks): every socket, for an
 * ss-like listing; the registered domains; and work that must wait until
 * ns_lock is released (dropping in-flight descriptors may close sockets,
 * releasing a bound name takes the VFS lock).
 */
#define SO_MAXDOMAINS	8
struct sodefer {
	struct sodefer	*d_next;
	void		(*d_fn)(struct rump_kernel *, void *);
	void		*d_arg;
};
struct sockstat_list {
	LIST_HEAD(, socket) sl_head;
	unsigned	sl_count;
	uint64_t	sl_serial;
	const struct domain *sl_domains[SO_MAXDOMAINS];
	int		sl_ndomains;
	struct mbuf	*sl_disposeq;	/* control chains through m_nextpkt */
	void		(*sl_dispose)(struct mbuf *);
	struct sodefer	*sl_defer;
};
int	soinit(struct netstate *ns);
void	sofini(struct netstate *ns);
/* A domain's init adds it (one line per domain; EAFNOSUPPORT without). */
int	domain_register(struct netstate *ns, const struct domain *dp);
const struct domain *pffinddomain(struct netstate *ns, int family);
/* Drop control data later, outside ns_lock (pr_dispose runs then). */
void	sodispose_later(struct socket *so, struct mbuf *control);
/* Run fn(arg) after ns_lock is released; d is the caller's storage. */
void	sodefer(struct netstate *ns, struct sodefer *d,
	    void (*fn)(struct rump_kernel *, void *), void *arg);
/* net_unlock, then the deferred work.  Use it wherever sockets may go. */
void	sounlock(struct netstate *ns);

/* Socket buffers */
int	sbreserve(struct sockbuf *sb, size_t cc);
size_t	sbspace(const struct sockbuf *sb);
/* Append data to the last record (streams); m consumed. */
void	sbappendstream(struct sockbuf *sb, struct mbuf *m);
/* Append a record with an optional address and control; false: no space. */
bool	sbappendaddr(struct sockbuf *sb, const struct sockaddr *sa,
	    socklen_t salen, struct mbuf *m, struct mbuf *control);
/* A record without an address (seqpacket), marked M_EOR. */
bool	sbappendrecord(struct sockbuf *sb, struct mbuf *m, struct mbuf *control);
/* A record of data with control (AF_UNIX streams carrying rights). */
bool	sbappendcontrol(struct sockbuf *sb, struct mbuf *m, struct mbuf *control);
/* Take the first record off the queue; the caller owns it. */
struct mbuf *sb_dequeue(struct sockbuf *sb);
/* Drop len bytes from the front (streams: acknowledged data). */
void	sbdrop(struct sockbuf *sb, size_t len);
struct mbuf *sbunlinkhead(struct sockbuf *sb);
void	sbflush(struct sockbuf *sb);

/* Socket layer entry points (used by syscalls, AF_UNIX, the addon) */
int	socreate(struct rump_kernel *k, int domain, int type, int proto,
	    struct socket **sop);
int	soclose(struct socket *so);
/* sosend/soreceive: the generic stream and datagram loops. */
int	sosend(struct socket *so, const struct sockaddr *to, socklen_t tolen,
	    struct uio *uio, struct mbuf *control, int flags, bool nbio);
/*
 * On return uio_offset has moved by the bytes of the records consumed,
 * also those cut off (MSG_TRUNC wants the real length of a datagram).
 */
int	soreceive(struct socket *so, struct mbuf **paddr, struct uio *uio,
	    struct mbuf **controlp, int *flagsp, bool nbio);
/* The rest of the socket calls; ns_lock not held. */
int	sobind(struct socket *so, const struct sockaddr *nam, socklen_t len);
int	solisten(struct socket *so, int backlog);
int	soconnect(struct socket *so, const struct sockaddr *nam,
	    socklen_t len, bool nbio);
int	soconnect2(struct socket *so1, struct socket *so2);
/* The next complete connection (a socket without a file yet). */
int	soaccept(struct socket *head, bool nbio, struct socket **sop);
int	soshutdown(struct socket *so, int how);
int	sosetopt(struct socket *so, int level, int name, const void *val,
	    socklen_t len);
int	sogetopt(struct socket *so, int level, int name, void *val,
	    socklen_t *lenp);
int	sopoll(struct socket *so, int events, struct pollctx *pc);
/* The file of a socket (socketops); sofile makes one with so as its data. */
extern const struct fileops socketops;
int	sofile(struct socket *so, int fflag, kauth_cred_t cr, struct file **fpp);
/* The socket at descriptor fd (ENOTSOCK, EBADF), its file held. */
int	fd_getsock(struct proc *p, int fd, struct socket **sop,
	    struct file **fpp);

#endif

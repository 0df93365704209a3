/*
 * The sysproxy wire protocol (docs/sysproxy.md): frames, the handshake,
 * and the marshalling of system calls, shared by the server
 * (native/sysproxy/) and librumpclient (native/client/).
 *
 * Every frame starts with a struct sp_hdr; all fields are in the host's
 * byte order and layouts (client and server run on one host ABI: a tcp
 * client on another machine must share it).
 */
#ifndef SYSPROXY_SP_PROTO_H
#define SYSPROXY_SP_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "gen/sysproxy_table.h"

#define SP_MAGIC	0x70737072u	/* "rpsp" */
#define SP_VERSION	1u

#define SP_MAXDATA	(8u << 20)	/* bytes of buffers in one call */
#define SP_MAXFRAME	(SP_MAXDATA + 65536u)
#define SP_MAXIOV	1024		/* UIO_MAXIOV */
#define SP_MAXSTR	4096		/* a path or string, with its NUL */
#define SP_TOKEN	16		/* cookie and process token bytes */

struct sp_hdr {
	uint32_t	len;		/* the whole frame, this header too */
	uint16_t	type;		/* SP_T_* */
	uint16_t	flags;		/* none defined: must be 0 */
	uint32_t	arg;		/* CALL: wire index; replies: errno */
	uint32_t	spare;		/* must be 0 */
};

enum sp_type {
	SP_T_HELLO = 1,		/* c->s: struct sp_hello */
	SP_T_HELLO_REPLY,	/* s->c: struct sp_welcome */
	SP_T_CALL,		/* c->s: int64 args[6], in-data */
	SP_T_REPLY,		/* s->c: int64 rv[2], out-data */
	SP_T_INTERRUPT,		/* c->s: interrupt the call in flight */
	SP_T_FORK,		/* c->s: fork my process; reply: cookie */
	SP_T_FORK_REPLY,	/* s->c: uint8 cookie[SP_TOKEN] */
	SP_T_EXEC,		/* c->s: my image exec'ed: close cloexec */
	SP_T_EXEC_REPLY,	/* s->c: (errno in arg) */
};

/* How a connection joins a kernel process. */
enum sp_op {
	SP_OP_NEW = 1,		/* a new process (children of pid 1) */
	SP_OP_FORK,		/* claim a forked child by its cookie */
	SP_OP_ATTACH,		/* a new lwp of process pid (token) */
};

struct sp_hello {
	uint32_t	magic;
	uint32_t	version;
	uint64_t	tablesum;	/* SP_TABLE_SUM */
	uint32_t	op;		/* enum sp_op */
	int32_t		pid;		/* ATTACH */
	uint8_t		cookie[SP_TOKEN]; /* FORK: cookie; ATTACH: token */
};

struct sp_welcome {
	uint32_t	magic;
	uint32_t	version;
	uint64_t	tablesum;
	int32_t		error;		/* 0, or why the server refused */
	int32_t		pid;		/* the kernel process */
	uint8_t		token[SP_TOKEN]; /* for ATTACH by other threads */
	uint32_t	spare;
};

/* ------------------------------------------------ marshalling (sp_wire.c) */

/*
 * The wire index for host call nr with these arguments: aliases picked by
 * command (fcntl locks, int ioctls).  Returns >= 0, or -errno.
 */
int	sp_wire_pick(long nr, const long *args);

/*
 * The effective roles of a call: the table's, with ioctl's and fcntl's
 * third argument shaped by the command.  Returns 0 or an errno (ENOTTY for
 * an ioctl the wire cannot carry).  Both sides compute it from the
 * scalar arguments alone.
 */
int	sp_wire_shape(unsigned widx, const long *a, struct sysrole *sr);

/* A frame being built: a few fixed bytes and iovecs pointing at data. */
#define SP_MSG_IOV	64
#define SP_MSG_FIXED	2048
struct sp_msg {
	struct iovec	iov[SP_MSG_IOV];
	int		niov;
	size_t		total;
	size_t		fixed_used;
	unsigned char	*heap;		/* when it no longer fits: flattened */
	size_t		heap_len, heap_cap;
	unsigned char	fixed[SP_MSG_FIXED] __attribute__((aligned(8)));
};

void	sp_msg_init(struct sp_msg *m);
void	sp_msg_fini(struct sp_msg *m);
/* Append n bytes by copy (small) or by reference (data must outlive it). */
int	sp_msg_copy(struct sp_msg *m, const void *p, size_t n);
int	sp_msg_ref(struct sp_msg *m, const void *p, size_t n);
/* Patch the header's length; the header is the first SP_HDR bytes. */
void	sp_msg_finish(struct sp_msg *m);

/*
 * Client: encode call widx with the program's arguments a (shape sr)
 * into m, header first; wa gets the argument words as sent.  Returns 0
 * or an errno (EINVAL, EMSGSIZE).
 */
int	sp_enc_call(struct sp_msg *m, unsigned widx, const struct sysrole *sr,
	    const long *a, long *wa);

/*
 * Client: decode a reply body (after the header, n bytes) into the
 * program's buffers (a: the program's arguments, wa: as sent; error: the
 * reply's).  Returns 0, or EBADMSG when the reply does not fit the call.
 */
int	sp_dec_reply(const unsigned char *body, size_t n, const struct sysrole *sr,
	    const long *a, const long *wa, int error, long *rv);

/*
 * Server: a decoded call.  Arguments point into the frame (in-data) or
 * into out, an arena this call owns; kept for encoding the reply.
 */
struct sp_call {
	unsigned	widx;
	struct sysrole	sr;
	long		wa[6];		/* the arguments as they came */
	long		a[6];		/* as the kernel gets them */
	socklen_t	vrlen[6];
	struct msghdr	msg;
	size_t		cap[6];		/* out capacity of argument i */
	struct iovec	*iov;		/* an iov_in/out or msg vector */
	unsigned char	*arena;		/* out-buffers and vectors */
	size_t		arena_cap;
};

/*
 * Server: decode a CALL frame's body (it stays in place: in-data is
 * passed to the kernel where it lies).  Returns 0; an errno to answer the
 * call with (it is not made); or SP_BAD when the frame breaks the
 * protocol (the connection then ends).
 */
#define SP_BAD	(-2)	/* not -1: the server says "connection gone" with that */
int	sp_dec_call(struct sp_call *c, unsigned widx, unsigned char *body,
	    size_t n);
/* Server: the reply to a decoded call into m (header first). */
int	sp_enc_reply(struct sp_msg *m, struct sp_call *c, int error,
	    const long *rv);
void	sp_call_fini(struct sp_call *c);

#endif /* SYSPROXY_SP_PROTO_H */

/*
 * The marshalling of system calls on the sysproxy wire, for both ends:
 * the client encodes a call and decodes its reply, the server decodes the
 * call and encodes the reply.  What travels is decided by the roles the
 * generator emits from syscalls/table.mjs (gen/sysproxy_table.h); the
 * layout is in docs/sysproxy.md.  Every length the server reads is checked
 * before it is used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "sysproxy/sp_proto.h"

_Static_assert(sizeof(struct sp_hdr) == 16, "sp_hdr");
_Static_assert(sizeof(struct sp_hello) == 40, "sp_hello");
_Static_assert(sizeof(struct sp_welcome) == 48, "sp_welcome");

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define ARGS_BYTES	(6 * sizeof(int64_t))
#define IOCTL_MIN	256	/* an ioctl's buffer on the server, at least */
#define MSG_MAXNAME	256
#define MSG_MAXCTL	65536

/* ------------------------------------------------------------ shapes */

static bool
lock_cmd(long cmd)
{
	return cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW ||
	    cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

/* fcntl commands whose argument is a pointer the base entry cannot carry */
static bool
fcntl_ptr_cmd(long cmd)
{
	return cmd == F_GETOWN_EX || cmd == F_SETOWN_EX ||
	    cmd == 17 /* F_GETOWNER_UIDS */ || (cmd >= 1035 && cmd <= 1038);
}

/* ioctls whose argument points to an int (the ioctl_int entry) */
static bool
int_ioctl(unsigned long cmd)
{
	switch (cmd) {
	case FIONREAD: case FIONBIO: case SIOCATMARK: case TIOCOUTQ:
	case SIOCOUTQNSD: case BLKSSZGET: case BLKPBSZGET: case BLKROGET:
		return true;
	default:
		return false;
	}
}

static int
ioctl_shape(unsigned long cmd, struct sysrole *sr)
{
	unsigned dir = (unsigned)(cmd >> 30) & 3, size = (unsigned)(cmd >> 16) & 0x3fff;

	sr->len[2] = -1;
	sr->nullable[2] = 0;
	if (cmd > 0xffffffffUL)
		return ENOTTY;
	if (int_ioctl(cmd)) {
		sr->role[2] = SR_INOUT;
		sr->size[2] = sizeof(int);
	} else if (cmd == FIOCLEX || cmd == FIONCLEX || cmd == BLKFLSBUF) {
		sr->role[2] = SR_NONE;		/* no argument */
	} else if (cmd == BLKGETSIZE) {
		sr->role[2] = SR_OUT;
		sr->size[2] = sizeof(unsigned long);
	} else if (cmd >= SIOCGIFNAME && cmd <= SIOCSIFHWBROADCAST &&
	    cmd != SIOCGIFCONF) {
		sr->role[2] = SR_INOUT;		/* struct ifreq both ways */
		sr->size[2] = sizeof(struct ifreq);
	} else if (dir != 0 && size != 0) {
		/* the _IOC encoding: the buffer's size and direction */
		sr->role[2] = dir == 1 ? SR_IN : dir == 2 ? SR_OUT : SR_INOUT;
		sr->size[2] = size;
	} else {
		return ENOTTY;			/* no encoding: unknown shape */
	}
	return 0;
}

int
sp_wire_shape(unsigned widx, const long *a, struct sysrole *sr)
{
	if (widx >= SPW_COUNT)
		return ENOSYS;
	*sr = sp_wire[widx];
	switch (widx) {
	case SPW_ioctl:
		return ioctl_shape((unsigned long)a[1], sr);
	case SPW_ioctl_int:
		return int_ioctl((unsigned long)a[1]) ? 0 : EINVAL;
	case SPW_fcntl:
		if (lock_cmd(a[1]) || fcntl_ptr_cmd(a[1]))
			return EINVAL;
		return 0;
	case SPW_fcntl_lock:
		return lock_cmd(a[1]) ? 0 : EINVAL;
	default:
		return 0;
	}
}

int
sp_wire_pick(long nr, const long *args)
{
	int w;

	if (nr < 0 || nr >= (long)(sizeof(sp_wire_bynr) / sizeof(sp_wire_bynr[0])) ||
	    sp_wire_bynr[nr] == 0)
		return -ENOSYS;
	w = sp_wire_bynr[nr] - 1;
	if (w == SPW_fcntl && lock_cmd(args[1]))
		return SPW_fcntl_lock;
	if (w == SPW_ioctl && int_ioctl((unsigned long)args[1]))
		return SPW_ioctl_int;
	return w;
}

/* Calls whose byte counts may be cut to SP_MAXDATA: a short count is theirs. */
static bool
may_shorten(unsigned widx)
{
	return widx == SPW_read || widx == SPW_write || widx == SPW_pread64 ||
	    widx == SPW_pwrite64 || widx == SPW_sendto || widx == SPW_recvfrom ||
	    widx == SPW_getdents64;
}

/* ------------------------------------------------------------ messages */

void
sp_msg_init(struct sp_msg *m)
{
	m->niov = 0;
	m->total = 0;
	m->fixed_used = 0;
	m->heap = NULL;
	m->heap_len = m->heap_cap = 0;
}

void
sp_msg_fini(struct sp_msg *m)
{
	free(m->heap);
	m->heap = NULL;
}

/* Everything so far into one heap buffer: the vector ran out. */
static int
msg_flatten(struct sp_msg *m, size_t more)
{
	size_t need = m->total + more, off = 0;
	unsigned char *h;

	if (m->heap == NULL) {
		size_t cap = need < 65536 ? 65536 : need;

		if ((h = malloc(cap)) == NULL)
			return ENOMEM;
		for (int i = 0; i < m->niov; i++) {
			memcpy(h + off, m->iov[i].iov_base, m->iov[i].iov_len);
			off += m->iov[i].iov_len;
		}
		m->heap = h;
		m->heap_cap = cap;
		m->heap_len = off;
		m->niov = 1;
	} else if (need > m->heap_cap) {
		size_t cap = m->heap_cap * 2 > need ? m->heap_cap * 2 : need;

		if ((h = realloc(m->heap, cap)) == NULL)
			return ENOMEM;
		m->heap = h;
		m->heap_cap = cap;
	}
	m->iov[0].iov_base = m->heap;
	m->iov[0].iov_len = m->heap_len;
	return 0;
}

static int
msg_append_heap(struct sp_msg *m, const void *p, size_t n)
{
	int error;

	if ((error = msg_flatten(m, n)) != 0)
		return error;
	memcpy(m->heap + m->heap_len, p, n);
	m->heap_len += n;
	m->iov[0].iov_len = m->heap_len;
	m->total += n;
	return 0;
}

/*
 * Append n bytes: copied into the fixed area (merging with the piece
 * before when they touch), or by reference; when the vector is full,
 * everything moves into one heap buffer.
 */
static int
msg_add(struct sp_msg *m, const void *p, size_t n, bool copy)
{
	struct iovec *last = m->niov ? &m->iov[m->niov - 1] : NULL;

	if (n == 0)
		return 0;
	if (m->total + n > SP_MAXFRAME)
		return EMSGSIZE;
	if (m->heap != NULL)
		return msg_append_heap(m, p, n);
	if (copy && m->fixed_used + n <= sizeof(m->fixed)) {
		unsigned char *dst = m->fixed + m->fixed_used;

		if (last != NULL && (unsigned char *)last->iov_base +
		    last->iov_len == dst) {
			last->iov_len += n;
		} else if (m->niov < SP_MSG_IOV) {
			m->iov[m->niov++] = (struct iovec){ dst, n };
		} else {
			return msg_append_heap(m, p, n);
		}
		memcpy(dst, p, n);
		m->fixed_used += n;
	} else if (!copy && m->niov < SP_MSG_IOV) {
		m->iov[m->niov++] = (struct iovec){ (void *)(uintptr_t)p, n };
	} else {
		return msg_append_heap(m, p, n);
	}
	m->total += n;
	return 0;
}

int
sp_msg_copy(struct sp_msg *m, const void *p, size_t n)
{
	return msg_add(m, p, n, true);
}

int
sp_msg_ref(struct sp_msg *m, const void *p, size_t n)
{
	/* small pieces are cheaper copied than given a vector slot */
	return msg_add(m, p, n, n <= 256);
}

static int
msg_u32(struct sp_msg *m, uint32_t v)
{
	return sp_msg_copy(m, &v, sizeof(v));
}

void
sp_msg_finish(struct sp_msg *m)
{
	uint32_t len = (uint32_t)m->total;

	/* the header is the first bytes of the first piece */
	memcpy(m->iov[0].iov_base, &len, sizeof(len));
}

/* ------------------------------------------------------------ client */

/* Bytes of buffer argument i (role IN/OUT/INOUT); -1 if out of range. */
static long
buf_size(const struct sysrole *sr, const long *wa, int i)
{
	long n;

	if (sr->len[i] < 0)
		return (long)sr->size[i];
	n = wa[(int)sr->len[i]];
	if (n < 0 || sr->size[i] == 0 ||
	    (unsigned long)n > SP_MAXDATA / sr->size[i])
		return -1;
	return n * (long)sr->size[i];
}

static bool
is_ptr(int role)
{
	return role >= SR_PATH && role != SR_VRLEN;
}

static int
enc_strarg(struct sp_msg *m, const char *s)
{
	size_t n = strnlen(s, SP_MAXSTR);
	int error;

	if (n >= SP_MAXSTR)
		return ENAMETOOLONG;
	if ((error = msg_u32(m, (uint32_t)(n + 1))) != 0)
		return error;
	return sp_msg_ref(m, s, n + 1);
}

static int
enc_iov(struct sp_msg *m, const struct iovec *iov, long cnt, bool data)
{
	size_t total = 0;
	int error;

	if (cnt < 0 || cnt > SP_MAXIOV)
		return EINVAL;
	for (long j = 0; j < cnt; j++) {
		if (iov[j].iov_len > SP_MAXDATA - total)
			return EINVAL;
		total += iov[j].iov_len;
		if ((error = msg_u32(m, (uint32_t)iov[j].iov_len)) != 0)
			return error;
	}
	for (long j = 0; data && j < cnt; j++)
		if ((error = sp_msg_ref(m, iov[j].iov_base, iov[j].iov_len)) != 0)
			return error;
	return 0;
}

static int
enc_msg(struct sp_msg *m, const struct msghdr *mh, bool in)
{
	uint32_t h[4];
	int error;

	if (mh->msg_iovlen > SP_MAXIOV || mh->msg_namelen > MSG_MAXNAME ||
	    mh->msg_controllen > MSG_MAXCTL)
		return EINVAL;
	h[0] = mh->msg_name != NULL ? mh->msg_namelen : 0;
	h[1] = (uint32_t)mh->msg_iovlen;
	h[2] = mh->msg_control != NULL ? (uint32_t)mh->msg_controllen : 0;
	h[3] = (uint32_t)mh->msg_flags;
	if ((error = sp_msg_copy(m, h, sizeof(h))) != 0 ||
	    (error = enc_iov(m, mh->msg_iov, (long)mh->msg_iovlen, in)) != 0)
		return error;
	if (in && (error = sp_msg_ref(m, mh->msg_name, h[0])) == 0)
		error = sp_msg_ref(m, mh->msg_control, h[2]);
	return error;
}

int
sp_enc_call(struct sp_msg *m, unsigned widx, const struct sysrole *sr,
    const long *a, long *wa)
{
	struct sp_hdr h = { 0, SP_T_CALL, 0, widx, 0 };
	int error = 0;

	for (int i = 0; i < 6; i++) {
		int r = i < sr->nargs ? sr->role[i] : SR_NONE;

		if (r == SR_VAL || r == SR_FD)
			wa[i] = a[i];
		else if (r == SR_VRLEN)
			wa[i] = a[i] ? (long)*(const socklen_t *)a[i] : -1;
		else if (r == SR_NONE)
			wa[i] = 0;
		else
			wa[i] = a[i] != 0;
	}
	/* byte counts of data calls: cut to what one frame carries */
	for (int i = 0; i < sr->nargs; i++)
		if (may_shorten(widx) && (sr->role[i] == SR_IN ||
		    sr->role[i] == SR_OUT) && sr->len[i] >= 0 && sr->size[i] == 1 &&
		    (unsigned long)wa[(int)sr->len[i]] > SP_MAXDATA)
			wa[(int)sr->len[i]] = SP_MAXDATA;
	if ((error = sp_msg_copy(m, &h, sizeof(h))) != 0 ||
	    (error = sp_msg_copy(m, wa, ARGS_BYTES)) != 0)
		return error;
	for (int i = 0; i < sr->nargs && error == 0; i++) {
		const void *p = (const void *)a[i];
		long n;

		if (!is_ptr(sr->role[i]) || p == NULL)
			continue;
		switch (sr->role[i]) {
		case SR_PATH:
		case SR_STR:
			error = enc_strarg(m, p);
			break;
		case SR_IN:
		case SR_INOUT:
		case SR_OUT:
			if ((n = buf_size(sr, wa, i)) < 0)
				return EINVAL;
			if (sr->role[i] != SR_OUT)
				error = sp_msg_ref(m, p, (size_t)n);
			break;
		case SR_IOV_IN:
		case SR_IOV_OUT:
			error = enc_iov(m, p, wa[(int)sr->len[i]],
			    sr->role[i] == SR_IOV_IN);
			break;
		case SR_MSG_IN:
		case SR_MSG_OUT:
			error = enc_msg(m, p, sr->role[i] == SR_MSG_IN);
			break;
		default:
			break;
		}
	}
	if (error == 0)
		sp_msg_finish(m);
	return error;
}

/* A cursor over received bytes. */
struct rd {
	const unsigned char *p, *end;
};

static bool
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->end - r->p < 4)
		return false;
	memcpy(v, r->p, 4);
	r->p += 4;
	return true;
}

static const unsigned char *
rd_bytes(struct rd *r, size_t n)
{
	const unsigned char *p = r->p;

	if ((size_t)(r->end - r->p) < n)
		return NULL;
	r->p += n;
	return p;
}

/* A counted piece no longer than cap into dst. */
static bool
rd_piece(struct rd *r, void *dst, size_t cap, uint32_t *got)
{
	const unsigned char *p;
	uint32_t n;

	if (!rd_u32(r, &n) || n > cap || (p = rd_bytes(r, n)) == NULL)
		return false;
	if (n)
		memcpy(dst, p, n);
	if (got)
		*got = n;
	return true;
}

static bool
rd_scatter(struct rd *r, const struct iovec *iov, size_t cnt)
{
	const unsigned char *p;
	size_t cap = 0;
	uint32_t n;

	for (size_t j = 0; j < cnt; j++)
		cap += iov[j].iov_len;
	if (!rd_u32(r, &n) || n > cap || (p = rd_bytes(r, n)) == NULL)
		return false;
	for (size_t j = 0; j < cnt && n > 0; j++) {
		size_t k = iov[j].iov_len < n ? iov[j].iov_len : n;

		memcpy(iov[j].iov_base, p, k);
		p += k;
		n -= (uint32_t)k;
	}
	return true;
}

static bool
dec_msg_out(struct rd *r, struct msghdr *mh)
{
	uint32_t h[3];

	if (!rd_u32(r, &h[0]) || !rd_u32(r, &h[1]) || !rd_u32(r, &h[2]))
		return false;
	if (!rd_piece(r, mh->msg_name, mh->msg_name ? mh->msg_namelen : 0, NULL) ||
	    !rd_scatter(r, mh->msg_iov, mh->msg_iovlen) ||
	    !rd_piece(r, mh->msg_control,
	    mh->msg_control ? mh->msg_controllen : 0, NULL))
		return false;
	mh->msg_namelen = h[0];
	mh->msg_controllen = h[1];
	mh->msg_flags = (int)h[2];
	return true;
}

int
sp_dec_reply(const unsigned char *body, size_t n, const struct sysrole *sr,
    const long *a, const long *wa, int error, long *rv)
{
	struct rd r = { body, body + n };
	int64_t v[2];

	if (n < sizeof(v))
		return EBADMSG;
	memcpy(v, r.p, sizeof(v));
	r.p += sizeof(v);
	rv[0] = (long)v[0];
	rv[1] = (long)v[1];
	for (int i = 0; error == 0 && i < sr->nargs; i++) {
		void *p = (void *)a[i];
		long cap;
		bool ok = true;

		if (!is_ptr(sr->role[i]) && sr->role[i] != SR_VRLEN)
			continue;
		if (p == NULL)
			continue;
		switch (sr->role[i]) {
		case SR_OUT:
		case SR_INOUT:
			cap = buf_size(sr, wa, i);
			ok = cap >= 0 && rd_piece(&r, p, (size_t)cap, NULL);
			break;
		case SR_IOV_OUT:
			ok = rd_scatter(&r, p, (size_t)wa[(int)sr->len[i]]);
			break;
		case SR_VROUT: {
			int li = sr->len[i];

			cap = li >= 0 && wa[li] >= 0 ? wa[li] : 0;
			ok = rd_piece(&r, p, (size_t)cap, NULL);
			break;
		}
		case SR_VRLEN: {
			uint32_t x;

			if ((ok = rd_u32(&r, &x)))
				*(socklen_t *)p = x;
			break;
		}
		case SR_MSG_OUT:
			ok = dec_msg_out(&r, p);
			break;
		default:
			break;
		}
		if (!ok)
			return EBADMSG;
	}
	return r.p == r.end ? 0 : EBADMSG;
}

/* ------------------------------------------------------------ server */

/* The call's arena: a bump allocator; NULL when it is exhausted. */
static void *
arena_take(struct sp_call *c, size_t *used, size_t n)
{
	size_t off = (*used + 15) & ~(size_t)15;
	void *p;

	if (off > c->arena_cap || n > c->arena_cap - off)
		return NULL;
	p = c->arena + off;
	*used = off + n;
	return p;
}

/* An iovec array for cnt counted lengths; data in the frame or arena. */
static int
dec_iov(struct sp_call *c, struct rd *r, size_t *used, long cnt, bool in,
    struct iovec **iovp, size_t *totalp)
{
	struct iovec *iov;
	unsigned char *data;
	size_t total = 0;

	if (cnt < 0 || cnt > SP_MAXIOV)
		return SP_BAD;
	if ((iov = arena_take(c, used, (size_t)cnt * sizeof(*iov) + 1)) == NULL)
		return ENOMEM;
	for (long j = 0; j < cnt; j++) {
		uint32_t n;

		if (!rd_u32(r, &n) || n > SP_MAXDATA - total)
			return SP_BAD;
		iov[j].iov_len = n;
		total += n;
	}
	if (in) {
		if ((data = (unsigned char *)rd_bytes(r, total)) == NULL)
			return SP_BAD;
	} else if ((data = arena_take(c, used, total + 1)) == NULL) {
		return ENOMEM;
	}
	for (long j = 0; j < cnt; j++) {
		iov[j].iov_base = data;
		data += iov[j].iov_len;
	}
	*iovp = iov;
	*totalp = total;
	return 0;
}

static int
dec_msg(struct sp_call *c, struct rd *r, size_t *used, bool in)
{
	struct msghdr *mh = &c->msg;
	uint32_t h[4];
	size_t total;
	int error;

	for (int j = 0; j < 4; j++)
		if (!rd_u32(r, &h[j]))
			return SP_BAD;
	if (h[0] > MSG_MAXNAME || h[1] > SP_MAXIOV || h[2] > MSG_MAXCTL)
		return SP_BAD;
	memset(mh, 0, sizeof(*mh));
	if ((error = dec_iov(c, r, used, h[1], in, &mh->msg_iov, &total)) != 0)
		return error;
	mh->msg_iovlen = h[1];
	mh->msg_namelen = h[0];
	mh->msg_controllen = h[2];
	mh->msg_flags = (int)h[3];
	/* capacities for the reply: a msghdr call has at most three arguments */
	c->cap[3] = h[0];
	c->cap[4] = h[2];
	c->cap[5] = total;
	if (in) {
		if ((mh->msg_name = (void *)rd_bytes(r, h[0])) == NULL ||
		    (mh->msg_control = (void *)rd_bytes(r, h[2])) == NULL)
			return SP_BAD;
	} else if ((mh->msg_name = arena_take(c, used, h[0] + 1)) == NULL ||
	    (mh->msg_control = arena_take(c, used, h[2] + 1)) == NULL) {
		return ENOMEM;
	}
	if (h[0] == 0)
		mh->msg_name = NULL;
	if (h[2] == 0)
		mh->msg_control = NULL;
	return 0;
}

/* One pointer argument of the call. */
static int
dec_arg(struct sp_call *c, struct rd *r, size_t *used, int i)
{
	const struct sysrole *sr = &c->sr;
	const unsigned char *p = NULL;
	long n;
	uint32_t len;
	int error;

	switch (sr->role[i]) {
	case SR_PATH:
	case SR_STR:
		if (!rd_u32(r, &len) || len == 0 || len > SP_MAXSTR ||
		    (p = rd_bytes(r, len)) == NULL || p[len - 1] != '\0')
			return SP_BAD;
		c->a[i] = (long)p;
		return 0;
	case SR_IN:
	case SR_INOUT:
	case SR_OUT:
		if ((n = buf_size(sr, c->wa, i)) < 0)
			return SP_BAD;
		c->cap[i] = (size_t)n;
		if (sr->role[i] != SR_OUT &&
		    (p = rd_bytes(r, (size_t)n)) == NULL)
			return SP_BAD;
		if (c->widx == SPW_ioctl || c->widx == SPW_ioctl_int) {
			/* room beyond the shape, whatever the driver thinks */
			unsigned char *q = arena_take(c, used, IOCTL_MIN + (size_t)n);

			if (q == NULL)
				return ENOMEM;
			memset(q, 0, IOCTL_MIN + (size_t)n);
			if (sr->role[i] != SR_OUT)
				memcpy(q, p, (size_t)n);
			c->a[i] = (long)q;
		} else if (sr->role[i] == SR_OUT) {
			unsigned char *q = arena_take(c, used, (size_t)n + 1);

			if (q == NULL)
				return ENOMEM;
			if (sr->len[i] < 0)
				memset(q, 0, (size_t)n);
			c->a[i] = (long)q;
		} else {
			c->a[i] = (long)p;	/* in place: the frame is ours */
		}
		return 0;
	case SR_IOV_IN:
	case SR_IOV_OUT:
		error = dec_iov(c, r, used, c->wa[(int)sr->len[i]],
		    sr->role[i] == SR_IOV_IN, &c->iov, &c->cap[i]);
		c->a[i] = (long)c->iov;
		return error;
	case SR_VROUT: {
		int li = sr->len[i];

		n = li >= 0 && c->wa[li] >= 0 ? c->wa[li] : 0;
		if (n > 65536)
			return SP_BAD;
		c->cap[i] = (size_t)n;
		if ((c->a[i] = (long)arena_take(c, used, (size_t)n + 1)) == 0)
			return ENOMEM;
		memset((void *)c->a[i], 0, (size_t)n);
		return 0;
	}
	case SR_MSG_IN:
	case SR_MSG_OUT:
		error = dec_msg(c, r, used, sr->role[i] == SR_MSG_IN);
		c->a[i] = (long)&c->msg;
		return error;
	default:
		return 0;
	}
}

static int
dec_call_once(struct sp_call *c, unsigned char *body, size_t n)
{
	struct rd r = { body + ARGS_BYTES, body + n };
	const struct sysrole *sr = &c->sr;
	size_t used = 0;
	int error;

	for (int i = 0; i < 6; i++) {
		int role = i < sr->nargs ? sr->role[i] : SR_NONE;

		c->a[i] = 0;
		c->cap[i] = 0;
		if (role == SR_VAL || role == SR_FD) {
			c->a[i] = c->wa[i];
		} else if (role == SR_VRLEN) {
			if (c->wa[i] < -1 || c->wa[i] > 65536)
				return SP_BAD;
			c->vrlen[i] = (socklen_t)c->wa[i];
			c->a[i] = c->wa[i] < 0 ? 0 : (long)&c->vrlen[i];
		} else if (role != SR_NONE && c->wa[i] != 0 && c->wa[i] != 1) {
			return SP_BAD;
		} else if (role == SR_NONE && c->wa[i] != 0) {
			return SP_BAD;
		}
	}
	for (int i = 0; i < sr->nargs; i++) {
		if (!is_ptr(sr->role[i]) || c->wa[i] == 0)
			continue;
		if ((error = dec_arg(c, &r, &used, i)) != 0)
			return error;
	}
	return r.p == r.end ? 0 : SP_BAD;
}

int
sp_dec_call(struct sp_call *c, unsigned widx, unsigned char *body, size_t n)
{
	int64_t w[6];
	int error;

	if (n < ARGS_BYTES || widx >= SPW_COUNT)
		return SP_BAD;
	memcpy(w, body, sizeof(w));
	for (int i = 0; i < 6; i++)
		c->wa[i] = (long)w[i];
	c->widx = widx;
	if ((error = sp_wire_shape(widx, c->wa, &c->sr)) != 0)
		return error;
	for (;;) {
		error = dec_call_once(c, body, n);
		if (error != ENOMEM || c->arena_cap >= SP_MAXFRAME + 65536)
			return error == ENOMEM ? SP_BAD : error;
		/* the arena was too small: grow it, to the most a call needs */
		size_t cap = c->arena_cap < 65536 ? 65536 : SP_MAXFRAME + 65536;
		unsigned char *na = realloc(c->arena, cap);

		if (na == NULL)
			return ENOMEM;
		c->arena = na;
		c->arena_cap = cap;
	}
}

void
sp_call_fini(struct sp_call *c)
{
	free(c->arena);
	c->arena = NULL;
	c->arena_cap = 0;
}

static int
enc_piece(struct sp_msg *m, const void *p, size_t n)
{
	int error = msg_u32(m, (uint32_t)n);

	return error ? error : sp_msg_ref(m, p, n);
}

static size_t
min_rv(size_t cap, long rv, size_t elem)
{
	if (rv <= 0)
		return 0;
	return (size_t)rv < cap / elem ? (size_t)rv * elem : cap;
}

static int
enc_out(struct sp_msg *m, struct sp_call *c, int i, long rv)
{
	const struct sysrole *sr = &c->sr;
	struct msghdr *mh = &c->msg;
	int error;

	switch (sr->role[i]) {
	case SR_OUT:
		if (sr->len[i] >= 0)
			return enc_piece(m, (void *)c->a[i],
			    min_rv(c->cap[i], rv, sr->size[i]));
		return enc_piece(m, (void *)c->a[i], c->cap[i]);
	case SR_INOUT:
		return enc_piece(m, (void *)c->a[i], c->cap[i]);
	case SR_IOV_OUT:
		return enc_piece(m, c->cap[i] ? c->iov[0].iov_base : NULL,
		    min_rv(c->cap[i], rv, 1));
	case SR_VRLEN:
		return msg_u32(m, c->vrlen[i]);
	case SR_VROUT: {
		int li = sr->len[i];
		size_t n = li >= 0 && c->a[li] ? c->vrlen[li] : 0;

		return enc_piece(m, (void *)c->a[i], n < c->cap[i] ? n : c->cap[i]);
	}
	case SR_MSG_OUT: {
		uint32_t h[3] = { mh->msg_namelen, (uint32_t)mh->msg_controllen,
		    (uint32_t)mh->msg_flags };
		size_t nn = mh->msg_name ? MIN(mh->msg_namelen, c->cap[3]) : 0;
		size_t nc = mh->msg_control ? MIN(mh->msg_controllen, c->cap[4]) : 0;
		void *d = c->cap[5] ? mh->msg_iov[0].iov_base : NULL;

		if ((error = sp_msg_copy(m, h, sizeof(h))) != 0 ||
		    (error = enc_piece(m, mh->msg_name, nn)) != 0 ||
		    (error = enc_piece(m, d, min_rv(c->cap[5], rv, 1))) != 0)
			return error;
		return enc_piece(m, mh->msg_control, nc);
	}
	default:
		return 0;
	}
}

int
sp_enc_reply(struct sp_msg *m, struct sp_call *c, int error, const long *rv)
{
	struct sp_hdr h = { 0, SP_T_REPLY, 0, (uint32_t)error, 0 };
	int64_t v[2] = { rv[0], rv[1] };
	int e;

	if ((e = sp_msg_copy(m, &h, sizeof(h))) != 0 ||
	    (e = sp_msg_copy(m, v, sizeof(v))) != 0)
		return e;
	for (int i = 0; error == 0 && i < c->sr.nargs; i++) {
		int role = c->sr.role[i];

		if ((!is_ptr(role) && role != SR_VRLEN) || c->a[i] == 0)
			continue;
		if ((e = enc_out(m, c, i, rv[0])) != 0)
			return e;
	}
	sp_msg_finish(m);
	return 0;
}

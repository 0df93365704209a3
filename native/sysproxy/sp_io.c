/*
 * Frames over a stream socket, with raw system calls (see sp_io.h): one
 * sendmsg per frame sent, and a receive that takes whatever has arrived
 * and cuts frames from it, so a small frame costs one recvfrom.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "sysproxy/sp_io.h"

#define RBUF_MIN	65536

long
sp_raw(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
#if defined(__x86_64__)
	long ret;
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;

	__asm__ volatile ("syscall" : "=a"(ret)
	    : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x3 __asm__("x3") = a3;
	register long x4 __asm__("x4") = a4;
	register long x5 __asm__("x5") = a5;

	__asm__ volatile ("svc 0" : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
	    : "memory");
	return x0;
#else
#error "sp_raw: no raw system call for this architecture"
#endif
}

void
sp_rbuf_fini(struct sp_rbuf *rb)
{
	free(rb->buf);
	rb->buf = NULL;
	rb->cap = rb->have = rb->next = 0;
}

static int
rbuf_reserve(struct sp_rbuf *rb, size_t need)
{
	unsigned char *b;
	size_t cap = rb->cap ? rb->cap : RBUF_MIN;

	while (cap < need)
		cap *= 2;
	if (cap == rb->cap)
		return 0;
	if ((b = realloc(rb->buf, cap)) == NULL)
		return -ENOMEM;
	rb->buf = b;
	rb->cap = cap;
	return 0;
}

int
sp_recv_frame(int fd, struct sp_rbuf *rb, int spin)
{
	int error;

	/* drop the frame handed out last time */
	if (rb->next > 0) {
		rb->have -= rb->next;
		if (rb->have > 0)
			memmove(rb->buf, rb->buf + rb->next, rb->have);
		rb->next = 0;
	}
	if ((error = rbuf_reserve(rb, RBUF_MIN)) != 0)
		return error;
	for (;;) {
		size_t want = sizeof(struct sp_hdr);
		long n;

		if (rb->have >= sizeof(struct sp_hdr)) {
			struct sp_hdr h;

			memcpy(&h, rb->buf, sizeof(h));
			if (h.len < sizeof(h) || h.len > SP_MAXFRAME)
				return -EBADMSG;
			if (rb->have >= h.len) {
				rb->next = h.len;
				return 0;
			}
			want = h.len;
			if ((error = rbuf_reserve(rb, want)) != 0)
				return error;
		}
		n = sp_raw(SYS_recvfrom, fd, (long)(rb->buf + rb->have),
		    (long)(rb->cap - rb->have), spin > 0 ? MSG_DONTWAIT : 0, 0, 0);
		if (n == -EAGAIN && spin > 0) {
			spin--;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return (int)n;
		rb->have += (size_t)n;
	}
}

int
sp_send_msg(int fd, struct sp_msg *m)
{
	struct msghdr mh = { 0 };
	struct iovec *iov = m->iov;
	int niov = m->niov;

	while (niov > 0) {
		long n;

		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)niov;
		n = sp_raw(SYS_sendmsg, fd, (long)&mh, MSG_NOSIGNAL, 0, 0, 0);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		/* a short send: move past what went */
		while (niov > 0 && (size_t)n >= iov->iov_len) {
			n -= (long)iov->iov_len;
			iov++;
			niov--;
		}
		if (niov > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

int
sp_send_all(int fd, const void *p, size_t n)
{
	struct sp_msg m;
	int error;

	sp_msg_init(&m);
	m.iov[0] = (struct iovec){ (void *)(uintptr_t)p, n };
	m.niov = 1;
	error = sp_send_msg(fd, &m);
	sp_msg_fini(&m);
	return error;
}

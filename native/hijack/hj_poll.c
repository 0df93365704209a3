/*
 * poll, select and epoll over host and kernel descriptors.  A set on one
 * side goes to that side whole.  A mixed set is waited for by bounded
 * alternation: the host side is polled without waiting, then the kernel
 * side waits for a slice (1 ms, doubling to 32 ms), until something is
 * ready or the timeout passes; so a mixed wait costs a few wake-ups per
 * second at most and a host event is seen within a slice.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

#include "hj_int.h"

#define SLICE_MAX_MS	32

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long
host_poll(struct pollfd *p, unsigned long n, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	return hj_host_syscall(SYS_ppoll, (long)p, (long)n,
	    ms < 0 ? 0 : (long)&ts, 0, 8, 0);
}

/* the kernel side's poll, with program descriptors turned into its own */
static long
kern_poll(struct pollfd *p, unsigned long n, long ms)
{
	return hj_ksys(SYS_poll, (long)p, (long)n, ms, 0, 0, 0);
}

/* poll over both sides; fds are the program's */
static long
poll_mixed(struct pollfd *fds, unsigned long n, long timeout)
{
	struct pollfd *h, *k;
	unsigned long nh = 0, nk = 0, *where;
	long r = 0, rh, rk, deadline, slice = 1, wait;

	if ((h = calloc(n * 2, sizeof(*h))) == NULL ||
	    (where = calloc(n, sizeof(*where))) == NULL) {
		free(h);
		return -ENOMEM;
	}
	k = h + n;
	for (unsigned long i = 0; i < n; i++) {
		int kfd = hj_kfd(fds[i].fd);

		if (kfd >= 0) {
			k[nk] = fds[i];
			k[nk].fd = kfd;
			where[i] = n + nk++;
		} else {
			h[nh] = fds[i];
			where[i] = nh++;
		}
	}
	deadline = timeout < 0 ? -1 : now_ms() + timeout;
	for (;;) {
		rh = nh ? host_poll(h, nh, nk ? 0 : timeout) : 0;
		if (rh < 0) {
			r = rh;
			break;
		}
		wait = rh > 0 ? 0 : slice;
		if (deadline >= 0) {
			long left = deadline - now_ms();
			if (left < wait)
				wait = left < 0 ? 0 : left;
		}
		rk = nk ? kern_poll(k, nk, nh ? wait : timeout) : 0;
		if (rk < 0) {
			r = rk;
			break;
		}
		if (rh + rk > 0 || nh == 0 || nk == 0 ||
		    (deadline >= 0 && now_ms() >= deadline)) {
			r = rh + rk;
			break;
		}
		if (slice < SLICE_MAX_MS)
			slice *= 2;
	}
	if (r >= 0)
		for (unsigned long i = 0; i < n; i++)
			fds[i].revents = h[where[i]].revents;
	free(where);
	free(h);
	return r;
}

static long
timeout_ms(const struct timespec *ts)
{
	if (ts == NULL)
		return -1;
	return ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
}

static bool
has_kernel_fd(const struct pollfd *fds, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (hj_kfd(fds[i].fd) >= 0)
			return true;
	return false;
}

/* select's sets as a poll array, and back */
static long
do_select(long nfds, fd_set *r, fd_set *w, fd_set *e, long ms, bool *host)
{
	struct pollfd pf[FD_SETSIZE];
	unsigned long n = 0;
	long ret, cnt = 0;

	if (nfds < 0 || nfds > FD_SETSIZE)
		return -EINVAL;
	*host = true;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = 0;

		if (r && FD_ISSET(fd, r))
			ev |= POLLIN;
		if (w && FD_ISSET(fd, w))
			ev |= POLLOUT;
		if (e && FD_ISSET(fd, e))
			ev |= POLLPRI;
		if (ev == 0)
			continue;
		if (hj_kfd(fd) >= 0)
			*host = false;
		pf[n].fd = fd;
		pf[n].events = ev;
		pf[n++].revents = 0;
	}
	if (*host)
		return 0;
	ret = poll_mixed(pf, n, ms);
	if (ret < 0)
		return ret;
	for (unsigned long i = 0; i < n; i++)
		if (pf[i].revents & POLLNVAL)
			return -EBADF;
	if (r) FD_ZERO(r);
	if (w) FD_ZERO(w);
	if (e) FD_ZERO(e);
	for (unsigned long i = 0; i < n; i++) {
		short rv = pf[i].revents;

		if (r && (pf[i].events & POLLIN) &&
		    (rv & (POLLIN | POLLHUP | POLLERR)))
			FD_SET(pf[i].fd, r), cnt++;
		if (w && (pf[i].events & POLLOUT) && (rv & (POLLOUT | POLLERR)))
			FD_SET(pf[i].fd, w), cnt++;
		if (e && (pf[i].events & POLLPRI) && (rv & POLLPRI))
			FD_SET(pf[i].fd, e), cnt++;
	}
	return cnt;
}

long
hj_sys_poll(long nr, const long *a)
{
	struct timeval *tv;
	long ms, r;
	bool host;

	switch (nr) {
	case SYS_poll:
	case SYS_ppoll:
		if (!has_kernel_fd((struct pollfd *)a[0], (unsigned long)a[1]))
			break;
		ms = nr == SYS_poll ? a[2] :
		    timeout_ms((const struct timespec *)a[2]);
		return poll_mixed((struct pollfd *)a[0], (unsigned long)a[1],
		    ms);
	case SYS_select:
		tv = (struct timeval *)a[4];
		ms = tv ? tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000 : -1;
		r = do_select(a[0], (fd_set *)a[1], (fd_set *)a[2],
		    (fd_set *)a[3], ms, &host);
		if (!host)
			return r;
		break;
	case SYS_pselect6:
		r = do_select(a[0], (fd_set *)a[1], (fd_set *)a[2],
		    (fd_set *)a[3], timeout_ms((struct timespec *)a[4]), &host);
		if (!host)
			return r;
		break;
	}
	return hj_host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * epoll: the program's instance is a host one; kernel descriptors added
 * to it go into a kernel instance made for it on first use.
 */
struct ep {
	int	kep;		/* kernel instance + 1 */
	int	nhost, nkern;
};
static struct ep eps[HJ_MAPMAX];

static struct ep *
ep_of(long epfd)
{
	return epfd >= 0 && epfd < HJ_MAPMAX ? &eps[epfd] : NULL;
}

void
hj_epoll_closed(long fd)
{
	struct ep *e = ep_of(fd);

	if (e != NULL && e->kep != 0)
		hj_ksys(SYS_close, e->kep - 1, 0, 0, 0, 0, 0);
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

static long
ep_ctl(const long *a)
{
	struct ep *e = ep_of(a[0]);
	int kfd = hj_kfd(a[2]);
	long r;

	if (kfd < 0) {
		r = hj_host_syscall(SYS_epoll_ctl, a[0], a[1], a[2], a[3], 0,
		    0);
		if (r == 0 && e != NULL)
			e->nhost += a[1] == EPOLL_CTL_ADD ? 1 :
			    a[1] == EPOLL_CTL_DEL ? -1 : 0;
		return r;
	}
	if (e == NULL)
		return -EINVAL;
	if (e->kep == 0) {
		r = hj_ksys(SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
		if (r < 0)
			return r;
		e->kep = (int)r + 1;
	}
	r = hj_ksys(SYS_epoll_ctl, e->kep - 1, a[1], kfd, a[3], 0, 0);
	if (r == 0)
		e->nkern += a[1] == EPOLL_CTL_ADD ? 1 :
		    a[1] == EPOLL_CTL_DEL ? -1 : 0;
	return r;
}

static long
ep_wait(long nr, const long *a, long timeout)
{
	struct ep *e = ep_of(a[0]);
	struct epoll_event *ev = (struct epoll_event *)a[1];
	long max = a[2], rh, rk, deadline, slice = 1, wait;

	if (e == NULL || e->kep == 0 || e->nkern <= 0)
		return hj_host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (max <= 0)
		return -EINVAL;
	if (e->nhost <= 0)
		return hj_ksys(SYS_epoll_wait, e->kep - 1, a[1], max, timeout,
		    0, 0);
	deadline = timeout < 0 ? -1 : now_ms() + timeout;
	for (;;) {
		rh = hj_host_syscall(SYS_epoll_wait, a[0], (long)ev, max, 0, 0,
		    0);
		if (rh < 0)
			return rh;
		wait = rh > 0 ? 0 : slice;
		if (deadline >= 0) {
			long left = deadline - now_ms();
			if (left < wait)
				wait = left < 0 ? 0 : left;
		}
		rk = rh == max ? 0 : hj_ksys(SYS_epoll_wait, e->kep - 1,
		    (long)(ev + rh), max - rh, wait, 0, 0);
		if (rk < 0)
			return rh > 0 ? rh : rk;
		if (rh + rk > 0 || (deadline >= 0 && now_ms() >= deadline))
			return rh + rk;
		if (slice < SLICE_MAX_MS)
			slice *= 2;
	}
}

long
hj_sys_epoll(long nr, const long *a)
{
	struct ep *e;
	long r;

	switch (nr) {
	case SYS_epoll_create:
	case SYS_epoll_create1:
		r = hj_host_syscall(nr, a[0], 0, 0, 0, 0, 0);
		if (r >= 0) {
			hj_fd_hostnew(r);
			if ((e = ep_of(r)) != NULL)
				memset(e, 0, sizeof(*e));
		}
		return r;
	case SYS_epoll_ctl:
		return ep_ctl(a);
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		return ep_wait(nr, a, a[3]);
	case SYS_epoll_pwait2:
		return ep_wait(nr, a, timeout_ms((struct timespec *)a[3]));
	}
	return -ENOSYS;
}

/*
 * poll, ppoll and select over any descriptors, and the selinfo mechanism
 * behind them: a poller records a waiter with every object that is not
 * ready, sleeps until one of them notifies (or the timeout), and looks again.
 */
#include <poll.h>
#include <sys/select.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/selinfo.h"
#include "gen/syscallargs.h"

void
selrecord(struct pollctx *pc, struct selinfo *si)
{
	struct selwaiter *sw;

	if (pc == NULL || pc->pc_nnodes >= pc->pc_cap)
		return;
	sw = &pc->pc_nodes[pc->pc_nnodes++];
	sw->sw_pc = pc;
	sw->sw_si = si;
	mutex_enter(&pc->pc_kernel->k_sellock);
	LIST_INSERT_HEAD(&si->si_waiters, sw, sw_list);
	mutex_exit(&pc->pc_kernel->k_sellock);
}

void
selwakeup_locked(struct selinfo *si, int key)
{
	struct selwaiter *sw;

	LIST_FOREACH(sw, &si->si_waiters, sw_list) {
		if (sw->sw_pc->pc_wake != NULL) {
			sw->sw_pc->pc_wake(sw->sw_pc, key);
			continue;
		}
		sw->sw_pc->pc_fired = true;
		cv_broadcast(&sw->sw_pc->pc_cv);
	}
}

void
selwakeup(struct rump_kernel *k, struct selinfo *si, int key)
{
	if (LIST_EMPTY(&si->si_waiters))
		return;		/* racy but safe: a poller rechecks after recording */
	mutex_enter(&k->k_sellock);
	selwakeup_locked(si, key);
	mutex_exit(&k->k_sellock);
}

void
selnotify(struct rump_kernel *k, struct selinfo *si)
{
	selwakeup(k, si, 0);
}

void
seldestroy(struct rump_kernel *k, struct selinfo *si)
{
	struct selwaiter *sw;

	mutex_enter(&k->k_sellock);
	while ((sw = LIST_FIRST(&si->si_waiters)) != NULL) {
		LIST_REMOVE(sw, sw_list);
		sw->sw_si = NULL;
		if (sw->sw_pc->pc_wake != NULL)
			continue;
		sw->sw_pc->pc_fired = true;
		cv_broadcast(&sw->sw_pc->pc_cv);
	}
	mutex_exit(&k->k_sellock);
}

void
selremove(struct pollctx *pc)
{
	mutex_enter(&pc->pc_kernel->k_sellock);
	for (int i = 0; i < pc->pc_nnodes; i++)
		if (pc->pc_nodes[i].sw_si != NULL)
			LIST_REMOVE(&pc->pc_nodes[i], sw_list);
	pc->pc_nnodes = 0;
	pc->pc_fired = false;
	mutex_exit(&pc->pc_kernel->k_sellock);
}

/*
 * The loop shared by poll and select: scan() checks every descriptor and
 * returns how many are ready (or a negative errno); timeout_ns < 0 waits
 * for ever.  A thread that must not sleep looks once.
 */
static int
pollloop(struct lwp *l, int nwait, int64_t timeout_ns,
    int (*scan)(void *arg, struct pollctx *pc), void *arg, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct pollctx pc = { .pc_kernel = k };
	int64_t deadline = timeout_ns >= 0 ? mono_ns() + timeout_ns : -1;
	size_t size = (size_t)(2 * nwait + 2) * sizeof(struct selwaiter);
	int n, error;

	if ((error = cv_init(&pc.pc_cv)) != 0)
		return error;
	if ((pc.pc_nodes = kmem_zalloc(k, size)) == NULL) {
		cv_destroy(&pc.pc_cv);
		return ENOMEM;
	}
	pc.pc_cap = 2 * nwait + 2;
	for (;;) {
		bool sleep = timeout_ns != 0 && !(l->l_flag & LW_NOSLEEP);

		n = scan(arg, sleep ? &pc : NULL);
		if (n != 0 || !sleep)
			break;
		mutex_enter(&k->k_sellock);
		while (!pc.pc_fired) {
			int64_t left = -1;

			if (deadline >= 0 &&
			    (left = deadline - mono_ns()) <= 0)
				break;
			if (lwp_sleep(&pc.pc_cv, &k->k_sellock, left) == EINTR) {
				error = EINTR;
				break;
			}
		}
		bool fired = pc.pc_fired;
		mutex_exit(&k->k_sellock);
		selremove(&pc);
		if (error != 0)
			break;
		if (!fired) {
			n = scan(arg, NULL);	/* the last look at the deadline */
			break;
		}
	}
	selremove(&pc);
	kmem_free(k, pc.pc_nodes, size);
	cv_destroy(&pc.pc_cv);
	if (error != 0)
		return error;
	*retval = n;
	return 0;
}

struct pollscan {
	struct proc	*p;
	struct pollfd	*fds;
	unsigned long	nfds;
};

static int
poll_scan(void *arg, struct pollctx *pc)
{
	struct pollscan *ps = arg;
	int n = 0;

	for (unsigned long i = 0; i < ps->nfds; i++) {
		struct pollfd *pfd = &ps->fds[i];
		struct file *fp;
		int ev = pfd->events | POLLERR | POLLHUP;

		pfd->revents = 0;
		if (pfd->fd < 0)
			continue;
		if ((fp = fd_getfile(ps->p, pfd->fd)) == NULL) {
			pfd->revents = POLLNVAL;
		} else {
			if (atomic_load(&fp->f_flag) & FPATH)
				pfd->revents = POLLNVAL;
			else if (fp->f_ops->fo_poll != NULL)
				pfd->revents = (short)(fp->f_ops->fo_poll(fp, ev, pc) & ev);
			else
				pfd->revents = (short)(ev & (POLLIN | POLLOUT |
				    POLLRDNORM | POLLWRNORM));
			fdrop(fp);
		}
		if (pfd->revents != 0)
			n++;
	}
	return n;
}

static int
dopoll(struct lwp *l, struct pollfd *ufds, unsigned long nfds, int64_t tmo,
    long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct pollscan ps = { l->l_proc, NULL, nfds };
	size_t size = nfds * sizeof(struct pollfd);
	int error;

	if (nfds > proc_getlimit(l->l_proc, RLIMIT_NOFILE) || nfds > 1048576)
		return EINVAL;
	if (nfds > 0 && (ps.fds = kmem_alloc(k, size)) == NULL)
		return ENOMEM;
	if ((error = copyin(ufds, ps.fds, size)) == 0 &&
	    (error = pollloop(l, (int)nfds, tmo, poll_scan, &ps, retval)) == 0) {
		for (unsigned long i = 0; i < nfds && error == 0; i++)
			/* by bytes: the caller's array need not be aligned */
			error = copyout(&ps.fds[i].revents, (char *)ufds +
			    i * sizeof(struct pollfd) +
			    offsetof(struct pollfd, revents), sizeof(short));
	}
	kmem_free(k, ps.fds, nfds > 0 ? size : 0);
	return error;
}

int
sys_poll(struct lwp *l, const struct sys_poll_args *uap, long *retval)
{
	int t = SCARG(uap, timeout);

	return dopoll(l, SCARG(uap, fds), SCARG(uap, nfds),
	    t < 0 ? -1 : (int64_t)t * 1000000, retval);
}

int
sys_ppoll(struct lwp *l, const struct sys_ppoll_args *uap, long *retval)
{
	struct timespec ts;
	int64_t tmo = -1;
	int error;

	if (SCARG(uap, tmo) != NULL) {
		if ((error = copyin(SCARG(uap, tmo), &ts, sizeof(ts))) != 0)
			return error;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return EINVAL;
		tmo = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? -1 :
		    ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	if (SCARG(uap, sigmask) != NULL && SCARG(uap, sigsetsize) != 8)
		return EINVAL;
	return dopoll(l, SCARG(uap, fds), SCARG(uap, nfds), tmo, retval);
}

struct selscan {
	struct proc	*p;
	int		nfds;
	fd_set		in[3];		/* read, write, except asked */
	fd_set		out[3];
};

static int
select_scan(void *arg, struct pollctx *pc)
{
	static const int want[3] = { POLLIN | POLLRDNORM | POLLHUP | POLLERR,
	    POLLOUT | POLLWRNORM | POLLERR, POLLPRI };
	struct selscan *ss = arg;
	int n = 0;

	memset(ss->out, 0, sizeof(ss->out));
	for (int fd = 0; fd < ss->nfds; fd++) {
		int ev = 0, rev;
		struct file *fp;

		for (int i = 0; i < 3; i++)
			if (FD_ISSET(fd, &ss->in[i]))
				ev |= want[i];
		if (ev == 0)
			continue;
		if ((fp = fd_getfile(ss->p, fd)) == NULL)
			return -EBADF;
		rev = fp->f_ops->fo_poll != NULL ? fp->f_ops->fo_poll(fp, ev, pc) :
		    (ev & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM));
		fdrop(fp);
		for (int i = 0; i < 3; i++) {
			if (FD_ISSET(fd, &ss->in[i]) && (rev & want[i])) {
				FD_SET(fd, &ss->out[i]);
				n++;
			}
		}
	}
	return n;
}

int
sys_select(struct lwp *l, const struct sys_select_args *uap, long *retval)
{
	struct selscan ss;
	fd_set *u[3] = { SCARG(uap, readfds), SCARG(uap, writefds),
	    SCARG(uap, exceptfds) };
	struct timeval tv;
	int64_t tmo = -1;
	int nfds = SCARG(uap, nfds), error;

	if (nfds < 0)
		return EINVAL;
	if (nfds > FD_SETSIZE)
		nfds = FD_SETSIZE;
	if (SCARG(uap, timeout) != NULL) {
		if ((error = copyin(SCARG(uap, timeout), &tv, sizeof(tv))) != 0)
			return error;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return EINVAL;
		/* Linux carries whole seconds out of tv_usec; huge is for ever */
		tv.tv_sec += tv.tv_usec / 1000000;
		tv.tv_usec %= 1000000;
		tmo = tv.tv_sec < 0 || tv.tv_sec > INT64_MAX / 1000000000 - 1 ? -1 :
		    tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	}
	ss.p = l->l_proc;
	ss.nfds = nfds;
	for (int i = 0; i < 3; i++) {
		FD_ZERO(&ss.in[i]);
		if (u[i] != NULL &&
		    (error = copyin(u[i], &ss.in[i], sizeof(fd_set))) != 0)
			return error;
	}
	if ((error = pollloop(l, nfds, tmo, select_scan, &ss, retval)) != 0)
		return error;
	if (*retval < 0)
		return (int)-*retval;
	for (int i = 0; i < 3; i++)
		if (u[i] != NULL &&
		    (error = copyout(&ss.out[i], u[i], sizeof(fd_set))) != 0)
			return error;
	if (SCARG(uap, timeout) != NULL) {
		/* Linux leaves the time not slept; we report none left when ready */
		memset(&tv, 0, sizeof(tv));
		if (*retval == 0)
			error = copyout(&tv, SCARG(uap, timeout), sizeof(tv));
	}
	return error;
}

/*
 * epoll: an instance is a file whose entries each watch one (file, fd) pair.
 *
 * An entry registers once, when it is added, with the selinfo of the file it
 * watches (through the file's fo_poll and a pollctx whose pc_wake is
 * ep_wake); every notification of that selinfo whose events concern the
 * entry puts it on the instance's ready list.  epoll_wait takes the ready
 * list, polls each entry's file again and reports the entries that are
 * ready: a level-triggered entry goes back on the list (it is polled again
 * next time and dropped when found not ready), an edge-triggered one waits
 * for the next notification, a one-shot one is disarmed until EPOLL_CTL_MOD.
 * This is Linux's design, and its order of reporting: the ready list is
 * first-notified first, and what maxevents cut off comes first next time.
 *
 * Locking: k_eplock (kernel-wide, held recursively by its owner) guards
 * every instance's entry set and every file's f_epis; k_sellock guards the
 * ready lists, the entries' states and the armed events, because ep_wake
 * runs under it.  Order: k_eplock, then a file's own lock, then k_sellock.
 * Entries do not hold their file: a file's last fdrop removes its entries
 * (epoll_release_file) before the file closes, as Linux's eventpoll_release.
 */
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/selinfo.h"
#include "sys/vnode.h"
#include "gen/syscallargs.h"

/* bits of an entry's events that are not events */
#define EP_PRIVATE_BITS	(EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* what EPOLLEXCLUSIVE may come with */
#define EP_EXCL_OK_BITS	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
			 EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_NESTS	4	/* epolls below the top one, as Linux */
#define EP_MAX_EVENTS	((int)(INT_MAX / sizeof(struct epoll_event)))
#define EPI_NODES	2	/* selinfos one fo_poll may record */

enum epi_state {
	EPI_IDLE,		/* on no ready list */
	EPI_READY,		/* on ep_rdl */
	EPI_SCAN,		/* on a list being scanned (ep_scan) */
};

struct eventpoll;

struct epitem {
	struct pollctx	epi_pc;		/* the registration; first member */
	struct selwaiter epi_nodes[EPI_NODES];
	struct eventpoll *epi_ep;
	struct file	*epi_fp;	/* not held */
	int		epi_fd;
	uint32_t	epi_events;	/* k_eplock and k_sellock to change */
	uint64_t	epi_data;	/* k_eplock */
	enum epi_state	epi_state;	/* k_sellock */
	TAILQ_ENTRY(epitem) epi_rdlink;	/* ep_rdl or a scan list; k_sellock */
	TAILQ_ENTRY(epitem) epi_link;	/* ep_items; k_eplock */
	LIST_ENTRY(epitem) epi_flink;	/* epi_fp->f_epis; k_eplock */
};

TAILQ_HEAD(epilist, epitem);

struct eventpoll {
	struct rump_kernel *ep_kernel;
	struct file	*ep_file;
	struct epilist	ep_items;	/* k_eplock */
	struct epilist	ep_rdl;		/* k_sellock */
	kcondvar_t	ep_cv;		/* with k_sellock: ep_rdl grew */
	struct selinfo	ep_sel;		/* pollers of the instance itself */
	/* rump_epoll_notify: called under k_sellock when an entry gets ready */
	void		(*ep_notify)(void *);
	void		*ep_notify_arg;
};

static const struct fileops epollops;

static bool
ep_enter(struct rump_kernel *k)
{
	if (atomic_load_explicit(&k->k_epowner, memory_order_relaxed) ==
	    curlwp)
		return false;	/* a nested instance's poll, or a close */
	mutex_enter(&k->k_eplock);
	atomic_store_explicit(&k->k_epowner, curlwp, memory_order_relaxed);
	return true;
}

static void
ep_exit(struct rump_kernel *k, bool took)
{
	if (!took)
		return;
	atomic_store_explicit(&k->k_epowner, NULL, memory_order_relaxed);
	mutex_exit(&k->k_eplock);
}

static bool
is_epoll(struct file *fp)
{
	return fp->f_ops == &epollops;
}

/* Files Linux cannot poll (no poll method): regular files, directories… */
static bool
ep_can_poll(struct file *fp)
{
	if (fp->f_ops->fo_poll == NULL)
		return false;
	if (fp->f_ops == &vnops)
		return ((struct vnode *)fp->f_data)->v_type == VFIFO;
	return true;
}

/*
 * A notification from a watched file (k_sellock held).  A disarmed one-shot
 * entry and events the entry does not ask for are ignored, as Linux does.
 */
static void
ep_wake(struct pollctx *pc, int key)
{
	struct epitem *epi = (struct epitem *)pc;
	struct eventpoll *ep = epi->epi_ep;

	if ((epi->epi_events & ~EP_PRIVATE_BITS) == 0)
		return;
	if (key != 0 && (key & (int)epi->epi_events) == 0)
		return;
	if (epi->epi_state == EPI_IDLE) {
		TAILQ_INSERT_TAIL(&ep->ep_rdl, epi, epi_rdlink);
		epi->epi_state = EPI_READY;
	}
	cv_broadcast(&ep->ep_cv);
	selwakeup_locked(&ep->ep_sel, POLLIN | POLLRDNORM);
	if (ep->ep_notify != NULL)
		ep->ep_notify(ep->ep_notify_arg);
}

/* Queue epi if it is idle and wake the instance's waiters. */
static void
ep_make_ready(struct eventpoll *ep, struct epitem *epi)
{
	struct rump_kernel *k = ep->ep_kernel;

	mutex_enter(&k->k_sellock);
	if (epi->epi_state == EPI_IDLE) {
		TAILQ_INSERT_TAIL(&ep->ep_rdl, epi, epi_rdlink);
		epi->epi_state = EPI_READY;
	}
	cv_broadcast(&ep->ep_cv);
	selwakeup_locked(&ep->ep_sel, POLLIN | POLLRDNORM);
	if (ep->ep_notify != NULL)
		ep->ep_notify(ep->ep_notify_arg);
	mutex_exit(&k->k_sellock);
}

/* The entry's events that its file has now (k_eplock held). */
static int
ep_item_poll(struct epitem *epi, struct pollctx *pc)
{
	struct file *fp = epi->epi_fp;
	int ev = (int)(epi->epi_events & ~EP_PRIVATE_BITS);

	return fp->f_ops->fo_poll(fp, ev, pc) & ev;
}

/*
 * Go through the ready list (k_eplock held).  With peek: only say whether
 * an entry is ready (1 or 0), dropping the ones that are not (the poll of an
 * instance).  Otherwise report up to max entries at out, copying each out as
 * it goes; an entry that cannot be copied out stays queued.  Returns the
 * number reported, or -EFAULT when not even the first could be.
 */
static int
ep_scan(struct eventpoll *ep, bool peek, struct epoll_event *out, int max)
{
	struct rump_kernel *k = ep->ep_kernel;
	struct epilist tx = TAILQ_HEAD_INITIALIZER(tx);
	struct epitem *epi;
	int n = 0;

	mutex_enter(&k->k_sellock);
	TAILQ_CONCAT(&tx, &ep->ep_rdl, epi_rdlink);
	TAILQ_FOREACH(epi, &tx, epi_rdlink)
		epi->epi_state = EPI_SCAN;
	mutex_exit(&k->k_sellock);

	while (n < max) {
		struct epoll_event ev;
		int rev;

		mutex_enter(&k->k_sellock);
		if ((epi = TAILQ_FIRST(&tx)) != NULL) {
			TAILQ_REMOVE(&tx, epi, epi_rdlink);
			epi->epi_state = EPI_IDLE;
		}
		mutex_exit(&k->k_sellock);
		if (epi == NULL)
			break;
		if ((rev = ep_item_poll(epi, NULL)) == 0)
			continue;
		ev.events = (uint32_t)rev;
		ev.data.u64 = epi->epi_data;
		if (peek || copyout(&ev, &out[n], sizeof(ev)) != 0) {
			/* stays where it was, first */
			mutex_enter(&k->k_sellock);
			if (epi->epi_state == EPI_IDLE) {
				TAILQ_INSERT_HEAD(&tx, epi, epi_rdlink);
				epi->epi_state = EPI_SCAN;
			}
			mutex_exit(&k->k_sellock);
			n = peek ? 1 : n == 0 ? -EFAULT : n;
			break;
		}
		n++;
		mutex_enter(&k->k_sellock);
		if (epi->epi_events & EPOLLONESHOT)
			epi->epi_events &= EP_PRIVATE_BITS;
		else if (!(epi->epi_events & EPOLLET) &&
		    epi->epi_state == EPI_IDLE) {
			TAILQ_INSERT_TAIL(&ep->ep_rdl, epi, epi_rdlink);
			epi->epi_state = EPI_READY;
		}
		mutex_exit(&k->k_sellock);
	}

	/* what is left goes first next time, in its order */
	mutex_enter(&k->k_sellock);
	while ((epi = TAILQ_LAST(&tx, epilist)) != NULL) {
		TAILQ_REMOVE(&tx, epi, epi_rdlink);
		TAILQ_INSERT_HEAD(&ep->ep_rdl, epi, epi_rdlink);
		epi->epi_state = EPI_READY;
	}
	mutex_exit(&k->k_sellock);
	return n;
}

/* Remove an entry (k_eplock held). */
static void
ep_remove(struct epitem *epi)
{
	struct eventpoll *ep = epi->epi_ep;
	struct rump_kernel *k = ep->ep_kernel;

	selremove(&epi->epi_pc);
	mutex_enter(&k->k_sellock);
	KASSERT(epi->epi_state != EPI_SCAN);
	if (epi->epi_state == EPI_READY)
		TAILQ_REMOVE(&ep->ep_rdl, epi, epi_rdlink);
	mutex_exit(&k->k_sellock);
	TAILQ_REMOVE(&ep->ep_items, epi, epi_link);
	LIST_REMOVE(epi, epi_flink);
	atomic_fetch_sub(&epi->epi_fp->f_nepis, 1);
	kmem_free(k, epi, sizeof(*epi));
}

void
epoll_release_file(struct file *fp)
{
	struct rump_kernel *k = fp->f_kernel;
	struct epitem *epi;
	bool took = ep_enter(k);

	while ((epi = LIST_FIRST(&fp->f_epis)) != NULL)
		ep_remove(epi);
	ep_exit(k, took);
}

/* ------------------------------------------------ the instance's file */

static int
ep_fop_rw(struct file *fp, struct uio *uio, int flags)
{
	(void)fp;
	(void)uio;
	(void)flags;
	return EINVAL;
}

/* Linux (6.9 on) knows only its busy-poll ioctls here, EINVAL the rest. */
static int
ep_fop_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	(void)fp;
	(void)cmd;
	(void)data;
	return EINVAL;
}

/* Readable when an entry is ready (an instance inside another, or poll). */
static int
ep_fop_poll(struct file *fp, int events, struct pollctx *pc)
{
	struct eventpoll *ep = fp->f_data;
	struct rump_kernel *k = ep->ep_kernel;
	bool took;
	int n;

	selrecord(pc, &ep->ep_sel);
	took = ep_enter(k);
	n = ep_scan(ep, true, NULL, 1);
	ep_exit(k, took);
	return n > 0 ? events & (POLLIN | POLLRDNORM) : 0;
}

static void
ep_free(struct eventpoll *ep)
{
	struct rump_kernel *k = ep->ep_kernel;

	seldestroy(k, &ep->ep_sel);
	cv_destroy(&ep->ep_cv);
	kmem_free(k, ep, sizeof(*ep));
}

static void
ep_fop_close(struct file *fp)
{
	struct eventpoll *ep = fp->f_data;
	struct rump_kernel *k = ep->ep_kernel;
	struct epitem *epi;
	bool took = ep_enter(k);

	while ((epi = TAILQ_FIRST(&ep->ep_items)) != NULL)
		ep_remove(epi);
	ep_exit(k, took);
	ep_free(ep);
}

static const struct fileops epollops = {
	.fo_name = "epoll",
	.fo_read = ep_fop_rw,
	.fo_write = ep_fop_rw,
	.fo_ioctl = ep_fop_ioctl,
	.fo_poll = ep_fop_poll,
	.fo_stat = fop_anon_stat,
	.fo_seek = fop_noop_seek,
	.fo_close = ep_fop_close,
};

/*
 * An event loop outside the kernel waits for an instance without a thread
 * parked in epoll_wait: fn(arg) runs whenever an entry becomes ready (under
 * the kernel's readiness lock: it must only signal, e.g. uv_async_send),
 * and the loop then collects with a zero-timeout epoll_wait.  fn NULL
 * removes the hook.
 */
int
rump_epoll_notify(int epfd, void (*fn)(void *), void *arg)
{
	struct lwp *l = curlwp;
	struct rump_kernel *k;
	struct eventpoll *ep;
	struct file *fp;

	if (l == NULL)
		return EINVAL;
	k = l->l_proc->p_kernel;
	if ((fp = fd_getfile_io(l->l_proc, epfd)) == NULL)
		return EBADF;
	if (!is_epoll(fp)) {
		fdrop(fp);
		return EINVAL;
	}
	ep = fp->f_data;
	mutex_enter(&k->k_sellock);
	ep->ep_notify = fn;
	ep->ep_notify_arg = arg;
	/* entries already ready would otherwise wait for their next change */
	if (fn != NULL && !TAILQ_EMPTY(&ep->ep_rdl))
		fn(arg);
	mutex_exit(&k->k_sellock);
	fdrop(fp);
	return 0;
}

/* ------------------------------------------------ system calls */

static int
ep_create(struct lwp *l, int flags, register_t *retval)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	struct eventpoll *ep;
	kauth_cred_t cr;
	struct file *fp;
	int fd, error;

	if ((ep = kmem_zalloc(k, sizeof(*ep))) == NULL)
		return ENOMEM;
	ep->ep_kernel = k;
	TAILQ_INIT(&ep->ep_items);
	TAILQ_INIT(&ep->ep_rdl);
	selinit(&ep->ep_sel);
	if ((error = cv_init(&ep->ep_cv)) != 0) {
		kmem_free(k, ep, sizeof(*ep));
		return error;
	}
	cr = kauth_cred_get_proc(p);
	error = falloc(k, &epollops, ep, FREAD | FWRITE, cr, &fp);
	kauth_cred_free(k, cr);
	if (error != 0) {
		ep_free(ep);
		return error;
	}
	ep->ep_file = fp;
	error = fd_install(p, 0, fp, (flags & EPOLL_CLOEXEC) != 0, &fd);
	fdrop(fp);
	if (error == 0)
		*retval = fd;
	return error;
}

int
sys_epoll_create(struct lwp *l, const struct sys_epoll_create_args *uap,
    register_t *retval)
{
	if (SCARG(uap, size) <= 0)
		return EINVAL;
	return ep_create(l, 0, retval);
}

int
sys_epoll_create1(struct lwp *l, const struct sys_epoll_create1_args *uap,
    register_t *retval)
{
	if (SCARG(uap, flags) & ~EPOLL_CLOEXEC)
		return EINVAL;
	return ep_create(l, SCARG(uap, flags), retval);
}

/* The longest chain of instances below ep; INT_MAX if it reaches top. */
static int
ep_depth_down(struct eventpoll *ep, struct eventpoll *top, int depth)
{
	struct epitem *epi;
	int result = 0;

	TAILQ_FOREACH(epi, &ep->ep_items, epi_link) {
		struct eventpoll *sub;
		int d;

		if (!is_epoll(epi->epi_fp))
			continue;
		sub = epi->epi_fp->f_data;
		if (sub == top || depth > EP_MAX_NESTS)
			return INT_MAX;
		if ((d = ep_depth_down(sub, top, depth + 1)) == INT_MAX)
			return INT_MAX;
		result = MAX(result, d + 1);
	}
	return result;
}

/* The longest chain of instances above ep (watching it). */
static int
ep_depth_up(struct eventpoll *ep, int depth)
{
	struct epitem *epi;
	int result = 0;

	if (depth > EP_MAX_NESTS)
		return INT_MAX / 2;
	LIST_FOREACH(epi, &ep->ep_file->f_epis, epi_flink)
		result = MAX(result, ep_depth_up(epi->epi_ep, depth + 1) + 1);
	return result;
}

/* Would watching instance sub from ep make a cycle or too deep a nest? */
static bool
ep_loops(struct eventpoll *ep, struct eventpoll *sub)
{
	int down = ep_depth_down(sub, ep, 0);

	if (down > EP_MAX_NESTS)
		return true;
	return down + 1 + ep_depth_up(ep, 0) > EP_MAX_NESTS;
}

static struct epitem *
ep_find(struct eventpoll *ep, struct file *fp, int fd)
{
	struct epitem *epi;

	LIST_FOREACH(epi, &fp->f_epis, epi_flink)
		if (epi->epi_ep == ep && epi->epi_fd == fd)
			return epi;
	return NULL;
}

static int
ep_insert(struct eventpoll *ep, struct file *fp, int fd,
    const struct epoll_event *ev)
{
	struct rump_kernel *k = ep->ep_kernel;
	struct epitem *epi;

	if ((epi = kmem_zalloc(k, sizeof(*epi))) == NULL)
		return ENOMEM;
	epi->epi_pc.pc_kernel = k;
	epi->epi_pc.pc_wake = ep_wake;
	epi->epi_pc.pc_nodes = epi->epi_nodes;
	epi->epi_pc.pc_cap = EPI_NODES;
	epi->epi_ep = ep;
	epi->epi_fp = fp;
	epi->epi_fd = fd;
	epi->epi_events = ev->events;
	epi->epi_data = ev->data.u64;
	epi->epi_state = EPI_IDLE;
	TAILQ_INSERT_TAIL(&ep->ep_items, epi, epi_link);
	LIST_INSERT_HEAD(&fp->f_epis, epi, epi_flink);
	atomic_fetch_add(&fp->f_nepis, 1);
	if (ep_item_poll(epi, &epi->epi_pc) != 0)
		ep_make_ready(ep, epi);
	return 0;
}

static void
ep_modify(struct epitem *epi, const struct epoll_event *ev)
{
	struct eventpoll *ep = epi->epi_ep;
	struct rump_kernel *k = ep->ep_kernel;

	mutex_enter(&k->k_sellock);
	epi->epi_events = ev->events;
	mutex_exit(&k->k_sellock);
	epi->epi_data = ev->data.u64;
	if (ep_item_poll(epi, NULL) != 0)
		ep_make_ready(ep, epi);
}

int
sys_epoll_ctl(struct lwp *l, const struct sys_epoll_ctl_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	int op = SCARG(uap, op), fd = SCARG(uap, fd), error;
	struct file *epfp, *fp = NULL;
	struct epoll_event ev = { 0 };
	struct eventpoll *ep;
	struct epitem *epi;
	bool took;

	(void)retval;
	if (op != EPOLL_CTL_DEL &&
	    (error = copyin(SCARG(uap, event), &ev, sizeof(ev))) != 0)
		return error;
	if ((epfp = fd_getfile_io(p, SCARG(uap, epfd))) == NULL)
		return EBADF;
	if ((fp = fd_getfile_io(p, fd)) == NULL) {
		error = EBADF;
		goto out;
	}
	if (!ep_can_poll(fp)) {
		error = EPERM;
		goto out;
	}
	if (epfp == fp || !is_epoll(epfp)) {
		error = EINVAL;
		goto out;
	}
	/* no EPOLLWAKEUP: it needs CAP_BLOCK_SUSPEND and means nothing here */
	ev.events &= ~(uint32_t)EPOLLWAKEUP;
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD || (op == EPOLL_CTL_ADD && (is_epoll(fp) ||
	    (ev.events & ~(uint32_t)EP_EXCL_OK_BITS))))) {
		error = EINVAL;
		goto out;
	}
	ep = epfp->f_data;
	took = ep_enter(k);
	epi = ep_find(ep, fp, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		/* Linux looks for loops before it looks for the entry */
		if (is_epoll(fp) && ep_loops(ep, fp->f_data))
			error = ELOOP;
		else if (epi != NULL)
			error = EEXIST;
		else {
			ev.events |= EPOLLERR | EPOLLHUP;
			error = ep_insert(ep, fp, fd, &ev);
		}
		break;
	case EPOLL_CTL_DEL:
		if (epi != NULL)
			ep_remove(epi);
		else
			error = ENOENT;
		break;
	case EPOLL_CTL_MOD:
		if (epi == NULL)
			error = ENOENT;
		else if (epi->epi_events & EPOLLEXCLUSIVE)
			error = EINVAL;
		else {
			ev.events |= EPOLLERR | EPOLLHUP;
			ep_modify(epi, &ev);
		}
		break;
	default:
		error = EINVAL;
		break;
	}
	ep_exit(k, took);
out:
	if (fp != NULL)
		fdrop(fp);
	fdrop(epfp);
	return error;
}

/*
 * Report ready entries, sleeping until there is one or the timeout (ms,
 * negative: none) passes.  An lwp that must not sleep gets EAGAIN instead.
 */
static int
ep_wait(struct lwp *l, int epfd, struct epoll_event *uev, int maxevents,
    int timeout, register_t *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	int64_t deadline = timeout > 0 ?
	    mono_ns() + (int64_t)timeout * 1000000 : -1;
	uintptr_t a = (uintptr_t)uev;
	struct eventpoll *ep;
	struct file *fp;
	int n, error = 0;
	bool took;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return EINVAL;
	if ((fp = fd_getfile_io(l->l_proc, epfd)) == NULL)
		return EBADF;
	/*
	 * Linux's access_ok, after the descriptor and before its type: the
	 * range must be the user's, mapped or not (NULL passes, and faults
	 * only when there is an event to put there).
	 */
	if (a > USER_MAX_ADDR ||
	    (size_t)maxevents * sizeof(*uev) > USER_MAX_ADDR - a) {
		fdrop(fp);
		return EFAULT;
	}
	if (!is_epoll(fp)) {
		fdrop(fp);
		return EINVAL;
	}
	ep = fp->f_data;
	for (;;) {
		took = ep_enter(k);
		n = ep_scan(ep, false, uev, maxevents);
		ep_exit(k, took);
		if (n != 0 || timeout == 0)
			break;
		if (l->l_flag & LW_NOSLEEP) {
			error = EAGAIN;
			break;
		}
		mutex_enter(&k->k_sellock);
		while (TAILQ_EMPTY(&ep->ep_rdl)) {
			int64_t left = -1;

			if (deadline >= 0 &&
			    (left = deadline - mono_ns()) <= 0)
				break;
			if (lwp_sleep(&ep->ep_cv, &k->k_sellock, left) == EINTR) {
				error = EINTR;
				break;
			}
		}
		bool empty = TAILQ_EMPTY(&ep->ep_rdl);
		mutex_exit(&k->k_sellock);
		if (error != 0)
			break;
		if (empty)
			break;		/* timed out */
	}
	fdrop(fp);
	if (n < 0)
		return -n;
	if (error == 0)
		*retval = n;
	return error;
}

int
sys_epoll_wait(struct lwp *l, const struct sys_epoll_wait_args *uap,
    register_t *retval)
{
	return ep_wait(l, SCARG(uap, epfd), SCARG(uap, events),
	    SCARG(uap, maxevents), SCARG(uap, timeout), retval);
}

/* No signals in the kernel: the mask is checked, then ignored. */
int
sys_epoll_pwait(struct lwp *l, const struct sys_epoll_pwait_args *uap,
    register_t *retval)
{
	if (SCARG(uap, sigmask) != NULL && SCARG(uap, sigsetsize) != 8)
		return EINVAL;
	return ep_wait(l, SCARG(uap, epfd), SCARG(uap, events),
	    SCARG(uap, maxevents), SCARG(uap, timeout), retval);
}

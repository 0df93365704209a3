/* Advisory record locks and flock locks (see sys/lockf.h). */
#include <fcntl.h>
#include <sys/file.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/lockf.h"
#include "sys/proc.h"
#include "sys/vnode.h"

#define OFF_EOF	INT64_MAX	/* a lock "to the end of the file" */

struct lockf {
	struct lockf	*lf_next;
	short		lf_type;	/* F_RDLCK, F_WRLCK */
	off_t		lf_start;
	off_t		lf_end;		/* inclusive; OFF_EOF: no end */
	void		*lf_owner;	/* a proc (POSIX) or a file (flock) */
	pid_t		lf_pid;
};

struct lockf_head {
	struct lockf	*lh_posix;
	struct lockf	*lh_flock;
};

static struct lockf_head *
head_of(struct rump_kernel *k, struct vnode *vp, bool create)
{
	if (vp->v_lockf == NULL && create)
		vp->v_lockf = kmem_zalloc(k, sizeof(*vp->v_lockf));
	return vp->v_lockf;
}

static void
head_gc(struct rump_kernel *k, struct vnode *vp)
{
	struct lockf_head *h = vp->v_lockf;

	if (h != NULL && h->lh_posix == NULL && h->lh_flock == NULL) {
		kmem_free(k, h, sizeof(*h));
		vp->v_lockf = NULL;
	}
}

static bool
overlaps(const struct lockf *a, off_t start, off_t end)
{
	return a->lf_start <= end && start <= a->lf_end;
}

/* The first lock of another owner that conflicts with (type, range). */
static struct lockf *
conflict(struct lockf *list, void *owner, short type, off_t start, off_t end)
{
	for (struct lockf *lf = list; lf != NULL; lf = lf->lf_next)
		if (lf->lf_owner != owner && overlaps(lf, start, end) &&
		    (lf->lf_type == F_WRLCK || type == F_WRLCK))
			return lf;
	return NULL;
}

static struct lockf *
lf_new(struct rump_kernel *k, short type, off_t start, off_t end, void *owner,
    pid_t pid)
{
	struct lockf *lf = kmem_zalloc(k, sizeof(*lf));

	if (lf != NULL) {
		lf->lf_type = type;
		lf->lf_start = start;
		lf->lf_end = end;
		lf->lf_owner = owner;
		lf->lf_pid = pid;
	}
	return lf;
}

/*
 * Keep Linux's order, which F_GETLK shows (it reports the first conflict):
 * an owner's locks together, sorted by start; a new owner's at the end.
 */
static void
lf_insert(struct lockf **listp, struct lockf *nl)
{
	struct lockf **pp = listp;

	while (*pp != NULL && (*pp)->lf_owner != nl->lf_owner)
		pp = &(*pp)->lf_next;
	while (*pp != NULL && (*pp)->lf_owner == nl->lf_owner &&
	    (*pp)->lf_start < nl->lf_start)
		pp = &(*pp)->lf_next;
	nl->lf_next = *pp;
	*pp = nl;
}

/*
 * Set owner's locks over [start, end] to type (F_UNLCK: none), splitting
 * and merging its existing locks.  May fail only for memory, before any
 * change.
 */
static int
lf_apply(struct rump_kernel *k, struct lockf **listp, void *owner, pid_t pid,
    short type, off_t start, off_t end)
{
	struct lockf *nl = NULL, *tail = NULL, **pp, *lf;

	/* the pieces that may be needed, allocated first */
	if (type != F_UNLCK && (nl = lf_new(k, type, start, end, owner, pid)) == NULL)
		return ENOLCK;
	for (lf = *listp; lf != NULL; lf = lf->lf_next)
		if (lf->lf_owner == owner && lf->lf_start < start &&
		    lf->lf_end > end && lf->lf_type != type)
			break;
	if (lf != NULL && (tail = lf_new(k, 0, 0, 0, owner, pid)) == NULL) {
		kmem_free(k, nl, sizeof(*nl));
		return ENOLCK;
	}

	for (pp = listp; (lf = *pp) != NULL;) {
		if (lf->lf_owner != owner) {
			pp = &lf->lf_next;
			continue;
		}
		/* merge with adjacent or overlapping locks of the same type */
		if (nl != NULL && lf->lf_type == type &&
		    lf->lf_start <= (end == OFF_EOF ? end : end + 1) &&
		    start <= (lf->lf_end == OFF_EOF ? lf->lf_end : lf->lf_end + 1)) {
			nl->lf_start = start = MIN(start, lf->lf_start);
			nl->lf_end = end = MAX(end, lf->lf_end);
			*pp = lf->lf_next;
			kmem_free(k, lf, sizeof(*lf));
			continue;
		}
		if (!overlaps(lf, start, end)) {
			pp = &lf->lf_next;
			continue;
		}
		if (lf->lf_start < start && lf->lf_end > end) {
			/* split: lf keeps the front, tail takes the back */
			tail->lf_type = lf->lf_type;
			tail->lf_start = end + 1;
			tail->lf_end = lf->lf_end;
			tail->lf_next = lf->lf_next;
			lf->lf_end = start - 1;
			lf->lf_next = tail;
			tail = NULL;
			pp = &lf->lf_next->lf_next;
		} else if (lf->lf_start < start) {
			lf->lf_end = start - 1;
			pp = &lf->lf_next;
		} else if (lf->lf_end > end) {
			lf->lf_start = end + 1;
			pp = &lf->lf_next;
		} else {
			*pp = lf->lf_next;
			kmem_free(k, lf, sizeof(*lf));
		}
	}
	if (tail != NULL)
		kmem_free(k, tail, sizeof(*tail));
	if (nl != NULL)
		lf_insert(listp, nl);
	return 0;
}

/* Wait for a lock to go: 0, EAGAIN when this thread may not sleep, EINTR. */
static int
lf_wait(struct rump_kernel *k)
{
	if (curlwp->l_flag & LW_NOSLEEP)
		return EAGAIN;
	return vfs_sleep(k);
}

int
lf_fcntl(struct lwp *l, struct file *fp, int cmd, struct flock *fl)
{
	struct rump_kernel *k = fp->f_kernel;
	struct vnode *vp = fp->f_data;
	struct proc *p = l->l_proc;
	int fflag = atomic_load(&fp->f_flag);
	struct lockf_head *h;
	struct lockf *c;
	off_t start, end;
	int error = 0;

	if (vp->v_type != VREG && vp->v_type != VDIR && vp->v_type != VFIFO &&
	    vp->v_type != VCHR)
		return EINVAL;
	switch (fl->l_whence) {
	case SEEK_SET:
		start = fl->l_start;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(fp->f_offset, fl->l_start, &start))
			return EOVERFLOW;
		break;
	case SEEK_END: {
		struct vattr va;

		if ((error = vp->v_op->vop_getattr(vp, &va)) != 0)
			return error;
		if (__builtin_add_overflow((off_t)va.va_size, fl->l_start, &start))
			return EOVERFLOW;
		break;
	}
	default:
		return EINVAL;
	}
	/* before the length moves it: start - 1 and start + l_len stay in range */
	if (start < 0)
		return EINVAL;
	if (fl->l_len > 0) {
		if (__builtin_add_overflow(start, fl->l_len - 1, &end))
			return EOVERFLOW;
	} else if (fl->l_len < 0) {
		end = start - 1;
		start += fl->l_len;
	} else {
		end = OFF_EOF;
	}
	if (start < 0)
		return EINVAL;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return EINVAL;

	if (cmd == F_GETLK) {
		if (fl->l_type == F_UNLCK)
			return EINVAL;
		h = head_of(k, vp, false);
		c = h != NULL ? conflict(h->lh_posix, p, fl->l_type, start, end) : NULL;
		if (c == NULL) {
			fl->l_type = F_UNLCK;
			return 0;
		}
		fl->l_type = c->lf_type;
		fl->l_whence = SEEK_SET;
		fl->l_start = c->lf_start;
		fl->l_len = c->lf_end == OFF_EOF ? 0 : c->lf_end - c->lf_start + 1;
		fl->l_pid = c->lf_pid;
		return 0;
	}
	if ((fl->l_type == F_RDLCK && !(fflag & FREAD)) ||
	    (fl->l_type == F_WRLCK && !(fflag & FWRITE)))
		return EBADF;
	for (;;) {
		if ((h = head_of(k, vp, fl->l_type != F_UNLCK)) == NULL)
			return fl->l_type == F_UNLCK ? 0 : ENOLCK;
		if (fl->l_type == F_UNLCK ||
		    conflict(h->lh_posix, p, fl->l_type, start, end) == NULL)
			break;
		if (cmd == F_SETLK || (error = lf_wait(k)) != 0) {
			head_gc(k, vp);
			return cmd == F_SETLK ? EAGAIN : error;
		}
	}
	error = lf_apply(k, &h->lh_posix, p, p->p_pid, fl->l_type, start, end);
	if (fl->l_type == F_UNLCK)
		vfs_wakeup(k);
	head_gc(k, vp);
	return error;
}

int
lf_flock(struct lwp *l, struct file *fp, int op)
{
	struct rump_kernel *k = fp->f_kernel;
	struct vnode *vp = fp->f_data;
	short type;
	struct lockf_head *h;
	int error;

	(void)l;
	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return EINVAL;
	}
	if ((h = head_of(k, vp, type != F_UNLCK)) == NULL)
		return type == F_UNLCK ? 0 : ENOLCK;
	/* a conversion gives up the old lock first, as Linux does */
	lf_apply(k, &h->lh_flock, fp, 0, F_UNLCK, 0, OFF_EOF);
	vfs_wakeup(k);
	if (type == F_UNLCK) {
		head_gc(k, vp);
		return 0;
	}
	while (conflict(h->lh_flock, fp, type, 0, OFF_EOF) != NULL) {
		if ((op & LOCK_NB) || (error = lf_wait(k)) != 0) {
			head_gc(k, vp);
			return (op & LOCK_NB) || error == EAGAIN ?
			    EWOULDBLOCK : error;
		}
		h = head_of(k, vp, true);
		if (h == NULL)
			return ENOLCK;
	}
	error = lf_apply(k, &h->lh_flock, fp, 0, type, 0, OFF_EOF);
	head_gc(k, vp);
	return error;
}

void
lf_posix_release(struct vnode *vp, struct proc *p)
{
	struct rump_kernel *k = p->p_kernel;

	if (vp->v_lockf == NULL)
		return;
	lf_apply(k, &vp->v_lockf->lh_posix, p, 0, F_UNLCK, 0, OFF_EOF);
	vfs_wakeup(k);
	head_gc(k, vp);
}

void
lf_flock_release(struct vnode *vp, struct file *fp)
{
	struct rump_kernel *k = fp->f_kernel;

	if (vp->v_lockf == NULL)
		return;
	lf_apply(k, &vp->v_lockf->lh_flock, fp, 0, F_UNLCK, 0, OFF_EOF);
	vfs_wakeup(k);
	head_gc(k, vp);
}

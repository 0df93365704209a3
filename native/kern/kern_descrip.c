/*
 * Descriptor tables and the descriptor system calls: dup, dup2, dup3,
 * close, fcntl.
 */
#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/lockf.h"
#include "sys/vnode.h"
#include "gen/syscallargs.h"
#include <linux/close_range.h>
#include <sys/file.h>
#include <sys/stat.h>

#define NDFILE	16	/* slots in a new table */

int
fd_create_table(struct rump_kernel *k, struct filedesc **fdpp)
{
	struct filedesc *fdp;
	int error;

	if ((fdp = kmem_zalloc(k, sizeof(*fdp))) == NULL)
		return ENOMEM;
	if ((error = mutex_init(&fdp->fd_lock)) != 0) {
		kmem_free(k, fdp, sizeof(*fdp));
		return error;
	}
	atomic_init(&fdp->fd_refcnt, 1);
	*fdpp = fdp;
	return 0;
}

int
fd_copy_table(struct rump_kernel *k, struct filedesc *src,
    struct filedesc **fdpp)
{
	struct filedesc *fdp;
	struct fdfile *ff = NULL;
	int error, n, nalloc = 0;

	if ((error = fd_create_table(k, &fdp)) != 0)
		return error;
	/* Allocate without the lock held; retry if the table grew. */
	mutex_enter(&src->fd_lock);
	while ((n = src->fd_nfiles) != nalloc) {
		mutex_exit(&src->fd_lock);
		kmem_free(k, ff, (size_t)nalloc * sizeof(*ff));
		if ((ff = kmem_zalloc(k, (size_t)n * sizeof(*ff))) == NULL) {
			fd_release_table(k, fdp);
			return ENOMEM;
		}
		nalloc = n;
		mutex_enter(&src->fd_lock);
	}
	for (int i = 0; i < n; i++) {
		ff[i] = src->fd_ofiles[i];
		if (ff[i].ff_file != NULL)
			fhold(ff[i].ff_file);
	}
	fdp->fd_ofiles = ff;
	fdp->fd_nfiles = n;
	fdp->fd_nopen = src->fd_nopen;
	fdp->fd_freefile = src->fd_freefile;
	mutex_exit(&src->fd_lock);
	*fdpp = fdp;
	return 0;
}

void
fd_share_table(struct filedesc *fdp)
{
	atomic_fetch_add_explicit(&fdp->fd_refcnt, 1, memory_order_relaxed);
}

void
fd_release_table(struct rump_kernel *k, struct filedesc *fdp)
{
	if (atomic_fetch_sub_explicit(&fdp->fd_refcnt, 1,
	    memory_order_acq_rel) != 1)
		return;
	for (int i = 0; i < fdp->fd_nfiles; i++)
		if (fdp->fd_ofiles[i].ff_file != NULL)
			fdrop(fdp->fd_ofiles[i].ff_file);
	kmem_free(k, fdp->fd_ofiles, (size_t)fdp->fd_nfiles *
	    sizeof(*fdp->fd_ofiles));
	mutex_destroy(&fdp->fd_lock);
	kmem_free(k, fdp, sizeof(*fdp));
}

/* Make room for slot fd; fd_lock held, and dropped while allocating. */
static int
fd_grow(struct rump_kernel *k, struct filedesc *fdp, int fd)
{
	struct fdfile *nf, *of;
	int n = fdp->fd_nfiles > 0 ? fdp->fd_nfiles : NDFILE, on;

	while (n <= fd)
		n *= 2;
	mutex_exit(&fdp->fd_lock);
	nf = kmem_zalloc(k, (size_t)n * sizeof(*nf));
	mutex_enter(&fdp->fd_lock);
	if (nf == NULL)
		return ENOMEM;
	if (fdp->fd_nfiles >= n) {	/* another thread grew it */
		kmem_free(k, nf, (size_t)n * sizeof(*nf));
		return 0;
	}
	of = fdp->fd_ofiles;
	on = fdp->fd_nfiles;
	if (on > 0)
		memcpy(nf, of, (size_t)on * sizeof(*nf));
	fdp->fd_ofiles = nf;
	fdp->fd_nfiles = n;
	mutex_exit(&fdp->fd_lock);
	kmem_free(k, of, (size_t)on * sizeof(*of));
	mutex_enter(&fdp->fd_lock);
	return 0;
}

int
fd_install(struct proc *p, int minfd, struct file *fp, bool cloexec, int *fdp)
{
	struct filedesc *fdt = p->p_fd;
	rlim_t lim = proc_getlimit(p, RLIMIT_NOFILE);
	int fd, error;

	if (minfd < 0 || (rlim_t)minfd >= lim)
		return EINVAL;
	mutex_enter(&fdt->fd_lock);
	for (;;) {
		fd = MAX(minfd, fdt->fd_freefile);
		while (fd < fdt->fd_nfiles && fdt->fd_ofiles[fd].ff_file != NULL)
			fd++;
		if ((rlim_t)fd >= lim) {
			mutex_exit(&fdt->fd_lock);
			return EMFILE;
		}
		if (fp == NULL) {
			mutex_exit(&fdt->fd_lock);
			return 0;
		}
		if (fd < fdt->fd_nfiles)
			break;
		if ((error = fd_grow(p->p_kernel, fdt, fd)) != 0) {
			mutex_exit(&fdt->fd_lock);
			return error;
		}
	}
	fhold(fp);
	fdt->fd_ofiles[fd].ff_file = fp;
	fdt->fd_ofiles[fd].ff_cloexec = cloexec;
	fdt->fd_nopen++;
	if (minfd <= fdt->fd_freefile)
		fdt->fd_freefile = fd + 1;
	mutex_exit(&fdt->fd_lock);
	*fdp = fd;
	return 0;
}

struct file *
fd_getfile_io(struct proc *p, int fd)
{
	struct file *fp = fd_getfile(p, fd);

	if (fp != NULL && (atomic_load(&fp->f_flag) & FPATH)) {
		fdrop(fp);
		return NULL;
	}
	return fp;
}

struct file *
fd_getfile(struct proc *p, int fd)
{
	struct filedesc *fdt = p->p_fd;
	struct file *fp = NULL;

	mutex_enter(&fdt->fd_lock);
	if (fd >= 0 && fd < fdt->fd_nfiles &&
	    (fp = fdt->fd_ofiles[fd].ff_file) != NULL)
		fhold(fp);
	mutex_exit(&fdt->fd_lock);
	return fp;
}

/* Take the file out of slot fd; fd_lock held.  Returns it or NULL. */
static struct file *
fd_detach_locked(struct filedesc *fdt, int fd)
{
	struct file *fp;

	if (fd < 0 || fd >= fdt->fd_nfiles ||
	    (fp = fdt->fd_ofiles[fd].ff_file) == NULL)
		return NULL;
	fdt->fd_ofiles[fd].ff_file = NULL;
	fdt->fd_ofiles[fd].ff_cloexec = false;
	fdt->fd_nopen--;
	if (fd < fdt->fd_freefile)
		fdt->fd_freefile = fd;
	return fp;
}

int
sys_close(struct lwp *l, const struct sys_close_args *uap,
    register_t *retval)
{
	struct filedesc *fdt = l->l_proc->p_fd;
	struct file *fp;

	(void)retval;
	mutex_enter(&fdt->fd_lock);
	fp = fd_detach_locked(fdt, SCARG(uap, fd));
	mutex_exit(&fdt->fd_lock);
	if (fp == NULL)
		return EBADF;
	vn_fd_closed(l->l_proc, fp);
	fdrop(fp);
	return 0;
}

/* A process exits: its record locks go, whoever else shares its files. */
void
fd_proc_exit(struct proc *p)
{
	struct filedesc *fdt = p->p_fd;

	for (int fd = 0;; fd++) {
		struct file *fp = NULL;

		mutex_enter(&fdt->fd_lock);
		for (; fd < fdt->fd_nfiles; fd++)
			if ((fp = fdt->fd_ofiles[fd].ff_file) != NULL)
				break;
		if (fp != NULL)
			fhold(fp);
		mutex_exit(&fdt->fd_lock);
		if (fp == NULL)
			return;
		vn_fd_closed(p, fp);
		fdrop(fp);
	}
}

int
fd_setcloexec(struct proc *p, int fd, bool on)
{
	struct filedesc *fdt = p->p_fd;
	int error = 0;

	mutex_enter(&fdt->fd_lock);
	if (fd < 0 || fd >= fdt->fd_nfiles || fdt->fd_ofiles[fd].ff_file == NULL)
		error = EBADF;
	else
		fdt->fd_ofiles[fd].ff_cloexec = on;
	mutex_exit(&fdt->fd_lock);
	return error;
}

void
fd_close_range(struct proc *p, unsigned first, unsigned last, bool cloexec_only)
{
	struct filedesc *fdt = p->p_fd;

	for (;;) {
		struct file *fp = NULL;

		mutex_enter(&fdt->fd_lock);
		if (first >= (unsigned)fdt->fd_nfiles || first > last) {
			mutex_exit(&fdt->fd_lock);
			return;
		}
		if (cloexec_only) {
			for (unsigned fd = first; fd < (unsigned)fdt->fd_nfiles &&
			    fd <= last; fd++)
				if (fdt->fd_ofiles[fd].ff_file != NULL)
					fdt->fd_ofiles[fd].ff_cloexec = true;
			mutex_exit(&fdt->fd_lock);
			return;
		}
		for (; first < (unsigned)fdt->fd_nfiles && first <= last; first++)
			if ((fp = fd_detach_locked(fdt, (int)first)) != NULL)
				break;
		mutex_exit(&fdt->fd_lock);
		if (fp == NULL)
			return;
		vn_fd_closed(p, fp);
		fdrop(fp);
		if (first == last)
			return;
		first++;
	}
}

/*
 * execve's part in the descriptor table: close every descriptor marked
 * close-on-exec, keep the others.
 */
void
fd_closeexec(struct proc *p)
{
	struct filedesc *fdt = p->p_fd;

	for (unsigned fd = 0;; fd++) {
		struct file *fp = NULL;

		mutex_enter(&fdt->fd_lock);
		for (; fd < (unsigned)fdt->fd_nfiles; fd++)
			if (fdt->fd_ofiles[fd].ff_file != NULL &&
			    fdt->fd_ofiles[fd].ff_cloexec &&
			    (fp = fd_detach_locked(fdt, (int)fd)) != NULL)
				break;
		mutex_exit(&fdt->fd_lock);
		if (fp == NULL)
			return;
		vn_fd_closed(p, fp);
		fdrop(fp);
	}
}

int
sys_close_range(struct lwp *l, const struct sys_close_range_args *uap,
    long *retval)
{
	struct proc *p = l->l_proc;
	unsigned flags = SCARG(uap, flags);
	int error;

	(void)retval;
	if (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return EINVAL;
	if (SCARG(uap, first) > SCARG(uap, last))
		return EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) &&
	    atomic_load(&p->p_fd->fd_refcnt) > 1) {
		struct filedesc *nfd;

		if ((error = fd_copy_table(p->p_kernel, p->p_fd, &nfd)) != 0)
			return error;
		fd_release_table(p->p_kernel, p->p_fd);
		p->p_fd = nfd;
	}
	fd_close_range(p, SCARG(uap, first), SCARG(uap, last),
	    (flags & CLOSE_RANGE_CLOEXEC) != 0);
	return 0;
}

int
sys_flock(struct lwp *l, const struct sys_flock_args *uap, long *retval)
{
	struct file *fp;
	int error;

	(void)retval;
	if (SCARG(uap, operation) & LOCK_MAND)
		return 0;	/* Linux ignores these (long broken) requests */
	switch (SCARG(uap, operation) & ~LOCK_NB) {
	case LOCK_SH: case LOCK_EX: case LOCK_UN:
		break;
	default:
		return EINVAL;
	}
	if ((fp = fd_getfile_io(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (fp->f_ops != &vnops) {
		fdrop(fp);
		return EINVAL;	/* see docs/deviations.md */
	}
	vfs_enter(fp->f_kernel);
	error = lf_flock(l, fp, SCARG(uap, operation));
	vfs_exit(fp->f_kernel);
	fdrop(fp);
	return error;
}

/* Point newfd at oldfd's file, closing what newfd held. */
static int
dodup2(struct proc *p, int oldfd, int newfd, bool cloexec, register_t *retval)
{
	struct filedesc *fdt = p->p_fd;
	struct file *fp, *ofp;
	int error;

	if (newfd < 0 || (rlim_t)newfd >= proc_getlimit(p, RLIMIT_NOFILE))
		return EBADF;
	if ((fp = fd_getfile(p, oldfd)) == NULL)
		return EBADF;
	mutex_enter(&fdt->fd_lock);
	while (newfd >= fdt->fd_nfiles) {
		if ((error = fd_grow(p->p_kernel, fdt, newfd)) != 0) {
			mutex_exit(&fdt->fd_lock);
			fdrop(fp);
			return error;
		}
	}
	ofp = fd_detach_locked(fdt, newfd);
	fdt->fd_ofiles[newfd].ff_file = fp;	/* our reference moves in */
	fdt->fd_ofiles[newfd].ff_cloexec = cloexec;
	fdt->fd_nopen++;
	if (newfd == fdt->fd_freefile)
		fdt->fd_freefile = newfd + 1;
	mutex_exit(&fdt->fd_lock);
	if (ofp != NULL) {
		vn_fd_closed(p, ofp);
		fdrop(ofp);
	}
	*retval = newfd;
	return 0;
}

static int
dodup(struct proc *p, int oldfd, int minfd, bool cloexec, register_t *retval)
{
	struct file *fp;
	int error, fd;

	if ((fp = fd_getfile(p, oldfd)) == NULL)
		return EBADF;
	error = fd_install(p, minfd, fp, cloexec, &fd);
	fdrop(fp);
	if (error == 0)
		*retval = fd;
	return error;
}

int
sys_dup(struct lwp *l, const struct sys_dup_args *uap, register_t *retval)
{
	return dodup(l->l_proc, SCARG(uap, oldfd), 0, false, retval);
}

int
sys_dup2(struct lwp *l, const struct sys_dup2_args *uap, register_t *retval)
{
	struct file *fp;
	int oldfd = SCARG(uap, oldfd);

	if (oldfd == SCARG(uap, newfd)) {
		if ((fp = fd_getfile(l->l_proc, oldfd)) == NULL)
			return EBADF;
		fdrop(fp);
		*retval = oldfd;
		return 0;
	}
	return dodup2(l->l_proc, oldfd, SCARG(uap, newfd), false, retval);
}

int
sys_dup3(struct lwp *l, const struct sys_dup3_args *uap, register_t *retval)
{
	int flags = SCARG(uap, flags);

	if ((flags & ~O_CLOEXEC) != 0 || SCARG(uap, oldfd) == SCARG(uap, newfd))
		return EINVAL;
	return dodup2(l->l_proc, SCARG(uap, oldfd), SCARG(uap, newfd),
	    (flags & O_CLOEXEC) != 0, retval);
}

/* O_NOATIME: only for the file's owner (or root), as Linux has it. */
static bool
noatime_ok(struct lwp *l, struct file *fp)
{
	struct stat st;
	kauth_cred_t cr;
	bool ok;

	if (fp->f_ops->fo_stat == NULL || fp->f_ops->fo_stat(fp, &st) != 0)
		return false;
	cr = kauth_cred_get_proc(l->l_proc);
	ok = cr->cr_fsuid == st.st_uid || kauth_cred_privileged(cr);
	kauth_cred_free(l->l_proc->p_kernel, cr);
	return ok;
}

int
sys_fcntl(struct lwp *l, const struct sys_fcntl_args *uap, register_t *retval)
{
	struct proc *p = l->l_proc;
	struct filedesc *fdt = p->p_fd;
	int fd = SCARG(uap, fd);
	long arg = SCARG(uap, arg);
	struct file *fp;
	int error = 0, fl;

	switch (SCARG(uap, cmd)) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg > INT32_MAX)
			return EINVAL;
		return dodup(p, fd, (int)arg, SCARG(uap, cmd) == F_DUPFD_CLOEXEC,
		    retval);
	case F_GETFD:
	case F_SETFD:
		mutex_enter(&fdt->fd_lock);
		if (fd < 0 || fd >= fdt->fd_nfiles ||
		    fdt->fd_ofiles[fd].ff_file == NULL)
			error = EBADF;
		else if (SCARG(uap, cmd) == F_GETFD)
			*retval = fdt->fd_ofiles[fd].ff_cloexec ? FD_CLOEXEC : 0;
		else
			fdt->fd_ofiles[fd].ff_cloexec = (arg & FD_CLOEXEC) != 0;
		mutex_exit(&fdt->fd_lock);
		return error;
	case F_GETFL:
	case F_SETFL:
		if ((fp = fd_getfile(p, fd)) == NULL)
			return EBADF;
		fl = atomic_load(&fp->f_flag);
		if (SCARG(uap, cmd) == F_GETFL) {
			int acc = (fl & FPATH) ? O_PATH :
			    (fl & FNOACC) ? O_ACCMODE :
			    (fl & FREAD) && (fl & FWRITE) ? O_RDWR :
			    (fl & FWRITE) ? O_WRONLY : O_RDONLY;

			*retval = (fl & ~(FREAD | FWRITE | FPATH | FNOACC |
			    FEXCL)) | acc;
		} else if ((fl & FPATH)) {
			fdrop(fp);
			return EBADF;
		} else if (((int)arg & O_NOATIME) && !(fl & O_NOATIME) &&
		    !noatime_ok(l, fp)) {
			fdrop(fp);
			return EPERM;
		} else {
			int nfl;

			do {
				nfl = (fl & ~FSETFL_MASK) |
				    ((int)arg & FSETFL_MASK);
			} while (!atomic_compare_exchange_weak(&fp->f_flag,
			    &fl, nfl));
		}
		fdrop(fp);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW: {
		struct flock lk;

		if ((fp = fd_getfile_io(p, fd)) == NULL)
			return EBADF;
		if (fp->f_ops != &vnops) {
			fdrop(fp);
			return EINVAL;
		}
		if ((error = copyin((void *)arg, &lk, sizeof(lk))) == 0) {
			vfs_enter(fp->f_kernel);
			error = lf_fcntl(l, fp, SCARG(uap, cmd), &lk);
			vfs_exit(fp->f_kernel);
		}
		if (error == 0 && SCARG(uap, cmd) == F_GETLK)
			error = copyout(&lk, (void *)arg, sizeof(lk));
		fdrop(fp);
		return error;
	}
	default:
		if ((fp = fd_getfile(p, fd)) == NULL)
			return EBADF;
		fdrop(fp);
		return EINVAL;
	}
}

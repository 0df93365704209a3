/* Pipes: pipe(2), pipe2(2), and the pipe object FIFOs use too. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/pipe.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"
#include "gen/syscallargs.h"

#define PIPE_SIZE	65536

int
pipe_create(struct rump_kernel *k, struct pipe **pp)
{
	struct pipe *p;
	int error;

	if ((p = kmem_zalloc(k, sizeof(*p))) == NULL)
		return ENOMEM;
	p->pipe_kernel = k;
	if ((error = mutex_init(&p->pipe_lock)) != 0) {
		kmem_free(k, p, sizeof(*p));
		return error;
	}
	if ((error = cv_init(&p->pipe_cv)) != 0) {
		mutex_destroy(&p->pipe_lock);
		kmem_free(k, p, sizeof(*p));
		return error;
	}
	selinit(&p->pipe_sel);
	p->pipe_cap = PIPE_SIZE;
	vfs_gettime(&p->pipe_atime);
	p->pipe_mtime = p->pipe_ctime = p->pipe_atime;
	*pp = p;
	return 0;
}

void
pipe_destroy(struct pipe *p)
{
	struct rump_kernel *k = p->pipe_kernel;

	seldestroy(k, &p->pipe_sel);
	kmem_free(k, p->pipe_buf, p->pipe_buf != NULL ? p->pipe_cap : 0);
	cv_destroy(&p->pipe_cv);
	mutex_destroy(&p->pipe_lock);
	kmem_free(k, p, sizeof(*p));
}

void
pipe_open_end(struct pipe *p, int fflag)
{
	mutex_enter(&p->pipe_lock);
	if (fflag & FREAD) {
		p->pipe_readers++;
		p->pipe_rgen++;
	}
	if (fflag & FWRITE) {
		p->pipe_writers++;
		p->pipe_wgen++;
	}
	cv_broadcast(&p->pipe_cv);
	mutex_exit(&p->pipe_lock);
	selnotify(p->pipe_kernel, &p->pipe_sel);
}

/* An end closes; true when it was the last (the caller destroys). */
bool
pipe_close_end(struct pipe *p, int fflag)
{
	bool last;

	mutex_enter(&p->pipe_lock);
	if (fflag & FREAD)
		p->pipe_readers--;
	if (fflag & FWRITE)
		p->pipe_writers--;
	last = p->pipe_readers == 0 && p->pipe_writers == 0;
	cv_broadcast(&p->pipe_cv);
	mutex_exit(&p->pipe_lock);
	if (!last)
		selnotify(p->pipe_kernel, &p->pipe_sel);
	return last;
}

size_t
pipe_nread(struct pipe *p)
{
	size_t n;

	mutex_enter(&p->pipe_lock);
	n = p->pipe_len;
	mutex_exit(&p->pipe_lock);
	return n;
}

int
pipe_read(struct pipe *p, struct uio *uio, bool nonblock)
{
	size_t start = uio->uio_resid;
	bool wasfull = false;
	int error = 0;

	if (start == 0)
		return 0;
	mutex_enter(&p->pipe_lock);
	while (p->pipe_len == 0) {
		if (p->pipe_writers == 0)
			goto out;		/* end of file */
		if (nonblock) {
			error = EAGAIN;
			goto out;
		}
		if ((error = lwp_sleep(&p->pipe_cv, &p->pipe_lock, -1)) != 0)
			goto out;
	}
	wasfull = p->pipe_cap - p->pipe_len < PIPE_BUF;
	while (p->pipe_len > 0 && uio->uio_resid > 0) {
		size_t n = MIN(p->pipe_len, p->pipe_cap - p->pipe_head);

		n = MIN(n, uio->uio_resid);
		if ((error = uiomove(p->pipe_buf + p->pipe_head, n, uio)) != 0)
			break;
		p->pipe_head = (p->pipe_head + n) % p->pipe_cap;
		p->pipe_len -= n;
	}
	if (p->pipe_len == 0)
		p->pipe_head = 0;
	vfs_gettime(&p->pipe_atime);
	cv_broadcast(&p->pipe_cv);
out:
	mutex_exit(&p->pipe_lock);
	if (uio->uio_resid < start) {
		/* only writers can care, and only if there was no room */
		if (wasfull)
			selwakeup(p->pipe_kernel, &p->pipe_sel,
			    POLLOUT | POLLWRNORM);
		error = 0;
	}
	return error;
}

/*
 * Write all of it, sleeping for room; a write of at most PIPE_BUF bytes is
 * never interleaved with another.  No reader: EPIPE (no signals here).
 */
int
pipe_write(struct pipe *p, struct uio *uio, bool nonblock)
{
	struct rump_kernel *k = p->pipe_kernel;
	size_t start = uio->uio_resid;
	bool atomic = start <= PIPE_BUF;
	int error = 0;

	if (start == 0)
		return 0;
	mutex_enter(&p->pipe_lock);
	if (p->pipe_buf == NULL) {
		mutex_exit(&p->pipe_lock);
		char *buf = kmem_alloc(k, PIPE_SIZE);
		if (buf == NULL)
			return ENOMEM;
		mutex_enter(&p->pipe_lock);
		if (p->pipe_buf == NULL)
			p->pipe_buf = buf;
		else
			kmem_free(k, buf, PIPE_SIZE);
	}
	while (uio->uio_resid > 0) {
		size_t room = p->pipe_cap - p->pipe_len;

		if (p->pipe_readers == 0) {
			error = EPIPE;
			break;
		}
		if (room == 0 || (atomic && room < uio->uio_resid)) {
			if (nonblock) {
				error = EAGAIN;
				break;
			}
			if ((error = lwp_sleep(&p->pipe_cv, &p->pipe_lock,
			    -1)) != 0)
				break;
			continue;
		}
		while (room > 0 && uio->uio_resid > 0) {
			size_t tail = (p->pipe_head + p->pipe_len) % p->pipe_cap;
			size_t n = MIN(room, p->pipe_cap - tail);

			n = MIN(n, uio->uio_resid);
			if ((error = uiomove(p->pipe_buf + tail, n, uio)) != 0)
				break;
			p->pipe_len += n;
			room -= n;
		}
		cv_broadcast(&p->pipe_cv);
		if (error != 0)
			break;
		if (uio->uio_resid > 0) {
			mutex_exit(&p->pipe_lock);
			selwakeup(k, &p->pipe_sel, POLLIN | POLLRDNORM);
			mutex_enter(&p->pipe_lock);
		}
	}
	vfs_gettime(&p->pipe_mtime);
	p->pipe_ctime = p->pipe_mtime;
	mutex_exit(&p->pipe_lock);
	if (uio->uio_resid < start) {
		selwakeup(k, &p->pipe_sel, POLLIN | POLLRDNORM);
		if (error == EAGAIN || error == EINTR)
			error = 0;	/* a partial write, as Linux */
	}
	return error;
}

int
pipe_poll(struct pipe *p, int fflag, int events, struct pollctx *pc)
{
	int revents = 0;

	selrecord(pc, &p->pipe_sel);
	mutex_enter(&p->pipe_lock);
	if (fflag & FREAD) {
		if (p->pipe_len > 0)
			revents |= events & (POLLIN | POLLRDNORM);
		if (p->pipe_writers == 0 && p->pipe_wgen > 0)
			revents |= POLLHUP;
	}
	if (fflag & FWRITE) {
		if (p->pipe_readers == 0)
			revents |= POLLERR;
		if (p->pipe_cap - p->pipe_len >= PIPE_BUF)
			revents |= events & (POLLOUT | POLLWRNORM);
	}
	mutex_exit(&p->pipe_lock);
	return revents;
}

/* ------------------------------------------------ anonymous pipe ends */

static int
pipe_fop_read(struct file *fp, struct uio *uio, int flags)
{
	(void)flags;
	return pipe_read(fp->f_data, uio, fnonblock(fp));
}

static int
pipe_fop_write(struct file *fp, struct uio *uio, int flags)
{
	(void)flags;
	return pipe_write(fp->f_data, uio, fnonblock(fp));
}

static int
pipe_fop_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	if (cmd == FIONREAD) {
		*(int *)data = (int)pipe_nread(fp->f_data);
		return 0;
	}
	return ENOTTY;
}

static int
pipe_fop_poll(struct file *fp, int events, struct pollctx *pc)
{
	return pipe_poll(fp->f_data, atomic_load(&fp->f_flag), events, pc);
}

static int
pipe_fop_stat(struct file *fp, struct stat *st)
{
	struct pipe *p = fp->f_data;
	kauth_cred_t cr = fp->f_cred;

	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_uid = cr->cr_euid;
	st->st_gid = cr->cr_egid;
	st->st_blksize = 4096;
	st->st_ino = (ino_t)((uintptr_t)p >> 4);
	mutex_enter(&p->pipe_lock);
	st->st_atim = p->pipe_atime;
	st->st_mtim = p->pipe_mtime;
	st->st_ctim = p->pipe_ctime;
	mutex_exit(&p->pipe_lock);
	return 0;
}

static int
pipe_fop_seek(struct file *fp, off_t off, int whence, off_t *newoff)
{
	(void)fp;
	(void)off;
	(void)whence;
	(void)newoff;
	return ESPIPE;
}

static void
pipe_fop_close(struct file *fp)
{
	struct pipe *p = fp->f_data;

	if (pipe_close_end(p, atomic_load(&fp->f_flag) & (FREAD | FWRITE)))
		pipe_destroy(p);
}

static const struct fileops pipeops = {
	.fo_name = "pipe",
	.fo_read = pipe_fop_read,
	.fo_write = pipe_fop_write,
	.fo_ioctl = pipe_fop_ioctl,
	.fo_poll = pipe_fop_poll,
	.fo_stat = pipe_fop_stat,
	.fo_seek = pipe_fop_seek,
	.fo_close = pipe_fop_close,
};

static int
dopipe(struct lwp *l, int *ufds, int flags)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	int nb = (flags & O_NONBLOCK) ? O_NONBLOCK : 0;
	bool cloexec = (flags & O_CLOEXEC) != 0;
	struct file *rf, *wf;
	int fds[2], error;
	kauth_cred_t cr;
	struct pipe *pp;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return EINVAL;
	if ((error = pipe_create(k, &pp)) != 0)
		return error;
	pipe_open_end(pp, FREAD);
	pipe_open_end(pp, FWRITE);
	cr = kauth_cred_get_proc(p);
	if ((error = falloc(k, &pipeops, pp, FREAD | nb, cr, &rf)) != 0) {
		kauth_cred_free(k, cr);
		pipe_close_end(pp, FREAD);
		pipe_close_end(pp, FWRITE);
		pipe_destroy(pp);
		return error;
	}
	error = falloc(k, &pipeops, pp, FWRITE | nb, cr, &wf);
	kauth_cred_free(k, cr);
	if (error != 0) {
		fdrop(rf);
		if (pipe_close_end(pp, FWRITE))
			pipe_destroy(pp);
		return error;
	}
	if ((error = fd_install(p, 0, rf, cloexec, &fds[0])) == 0) {
		if ((error = fd_install(p, 0, wf, cloexec, &fds[1])) != 0)
			fd_close_range(p, (unsigned)fds[0], (unsigned)fds[0], false);
		else if ((error = copyout(fds, ufds, sizeof(fds))) != 0) {
			fd_close_range(p, (unsigned)fds[0], (unsigned)fds[0], false);
			fd_close_range(p, (unsigned)fds[1], (unsigned)fds[1], false);
		}
	}
	fdrop(rf);
	fdrop(wf);
	return error;
}

int
sys_pipe(struct lwp *l, const struct sys_pipe_args *uap, long *retval)
{
	(void)retval;
	return dopipe(l, SCARG(uap, fds), 0);
}

int
sys_pipe2(struct lwp *l, const struct sys_pipe2_args *uap, long *retval)
{
	(void)retval;
	return dopipe(l, SCARG(uap, fds), SCARG(uap, flags));
}

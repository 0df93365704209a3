/*
 * I/O on any descriptor through its file's operations: read, write, their
 * positioned and vectored forms, lseek, ioctl.
 */
#include <limits.h>
#include <sys/ioctl.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "gen/syscallargs.h"

#define MAX_RW_COUNT	((size_t)INT_MAX & ~(size_t)4095)	/* as Linux */


/*
 * Do one transfer over iov (iovcnt entries) at offset off (-1: the file's
 * own offset).  Linux clamps the total to MAX_RW_COUNT.
 */
static int
dofileio(struct lwp *l, int fd, struct iovec *iov, int iovcnt, off_t off,
    enum uio_rw rw, long *retval)
{
	struct uio uio;
	struct file *fp;
	size_t total = 0;
	int error, fl;
	int (*op)(struct file *, struct uio *, int);

	if ((fp = fd_getfile(l->l_proc, fd)) == NULL)
		return EBADF;
	fl = atomic_load(&fp->f_flag);
	if (!(fl & (rw == UIO_READ ? FREAD : FWRITE))) {
		fdrop(fp);
		return EBADF;
	}
	op = rw == UIO_READ ? fp->f_ops->fo_read : fp->f_ops->fo_write;
	if (op == NULL) {
		fdrop(fp);
		return EINVAL;
	}
	if (off != -1 && !(fp->f_ops->fo_flags & FO_POSITIONED)) {
		fdrop(fp);
		return ESPIPE;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			fdrop(fp);
			return EINVAL;
		}
		if (iov[i].iov_len > 0 && iov[i].iov_base == NULL) {
			fdrop(fp);
			return EFAULT;
		}
		if (total + iov[i].iov_len > MAX_RW_COUNT)
			iov[i].iov_len = MAX_RW_COUNT - total;
		total += iov[i].iov_len;
	}
	uio.uio_iov = iov;
	uio.uio_iovcnt = iovcnt;
	uio.uio_offset = off == -1 ? 0 : off;
	uio.uio_resid = total;
	uio.uio_rw = rw;
	error = op(fp, &uio, off == -1 ? FOF_UPDATE_OFFSET : 0);
	fdrop(fp);
	if (error == 0)
		*retval = (long)(total - uio.uio_resid);
	return error;
}

int
sys_read(struct lwp *l, const struct sys_read_args *uap, long *retval)
{
	struct iovec iov = { SCARG(uap, buf), SCARG(uap, count) };

	return dofileio(l, SCARG(uap, fd), &iov, 1, -1, UIO_READ, retval);
}

int
sys_write(struct lwp *l, const struct sys_write_args *uap, long *retval)
{
	struct iovec iov = { (void *)(uintptr_t)SCARG(uap, buf), SCARG(uap, count) };

	return dofileio(l, SCARG(uap, fd), &iov, 1, -1, UIO_WRITE, retval);
}

int
sys_pread64(struct lwp *l, const struct sys_pread64_args *uap, long *retval)
{
	struct iovec iov = { SCARG(uap, buf), SCARG(uap, count) };

	if (SCARG(uap, offset) < 0)
		return EINVAL;
	return dofileio(l, SCARG(uap, fd), &iov, 1, SCARG(uap, offset), UIO_READ,
	    retval);
}

int
sys_pwrite64(struct lwp *l, const struct sys_pwrite64_args *uap, long *retval)
{
	struct iovec iov = { (void *)(uintptr_t)SCARG(uap, buf), SCARG(uap, count) };

	if (SCARG(uap, offset) < 0)
		return EINVAL;
	return dofileio(l, SCARG(uap, fd), &iov, 1, SCARG(uap, offset), UIO_WRITE,
	    retval);
}

/* Vectored I/O: a kernel copy of the caller's iovec array. */
static int
dovecio(struct lwp *l, int fd, const struct iovec *uiov, int iovcnt, off_t off,
    enum uio_rw rw, long *retval)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct iovec small[8], *iov = small;
	size_t size;
	int error;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return EINVAL;
	if (iovcnt == 0) {
		struct file *fp = fd_getfile(l->l_proc, fd);

		if (fp == NULL)
			return EBADF;
		fdrop(fp);
		*retval = 0;
		return 0;
	}
	size = (size_t)iovcnt * sizeof(*iov);
	if (iovcnt > 8 && (iov = kmem_alloc(k, size)) == NULL)
		return ENOMEM;
	if ((error = copyin(uiov, iov, size)) == 0)
		error = dofileio(l, fd, iov, iovcnt, off, rw, retval);
	if (iov != small)
		kmem_free(k, iov, size);
	return error;
}

int
sys_readv(struct lwp *l, const struct sys_readv_args *uap, long *retval)
{
	return dovecio(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt), -1,
	    UIO_READ, retval);
}

int
sys_writev(struct lwp *l, const struct sys_writev_args *uap, long *retval)
{
	return dovecio(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt), -1,
	    UIO_WRITE, retval);
}

int
sys_preadv(struct lwp *l, const struct sys_preadv_args *uap, long *retval)
{
	off_t off = (off_t)SCARG(uap, pos_l);

	if (off < 0)
		return EINVAL;
	return dovecio(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt),
	    off, UIO_READ, retval);
}

int
sys_pwritev(struct lwp *l, const struct sys_pwritev_args *uap, long *retval)
{
	off_t off = (off_t)SCARG(uap, pos_l);

	if (off < 0)
		return EINVAL;
	return dovecio(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt),
	    off, UIO_WRITE, retval);
}

int
sys_lseek(struct lwp *l, const struct sys_lseek_args *uap, long *retval)
{
	struct file *fp;
	off_t newoff = 0;
	int error;

	if ((fp = fd_getfile_io(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	if (fp->f_ops->fo_seek == NULL)
		error = ESPIPE;
	else
		error = fp->f_ops->fo_seek(fp, SCARG(uap, offset),
		    SCARG(uap, whence), &newoff);
	fdrop(fp);
	if (error == 0)
		*retval = newoff;
	return error;
}

int
sys_ioctl(struct lwp *l, const struct sys_ioctl_args *uap, long *retval)
{
	unsigned long cmd = SCARG(uap, request);
	void *data = (void *)SCARG(uap, arg);
	struct file *fp;
	int error = 0, v;

	(void)retval;
	if ((fp = fd_getfile_io(l->l_proc, SCARG(uap, fd))) == NULL)
		return EBADF;
	switch (cmd) {
	case FIONBIO:
		if ((error = copyin(data, &v, sizeof(v))) != 0)
			break;
		if (v)
			atomic_fetch_or(&fp->f_flag, O_NONBLOCK);
		else
			atomic_fetch_and(&fp->f_flag, ~O_NONBLOCK);
		break;
	case FIOCLEX:
	case FIONCLEX:
		fdrop(fp);
		return fd_setcloexec(l->l_proc, SCARG(uap, fd), cmd == FIOCLEX);
	default:
		if (fp->f_ops->fo_ioctl == NULL) {
			error = ENOTTY;
			break;
		}
		if (cmd == FIONREAD) {
			if ((error = fp->f_ops->fo_ioctl(fp, cmd, &v)) == 0)
				error = copyout(&v, data, sizeof(v));
		} else {
			error = fp->f_ops->fo_ioctl(fp, cmd, data);
		}
		break;
	}
	fdrop(fp);
	return error;
}

/* read and write on any descriptor, through its file's operations. */
#include <limits.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "gen/syscallargs.h"

#define MAX_RW_COUNT	((size_t)INT_MAX & ~(size_t)4095)	/* as Linux */

static int
dofileio(struct lwp *l, int fd, void *buf, size_t count, enum uio_rw rw,
    register_t *retval)
{
	struct iovec iov;
	struct uio uio;
	struct file *fp;
	int error, need = rw == UIO_READ ? FREAD : FWRITE;
	int (*op)(struct file *, struct uio *);

	if ((fp = fd_getfile(l->l_proc, fd)) == NULL)
		return EBADF;
	op = rw == UIO_READ ? fp->f_ops->fo_read : fp->f_ops->fo_write;
	if (!(atomic_load(&fp->f_flag) & need)) {
		fdrop(fp);
		return EBADF;
	}
	if (op == NULL) {
		fdrop(fp);
		return EINVAL;
	}
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	if (count > 0 && buf == NULL) {
		fdrop(fp);
		return EFAULT;
	}
	iov.iov_base = buf;
	iov.iov_len = count;
	uio.uio_iov = &iov;
	uio.uio_iovcnt = 1;
	uio.uio_offset = 0;
	uio.uio_resid = count;
	uio.uio_rw = rw;
	error = op(fp, &uio);
	fdrop(fp);
	if (error == 0)
		*retval = (register_t)(count - uio.uio_resid);
	return error;
}

int
sys_read(struct lwp *l, const struct sys_read_args *uap, register_t *retval)
{
	return dofileio(l, SCARG(uap, fd), SCARG(uap, buf), SCARG(uap, count),
	    UIO_READ, retval);
}

int
sys_write(struct lwp *l, const struct sys_write_args *uap, register_t *retval)
{
	return dofileio(l, SCARG(uap, fd), (void *)(uintptr_t)SCARG(uap, buf),
	    SCARG(uap, count), UIO_WRITE, retval);
}

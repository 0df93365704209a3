/* eventfd: a 64-bit counter behind a descriptor, as Linux has it. */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/selinfo.h"
#include "sys/uiomove.h"
#include "gen/syscallargs.h"

#define EVENTFD_MAX	UINT64_C(0xfffffffffffffffe)

struct eventfd {
	kmutex_t	efd_lock;
	kcondvar_t	efd_cv;		/* the counter changed */
	uint64_t	efd_count;
	bool		efd_semaphore;
	struct selinfo	efd_sel;
};

static int
efd_fop_read(struct file *fp, struct uio *uio, int flags)
{
	struct eventfd *efd = fp->f_data;
	uint64_t v;

	if (uio->uio_resid < sizeof(v))
		return EINVAL;
	mutex_enter(&efd->efd_lock);
	while (efd->efd_count == 0) {
		if (fnonblock(fp)) {
			mutex_exit(&efd->efd_lock);
			return EAGAIN;
		}
		if (lwp_sleep(&efd->efd_cv, &efd->efd_lock, -1) != 0) {
			mutex_exit(&efd->efd_lock);
			return EINTR;
		}
	}
	if (efd->efd_semaphore) {
		v = 1;
		efd->efd_count--;
	} else {
		v = efd->efd_count;
		efd->efd_count = 0;
	}
	cv_broadcast(&efd->efd_cv);
	mutex_exit(&efd->efd_lock);
	(void)flags;
	selwakeup(fp->f_kernel, &efd->efd_sel, POLLOUT | POLLWRNORM);
	return uiomove(&v, sizeof(v), uio);
}

static int
efd_fop_write(struct file *fp, struct uio *uio, int flags)
{
	struct eventfd *efd = fp->f_data;
	uint64_t v;
	int error;

	if (uio->uio_resid < sizeof(v))
		return EINVAL;
	if ((error = uiomove(&v, sizeof(v), uio)) != 0)
		return error;
	if (v == UINT64_MAX)
		return EINVAL;
	mutex_enter(&efd->efd_lock);
	while (EVENTFD_MAX - efd->efd_count < v) {
		if (fnonblock(fp)) {
			mutex_exit(&efd->efd_lock);
			return EAGAIN;
		}
		if (lwp_sleep(&efd->efd_cv, &efd->efd_lock, -1) != 0) {
			mutex_exit(&efd->efd_lock);
			return EINTR;
		}
	}
	efd->efd_count += v;
	if (v != 0)
		cv_broadcast(&efd->efd_cv);
	mutex_exit(&efd->efd_lock);
	(void)flags;
	if (v != 0)
		selwakeup(fp->f_kernel, &efd->efd_sel, POLLIN | POLLRDNORM);
	return 0;
}

static int
efd_fop_poll(struct file *fp, int events, struct pollctx *pc)
{
	struct eventfd *efd = fp->f_data;
	int revents = 0;

	selrecord(pc, &efd->efd_sel);
	mutex_enter(&efd->efd_lock);
	if (efd->efd_count > 0)
		revents |= events & (POLLIN | POLLRDNORM);
	if (efd->efd_count < EVENTFD_MAX)
		revents |= events & (POLLOUT | POLLWRNORM);
	mutex_exit(&efd->efd_lock);
	return revents;
}

static int
efd_fop_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	(void)fp;
	(void)cmd;
	(void)data;
	return ENOTTY;
}

static void
efd_fop_close(struct file *fp)
{
	struct eventfd *efd = fp->f_data;

	seldestroy(fp->f_kernel, &efd->efd_sel);
	cv_destroy(&efd->efd_cv);
	mutex_destroy(&efd->efd_lock);
	kmem_free(fp->f_kernel, efd, sizeof(*efd));
}

static const struct fileops eventfd_ops = {
	.fo_name = "eventfd",
	.fo_read = efd_fop_read,
	.fo_write = efd_fop_write,
	.fo_ioctl = efd_fop_ioctl,
	.fo_poll = efd_fop_poll,
	.fo_stat = fop_anon_stat,
	.fo_seek = fop_noop_seek,
	.fo_close = efd_fop_close,
};

int
sys_eventfd2(struct lwp *l, const struct sys_eventfd2_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct rump_kernel *k = p->p_kernel;
	int flags = SCARG(uap, flags), fd, error;
	struct eventfd *efd;
	kauth_cred_t cr;
	struct file *fp;

	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return EINVAL;
	if ((efd = kmem_zalloc(k, sizeof(*efd))) == NULL)
		return ENOMEM;
	if ((error = mutex_init(&efd->efd_lock)) != 0) {
		kmem_free(k, efd, sizeof(*efd));
		return error;
	}
	if ((error = cv_init(&efd->efd_cv)) != 0) {
		mutex_destroy(&efd->efd_lock);
		kmem_free(k, efd, sizeof(*efd));
		return error;
	}
	efd->efd_count = SCARG(uap, initval);
	selinit(&efd->efd_sel);
	efd->efd_semaphore = (flags & EFD_SEMAPHORE) != 0;
	cr = kauth_cred_get_proc(p);
	error = falloc(k, &eventfd_ops, efd,
	    FREAD | FWRITE | (flags & EFD_NONBLOCK ? O_NONBLOCK : 0), cr, &fp);
	kauth_cred_free(k, cr);
	if (error != 0) {
		efd_fop_close(&(struct file){ .f_kernel = k, .f_data = efd });
		return error;
	}
	error = fd_install(p, 0, fp, (flags & EFD_CLOEXEC) != 0, &fd);
	fdrop(fp);
	if (error == 0)
		*retval = fd;
	return error;
}

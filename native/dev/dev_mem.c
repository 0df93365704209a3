/*
 * The memory-like devices: null, zero, full, random, urandom; the console,
 * whose writes become kernel log lines; and tty, which no process here has.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/systm.h"
#include "sys/device.h"
#include "sys/kernel.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

static int
null_read(struct rump_kernel *k, struct uio *uio)
{
	(void)k;
	(void)uio;
	return 0;
}

/* Consume everything written. */
static int
null_write(struct rump_kernel *k, struct uio *uio)
{
	(void)k;
	while (uio->uio_resid > 0 && uio->uio_iovcnt > 0) {
		size_t n = MIN(uio->uio_iov->iov_len, uio->uio_resid);

		uio->uio_resid -= n;
		uio->uio_offset = (off_t)((uint64_t)uio->uio_offset + n);
		uio->uio_iov->iov_len -= n;
		uio->uio_iov++;
		uio->uio_iovcnt--;
	}
	return 0;
}

static int
zero_read(struct rump_kernel *k, struct uio *uio)
{
	char zeros[256];

	(void)k;
	memset(zeros, 0, sizeof(zeros));
	while (uio->uio_resid > 0) {
		int error = uiomove(zeros, MIN(sizeof(zeros), uio->uio_resid),
		    uio);

		if (error != 0)
			return error;
	}
	return 0;
}

static int
full_write(struct rump_kernel *k, struct uio *uio)
{
	(void)k;
	(void)uio;
	return ENOSPC;		/* even for nothing, as Linux */
}

static int
random_read(struct rump_kernel *k, struct uio *uio)
{
	char buf[256];

	(void)k;
	while (uio->uio_resid > 0) {
		size_t want = MIN(sizeof(buf), uio->uio_resid), got = 0;
		int error = rumpuser_getrandom(buf, want, 0, &got);

		if (error == 0)
			error = uiomove(buf, got, uio);
		if (error != 0)
			return error;
	}
	return 0;
}

/* Console writes: one kernel log line per line written. */
static int
cons_write(struct rump_kernel *k, struct uio *uio)
{
	char line[200];
	size_t n = 0;

	while (uio->uio_resid > 0) {
		char c;
		int error = uiomove(&c, 1, uio);

		if (error != 0)
			return error;
		if (c != '\n')
			line[n++] = c;
		if (c == '\n' || n == sizeof(line) - 1) {
			line[n] = '\0';
			klog(k, "console: %s", line);
			n = 0;
		}
	}
	if (n > 0) {
		line[n] = '\0';
		klog(k, "console: %s", line);
	}
	return 0;
}

static int
tty_open(struct rump_kernel *k, int fflag)
{
	(void)k;
	(void)fflag;
	return ENXIO;	/* no controlling terminal, as for a daemon */
}

static const struct cdevsw cdevsw[] = {
	{ 1, 3, "null", 0666, NULL, null_read, null_write },
	{ 1, 5, "zero", 0666, NULL, zero_read, null_write },
	{ 1, 7, "full", 0666, NULL, zero_read, full_write },
	{ 1, 8, "random", 0666, NULL, random_read, null_write },
	{ 1, 9, "urandom", 0666, NULL, random_read, null_write },
	{ 5, 0, "tty", 0666, tty_open, null_read, null_write },
	{ 5, 1, "console", 0600, NULL, null_read, cons_write },
};

const struct cdevsw *
cdev_lookup(dev_t dev)
{
	for (size_t i = 0; i < sizeof(cdevsw) / sizeof(cdevsw[0]); i++)
		if (cdevsw[i].d_major == major(dev) &&
		    cdevsw[i].d_minor == minor(dev))
			return &cdevsw[i];
	return NULL;
}

static int
make_node(struct vnode *dvp, const char *name, enum vtype type, mode_t mode,
    dev_t rdev, struct vnode **vpp)
{
	struct vattr va;
	struct vnode *vp;
	int error;

	memset(&va, 0, sizeof(va));
	va.va_type = type;
	va.va_mode = mode;
	va.va_rdev = rdev;
	error = dvp->v_op->vop_create(dvp, name, strlen(name), &va, &vp);
	if (error != 0)
		return error;
	if (vpp != NULL)
		*vpp = vp;
	else
		vrele(vp);
	return 0;
}

int
dev_populate(struct rump_kernel *k)
{
	struct vnode *root = k->k_rootvnode, *dev;
	int error;

	vfs_enter(k);
	error = make_node(root, "dev", VDIR, 0755, 0, &dev);
	if (error == 0) {
		for (size_t i = 0; i < sizeof(cdevsw) / sizeof(cdevsw[0]) &&
		    error == 0; i++)
			error = make_node(dev, cdevsw[i].d_name, VCHR,
			    cdevsw[i].d_mode, makedev(cdevsw[i].d_major,
			    cdevsw[i].d_minor), NULL);
		vrele(dev);
	}
	if (error == 0)
		error = make_node(root, "tmp", VDIR, 01777, 0, NULL);
	vfs_exit(k);
	return error;
}

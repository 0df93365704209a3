/*
 * Character devices: a table from device numbers (Linux's) to drivers.
 * Devices read and write through a uio; they are always ready for poll.
 */
#ifndef SYS_DEVICE_H
#define SYS_DEVICE_H

#include "sys/systm.h"

struct uio;

struct cdevsw {
	unsigned	d_major;
	unsigned	d_minor;
	const char	*d_name;	/* its node under /dev */
	mode_t		d_mode;
	int	(*d_open)(struct rump_kernel *k, int fflag);
	int	(*d_read)(struct rump_kernel *k, struct uio *uio);
	int	(*d_write)(struct rump_kernel *k, struct uio *uio);
};

const struct cdevsw *cdev_lookup(dev_t dev);
/* Create /dev and the nodes of every device in the root file system. */
int	dev_populate(struct rump_kernel *k);

#endif

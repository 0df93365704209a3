/* Moving data between kernel buffers and a caller's I/O vector. */
#ifndef SYS_UIOMOVE_H
#define SYS_UIOMOVE_H

#include <sys/uio.h>

#include "sys/systm.h"

enum uio_rw { UIO_READ, UIO_WRITE };

struct uio {
	struct iovec	*uio_iov;
	int		uio_iovcnt;
	off_t		uio_offset;
	size_t		uio_resid;
	enum uio_rw	uio_rw;
};

/* UIO_READ: copy buf out to the vector; UIO_WRITE: fill buf from it. */
int	uiomove(void *buf, size_t n, struct uio *uio);

#endif

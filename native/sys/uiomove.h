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
/*
 * The next n bytes of the uio as up to max vectors, the uio left as it is:
 * returns how many, *lenp the bytes they cover (less than n when max
 * vectors did not reach, or the uio ends first).  For data moved by other
 * means (a host transfer straight into the caller's buffers), after which
 * uioskip consumes it.
 */
int	uiovec(const struct uio *uio, size_t n, struct iovec *iov, int max,
	    size_t *lenp);
/* Consume n bytes of the uio (at most its resid). */
void	uioskip(struct uio *uio, size_t n);

#endif

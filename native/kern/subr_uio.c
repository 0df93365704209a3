/* uiomove: copy between a kernel buffer and a caller's I/O vector. */
#include "sys/systm.h"
#include "sys/uiomove.h"

int
uiomove(void *buf, size_t n, struct uio *uio)
{
	char *cp = buf;

	while (n > 0 && uio->uio_resid > 0) {
		struct iovec *iov = uio->uio_iov;
		size_t cnt;

		if (uio->uio_iovcnt <= 0)
			return EFAULT;
		cnt = MIN(iov->iov_len, n);
		if (cnt == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (!useraddr_ok(iov->iov_base, cnt))
			return EFAULT;
		if (uio->uio_rw == UIO_READ)
			memcpy(iov->iov_base, cp, cnt);
		else
			memcpy(cp, iov->iov_base, cnt);
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		/* devices ignore positions: any offset may come, never overflow */
		uio->uio_offset = (off_t)((uint64_t)uio->uio_offset + cnt);
		cp += cnt;
		n -= cnt;
	}
	return 0;
}

int
uiovec(const struct uio *uio, size_t n, struct iovec *iov, int max,
    size_t *lenp)
{
	size_t len = 0;
	int cnt = 0;

	n = MIN(n, uio->uio_resid);
	for (int i = 0; i < uio->uio_iovcnt && len < n && cnt < max; i++) {
		size_t c = MIN(uio->uio_iov[i].iov_len, n - len);

		if (c == 0)
			continue;
		iov[cnt].iov_base = uio->uio_iov[i].iov_base;
		iov[cnt].iov_len = c;
		cnt++;
		len += c;
	}
	*lenp = len;
	return cnt;
}

void
uioskip(struct uio *uio, size_t n)
{
	KASSERT(n <= uio->uio_resid);
	while (n > 0 && uio->uio_iovcnt > 0) {
		struct iovec *iov = uio->uio_iov;
		size_t c = MIN(iov->iov_len, n);

		iov->iov_base = (char *)iov->iov_base + c;
		iov->iov_len -= c;
		uio->uio_resid -= c;
		uio->uio_offset = (off_t)((uint64_t)uio->uio_offset + c);
		n -= c;
		if (iov->iov_len == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
		}
	}
}

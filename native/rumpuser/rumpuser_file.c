/* Host files, for block devices and host file mapping. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rump/rumpuser.h>

#include "rumpuser_int.h"

int
rumpuser_open(const char *path, int ruflags, int *fdp)
{
	int flags = O_CLOEXEC;
	int fd;

	switch (ruflags & RUMPUSER_OPEN_ACCMODE) {
	case RUMPUSER_OPEN_RDONLY:
		flags |= O_RDONLY;
		break;
	case RUMPUSER_OPEN_WRONLY:
		flags |= O_WRONLY;
		break;
	case RUMPUSER_OPEN_RDWR:
		flags |= O_RDWR;
		break;
	default:
		return EINVAL;
	}
	if (ruflags & RUMPUSER_OPEN_CREATE)
		flags |= O_CREAT;
	if (ruflags & RUMPUSER_OPEN_EXCL)
		flags |= O_EXCL;
	if (ruflags & RUMPUSER_OPEN_TRUNC)
		flags |= O_TRUNC;
	do {
		fd = open(path, flags, 0644);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno;
	*fdp = fd;
	return 0;
}

int
rumpuser_close(int fd)
{
	rumpuser_iofault_clear(fd);
	return close(fd) == 0 ? 0 : errno;
}

int
rumpuser_getfileinfo(const char *path, uint64_t *sizep, int *typep)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	*sizep = (uint64_t)st.st_size;
	if (S_ISDIR(st.st_mode))
		*typep = RUMPUSER_FT_DIR;
	else if (S_ISREG(st.st_mode))
		*typep = RUMPUSER_FT_REG;
	else if (S_ISBLK(st.st_mode))
		*typep = RUMPUSER_FT_BLK;
	else if (S_ISCHR(st.st_mode))
		*typep = RUMPUSER_FT_CHR;
	else
		*typep = RUMPUSER_FT_OTHER;
	return 0;
}

int
rumpuser_iovread(int fd, struct iovec *iov, int iovcnt, int64_t off,
    size_t *retp)
{
	ssize_t n;

	if (rumpuser_iofault_hit(fd, RUMPUSER_IOFAULT_READ))
		return EIO;
	do {
		/* one vector: pread, which spares the host copying the vector */
		n = iovcnt == 1 ? pread(fd, iov->iov_base, iov->iov_len,
		    (off_t)off) : preadv(fd, iov, iovcnt, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	*retp = (size_t)n;
	return 0;
}

int
rumpuser_iovwrite(int fd, const struct iovec *iov, int iovcnt, int64_t off,
    size_t *retp)
{
	ssize_t n;

	if (rumpuser_iofault_hit(fd, RUMPUSER_IOFAULT_WRITE))
		return EIO;
	do {
		n = pwritev(fd, iov, iovcnt, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	*retp = (size_t)n;
	return 0;
}

int
rumpuser_syncfd(int fd, int flags)
{
	int rv = (flags & RUMPUSER_SYNC_ALL) ? fsync(fd) : fdatasync(fd);

	return rv == 0 ? 0 : errno;
}

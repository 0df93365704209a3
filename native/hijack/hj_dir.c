/*
 * Directory streams, for host and kernel directories alike, over
 * getdents64 (which routes by descriptor): so opendir("/rump/x") and
 * fdopendir on a kernel descriptor work, and telldir/seekdir use the
 * file system's own offsets.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj_int.h"

#define EXPORT	__attribute__((visibility("default")))
#define DIRBUF	32768

struct hj_dir {
	int	fd;
	size_t	pos, len;
	long	off;		/* d_off of the last entry returned */
	char	buf[DIRBUF] __attribute__((aligned(8)));
};

static DIR *
make(int fd)
{
	struct hj_dir *d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	d->fd = fd;
	d->pos = d->len = 0;
	d->off = 0;
	return (DIR *)d;
}

EXPORT DIR *
opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	DIR *d;

	if (fd < 0)
		return NULL;
	if ((d = make(fd)) == NULL)
		close(fd);
	return d;
}

EXPORT DIR *
fdopendir(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return make(fd);
}

EXPORT int
closedir(DIR *dp)
{
	struct hj_dir *d = (struct hj_dir *)dp;
	int fd = d->fd;

	free(d);
	return close(fd);
}

EXPORT int
dirfd(DIR *dp)
{
	return ((struct hj_dir *)dp)->fd;
}

EXPORT struct dirent64 *
readdir64(DIR *dp)
{
	struct hj_dir *d = (struct hj_dir *)dp;
	struct dirent64 *e;
	int saved = errno;
	ssize_t n;

	if (d->pos >= d->len) {
		n = getdents64(d->fd, d->buf, sizeof(d->buf));
		if (n <= 0) {
			if (n == 0)	/* the end is not an error */
				errno = saved;
			return NULL;
		}
		d->len = (size_t)n;
		d->pos = 0;
	}
	e = (struct dirent64 *)(d->buf + d->pos);
	d->pos += e->d_reclen;
	d->off = e->d_off;
	return e;
}

/* struct dirent and dirent64 are one layout on 64-bit Linux */
EXPORT struct dirent *
readdir(DIR *dp)
{
	return (struct dirent *)readdir64(dp);
}


/* readdir_r: the same as readdir64_r (one layout) */
EXPORT int
readdir64_r(DIR *dp, struct dirent64 *ent, struct dirent64 **res)
{
	int saved = errno;
	struct dirent64 *e;

	errno = 0;
	e = readdir64(dp);
	if (e == NULL) {
		int err = errno;
		errno = saved;
		*res = NULL;
		return err;
	}
	memcpy(ent, e, e->d_reclen < sizeof(*ent) ? e->d_reclen :
	    sizeof(*ent));
	*res = ent;
	errno = saved;
	return 0;
}

EXPORT void
seekdir(DIR *dp, long off)
{
	struct hj_dir *d = (struct hj_dir *)dp;

	lseek(d->fd, off, SEEK_SET);
	d->pos = d->len = 0;
	d->off = off;
}

EXPORT void
rewinddir(DIR *dp)
{
	seekdir(dp, 0);
}

EXPORT long
telldir(DIR *dp)
{
	return ((struct hj_dir *)dp)->off;
}

/* scandir, over the streams above (glibc's own would miss the kernel) */
EXPORT int
scandir(const char *path, struct dirent ***out,
    int (*sel)(const struct dirent *),
    int (*cmp)(const struct dirent **, const struct dirent **))
{
	struct dirent **v = NULL, *e;
	size_t n = 0, cap = 0;
	DIR *d = opendir(path);

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (sel != NULL && !sel(e))
			continue;
		if (n == cap) {
			struct dirent **nv = realloc(v, (cap = cap ? cap * 2 :
			    16) * sizeof(*v));
			if (nv == NULL)
				goto fail;
			v = nv;
		}
		if ((v[n] = malloc(e->d_reclen)) == NULL)
			goto fail;
		memcpy(v[n++], e, e->d_reclen);
	}
	closedir(d);
	if (cmp != NULL)
		qsort(v, n, sizeof(*v), (int (*)(const void *,
		    const void *))cmp);
	*out = v;
	return (int)n;
fail:
	while (n > 0)
		free(v[--n]);
	free(v);
	closedir(d);
	errno = ENOMEM;
	return -1;
}

EXPORT int
scandir64(const char *path, struct dirent64 ***out,
    int (*sel)(const struct dirent64 *),
    int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	return scandir(path, (struct dirent ***)out,
	    (int (*)(const struct dirent *))sel,
	    (int (*)(const struct dirent **, const struct dirent **))cmp);
}

EXPORT int
readdir_r(DIR *dp, struct dirent *ent, struct dirent **res)
	__attribute__((alias("readdir64_r")));

/*
 * stdio on kernel files: fopen of a kernel path (and fdopen of a kernel
 * descriptor) makes a FILE whose reads, writes and seeks are the routed
 * system calls (fopencookie), so FILE streams reach the kernel.  fileno
 * tells such a stream's descriptor.  Host files keep glibc's own FILEs.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj_int.h"

#define EXPORT	__attribute__((visibility("default")))

struct kstream {
	struct kstream	*next;
	FILE		*f;
	int		fd;
	bool		detached;	/* closing it leaves fd alone */
};
static struct kstream *streams;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *
next_fn(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* routed even when stdio runs inside the library (a flush at exit) */
static long
routed(long nr, long a0, long a1, long a2)
{
	long r;

	hj_enter();
	r = hj_route(nr, (long[6]){ a0, a1, a2 });
	hj_leave();
	return hj_ret(r);
}

static ssize_t
c_read(void *c, char *b, size_t n)
{
	return routed(SYS_read, ((struct kstream *)c)->fd, (long)b, (long)n);
}

static ssize_t
c_write(void *c, const char *b, size_t n)
{
	ssize_t w = routed(SYS_write, ((struct kstream *)c)->fd, (long)b,
	    (long)n);

	return w < 0 ? 0 : w;	/* fopencookie: 0 is the error */
}

static int
c_seek(void *c, off64_t *o, int whence)
{
	off_t r = routed(SYS_lseek, ((struct kstream *)c)->fd, *o, whence);

	if (r < 0)
		return -1;
	*o = r;
	return 0;
}

static int
c_close(void *c)
{
	struct kstream *s = c;

	return s->detached ? 0 : (int)routed(SYS_close, s->fd, 0, 0);
}

/* fopen's mode as open flags; -1 when it is not one */
static int
mode_flags(const char *m)
{
	int fl;

	switch (m[0]) {
	case 'r': fl = O_RDONLY; break;
	case 'w': fl = O_WRONLY | O_CREAT | O_TRUNC; break;
	case 'a': fl = O_WRONLY | O_CREAT | O_APPEND; break;
	default: return -1;
	}
	for (const char *p = m + 1; *p != '\0' && *p != ','; p++)
		switch (*p) {
		case '+': fl = (fl & ~O_ACCMODE) | O_RDWR; break;
		case 'e': fl |= O_CLOEXEC; break;
		case 'x': fl |= O_EXCL; break;
		}
	return fl;
}

static FILE *
kstream(int fd, const char *mode)
{
	cookie_io_functions_t io = { c_read, c_write, c_seek, c_close };
	struct kstream *s = calloc(1, sizeof(*s));
	FILE *f;

	if (s == NULL)
		return NULL;
	s->fd = fd;
	if ((f = fopencookie(s, mode, io)) == NULL) {
		free(s);
		return NULL;
	}
	s->f = f;
	pthread_mutex_lock(&lock);
	s->next = streams;
	streams = s;
	pthread_mutex_unlock(&lock);
	return f;
}

/* the stream's descriptor, or -1; taken off the list when drop */
static int
lookup(FILE *f, bool drop)
{
	struct kstream **p, *s;
	int fd = -1;

	pthread_mutex_lock(&lock);
	for (p = &streams; (s = *p) != NULL; p = &s->next)
		if (s->f == f) {
			fd = s->fd;
			if (drop) {
				*p = s->next;
				free(s);
			}
			break;
		}
	pthread_mutex_unlock(&lock);
	return fd;
}

static struct kstream *
find(FILE *f)
{
	struct kstream *s;

	pthread_mutex_lock(&lock);
	for (s = streams; s != NULL && s->f != f; s = s->next)
		;
	pthread_mutex_unlock(&lock);
	return s;
}

static bool
kernel_path(const char *path)
{
	char kp[PATH_MAX];

	return hj_ready() && !hj_depth &&
	    hj_path_route(path, kp) == HJ_KERNEL;
}

static FILE *
kopen(const char *path, const char *mode)
{
	int fl = mode_flags(mode), fd;
	FILE *f;

	if (fl < 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((fd = open(path, fl, 0666)) < 0)
		return NULL;
	if ((f = kstream(fd, mode)) == NULL)
		close(fd);
	return f;
}

EXPORT FILE *
fopen(const char *path, const char *mode)
{
	static FILE *(*real)(const char *, const char *);

	if (kernel_path(path))
		return kopen(path, mode);
	if (real == NULL)
		real = (FILE *(*)(const char *, const char *))next_fn("fopen");
	return real(path, mode);
}

EXPORT FILE *
fopen64(const char *path, const char *mode)
{
	return fopen(path, mode);
}

EXPORT FILE *
fdopen(int fd, const char *mode)
{
	static FILE *(*real)(int, const char *);

	if (!hj_depth && hj_kfd(fd) >= 0)
		return kstream(fd, mode);
	if (real == NULL)
		real = (FILE *(*)(int, const char *))next_fn("fdopen");
	return real(fd, mode);
}

/*
 * freopen onto a kernel file: the stream's descriptor number is made to
 * name the kernel file (as dup2 would), and the stream is kept.
 */
EXPORT FILE *
freopen(const char *path, const char *mode, FILE *f)
{
	static FILE *(*real)(const char *, const char *, FILE *);
	int fd, kfd, fl;

	if (real == NULL)
		real = (FILE *(*)(const char *, const char *, FILE *))
		    next_fn("freopen");
	if (path == NULL || !kernel_path(path) || lookup(f, false) >= 0) {
		if (path != NULL && lookup(f, false) >= 0) {
			fclose(f);
			return NULL;	/* a cookie stream cannot be reused */
		}
		return real(path, mode, f);
	}
	if ((fl = mode_flags(mode)) < 0 || (fd = fileno(f)) < 0) {
		errno = EINVAL;
		return NULL;
	}
	fflush(f);
	if ((kfd = open(path, fl, 0666)) < 0)
		return NULL;
	if (dup2(kfd, fd) < 0) {
		close(kfd);
		return NULL;
	}
	close(kfd);
	clearerr(f);
	return f;
}

EXPORT FILE *
freopen64(const char *path, const char *mode, FILE *f)
{
	return freopen(path, mode, f);
}

EXPORT int
fclose(FILE *f)
{
	static int (*real)(FILE *);
	bool ours = find(f) != NULL;
	int r;

	if (real == NULL)
		real = (int (*)(FILE *))next_fn("fclose");
	r = real(f);		/* the cookie's close still needs it */
	if (ours)
		lookup(f, true);
	return r;
}

/*
 * stdin, stdout and stderr over a number that names a kernel file (dup2
 * onto 0..2, or inherited across exec): glibc's own streams would write
 * to the host's placeholder with its internal calls, so while the number
 * is mapped the standard stream is one of ours on the same number.
 */
static FILE *saved_std[3];

/* glibc's own stream, before its number changes hands */
void
hj_stdio_flush(int fd)
{
	FILE *std[3] = { stdin, stdout, stderr };

	if (fd >= 1 && fd <= 2)
		fflush(std[fd]);
}

void
hj_stdio_mapped(int fd, bool on)
{
	static const char *const modes[3] = { "r", "w", "w" };
	FILE **std[3] = { &stdin, &stdout, &stderr };
	struct kstream *s;
	FILE *f;

	if (fd < 0 || fd > 2)
		return;
	if (on && saved_std[fd] == NULL) {
		if ((f = kstream(fd, modes[fd])) == NULL)
			return;
		if (fd == 2)
			setvbuf(f, NULL, _IONBF, 0);
		saved_std[fd] = *std[fd];
		*std[fd] = f;
	} else if (!on && saved_std[fd] != NULL) {
		f = *std[fd];
		*std[fd] = saved_std[fd];
		saved_std[fd] = NULL;
		if ((s = find(f)) != NULL) {
			fflush(f);
			s->detached = true;
			fclose(f);
		}
	}
}

EXPORT int
fileno(FILE *f)
{
	static int (*real)(FILE *);
	int fd = lookup(f, false);

	if (fd >= 0)
		return fd;
	if (real == NULL)
		real = (int (*)(FILE *))next_fn("fileno");
	return real(f);
}

EXPORT int
fileno_unlocked(FILE *f)
{
	return fileno(f);
}

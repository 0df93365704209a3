/*
 * Processes: fork and exec keep the kernel side straight through the
 * backend; posix_spawn is fork + exec here, with its file actions
 * recorded by the interposed posix_spawn_file_actions_* calls so they
 * reach kernel descriptors too.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hj_int.h"

#define EXPORT	__attribute__((visibility("default")))

extern char **environ;

/*
 * A fork the trap caught (glibc's own fork issuing clone, after its fork
 * handlers and with its locks taken): the host side is that very system
 * call, not another glibc fork, which would take the same locks again.
 */
static __thread const long *raw_clone;
static __thread long raw_nr;

pid_t
hj_host_fork(void)
{
	static pid_t (*real)(void);
	const long *a = raw_clone;
	long r;

	if (a != NULL) {
		r = hj_host_syscall(raw_nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		return (pid_t)hj_ret(r);
	}
	if (real == NULL)
		real = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	return real != NULL ? real() : (errno = ENOSYS, -1);
}

/* this process's pid, to tell a child that shares our memory (vfork) */
static pid_t self_pid;

void
hj_proc_init(void)
{
	self_pid = (pid_t)hj_host_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

long
hj_fork(void)
{
	pid_t p;

	if (hj_backend == NULL)
		p = hj_host_fork();
	else
		p = hj_backend->fork();
	if (p == 0)
		hj_proc_init();
	return p < 0 ? -errno : p;
}

long
hj_fork_raw(long nr, const long *a)
{
	long r;

	raw_nr = nr;
	raw_clone = a;
	r = hj_fork();
	raw_clone = NULL;
	return r;
}

EXPORT pid_t
fork(void)
{
	pid_t p;

	if (hj_depth)
		return hj_host_fork();
	hj_enter();
	p = (pid_t)hj_ret(hj_fork());
	hj_leave();
	return p;
}

EXPORT pid_t
vfork(void)
{
	return fork();
}

/* envp with the library's state for the next program */
static char **
exec_env(char *const envp[])
{
	static const char mapvar[] = "RUMPHIJACK__FDMAP=",
	    cwdvar[] = "RUMPHIJACK__KCWD=";
	size_t n = 0, j = 0;
	char **out, *map;

	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((out = malloc((n + 3) * sizeof(*out))) == NULL ||
	    (map = malloc(8192)) == NULL) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], mapvar, sizeof(mapvar) - 1) != 0 &&
		    strncmp(envp[i], cwdvar, sizeof(cwdvar) - 1) != 0)
			out[j++] = envp[i];
	if (hj_backend != NULL && hj_backend != &hj_local_backend) {
		/* the kernel process goes on: its descriptors and its cwd */
		strcpy(map, mapvar);
		hj_fd_envsave(map + sizeof(mapvar) - 1,
		    8192 - sizeof(mapvar));
		out[j++] = map;
		if (hj_kcwd)
			out[j++] = (char *)"RUMPHIJACK__KCWD=1";
	} else if (hj_kcwd) {
		/* the next kernel starts where this one's cwd is */
		strcpy(map, cwdvar);
		if (hj_ksys(SYS_getcwd, (long)map + sizeof(cwdvar) - 1,
		    8192 - sizeof(cwdvar), 0, 0, 0, 0) > 0)
			out[j++] = map;
		else
			free(map);
	} else
		free(map);
	out[j] = NULL;
	return out;
}

long
hj_execve(const char *path, char *const argv[], char *const envp[])
{
	char **env;
	int r;

	/*
	 * A child sharing our memory (glibc's posix_spawn for popen and
	 * system, a raw vfork) must not exec through the backend: that
	 * would take the parent's kernel (local) or connection (remote).
	 * It execs on the host; the program there starts on its own.
	 */
	if (hj_backend == NULL ||
	    hj_host_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0) != self_pid)
		return hj_host_syscall(SYS_execve, (long)path, (long)argv,
		    (long)envp, 0, 0, 0);
	if ((env = exec_env(envp)) == NULL)
		return -ENOMEM;
	r = hj_backend->execve(path, argv, env);
	r = errno;
	free(env);
	return -r;
}

EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	long r;

	if (hj_depth)
		return (int)hj_ret(hj_host_syscall(SYS_execve, (long)path,
		    (long)argv, (long)envp, 0, 0, 0));
	hj_enter();
	r = hj_execve(path, argv, envp);
	hj_leave();
	return (int)hj_ret(r);
}

EXPORT int
execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* PATH search as the shell does it, over the interposed execve */
EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	const char *path, *p;
	char buf[PATH_MAX];
	int saw_eacces = 0;

	if (*file == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/') != NULL)
		return execve(file, argv, envp);
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n + strlen(file) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, p,
			    n ? "/" : "", file);
			execve(buf, argv, envp);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno == ENOEXEC) {
				/* a script without #!: the shell runs it */
				size_t c = 0;
				while (argv[c] != NULL)
					c++;
				char **sv = malloc((c + 2) * sizeof(*sv));
				if (sv != NULL) {
					sv[0] = (char *)"sh";
					sv[1] = buf;
					for (size_t i = 1; i <= c; i++)
						sv[i + 1] = argv[i];
					execve("/bin/sh", sv, envp);
					free(sv);
				}
				return -1;
			} else if (errno != ENOENT && errno != ENOTDIR)
				return -1;
		}
		if (e == NULL)
			break;
		p = e;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return -1;
}

EXPORT int
execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* the execl family: the list as an argv (malloc'ed; envp after it) */
static char **
list_argv(const char *arg0, va_list ap, char ***envp)
{
	size_t n = 1;
	va_list c;
	char **argv;

	va_copy(c, ap);
	while (va_arg(c, char *) != NULL)
		n++;
	va_end(c);
	if ((argv = malloc((n + 1) * sizeof(*argv))) == NULL)
		return NULL;
	argv[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	if (envp != NULL)
		*envp = va_arg(ap, char **);
	return argv;
}

enum { L_EXEC, L_PATH, L_ENV };

static int
execl_any(int kind, const char *path, char **argv, char **envp)
{
	int r;

	if (argv == NULL)
		return -1;
	if (kind == L_PATH)
		r = execvpe(path, argv, environ);
	else
		r = execve(path, argv, kind == L_ENV ? envp : environ);
	free(argv);
	return r;
}

EXPORT int
execl(const char *path, const char *arg, ...)
{
	char **argv;
	va_list ap;

	va_start(ap, arg);
	argv = list_argv(arg, ap, NULL);
	va_end(ap);
	return execl_any(L_EXEC, path, argv, NULL);
}

EXPORT int
execlp(const char *file, const char *arg, ...)
{
	char **argv;
	va_list ap;

	va_start(ap, arg);
	argv = list_argv(arg, ap, NULL);
	va_end(ap);
	return execl_any(L_PATH, file, argv, NULL);
}

EXPORT int
execle(const char *path, const char *arg, ...)
{
	char **argv, **envp = NULL;
	va_list ap;

	va_start(ap, arg);
	argv = list_argv(arg, ap, &envp);
	va_end(ap);
	return execl_any(L_ENV, path, argv, envp);
}

/* ------------------------------------------------------------ exit */

EXPORT void
_exit(int status)
{
	hj_enter();
	hj_exit_prepare();
	hj_host_syscall(SYS_exit_group, status, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

EXPORT void
_Exit(int status)
{
	_exit(status);
}

/* ------------------------------------------------------ posix_spawn */

enum fa_kind { FA_OPEN, FA_CLOSE, FA_DUP2, FA_CHDIR, FA_FCHDIR,
    FA_CLOSEFROM };
struct fa {
	struct fa	*next;
	enum fa_kind	kind;
	int		fd, fd2, flags;
	mode_t		mode;
	char		*path;
};
struct fa_list {
	struct fa_list	*next;
	const posix_spawn_file_actions_t *key;
	struct fa	*head, **tail;
};
static struct fa_list *falists;

static struct fa_list *
fa_find(const posix_spawn_file_actions_t *fa, bool make)
{
	struct fa_list *l;

	for (l = falists; l != NULL; l = l->next)
		if (l->key == fa)
			return l;
	if (!make || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->key = fa;
	l->tail = &l->head;
	l->next = falists;
	falists = l;
	return l;
}

static void
fa_free(const posix_spawn_file_actions_t *fa)
{
	struct fa_list **pl, *l;

	for (pl = &falists; (l = *pl) != NULL; pl = &l->next)
		if (l->key == fa) {
			*pl = l->next;
			while (l->head != NULL) {
				struct fa *a = l->head;
				l->head = a->next;
				free(a->path);
				free(a);
			}
			free(l);
			return;
		}
}

static int
fa_add(posix_spawn_file_actions_t *fa, enum fa_kind kind, int fd, int fd2,
    const char *path, int flags, mode_t mode)
{
	struct fa_list *l = fa_find(fa, true);
	struct fa *a;

	if (l == NULL || (a = calloc(1, sizeof(*a))) == NULL)
		return ENOMEM;
	if (path != NULL && (a->path = strdup(path)) == NULL) {
		free(a);
		return ENOMEM;
	}
	a->kind = kind;
	a->fd = fd;
	a->fd2 = fd2;
	a->flags = flags;
	a->mode = mode;
	*l->tail = a;
	l->tail = &a->next;
	return 0;
}

EXPORT int
posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	memset(fa, 0, sizeof(*fa));
	fa_free(fa);
	return 0;
}

EXPORT int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	fa_free(fa);
	return 0;
}

EXPORT int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
    const char *path, int flags, mode_t mode)
{
	return fd < 0 ? EBADF : fa_add(fa, FA_OPEN, fd, 0, path, flags, mode);
}

EXPORT int
posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	return fd < 0 ? EBADF : fa_add(fa, FA_CLOSE, fd, 0, NULL, 0, 0);
}

EXPORT int
posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd,
    int newfd)
{
	return fd < 0 || newfd < 0 ? EBADF :
	    fa_add(fa, FA_DUP2, fd, newfd, NULL, 0, 0);
}

EXPORT int
posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
    const char *path)
{
	return fa_add(fa, FA_CHDIR, 0, 0, path, 0, 0);
}

EXPORT int
posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa,
    int fd)
{
	return fa_add(fa, FA_FCHDIR, fd, 0, NULL, 0, 0);
}

EXPORT int
posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *fa,
    int from)
{
	return fa_add(fa, FA_CLOSEFROM, from, 0, NULL, 0, 0);
}

/* in the child: one action through the routed calls */
static long
fa_run(const struct fa *a)
{
	long r;

	switch (a->kind) {
	case FA_OPEN:
		r = hj_route(SYS_openat, (long[6]){ AT_FDCWD, (long)a->path,
		    a->flags, a->mode });
		if (r >= 0 && r != a->fd) {
			long d = hj_dup3(r, a->fd, 0);
			hj_close(r);
			r = d;
		}
		return r;
	case FA_CLOSE:
		r = hj_close(a->fd);
		return r == -EBADF ? 0 : r;
	case FA_DUP2:
		if (a->fd == a->fd2)	/* clears close-on-exec */
			return hj_route(SYS_fcntl, (long[6]){ a->fd, F_SETFD,
			    0 });
		return hj_dup3(a->fd, a->fd2, 0);
	case FA_CHDIR:
		return hj_route(SYS_chdir, (long[6]){ (long)a->path });
	case FA_FCHDIR:
		return hj_route(SYS_fchdir, (long[6]){ a->fd });
	case FA_CLOSEFROM:
		return hj_close_range((unsigned)a->fd, ~0u, 0);
	}
	return -EINVAL;
}

static void
attr_run(const posix_spawnattr_t *at)
{
	short flags = 0;
	sigset_t set;
	pid_t pg;

	if (at == NULL || posix_spawnattr_getflags(at, &flags) != 0)
		return;
	if (flags & POSIX_SPAWN_SETSIGDEF) {
		posix_spawnattr_getsigdefault(at, &set);
		for (int s = 1; s < NSIG; s++)
			if (sigismember(&set, s) == 1)
				signal(s, SIG_DFL);
	}
	if (flags & POSIX_SPAWN_SETSIGMASK) {
		posix_spawnattr_getsigmask(at, &set);
		sigprocmask(SIG_SETMASK, &set, NULL);
	}
	if (flags & POSIX_SPAWN_SETSID)
		setsid();
	if (flags & POSIX_SPAWN_SETPGROUP) {
		posix_spawnattr_getpgroup(at, &pg);
		setpgid(0, pg);
	}
	if (flags & POSIX_SPAWN_RESETIDS) {
		setgid(getgid());
		setuid(getuid());
	}
}

/*
 * The child reports an error through a pipe that closes on exec: a
 * successful exec sends nothing.
 */
static int
spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at, char *const argv[], char *const envp[],
    bool search)
{
	struct fa_list *l = fa != NULL ? fa_find(fa, false) : NULL;
	int pfd[2], err = 0;
	long r;
	pid_t p;

	if (hj_host_syscall(SYS_pipe2, (long)pfd, O_CLOEXEC, 0, 0, 0, 0) < 0)
		return EAGAIN;
	hj_fd_hostnew(pfd[0]);
	hj_fd_hostnew(pfd[1]);
	if ((p = (pid_t)hj_fork()) < 0) {
		hj_close(pfd[0]);
		hj_close(pfd[1]);
		return -p;
	}
	if (p == 0) {
		hj_close(pfd[0]);
		attr_run(at);
		for (struct fa *a = l ? l->head : NULL; a != NULL; a = a->next)
			if ((r = fa_run(a)) < 0) {
				err = (int)-r;
				goto out;
			}
		hj_leave();
		if (search)
			execvpe(path, argv, envp);
		else
			execve(path, argv, envp);
		hj_enter();
		err = errno;
out:
		hj_host_syscall(SYS_write, pfd[1], (long)&err, sizeof(err), 0, 0,
		    0);
		hj_host_syscall(SYS_exit_group, 127, 0, 0, 0, 0, 0);
	}
	hj_close(pfd[1]);
	if (hj_host_syscall(SYS_read, pfd[0], (long)&err, sizeof(err), 0, 0,
	    0) == sizeof(err)) {
		hj_host_syscall(SYS_wait4, p, 0, 0, 0, 0, 0);
	} else {
		err = 0;
		if (pid != NULL)
			*pid = p;
	}
	hj_close(pfd[0]);
	return err;
}

EXPORT int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	int r;

	hj_enter();
	r = spawn(pid, path, fa, at, argv, envp, false);
	hj_leave();
	return r;
}

EXPORT int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at,
    char *const argv[], char *const envp[])
{
	int r;

	hj_enter();
	r = spawn(pid, file, fa, at, argv, envp, true);
	hj_leave();
	return r;
}

/*
 * Link mode's configuration file (native/app/app_config.c, linked in):
 * $RUMPKIT_CONFIG, else PROGRAM.rumpkit next to the executable, read by a
 * constructor before main.  Each case re-executes this program (a copy of
 * it, for the file next to it) and the new image reports what its
 * environment held when main began.
 */
#include "harness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static char dir[64];

/* The re-executed image: print the keys, exit. */
static void
report(void)
{
	const char *keys[] = { "RUMPKIT_IMAGE", "RUMPKIT_NET", "RUMPHIJACK",
	    "T_SPACED", "BAD KEY", "9X" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = getenv(keys[i]);

		printf("%s=%s\n", keys[i], v != NULL ? v : "(unset)");
	}
	exit(0);
}

__attribute__((constructor(200))) static void
maybe_report(void)
{
	if (getenv("T_APP_REPORT") != NULL)
		report();
}

static int
writefile(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Run exe with extra environment entries; its stdout into out. */
static int
run(const char *exe, char *const extra[], char *out, size_t len,
    char *err, size_t errlen)
{
	char *envp[300];
	int o[2], e[2], n = 0, st;
	size_t got = 0, egot = 0;
	ssize_t k;
	pid_t p;

	for (char **v = environ; *v != NULL && n < 280; v++)
		if (strncmp(*v, "RUMPKIT_", 8) != 0 &&
		    strncmp(*v, "RUMPHIJACK=", 11) != 0)
			envp[n++] = *v;
	envp[n++] = "T_APP_REPORT=1";
	for (; *extra != NULL; extra++)
		envp[n++] = *extra;
	envp[n] = NULL;
	if (pipe(o) != 0 || pipe(e) != 0)
		return -1;
	p = fork();
	if (p == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execve(exe, (char *[]){ (char *)exe, NULL }, envp);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	while (got < len - 1 && (k = read(o[0], out + got, len - 1 - got)) > 0)
		got += (size_t)k;
	while (egot < errlen - 1 &&
	    (k = read(e[0], err + egot, errlen - 1 - egot)) > 0)
		egot += (size_t)k;
	out[got] = '\0';
	err[egot] = '\0';
	close(o[0]);
	close(e[0]);
	if (p < 0 || waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
setup(void)
{
	if (dir[0] == '\0') {
		strcpy(dir, "/tmp/t_app_config.XXXXXX");
		if (mkdtemp(dir) == NULL)
			return -1;
	}
	return 0;
}

static const char conf[] =
    "# a comment, then a blank line\n"
    "\n"
    "RUMPKIT_IMAGE=ext2:disk.img:/\n"
    "  T_SPACED  =  value with spaces  \n"
    "RUMPHIJACK=path=/rump,trap=off\n"
    "BAD KEY=1\n"
    "9X=1\n"
    "no equals sign\n";

static void
config_variable(void)
{
	char path[128], out[1024], err[1024], set[160];

	REQUIRE(setup() == 0);
	snprintf(path, sizeof(path), "%s/app.conf", dir);
	REQUIRE(writefile(path, conf, 0644) == 0);
	snprintf(set, sizeof(set), "RUMPKIT_CONFIG=%s", path);
	CHECK_EQ(run("/proc/self/exe", (char *[]){ set,
	    "RUMPHIJACK=path=/elsewhere", NULL }, out, sizeof(out), err,
	    sizeof(err)), 0);
	/* the environment wins over the file */
	CHECK(strcmp(out, "RUMPKIT_IMAGE=ext2:disk.img:/\n"
	    "RUMPKIT_NET=(unset)\n"
	    "RUMPHIJACK=path=/elsewhere\n"
	    "T_SPACED=value with spaces\n"
	    "BAD KEY=(unset)\n"
	    "9X=(unset)\n") == 0);
	CHECK(strstr(err, "app.conf:6: bad key 'BAD KEY'") != NULL);
	CHECK(strstr(err, "app.conf:7: bad key '9X'") != NULL);
	CHECK(strstr(err, "app.conf:8: not KEY=VALUE") != NULL);
	if (t_failed)
		printf("# out:\n%s# err:\n%s", out, err);
	/* a named file that is missing is an error worth saying */
	snprintf(set, sizeof(set), "RUMPKIT_CONFIG=%s/missing", dir);
	CHECK_EQ(run("/proc/self/exe", (char *[]){ set, NULL }, out,
	    sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(err, "missing: No such file or directory") != NULL);
	CHECK(strstr(out, "RUMPKIT_IMAGE=(unset)\n") != NULL);
	unlink(path);
}

/* PROGRAM.rumpkit next to the executable; none at all is silence. */
static void
config_beside(void)
{
	char exe[128], path[160], out[1024], err[1024], buf[65536];
	int in, fd;
	ssize_t n;

	REQUIRE(setup() == 0);
	snprintf(exe, sizeof(exe), "%s/prog", dir);
	in = open("/proc/self/exe", O_RDONLY);
	fd = open(exe, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	REQUIRE(in >= 0 && fd >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		REQUIRE(write(fd, buf, (size_t)n) == n);
	close(in);
	close(fd);
	CHECK_EQ(run(exe, (char *[]){ NULL }, out, sizeof(out), err,
	    sizeof(err)), 0);
	CHECK(strstr(out, "RUMPKIT_NET=(unset)\n") != NULL);
	CHECK_EQ(strlen(err), 0);
	snprintf(path, sizeof(path), "%s.rumpkit", exe);
	REQUIRE(writefile(path, "RUMPKIT_NET=tap:tap0,addr=10.0.0.2/24\n",
	    0644) == 0);
	CHECK_EQ(run(exe, (char *[]){ NULL }, out, sizeof(out), err,
	    sizeof(err)), 0);
	CHECK(strstr(out, "RUMPKIT_NET=tap:tap0,addr=10.0.0.2/24\n") != NULL);
	CHECK_EQ(strlen(err), 0);
	unlink(path);
	unlink(exe);
	rmdir(dir);
}

TESTS(T(config_variable), T(config_beside))

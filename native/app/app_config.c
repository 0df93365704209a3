/*
 * Link mode's configuration file.
 *
 * A program linked with librumpkit-app.a boots its kernel at start from
 * its environment, exactly as local mode does (RUMPKIT_IMAGE, RUMPKIT_NET,
 * RUMPHIJACK ...).  A linked program is often run where nobody sets that
 * environment, so its settings may also live in a file: $RUMPKIT_CONFIG,
 * or else PROGRAM.rumpkit next to the executable.  Each line is KEY=VALUE
 * (the environment variable and what it would hold), '#' starts a comment
 * line, blank lines are skipped.  The environment wins: a key already set
 * there is left alone, so one run can override the file.
 *
 * This runs before the library's own start-up (a constructor of higher
 * priority), so that start-up sees one environment whichever way the
 * settings came.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define APP_LINE_MAX	4096

/* Set in a linked program, absent from librumphijack.so (weak there). */
const bool hj_app_linked = true;

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool
valid_key(const char *k)
{
	if (*k == '\0' || isdigit((unsigned char)*k))
		return false;
	for (; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return false;
	return true;
}

/* One KEY=VALUE line; complains (and goes on) about anything else. */
static void
app_line(const char *file, int lineno, char *line)
{
	char *eq, *key, *val;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return;
	eq = strchr(line, '=');
	if (eq == NULL) {
		fprintf(stderr, "rumpkit: %s:%d: not KEY=VALUE\n", file, lineno);
		return;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!valid_key(key)) {
		fprintf(stderr, "rumpkit: %s:%d: bad key '%s'\n", file, lineno,
		    key);
		return;
	}
	setenv(key, val, 0);
}

static void
app_load(const char *file, bool must)
{
	char line[APP_LINE_MAX];
	int lineno = 0;
	FILE *f;

	f = fopen(file, "re");
	if (f == NULL) {
		if (must || errno != ENOENT)
			fprintf(stderr, "rumpkit: %s: %s\n", file,
			    strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int c;

			fprintf(stderr, "rumpkit: %s:%d: line too long\n",
			    file, lineno);
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		app_line(file, lineno, line);
	}
	fclose(f);
}

__attribute__((constructor(101))) static void
app_config(void)
{
	char exe[PATH_MAX + sizeof(".rumpkit")];
	const char *file = getenv("RUMPKIT_CONFIG");
	ssize_t n;

	if (file != NULL && *file != '\0') {
		app_load(file, true);
		return;
	}
	n = readlink("/proc/self/exe", exe, PATH_MAX);
	if (n <= 0 || n >= PATH_MAX)
		return;
	memcpy(exe + n, ".rumpkit", sizeof(".rumpkit"));
	app_load(exe, false);
}

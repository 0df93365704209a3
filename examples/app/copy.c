/*
 * copy: copy files, a small cp.
 *
 *	copy [-v] SOURCE DEST
 *	copy [-v] SOURCE... DIRECTORY
 *
 * Copies each SOURCE's bytes to DEST (or into DIRECTORY under its last
 * name), keeping its permission bits.  -v names each copy made.
 * Exit status 0, or 1 if any copy failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int verbose;

static int
copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			p += w;
			n -= w;
		}
	}
	return 0;
}

static int
copy_file(const char *from, const char *to)
{
	struct stat st;
	int in, out, err = 0;

	in = open(from, O_RDONLY);
	if (in < 0 || fstat(in, &st) != 0) {
		fprintf(stderr, "copy: %s: %s\n", from, strerror(errno));
		if (in >= 0)
			close(in);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "copy: %s: is a directory\n", from);
		close(in);
		return 1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 07777);
	if (out < 0) {
		fprintf(stderr, "copy: %s: %s\n", to, strerror(errno));
		close(in);
		return 1;
	}
	if (copy_fd(in, out) != 0) {
		fprintf(stderr, "copy: %s -> %s: %s\n", from, to, strerror(errno));
		err = 1;
	}
	if (fchmod(out, st.st_mode & 07777) != 0 && !err) {
		fprintf(stderr, "copy: %s: %s\n", to, strerror(errno));
		err = 1;
	}
	if (close(out) != 0 && !err) {
		fprintf(stderr, "copy: %s: %s\n", to, strerror(errno));
		err = 1;
	}
	close(in);
	if (!err && verbose)
		printf("'%s' -> '%s'\n", from, to);
	return err;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int c, status = 0;

	while ((c = getopt(argc, argv, "v")) != -1) {
		if (c != 'v') {
			fprintf(stderr, "usage: copy [-v] SOURCE... DEST\n");
			return 2;
		}
		verbose = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 2) {
		fprintf(stderr, "usage: copy [-v] SOURCE... DEST\n");
		return 2;
	}
	if (stat(argv[argc - 1], &st) == 0 && S_ISDIR(st.st_mode)) {
		for (int i = 0; i < argc - 1; i++) {
			const char *base = strrchr(argv[i], '/');
			char *to;

			base = base != NULL ? base + 1 : argv[i];
			to = malloc(strlen(argv[argc - 1]) + strlen(base) + 2);
			if (to == NULL) {
				perror("copy");
				return 1;
			}
			sprintf(to, "%s/%s", argv[argc - 1], base);
			status |= copy_file(argv[i], to);
			free(to);
		}
		return status;
	}
	if (argc > 2) {
		fprintf(stderr, "copy: %s: not a directory\n", argv[argc - 1]);
		return 1;
	}
	return copy_file(argv[0], argv[1]);
}

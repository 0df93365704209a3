/*
 * RUMPHIJACK, with NetBSD's syntax: a comma-separated list of name=value.
 *   path=/rump		paths under /rump go to the kernel without the prefix
 *   blanket=/a:/b	paths under these go to the kernel unchanged
 *   socket=SPEC	which socket domains the kernel serves: a colon list
 *			of all, none, DOMAIN, noDOMAIN applied in order
 *   fdoff=N		kernel descriptors appear as N + their number
 *   trap=on|off	the raw-syscall trap (read by hj_trap.c)
 * Unset, it means path=/rump,socket=all:nolocal.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hj_int.h"

struct hj_config hj_cfg;
bool hj_kcwd;

static const struct {
	const char	*name;
	int		af;
} domains[] = {
	{ "local", AF_LOCAL }, { "unix", AF_UNIX }, { "inet", AF_INET },
	{ "inet6", AF_INET6 }, { "route", AF_NETLINK }, { "link", AF_PACKET },
	{ "packet", AF_PACKET }, { "netlink", AF_NETLINK },
};

static int
domain_bit(const char *name, size_t len, unsigned *bit)
{
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
		if (strlen(domains[i].name) == len &&
		    memcmp(domains[i].name, name, len) == 0) {
			*bit = 1u << domains[i].af;
			return 0;
		}
	return -1;
}

static int
parse_socket(const char *v, size_t len, unsigned *set)
{
	const char *end = v + len;
	unsigned bit;

	while (v < end) {
		const char *c = memchr(v, ':', (size_t)(end - v));
		size_t n = c ? (size_t)(c - v) : (size_t)(end - v);

		if (n == 3 && memcmp(v, "all", 3) == 0)
			*set = ~0u;
		else if (n == 4 && memcmp(v, "none", 4) == 0)
			*set = 0;
		else if (n > 2 && memcmp(v, "no", 2) == 0 &&
		    domain_bit(v + 2, n - 2, &bit) == 0)
			*set &= ~bit;
		else if (domain_bit(v, n, &bit) == 0)
			*set |= bit;
		else
			return -1;
		v += n + (c != NULL);
	}
	return 0;
}

/* a prefix without trailing slashes ("/" stays "/") */
static int
set_prefix(char *dst, const char *v, size_t len)
{
	while (len > 1 && v[len - 1] == '/')
		len--;
	if (len == 0 || len >= PATH_MAX || v[0] != '/')
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int
parse_blanket(const char *v, size_t len, struct hj_config *c)
{
	const char *end = v + len;

	while (v < end) {
		const char *p = memchr(v, ':', (size_t)(end - v));
		size_t n = p ? (size_t)(p - v) : (size_t)(end - v);

		if (n > 0) {
			if (c->nblanket == HJ_MAXBLANKET ||
			    set_prefix(c->blanket[c->nblanket], v, n) != 0)
				return -1;
			c->nblanket++;
		}
		v += n + (p != NULL);
	}
	return 0;
}

static int
parse_one(const char *k, size_t klen, const char *v, size_t vlen,
    struct hj_config *c)
{
	char num[16];
	char *e;
	long n;

	if (klen == 4 && memcmp(k, "path", 4) == 0) {
		if (set_prefix(c->path, v, vlen) != 0)
			return -1;
		c->pathlen = strlen(c->path);
		return 0;
	}
	if (klen == 7 && memcmp(k, "blanket", 7) == 0)
		return parse_blanket(v, vlen, c);
	if (klen == 6 && memcmp(k, "socket", 6) == 0)
		return parse_socket(v, vlen, &c->sockdomains);
	if (klen == 5 && memcmp(k, "fdoff", 5) == 0) {
		if (vlen == 0 || vlen >= sizeof(num))
			return -1;
		memcpy(num, v, vlen);
		num[vlen] = '\0';
		n = strtol(num, &e, 10);
		if (*e != '\0' || n < 3 || n > HJ_HIGHMAX / 2)
			return -1;
		c->fdoff = (int)n;
		return 0;
	}
	/* NetBSD's vfs= and sysctl= name calls Linux does not have */
	if ((klen == 3 && memcmp(k, "vfs", 3) == 0) ||
	    (klen == 6 && memcmp(k, "sysctl", 6) == 0))
		return 0;
	/* trap=on|off is the trap's own (hj_trap.c reads it) */
	if (klen == 4 && memcmp(k, "trap", 4) == 0)
		return (vlen == 2 && memcmp(v, "on", 2) == 0) ||
		    (vlen == 3 && memcmp(v, "off", 3) == 0) ? 0 : -1;
	return -1;
}

int
hj_config_parse(const char *s, struct hj_config *c)
{
	memset(c, 0, sizeof(*c));
	c->fdoff = HJ_DEFAULT_FDOFF;
	if (s == NULL)
		s = "path=/rump,socket=all:nolocal";
	while (*s != '\0') {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		const char *eq = memchr(s, '=', n);

		if (n > 0) {
			if (eq == NULL || parse_one(s, (size_t)(eq - s), eq + 1,
			    n - (size_t)(eq - s) - 1, c) != 0)
				return -1;
		}
		s += n + (comma != NULL);
	}
	return 0;
}

/* whether path is prefix or under it */
static bool
under(const char *path, const char *prefix, size_t len)
{
	if (len == 1)		/* "/" */
		return path[0] == '/';
	return strncmp(path, prefix, len) == 0 &&
	    (path[len] == '/' || path[len] == '\0');
}

static enum hj_side
copy_out(const char *p, char *out)
{
	size_t n = strlen(p);

	if (n >= PATH_MAX)
		n = PATH_MAX - 1;	/* the kernel answers ENAMETOOLONG */
	memcpy(out, p, n);
	out[n] = '\0';
	return HJ_KERNEL;
}

enum hj_side
hj_path_route(const char *path, char *out)
{
	if (path == NULL)
		return HJ_HOST;
	if (path[0] != '/')
		return hj_kcwd ? copy_out(path, out) : HJ_HOST;
	for (unsigned i = 0; i < hj_cfg.nblanket; i++)
		if (under(path, hj_cfg.blanket[i], strlen(hj_cfg.blanket[i])))
			return copy_out(path, out);
	if (hj_cfg.pathlen > 0 && under(path, hj_cfg.path, hj_cfg.pathlen)) {
		const char *rest = hj_cfg.pathlen == 1 ? path :
		    path + hj_cfg.pathlen;
		return copy_out(*rest == '\0' ? "/" : rest, out);
	}
	return HJ_HOST;
}

/*
 * RUMPHIJACK as librumphijack reads it (native/hijack/hj_config.c):
 * NetBSD's default when unset, the socket domain lists, blanket and path
 * prefixes, fdoff's bounds, malformed values refused; and where paths go.
 */
#include <sys/socket.h>

#include "harness.h"
#include "hijack/hj_int.h"

static enum hj_side
route(const char *path, char *out)
{
	return hj_path_route(path, out);
}

static void
test_default(void)
{
	char out[PATH_MAX];

	REQUIRE(hj_config_parse(NULL, &hj_cfg) == 0);
	CHECK(strcmp(hj_cfg.path, "/rump") == 0);
	CHECK_EQ(hj_cfg.fdoff, 128);
	CHECK(!(hj_cfg.sockdomains & (1u << AF_UNIX)));
	CHECK(hj_cfg.sockdomains & (1u << AF_INET));
	CHECK(hj_cfg.sockdomains & (1u << AF_INET6));
	CHECK(route("/rump", out) == HJ_KERNEL && strcmp(out, "/") == 0);
	CHECK(route("/rump/", out) == HJ_KERNEL && strcmp(out, "/") == 0);
	CHECK(route("/rump/a/b", out) == HJ_KERNEL && strcmp(out, "/a/b") == 0);
	CHECK(route("/rumpx", out) == HJ_HOST);
	CHECK(route("/etc/passwd", out) == HJ_HOST);
	CHECK(route("rel", out) == HJ_HOST);
	hj_kcwd = true;
	CHECK(route("rel", out) == HJ_KERNEL && strcmp(out, "rel") == 0);
	hj_kcwd = false;
	CHECK(route(NULL, out) == HJ_HOST);
}

static void
test_forms(void)
{
	char out[PATH_MAX];

	REQUIRE(hj_config_parse("socket=none", &hj_cfg) == 0);
	CHECK_EQ(hj_cfg.sockdomains, 0);
	CHECK_EQ(hj_cfg.pathlen, 0);
	CHECK(route("/rump/x", out) == HJ_HOST);	/* no path= given */
	REQUIRE(hj_config_parse("socket=inet:inet6", &hj_cfg) == 0);
	CHECK_EQ(hj_cfg.sockdomains, (1u << AF_INET) | (1u << AF_INET6));
	REQUIRE(hj_config_parse("socket=all:noinet", &hj_cfg) == 0);
	CHECK(!(hj_cfg.sockdomains & (1u << AF_INET)));
	CHECK(hj_cfg.sockdomains & (1u << AF_UNIX));
	REQUIRE(hj_config_parse("socket=local", &hj_cfg) == 0);
	CHECK_EQ(hj_cfg.sockdomains, 1u << AF_UNIX);
	REQUIRE(hj_config_parse("path=/k/,blanket=/dev/bpf:/data,fdoff=300", &hj_cfg) == 0);
	CHECK(strcmp(hj_cfg.path, "/k") == 0);
	CHECK_EQ(hj_cfg.fdoff, 300);
	CHECK_EQ(hj_cfg.nblanket, 2);
	CHECK(route("/data/f", out) == HJ_KERNEL && strcmp(out, "/data/f") == 0);
	CHECK(route("/dev/bpf", out) == HJ_KERNEL && strcmp(out, "/dev/bpf") == 0);
	CHECK(route("/dev/bpf0", out) == HJ_HOST);
	CHECK(route("/k/f", out) == HJ_KERNEL && strcmp(out, "/f") == 0);
	REQUIRE(hj_config_parse("path=/,vfs=all,sysctl=yes,trap=off", &hj_cfg) == 0);
	CHECK(route("/etc", out) == HJ_KERNEL && strcmp(out, "/etc") == 0);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"path", "path=", "path=rel", "socket=bogus", "socket=all:nobogus",
		"fdoff=2", "fdoff=x", "fdoff=99999", "fdoff=", "nonsense=1",
		"blanket=rel", "trap=maybe",
		"blanket=/1:/2:/3:/4:/5:/6:/7:/8:/9",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hj_config_parse(bad[i], &hj_cfg) != -1) {
			printf("#   accepted: %s\n", bad[i]);
			t_failed = 1;
		}
	/* empty items are nothing */
	CHECK(hj_config_parse(",,path=/r,,", &hj_cfg) == 0);
	CHECK(hj_config_parse("", &hj_cfg) == 0);
}

TESTS(T(test_default), T(test_forms), T(test_refused))

/*
 * virtif against Linux: a kernel owns a TAP device inside a network
 * namespace this test makes (and removes); Linux's ARP must resolve the
 * kernel's address (ip neigh shows its MAC), and the kernel resolves
 * Linux's.  Needs root, /dev/net/tun and ip(8); skips without them.
 */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_net.h>

#include "harness.h"

static char netns[64], tap[IFNAMSIZ];

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
sh(const char *fmt, const char *a, char *out, size_t outsize)
{
	char cmd[512];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), fmt, netns, a, tap);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (out != NULL) {
		n = fread(out, 1, outsize - 1, p);
		out[n] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	return pclose(p);
}

/* Run the calling thread in namespace name (NULL: back to where it was). */
static int
enter_netns(const char *name, int *savefd)
{
	char path[128];
	int fd;

	if (name == NULL) {
		int rv = setns(*savefd, CLONE_NEWNET);

		close(*savefd);
		return rv;
	}
	if ((*savefd = open("/proc/thread-self/ns/net", O_RDONLY)) < 0)
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	if (setns(fd, CLONE_NEWNET) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static const char *
skip_reason(void)
{
	if (geteuid() != 0)
		return "needs root (a TAP device and a network namespace)";
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		return "no /dev/net/tun";
	if (system("ip netns list >/dev/null 2>&1") != 0)
		return "no ip(8) with netns support";
	return NULL;
}

static void
cleanup(void)
{
	sh("ip netns exec %s ip link del %3$s 2>/dev/null", "", NULL, 0);
	sh("ip netns del %s 2>/dev/null", "", NULL, 0);
}

static void
t_linux_arp(void)
{
	struct rump_kernel *k = NULL;
	struct rump_ifcfg cfg = { .kind = RUMP_IF_TAP };
	struct rump_ifinfo ii[4];
	char name[IFNAMSIZ], out[4096], mac[32], lmacs[32], pcap[128];
	uint8_t lmac[6], got[6];
	const char *why;
	unsigned n;
	int fd, ok = 0, error = EINPROGRESS;

	if ((why = skip_reason()) != NULL)
		SKIP(why);
	snprintf(netns, sizeof(netns), "rk-virtif-%d", (int)getpid());
	snprintf(tap, sizeof(tap), "rkt%d", (int)getpid() % 100000);
	snprintf(pcap, sizeof(pcap), "/tmp/t_virtif-%d.pcap", (int)getpid());
	cleanup();
	REQUIRE(sh("ip netns add %s", "", NULL, 0) == 0);
	if (sh("ip netns exec %s ip tuntap add dev %3$s mode tap", "", NULL,
	    0) != 0) {
		cleanup();
		SKIP("ip tuntap add failed");
	}

	/* the kernel opens the TAP device from inside the namespace */
	k = rump_kernel_boot(NULL);
	if (k == NULL || enter_netns(netns, &fd) != 0)
		goto out;
	cfg.device = tap;
	cfg.address = "10.6.0.2/24";
	error = rump_net_attach(k, &cfg, name, sizeof(name));
	CHECK(enter_netns(NULL, &fd) == 0);
	CHECK_EQ(error, 0);
	if (error != 0)
		goto out;
	CHECK(strcmp(name, "virt0") == 0);
	CHECK_EQ(rump_net_capture(k, name, pcap), 0);
	CHECK_EQ(rump_net_ifconfig(k, ii, 4, &n), 0);
	REQUIRE(n == 2);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
	    ii[1].mac[0], ii[1].mac[1], ii[1].mac[2], ii[1].mac[3],
	    ii[1].mac[4], ii[1].mac[5]);

	CHECK(sh("ip netns exec %s sh -c 'ip link set lo up && "
	    "ip addr add 10.6.0.1/24 dev %3$s && ip link set %3$s up'", "",
	    NULL, 0) == 0);
	/* Linux asks: a UDP datagram to the kernel (ping may be absent) */
	for (int i = 0; i < 10 && !ok; i++) {
		sh("ip netns exec %s bash -c 'echo x >/dev/udp/10.6.0.2/9' "
		    ">/dev/null 2>&1; sleep 0.2", "",
		    NULL, 0);
		sh("ip netns exec %s ip neigh show 10.6.0.2 dev %3$s", "", out,
		    sizeof(out));
		ok = strstr(out, mac) != NULL && (strstr(out, "REACHABLE") ||
		    strstr(out, "STALE") || strstr(out, "DELAY"));
	}
	if (!ok)
		printf("# ip neigh: %s# wanted %s\n", out, mac);
	CHECK(ok);

	/* and the kernel resolves Linux */
	CHECK(sh("ip netns exec %s cat /sys/class/net/%3$s/address", "", lmacs,
	    sizeof(lmacs)) == 0);
	CHECK(sscanf(lmacs, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &lmac[0],
	    &lmac[1], &lmac[2], &lmac[3], &lmac[4], &lmac[5]) == 6);
	error = EINPROGRESS;
	for (int i = 0; i < 1000 && error == EINPROGRESS; i++) {
		error = rump_net_arp_resolve(k, "10.6.0.1", got);
		if (error == EINPROGRESS)
			msleep(10);
	}
	CHECK_EQ(error, 0);
	CHECK(memcmp(got, lmac, 6) == 0);
	CHECK_EQ(rump_net_ifconfig(k, ii, 4, &n), 0);
	CHECK(ii[1].ipackets > 0 && ii[1].opackets > 0);
out:
	if (k != NULL)
		CHECK_EQ(rump_kernel_halt(k), 0);
	cleanup();
	CHECK(sh("ip netns list | grep -qw %s", "", NULL, 0) != 0);
	if (system("command -v tshark >/dev/null 2>&1") == 0 &&
	    access(pcap, R_OK) == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "tshark -r %s -o eth.check_fcs:FALSE "
		    "-V 2>&1", pcap);
		FILE *p = popen(cmd, "r");
		static char all[1 << 20];
		size_t len = p != NULL ? fread(all, 1, sizeof(all) - 1, p) : 0;

		all[len] = '\0';
		if (p != NULL)
			pclose(p);
		CHECK(strstr(all, "Malformed") == NULL);
		CHECK(strstr(all, "Expert Info (Error") == NULL);
		CHECK(strstr(all, "Target IP address: 10.6.0.2") != NULL);
		CHECK(strstr(all, "Sender IP address: 10.6.0.2") != NULL);
	}
	unlink(pcap);
}

TESTS(T(t_linux_arp))

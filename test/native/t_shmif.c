/*
 * The link layer: lo0, routes, ARP between kernels on a shmif bus (in one
 * process and in two), impairments, a reader that gets lapped, and pcap
 * captures checked by tshark.
 */
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_net.h>

#include "harness.h"
#include "net_util.h"
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>

#include "sys/kauth.h"
#include "net/netstate.h"	/* white box: ns_lock, ifioctl */
#include "net/if.h"

static char bus_path[128];

static const char *
bus_name(const char *what)
{
	snprintf(bus_path, sizeof(bus_path), "/dev/shm/rk-t_shmif-%d-%s",
	    (int)getpid(), what);
	unlink(bus_path);
	return bus_path;
}

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
ifinfo(struct rump_kernel *k, const char *name, struct rump_ifinfo *out)
{
	struct rump_ifinfo all[8];
	unsigned n;

	if (rump_net_ifconfig(k, all, 8, &n) != 0)
		return -1;
	for (unsigned i = 0; i < n && i < 8; i++)
		if (strcmp(all[i].name, name) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* Resolve addr from k, asking again until it answers (or 20 s pass). */
static int
resolve(struct rump_kernel *k, const char *addr, uint8_t mac[6])
{
	int error = EINPROGRESS;

	for (int i = 0; i < 2000 && error == EINPROGRESS; i++) {
		error = rump_net_arp_resolve(k, addr, mac);
		if (error == EINPROGRESS)
			msleep(10);
	}
	return error;
}

static uint64_t
ipackets(struct rump_kernel *k, const char *name)
{
	struct rump_ifinfo ii;

	return ifinfo(k, name, &ii) == 0 ? ii.ipackets + ii.lost : 0;
}

/* Wait until k's interface has taken in (or lost) want frames. */
static uint64_t
wait_input(struct rump_kernel *k, const char *name, uint64_t want)
{
	uint64_t got = 0;

	for (int i = 0; i < 4000; i++) {
		if ((got = ipackets(k, name)) >= want)
			break;
		msleep(5);
	}
	return got;
}

/* ------------------------------------------------------------- lo0 */

static void
t_lo0(void)
{
	struct rump_kernel *k = nu_boot();
	struct rump_ifinfo ii;
	struct rump_route rt[8];
	unsigned n;

	REQUIRE(k != NULL);
	REQUIRE(ifinfo(k, "lo0", &ii) == 0);
	CHECK_EQ(ii.mtu, 65536);
	CHECK((ii.flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
	    (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
	CHECK_EQ(ii.naddrs, 1);
	CHECK_EQ(ntohl(ii.addrs[0].addr.s_addr), 0x7f000001);
	CHECK_EQ(ii.addrs[0].prefixlen, 8);
	CHECK_EQ(rump_net_routes(k, rt, 8, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(ntohl(rt[0].dst.s_addr), 0x7f000000);
	CHECK_EQ(rt[0].prefixlen, 8);
	CHECK(strcmp(rt[0].ifname, "lo0") == 0);
	CHECK_EQ(rump_net_detach(k, "lo0"), EBUSY);
	CHECK_EQ(rump_net_detach(k, "nope0"), ENXIO);
	CHECK_EQ(rump_kernel_halt(k), 0);
}

/* ------------------------------------------------------------- routes */

static void
t_routes(void)
{
	const char *bus = bus_name("routes");
	struct rump_kernel *k = nu_boot();
	struct rump_route rt[16];
	char name[IFNAMSIZ];
	unsigned n;

	REQUIRE(k != NULL);
	REQUIRE(nu_attach(k, bus, "192.0.2.10/24", name) == 0);
	CHECK(strcmp(name, "shmif0") == 0);
	/* a gateway off every link is refused, as Linux does */
	CHECK_EQ(rump_net_route_add(k, "default", "198.51.100.1", NULL),
	    ENETUNREACH);
	CHECK_EQ(rump_net_route_add(k, "default", "192.0.2.1", NULL), 0);
	CHECK_EQ(rump_net_route_add(k, "default", "192.0.2.1", NULL), EEXIST);
	CHECK_EQ(rump_net_route_add(k, "203.0.113.0/25", "192.0.2.2",
	    "shmif0"), 0);
	CHECK_EQ(rump_net_route_add(k, "203.0.113.1/24", "192.0.2.2", NULL),
	    EINVAL);	/* host bits */
	CHECK_EQ(rump_net_route_add(k, "203.0.113.0/33", NULL, "shmif0"),
	    EINVAL);
	CHECK_EQ(rump_net_routes(k, rt, 16, &n), 0);
	/* longest first: 192.0.2.10/32 (local), /25, /24, /8, default */
	REQUIRE(n == 5);
	CHECK_EQ(rt[0].prefixlen, 32);
	CHECK(rt[0].flags & RUMP_RTF_LOCAL);
	CHECK(strcmp(rt[0].ifname, "lo0") == 0);
	CHECK_EQ(rt[1].prefixlen, 25);
	CHECK(rt[1].flags & RUMP_RTF_GATEWAY);
	CHECK_EQ(rt[2].prefixlen, 24);
	CHECK(rt[2].flags & RUMP_RTF_CONNECTED);
	CHECK_EQ(rt[4].prefixlen, 0);
	CHECK_EQ(ntohl(rt[4].gateway.s_addr), 0xc0000201);
	CHECK(strcmp(rt[4].ifname, "shmif0") == 0);
	CHECK_EQ(rump_net_route_delete(k, "203.0.113.0/25"), 0);
	CHECK_EQ(rump_net_route_delete(k, "203.0.113.0/25"), ESRCH);
	/* a second address, a second interface, then detach: its routes go */
	CHECK_EQ(rump_net_addaddr(k, "shmif0", "192.0.2.11/24"), 0);
	CHECK_EQ(rump_net_addaddr(k, "shmif0", "192.0.2.11/24"), EEXIST);
	CHECK_EQ(rump_net_deladdr(k, "shmif0", "192.0.2.11"), 0);
	CHECK_EQ(rump_net_setmtu(k, "shmif0", 9000), 0);
	CHECK_EQ(rump_net_setmtu(k, "shmif0", 67), EINVAL);
	REQUIRE(nu_attach(k, bus, NULL, name) == 0);
	CHECK(strcmp(name, "shmif1") == 0);
	CHECK_EQ(rump_net_detach(k, "shmif0"), 0);
	CHECK_EQ(rump_net_routes(k, rt, 16, &n), 0);
	CHECK_EQ(n, 1);		/* lo0's */
	/* the unit numbers are reused */
	REQUIRE(nu_attach(k, bus, NULL, name) == 0);
	CHECK(strcmp(name, "shmif0") == 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(unlink(bus), 0);
}

/* ------------------------------------------------------------- ARP */

static int
run(const char *cmd, char *out, size_t outsize)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	if (p == NULL)
		return -1;
	if (out != NULL) {
		while (n + 1 < outsize) {
			size_t got = fread(out + n, 1, outsize - 1 - n, p);

			if (got == 0)
				break;
			n += got;
		}
		out[n] = '\0';
		/* drain the rest */
		char sink[4096];
		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	return pclose(p);
}

static void
macstr(const uint8_t *m, char *s)
{
	sprintf(s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
	    m[4], m[5]);
}

/* tshark reads the capture cleanly and decodes the ARP exchange. */
static void
check_capture(const char *pcap, const uint8_t *maca, const uint8_t *macb)
{
	static char out[1 << 20];
	char cmd[512], a[32], b[32];

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		printf("# tshark is not installed: capture not decoded\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "tshark -r %s -o eth.check_fcs:FALSE -V "
	    "2>&1", pcap);
	REQUIRE(run(cmd, out, sizeof(out)) == 0);
	CHECK(strstr(out, "Malformed") == NULL);
	CHECK(strstr(out, "Expert Info (Error") == NULL);
	macstr(maca, a);
	macstr(macb, b);
	CHECK(strstr(out, "Opcode: request (1)") != NULL);
	CHECK(strstr(out, "Opcode: reply (2)") != NULL);
	CHECK(strstr(out, "Target IP address: 10.9.0.2") != NULL);
	CHECK(strstr(out, "Sender IP address: 10.9.0.2") != NULL);
	/* the reply carries B's address to A */
	snprintf(cmd, sizeof(cmd), "tshark -r %s -Y 'arp.opcode == 2' -T fields "
	    "-e arp.src.hw_mac -e arp.src.proto_ipv4 -e arp.dst.hw_mac "
	    "-e arp.dst.proto_ipv4 -e eth.dst 2>&1", pcap);
	REQUIRE(run(cmd, out, sizeof(out)) == 0);
	char want[160];
	snprintf(want, sizeof(want), "%s\t10.9.0.2\t%s\t10.9.0.1\t%s", b, a, a);
	if (strstr(out, want) == NULL)
		printf("# tshark: %s# wanted: %s\n", out, want);
	CHECK(strstr(out, want) != NULL);
	/* gratuitous announcements: sender = target */
	snprintf(cmd, sizeof(cmd), "tshark -r %s -Y 'arp.isgratuitous' "
	    "-T fields -e arp.src.proto_ipv4 2>&1", pcap);
	REQUIRE(run(cmd, out, sizeof(out)) == 0);
	CHECK(strstr(out, "10.9.0.2") != NULL);
}

static void
t_arp(void)
{
	const char *bus = bus_name("arp");
	char pcap[128], na[IFNAMSIZ], nb[IFNAMSIZ];
	struct rump_kernel *a = nu_boot(), *b = nu_boot();
	struct rump_ifinfo ia, ib;
	struct rump_arp_entry ents[8];
	struct rump_arpstat sa, sb;
	uint8_t mac[6];
	unsigned n;

	REQUIRE(a != NULL && b != NULL);
	snprintf(pcap, sizeof(pcap), "/tmp/t_shmif-%d-arp.pcap", (int)getpid());
	REQUIRE(nu_attach(a, bus, "10.9.0.1/24", na) == 0);
	REQUIRE(rump_net_capture(a, na, pcap) == 0);
	REQUIRE(nu_attach(b, bus, "10.9.0.2/24", nb) == 0);
	REQUIRE(ifinfo(a, na, &ia) == 0 && ifinfo(b, nb, &ib) == 0);
	CHECK((ia.mac[0] & 0x03) == 0x02);	/* local, unicast */
	CHECK(memcmp(ia.mac, ib.mac, 6) != 0);

	/* not on any link of ours */
	CHECK_EQ(rump_net_arp_resolve(a, "10.10.0.1", mac), ENETUNREACH);
	/* A asks, B answers */
	CHECK_EQ(resolve(a, "10.9.0.2", mac), 0);
	CHECK(memcmp(mac, ib.mac, 6) == 0);
	CHECK_EQ(rump_net_arp_list(a, ents, 8, &n), 0);
	REQUIRE(n == 1);
	CHECK_EQ(ntohl(ents[0].addr.s_addr), 0x0a090002);
	CHECK_EQ(ents[0].state, RUMP_ARP_REACHABLE);
	CHECK(strcmp(ents[0].ifname, na) == 0);
	/* B learnt A from the request, unconfirmed */
	CHECK_EQ(rump_net_arp_list(b, ents, 8, &n), 0);
	REQUIRE(n == 1);
	CHECK_EQ(ntohl(ents[0].addr.s_addr), 0x0a090001);
	CHECK(memcmp(ents[0].mac, ia.mac, 6) == 0);
	CHECK_EQ(ents[0].state, RUMP_ARP_STALE);
	/* so no question is needed the other way (a probe confirms it) */
	CHECK_EQ(rump_net_arp_resolve(b, "10.9.0.1", mac), 0);
	CHECK(memcmp(mac, ia.mac, 6) == 0);

	CHECK_EQ(rump_net_arpstat(a, &sa), 0);
	CHECK_EQ(rump_net_arpstat(b, &sb), 0);
	CHECK(sa.txrequests >= 2);	/* its announcement and the question */
	CHECK(sa.rxreplies >= 1);
	CHECK(sb.rxrequests >= 1);
	CHECK(sb.txreplies >= 1);
	/* A saw B's announcement (B came up after A) */
	CHECK(sa.rxrequests >= 1);
	CHECK_EQ(sa.dupips + sb.dupips, 0);

	/* an address nobody has: three requests, then the entry goes */
	CHECK_EQ(rump_net_arp_resolve(a, "10.9.0.77", mac), EINPROGRESS);
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(rump_net_arpstat(a, &sa), 0);
		if (sa.timeouts > 0)
			break;
		msleep(10);
	}
	CHECK_EQ(sa.timeouts, 1);

	/* a duplicate address is noticed */
	CHECK_EQ(rump_net_addaddr(b, nb, "10.9.0.1/24"), 0);
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(rump_net_arpstat(a, &sa), 0);
		if (sa.dupips > 0)
			break;
		msleep(5);
	}
	CHECK(sa.dupips >= 1);

	CHECK_EQ(rump_kernel_halt(b), 0);
	CHECK_EQ(rump_kernel_halt(a), 0);	/* flushes the capture */
	check_capture(pcap, ia.mac, ib.mac);
	if (getenv("T_SHMIF_KEEP") == NULL)
		unlink(pcap);
	else
		printf("# capture kept: %s\n", pcap);
	CHECK_EQ(unlink(bus), 0);
}

/* ------------------------------------------------------------- frames */

#define ETHERTYPE_TEST	0x88b5		/* local experimental */

static void
make_frame(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src,
    uint32_t seq)
{
	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	memcpy(f + 14, &seq, 4);
	for (size_t i = 18; i < len; i++)
		f[i] = (uint8_t)(seq + i);
}

struct pair {
	struct rump_kernel *a, *b;
	char na[IFNAMSIZ], nb[IFNAMSIZ];
	struct rump_ifinfo ia, ib;
};

static int
pair_up(struct pair *p, const char *bus)
{
	if ((p->a = nu_boot()) == NULL || (p->b = nu_boot()) == NULL)
		return -1;
	/* no addresses: nothing but the test's frames on the bus */
	if (nu_attach(p->a, bus, NULL, p->na) != 0 ||
	    nu_attach(p->b, bus, NULL, p->nb) != 0)
		return -1;
	if (ifinfo(p->a, p->na, &p->ia) != 0 || ifinfo(p->b, p->nb, &p->ib) != 0)
		return -1;
	return 0;
}

static int
send_frames(struct pair *p, unsigned count, size_t len)
{
	uint8_t f[2048];

	for (unsigned i = 0; i < count; i++) {
		make_frame(f, len, p->ib.mac, p->ia.mac, i);
		if (rump_net_output_frame(p->a, p->na, f, len) != 0)
			return -1;
	}
	return 0;
}

/* Read the test frames' sequence numbers from a capture. */
static int
read_seqs(const char *pcap, uint32_t *seqs, int max)
{
	FILE *f = fopen(pcap, "rb");
	uint8_t gh[24], rh[16], buf[2048];
	int n = 0;

	if (f == NULL || fread(gh, 1, 24, f) != 24) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fread(rh, 1, 16, f) == 16) {
		uint32_t caplen;

		memcpy(&caplen, rh + 8, 4);
		if (caplen > sizeof(buf) || fread(buf, 1, caplen, f) != caplen)
			break;
		if (caplen >= 18 && buf[12] == (ETHERTYPE_TEST >> 8) &&
		    buf[13] == (ETHERTYPE_TEST & 0xff) && n < max)
			memcpy(&seqs[n++], buf + 14, 4);
	}
	fclose(f);
	return n;
}

static void
t_impair_loss(void)
{
	const char *bus = bus_name("loss");
	struct rump_impair imp = { .loss_ppm = 500000, .seed = 42 };
	struct pair p;
	struct rump_ifinfo ii;
	uint64_t base, got;

	REQUIRE(pair_up(&p, bus) == 0);
	base = ipackets(p.b, p.nb);
	REQUIRE(rump_net_impair(p.a, p.na, &imp) == 0);
	REQUIRE(send_frames(&p, 2000, 100) == 0);
	REQUIRE(ifinfo(p.a, p.na, &ii) == 0);
	/* 50% of 2000, with room for chance (sd ~ 22) */
	CHECK(ii.imp_dropped >= 800 && ii.imp_dropped <= 1200);
	got = wait_input(p.b, p.nb, base + 2000 - ii.imp_dropped);
	CHECK_EQ(got - base, 2000 - ii.imp_dropped);
	CHECK_EQ(rump_kernel_halt(p.a), 0);
	CHECK_EQ(rump_kernel_halt(p.b), 0);
	CHECK_EQ(unlink(bus), 0);
}

/* Duplication and reordering: B's capture has every frame, some twice. */
static int
dup_reorder_run(const char *tag, uint64_t seed, uint64_t *dups,
    uint64_t *reord, int *outoforder)
{
	const char *bus = bus_name(tag);
	struct rump_impair imp = { .dup_ppm = 50000, .reorder_ppm = 50000,
	    .seed = seed };
	static uint32_t seqs[4000];
	static uint8_t seen[2000];
	char pcap[128];
	struct pair p;
	struct rump_ifinfo ii;
	uint64_t base;
	int n, bad = 0;

	snprintf(pcap, sizeof(pcap), "/tmp/t_shmif-%d-%s.pcap", (int)getpid(),
	    tag);
	if (pair_up(&p, bus) != 0 || rump_net_capture(p.b, p.nb, pcap) != 0)
		return -1;
	base = ipackets(p.b, p.nb);
	/* set from B: impairments belong to the bus, A applies them */
	if (rump_net_impair(p.b, p.nb, &imp) != 0 ||
	    send_frames(&p, 2000, 80) != 0 || ifinfo(p.a, p.na, &ii) != 0)
		return -1;
	*dups = ii.imp_duplicated;
	*reord = ii.imp_reordered;
	if (wait_input(p.b, p.nb, base + 2000 + *dups) != base + 2000 + *dups)
		bad = 1;
	if (rump_kernel_halt(p.a) != 0 || rump_kernel_halt(p.b) != 0)
		bad = 1;
	unlink(bus);
	n = read_seqs(pcap, seqs, 4000);
	unlink(pcap);
	if (n != (int)(2000 + *dups))
		return -1;
	memset(seen, 0, sizeof(seen));
	*outoforder = 0;
	for (int i = 0; i < n; i++) {
		if (seqs[i] >= 2000)
			return -1;
		seen[seqs[i]] = 1;
		if (i > 0 && seqs[i] < seqs[i - 1])
			(*outoforder)++;
	}
	for (int i = 0; i < 2000; i++)
		if (!seen[i])
			return -1;
	return bad ? -1 : 0;
}

static void
t_impair_dup_reorder(void)
{
	uint64_t d1, r1, d2, r2;
	int o1, o2;

	REQUIRE(dup_reorder_run("dup1", 7, &d1, &r1, &o1) == 0);
	/* 5% of 2000 each: about 100 */
	CHECK(d1 >= 50 && d1 <= 150);
	CHECK(r1 >= 50 && r1 <= 150);
	CHECK(o1 > 0);
	/* the same seed makes the same decisions */
	REQUIRE(dup_reorder_run("dup2", 7, &d2, &r2, &o2) == 0);
	CHECK_EQ(d1, d2);
	CHECK_EQ(r1, r2);
	CHECK_EQ(o1, o2);
}

static void
t_impair_delay(void)
{
	const char *bus = bus_name("delay");
	struct rump_impair imp = { .delay_us = 2000, .seed = 1 };
	struct pair p;
	struct rump_ifinfo ii;
	uint64_t base;

	REQUIRE(pair_up(&p, bus) == 0);
	base = ipackets(p.b, p.nb);
	REQUIRE(rump_net_impair(p.a, p.na, &imp) == 0);
	REQUIRE(send_frames(&p, 200, 64) == 0);
	REQUIRE(ifinfo(p.a, p.na, &ii) == 0);
	CHECK_EQ(ii.imp_delayed, 200);
	CHECK_EQ(wait_input(p.b, p.nb, base + 200) - base, 200);
	/* held frames at halt are freed (halt checks for leaks) */
	REQUIRE(rump_net_impair(p.a, p.na, &(struct rump_impair){
	    .delay_us = 5000000 }) == 0);
	REQUIRE(send_frames(&p, 10, 64) == 0);
	CHECK_EQ(rump_kernel_halt(p.a), 0);
	CHECK_EQ(rump_kernel_halt(p.b), 0);
	CHECK_EQ(unlink(bus), 0);
}

/* A reader that falls a lap behind loses frames, counted, and goes on. */
static void
t_lapped(void)
{
	const char *bus = bus_name("lapped");
	struct pair p;
	struct netstate *ns;
	struct rump_ifinfo ia, ib;
	uint64_t base;
	int error;

	REQUIRE(pair_up(&p, bus) == 0);
	base = ipackets(p.b, p.nb);
	REQUIRE((ns = net_get(p.b, &error)) != NULL);
	/* B's receiver stops at its lock while A writes 40 MiB */
	net_lock(ns);
	if (send_frames(&p, 28000, 1514) != 0) {
		net_unlock(ns);
		REQUIRE(0);
	}
	net_unlock(ns);
	REQUIRE(ifinfo(p.a, p.na, &ia) == 0);
	CHECK_EQ(wait_input(p.b, p.nb, base + ia.opackets) - base,
	    ia.opackets);
	REQUIRE(ifinfo(p.b, p.nb, &ib) == 0);
	CHECK(ib.lost > 0);
	CHECK(ib.ipackets > 0);
	/* the bus still works after the lap */
	base = ib.ipackets + ib.lost;
	REQUIRE(send_frames(&p, 10, 100) == 0);
	CHECK_EQ(wait_input(p.b, p.nb, base + 10) - base, 10);
	REQUIRE(ifinfo(p.b, p.nb, &ib) == 0);
	CHECK_EQ(ib.ierrors, 0);
	CHECK_EQ(rump_kernel_halt(p.a), 0);
	CHECK_EQ(rump_kernel_halt(p.b), 0);
	CHECK_EQ(unlink(bus), 0);
}

/* ------------------------------------------------------------- processes */

static int
child_main(const char *bus, int tochild, int toparent)
{
	struct rump_kernel *k = nu_boot();
	struct rump_ifinfo ii;
	char name[IFNAMSIZ], c;
	uint8_t mac[6];

	if (k == NULL || nu_attach(k, bus, "10.8.0.2/24", name) != 0 ||
	    ifinfo(k, name, &ii) != 0)
		return 1;
	if (write(toparent, ii.mac, 6) != 6)
		return 2;
	/* the parent resolves us; then we resolve the parent */
	if (read(tochild, &c, 1) != 1)
		return 3;
	if (resolve(k, "10.8.0.1", mac) != 0)
		return 4;
	if (write(toparent, mac, 6) != 6)
		return 5;
	if (read(tochild, &c, 1) != 1)
		return 6;
	return rump_kernel_halt(k) == 0 ? 0 : 7;
}

static void
t_two_processes(void)
{
	const char *bus = bus_name("procs");
	uint8_t cmac[6], mac[6], seen[6];
	struct nu_peer peer;
	struct rump_ifinfo ii;
	struct rump_kernel *k;
	char name[IFNAMSIZ];

	/* before any kernel thread exists in this process */
	REQUIRE(nu_peer_start(&peer, bus, child_main) == 0);
	k = nu_boot();
	REQUIRE(k != NULL);
	CHECK(nu_attach(k, bus, "10.8.0.1/24", name) == 0);
	CHECK(ifinfo(k, name, &ii) == 0);
	CHECK(read(peer.fromchild, cmac, 6) == 6);
	CHECK_EQ(resolve(k, "10.8.0.2", mac), 0);
	CHECK(memcmp(mac, cmac, 6) == 0);
	CHECK(write(peer.tochild, "g", 1) == 1);
	CHECK(read(peer.fromchild, seen, 6) == 6);
	CHECK(memcmp(seen, ii.mac, 6) == 0);
	CHECK(write(peer.tochild, "q", 1) == 1);
	CHECK_EQ(nu_peer_end(&peer), 0);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(unlink(bus), 0);
}

/* ------------------------------------------------------------- ioctls */

static int
ioc(struct netstate *ns, unsigned long cmd, const char *name,
    struct ifreq *ifr, kauth_cred_t cr)
{
	if (name != NULL) {
		memset(ifr->ifr_name, 0, IFNAMSIZ);
		strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
	}
	return ifioctl(ns, cmd, ifr, cr);
}

static uint32_t
sin_of(const struct sockaddr *sa)
{
	struct sockaddr_in sin;

	memcpy(&sin, sa, sizeof(sin));
	return sin.sin_family == AF_INET ? ntohl(sin.sin_addr.s_addr) : 0;
}

static void
t_ifioctl(void)
{
	const char *bus = bus_name("ioctl");
	struct rump_kernel *k = nu_boot();
	struct ifreq ifr, list[4];
	struct ifconf ifc;
	struct rump_ifinfo ii;
	struct netstate *ns;
	kauth_cred_t root, user;
	char name[IFNAMSIZ];
	int error;

	REQUIRE(k != NULL);
	REQUIRE(nu_attach(k, bus, "10.7.0.1/24", name) == 0);
	REQUIRE(ifinfo(k, name, &ii) == 0);
	REQUIRE((ns = net_get(k, &error)) != NULL);
	root = kauth_cred_alloc(k);
	user = kauth_cred_dup(k, root);
	REQUIRE(root != NULL && user != NULL);
	user->cr_uid = user->cr_euid = 1000;
	net_lock(ns);

	/* the list: its size first (a NULL buffer, as Linux) */
	memset(&ifc, 0, sizeof(ifc));
	CHECK_EQ(ifioctl(ns, SIOCGIFCONF, &ifc, user), 0);
	CHECK_EQ(ifc.ifc_len, 2 * (int)sizeof(struct ifreq));
	ifc.ifc_len = sizeof(list);
	ifc.ifc_req = list;
	CHECK_EQ(ifioctl(ns, SIOCGIFCONF, &ifc, user), 0);
	CHECK_EQ(ifc.ifc_len, 2 * (int)sizeof(struct ifreq));
	CHECK(strcmp(list[0].ifr_name, "lo0") == 0);
	CHECK_EQ(sin_of(&list[0].ifr_addr), 0x7f000001);
	CHECK(strcmp(list[1].ifr_name, "shmif0") == 0);
	CHECK_EQ(sin_of(&list[1].ifr_addr), 0x0a070001);
	ifc.ifc_len = sizeof(struct ifreq) + 3;		/* room for one */
	CHECK_EQ(ifioctl(ns, SIOCGIFCONF, &ifc, user), 0);
	CHECK_EQ(ifc.ifc_len, (int)sizeof(struct ifreq));

	CHECK_EQ(ioc(ns, SIOCGIFFLAGS, "shmif0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_flags, IFF_UP | IFF_BROADCAST | IFF_RUNNING |
	    IFF_MULTICAST);
	CHECK_EQ(ioc(ns, SIOCGIFFLAGS, "lo0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_flags, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	ifr.ifr_flags = 0;
	CHECK_EQ(ioc(ns, SIOCSIFFLAGS, "shmif0", &ifr, user), EPERM);
	ifr.ifr_flags = 0;
	CHECK_EQ(ioc(ns, SIOCSIFFLAGS, "shmif0", &ifr, root), 0);
	CHECK_EQ(ioc(ns, SIOCGIFFLAGS, "shmif0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_flags & (IFF_UP | IFF_RUNNING), 0);
	ifr.ifr_flags = IFF_UP;
	CHECK_EQ(ioc(ns, SIOCSIFFLAGS, "shmif0", &ifr, root), 0);

	CHECK_EQ(ioc(ns, SIOCGIFADDR, "shmif0", &ifr, user), 0);
	CHECK_EQ(sin_of(&ifr.ifr_addr), 0x0a070001);
	CHECK_EQ(ioc(ns, SIOCGIFNETMASK, "shmif0", &ifr, user), 0);
	CHECK_EQ(sin_of(&ifr.ifr_netmask), 0xffffff00);
	CHECK_EQ(ioc(ns, SIOCGIFBRDADDR, "shmif0", &ifr, user), 0);
	CHECK_EQ(sin_of(&ifr.ifr_broadaddr), 0x0a0700ff);
	memset(&ifr.ifr_addr, 0, sizeof(ifr.ifr_addr));
	{
		struct sockaddr_in sin = { .sin_family = AF_INET };

		sin.sin_addr.s_addr = htonl(0x0a070005);
		memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	}
	CHECK_EQ(ioc(ns, SIOCSIFADDR, "shmif0", &ifr, user), EPERM);
	CHECK_EQ(ioc(ns, SIOCSIFADDR, "shmif0", &ifr, root), 0);
	CHECK_EQ(ioc(ns, SIOCGIFADDR, "shmif0", &ifr, user), 0);
	CHECK_EQ(sin_of(&ifr.ifr_addr), 0x0a070005);
	CHECK_EQ(ioc(ns, SIOCGIFNETMASK, "shmif0", &ifr, user), 0);
	CHECK_EQ(sin_of(&ifr.ifr_netmask), 0xffffff00);

	CHECK_EQ(ioc(ns, SIOCGIFMTU, "shmif0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_mtu, 1500);
	ifr.ifr_mtu = 9000;
	CHECK_EQ(ioc(ns, SIOCSIFMTU, "shmif0", &ifr, user), EPERM);
	CHECK_EQ(ioc(ns, SIOCSIFMTU, "shmif0", &ifr, root), 0);
	ifr.ifr_mtu = 10;
	CHECK_EQ(ioc(ns, SIOCSIFMTU, "shmif0", &ifr, root), EINVAL);
	CHECK_EQ(ioc(ns, SIOCGIFMTU, "shmif0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_mtu, 9000);

	CHECK_EQ(ioc(ns, SIOCGIFHWADDR, "shmif0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_hwaddr.sa_family, ARPHRD_ETHER);
	CHECK(memcmp(ifr.ifr_hwaddr.sa_data, ii.mac, 6) == 0);
	CHECK_EQ(ioc(ns, SIOCGIFHWADDR, "lo0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);	/* as Linux */
	CHECK_EQ(ioc(ns, SIOCGIFINDEX, "lo0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_ifindex, 1);				/* as Linux */
	CHECK_EQ(ioc(ns, SIOCGIFINDEX, "shmif0", &ifr, user), 0);
	CHECK_EQ(ifr.ifr_ifindex, 2);
	CHECK_EQ(ioc(ns, SIOCGIFNAME, NULL, &ifr, user), 0);
	CHECK(strcmp(ifr.ifr_name, "shmif0") == 0);
	CHECK_EQ(ioc(ns, SIOCGIFFLAGS, "eth9", &ifr, user), ENODEV);
	CHECK_EQ(ioc(ns, SIOCGIFADDR, "lo0", &ifr, user), 0);
	CHECK_EQ(ioc(ns, SIOCGIFMAP, "lo0", &ifr, user), ENOTTY);

	net_unlock(ns);
	kauth_cred_free(k, user);
	kauth_cred_free(k, root);
	CHECK_EQ(rump_kernel_halt(k), 0);
	CHECK_EQ(unlink(bus), 0);
}

/* Bad configurations are refused without side effects. */
static void
t_bad_config(void)
{
	struct rump_kernel *k = nu_boot();
	struct rump_ifcfg cfg = { .kind = RUMP_IF_SHMIF };
	const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0, 1 };
	unsigned n;

	REQUIRE(k != NULL);
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), EINVAL);	/* no bus */
	cfg.bus = bus_name("bad");
	cfg.address = "10.1.2.300/24";
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), EINVAL);
	cfg.address = "10.1.2.3/40";
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), EINVAL);
	cfg.address = "10.1.2.3/24";
	cfg.mac = mcast;
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), EINVAL);
	cfg.mac = NULL;
	cfg.mtu = 70000;
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), EINVAL);
	cfg.mtu = 0;
	cfg.gateway = "10.9.9.9";	/* not on the link */
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), ENETUNREACH);
	cfg.kind = 99;
	CHECK_EQ(rump_net_attach(k, &cfg, NULL, 0), EINVAL);
	CHECK_EQ(rump_net_ifconfig(k, NULL, 0, &n), 0);
	CHECK_EQ(n, 1);		/* lo0 alone */
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(bus_path);
}

TESTS(T(t_lo0), T(t_routes), T(t_arp), T(t_impair_loss),
    T(t_impair_dup_reorder), T(t_impair_delay), T(t_lapped),
    T(t_two_processes), T(t_ifioctl), T(t_bad_config))

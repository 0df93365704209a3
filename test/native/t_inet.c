/*
 * IPv4 end to end: two kernels on one shmif bus (in one process, and in
 * two), each with its own stack.  Ping with raw ICMP sockets and with ping
 * sockets both ways, UDP echo, 60 KB datagrams over a 1500-byte MTU
 * reassembled intact (also with seeded duplication and reordering on the
 * bus), a port unreachable turning into ECONNREFUSED, and an address
 * nobody has turning into a host unreachable once ARP gives up.  Every
 * capture is decoded by tshark with checksum validation on.
 *
 * One thread drives both kernels, switching with rump_kernel_enter; the
 * shmif receive threads deliver.  Blocking receives carry SO_RCVTIMEO as
 * a guard against hangs only: nothing asserts how long anything took.
 */
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_net.h>
#include <rump/rump_syscalls.h>

#include "harness.h"
#include "net_util.h"

#include "net/netstate.h"	/* white box: the protocol counters */
#include "netinet/in_var.h"

#define ADDR_A		"10.7.0.1"
#define ADDR_B		"10.7.0.2"
#define GUARD_S		20		/* receive timeout: a hang guard */
#define BIG		60000		/* bytes of a big datagram */

static char tshark_opts[256];
static bool tshark_probed, have_tshark;

static uint32_t
ip4(const char *s)
{
	unsigned a, b, c, d;

	if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
		return 0;
	return htonl(a << 24 | b << 16 | c << 8 | d);
}

static struct sockaddr_in
sin4(const char *addr, uint16_t port)
{
	return nu_sin(ntohl(ip4(addr)), port);
}

#define SA(s)	((struct sockaddr *)&(s))

/* Seeded bytes (xorshift), so a datagram's every byte is checked. */
static void
fill(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

static int
run(const char *cmd, char *out, size_t outsize)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	char sink[4096];

	if (p == NULL)
		return -1;
	while (out != NULL && n + 1 < outsize) {
		size_t got = fread(out + n, 1, outsize - 1 - n, p);

		if (got == 0)
			break;
		n += got;
	}
	if (out != NULL)
		out[n] = '\0';
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;
	return pclose(p);
}

/* ------------------------------------------------------------- tshark */

/*
 * Checksum validation for each protocol whose preference this tshark has
 * (4.0 has ip and udp; ICMP's checksum is always verified).
 */
static bool
tshark_probe(void)
{
	static const char *protos[] = { "ip", "udp", "icmp", "tcp" };
	static char prefs[1 << 20];
	char want[64];
	size_t used = 0;

	if (tshark_probed)
		return have_tshark;
	tshark_probed = true;
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		return false;
	if (run("tshark -G defaultprefs 2>/dev/null", prefs, sizeof(prefs)) != 0)
		return false;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		snprintf(want, sizeof(want), "#%s.check_checksum:", protos[i]);
		if (strstr(prefs, want) == NULL)
			continue;
		used += (size_t)snprintf(tshark_opts + used,
		    sizeof(tshark_opts) - used, " -o %s.check_checksum:TRUE",
		    protos[i]);
	}
	printf("# tshark options:%s\n", tshark_opts);
	have_tshark = true;
	return true;
}

/* How many packets of pcap match a display filter (-1: tshark failed). */
static long
tshark_count(const char *pcap, const char *filter)
{
	char cmd[1024], out[64];

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s%s -Y '%s' 2>/dev/null | "
	    "wc -l", pcap, tshark_opts, filter);
	if (run(cmd, out, sizeof(out)) != 0)
		return -1;
	return strtol(out, NULL, 10);
}

/*
 * The capture decodes cleanly: no malformed packet, no bad or incorrect
 * checksum, no error-level expert finding; and checksums were checked.
 */
static void
tshark_clean(const char *pcap)
{
	char cmd[1024], out[4096];
	long bad, good;

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s%s -V 2>&1 | grep -E "
	    "'Malformed|\\[incorrect|[Bb]ad [Cc]hecksum|[Ss]tatus: Bad|"
	    "Expert Info \\(Error' | sort | uniq -c | head -20", pcap,
	    tshark_opts);
	REQUIRE(run(cmd, out, sizeof(out)) == 0);
	if (out[0] != '\0')
		printf("# tshark findings in %s:\n%s", pcap, out);
	CHECK(out[0] == '\0');
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s%s -V 2>/dev/null | "
	    "grep -c -E '[Ss]tatus: Bad'", pcap, tshark_opts);
	(void)run(cmd, out, sizeof(out));
	bad = strtol(out, NULL, 10);
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s%s -V 2>/dev/null | "
	    "grep -c -E '[Ss]tatus: Good'", pcap, tshark_opts);
	(void)run(cmd, out, sizeof(out));
	good = strtol(out, NULL, 10);
	CHECK_EQ(bad, 0);
	/* checksums were really looked at, where there are IP packets */
	if (tshark_count(pcap, "ip") > 0)
		CHECK(good > 0);
}

/* ------------------------------------------------------------- kernels */

struct pair {
	struct rump_kernel *a, *b;
	char na[IFNAMSIZ], nb[IFNAMSIZ];
	char bus[128], pcapa[128], pcapb[128];
};

static int
pair_up(struct pair *p, const char *what)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->bus, sizeof(p->bus), "/dev/shm/rk-t_inet-%d-%s",
	    (int)getpid(), what);
	snprintf(p->pcapa, sizeof(p->pcapa), "/tmp/t_inet-%d-%s-a.pcap",
	    (int)getpid(), what);
	snprintf(p->pcapb, sizeof(p->pcapb), "/tmp/t_inet-%d-%s-b.pcap",
	    (int)getpid(), what);
	unlink(p->bus);
	if ((p->a = nu_boot()) == NULL || (p->b = nu_boot()) == NULL)
		return -1;
	if (nu_attach(p->a, p->bus, ADDR_A "/24", p->na) != 0 ||
	    nu_attach(p->b, p->bus, ADDR_B "/24", p->nb) != 0)
		return -1;
	if (rump_net_capture(p->a, p->na, p->pcapa) != 0 ||
	    rump_net_capture(p->b, p->nb, p->pcapb) != 0)
		return -1;
	return 0;
}

/* Halt both (captures flushed), then tshark reads both captures. */
static void
pair_down(struct pair *p)
{
	rump_kernel_leave();
	if (p->a != NULL)
		CHECK_EQ(rump_kernel_halt(p->a), 0);
	if (p->b != NULL)
		CHECK_EQ(rump_kernel_halt(p->b), 0);
	unlink(p->bus);
	if (tshark_probe()) {
		tshark_clean(p->pcapa);
		tshark_clean(p->pcapb);
	} else {
		printf("# tshark is not installed: captures not decoded\n");
	}
}

/* The captures go (unless T_INET_KEEP is set). */
static void
pair_clean(struct pair *p)
{
	if (getenv("T_INET_KEEP") != NULL) {
		printf("# captures kept: %s %s\n", p->pcapa, p->pcapb);
		return;
	}
	unlink(p->pcapa);
	unlink(p->pcapb);
}

/*
 * A socket in k, with a receive timeout (a hang guard): in the process the
 * thread is in when that is k's, else in k's first process.
 */
static int
sock(struct rump_kernel *k, int type, int proto)
{
	struct timeval tv = { GUARD_S, 0 };
	int s;

	if (rump_kernel_current() != k)
		rump_kernel_enter(k);
	if ((s = rump_sys_socket(AF_INET, type, proto)) < 0)
		return -1;
	if (rump_sys_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) != 0)
		return -1;
	return s;
}

static struct inet_state *
inet_of(struct rump_kernel *k)
{
	struct netstate *ns = net_peek(k);

	return ns != NULL ? ns->ns_inet : NULL;
}

/* ---------------------------------------------------------------- ping */

/* An echo request: 8-byte header and datalen bytes of seeded data. */
static size_t
mkecho(uint8_t *p, uint16_t id, uint16_t seq, size_t datalen)
{
	uint16_t sum;

	memset(p, 0, 8);
	p[0] = ICMP_ECHO;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	fill(p + 8, datalen, seq);
	sum = nu_cksum(p, 8 + datalen, 0);
	p[2] = (uint8_t)(sum >> 8);
	p[3] = (uint8_t)sum;
	return 8 + datalen;
}

/* An echo reply to req (len bytes) in icmp, from the expected peer? */
static bool
is_reply(const uint8_t *icmp, size_t len, const uint8_t *req, size_t reqlen,
    bool check_id)
{
	if (len != reqlen || icmp[0] != ICMP_ECHOREPLY || icmp[1] != 0)
		return false;
	if (nu_cksum(icmp, len, 0) != 0)
		return false;
	if (check_id && memcmp(icmp + 4, req + 4, 2) != 0)
		return false;
	return memcmp(icmp + 6, req + 6, 2) == 0 &&
	    memcmp(icmp + 8, req + 8, len - 8) == 0;
}

/* Ping dst from k with a raw ICMP socket: the reply, IP header and all. */
static void
ping_raw(struct rump_kernel *k, const char *src, const char *dst,
    uint16_t seq)
{
	uint8_t req[128], buf[256];
	struct sockaddr_in to = sin4(dst, 0), from;
	socklen_t flen;
	size_t reqlen = mkecho(req, 0x5151, seq, 56);
	bool got = false;
	int s;

	REQUIRE((s = sock(k, SOCK_RAW, IPPROTO_ICMP)) >= 0);
	CHECK_EQ(rump_sys_sendto(s, req, reqlen, 0, SA(to), sizeof(to)),
	    (long)reqlen);
	/* other ICMP may come first (the peer's echo of an earlier test) */
	for (int i = 0; i < 8 && !got; i++) {
		const struct ip *ip = (const struct ip *)(void *)buf;
		long n;

		flen = sizeof(from);
		n = rump_sys_recvfrom(s, buf, sizeof(buf), 0, SA(from), &flen);
		REQUIRE(n >= 0);
		REQUIRE(n >= (long)sizeof(struct ip));
		if (!is_reply(buf + ip->ip_hl * 4, (size_t)n - ip->ip_hl * 4u,
		    req, reqlen, true))
			continue;
		got = true;
		CHECK_EQ(ip->ip_v, 4);
		CHECK_EQ(ip->ip_hl, 5);
		CHECK_EQ(ip->ip_p, IPPROTO_ICMP);
		CHECK_EQ(ip->ip_ttl, 64);
		CHECK_EQ(ntohs(ip->ip_len), n);
		CHECK_EQ(nu_cksum(ip, 20, 0), 0);
		CHECK_EQ(ip->ip_src.s_addr, ip4(dst));
		CHECK_EQ(ip->ip_dst.s_addr, ip4(src));
		CHECK_EQ(flen, sizeof(from));
		CHECK_EQ(from.sin_addr.s_addr, ip4(dst));
	}
	CHECK(got);
	CHECK_EQ(rump_sys_close(s), 0);
}

/* Ping with a ping socket: the kernel picks the identifier (its port). */
static void
ping_dgram(struct rump_kernel *k, const char *dst, uint16_t seq)
{
	uint8_t req[1100], buf[1200];
	struct sockaddr_in to = sin4(dst, 0), from, me;
	socklen_t flen = sizeof(from), mlen = sizeof(me);
	size_t reqlen = mkecho(req, 0, seq, 1000);
	long n;
	int s;

	REQUIRE((s = sock(k, SOCK_DGRAM, IPPROTO_ICMP)) >= 0);
	CHECK_EQ(rump_sys_sendto(s, req, reqlen, 0, SA(to), sizeof(to)),
	    (long)reqlen);
	CHECK_EQ(rump_sys_getsockname(s, SA(me), &mlen), 0);
	CHECK(me.sin_port != 0);
	n = rump_sys_recvfrom(s, buf, sizeof(buf), 0, SA(from), &flen);
	REQUIRE(n >= 0);
	CHECK(is_reply(buf, (size_t)n, req, reqlen, false));
	CHECK(memcmp(buf + 4, &me.sin_port, 2) == 0);
	CHECK_EQ(from.sin_addr.s_addr, ip4(dst));
	CHECK_EQ(rump_sys_close(s), 0);
}

static void
t_ping(void)
{
	struct pair p;
	struct inet_state *isa, *isb;
	int s;

	REQUIRE(pair_up(&p, "ping") == 0);
	/* raw sockets need privilege: the kernel's first process has it */
	if ((s = sock(p.a, SOCK_RAW, IPPROTO_ICMP)) < 0) {
		CHECK_EQ(errno, EPERM);
		pair_down(&p);
		pair_clean(&p);
		SKIP("raw sockets refused to the kernel's first process");
	}
	rump_sys_close(s);
	ping_raw(p.a, ADDR_A, ADDR_B, 1);
	ping_raw(p.b, ADDR_B, ADDR_A, 2);
	ping_dgram(p.a, ADDR_B, 3);
	ping_dgram(p.b, ADDR_A, 4);
	/* an unprivileged process: no raw socket, but ping sockets work */
	rump_kernel_enter(p.a);
	REQUIRE(rump_lwproc_rfork(RUMP_RFCFDG) == 0);
	REQUIRE(rump_sys_setuid(1000) == 0);
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
	ping_dgram(p.a, ADDR_B, 5);	/* in this process */
	isa = inet_of(p.a);
	isb = inet_of(p.b);
	REQUIRE(isa != NULL && isb != NULL);
	CHECK(isb->is_icmpstat.inechos >= 3);
	CHECK(isb->is_icmpstat.outechoreps >= 3);
	CHECK(isa->is_icmpstat.inechos >= 2);
	pair_down(&p);
	if (have_tshark) {
		CHECK(tshark_count(p.pcapa, "icmp.type == 8") >= 5);
		CHECK(tshark_count(p.pcapa, "icmp.type == 0") >= 5);
	}
	pair_clean(&p);
}

/* ------------------------------------------------------------------ UDP */

/* One datagram from (ka, sa) to (kb, sb, dst) and its echo back. */
static void
udp_echo_one(struct rump_kernel *ka, int sa, struct rump_kernel *kb, int sb,
    struct sockaddr_in dst, size_t len, uint64_t seed)
{
	static uint8_t out[65536], in[65536];
	struct sockaddr_in from, back;
	socklen_t flen = sizeof(from), blen = sizeof(back);
	long n;

	fill(out, len, seed);
	rump_kernel_enter(ka);
	CHECK_EQ(rump_sys_sendto(sa, out, len, 0, SA(dst), sizeof(dst)),
	    (long)len);
	rump_kernel_enter(kb);
	memset(in, 0, len);
	n = rump_sys_recvfrom(sb, in, sizeof(in), 0, SA(from), &flen);
	CHECK_EQ(n, (long)len);
	REQUIRE(n == (long)len);
	CHECK(memcmp(in, out, len) == 0);
	CHECK_EQ(flen, sizeof(from));
	CHECK_EQ(rump_sys_sendto(sb, in, len, 0, SA(from), flen), (long)len);
	rump_kernel_enter(ka);
	memset(in, 0, len);
	n = rump_sys_recvfrom(sa, in, sizeof(in), 0, SA(back), &blen);
	CHECK_EQ(n, (long)len);
	CHECK(n == (long)len && memcmp(in, out, len) == 0);
	CHECK_EQ(back.sin_addr.s_addr, dst.sin_addr.s_addr);
	CHECK_EQ(back.sin_port, dst.sin_port);
}

static void
t_udp_echo(void)
{
	static const size_t sizes[] = { 0, 1, 100, 1472, 1473, 8000, 65507 };
	struct sockaddr_in b7 = sin4(ADDR_B, 7), a9 = sin4(ADDR_A, 9), me;
	socklen_t mlen = sizeof(me);
	struct pair p;
	int ca, sb, cb, sa;

	REQUIRE(pair_up(&p, "udp") == 0);
	REQUIRE((sb = sock(p.b, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_bind(sb, SA(b7), sizeof(b7)) == 0);
	REQUIRE((ca = sock(p.a, SOCK_DGRAM, 0)) >= 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		udp_echo_one(p.a, ca, p.b, sb, b7, sizes[i], i);
	/* the sender got an address and an ephemeral port */
	rump_kernel_enter(p.a);
	CHECK_EQ(rump_sys_getsockname(ca, SA(me), &mlen), 0);
	CHECK_EQ(me.sin_addr.s_addr, INADDR_ANY);
	CHECK(ntohs(me.sin_port) >= 32768 && ntohs(me.sin_port) <= 60999);
	/* the other way, connected */
	REQUIRE((sa = sock(p.a, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_bind(sa, SA(a9), sizeof(a9)) == 0);
	REQUIRE((cb = sock(p.b, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_connect(cb, SA(a9), sizeof(a9)) == 0);
	mlen = sizeof(me);
	CHECK_EQ(rump_sys_getsockname(cb, SA(me), &mlen), 0);
	CHECK_EQ(me.sin_addr.s_addr, ip4(ADDR_B));	/* the route's source */
	udp_echo_one(p.b, cb, p.a, sa, a9, 3000, 77);
	CHECK(inet_of(p.b)->is_ipstat.reassembled >= 3);
	pair_down(&p);
	if (have_tshark) {
		CHECK(tshark_count(p.pcapb, "udp.dstport == 7") >= 7);
		CHECK(tshark_count(p.pcapb, "ip.flags.mf == 1") > 0);
	}
	pair_clean(&p);
}

/*
 * count big datagrams A to B, each received whole before the next goes
 * (so the receive buffer never fills), then count/4 the other way.
 */
static void
big_rounds(struct pair *p, int count, uint64_t seed0)
{
	static uint8_t out[BIG], in[BIG + 1];
	struct sockaddr_in b7 = sin4(ADDR_B, 7), a7 = sin4(ADDR_A, 7);
	int sa, sb;

	REQUIRE((sb = sock(p->b, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_bind(sb, SA(b7), sizeof(b7)) == 0);
	REQUIRE((sa = sock(p->a, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_bind(sa, SA(a7), sizeof(a7)) == 0);
	for (int i = 0; i < count + count / 4; i++) {
		bool fwd = i < count;
		struct rump_kernel *ks = fwd ? p->a : p->b;
		struct rump_kernel *kr = fwd ? p->b : p->a;
		struct sockaddr_in to = fwd ? b7 : a7;
		long n;

		fill(out, BIG, seed0 + (uint64_t)i);
		rump_kernel_enter(ks);
		CHECK_EQ(rump_sys_sendto(fwd ? sa : sb, out, BIG, 0, SA(to),
		    sizeof(to)), BIG);
		rump_kernel_enter(kr);
		n = rump_sys_recvfrom(fwd ? sb : sa, in, sizeof(in), 0, NULL,
		    NULL);
		CHECK_EQ(n, BIG);
		if (n != BIG || memcmp(in, out, BIG) != 0) {
			printf("# datagram %d: %ld bytes, %s\n", i, n,
			    n == BIG ? "contents differ" : "wrong length");
			t_failed = 1;
			return;
		}
	}
}

static void
t_udp_big(void)
{
	struct pair p;
	struct inet_state *isb;

	REQUIRE(pair_up(&p, "big") == 0);
	big_rounds(&p, 8, 1000);
	isb = inet_of(p.b);
	REQUIRE(isb != NULL);
	CHECK_EQ(isb->is_ipstat.reassembled, 8);
	pair_down(&p);
	if (have_tshark) {
		/* 60008 bytes in 1480-byte pieces: 41 fragments each */
		CHECK_EQ(tshark_count(p.pcapb, "udp && ip.src == " ADDR_A),
		    8);
		CHECK_EQ(tshark_count(p.pcapb, "ip.src == " ADDR_A
		    " && ip.flags.mf == 1"), 8 * 40);
	}
	pair_clean(&p);
}

/* The same with the bus duplicating and reordering frames (seeded). */
static void
t_udp_big_impaired(void)
{
	struct rump_impair imp = {
		.dup_ppm = 30000, .reorder_ppm = 100000, .seed = 4242,
	};
	struct pair p;
	struct rump_ifinfo ii[4];
	uint64_t dups = 0, reord = 0;
	unsigned n;

	REQUIRE(pair_up(&p, "impaired") == 0);
	/* the bus's impairments hit every member's frames */
	REQUIRE(rump_net_impair(p.a, p.na, &imp) == 0);
	big_rounds(&p, 24, 2000);
	CHECK(inet_of(p.b)->is_ipstat.reassembled >= 24);
	CHECK(inet_of(p.a)->is_ipstat.reassembled >= 6);
	REQUIRE(rump_net_ifconfig(p.a, ii, 4, &n) == 0);
	for (unsigned i = 0; i < n && i < 4; i++) {
		dups += ii[i].imp_duplicated;
		reord += ii[i].imp_reordered;
	}
	REQUIRE(rump_net_ifconfig(p.b, ii, 4, &n) == 0);
	for (unsigned i = 0; i < n && i < 4; i++) {
		dups += ii[i].imp_duplicated;
		reord += ii[i].imp_reordered;
	}
	printf("# %llu frames duplicated, %llu reordered\n",
	    (unsigned long long)dups, (unsigned long long)reord);
	CHECK(dups > 0);
	CHECK(reord > 0);
	pair_down(&p);
	pair_clean(&p);
}

/* ------------------------------------------------------------- errors */

static short
poll1(int s, short events)
{
	struct pollfd pfd = { s, events, 0 };

	if (rump_sys_poll(&pfd, 1, GUARD_S * 1000) != 1)
		return 0;
	return pfd.revents;
}

static void
t_port_unreachable(void)
{
	struct sockaddr_in b9 = sin4(ADDR_B, 9);
	struct pair p;
	char c;
	int s;

	REQUIRE(pair_up(&p, "refused") == 0);
	REQUIRE((s = sock(p.a, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_connect(s, SA(b9), sizeof(b9)) == 0);
	CHECK_EQ(rump_sys_sendto(s, "ping", 4, 0, NULL, 0), 4);
	/* B answers with a port unreachable: POLLERR, then ECONNREFUSED */
	CHECK(poll1(s, POLLIN) & POLLERR);
	CHECK_ERR(rump_sys_recvfrom(s, &c, 1, 0, NULL, NULL), ECONNREFUSED);
	CHECK_ERR(rump_sys_recvfrom(s, &c, 1, MSG_DONTWAIT, NULL, NULL),
	    EAGAIN);
	CHECK(inet_of(p.b)->is_udpstat.noport >= 1);
	CHECK(inet_of(p.b)->is_icmpstat.outdestunreachs >= 1);
	CHECK(inet_of(p.a)->is_icmpstat.indestunreachs >= 1);
	pair_down(&p);
	if (have_tshark)
		CHECK(tshark_count(p.pcapa, "icmp.type == 3 && icmp.code == 3 "
		    "&& ip.src == " ADDR_B) >= 1);
	pair_clean(&p);
}

/*
 * An address on the link that nobody has: ARP asks three times and gives
 * up; what waited for it comes back to its sender as a host unreachable
 * from ourselves.  As on Linux that is a soft error: a UDP socket with
 * IP_RECVERR learns EHOSTUNREACH, one without does not, and a raw ICMP
 * socket sees the message (what ping prints as "Destination Host
 * Unreachable").
 */
static void
t_host_unreachable(void)
{
	struct sockaddr_in nobody = sin4("10.7.0.99", 9);
	struct rump_arpstat st;
	struct pair p;
	uint8_t buf[256];
	int one = 1, s1, s2, r, found = 0;
	char c;

	REQUIRE(pair_up(&p, "unreach") == 0);
	REQUIRE((r = sock(p.a, SOCK_RAW, IPPROTO_ICMP)) >= 0);
	REQUIRE((s1 = sock(p.a, SOCK_DGRAM, 0)) >= 0);
	REQUIRE((s2 = sock(p.a, SOCK_DGRAM, 0)) >= 0);
	CHECK_EQ(rump_sys_setsockopt(s1, IPPROTO_IP, IP_RECVERR, &one,
	    sizeof(one)), 0);
	REQUIRE(rump_sys_connect(s1, SA(nobody), sizeof(nobody)) == 0);
	REQUIRE(rump_sys_connect(s2, SA(nobody), sizeof(nobody)) == 0);
	/* held while ARP asks: the send itself succeeds */
	CHECK_EQ(rump_sys_sendto(s1, "one", 3, 0, NULL, 0), 3);
	CHECK_EQ(rump_sys_sendto(s2, "two", 3, 0, NULL, 0), 3);
	CHECK(poll1(s1, POLLIN) & POLLERR);
	CHECK_ERR(rump_sys_recvfrom(s1, &c, 1, 0, NULL, NULL), EHOSTUNREACH);
	/* the raw socket saw both messages, about both datagrams */
	for (int i = 0; i < 2; i++) {
		long n = rump_sys_recvfrom(r, buf, sizeof(buf), 0, NULL, NULL);
		const struct ip *ip = (const struct ip *)(void *)buf;
		const struct ip *inner = (const struct ip *)(void *)(buf + 28);

		REQUIRE(n >= 20 + 8 + 20 + 8);
		CHECK_EQ(buf[20], ICMP_UNREACH);
		CHECK_EQ(buf[21], ICMP_UNREACH_HOST);
		CHECK_EQ(nu_cksum(buf + 20, (size_t)n - 20, 0), 0);
		CHECK_EQ(ip->ip_dst.s_addr, ip4(ADDR_A));
		CHECK_EQ(inner->ip_dst.s_addr, nobody.sin_addr.s_addr);
		CHECK_EQ(inner->ip_p, IPPROTO_UDP);
		found++;
	}
	CHECK_EQ(found, 2);
	/* no IP_RECVERR: a soft error is not reported (Linux) */
	CHECK_ERR(rump_sys_recvfrom(s2, &c, 1, MSG_DONTWAIT, NULL, NULL),
	    EAGAIN);
	CHECK_EQ(rump_net_arpstat(p.a, &st), 0);
	CHECK_EQ(st.timeouts, 1);
	CHECK_EQ(st.dropped_noentry, 2);
	CHECK(inet_of(p.a)->is_icmpstat.outdestunreachs >= 2);
	pair_down(&p);
	if (have_tshark)
		CHECK_EQ(tshark_count(p.pcapa, "arp.opcode == 1 && "
		    "arp.dst.proto_ipv4 == 10.7.0.99"), 3);
	pair_clean(&p);
}

/* ------------------------------------------------------------- ioctls */

/* Interface ioctls through a socket descriptor, as ifconfig uses them. */
static void
t_ifioctl(void)
{
	struct pair p;
	struct ifreq ifr;
	struct ifconf ifc;
	struct ifreq list[8];
	struct sockaddr_in sin, b7 = sin4(ADDR_B, 7);
	int s, sb;

	REQUIRE(pair_up(&p, "ioctl") == 0);
	REQUIRE((s = sock(p.a, SOCK_DGRAM, 0)) >= 0);
	memset(&ifc, 0, sizeof(ifc));
	ifc.ifc_len = sizeof(list);
	ifc.ifc_req = list;
	CHECK_EQ(rump_sys_ioctl(s, SIOCGIFCONF, (long)&ifc), 0);
	CHECK_EQ(ifc.ifc_len, 2 * (int)sizeof(struct ifreq));	/* lo0, shmif0 */
	CHECK(strcmp(list[0].ifr_name, "lo0") == 0);
	CHECK(strcmp(list[1].ifr_name, p.na) == 0);
	memcpy(&sin, &list[1].ifr_addr, sizeof(sin));
	CHECK_EQ(sin.sin_addr.s_addr, ip4(ADDR_A));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, p.na);
	CHECK_EQ(rump_sys_ioctl(s, SIOCGIFFLAGS, (long)&ifr), 0);
	CHECK((ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING));
	CHECK_EQ(rump_sys_ioctl(s, SIOCGIFBRDADDR, (long)&ifr), 0);
	memcpy(&sin, &ifr.ifr_broadaddr, sizeof(sin));
	CHECK_EQ(sin.sin_addr.s_addr, ip4("10.7.0.255"));
	CHECK_EQ(rump_sys_ioctl(s, SIOCGIFMTU, (long)&ifr), 0);
	CHECK_EQ(ifr.ifr_mtu, 1500);
	ifr.ifr_mtu = 1280;
	CHECK_EQ(rump_sys_ioctl(s, SIOCSIFMTU, (long)&ifr), 0);
	CHECK_EQ(rump_sys_ioctl(s, SIOCGIFMTU, (long)&ifr), 0);
	CHECK_EQ(ifr.ifr_mtu, 1280);
	strcpy(ifr.ifr_name, "nosuch0");
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFMTU, (long)&ifr), ENODEV);
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFMTU, 8), EFAULT);
	/* fragments follow the new MTU: 3008 bytes as 1256 + 1256 + 496 */
	REQUIRE((sb = sock(p.b, SOCK_DGRAM, 0)) >= 0);
	REQUIRE(rump_sys_bind(sb, SA(b7), sizeof(b7)) == 0);
	udp_echo_one(p.a, s, p.b, sb, b7, 3000, 9);
	/* changes need privilege */
	rump_kernel_enter(p.a);
	REQUIRE(rump_lwproc_rfork(RUMP_RFFDG) == 0);
	REQUIRE(rump_sys_setuid(1000) == 0);
	strcpy(ifr.ifr_name, p.na);
	ifr.ifr_mtu = 1400;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSIFMTU, (long)&ifr), EPERM);
	CHECK_EQ(rump_sys_ioctl(s, SIOCGIFMTU, (long)&ifr), 0);
	CHECK_EQ(ifr.ifr_mtu, 1280);
	pair_down(&p);
	if (have_tshark)
		CHECK_EQ(tshark_count(p.pcapa, "ip.src == " ADDR_A " && "
		    "ip.flags.mf == 1 && ip.len == 1276"), 2);
	pair_clean(&p);
}

/* ------------------------------------------------------------ processes */

#define PROC_N	12

static int
child_main(const char *bus, int tochild, int toparent)
{
	struct rump_kernel *k = nu_boot();
	struct sockaddr_in me = sin4("10.6.0.2", 7), from;
	static uint8_t buf[20000];
	char name[IFNAMSIZ], c = 'r';
	int s;

	if (k == NULL || nu_attach(k, bus, "10.6.0.2/24", name) != 0)
		return 1;
	if ((s = sock(k, SOCK_DGRAM, 0)) < 0 ||
	    rump_sys_bind(s, SA(me), sizeof(me)) != 0)
		return 2;
	if (write(toparent, &c, 1) != 1)
		return 3;
	for (int i = 0; i < PROC_N; i++) {
		socklen_t flen = sizeof(from);
		long n = rump_sys_recvfrom(s, buf, sizeof(buf), 0, SA(from),
		    &flen);

		if (n < 0)
			return 4;
		if (rump_sys_sendto(s, buf, (size_t)n, 0, SA(from), flen) != n)
			return 5;
	}
	if (read(tochild, &c, 1) != 1)
		return 6;
	rump_kernel_leave();
	return rump_kernel_halt(k) == 0 ? 0 : 7;
}

static void
t_two_processes(void)
{
	char bus[128], name[IFNAMSIZ], c;
	static uint8_t out[20000], in[20000];
	struct sockaddr_in to = sin4("10.6.0.2", 7);
	struct nu_peer peer;
	struct rump_kernel *k;
	int s;

	snprintf(bus, sizeof(bus), "/dev/shm/rk-t_inet-%d-procs", (int)getpid());
	unlink(bus);
	/* before any kernel thread exists in this process */
	REQUIRE(nu_peer_start(&peer, bus, child_main) == 0);
	k = nu_boot();
	REQUIRE(k != NULL);
	CHECK_EQ(nu_attach(k, bus, "10.6.0.1/24", name), 0);
	CHECK(read(peer.fromchild, &c, 1) == 1);
	REQUIRE((s = sock(k, SOCK_DGRAM, 0)) >= 0);
	for (int i = 0; i < PROC_N; i++) {
		size_t len = (size_t)(i * 1657) % sizeof(out);
		long n;

		fill(out, len, 500 + (uint64_t)i);
		CHECK_EQ(rump_sys_sendto(s, out, len, 0, SA(to), sizeof(to)),
		    (long)len);
		n = rump_sys_recvfrom(s, in, sizeof(in), 0, NULL, NULL);
		CHECK_EQ(n, (long)len);
		CHECK(n == (long)len && memcmp(in, out, len) == 0);
	}
	ping_dgram(k, "10.6.0.2", 9);
	CHECK(write(peer.tochild, "q", 1) == 1);
	CHECK_EQ(nu_peer_end(&peer), 0);
	rump_kernel_leave();
	CHECK_EQ(rump_kernel_halt(k), 0);
	unlink(bus);
}

TESTS(
	T(t_two_processes),
	T(t_ping),
	T(t_udp_echo),
	T(t_udp_big),
	T(t_udp_big_impaired),
	T(t_port_unreachable),
	T(t_host_unreachable),
	T(t_ifioctl),
)

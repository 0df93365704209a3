/*
 * IPv4 input and output, white-box: datagrams built here are fed to
 * ip_input through a fake loopback-type interface whose transmit keeps
 * what the kernel sends back.  Malformed headers are dropped and counted;
 * fragments are reassembled in any order, duplicates tolerated, overlaps
 * refused; the reassembly memory cap holds under a flood and queues time
 * out; ICMP answers echoes and reports unreachable ports and protocols,
 * never about broadcasts; output fragments to the MTU; and a seeded flood
 * of mutated datagrams crashes nothing (run it under ASan).
 */
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <time.h>

#include <rump/rump.h>

#include "sys/systm.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"

#include "harness.h"
#include "net_util.h"

#define MAXOUT	256

static struct rump_kernel *k;
static struct netstate *ns;
static struct ifnet fakeif;
static struct in_ifaddr fakeia;
static struct ifnet *saved_loif;
static uint8_t *outq[MAXOUT];
static size_t outlen[MAXOUT];
static int nout;

static int
fake_transmit(struct ifnet *ifp, struct mbuf *m)
{
	(void)ifp;
	if (nout < MAXOUT) {
		size_t len = m_length(m);

		outq[nout] = malloc(len);
		m_copydata(m, 0, len, outq[nout]);
		outlen[nout++] = len;
	}
	m_freem(m);
	return 0;
}

/* IP's way out (if_output): no link header, straight to the frame path */
static int
fake_output(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop)
{
	(void)nexthop;
	return if_output_frame(ifp, m);
}

static void
out_clear(void)
{
	for (int i = 0; i < nout; i++)
		free(outq[i]);
	nout = 0;
}

static bool
setup(void)
{
	if ((ns = nu_boot_ns(&k)) == NULL)
		return false;
	nu_fakeif(ns, &fakeif, &fakeia);
	fakeif.if_index = 99;
	fakeif.if_flags |= IFF_RUNNING;
	fakeif.if_mtu = 1500;		/* small, to make output fragment */
	fakeif.if_transmit = fake_transmit;
	fakeif.if_output = fake_output;
	fakeia.ia_broadcast.s_addr = htonl(0x7fffffff);
	net_lock(ns);
	TAILQ_INSERT_HEAD(&ns->ns_ifnet, &fakeif, if_list);
	saved_loif = ns->ns_loif;
	ns->ns_loif = &fakeif;
	nout = 0;
	return true;
}

static int
teardown(void)
{
	TAILQ_REMOVE(&ns->ns_ifnet, &fakeif, if_list);
	ns->ns_loif = saved_loif;
	net_unlock(ns);
	out_clear();
	return rump_kernel_halt(k);
}

static struct inet_state *
IS(void)
{
	return ns->ns_inet;
}

/* An IP header at buf (20 bytes) for payload plen; addresses host order. */
static void
mkip(uint8_t *buf, uint8_t proto, uint32_t src, uint32_t dst, uint16_t id,
    uint16_t off, size_t plen)
{
	struct ip *ip = (struct ip *)buf;
	uint16_t s;

	memset(ip, 0, sizeof(*ip));
	ip->ip_v = 4;
	ip->ip_hl = 5;
	ip->ip_len = htons((uint16_t)(20 + plen));
	ip->ip_id = htons(id);
	ip->ip_off = htons(off);
	ip->ip_ttl = 64;
	ip->ip_p = proto;
	ip->ip_src.s_addr = htonl(src);
	ip->ip_dst.s_addr = htonl(dst);
	s = nu_cksum(buf, 20, 0);
	ip->ip_sum = htons(s);
}

/* A UDP datagram (header and payload) with a correct checksum. */
static size_t
mkudp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
    uint16_t dport, size_t plen, uint8_t fill)
{
	struct udphdr *uh = (struct udphdr *)buf;
	size_t ulen = 8 + plen;

	uh->uh_sport = htons(sport);
	uh->uh_dport = htons(dport);
	uh->uh_ulen = htons((uint16_t)ulen);
	uh->uh_sum = 0;
	for (size_t i = 0; i < plen; i++)
		buf[8 + i] = (uint8_t)(fill + i);
	uh->uh_sum = htons(nu_cksum(buf, ulen, nu_pseudo(src, dst, IPPROTO_UDP,
	    (uint16_t)ulen)));
	if (uh->uh_sum == 0)
		uh->uh_sum = 0xffff;
	return ulen;
}

static void
feed(const void *buf, size_t len)
{
	struct mbuf *m = m_devget(k, buf, len, MAX_LINKHDR, &fakeif);

	if (m != NULL)
		ip_input(m);
}

/* The captured datagram i is valid IP with a valid checksum. */
static bool
out_ipok(int i)
{
	const struct ip *ip = (const struct ip *)outq[i];

	return outlen[i] >= 20 && ip->ip_v == 4 &&
	    ntohs(ip->ip_len) == outlen[i] &&
	    nu_cksum(outq[i], (size_t)ip->ip_hl * 4, 0) == 0;
}

static const struct icmp *
out_icmp(int i)
{
	const struct ip *ip = (const struct ip *)outq[i];

	if (ip->ip_p != IPPROTO_ICMP)
		return NULL;
	/* the ICMP checksum covers the whole message */
	if (nu_cksum(outq[i] + ip->ip_hl * 4, outlen[i] - ip->ip_hl * 4, 0) != 0)
		return NULL;
	return (const struct icmp *)(outq[i] + ip->ip_hl * 4);
}

#define LO1	0x7f000001u
#define LO2	0x7f000002u

static void
t_bad_headers(void)
{
	uint8_t b[128] = { 0 };
	struct ipstat before;

	REQUIRE(setup());
	before = IS()->is_ipstat;

	feed(b, 10);					/* too short */
	CHECK_EQ(IS()->is_ipstat.toosmall, before.toosmall + 1);

	mkip(b, 250, LO2, LO1, 1, 0, 8);
	b[0] = 0x65;					/* version 6 */
	feed(b, 28);
	CHECK_EQ(IS()->is_ipstat.badvers, before.badvers + 1);

	mkip(b, 250, LO2, LO1, 1, 0, 8);
	b[0] = 0x44;					/* 16-byte header */
	feed(b, 28);
	b[0] = 0x4f;					/* 60 bytes > packet */
	feed(b, 28);
	CHECK_EQ(IS()->is_ipstat.badhlen, before.badhlen + 2);

	mkip(b, 250, LO2, LO1, 1, 0, 8);
	b[10] ^= 0x55;					/* checksum */
	feed(b, 28);
	CHECK_EQ(IS()->is_ipstat.badsum, before.badsum + 1);

	mkip(b, 250, LO2, LO1, 1, 0, 8);
	((struct ip *)b)->ip_len = htons(12);		/* < header */
	((struct ip *)b)->ip_sum = 0;
	((struct ip *)b)->ip_sum = htons(nu_cksum(b, 20, 0));
	feed(b, 28);
	CHECK_EQ(IS()->is_ipstat.badlen, before.badlen + 1);

	mkip(b, 250, LO2, LO1, 1, 0, 80);		/* longer than we have */
	feed(b, 28);
	CHECK_EQ(IS()->is_ipstat.tooshort, before.tooshort + 1);

	/* not for us: 10.1.2.3; multicast 224.0.0.1 */
	mkip(b, 250, LO2, 0x0a010203, 1, 0, 8);
	feed(b, 28);
	mkip(b, 250, LO2, 0xe0000001, 1, 0, 8);
	feed(b, 28);
	CHECK_EQ(IS()->is_ipstat.forward_dropped, before.forward_dropped + 2);
	CHECK_EQ(IS()->is_ipstat.delivered, before.delivered);
	CHECK_EQ(nout, 0);
	CHECK_EQ(teardown(), 0);
}

static void
t_padding_and_proto_unreach(void)
{
	uint8_t b[128];
	const struct icmp *icp;

	REQUIRE(setup());
	memset(b, 0xee, sizeof(b));
	mkip(b, 253, LO2, LO1, 7, 0, 8);		/* unknown protocol */
	feed(b, 60);					/* 32 bytes of padding */
	CHECK_EQ(IS()->is_ipstat.delivered, 1);
	CHECK_EQ(IS()->is_ipstat.noproto, 1);
	REQUIRE(nout == 1);
	CHECK(out_ipok(0));
	REQUIRE((icp = out_icmp(0)) != NULL);
	CHECK_EQ(icp->icmp_type, ICMP_UNREACH);
	CHECK_EQ(icp->icmp_code, ICMP_UNREACH_PROTOCOL);
	/* it quotes the datagram without the padding */
	CHECK_EQ(outlen[0], 20 + 8 + 28);
	CHECK_EQ(((const struct ip *)outq[0])->ip_dst.s_addr, htonl(LO2));
	CHECK_EQ(((const struct ip *)outq[0])->ip_src.s_addr, htonl(LO1));
	CHECK_EQ(((const struct ip *)outq[0])->ip_tos, 0xc0);
	CHECK_EQ(teardown(), 0);
}

static void
t_udp_port_unreach(void)
{
	uint8_t b[2048];
	size_t ulen;
	const struct icmp *icp;

	REQUIRE(setup());
	ulen = mkudp(b + 20, LO2, LO1, 5000, 9, 1000, 3);
	mkip(b, IPPROTO_UDP, LO2, LO1, 8, 0, ulen);
	feed(b, 20 + ulen);
	CHECK_EQ(IS()->is_udpstat.ipackets, 1);
	CHECK_EQ(IS()->is_udpstat.noport, 1);
	REQUIRE(nout == 1);
	CHECK(out_ipok(0));
	REQUIRE((icp = out_icmp(0)) != NULL);
	CHECK_EQ(icp->icmp_type, ICMP_UNREACH);
	CHECK_EQ(icp->icmp_code, ICMP_UNREACH_PORT);
	CHECK_EQ(outlen[0], 576);		/* quoted up to 576 bytes */
	CHECK(memcmp(outq[0] + 28, b, 548) == 0);

	/* a bad UDP checksum: counted, no answer */
	out_clear();
	b[20 + 8 + 5] ^= 1;
	feed(b, 20 + ulen);
	CHECK_EQ(IS()->is_udpstat.badsum, 1);
	CHECK_EQ(nout, 0);
	/* a checksum of 0 means none: answered */
	((struct udphdr *)(b + 20))->uh_sum = 0;
	feed(b, 20 + ulen);
	CHECK_EQ(nout, 1);
	/* UDP length past the datagram */
	out_clear();
	((struct udphdr *)(b + 20))->uh_ulen = htons(2000);
	feed(b, 20 + ulen);
	CHECK_EQ(IS()->is_udpstat.badlen, 1);
	/* to the broadcast address: no error about it */
	ulen = mkudp(b + 20, LO2, 0x7fffffff, 5000, 9, 10, 3);
	mkip(b, IPPROTO_UDP, LO2, 0x7fffffff, 9, 0, ulen);
	feed(b, 20 + ulen);
	CHECK_EQ(IS()->is_udpstat.noportbcast, 1);
	CHECK_EQ(nout, 0);
	CHECK_EQ(teardown(), 0);
}

static void
t_echo(void)
{
	uint8_t b[256];
	struct icmp *icp = (struct icmp *)(b + 20);
	const struct icmp *r;

	REQUIRE(setup());
	memset(b, 0, sizeof(b));
	icp->icmp_type = ICMP_ECHO;
	icp->icmp_id = htons(0x1234);
	icp->icmp_seq = htons(7);
	for (int i = 0; i < 56; i++)
		b[28 + i] = (uint8_t)i;
	icp->icmp_cksum = htons(nu_cksum(icp, 64, 0));
	mkip(b, IPPROTO_ICMP, LO2, LO1, 11, 0, 64);
	feed(b, 84);
	CHECK_EQ(IS()->is_icmpstat.inechos, 1);
	REQUIRE(nout == 1);
	CHECK(out_ipok(0));
	REQUIRE((r = out_icmp(0)) != NULL);
	CHECK_EQ(r->icmp_type, ICMP_ECHOREPLY);
	CHECK_EQ(r->icmp_id, htons(0x1234));
	CHECK_EQ(r->icmp_seq, htons(7));
	CHECK(memcmp(outq[0] + 28, b + 28, 56) == 0);
	CHECK_EQ(((const struct ip *)outq[0])->ip_dst.s_addr, htonl(LO2));
	/* an echo to our broadcast is ignored; a bad checksum counted */
	out_clear();
	mkip(b, IPPROTO_ICMP, LO2, 0x7fffffff, 12, 0, 64);
	feed(b, 84);
	CHECK_EQ(nout, 0);
	icp->icmp_cksum ^= 1;
	mkip(b, IPPROTO_ICMP, LO2, LO1, 13, 0, 64);
	feed(b, 84);
	CHECK_EQ(IS()->is_icmpstat.badsum, 1);
	CHECK_EQ(nout, 0);
	CHECK_EQ(teardown(), 0);
}

/*
 * A UDP datagram of n payload bytes to a closed port, cut in fragments
 * of fsz payload bytes: frag[i] at frags + i * 1600, lengths in flen.
 */
static int
mkfrags(uint8_t *frags, size_t *flen, uint8_t *whole, size_t n, size_t fsz,
    uint16_t id)
{
	size_t ulen = mkudp(whole, LO2, LO1, 5001, 9, n, 1), off;
	int i = 0;

	for (off = 0; off < ulen; off += fsz, i++) {
		size_t len = MIN(fsz, ulen - off);
		uint16_t fo = (uint16_t)(off / 8);

		if (off + len < ulen)
			fo |= IP_MF;
		memcpy(frags + i * 1600 + 20, whole + off, len);
		mkip(frags + i * 1600, IPPROTO_UDP, LO2, LO1, id, fo, len);
		flen[i] = 20 + len;
	}
	return i;
}

static void
t_reassembly(void)
{
	static uint8_t frags[64 * 1600], whole[65536];
	size_t flen[64];
	int n, order[64];
	const struct icmp *icp;

	REQUIRE(setup());
	n = mkfrags(frags, flen, whole, 20000, 1480, 100);
	REQUIRE(n == 14);
	/* reversed, with every fragment twice */
	for (int i = n - 1; i >= 0; i--) {
		feed(frags + i * 1600, flen[i]);
		feed(frags + i * 1600, flen[i]);
	}
	CHECK_EQ(IS()->is_ipstat.fragments, 2 * n);
	CHECK_EQ(IS()->is_ipstat.reassembled, 1);
	/* the last duplicate starts a new queue that stays incomplete */
	CHECK_EQ(IS()->is_udpstat.noport, 1);
	REQUIRE(nout == 1);
	REQUIRE((icp = out_icmp(0)) != NULL);
	CHECK_EQ(icp->icmp_code, ICMP_UNREACH_PORT);
	/* the quote is the reassembled datagram's start */
	CHECK(memcmp(outq[0] + 28 + 20, whole, 528) == 0);

	/* shuffled */
	out_clear();
	n = mkfrags(frags, flen, whole, 9000, 1480, 101);
	for (int i = 0; i < n; i++)
		order[i] = i;
	srand(5);
	for (int i = n - 1; i > 0; i--) {
		int j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < n; i++)
		feed(frags + order[i] * 1600, flen[order[i]]);
	CHECK_EQ(IS()->is_ipstat.reassembled, 2);
	CHECK_EQ(nout, 1);

	/* an overlap kills the datagram */
	out_clear();
	n = mkfrags(frags, flen, whole, 3000, 1480, 102);
	feed(frags, flen[0]);
	{
		uint8_t ov[1600];

		/* a fragment at offset 1000 (inside the first) */
		memcpy(ov, frags + 1600, flen[1]);
		mkip(ov, IPPROTO_UDP, LO2, LO1, 102, (1000 / 8) | IP_MF,
		    flen[1] - 20);
		feed(ov, flen[1]);
	}
	for (int i = 1; i < n; i++)
		feed(frags + i * 1600, flen[i]);
	CHECK_EQ(IS()->is_ipstat.reassembled, 2);
	CHECK(IS()->is_ipstat.fragdropped >= 2);
	CHECK_EQ(nout, 0);

	/* a fragment past 65535 bytes ("ping of death") */
	{
		uint8_t pod[1600];

		memset(pod, 0, sizeof(pod));
		mkip(pod, IPPROTO_UDP, LO2, LO1, 103, 8189, 100);
		feed(pod, 120);
		CHECK_EQ(IS()->is_ipstat.toolong, 1);
		/* a middle fragment whose length is no multiple of 8 */
		mkip(pod, IPPROTO_UDP, LO2, LO1, 104, 10 | IP_MF, 100);
		feed(pod, 120);
	}
	CHECK_EQ(teardown(), 0);
}

/* Wait (without asserting on time) until cond or about 20 s passed. */
#define WAIT_UNTIL(cond) do {						\
	for (int _i = 0; _i < 2000 && !(cond); _i++) {			\
		net_unlock(ns);						\
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);	\
		net_lock(ns);						\
	}								\
} while (0)

static void
t_reassembly_limits(void)
{
	uint8_t f[1600];
	size_t bytes;
	unsigned nq;
	uint64_t dropped0;
	const int flood = 3000;

	REQUIRE(setup());
	ipq_setlimits(ns, 256 * 1024, 60 * (int64_t)1000000000);
	memset(f, 0x5a, sizeof(f));
	/* first fragments of datagrams that never complete */
	dropped0 = IS()->is_ipstat.fragdropped;
	for (int i = 0; i < flood; i++) {
		mkip(f, IPPROTO_UDP, LO2, LO1, (uint16_t)(1000 + i), IP_MF,
		    1000);
		feed(f, 1020);
	}
	ipq_usage(ns, &bytes, &nq);
	CHECK(bytes <= 256 * 1024);
	CHECK(nq > 0 && nq < (unsigned)flood);
	CHECK_EQ(IS()->is_ipstat.fragdropped - dropped0, flood - nq);
	CHECK_EQ(nout, 0);

	/*
	 * Room again and a short timeout: the new queues expire (the flood's
	 * keep their 60 s timers), with a time exceeded only for the one
	 * that holds its datagram's first fragment.
	 */
	ipq_setlimits(ns, 4u << 20, 1000000);
	for (int i = 0; i < 5; i++) {
		mkip(f, IPPROTO_UDP, LO2, LO1, (uint16_t)(9000 + i), 0x10,
		    1000);
		feed(f, 1020);
	}
	mkip(f, IPPROTO_UDP, LO2, LO1, 9100, IP_MF, 1000);
	feed(f, 1020);
	WAIT_UNTIL(IS()->is_ipstat.fragtimeout >= 6);
	CHECK_EQ(IS()->is_ipstat.fragtimeout, 6);
	REQUIRE(nout == 1);
	{
		const struct icmp *icp = out_icmp(0);

		CHECK(out_ipok(0));
		CHECK(icp != NULL && icp->icmp_type == ICMP_TIMXCEED &&
		    icp->icmp_code == ICMP_TIMXCEED_REASS);
	}
	ipq_usage(ns, &bytes, &nq);
	CHECK(nq > 0 && bytes <= 256 * 1024);
	/* halting with queues pending frees them (no leak) */
	CHECK_EQ(teardown(), 0);
}

static void
t_output_fragments(void)
{
	uint8_t payload[4000];
	struct mbuf *m;
	struct ip *ip;
	int n;

	REQUIRE(setup());
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	m = m_gethdr(k, MAX_HDR, sizeof(payload));
	REQUIRE(m != NULL);
	memcpy(m->m_data, payload, sizeof(payload));
	m->m_len = m->m_pkthdr.len = sizeof(payload);
	REQUIRE((m = m_prepend(m, sizeof(*ip))) != NULL);
	ip = mtod(m, struct ip *);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = 4;
	ip->ip_hl = 5;
	ip->ip_ttl = 64;
	ip->ip_p = 253;
	ip->ip_dst.s_addr = htonl(LO2);
	CHECK_EQ(ip_output(ns, m, 0), 0);
	n = nout;
	CHECK_EQ(n, 3);
	for (int i = 0; i < n; i++) {
		const struct ip *f = (const struct ip *)outq[i];

		CHECK(out_ipok(i));
		CHECK(outlen[i] <= 1500);
		CHECK_EQ(f->ip_src.s_addr, htonl(LO1));
		CHECK_EQ(ntohs(f->ip_off) & IP_OFFMASK, i * 185);
		CHECK_EQ(!!(ntohs(f->ip_off) & IP_MF), i < n - 1);
	}
	/* fed back (reversed), they make the datagram again */
	for (int i = n - 1; i >= 0; i--)
		feed(outq[i], outlen[i]);
	CHECK_EQ(IS()->is_ipstat.reassembled, 1);
	CHECK_EQ(IS()->is_ipstat.noproto, 1);
	CHECK_EQ(nout, n + 1);		/* protocol unreachable */

	/* must not fragment: EMSGSIZE */
	m = m_gethdr(k, MAX_HDR, 3000);
	m->m_len = m->m_pkthdr.len = 3000;
	memset(m->m_data, 0, 3000);
	ip = mtod(m, struct ip *);
	ip->ip_v = 4;
	ip->ip_hl = 5;
	ip->ip_ttl = 64;
	ip->ip_p = 253;
	ip->ip_dst.s_addr = htonl(LO2);
	CHECK_EQ(ip_output(ns, m, IP_DONTFRAG), EMSGSIZE);
	CHECK_EQ(IS()->is_ipstat.cantfrag, 1);
	CHECK_EQ(teardown(), 0);
}

/* Seeded random damage to valid datagrams and fragments: nothing breaks. */
static void
t_mutations(void)
{
	static uint8_t frags[512 * 1600], whole[65536];
	static size_t flen[512];
	uint8_t b[1600];
	uint32_t seed = 12345;
	const int rounds = 20000;

	REQUIRE(setup());
	for (int r = 0; r < rounds; r++) {
		int n = mkfrags(frags, flen, whole, 100 + r % 3000, 8 *
		    (1 + r % 190), (uint16_t)r);
		int pick = r % n;
		size_t len = flen[pick];

		memcpy(b, frags + pick * 1600, len);
		for (int j = 0; j < 1 + r % 4; j++) {
			seed = seed * 1103515245 + 12345;
			b[(seed >> 8) % len] ^= (uint8_t)(seed >> 20);
		}
		seed = seed * 1103515245 + 12345;
		if (seed & 0x100) {	/* keep the header checksum valid */
			((struct ip *)b)->ip_sum = 0;
			((struct ip *)b)->ip_sum = htons(nu_cksum(b, 20, 0));
		}
		feed(b, (seed >> 12) % 3 == 0 ? (seed >> 16) % (len + 1) : len);
		if (nout > 200)
			out_clear();
	}
	CHECK_EQ(IS()->is_ipstat.total, rounds);
	CHECK_EQ(teardown(), 0);
}

TESTS(T(t_bad_headers), T(t_padding_and_proto_unreach),
    T(t_udp_port_unreach), T(t_echo), T(t_reassembly),
    T(t_reassembly_limits), T(t_output_fragments), T(t_mutations))

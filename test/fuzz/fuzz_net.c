/*
 * A packet-input fuzzer: each input is a sequence of Ethernet frames fed to
 * a fresh kernel through a callback interface (cbif0, 10.0.0.1/24), with a
 * TCP listener, a connecting TCP client, UDP, raw and ping sockets open.
 * Whatever the frames, the kernel must not crash, hang or leak (its halt
 * checks that all kernel memory came back).
 *
 * Input: records of [flags:1][length:2, little-endian][frame].  Flags ask
 * the harness to make a frame plausible, so that coverage goes past the
 * checks a random frame fails: bit 0 addresses it to the kernel's MAC, bit 1
 * fixes the IPv4 header's length and checksum, bit 2 the TCP, UDP or ICMP
 * checksum, bit 3 sets a TCP segment's acknowledgement to the last sequence
 * number the kernel sent plus one (and its own sequence to what the kernel
 * acknowledged), bit 4 makes the harness accept and read/write on the
 * kernel's sockets after the frame.
 *
 * Built with clang -fsanitize=fuzzer it is a libFuzzer target (npm run
 * fuzz:net); built without, main() replays the kept inputs and mutations of
 * the seeds (captures of real exchanges) as a test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rump/rump.h>
#include <rump/rump_net.h>
#include <rump/rump_syscalls.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXFRAMES	64
#define ETHER_HDR	14

static const uint8_t kmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t pmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* What the kernel last sent on TCP: for bit 3's fix-up. */
static struct {
	uint32_t seq, ack;
	int valid;
} ksent;

static void
kernel_output(void *arg, const void *frame, size_t flen)
{
	/* the headers, copied where struct ip and tcphdr are aligned */
	static union {
		uint8_t b[2 + ETHER_HDR + 60 + 60];
		uint32_t align;
	} hb;
	const uint8_t *f = hb.b + 2;
	size_t len = flen < sizeof(hb.b) - 2 ? flen : sizeof(hb.b) - 2;
	const struct ip *ip;
	const struct tcphdr *th;
	size_t hl, plen;

	(void)arg;
	memcpy(hb.b + 2, frame, len);
	if (len < ETHER_HDR + sizeof(*ip) || f[12] != 0x08 || f[13] != 0x00)
		return;
	ip = (const void *)(f + ETHER_HDR);
	hl = (size_t)ip->ip_hl * 4;
	if (ip->ip_p != IPPROTO_TCP || len < ETHER_HDR + hl + sizeof(*th))
		return;
	th = (const void *)(f + ETHER_HDR + hl);
	plen = ntohs(ip->ip_len) - hl - (size_t)th->th_off * 4;
	ksent.seq = ntohl(th->th_seq) + (uint32_t)plen +
	    ((th->th_flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	ksent.ack = ntohl(th->th_ack);
	ksent.valid = 1;
}

static uint16_t
cksum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Make frame f (len bytes, room for it) plausible as flags ask. */
static void
fixup(uint8_t *f, size_t len, unsigned flags)
{
	struct ip *ip;
	size_t hl, tot;
	uint8_t *l4;
	uint32_t ps;

	if (len < ETHER_HDR)
		return;
	if (flags & 1) {
		memcpy(f, kmac, 6);
		memcpy(f + 6, pmac, 6);
	}
	if (len < ETHER_HDR + sizeof(*ip) || f[12] != 0x08 || f[13] != 0x00)
		return;
	ip = (void *)(f + ETHER_HDR);
	hl = (size_t)ip->ip_hl * 4;
	if (hl < sizeof(*ip) || ETHER_HDR + hl > len)
		return;
	if (flags & 2) {
		ip->ip_v = 4;
		ip->ip_len = htons((uint16_t)(len - ETHER_HDR));
		ip->ip_sum = 0;
		ip->ip_sum = htons(cksum((uint8_t *)ip, hl, 0));
	}
	tot = len - ETHER_HDR;
	if (ntohs(ip->ip_len) < tot)
		tot = ntohs(ip->ip_len);
	if (tot < hl || (ntohs(ip->ip_off) & 0x3fff) != 0)
		return;			/* fragments keep their checksums */
	l4 = (uint8_t *)ip + hl;
	tot -= hl;
	if ((flags & 8) && ip->ip_p == IPPROTO_TCP && tot >= sizeof(struct tcphdr) &&
	    ksent.valid) {
		struct tcphdr *th = (void *)l4;

		th->th_ack = htonl(ksent.seq);
		if (!(th->th_flags & TH_SYN))
			th->th_seq = htonl(ksent.ack);
	}
	if (!(flags & 4))
		return;
	ps = (uint32_t)(ntohs((uint16_t)(ip->ip_src.s_addr & 0xffff)) +
	    ntohs((uint16_t)(ip->ip_src.s_addr >> 16)) +
	    ntohs((uint16_t)(ip->ip_dst.s_addr & 0xffff)) +
	    ntohs((uint16_t)(ip->ip_dst.s_addr >> 16)) + ip->ip_p + tot);
	if (ip->ip_p == IPPROTO_TCP && tot >= sizeof(struct tcphdr)) {
		struct tcphdr *th = (void *)l4;

		th->th_sum = 0;
		th->th_sum = htons(cksum(l4, tot, ps));
	} else if (ip->ip_p == IPPROTO_UDP && tot >= sizeof(struct udphdr)) {
		struct udphdr *uh = (void *)l4;

		uh->uh_ulen = htons((uint16_t)tot);
		uh->uh_sum = 0;
		uh->uh_sum = htons(cksum(l4, tot, ps));
		if (uh->uh_sum == 0)
			uh->uh_sum = 0xffff;
	} else if (ip->ip_p == IPPROTO_ICMP && tot >= 8) {
		l4[2] = l4[3] = 0;
		uint16_t c = htons(cksum(l4, tot, 0));

		memcpy(l4 + 2, &c, 2);
	}
}

struct socks {
	int listener, client, udp, raw, ping;
	int accepted[8];
	int naccepted;
};

static void
sockets_open(struct socks *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1;

	memset(s, -1, sizeof(*s));
	s->naccepted = 0;
	s->listener = rump_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	sin.sin_port = htons(80);
	rump_sys_setsockopt(s->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rump_sys_bind(s->listener, (struct sockaddr *)&sin, sizeof(sin));
	rump_sys_listen(s->listener, 4);
	s->udp = rump_sys_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sin.sin_port = htons(53);
	rump_sys_bind(s->udp, (struct sockaddr *)&sin, sizeof(sin));
	s->raw = rump_sys_socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);
	s->ping = rump_sys_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
	s->client = rump_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	sin.sin_port = htons(81);
	inet_pton(AF_INET, "10.0.0.2", &sin.sin_addr);
	rump_sys_connect(s->client, (struct sockaddr *)&sin, sizeof(sin));
}

/* Bit 4: what an application does between packets. */
static void
sockets_work(struct socks *s)
{
	static char buf[4096];
	int fd;

	while (s->naccepted < 8 &&
	    (fd = rump_sys_accept4(s->listener, NULL, NULL, SOCK_NONBLOCK)) >= 0)
		s->accepted[s->naccepted++] = fd;
	for (int i = 0; i < s->naccepted; i++) {
		while (rump_sys_read(s->accepted[i], buf, sizeof(buf)) > 0)
			;
		rump_sys_write(s->accepted[i], buf, 3000);
	}
	while (rump_sys_read(s->client, buf, sizeof(buf)) > 0)
		;
	rump_sys_write(s->client, buf, 1000);
	while (rump_sys_recvfrom(s->udp, buf, sizeof(buf), 0, NULL, NULL) >= 0)
		;
	while (rump_sys_recvfrom(s->raw, buf, sizeof(buf), 0, NULL, NULL) >= 0)
		;
	while (rump_sys_recvfrom(s->ping, buf, sizeof(buf), 0, NULL, NULL) >= 0)
		;
}

static void
sockets_close(struct socks *s)
{
	int *all[] = { &s->listener, &s->client, &s->udp, &s->raw, &s->ping };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] >= 0)
			rump_sys_close(*all[i]);
	for (int i = 0; i < s->naccepted; i++)
		rump_sys_close(s->accepted[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* frame + 2: the IP header 4-aligned, as drivers give it */
	static union {
		uint8_t b[2 + 65536 + ETHER_HDR];
		uint32_t align;
	} fb;
	uint8_t *frame = fb.b + 2;
	struct rump_config cfg = { .memlimit = 64u << 20 };
	struct rump_ifcfg ic = { .kind = RUMP_IF_CALLBACK, .address = "10.0.0.1/24",
	    .mac = kmac, .output = kernel_output };
	struct rump_kernel *k;
	struct socks s;
	int nframes = 0;

	if ((k = rump_kernel_boot(&cfg)) == NULL || rump_kernel_enter(k) != 0)
		abort();
	if (rump_net_attach(k, &ic, NULL, 0) != 0)
		abort();
	memset(&ksent, 0, sizeof(ksent));
	sockets_open(&s);
	while (size >= 3 && nframes++ < MAXFRAMES) {
		unsigned flags = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		/* the u16 length is at most 65535: it always fits */

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		memcpy(frame, data, len);
		data += len;
		size -= len;
		fixup(frame, len, flags);
		rump_net_input_frame(k, "cbif0", frame, len);
		if (flags & 16)
			sockets_work(&s);
	}
	sockets_close(&s);
	rump_kernel_leave();
	if (rump_kernel_halt(k) != 0) {
		fprintf(stderr, "fuzz_net: the kernel leaked memory\n");
		abort();
	}
	return 0;
}

#ifndef RUMPKIT_LIBFUZZER
#include "replay.h"

#define MUTANTS_PER_SEED	200

size_t
fuzz_generate(unsigned i, uint8_t *buf, size_t cap)
{
	return replay_mutant(FUZZ_CORPUS_DIR, i, MUTANTS_PER_SEED, 2048, buf, cap);
}

int
main(int argc, char **argv)
{
	return fuzz_replay_main(argc, argv, FUZZ_REGRESS_DIR,
	    replay_count_seeds(FUZZ_CORPUS_DIR) * MUTANTS_PER_SEED);
}
#endif

/*
 * TCP's pure parts, white-box: sequence arithmetic, the option parser (with
 * malformed and random input: under ASan an overread is a failure) and
 * writer, the sender's SACK scoreboard (holes, IsLost, pipe, NextSeg as
 * RFC 6675 defines them), the receiver's SACK blocks (RFC 2018 order),
 * and out-of-order reassembly with its memory bound.  A booted kernel
 * supplies the allocator; halting it checks that nothing leaked.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rump/rump.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_var.h"

#include "harness.h"

struct fixture {
	struct rump_kernel *k;
	struct netstate ns;
	struct inet_state is;
	struct socket so;
	struct inpcb inp;
	struct tcpcb tp;
};

static struct fixture *
fixture(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->k = rump_kernel_boot(NULL)) == NULL) {
		free(f);
		return NULL;
	}
	f->ns.ns_kernel = f->k;
	f->ns.ns_inet = &f->is;
	f->so.so_rcv.sb_hiwat = 64 * 1024;
	f->inp.inp_socket = &f->so;
	f->tp.t_ns = &f->ns;
	f->tp.t_inpcb = &f->inp;
	f->tp.t_maxseg = 1000;
	TAILQ_INIT(&f->tp.t_segq);
	tcp_sack_init(&f->tp);
	return f;
}

static void
fixture_done(struct fixture *f)
{
	tcp_reass_flush(&f->tp);
	tcp_sack_clear(&f->tp);
	CHECK_EQ(rump_kernel_halt(f->k), 0);
	free(f);
}

/* ------------------------------------------------------------ seq */

static void
t_seq(void)
{
	CHECK(SEQ_LT(0xfffffff0u, 0x10u));	/* across the wrap */
	CHECK(SEQ_GT(0x10u, 0xfffffff0u));
	CHECK(SEQ_LEQ(5u, 5u) && SEQ_GEQ(5u, 5u));
	CHECK(!SEQ_LT(5u, 5u));
	CHECK_EQ(SEQ_DIFF(3u, 0xfffffffeu), 5);
	CHECK(SEQ_INRANGE(0u, 0xffffff00u, 0x100u));
	CHECK(!SEQ_INRANGE(0x100u, 0xffffff00u, 0x100u));
	CHECK_EQ(SEQ_MAX(0xfffffff0u, 0x10u), 0x10u);
	CHECK_EQ(SEQ_MIN(0xfffffff0u, 0x10u), 0xfffffff0u);
}

/* ------------------------------------------------------------ options */

static void
t_options_syn(void)
{
	struct tcpopt to = { 0 }, back;
	uint8_t buf[TCP_MAXOLEN];
	size_t n;

	to.to_flags = TOF_MSS | TOF_SCALE | TOF_SACKPERM | TOF_TS;
	to.to_mss = 1460;
	to.to_wscale = 7;
	to.to_tsval = 0x01020304;
	to.to_tsecr = 0;
	n = tcp_addoptions(&to, buf);
	CHECK_EQ(n, tcp_optlen(&to));
	CHECK_EQ(n, 20);			/* as Linux's SYN */
	/* Linux's order: MSS, SACK-permitted, timestamps, NOP, window scale */
	CHECK(buf[0] == TCPOPT_MAXSEG && buf[4] == TCPOPT_SACK_PERMITTED &&
	    buf[6] == TCPOPT_TIMESTAMP && buf[16] == TCPOPT_NOP &&
	    buf[17] == TCPOPT_WINDOW);
	tcp_dooptions(&back, buf, n, true);
	CHECK_EQ(back.to_flags, to.to_flags);
	CHECK_EQ(back.to_mss, 1460);
	CHECK_EQ(back.to_wscale, 7);
	CHECK_EQ(back.to_tsval, 0x01020304);
	/* the same bytes on a segment without SYN: only the timestamps */
	tcp_dooptions(&back, buf, n, false);
	CHECK_EQ(back.to_flags, TOF_TS);

	/* without timestamps the padding changes, the meaning does not */
	to.to_flags = TOF_MSS | TOF_SACKPERM | TOF_SCALE;
	n = tcp_addoptions(&to, buf);
	CHECK_EQ(n % 4, 0);
	tcp_dooptions(&back, buf, n, true);
	CHECK_EQ(back.to_flags, to.to_flags);
	to.to_flags = TOF_MSS;
	CHECK_EQ(tcp_addoptions(&to, buf), 4);
}

static void
t_options_sack(void)
{
	struct tcpopt to = { 0 }, back;
	uint8_t buf[TCP_MAXOLEN];
	size_t n;

	to.to_flags = TOF_TS | TOF_SACK;
	to.to_tsval = 7;
	to.to_tsecr = 9;
	to.to_nsacks = 4;
	for (int i = 0; i < 4; i++) {
		to.to_sacks[i].start = 1000u * (uint32_t)i + 0xfffff000u;
		to.to_sacks[i].end = to.to_sacks[i].start + 500;
	}
	n = tcp_addoptions(&to, buf);
	/* 12 for timestamps leaves room for three blocks */
	CHECK_EQ(n, 12 + 4 + 3 * 8);
	CHECK(n <= TCP_MAXOLEN);
	tcp_dooptions(&back, buf, n, false);
	CHECK_EQ(back.to_flags, TOF_TS | TOF_SACK);
	CHECK_EQ(back.to_nsacks, 3);
	CHECK_EQ(back.to_sacks[2].start, to.to_sacks[2].start);
	CHECK_EQ(back.to_tsecr, 9);
	/* without timestamps, four fit */
	to.to_flags = TOF_SACK;
	n = tcp_addoptions(&to, buf);
	CHECK_EQ(n, 4 + 4 * 8);
	tcp_dooptions(&back, buf, n, false);
	CHECK_EQ(back.to_nsacks, 4);
	/* SACK blocks mean nothing on a SYN */
	tcp_dooptions(&back, buf, n, true);
	CHECK_EQ(back.to_flags, 0);
}

static void
t_options_malformed(void)
{
	struct tcpopt to;
	/* an MSS, then an option whose length runs past the end */
	static const uint8_t past[] = { 2, 4, 0x05, 0xb4, 8, 10, 1, 2, 3 };
	/* length 0 and 1 would loop forever or underflow */
	static const uint8_t zero[] = { 3, 0, 7, 1, 1, 1, 1, 1 };
	static const uint8_t one[] = { 3, 1, 7, 2, 4, 5, 0xb4, 0 };
	/* wrong lengths for known kinds: skipped, parsing goes on */
	static const uint8_t wrong[] = { 2, 5, 0, 0, 0, 3, 3, 20, 1, 1, 1, 1 };
	/* a lone kind byte at the end */
	static const uint8_t lone[] = { 1, 1, 1, 2 };
	/* SACK with a length that is not 2 + 8n */
	static const uint8_t badsack[] = { 5, 7, 0, 0, 0, 1, 2, 1 };
	/* EOL ends the list even when more follows */
	static const uint8_t eol[] = { 0, 2, 4, 5, 0xb4 };

	tcp_dooptions(&to, past, sizeof(past), true);
	CHECK_EQ(to.to_flags, TOF_MSS);
	CHECK_EQ(to.to_mss, 1460);
	tcp_dooptions(&to, zero, sizeof(zero), true);
	CHECK_EQ(to.to_flags, 0);
	tcp_dooptions(&to, one, sizeof(one), true);
	CHECK_EQ(to.to_flags, 0);
	tcp_dooptions(&to, wrong, sizeof(wrong), true);
	/* MSS with length 5 is skipped; window scale 20 is taken as 14 */
	CHECK_EQ(to.to_flags, TOF_SCALE);
	CHECK_EQ(to.to_wscale, 14);
	tcp_dooptions(&to, lone, sizeof(lone), true);
	CHECK_EQ(to.to_flags, 0);
	tcp_dooptions(&to, badsack, sizeof(badsack), false);
	CHECK_EQ(to.to_flags, 0);
	tcp_dooptions(&to, eol, sizeof(eol), true);
	CHECK_EQ(to.to_flags, 0);
	tcp_dooptions(&to, eol, 0, true);
	CHECK_EQ(to.to_flags, 0);
}

/* Random option areas, each in a heap buffer of exactly its size. */
static void
t_options_random(void)
{
	uint32_t x = 12345;

	for (int i = 0; i < 200000; i++) {
		size_t len = i % (TCP_MAXOLEN + 1);
		uint8_t *buf = malloc(len ? len : 1);
		struct tcpopt to;

		REQUIRE(buf != NULL);
		for (size_t j = 0; j < len; j++) {
			x = x * 1103515245u + 12345u;
			/* mostly known kinds and small lengths */
			buf[j] = (x >> 16) % 4 == 0 ? (uint8_t)(x >> 8) :
			    (uint8_t)((x >> 20) % 12);
		}
		tcp_dooptions(&to, buf, len, (i & 1) != 0);
		CHECK(to.to_nsacks <= TCP_MAXSACK);
		CHECK(!(to.to_flags & TOF_SCALE) || to.to_wscale <= 14);
		free(buf);
		if (t_failed)
			return;
	}
}

/* ------------------------------------------------------------ SACK */

static void
sack(struct tcpcb *tp, int n, const uint32_t *b)
{
	struct tcpopt to = { .to_flags = TOF_SACK, .to_nsacks = (uint8_t)n };

	for (int i = 0; i < n; i++) {
		to.to_sacks[i].start = b[2 * i];
		to.to_sacks[i].end = b[2 * i + 1];
	}
	tcp_sack_update(tp, &to, tp->snd_una);
}

static int
holes(struct tcpcb *tp, uint32_t *out, int max)
{
	struct sackhole *h;
	int n = 0;

	TAILQ_FOREACH(h, &tp->snd_holes, sh_link) {
		if (n < max) {
			out[2 * n] = h->sh_start;
			out[2 * n + 1] = h->sh_end;
		}
		n++;
	}
	return n;
}

static void
t_sack_scoreboard(void)
{
	struct fixture *f = fixture();
	struct tcpcb *tp;
	uint32_t h[16], seq, len;

	REQUIRE(f != NULL);
	tp = &f->tp;
	/* ten segments of 1000 bytes in flight, from 1000 */
	tp->snd_una = tp->snd_fack = 1000;
	tp->snd_nxt = tp->snd_max = 11000;
	CHECK_EQ(tcp_sack_pipe(tp), 10000);

	sack(tp, 1, (uint32_t[]){ 2000, 3000 });
	CHECK_EQ(holes(tp, h, 8), 1);
	CHECK(h[0] == 1000 && h[1] == 2000);
	CHECK_EQ(tp->snd_fack, 3000);
	CHECK_EQ(tcp_sack_sacked_bytes(tp), 1000);
	CHECK(!tcp_sack_islost_una(tp));	/* one block, 1000 bytes */
	CHECK_EQ(tcp_sack_pipe(tp), 9000);

	/* three blocks above the first hole: it is lost (RFC 6675 IsLost) */
	sack(tp, 2, (uint32_t[]){ 6000, 7000, 4000, 5000 });
	CHECK_EQ(holes(tp, h, 8), 3);
	CHECK(h[2] == 3000 && h[3] == 4000 && h[4] == 5000 && h[5] == 6000);
	CHECK(tcp_sack_islost_una(tp));
	/* 4000 above fack; lost hole 0; the other holes 1000 each */
	CHECK_EQ(tcp_sack_pipe(tp), 6000);
	CHECK(tcp_sack_nextseg(tp, &seq, &len, false));
	CHECK(seq == 1000 && len == 1000);
	tcp_sack_mark_rexmit(tp, seq, len);
	CHECK_EQ(tcp_sack_pipe(tp), 7000);	/* the retransmission counts */
	/* rule 1 is exhausted (the other holes are not lost); rule 3 */
	CHECK(!tcp_sack_nextseg(tp, &seq, &len, false));
	CHECK(tcp_sack_nextseg(tp, &seq, &len, true));
	CHECK(seq == 3000 && len == 1000);

	/* a SACK in the middle of a hole splits it */
	tp->t_maxseg = 100;
	sack(tp, 1, (uint32_t[]){ 3400, 3600 });
	CHECK_EQ(holes(tp, h, 8), 4);
	CHECK(h[2] == 3000 && h[3] == 3400 && h[4] == 3600 && h[5] == 4000);
	tp->t_maxseg = 1000;

	/* cumulative ACK to 3500: holes below go, the split one shrinks */
	tp->snd_una = 3500;
	sack(tp, 0, NULL);
	CHECK_EQ(holes(tp, h, 8), 2);
	CHECK(h[0] == 3600 && h[1] == 4000 && h[2] == 5000 && h[3] == 6000);

	/* blocks that make no sense change nothing */
	sack(tp, 4, (uint32_t[]){ 100, 200, 9000, 8000, 10000, 12000,
	    3000, 3400 });
	CHECK_EQ(holes(tp, h, 8), 2);
	CHECK_EQ(tp->snd_fack, 7000);

	/* everything SACKed and then acknowledged: no holes */
	sack(tp, 2, (uint32_t[]){ 3600, 4000, 5000, 11000 });
	CHECK_EQ(holes(tp, h, 8), 0);
	CHECK_EQ(tp->snd_fack, 11000);
	CHECK_EQ(tcp_sack_pipe(tp), 0);
	tp->snd_una = 11000;
	sack(tp, 0, NULL);
	CHECK_EQ(tp->snd_fack, 11000);
	fixture_done(f);
}

static void
t_sack_bounded(void)
{
	struct fixture *f = fixture();
	struct tcpcb *tp;
	uint32_t h[2];

	REQUIRE(f != NULL);
	tp = &f->tp;
	tp->snd_una = tp->snd_fack = 0;
	tp->snd_nxt = tp->snd_max = 10 * 1000 * 1000;
	/* every other 100 bytes SACKed: more holes than the limit */
	for (uint32_t s = 100; s < 200000; s += 200)
		sack(tp, 1, (uint32_t[]){ s, s + 100 });
	CHECK_EQ(holes(tp, h, 1), TCP_MAXHOLES);
	CHECK_EQ(tp->snd_nholes, TCP_MAXHOLES);
	/* and the rest still works: an ACK clears them */
	tp->snd_una = tp->snd_max;
	sack(tp, 0, NULL);
	CHECK_EQ(holes(tp, h, 1), 0);
	fixture_done(f);
}

static void
t_sack_receiver(void)
{
	struct fixture *f = fixture();
	struct tcpcb *tp;

	REQUIRE(f != NULL);
	tp = &f->tp;
	tp->rcv_nxt = 100;
	tcp_sack_rcv_add(tp, 200, 300);
	tcp_sack_rcv_add(tp, 400, 500);
	tcp_sack_rcv_add(tp, 600, 700);
	CHECK_EQ(tp->rcv_nsacks, 3);
	/* most recent first */
	CHECK(tp->rcv_sacks[0].start == 600 && tp->rcv_sacks[2].start == 200);
	/* a block that joins two older ones replaces them */
	tcp_sack_rcv_add(tp, 200, 500);
	CHECK_EQ(tp->rcv_nsacks, 2);
	CHECK(tp->rcv_sacks[0].start == 200 && tp->rcv_sacks[0].end == 500);
	CHECK(tp->rcv_sacks[1].start == 600);
	/* at most four are kept, the oldest goes */
	tcp_sack_rcv_add(tp, 800, 900);
	tcp_sack_rcv_add(tp, 1000, 1100);
	tcp_sack_rcv_add(tp, 1200, 1300);
	CHECK_EQ(tp->rcv_nsacks, 4);
	CHECK(tp->rcv_sacks[3].start == 200);	/* 600 was older */
	/* rcv_nxt moves past some */
	tp->rcv_nxt = 850;
	tcp_sack_rcv_trim(tp);
	CHECK_EQ(tp->rcv_nsacks, 3);
	for (int i = 0; i < tp->rcv_nsacks; i++)
		CHECK(SEQ_GEQ(tp->rcv_sacks[i].start, 850));
	fixture_done(f);
}

/* ------------------------------------------------------------ reassembly */

static struct mbuf *
data(struct rump_kernel *k, uint32_t seq, uint32_t len)
{
	struct mbuf *m = m_get(k, 0, len);

	if (m == NULL)
		return NULL;
	for (uint32_t i = 0; i < len; i++)
		m->m_data[i] = (uint8_t)(seq + i);
	m->m_len = len;
	return m;
}

/* The queue holds exactly the bytes of their sequence numbers, in order. */
static bool
queue_ok(struct tcpcb *tp)
{
	struct tseg *q;
	tcp_seq last = tp->rcv_nxt;

	TAILQ_FOREACH(q, &tp->t_segq, ts_link) {
		uint8_t b[2048];

		if (SEQ_LT(q->ts_seq, last) || q->ts_len > sizeof(b) ||
		    m_length(q->ts_m) != q->ts_len)
			return false;
		m_copydata(q->ts_m, 0, q->ts_len, b);
		for (uint32_t i = 0; i < q->ts_len; i++)
			if (b[i] != (uint8_t)(q->ts_seq + i))
				return false;
		last = q->ts_seq + q->ts_len;
	}
	return true;
}

static void
t_reass(void)
{
	struct fixture *f = fixture();
	struct tcpcb *tp;
	struct sockbuf sb = { 0 };
	struct rump_kernel *k;

	REQUIRE(f != NULL);
	tp = &f->tp;
	k = f->k;
	tp->rcv_nxt = 1000;
	CHECK(tcp_reass_insert(tp, 1200, 100, false, data(k, 1200, 100)));
	CHECK(tcp_reass_insert(tp, 1500, 100, false, data(k, 1500, 100)));
	CHECK_EQ(tp->t_segqlen, 2);
	CHECK(tp->rcv_sacks[0].start == 1500 && tp->rcv_nsacks == 2);
	/* overlapping both ends, and the middle: trimmed, not duplicated */
	CHECK(tcp_reass_insert(tp, 1250, 300, false, data(k, 1250, 300)));
	CHECK(queue_ok(tp));
	CHECK_EQ(tp->rcv_nsacks, 1);
	CHECK(tp->rcv_sacks[0].start == 1200 && tp->rcv_sacks[0].end == 1600);
	/* entirely inside what is queued */
	CHECK(tcp_reass_insert(tp, 1300, 50, false, data(k, 1300, 50)));
	/* covering several queued ones whole, FIN at its end */
	CHECK(tcp_reass_insert(tp, 1100, 600, true, data(k, 1100, 600)));
	CHECK(queue_ok(tp));
	/* nothing in order yet */
	CHECK(!tcp_reass_deliver(tp, &sb));
	CHECK_EQ(tp->rcv_nxt, 1000);
	/* the hole fills (the caller appends the in-order part itself) */
	tp->rcv_nxt = 1100;
	CHECK(tcp_reass_deliver(tp, &sb));	/* the FIN is reached */
	CHECK_EQ(tp->rcv_nxt, 1700);
	CHECK_EQ(tp->t_segqlen, 0);
	CHECK_EQ(tp->t_segqcharge, 0);
	CHECK_EQ(tp->rcv_nsacks, 0);
	sbflush(&sb);
	fixture_done(f);
}

static void
t_reass_bounded(void)
{
	struct fixture *f = fixture();
	struct tcpcb *tp;
	unsigned taken = 0;

	REQUIRE(f != NULL);
	tp = &f->tp;
	tp->rcv_nxt = 0;
	f->so.so_rcv.sb_hiwat = 16 * 1024;
	/* one-byte segments with holes between: the charge stops them */
	for (uint32_t s = 2; s < 100000; s += 2)
		taken += tcp_reass_insert(tp, s, 1, false, data(f->k, s, 1));
	CHECK(taken > 10);
	CHECK(tp->t_segqcharge <= f->so.so_rcv.sb_hiwat);
	CHECK(taken < 16 * 1024 / 2);
	CHECK(queue_ok(tp));
	fixture_done(f);
}

TESTS(T(t_seq), T(t_options_syn), T(t_options_sack), T(t_options_malformed),
    T(t_options_random), T(t_sack_scoreboard), T(t_sack_bounded),
    T(t_sack_receiver), T(t_reass), T(t_reass_bounded))

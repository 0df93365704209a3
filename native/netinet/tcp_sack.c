/*
 * Selective acknowledgments.
 *
 * Sender (RFC 2018, RFC 6675): the scoreboard is the list of holes, the
 * unSACKed ranges between snd_una and snd_fack (one past the highest byte
 * SACKed), in order.  Each hole remembers how much of it was retransmitted
 * in this recovery (sh_rxmit).  From the holes follow IsLost (a hole with
 * three SACKed blocks or more than 2 * SMSS SACKed bytes above it), pipe
 * and NextSeg.
 *
 * Receiver (RFC 2018 section 4): the blocks we report, the one holding the
 * latest out-of-order segment first, then the others most recent first.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "netinet/tcp_var.h"

#define DUPTHRESH	3

void
tcp_sack_init(struct tcpcb *tp)
{
	TAILQ_INIT(&tp->snd_holes);
	tp->snd_nholes = 0;
	tp->snd_fack = tp->snd_una;
	tp->rcv_nsacks = 0;
}

static void
hole_free(struct tcpcb *tp, struct sackhole *h)
{
	TAILQ_REMOVE(&tp->snd_holes, h, sh_link);
	tp->snd_nholes--;
	kmem_free(tp->t_ns->ns_kernel, h, sizeof(*h));
}

/* A new hole [start, end) after `after` (NULL: at the head). */
static struct sackhole *
hole_insert(struct tcpcb *tp, struct sackhole *after, tcp_seq start,
    tcp_seq end, tcp_seq rxmit)
{
	struct sackhole *h;

	if (tp->snd_nholes >= TCP_MAXHOLES)
		return NULL;
	if ((h = kmem_alloc(tp->t_ns->ns_kernel, sizeof(*h))) == NULL)
		return NULL;
	h->sh_start = start;
	h->sh_end = end;
	h->sh_rxmit = rxmit;
	if (after == NULL)
		TAILQ_INSERT_HEAD(&tp->snd_holes, h, sh_link);
	else
		TAILQ_INSERT_AFTER(&tp->snd_holes, after, h, sh_link);
	tp->snd_nholes++;
	return h;
}

void
tcp_sack_clear(struct tcpcb *tp)
{
	struct sackhole *h;

	while ((h = TAILQ_FIRST(&tp->snd_holes)) != NULL)
		hole_free(tp, h);
	tp->snd_fack = tp->snd_una;
	tp->sack_bytes_rexmit = 0;
}

/* Holes entirely acknowledged go; the first one starts at snd_una. */
static void
sack_trim_una(struct tcpcb *tp)
{
	struct sackhole *h;

	while ((h = TAILQ_FIRST(&tp->snd_holes)) != NULL) {
		if (SEQ_LEQ(h->sh_end, tp->snd_una)) {
			hole_free(tp, h);
			continue;
		}
		if (SEQ_LT(h->sh_start, tp->snd_una))
			h->sh_start = tp->snd_una;
		if (SEQ_LT(h->sh_rxmit, h->sh_start))
			h->sh_rxmit = h->sh_start;
		break;
	}
	if (SEQ_LT(tp->snd_fack, tp->snd_una))
		tp->snd_fack = tp->snd_una;
}

/* The SACKed range [s, e) (below snd_fack) shrinks or splits holes. */
static void
sack_fill(struct tcpcb *tp, tcp_seq s, tcp_seq e)
{
	struct sackhole *h, *next;

	for (h = TAILQ_FIRST(&tp->snd_holes); h != NULL; h = next) {
		next = TAILQ_NEXT(h, sh_link);
		if (SEQ_LEQ(h->sh_end, s))
			continue;
		if (SEQ_GEQ(h->sh_start, e))
			break;
		if (SEQ_LEQ(s, h->sh_start) && SEQ_GEQ(e, h->sh_end)) {
			hole_free(tp, h);
		} else if (SEQ_LEQ(s, h->sh_start)) {
			h->sh_start = e;	/* the head was SACKed */
			h->sh_rxmit = SEQ_MAX(h->sh_rxmit, e);
		} else if (SEQ_GEQ(e, h->sh_end)) {
			h->sh_end = s;		/* the tail was SACKed */
			h->sh_rxmit = SEQ_MIN(h->sh_rxmit, s);
		} else {
			/* the middle: [start, s) and [e, end) remain */
			tcp_seq end = h->sh_end;
			tcp_seq rx = SEQ_MAX(h->sh_rxmit, e);

			if (hole_insert(tp, h, e, end, SEQ_MIN(rx, end)) == NULL)
				continue;	/* out of room: keep it whole */
			h->sh_end = s;
			h->sh_rxmit = SEQ_MIN(h->sh_rxmit, s);
		}
	}
}

void
tcp_sack_update(struct tcpcb *tp, const struct tcpopt *to, tcp_seq ack)
{
	struct sackblk b[TCP_MAXSACK];
	int n = 0;

	(void)ack;
	sack_trim_una(tp);
	if (!(to->to_flags & TOF_SACK))
		return;
	for (int i = 0; i < to->to_nsacks; i++) {
		struct sackblk s = to->to_sacks[i];

		/* D-SACKs (below snd_una) and nonsense are ignored */
		if (!SEQ_LT(s.start, s.end) || SEQ_LEQ(s.end, tp->snd_una) ||
		    SEQ_GT(s.end, tp->snd_max) || SEQ_LT(s.start, tp->snd_una))
			continue;
		/* insertion sort by start */
		int j = n++;
		while (j > 0 && SEQ_GT(b[j - 1].start, s.start)) {
			b[j] = b[j - 1];
			j--;
		}
		b[j] = s;
	}
	for (int i = 0; i < n; i++) {
		tcp_seq s = b[i].start, e = b[i].end;

		if (SEQ_LT(s, tp->snd_fack))
			sack_fill(tp, s, SEQ_MIN(e, tp->snd_fack));
		if (SEQ_GT(e, tp->snd_fack)) {
			if (SEQ_GT(s, tp->snd_fack)) {
				struct sackhole *last;

				last = TAILQ_LAST(&tp->snd_holes, sackholes);
				if (hole_insert(tp, last, tp->snd_fack, s,
				    tp->snd_fack) == NULL)
					continue;	/* no room: ignore it */
			}
			tp->snd_fack = e;
		}
	}
}

uint32_t
tcp_sack_sacked_bytes(const struct tcpcb *tp)
{
	uint32_t holes = 0;
	const struct sackhole *h;

	TAILQ_FOREACH(h, &tp->snd_holes, sh_link)
		holes += (uint32_t)(h->sh_end - h->sh_start);
	return (uint32_t)(tp->snd_fack - tp->snd_una) - holes;
}

/*
 * The lowest hole that is not lost: holes before it are (the lower a hole,
 * the more is SACKed above it).  NULL when every hole is lost.
 */
static const struct sackhole *
first_unlost(const struct tcpcb *tp)
{
	const struct sackhole *h, *unlost = NULL;
	uint32_t above = 0, blocks = 0;
	tcp_seq top = tp->snd_fack;

	TAILQ_FOREACH_REVERSE(h, &tp->snd_holes, sackholes, sh_link) {
		above += (uint32_t)(top - h->sh_end);
		blocks++;
		if (blocks >= DUPTHRESH ||
		    above > (DUPTHRESH - 1) * tp->t_maxseg)
			return unlost;
		unlost = h;
		top = h->sh_start;
	}
	return unlost;
}

bool
tcp_sack_islost_una(const struct tcpcb *tp)
{
	const struct sackhole *h = TAILQ_FIRST(&tp->snd_holes);

	return h != NULL && h != first_unlost(tp) &&
	    h->sh_start == tp->snd_una;
}

uint32_t
tcp_sack_pipe(const struct tcpcb *tp)
{
	const struct sackhole *h, *unlost = first_unlost(tp);
	bool lost = true;
	uint32_t pipe = (uint32_t)(tp->snd_max - tp->snd_fack);

	TAILQ_FOREACH(h, &tp->snd_holes, sh_link) {
		if (h == unlost)
			lost = false;
		pipe += (uint32_t)(h->sh_rxmit - h->sh_start);
		if (!lost)
			pipe += (uint32_t)(h->sh_end - h->sh_start);
	}
	return pipe;
}

bool
tcp_sack_nextseg(struct tcpcb *tp, tcp_seq *seqp, uint32_t *lenp, bool rule3)
{
	const struct sackhole *h, *unlost = first_unlost(tp);
	bool lost = true;

	TAILQ_FOREACH(h, &tp->snd_holes, sh_link) {
		if (h == unlost) {
			lost = false;
			if (!rule3)
				break;
		}
		if (SEQ_LT(h->sh_rxmit, h->sh_end)) {
			*seqp = h->sh_rxmit;
			*lenp = MIN((uint32_t)(h->sh_end - h->sh_rxmit),
			    tp->t_maxseg);
			return true;
		}
	}
	(void)lost;
	return false;
}

void
tcp_sack_mark_rexmit(struct tcpcb *tp, tcp_seq seq, uint32_t len)
{
	struct sackhole *h;

	TAILQ_FOREACH(h, &tp->snd_holes, sh_link) {
		if (SEQ_INRANGE(seq, h->sh_start, h->sh_end)) {
			tcp_seq e = SEQ_MIN(seq + len, h->sh_end);

			if (SEQ_GT(e, h->sh_rxmit)) {
				tp->sack_bytes_rexmit +=
				    (uint32_t)(e - SEQ_MAX(seq, h->sh_rxmit));
				h->sh_rxmit = e;
			}
			return;
		}
	}
}

/* ------------------------------------------------------------ receiver */

void
tcp_sack_rcv_add(struct tcpcb *tp, tcp_seq start, tcp_seq end)
{
	struct sackblk keep[TCP_MAXSACK];
	int n = 0;

	keep[n++] = (struct sackblk){ start, end };
	for (int i = 0; i < tp->rcv_nsacks && n < TCP_MAXSACK; i++) {
		struct sackblk b = tp->rcv_sacks[i];

		/* blocks the new one covers or touches merged into it */
		if (SEQ_LEQ(b.start, end) && SEQ_GEQ(b.end, start))
			continue;
		keep[n++] = b;
	}
	memcpy(tp->rcv_sacks, keep, sizeof(keep[0]) * (size_t)n);
	tp->rcv_nsacks = n;
}

void
tcp_sack_rcv_trim(struct tcpcb *tp)
{
	int n = 0;

	for (int i = 0; i < tp->rcv_nsacks; i++) {
		struct sackblk b = tp->rcv_sacks[i];

		if (SEQ_LEQ(b.end, tp->rcv_nxt))
			continue;
		if (SEQ_LT(b.start, tp->rcv_nxt))
			b.start = tp->rcv_nxt;
		tp->rcv_sacks[n++] = b;
	}
	tp->rcv_nsacks = n;
}

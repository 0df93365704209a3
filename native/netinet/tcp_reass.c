/*
 * Out-of-order segments: kept in sequence order, overlaps trimmed, until
 * the hole before them fills.  Memory is bounded: every queued segment is
 * charged its data plus a fixed overhead against the receive buffer's size
 * (a peer sending many tiny segments runs out of charge long before the
 * kernel runs out of memory), and what does not fit is dropped (the peer
 * retransmits it).
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_var.h"

#define TSEG_OVERHEAD	(sizeof(struct tseg) + 2 * sizeof(struct mbuf) + 128)

static void
tseg_free(struct tcpcb *tp, struct tseg *q)
{
	TAILQ_REMOVE(&tp->t_segq, q, ts_link);
	tp->t_segqcharge -= q->ts_charge;
	tp->t_segqlen--;
	m_freem(q->ts_m);
	kmem_free(tp->t_ns->ns_kernel, q, sizeof(*q));
}

void
tcp_reass_flush(struct tcpcb *tp)
{
	struct tseg *q;

	while ((q = TAILQ_FIRST(&tp->t_segq)) != NULL)
		tseg_free(tp, q);
	tp->rcv_nsacks = 0;
}

static size_t
reass_limit(struct tcpcb *tp)
{
	struct socket *so = tp_socket(tp);

	return so != NULL ? so->so_rcv.sb_hiwat : 0;
}

/* The run of contiguous queued data around q, for the SACK report. */
static void
report_block(struct tcpcb *tp, struct tseg *q)
{
	struct tseg *p;
	tcp_seq start = q->ts_seq, end = q->ts_seq + q->ts_len;

	for (p = TAILQ_PREV(q, tseghead, ts_link); p != NULL &&
	    p->ts_seq + p->ts_len == start; p = TAILQ_PREV(p, tseghead, ts_link))
		start = p->ts_seq;
	for (p = TAILQ_NEXT(q, ts_link); p != NULL && p->ts_seq == end;
	    p = TAILQ_NEXT(p, ts_link))
		end = p->ts_seq + p->ts_len;
	if (SEQ_LT(start, end))
		tcp_sack_rcv_add(tp, start, end);
}

bool
tcp_reass_insert(struct tcpcb *tp, tcp_seq seq, uint32_t len, bool fin,
    struct mbuf *m)
{
	struct tseg *p = NULL, *q, *next, *n;
	size_t charge = len + TSEG_OVERHEAD;

	if (tp->t_segqcharge + charge > reass_limit(tp)) {
		m_freem(m);
		return false;
	}
	/* p: the last segment starting at or before seq */
	TAILQ_FOREACH(q, &tp->t_segq, ts_link) {
		if (SEQ_GT(q->ts_seq, seq))
			break;
		p = q;
	}
	if (p != NULL) {
		tcp_seq pend = p->ts_seq + p->ts_len;

		if (SEQ_GEQ(pend, seq + len)) {
			/* nothing new (a FIN at the same place is kept) */
			if (fin && pend == seq + len)
				p->ts_fin = true;
			m_freem(m);
			TCP_STAT(tp).rcvduppack++;
			return true;
		}
		if (SEQ_GT(pend, seq)) {
			uint32_t cut = (uint32_t)(pend - seq);

			m_adj(m, (long)cut);
			seq += cut;
			len -= cut;
		}
	}
	/* successors the new data covers go, or lose their head */
	for (q = p != NULL ? TAILQ_NEXT(p, ts_link) : TAILQ_FIRST(&tp->t_segq);
	    q != NULL && SEQ_LT(q->ts_seq, seq + len); q = next) {
		tcp_seq qend = q->ts_seq + q->ts_len;

		next = TAILQ_NEXT(q, ts_link);
		if (SEQ_LEQ(qend, seq + len)) {
			if (q->ts_fin && qend == seq + len)
				fin = true;
			tseg_free(tp, q);
			continue;
		}
		uint32_t cut = (uint32_t)(seq + len - q->ts_seq);

		m_adj(q->ts_m, (long)cut);
		q->ts_seq += cut;
		q->ts_len -= cut;
		break;
	}
	if ((n = kmem_alloc(tp->t_ns->ns_kernel, sizeof(*n))) == NULL) {
		m_freem(m);
		return false;
	}
	n->ts_seq = seq;
	n->ts_len = len;
	n->ts_fin = fin;
	n->ts_m = m;
	n->ts_charge = charge;
	if (p != NULL)
		TAILQ_INSERT_AFTER(&tp->t_segq, p, n, ts_link);
	else
		TAILQ_INSERT_HEAD(&tp->t_segq, n, ts_link);
	tp->t_segqcharge += charge;
	tp->t_segqlen++;
	report_block(tp, n);
	return true;
}

bool
tcp_reass_deliver(struct tcpcb *tp, struct sockbuf *sb)
{
	struct tseg *q;
	bool fin = false;

	while ((q = TAILQ_FIRST(&tp->t_segq)) != NULL &&
	    SEQ_LEQ(q->ts_seq, tp->rcv_nxt)) {
		tcp_seq qend = q->ts_seq + q->ts_len;

		if (SEQ_GT(qend, tp->rcv_nxt)) {
			uint32_t cut = (uint32_t)(tp->rcv_nxt - q->ts_seq);
			struct mbuf *m = q->ts_m;

			m_adj(m, (long)cut);
			q->ts_m = NULL;
			tp->rcv_nxt = qend;
			TCP_STAT(tp).rcvbyte += q->ts_len - cut;
			if (sb != NULL)
				sbappendstream(sb, m);
			else
				m_freem(m);
		}
		fin = q->ts_fin && qend == tp->rcv_nxt;
		tseg_free(tp, q);
		if (fin)
			break;
	}
	tcp_sack_rcv_trim(tp);
	return fin;
}

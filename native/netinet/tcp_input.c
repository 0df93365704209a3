/*
 * TCP input: one segment, top to bottom, in the order of RFC 9293 section
 * 3.10.7 ("SEGMENT ARRIVES"), with RFC 5961's defences (RST and SYN in the
 * window get a challenge ACK, ACKs far outside the window are refused),
 * RFC 7323's PAWS, and the acknowledgment side of congestion control and
 * SACK recovery.
 *
 * The packet is parsed once into a struct tcpseg (host order, options
 * decoded, lengths checked), then its headers are cut off: from there on
 * the mbuf chain is data only, and it goes to the receive buffer as it is
 * (no copy).
 */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_var.h"

/* A parsed segment. */
struct tcpseg {
	struct in_addr	src, dst;
	uint16_t	sport, dport;	/* network order */
	tcp_seq		seq, ack;
	uint32_t	len;		/* data bytes */
	uint32_t	win;		/* unscaled */
	uint16_t	urp;
	uint8_t		flags;
	uint8_t		oob;		/* urgent byte taken out of the data */
	struct tcpopt	to;
};

#define TS_24DAYS	(24LL * 24 * 3600 * TCP_NS_S)

static void
drop_with_reset(struct netstate *ns, struct tcpseg *s, struct tcpcb *tp)
{
	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		tcp_respond(ns, NULL, s->dst, s->dport, s->src, s->sport,
		    s->ack, 0, TH_RST);
	} else {
		tcp_seq ack = s->seq + s->len + ((s->flags & TH_SYN) ? 1 : 0) +
		    ((s->flags & TH_FIN) ? 1 : 0);

		tcp_respond(ns, NULL, s->dst, s->dport, s->src, s->sport, 0,
		    ack, TH_RST | TH_ACK);
	}
	(void)tp;
}

/* RFC 5961 section 7: challenge ACKs are rate limited per kernel. */
static void
challenge_ack(struct tcpcb *tp)
{
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;
	int64_t sec = tcp_now() / TCP_NS_S;

	if (ts->ts_challenge_sec != sec) {
		ts->ts_challenge_sec = sec;
		ts->ts_challenge_n = 0;
	}
	if (ts->ts_challenge_n++ >= TCP_CHALLENGE_LIMIT)
		return;
	TCP_STAT(tp).challengeack++;
	tcp_send_ack(tp);
}

/* The options of a SYN decide what the connection uses. */
static void
syn_options(struct tcpcb *tp, const struct tcpseg *s)
{
	const struct tcpopt *to = &s->to;

	if ((to->to_flags & TOF_SCALE) && (tp->t_flags & TF_REQ_SCALE)) {
		tp->t_flags |= TF_RCVD_SCALE;
		tp->snd_scale = to->to_wscale;
		tp->rcv_scale = tp->request_r_scale;
	} else {
		tp->t_flags &= ~(TF_REQ_SCALE | TF_RCVD_SCALE);
		tp->snd_scale = tp->rcv_scale = 0;
	}
	if ((to->to_flags & TOF_TS) && (tp->t_flags & TF_REQ_TSTMP)) {
		tp->t_flags |= TF_RCVD_TSTMP;
		tp->ts_recent = to->to_tsval;
		tp->ts_recent_age = tcp_now();
	} else {
		tp->t_flags &= ~(TF_REQ_TSTMP | TF_RCVD_TSTMP);
	}
	if ((to->to_flags & TOF_SACKPERM) && (tp->t_flags & TF_REQ_SACK))
		tp->t_flags |= TF_SACK_PERMIT;
	else
		tp->t_flags &= ~(TF_REQ_SACK | TF_SACK_PERMIT);
	tp->t_peermss = (to->to_flags & TOF_MSS) ? MAX(to->to_mss, 64) : 0;
}

/* The connection is synchronized: ESTABLISHED (or FIN_WAIT_1). */
static void
tcp_established(struct tcpcb *tp, const struct tcpseg *s)
{
	struct socket *so = tp_socket(tp);

	tcp_set_state(tp, (tp->t_flags & TF_NEEDFIN) ? TCPS_FIN_WAIT_1 :
	    TCPS_ESTABLISHED);
	tp->snd_wnd = s->win << tp->snd_scale;
	tp->max_sndwnd = MAX(tp->max_sndwnd, tp->snd_wnd);
	tp->snd_wl1 = s->seq;
	tp->snd_wl2 = s->ack;
	tcp_mss_update(tp);
	tcp_cc_init(tp);
	tp->t_rcvmss = MIN(tp->t_maxseg, TCP_MSS_DEF);
	tp->t_quickacks = 16;
	tcp_keep_reset(tp);
	tcp_sndbuf_autosize(tp);
	if (so != NULL)
		soisconnected(so);
}

/* ------------------------------------------------------------ LISTEN */

static void
tcp_input_listen(struct tcpcb *ltp, struct tcpseg *s, struct mbuf *m)
{
	struct netstate *ns = ltp->t_ns;
	struct tcp_state *ts = ns->ns_inet->is_tcp;
	struct socket *head = tp_socket(ltp), *so;
	struct inpcb *inp;
	struct tcpcb *tp;

	m_freem(m);
	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		drop_with_reset(ns, s, ltp);
		return;
	}
	if (!(s->flags & TH_SYN) || (s->flags & TH_FIN) || head == NULL)
		return;
	if (head->so_qlen > head->so_qlimit) {
		/* accept queue full: the client will retransmit its SYN */
		TCP_STAT(ltp).listendrop++;
		return;
	}
	/*
	 * SYN flood: when the queues are full (sonewconn's rule) or the
	 * kernel holds too many half-open connections, the oldest
	 * embryonic connection of this listener makes room.
	 */
	if (head->so_qlen + head->so_q0len > head->so_qlimit ||
	    ts->ts_embryonic >= ts->ts_max_embryonic) {
		struct socket *old = TAILQ_FIRST(&head->so_q0);

		TCP_STAT(ltp).synflooddrop++;
		if (old == NULL || old->so_pcb == NULL)
			return;
		(void)tcp_close(sototcpcb(old));
	}
	if ((so = sonewconn(head, false)) == NULL) {
		TCP_STAT(ltp).listendrop++;
		return;
	}
	/* the listener's buffer sizes and whether they are tuned */
	so->so_snd.sb_flags = (so->so_snd.sb_flags & ~SB_AUTOSIZE) |
	    (head->so_snd.sb_flags & SB_AUTOSIZE);
	so->so_rcv.sb_flags = (so->so_rcv.sb_flags & ~SB_AUTOSIZE) |
	    (head->so_rcv.sb_flags & SB_AUTOSIZE);
	(void)sbreserve(&so->so_snd, head->so_snd.sb_hiwat);
	(void)sbreserve(&so->so_rcv, head->so_rcv.sb_hiwat);
	inp = sotoinpcb(so);
	tp = intotcpcb(inp);
	inp->inp_laddr = s->dst;
	inp->inp_lport = s->dport;
	inp->inp_faddr = s->src;
	inp->inp_fport = s->sport;
	inp->inp_connected = true;
	inp->inp_ttl = ltp->t_inpcb->inp_ttl;
	inp->inp_tos = ltp->t_inpcb->inp_tos;
	in_pcbrehash(inp);

	tp->t_flags |= (ltp->t_flags & (TF_NODELAY | TF_NOPUSH)) | TF_LQ;
	ts->ts_embryonic++;
	tp->t_keepidle = ltp->t_keepidle;
	tp->t_keepintvl = ltp->t_keepintvl;
	tp->t_keepcnt = ltp->t_keepcnt;
	tp->t_usermss = ltp->t_usermss;
	tp->t_user_timeout = ltp->t_user_timeout;
	tp->ts_offset = tcp_new_tsoffset(ts, s->dst, s->src);
	syn_options(tp, s);
	tp->t_advmss = tcp_mss_route(ns, s->src);
	if (tp->t_usermss != 0)
		tp->t_advmss = MIN(tp->t_advmss, tp->t_usermss);
	tcp_mss_update(tp);

	tp->irs = s->seq;
	tp->rcv_nxt = s->seq + 1;
	tp->rcv_adv = tp->rcv_up = tp->rcv_nxt;
	tp->iss = tcp_new_iss(ts, s->dst, s->dport, s->src, s->sport);
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tp->snd_up = tp->snd_recover = tp->snd_sml = tp->iss;
	tp->last_ack_sent = tp->rcv_nxt;
	tp->snd_wnd = s->win;		/* a SYN's window is never scaled */
	tp->snd_wl1 = s->seq;
	tp->snd_wl2 = tp->iss;
	tp->t_rcvtime = tcp_now();
	tcp_sack_init(tp);
	tcp_set_state(tp, TCPS_SYN_RECEIVED);
	tp->t_flags |= TF_LQ;		/* tcp_set_state keeps it in SYN_RECEIVED */
	TCP_STAT(tp).accepts++;
	(void)tcp_output(tp);
}

/* ------------------------------------------------------------ SYN_SENT */

static void
tcp_input_synsent(struct tcpcb *tp, struct tcpseg *s, struct mbuf *m)
{
	struct netstate *ns = tp->t_ns;

	m_freem(m);
	if ((s->flags & TH_ACK) &&
	    (SEQ_LEQ(s->ack, tp->iss) || SEQ_GT(s->ack, tp->snd_max))) {
		drop_with_reset(ns, s, tp);
		return;
	}
	if (s->flags & TH_RST) {
		if (s->flags & TH_ACK)
			(void)tcp_drop(tp, ECONNREFUSED);
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	tp->irs = s->seq;
	tp->rcv_nxt = s->seq + 1;
	tp->rcv_adv = tp->rcv_up = tp->rcv_nxt;
	syn_options(tp, s);
	if (s->flags & TH_ACK) {
		if (tp->t_rtttime != 0 && tp->t_rxtshift == 0)
			tcp_rtt_update(tp, tcp_now() - tp->t_rtttime);
		tp->t_rtttime = 0;
		tp->snd_una = s->ack;
		if (SEQ_LT(tp->snd_nxt, tp->snd_una))
			tp->snd_nxt = tp->snd_una;
		tcp_timer_disarm(tp, TCPT_REXMT);
		tp->t_rxtshift = 0;
		tp->t_starttime = 0;
		tp->snd_recover = tp->snd_una;
		tcp_sack_init(tp);
		TCP_STAT(tp).connects++;
		tcp_established(tp, s);
		/* data on a SYN-ACK is not taken: the peer sends it again */
		tp->t_flags |= TF_ACKNOW;
		(void)tcp_output(tp);
		return;
	}
	/* simultaneous open (RFC 9293 figure 7) */
	tp->snd_wnd = s->win;
	tp->snd_wl1 = s->seq;
	tcp_set_state(tp, TCPS_SYN_RECEIVED);
	tp->snd_nxt = tp->iss;
	tcp_timer_disarm(tp, TCPT_REXMT);
	(void)tcp_output(tp);
}

/* ------------------------------------------------------------ TIME_WAIT */

/* true: the segment opens a new connection (the TIME_WAIT is gone) */
static bool
tcp_input_timewait(struct tcpcb *tp, struct tcpseg *s)
{
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;

	if (s->flags & TH_RST) {
		if (s->seq == tp->rcv_nxt)
			(void)tcp_close(tp);
		return false;
	}
	if ((s->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		/* RFC 6191: a SYN from a newer incarnation may reuse the pair */
		bool newer = (s->to.to_flags & TOF_TS) &&
		    (tp->t_flags & TF_RCVD_TSTMP) ?
		    TSTMP_LT(tp->ts_recent, s->to.to_tsval) :
		    SEQ_GT(s->seq, tp->rcv_nxt);

		if (newer && tp_socket(tp) == NULL) {
			(void)tcp_close(tp);
			return true;
		}
		challenge_ack(tp);
		return false;
	}
	if (s->flags & TH_FIN) {
		/* the peer lost our ACK of its FIN */
		tcp_send_ack(tp);
		tcp_timer_arm(tp, TCPT_2MSL, 2 * ts->ts_msl);
		return false;
	}
	if (s->len > 0)
		tcp_send_ack(tp);
	return false;
}

/* ------------------------------------------------------------ ACKs */

/* A duplicate ACK (RFC 5681 section 2, definition of DUPLICATE ACK)? */
static bool
is_dupack(const struct tcpcb *tp, const struct tcpseg *s)
{
	return s->len == 0 && !(s->flags & (TH_SYN | TH_FIN)) &&
	    s->ack == tp->snd_una && tp->snd_max != tp->snd_una &&
	    (s->win << tp->snd_scale) == tp->snd_wnd;
}

/* The first unacknowledged segment again (fast retransmit). */
static void
rexmit_first(struct tcpcb *tp)
{
	uint32_t len = MIN(tp->t_maxseg, (uint32_t)tp->t_snd->sb_cc);

	len = MIN(len, (uint32_t)(tp->snd_max - tp->snd_una));
	if (tp->t_flags & TF_SACK_PERMIT)
		tcp_sack_mark_rexmit(tp, tp->snd_una, len);
	if (len > 0 || (tp->t_flags & TF_SENTFIN)) {
		int flags = TH_ACK;

		if (len == tp->t_snd->sb_cc && (tp->t_flags & TF_SENTFIN) &&
		    tp->snd_una + len + 1 == tp->snd_max)
			flags |= TH_FIN;
		(void)tcp_output_seg(tp, tp->snd_una, len, flags, true);
	}
}

static void
dupack(struct tcpcb *tp, const struct tcpseg *s)
{
	bool sack = (tp->t_flags & TF_SACK_PERMIT) != 0;

	TCP_STAT(tp).rcvdupack++;
	tp->t_dupacks++;
	if (tp->t_flags & TF_FASTRECOVERY) {
		if (!sack)
			tcp_cc_dupack_inflate(tp);
		(void)tcp_output(tp);
		return;
	}
	if (tp->t_dupacks >= 3 || (sack && tcp_sack_islost_una(tp))) {
		/* RFC 6582 3.2 step 2: not again for the same window */
		if (SEQ_LT(s->ack, tp->snd_recover))
			return;
		TCP_STAT(tp).fastrexmit++;
		tcp_cc_enter_recovery(tp);
		tp->t_flags &= ~TF_CONGRECOVERY;
		tp->t_rtttime = 0;
		rexmit_first(tp);
		(void)tcp_output(tp);
		return;
	}
	/* RFC 3042 limited transmit: new data for the first two */
	{
		uint32_t cwnd = tp->snd_cwnd;

		tp->snd_cwnd = cwnd + (uint32_t)tp->t_dupacks * tp->t_maxseg;
		(void)tcp_output(tp);
		tp->snd_cwnd = cwnd;
	}
}

/*
 * Process the ACK field.  Returns false when the segment was consumed
 * (the connection may be gone: *tpp is then NULL).
 */
static bool
tcp_ack(struct tcpcb **tpp, struct tcpseg *s, bool *needoutput)
{
	struct tcpcb *tp = *tpp;
	struct socket *so = tp_socket(tp);
	uint32_t acked, acked_data;
	bool ourfinacked = false;

	if (tp->t_state == TCPS_SYN_RECEIVED) {
		if (SEQ_LEQ(s->ack, tp->snd_una) || SEQ_GT(s->ack, tp->snd_max)) {
			drop_with_reset(tp->t_ns, s, tp);
			return false;
		}
		if (tp->t_rtttime != 0 && tp->t_rxtshift == 0)
			tcp_rtt_update(tp, tcp_now() - tp->t_rtttime);
		tp->t_rtttime = 0;
		TCP_STAT(tp).connects++;
		tcp_established(tp, s);
		/* the SYN is acknowledged: one sequence number, no data */
		tp->snd_una++;
		tp->snd_recover = tp->snd_una;
		tp->t_rxtshift = 0;
		if (tp->snd_una == tp->snd_max) {
			tcp_timer_disarm(tp, TCPT_REXMT);
			tp->t_starttime = 0;
		}
		tcp_sack_init(tp);
		if (s->ack == tp->snd_una) {
			*needoutput = true;
			return true;
		}
	}
	/* RFC 5961 section 5: an ACK for what was never sent, or far old */
	if (SEQ_GT(s->ack, tp->snd_max)) {
		TCP_STAT(tp).rcvacktoomuch++;
		challenge_ack(tp);
		return false;
	}
	if (SEQ_LT(s->ack, tp->snd_una - MAX(tp->max_sndwnd, 65535u))) {
		challenge_ack(tp);
		return false;
	}
	if (SEQ_LEQ(s->ack, tp->snd_una)) {
		if (tp->t_flags & TF_SACK_PERMIT)
			tcp_sack_update(tp, &s->to, s->ack);
		if (is_dupack(tp, s))
			dupack(tp, s);
		else if (s->ack != tp->snd_una || s->len > 0)
			tp->t_dupacks = 0;
		return true;
	}

	/* new data acknowledged */
	acked = (uint32_t)(s->ack - tp->snd_una);
	acked_data = MIN(acked, (uint32_t)tp->t_snd->sb_cc);
	if ((tp->t_flags & TF_SENTFIN) && s->ack == tp->snd_max &&
	    TCPS_SENTFIN(tp->t_state))
		ourfinacked = true;
	TCP_STAT(tp).rcvackpack++;
	TCP_STAT(tp).rcvackbyte += acked_data;
	tp->t_probes = 0;

	/* RTT (Karn: only segments never retransmitted are timed) */
	if (tp->t_rtttime != 0 && SEQ_GT(s->ack, tp->t_rtseq)) {
		tcp_rtt_update(tp, tcp_now() - tp->t_rtttime);
		tp->t_rtttime = 0;
	}
	if (tp->t_flags & TF_FASTRECOVERY) {
		if (!tcp_cc_recovery_ack(tp, s->ack, acked)) {
			/* partial ACK: snd_una moves first, then resend */
			tp->snd_una = s->ack;
			sbdrop(tp->t_snd, acked_data);
			tcp_sndcache_drop(tp, acked_data);
			if (tp->t_flags & TF_SACK_PERMIT) {
				tcp_sack_update(tp, &s->to, s->ack);
			} else {
				rexmit_first(tp);
			}
			goto acked;
		}
	} else {
		tcp_cc_ack(tp, acked);
	}
	tp->t_dupacks = 0;
	tp->snd_una = s->ack;
	sbdrop(tp->t_snd, acked_data);
	tcp_sndcache_drop(tp, acked_data);
	if (tp->t_flags & TF_SACK_PERMIT)
		tcp_sack_update(tp, &s->to, s->ack);
acked:
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	if (tp->snd_una == tp->snd_max) {
		tcp_timer_disarm(tp, TCPT_REXMT);
		tp->t_starttime = 0;
		tp->t_retrans = 0;
	} else {
		/* RFC 6298 5.3 */
		tcp_timer_arm(tp, TCPT_REXMT, tcp_rexmtval(tp));
		tp->t_starttime = tcp_now();
	}
	if (so != NULL) {
		tcp_sndbuf_autosize(tp);
		sowwakeup(so);
	}
	*needoutput = true;

	if (!ourfinacked)
		return true;
	switch (tp->t_state) {
	case TCPS_FIN_WAIT_1:
		tcp_set_state(tp, TCPS_FIN_WAIT_2);
		if (tp->t_flags & TF_ORPHAN)
			tcp_timer_arm(tp, TCPT_2MSL, TCP_FIN2_TIME);
		if (so != NULL && (so->so_state & SS_CANTRCVMORE))
			soisdisconnected(so);
		break;
	case TCPS_CLOSING:
		tcp_enter_timewait(tp);
		return false;
	case TCPS_LAST_ACK:
		*tpp = tcp_close(tp);
		return false;
	default:
		break;
	}
	return true;
}

/* RFC 9293 3.10.7.4, the window: update snd_wnd from a newer segment. */
static void
tcp_window(struct tcpcb *tp, const struct tcpseg *s, bool *needoutput)
{
	uint32_t wnd = s->win << tp->snd_scale;

	if (!(s->flags & TH_ACK))
		return;
	if (SEQ_LT(tp->snd_wl1, s->seq) || (tp->snd_wl1 == s->seq &&
	    SEQ_LEQ(tp->snd_wl2, s->ack))) {
		if (s->len == 0 && tp->snd_wl2 == s->ack && wnd > tp->snd_wnd)
			TCP_STAT(tp).rcvwinupd++;
		if (wnd > tp->snd_wnd)
			*needoutput = true;
		tp->snd_wnd = wnd;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		tp->max_sndwnd = MAX(tp->max_sndwnd, wnd);
		if (wnd > 0 && tcp_timer_armed(tp, TCPT_PERSIST)) {
			tcp_timer_disarm(tp, TCPT_PERSIST);
			tp->t_persistshift = 0;
			tp->t_probes = 0;
			*needoutput = true;
		}
	}
}

/* ------------------------------------------------------------ data */

/* An ACK now, or one delayed (every second segment, RFC 1122/5681)? */
static void
ack_policy(struct tcpcb *tp, const struct tcpseg *s)
{
	uint32_t unacked = (uint32_t)(tp->rcv_nxt - tp->last_ack_sent);

	if (s->len > tp->t_rcvmss)
		tp->t_rcvmss = MIN(s->len, MAX(tp->t_advmss, TCP_MSS_DEF));
	if (tp->t_quickacks > 0) {
		tp->t_quickacks--;
		tp->t_flags |= TF_ACKNOW;
	} else if (unacked >= 2 * tp->t_rcvmss ||
	    (tp->t_flags & TF_QUICKACK)) {
		tp->t_flags |= TF_ACKNOW;
	} else {
		tp->t_flags |= TF_DELACK;
		if (!tcp_timer_armed(tp, TCPT_DELACK))
			tcp_timer_arm(tp, TCPT_DELACK, TCP_DELACK_TIME);
	}
}

/*
 * Receive-buffer auto-tuning: a buffer that filled up although its
 * reader keeps emptying it is too small for the path; double it.  A
 * reader that stopped reading never empties it, so it never grows.
 */
static void
rcvbuf_autosize(struct tcpcb *tp, struct socket *so)
{
	struct sockbuf *sb = &so->so_rcv;
	size_t want;

	if (!(sb->sb_flags & SB_AUTOSIZE) || !(tp->t_flags & TF_RCVDRAINED) ||
	    sbspace(sb) >= 2 * (size_t)tp->t_rcvmss ||
	    sb->sb_hiwat >= TCP_RCVBUF_MAX)
		return;
	want = MIN(2 * sb->sb_hiwat, (size_t)TCP_RCVBUF_MAX);
	if (sbreserve(sb, want) == 0)
		tp->t_flags &= ~TF_RCVDRAINED;
}

static struct mbuf *
strip_empty(struct mbuf *m)
{
	while (m != NULL && m->m_len == 0)
		m = m_free(m);
	return m;
}

/*
 * Take the data (and FIN) of an acceptable segment.  Returns whether a
 * FIN is now in order.
 */
static bool
tcp_data(struct tcpcb *tp, struct tcpseg *s, struct mbuf *m)
{
	struct socket *so = tp_socket(tp);
	bool fin = (s->flags & TH_FIN) != 0;

	if (s->len > 0)
		tp->t_rcvdatatime = tcp_now();
	if (s->seq == tp->rcv_nxt && TAILQ_EMPTY(&tp->t_segq)) {
		tp->rcv_nxt += s->len + s->oob;
		if (s->len > 0) {
			TCP_STAT(tp).rcvpack++;
			TCP_STAT(tp).rcvbyte += s->len;
			m = strip_empty(m);
			if (so != NULL && m != NULL)
				sbappendstream(&so->so_rcv, m);
			else
				m_freem(m);
			if (so != NULL)
				rcvbuf_autosize(tp, so);
			ack_policy(tp, s);
			if (so != NULL)
				sorwakeup(so);
		} else {
			m_freem(m);
		}
		return fin;
	}
	if (s->seq == tp->rcv_nxt) {
		/* fills the first hole */
		tp->rcv_nxt += s->len + s->oob;
		TCP_STAT(tp).rcvpack++;
		TCP_STAT(tp).rcvbyte += s->len;
		m = strip_empty(m);
		if (so != NULL && m != NULL)
			sbappendstream(&so->so_rcv, m);
		else
			m_freem(m);
		if (!fin)
			fin = tcp_reass_deliver(tp, so != NULL ? &so->so_rcv : NULL);
		else
			tcp_reass_flush(tp);
		tp->t_flags |= TF_ACKNOW;
		if (so != NULL)
			sorwakeup(so);
		return fin;
	}
	/* out of order: queue it, and say so at once (a duplicate ACK) */
	TCP_STAT(tp).rcvoopack++;
	TCP_STAT(tp).rcvoobyte += s->len;
	(void)tcp_reass_insert(tp, s->seq, s->len, fin, strip_empty(m));
	tp->t_flags |= TF_ACKNOW;
	return false;
}

static void
tcp_fin(struct tcpcb **tpp)
{
	struct tcpcb *tp = *tpp;
	struct socket *so = tp_socket(tp);
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;

	if (!TCPS_HAVERCVDFIN(tp->t_state)) {
		tp->rcv_nxt++;
		if (so != NULL)
			socantrcvmore(so);
	}
	tp->t_flags |= TF_ACKNOW;
	switch (tp->t_state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcp_set_state(tp, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		tcp_set_state(tp, TCPS_CLOSING);
		break;
	case TCPS_FIN_WAIT_2:
		tcp_enter_timewait(tp);
		break;
	case TCPS_TIME_WAIT:
		tcp_timer_arm(tp, TCPT_2MSL, 2 * ts->ts_msl);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ urgent */

/*
 * Urgent data, minimal and as Linux does it: the pointer names the byte
 * after the urgent one; that byte is taken out of the stream (unless
 * SO_OOBINLINE) for MSG_OOB, and the mark is kept for SIOCATMARK.
 */
static struct mbuf *
tcp_urgent(struct tcpcb *tp, struct tcpseg *s, struct mbuf *m)
{
	struct socket *so = tp_socket(tp);
	struct mbuf *tail;
	tcp_seq up;
	uint32_t off;
	uint8_t c;

	if (!(s->flags & TH_URG) || s->urp == 0 || so == NULL ||
	    TCPS_HAVERCVDFIN(tp->t_state))
		return m;
	up = s->seq + s->urp;
	if (SEQ_LEQ(up, tp->rcv_up) || SEQ_LEQ(up, tp->rcv_nxt))
		return m;
	tp->rcv_up = up;
	so->so_oobmark = so->so_rcv.sb_cc + (size_t)(up - 1 - tp->rcv_nxt);
	so->so_oobmark_valid = 1;
	tp->t_haveoob = false;
	sohasoutofband(so);
	/* the urgent byte in this very segment, in order: take it out */
	off = (uint32_t)(up - 1 - s->seq);
	if (s->seq != tp->rcv_nxt || !TAILQ_EMPTY(&tp->t_segq) ||
	    off >= s->len || (so->so_options & SOO_OOBINLINE))
		return m;
	m_copydata(m, off, 1, &c);
	if ((tail = m_split(m, off)) == NULL)
		return m;	/* no memory: the byte stays inline */
	m_adj(tail, 1);
	m_cat(m, tail);
	if (m->m_flags & M_PKTHDR)
		m->m_pkthdr.len = (uint32_t)m_length(m);
	tp->t_iobc = c;
	tp->t_haveoob = true;
	so->so_oobdata = (char)c;
	s->len--;
	s->oob = 1;	/* a sequence number consumed, no byte delivered */
	return m;
}

/* ------------------------------------------------------------ input */

static bool
parse(struct mbuf **mp, int off, struct tcpseg *s, struct tcpstat *st)
{
	struct mbuf *m = *mp;
	struct ip *ip;
	struct tcphdr *th;
	size_t tlen, thoff;

	if (m->m_pkthdr.len < (uint32_t)off + sizeof(*th)) {
		st->rcvshort++;
		return false;
	}
	if (m->m_len < (size_t)off + sizeof(*th) &&
	    (m = *mp = m_pullup(m, (size_t)off + sizeof(*th))) == NULL) {
		st->rcvshort++;
		return false;
	}
	th = (struct tcphdr *)(mtod(m, uint8_t *) + off);
	tlen = m->m_pkthdr.len - (size_t)off;
	thoff = (size_t)th->th_off << 2;
	if (thoff < sizeof(*th) || thoff > tlen) {
		st->rcvbadoff++;
		return false;
	}
	if (m->m_len < (size_t)off + thoff) {
		if ((m = *mp = m_pullup(m, (size_t)off + thoff)) == NULL) {
			st->rcvshort++;
			return false;
		}
		th = (struct tcphdr *)(mtod(m, uint8_t *) + off);
	}
	ip = mtod(m, struct ip *);
	if (!(m->m_pkthdr.csum_flags & M_CSUM_DATA_OK) &&
	    !(m->m_flags & M_LOOP) &&
	    in_cksum_chain(m, (size_t)off, tlen, in_pseudo(ip->ip_src,
	    ip->ip_dst, IPPROTO_TCP, (uint16_t)tlen)) != 0) {
		st->rcvbadsum++;
		return false;
	}
	s->src = ip->ip_src;
	s->dst = ip->ip_dst;
	s->sport = th->th_sport;
	s->dport = th->th_dport;
	s->seq = ntohl(th->th_seq);
	s->ack = ntohl(th->th_ack);
	s->win = ntohs(th->th_win);
	s->urp = ntohs(th->th_urp);
	s->flags = th->th_flags & (TH_FIN | TH_SYN | TH_RST | TH_PUSH |
	    TH_ACK | TH_URG);
	s->len = (uint32_t)(tlen - thoff);
	tcp_dooptions(&s->to, (const uint8_t *)(th + 1), thoff - sizeof(*th),
	    (s->flags & TH_SYN) != 0);
	/* from here on the chain is the data alone */
	m_adj(m, (long)(off + thoff));
	return true;
}

static struct tcpcb *
lookup(struct inet_state *is, const struct tcpseg *s, bool *listener)
{
	struct inpcb *inp;
	struct tcpcb *tp;

	*listener = false;
	inp = in_pcblookup_connect(is->is_tcbtable, s->src, s->sport, s->dst,
	    s->dport);
	if (inp != NULL && (tp = intotcpcb(inp)) != NULL &&
	    tp->t_state != TCPS_CLOSED)
		return tp;
	inp = in_pcblookup_bind(is->is_tcbtable, s->dst, s->dport);
	if (inp != NULL && (tp = intotcpcb(inp)) != NULL &&
	    tp->t_state == TCPS_LISTEN) {
		*listener = true;
		return tp;
	}
	return NULL;
}

void
tcp_input(struct mbuf *m, int off)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct netstate *ns = ifp->if_ns;
	struct inet_state *is = ns->ns_inet;
	struct tcpstat *st = &is->is_tcpstat;
	struct tcpseg s = { 0 };
	struct tcpcb *tp;
	struct socket *so;
	bool listener, needoutput = false, fin;
	uint32_t rcvwin;
	int32_t todrop;

	st->rcvtotal++;
	if (is->is_tcp == NULL || !parse(&m, off, &s, st))
		goto drop;
	/* nothing answers a broadcast or multicast */
	if ((m->m_flags & (M_BCAST | M_MCAST)) ||
	    IN_MULTICAST(ntohl(s.dst.s_addr)) || in_broadcast(s.dst, ifp) ||
	    IN_MULTICAST(ntohl(s.src.s_addr)) || in_broadcast(s.src, ifp) ||
	    s.src.s_addr == INADDR_ANY)
		goto drop;
again:
	if ((tp = lookup(is, &s, &listener)) == NULL) {
		st->rcvafterclose++;
		drop_with_reset(ns, &s, NULL);
		goto drop;
	}
	if (listener) {
		tcp_input_listen(tp, &s, m);
		return;
	}
	if (tp->t_state == TCPS_TIME_WAIT) {
		if (tcp_input_timewait(tp, &s))
			goto again;
		goto drop;
	}
	so = tp_socket(tp);
	tp->t_rcvtime = tcp_now();
	tp->t_keepprobes = 0;
	if (tp->t_state == TCPS_SYN_SENT) {
		tcp_input_synsent(tp, &s, m);
		return;
	}

	/* PAWS (RFC 7323 5.3) */
	if ((s.to.to_flags & TOF_TS) && (tp->t_flags & TF_RCVD_TSTMP) &&
	    !(s.flags & TH_RST) && tp->ts_recent != 0 &&
	    TSTMP_LT(s.to.to_tsval, tp->ts_recent)) {
		if (tcp_now() - tp->ts_recent_age > TS_24DAYS) {
			tp->ts_recent = 0;
		} else {
			st->pawsdrop++;
			goto dropafterack;
		}
	}

	rcvwin = tcp_rcvwin(tp);
	/* RST (RFC 5961 section 3): exact match resets, in window challenges */
	if (s.flags & TH_RST) {
		if (s.seq == tp->rcv_nxt) {
			int error;

			switch (tp->t_state) {
			case TCPS_SYN_RECEIVED:
				error = so != NULL && so->so_onq0 ? 0 :
				    ECONNREFUSED;
				break;
			case TCPS_CLOSE_WAIT:
				error = EPIPE;
				break;
			case TCPS_CLOSING:
			case TCPS_LAST_ACK:
				error = 0;
				break;
			default:
				error = ECONNRESET;
				break;
			}
			if (tp->t_state == TCPS_ESTABLISHED ||
			    tp->t_state == TCPS_CLOSE_WAIT)
				st->estabresets++;
			tp->t_flags |= TF_WASRESET;
			if (so != NULL && error != 0)
				so->so_error = error;
			(void)tcp_close(tp);
		} else if (SEQ_INRANGE(s.seq, tp->rcv_nxt,
		    tp->rcv_nxt + MAX(rcvwin, 1u))) {
			st->badrst++;
			challenge_ack(tp);
		} else {
			st->badrst++;
		}
		goto drop;
	}
	/* a retransmitted SYN while our SYN-ACK is unanswered */
	if (tp->t_state == TCPS_SYN_RECEIVED &&
	    (s.flags & (TH_SYN | TH_ACK)) == TH_SYN && s.seq == tp->irs) {
		tp->snd_nxt = tp->iss;
		(void)tcp_output(tp);
		goto drop;
	}

	/* trim what we already have (RFC 9293 3.10.7.4 first check) */
	todrop = SEQ_DIFF(tp->rcv_nxt, s.seq);
	if (todrop > 0) {
		if (s.flags & TH_SYN) {
			s.flags &= ~TH_SYN;
			s.seq++;
			if (s.urp > 1)
				s.urp--;
			else
				s.flags &= ~TH_URG;
			todrop--;
		}
		if ((uint32_t)todrop > s.len ||
		    ((uint32_t)todrop == s.len && !(s.flags & TH_FIN))) {
			/* all old: ACK to resynchronise, keep the ACK field */
			st->rcvduppack++;
			st->rcvdupbyte += s.len;
			s.flags &= ~TH_FIN;
			tp->t_flags |= TF_ACKNOW;
			todrop = (int32_t)s.len;
		} else {
			st->rcvpartduppack++;
		}
		if (todrop > 0) {
			m_adj(m, todrop);
			s.seq += (uint32_t)todrop;
			s.len -= (uint32_t)todrop;
			if (s.urp > (uint32_t)todrop)
				s.urp -= (uint16_t)todrop;
			else
				s.flags &= ~TH_URG, s.urp = 0;
		}
	}
	/* new data for a connection its user closed: RFC 9293 3.10.7.4 */
	if (so == NULL && s.len > 0 && tp->t_state > TCPS_CLOSE_WAIT) {
		st->rcvafterclose++;
		(void)tcp_drop(tp, 0);
		goto drop;
	}
	/* trim what lies beyond the window */
	todrop = SEQ_DIFF(s.seq + s.len, tp->rcv_nxt + rcvwin);
	if (todrop > 0) {
		st->rcvpackafterwin++;
		if ((uint32_t)todrop >= s.len) {
			if (rcvwin == 0 && s.seq == tp->rcv_nxt)
				st->rcvwinprobe++;
			/* unacceptable: ACK it (RFC 9293), keep its ACK field */
			tp->t_flags |= TF_ACKNOW;
			m_adj(m, -(long)s.len);
			s.len = 0;
			s.flags &= ~(TH_PUSH | TH_FIN);
			if (SEQ_GT(s.seq, tp->rcv_nxt + rcvwin))
				goto dropafterack;
		} else {
			m_adj(m, -(long)todrop);
			s.len -= (uint32_t)todrop;
			s.flags &= ~(TH_PUSH | TH_FIN);
		}
	}
	/* timestamps: remember the peer's latest (RFC 7323 4.3) */
	if ((s.to.to_flags & TOF_TS) && (tp->t_flags & TF_RCVD_TSTMP) &&
	    SEQ_LEQ(s.seq, tp->last_ack_sent) &&
	    SEQ_GEQ(s.seq + s.len + ((s.flags & TH_FIN) ? 1 : 0),
	    tp->last_ack_sent) && TSTMP_GEQ(s.to.to_tsval, tp->ts_recent)) {
		tp->ts_recent = s.to.to_tsval;
		tp->ts_recent_age = tcp_now();
	}
	/* a SYN in the window (RFC 5961 section 4) */
	if (s.flags & TH_SYN) {
		challenge_ack(tp);
		goto drop;
	}
	if (!(s.flags & TH_ACK)) {
		if (tp->t_flags & TF_ACKNOW)
			goto dropafterack;
		goto drop;
	}
	if (!tcp_ack(&tp, &s, &needoutput)) {
		if (tp != NULL && (tp->t_flags & TF_ACKNOW))
			(void)tcp_output(tp);
		goto drop;
	}
	tcp_window(tp, &s, &needoutput);
	m = tcp_urgent(tp, &s, m);

	fin = false;
	if ((s.len > 0 || (s.flags & TH_FIN)) &&
	    !TCPS_HAVERCVDFIN(tp->t_state)) {
		fin = tcp_data(tp, &s, m);
		m = NULL;
	} else if (TCPS_HAVERCVDFIN(tp->t_state) && (s.flags & TH_FIN)) {
		fin = true;	/* a retransmitted FIN */
	}
	if (fin)
		tcp_fin(&tp);
	if (tp != NULL && (needoutput || (tp->t_flags & TF_ACKNOW)))
		(void)tcp_output(tp);
drop:
	m_freem(m);
	return;
dropafterack:
	tcp_send_ack(tp);
	m_freem(m);
}

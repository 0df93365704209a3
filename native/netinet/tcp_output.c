/*
 * TCP output: what to send (tcp_output) and how one segment is built
 * (tcp_output_seg).
 *
 * A segment's payload is an m_copym of the send buffer: it shares the
 * buffer's storage, no byte is copied (on lo0 the receiver's socket buffer
 * ends up holding the sender's storage).  Headers go into a fresh mbuf in
 * front.  The send buffer is walked from a cached position, so a large
 * buffer of small mbufs costs no quadratic walk.
 *
 * Decisions, per RFC 9293 3.8.6 and RFC 5681: data goes when a full
 * segment fits in min(snd_wnd, cwnd), or when it is all there is and
 * nothing is in flight (Nagle; TCP_NODELAY skips the wait, TCP_CORK and
 * MSG_MORE hold partial segments); window updates go when the window
 * grows by two segments or half the buffer (receiver SWS avoidance); in
 * SACK recovery the pipe (RFC 6675) decides, retransmissions first.
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

static const uint8_t tcp_outflags[TCP_NSTATES] = {
	[TCPS_CLOSED] = TH_RST | TH_ACK,
	[TCPS_LISTEN] = 0,
	[TCPS_SYN_SENT] = TH_SYN,
	[TCPS_SYN_RECEIVED] = TH_SYN | TH_ACK,
	[TCPS_ESTABLISHED] = TH_ACK,
	[TCPS_CLOSE_WAIT] = TH_ACK,
	[TCPS_FIN_WAIT_1] = TH_ACK,
	[TCPS_CLOSING] = TH_ACK,
	[TCPS_LAST_ACK] = TH_ACK,
	[TCPS_FIN_WAIT_2] = TH_ACK,
	[TCPS_TIME_WAIT] = TH_ACK,
};

/* Sequence number of the send buffer's first byte. */
static tcp_seq
snd_dbase(const struct tcpcb *tp)
{
	return SEQ_GT(tp->snd_una, tp->iss) ? tp->snd_una : tp->iss + 1;
}

static bool
fin_state(int state)
{
	return state == TCPS_FIN_WAIT_1 || state == TCPS_CLOSING ||
	    state == TCPS_LAST_ACK;
}

uint32_t
tcp_rcvwin(struct tcpcb *tp)
{
	struct socket *so = tp_socket(tp);
	size_t space, adv, max = (size_t)TCP_MAXWIN << tp->rcv_scale;

	if (so == NULL)
		return 0;
	space = sbspace(&so->so_rcv);
	/* receiver SWS avoidance: no sliver windows */
	if (space < so->so_rcv.sb_hiwat / 4 && space < tp->t_rcvmss)
		space = 0;
	/* never take back what was offered */
	adv = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ?
	    (size_t)(tp->rcv_adv - tp->rcv_nxt) : 0;
	space = MAX(space, adv);
	return (uint32_t)MIN(space, max);
}

void
tcp_setpersist(struct tcpcb *tp)
{
	int64_t t = tp->t_srtt ? tp->t_srtt + 4 * tp->t_rttvar : TCP_RTO_INIT;

	for (int i = 0; i < tp->t_persistshift && t < TCP_PERSMAX; i++)
		t *= 2;
	t = MIN(MAX(t, TCP_RTO_MIN), TCP_PERSMAX);
	tcp_timer_arm(tp, TCPT_PERSIST, t);
}

void
tcp_sndcache_drop(struct tcpcb *tp, size_t acked)
{
	if (tp->t_sndcache == NULL)
		return;
	if (tp->t_sndcache_off >= acked)
		tp->t_sndcache_off -= acked;
	else
		tp->t_sndcache = NULL;
}

/* A chain for [off, off + len) of the send buffer, sharing its storage. */
static struct mbuf *
sb_copy(struct tcpcb *tp, size_t off, size_t len)
{
	struct sockbuf *sb = tp->t_snd;
	struct mbuf *m, *n;
	size_t moff;

	if (tp->t_sndcache != NULL && tp->t_sndcache_off <= off) {
		m = tp->t_sndcache;
		moff = tp->t_sndcache_off;
	} else {
		m = sb->sb_mb;
		moff = 0;
	}
	while (m != NULL && moff + m->m_len <= off) {
		moff += m->m_len;
		m = m->m_next;
	}
	if (m == NULL)
		return NULL;
	tp->t_sndcache = m;
	tp->t_sndcache_off = moff;
	if ((n = m_copym(m, off - moff, len)) == NULL)
		return NULL;
	n->m_flags &= ~M_PKTHDR;
	return n;
}

/* Does the peer sit behind our loopback (no checksum needed)? */
static bool
tcp_loopback(struct tcpcb *tp)
{
	struct netstate *ns = tp->t_ns;
	struct rtentry *rt;

	if (in_localaddr(ns, tp->t_inpcb->inp_faddr))
		return true;
	rt = rt_lookup(ns, tp->t_inpcb->inp_faddr);
	return rt != NULL && rt->rt_ifp != NULL &&
	    (rt->rt_ifp->if_flags & IFF_LOOPBACK);
}

/*
 * The most new data one segment may carry: the MSS, or toward a medium
 * with IFCAP_TSO (shmif) as many whole MSS as a 65535-byte datagram
 * holds.  The peer still sees our MSS and counts in it; congestion
 * control counts bytes, so a super-segment is only a segment with more
 * of them.
 */
static uint32_t
tcp_sndsize(struct tcpcb *tp)
{
	struct netstate *ns = tp->t_ns;
	struct rtentry *rt;
	uint32_t max = IP_MAXPACKET - sizeof(struct ip) -
	    sizeof(struct tcphdr) - TCP_MAXOLEN;

	if (tp->t_maxseg == 0 || tp->t_maxseg >= max ||
	    in_localaddr(ns, tp->t_inpcb->inp_faddr))
		return tp->t_maxseg;
	rt = rt_lookup(ns, tp->t_inpcb->inp_faddr);
	if (rt == NULL || rt->rt_ifp == NULL ||
	    !(rt->rt_ifp->if_capabilities & IFCAP_TSO))
		return tp->t_maxseg;
	return max - max % tp->t_maxseg;
}

static void
build_options(struct tcpcb *tp, int flags, struct tcpopt *to)
{
	to->to_flags = 0;
	if (flags & TH_SYN) {
		bool synack = (flags & TH_ACK) != 0;

		to->to_flags |= TOF_MSS;
		to->to_mss = (uint16_t)tp->t_advmss;
		if ((tp->t_flags & TF_REQ_SCALE) &&
		    (!synack || (tp->t_flags & TF_RCVD_SCALE))) {
			to->to_flags |= TOF_SCALE;
			to->to_wscale = tp->request_r_scale;
		}
		if ((tp->t_flags & TF_REQ_SACK) &&
		    (!synack || (tp->t_flags & TF_SACK_PERMIT)))
			to->to_flags |= TOF_SACKPERM;
		if ((tp->t_flags & TF_REQ_TSTMP) &&
		    (!synack || (tp->t_flags & TF_RCVD_TSTMP))) {
			to->to_flags |= TOF_TS;
			to->to_tsval = tcp_ts_now(tp);
			to->to_tsecr = synack ? tp->ts_recent : 0;
		}
		return;
	}
	if ((tp->t_flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP)) ==
	    (TF_REQ_TSTMP | TF_RCVD_TSTMP)) {
		to->to_flags |= TOF_TS;
		to->to_tsval = tcp_ts_now(tp);
		to->to_tsecr = tp->ts_recent;
	}
	if ((tp->t_flags & TF_SACK_PERMIT) && tp->rcv_nsacks > 0) {
		to->to_flags |= TOF_SACK;
		to->to_nsacks = (uint8_t)tp->rcv_nsacks;
		memcpy(to->to_sacks, tp->rcv_sacks,
		    sizeof(to->to_sacks[0]) * (size_t)tp->rcv_nsacks);
	}
}

int
tcp_output_seg(struct tcpcb *tp, tcp_seq seq, uint32_t len, int flags,
    bool rexmit)
{
	struct netstate *ns = tp->t_ns;
	struct inpcb *inp = tp->t_inpcb;
	struct tcpstat *st = &ns->ns_inet->is_tcpstat;
	struct tcpopt to;
	size_t optlen, hlen;
	struct mbuf *m;
	struct ip *ip;
	struct tcphdr *th;
	uint32_t win;
	tcp_seq end;
	int64_t now = tcp_now();

	build_options(tp, flags, &to);
	optlen = tcp_optlen(&to);
	hlen = sizeof(*ip) + sizeof(*th) + optlen;
	if ((m = m_gethdr(ns->ns_kernel, MAX_LINKHDR, hlen)) == NULL)
		return ENOBUFS;
	m->m_len = (uint32_t)hlen;
	if (len > 0) {
		size_t off = (size_t)(seq - snd_dbase(tp));

		if ((m->m_next = sb_copy(tp, off, len)) == NULL) {
			m_freem(m);
			return ENOBUFS;
		}
	}
	m->m_pkthdr.len = (uint32_t)(hlen + len);

	ip = mtod(m, struct ip *);
	memset(ip, 0, sizeof(*ip));
	ip->ip_v = 4;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_tos = inp->inp_tos;
	ip->ip_ttl = inp->inp_ttl ? inp->inp_ttl : IPDEFTTL;
	ip->ip_p = IPPROTO_TCP;
	ip->ip_src = inp->inp_laddr;
	ip->ip_dst = inp->inp_faddr;

	th = (struct tcphdr *)(ip + 1);
	memset(th, 0, sizeof(*th));
	th->th_sport = inp->inp_lport;
	th->th_dport = inp->inp_fport;
	th->th_seq = htonl(seq);
	th->th_off = (uint8_t)((sizeof(*th) + optlen) >> 2);
	if (flags & TH_ACK)
		th->th_ack = htonl(tp->rcv_nxt);
	win = tcp_rcvwin(tp);
	if (flags & TH_SYN) {
		win = MIN(win, TCP_MAXWIN);	/* never scaled (RFC 7323 2.2) */
	} else {
		win >>= tp->rcv_scale;
		win = MIN(win, TCP_MAXWIN);
	}
	th->th_win = htons((uint16_t)win);
	if (SEQ_GT(tp->snd_up, seq) && (flags & TH_ACK)) {
		uint32_t urp = (uint32_t)(tp->snd_up - seq);

		th->th_urp = htons((uint16_t)MIN(urp, 65535));
		flags |= TH_URG;
		st->sndurg++;
	}
	th->th_flags = (uint8_t)flags;
	if (optlen > 0)
		tcp_addoptions(&to, (uint8_t *)(th + 1));
	if (tcp_loopback(tp)) {
		m->m_pkthdr.csum_flags |= M_CSUM_DATA_OK;
	} else {
		/* always filled in, so captures show it right */
		th->th_sum = in_cksum_chain(m, sizeof(*ip),
		    sizeof(*th) + optlen + len, in_pseudo(inp->inp_laddr,
		    inp->inp_faddr, IPPROTO_TCP,
		    (uint16_t)(sizeof(*th) + optlen + len)));
		m->m_pkthdr.csum_flags |= M_CSUM_STACK;
	}
	if (len > tp->t_maxseg)
		m->m_pkthdr.csum_flags |= M_TSO;

	/* bookkeeping before the packet leaves (lo0 answers at once) */
	st->sndtotal++;
	if (len > 0) {
		if (rexmit) {
			st->sndrexmitpack++;
			st->sndrexmitbyte += len;
			tp->t_retrans++;
			tp->t_total_retrans++;
		} else {
			st->sndpack++;
			st->sndbyte += len;
		}
		tp->t_sndtime = now;
	} else if (flags & (TH_SYN | TH_FIN | TH_RST)) {
		st->sndctrl++;
	} else {
		st->sndacks++;
	}
	end = seq + len + ((flags & TH_SYN) ? 1 : 0) + ((flags & TH_FIN) ? 1 : 0);
	if (flags & TH_FIN)
		tp->t_flags |= TF_SENTFIN;
	if (seq == tp->snd_nxt || SEQ_GT(end, tp->snd_nxt))
		tp->snd_nxt = SEQ_MAX(tp->snd_nxt, end);
	if (SEQ_GT(end, tp->snd_max)) {
		tp->snd_max = end;
		if (tp->t_rtttime == 0 && !rexmit) {
			tp->t_rtttime = now;
			tp->t_rtseq = seq;
			st->segstimed++;
		}
		if (tp->t_starttime == 0)
			tp->t_starttime = now;
	}
	if (end != seq && !tcp_timer_armed(tp, TCPT_REXMT)) {
		tcp_timer_disarm(tp, TCPT_PERSIST);
		tp->t_persistshift = 0;
		tcp_timer_arm(tp, TCPT_REXMT, tcp_rexmtval(tp));
	}
	if (flags & TH_ACK) {
		tp->last_ack_sent = tp->rcv_nxt;
		tp->t_flags &= ~(TF_ACKNOW | TF_DELACK);
	}
	if (!(flags & TH_SYN) && win > 0) {
		tcp_seq adv = tp->rcv_nxt + (win << tp->rcv_scale);

		if (SEQ_GT(adv, tp->rcv_adv))
			tp->rcv_adv = adv;
	} else if (flags & TH_SYN) {
		tp->rcv_adv = tp->rcv_nxt + win;
	}
	return ip_output(ns, m, IP_DONTFRAG);
}

void
tcp_send_ack(struct tcpcb *tp)
{
	tp->t_flags |= TF_ACKNOW;
	(void)tcp_output(tp);
}

/* Would a window update be worth a segment? */
static bool
window_update_due(struct tcpcb *tp)
{
	struct socket *so = tp_socket(tp);
	uint32_t win, open;

	if (so == NULL || !TCPS_HAVERCVDSYN(tp->t_state) ||
	    TCPS_HAVERCVDFIN(tp->t_state))
		return false;
	win = tcp_rcvwin(tp);
	open = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ?
	    (uint32_t)(tp->rcv_adv - tp->rcv_nxt) : 0;
	if (win <= open)
		return false;
	win -= open;
	if (win >= (uint32_t)TCP_MAXWIN << tp->rcv_scale)
		return true;
	return win >= 2 * tp->t_rcvmss || 2 * (size_t)win >= so->so_rcv.sb_hiwat;
}

/* RFC 6675 step C: fill the pipe with retransmissions, then new data. */
static void
sack_output(struct tcpcb *tp)
{
	for (int guard = 0; guard < 1024; guard++) {
		uint32_t pipe = tcp_sack_pipe(tp), len;
		tcp_seq seq;

		if (pipe + tp->t_maxseg > tp->snd_cwnd)
			return;
		if (tcp_sack_nextseg(tp, &seq, &len, false)) {
			tcp_sack_mark_rexmit(tp, seq, len);
			TCP_STAT(tp).sackrexmit++;
			if (tcp_output_seg(tp, seq, len, TH_ACK, true) != 0)
				return;
			continue;
		}
		/* rule 2: new data, when the peer's window has room */
		tcp_seq dend = snd_dbase(tp) + (tcp_seq)tp->t_snd->sb_cc;
		tcp_seq wend = tp->snd_una + tp->snd_wnd;

		seq = tp->snd_max;
		if (SEQ_LT(seq, dend) && SEQ_LT(seq, wend)) {
			len = MIN((uint32_t)(dend - seq), (uint32_t)(wend - seq));
			len = MIN(len, tp->t_maxseg);
			tp->snd_nxt = tp->snd_max;
			if (tcp_output_seg(tp, seq, len, TH_ACK, false) != 0)
				return;
			continue;
		}
		if (tcp_sack_nextseg(tp, &seq, &len, true)) {
			tcp_sack_mark_rexmit(tp, seq, len);
			TCP_STAT(tp).sackrexmit++;
			if (tcp_output_seg(tp, seq, len, TH_ACK, true) != 0)
				return;
			continue;
		}
		return;
	}
}

int
tcp_output(struct tcpcb *tp)
{
	struct sockbuf *sb = tp->t_snd;
	uint32_t sndsize;
	int error = 0;

	if (tp->t_state == TCPS_CLOSED || tp->t_state == TCPS_LISTEN)
		return 0;
	sndsize = tcp_sndsize(tp);
	if (tp->snd_max == tp->snd_una && tp->t_sndtime != 0 &&
	    tcp_now() - tp->t_sndtime > tcp_rexmtval(tp))
		tcp_cc_after_idle(tp);
	if ((tp->t_flags & (TF_FASTRECOVERY | TF_SACK_PERMIT)) ==
	    (TF_FASTRECOVERY | TF_SACK_PERMIT)) {
		sack_output(tp);
		if (!(tp->t_flags & TF_ACKNOW))
			return 0;
		/* an owed ACK (or FIN) still goes out below */
	}
	for (int guard = 0; guard < 65536; guard++) {
		int flags = tcp_outflags[tp->t_state];
		tcp_seq seq = tp->snd_nxt, dbase = snd_dbase(tp);
		tcp_seq dend = dbase + (tcp_seq)sb->sb_cc;
		uint32_t win, avail, len = 0, usable;
		bool syn = false, fin = false, send = false;

		if ((flags & TH_SYN) && seq == tp->iss) {
			syn = true;
		} else {
			flags &= ~TH_SYN;
			if (tp->t_state == TCPS_SYN_RECEIVED)
				flags |= TH_ACK;
		}
		avail = SEQ_LT(seq, dend) ? (uint32_t)(dend - seq) : 0;
		win = MIN(tp->snd_wnd, tp->snd_cwnd);
		usable = SEQ_LT(seq, tp->snd_una + win) ?
		    (uint32_t)(tp->snd_una + win - seq) : 0;
		if (!syn && TCPS_HAVEESTABLISHED(tp->t_state)) {
			/* retransmissions go MSS by MSS */
			len = MIN(MIN(avail, usable), seq == tp->snd_max ?
			    sndsize : tp->t_maxseg);
			/* a partial tail goes alone, under Nagle's rules */
			if (len > tp->t_maxseg)
				len -= len % tp->t_maxseg;
		}
		if (fin_state(tp->t_state) && !syn && seq + len == dend)
			fin = true;

		if (syn) {
			send = true;
		} else if (len > 0) {
			bool all = seq + len == dend;
			/* Nagle as Minshall refined it: no small segment
			 * while an earlier small one is unacknowledged */
			bool idle = SEQ_LEQ(tp->snd_sml, tp->snd_una);
			bool hold = (tp->t_flags & (TF_NOPUSH | TF_MORETOCOME));

			if (len >= tp->t_maxseg)
				send = true;
			else if (all && !hold &&
			    (idle || (tp->t_flags & TF_NODELAY)))
				send = true;
			else if (all && fin)
				send = true;
			else if (tp->max_sndwnd > 0 &&
			    len >= tp->max_sndwnd / 2)
				send = true;
			else if (SEQ_LT(seq, tp->snd_max))
				send = true;
		}
		if (!send && fin)
			send = true;
		if (!send && (tp->t_flags & TF_ACKNOW))
			send = true;
		if (!send && window_update_due(tp)) {
			TCP_STAT(tp).sndwinup++;
			send = true;
		}
		if (!send) {
			/* data waits for a window that is shut: probe it */
			if (avail > 0 && tp->snd_wnd == 0 &&
			    !tcp_timer_armed(tp, TCPT_REXMT) &&
			    !tcp_timer_armed(tp, TCPT_PERSIST)) {
				tp->t_persistshift = 0;
				tcp_setpersist(tp);
			}
			break;
		}
		if (fin)
			flags |= TH_FIN;
		if (len > 0 && seq + len == dend)
			flags |= TH_PUSH;
		if (len > 0 && len < tp->t_maxseg)
			tp->snd_sml = seq + len;
		error = tcp_output_seg(tp, seq, len, flags,
		    SEQ_LT(seq, tp->snd_max));
		if (error != 0)
			break;
		/* keep going while full segments fit */
		if (len == 0 || syn || fin)
			break;
	}
	return error;
}

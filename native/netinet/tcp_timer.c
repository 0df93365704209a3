/*
 * TCP timers: retransmission (RFC 6298), persist (zero-window probes),
 * keepalive, 2MSL (TIME_WAIT and orphaned FIN_WAIT_2) and delayed ACK.
 *
 * Each timer is a deadline in the tcpcb and a callout.  Moving a deadline
 * later (what every ACK does to the retransmission timer) only writes the
 * deadline: the callout fires at the old time, sees the new deadline and
 * re-arms itself.  So the per-segment cost is a store, and the timer
 * thread is woken about once per timeout, not once per packet.
 */
#include "sys/systm.h"
#include "sys/socketvar.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_var.h"

int64_t
tcp_now(void)
{
	return mono_ns();
}

bool
tcp_timer_armed(const struct tcpcb *tp, int which)
{
	return tp->t_deadline[which] != 0;
}

void
tcp_timer_arm(struct tcpcb *tp, int which, int64_t delay)
{
	struct callout *c = &tp->t_timer[which];
	int64_t now = tcp_now(), dl = now + delay;

	if (dl == 0)
		dl = 1;
	tp->t_deadline[which] = dl;
	if (!callout_pending(c) || c->c_time > dl)
		(void)callout_reset(tp->t_ns, c, delay);
}

void
tcp_timer_disarm(struct tcpcb *tp, int which)
{
	/* the callout stays: it will find no deadline and do nothing */
	tp->t_deadline[which] = 0;
}

void
tcp_timer_stopall(struct tcpcb *tp)
{
	for (int i = 0; i < TCPT_NTIMERS; i++) {
		tp->t_deadline[i] = 0;
		callout_stop(tp->t_ns, &tp->t_timer[i]);
	}
}

/* The callout fired: is the deadline really here? */
static bool
timer_due(struct tcpcb *tp, int which)
{
	int64_t dl = tp->t_deadline[which], now;

	if (dl == 0)
		return false;
	now = tcp_now();
	if (dl > now) {
		(void)callout_reset(tp->t_ns, &tp->t_timer[which], dl - now);
		return false;
	}
	tp->t_deadline[which] = 0;
	return true;
}

int64_t
tcp_rexmtval(const struct tcpcb *tp)
{
	int64_t rto = tp->t_rxtcur;

	for (int i = 0; i < tp->t_rxtshift && rto < TCP_RTO_MAX; i++)
		rto *= 2;
	return MIN(rto, TCP_RTO_MAX);
}

void
tcp_rtt_update(struct tcpcb *tp, int64_t rtt)
{
	int64_t rto;

	if (rtt < 1000)
		rtt = 1000;		/* one microsecond: a sample, not "none" */
	TCP_STAT(tp).rttupdated++;
	if (tp->t_srtt == 0) {
		tp->t_srtt = rtt;
		tp->t_rttvar = rtt / 2;
	} else {
		int64_t delta = tp->t_srtt - rtt;

		if (delta < 0)
			delta = -delta;
		tp->t_rttvar = (3 * tp->t_rttvar + delta) / 4;
		tp->t_srtt = (7 * tp->t_srtt + rtt) / 8;
	}
	rto = tp->t_srtt + MAX(TCP_NS_MS, 4 * tp->t_rttvar);
	tp->t_rxtcur = MIN(MAX(rto, TCP_RTO_MIN), TCP_RTO_MAX);
	tp->t_rxtshift = 0;
}

void
tcp_keep_reset(struct tcpcb *tp)
{
	if (tp->t_state < TCPS_ESTABLISHED)
		return;
	tcp_timer_arm(tp, TCPT_KEEP, (int64_t)tp->t_keepidle * TCP_NS_S);
}

/* ------------------------------------------------------------ handlers */

static bool
user_timeout_passed(struct tcpcb *tp)
{
	return tp->t_user_timeout > 0 && tp->t_starttime != 0 &&
	    tcp_now() - tp->t_starttime >= tp->t_user_timeout;
}

static void
tcp_timer_rexmt(void *arg)
{
	struct tcpcb *tp = arg;
	int limit;

	if (!timer_due(tp, TCPT_REXMT))
		return;
	if (tp->t_state == TCPS_SYN_SENT)
		limit = TCP_SYN_RETRIES;
	else if (tp->t_state == TCPS_SYN_RECEIVED)
		limit = TCP_SYNACK_RETRIES;
	else
		limit = TCP_MAXRXTSHIFT;
	if (tp->t_rxtshift >= limit || user_timeout_passed(tp)) {
		TCP_STAT(tp).timeoutdrop++;
		(void)tcp_drop(tp, tp->t_softerror ? tp->t_softerror : ETIMEDOUT);
		return;
	}
	if (tp->snd_wnd == 0 && tp->t_state >= TCPS_ESTABLISHED) {
		/* the peer's window is shut: probing, not loss */
		tp->snd_nxt = tp->snd_una;
		tp->t_persistshift = 0;
		tcp_setpersist(tp);
		return;
	}
	TCP_STAT(tp).rexmttimeo++;
	if (tp->t_state == TCPS_SYN_SENT || tp->t_state == TCPS_SYN_RECEIVED)
		TCP_STAT(tp).retransmitted_syn++;
	tp->t_rxtshift++;
	/* Karn: no RTT sample from a retransmitted segment */
	tp->t_rtttime = 0;
	if (tp->t_state >= TCPS_ESTABLISHED)
		tcp_cc_timeout(tp);
	tcp_sack_clear(tp);
	tp->snd_nxt = tp->snd_una;
	tp->t_dupacks = 0;
	tp->t_retrans = 0;
	tcp_timer_arm(tp, TCPT_REXMT, tcp_rexmtval(tp));
	(void)tcp_output(tp);
}

static void
tcp_timer_persist(void *arg)
{
	struct tcpcb *tp = arg;

	if (!timer_due(tp, TCPT_PERSIST))
		return;
	TCP_STAT(tp).persisttimeo++;
	if (user_timeout_passed(tp)) {
		(void)tcp_drop(tp, ETIMEDOUT);
		return;
	}
	if (tp->t_probes++ >= TCP_MAXRXTSHIFT) {
		TCP_STAT(tp).timeoutdrop++;
		(void)tcp_drop(tp, ETIMEDOUT);
		return;
	}
	/* probe the window: an ACK that the peer must answer */
	TCP_STAT(tp).sndprobe++;
	tcp_respond(tp->t_ns, tp, tp->t_inpcb->inp_laddr, tp->t_inpcb->inp_lport,
	    tp->t_inpcb->inp_faddr, tp->t_inpcb->inp_fport, tp->snd_una - 1,
	    tp->rcv_nxt, TH_ACK);
	if (tp->t_persistshift < TCP_MAXRXTSHIFT)
		tp->t_persistshift++;
	tcp_setpersist(tp);
}

static void
tcp_timer_keep(void *arg)
{
	struct tcpcb *tp = arg;
	struct socket *so = tp_socket(tp);
	int64_t idle, keepidle;

	if (!timer_due(tp, TCPT_KEEP))
		return;
	keepidle = (int64_t)tp->t_keepidle * TCP_NS_S;
	if (tp->t_state < TCPS_ESTABLISHED || tp->t_state > TCPS_CLOSE_WAIT ||
	    so == NULL || !(so->so_options & SOO_KEEPALIVE)) {
		tcp_keep_reset(tp);
		return;
	}
	idle = tcp_now() - tp->t_rcvtime;
	if (idle < keepidle && tp->t_keepprobes == 0) {
		tcp_timer_arm(tp, TCPT_KEEP, keepidle - idle);
		return;
	}
	TCP_STAT(tp).keeptimeo++;
	if (tp->t_keepprobes >= tp->t_keepcnt) {
		TCP_STAT(tp).keepdrops++;
		(void)tcp_drop(tp, ETIMEDOUT);
		return;
	}
	TCP_STAT(tp).keepprobe++;
	tp->t_keepprobes++;
	tcp_respond(tp->t_ns, tp, tp->t_inpcb->inp_laddr, tp->t_inpcb->inp_lport,
	    tp->t_inpcb->inp_faddr, tp->t_inpcb->inp_fport, tp->snd_una - 1,
	    tp->rcv_nxt, TH_ACK);
	tcp_timer_arm(tp, TCPT_KEEP, (int64_t)tp->t_keepintvl * TCP_NS_S);
}

static void
tcp_timer_2msl(void *arg)
{
	struct tcpcb *tp = arg;

	if (!timer_due(tp, TCPT_2MSL))
		return;
	if (tp->t_state == TCPS_FIN_WAIT_2 && !(tp->t_flags & TF_ORPHAN))
		return;		/* the user may still wait for the peer */
	(void)tcp_close(tp);
}

static void
tcp_timer_delack(void *arg)
{
	struct tcpcb *tp = arg;

	if (!timer_due(tp, TCPT_DELACK))
		return;
	if (tp->t_flags & TF_DELACK) {
		TCP_STAT(tp).delack++;
		tp->t_flags |= TF_ACKNOW;
		(void)tcp_output(tp);
	}
}

void
tcp_timer_init(struct tcpcb *tp)
{
	static void (*const fn[TCPT_NTIMERS])(void *) = {
		[TCPT_REXMT] = tcp_timer_rexmt,
		[TCPT_PERSIST] = tcp_timer_persist,
		[TCPT_KEEP] = tcp_timer_keep,
		[TCPT_2MSL] = tcp_timer_2msl,
		[TCPT_DELACK] = tcp_timer_delack,
	};

	for (int i = 0; i < TCPT_NTIMERS; i++) {
		callout_init(&tp->t_timer[i], fn[i], tp);
		tp->t_deadline[i] = 0;
	}
}

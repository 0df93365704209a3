/*
 * Congestion control: RFC 5681 slow start and congestion avoidance with
 * byte counting (RFC 3465, L = 2 SMSS), NewReno fast recovery (RFC 6582)
 * for peers without SACK, and the RFC 6675 variant (cwnd = ssthresh, the
 * pipe decides what is sent) for peers with it.  tcp_input decides when
 * recovery starts and ends; this file only does the arithmetic.
 */
#include "sys/systm.h"
#include "netinet/tcp_var.h"

#define CWND_MAX	(64u << 20)
#define SSTHRESH_INF	0x7fffffffu

uint32_t
tcp_flightsize(const struct tcpcb *tp)
{
	return (uint32_t)(tp->snd_max - tp->snd_una);
}

/*
 * Initial window: 10 segments as Linux (RFC 6928 caps it at 14600 bytes
 * for large segments; on lo0's 64 KiB segments that cap would cost round
 * trips for nothing: loss there is impossible).
 */
static uint32_t
initial_window(const struct tcpcb *tp)
{
	return 10 * tp->t_maxseg;
}

void
tcp_cc_init(struct tcpcb *tp)
{
	tp->snd_cwnd = initial_window(tp);
	tp->snd_ssthresh = SSTHRESH_INF;
	tp->t_bytes_acked = 0;
	tp->t_ca_state = TCP_CA_Open;
}

void
tcp_cc_ack(struct tcpcb *tp, uint32_t acked)
{
	uint32_t mss = tp->t_maxseg;

	if (tp->snd_cwnd < tp->snd_ssthresh) {
		tp->snd_cwnd += MIN(acked, 2 * mss);
	} else {
		tp->t_bytes_acked += acked;
		if (tp->t_bytes_acked >= tp->snd_cwnd) {
			tp->t_bytes_acked -= tp->snd_cwnd;
			tp->snd_cwnd += mss;
		}
	}
	if (tp->snd_cwnd > CWND_MAX)
		tp->snd_cwnd = CWND_MAX;
	if ((tp->t_flags & TF_CONGRECOVERY) &&
	    SEQ_GEQ(tp->snd_una, tp->snd_recover))
		tp->t_flags &= ~TF_CONGRECOVERY;
	if (!(tp->t_flags & (TF_FASTRECOVERY | TF_CONGRECOVERY)))
		tp->t_ca_state = TCP_CA_Open;
}

static uint32_t
half_flight(const struct tcpcb *tp)
{
	return MAX(tcp_flightsize(tp) / 2, 2 * tp->t_maxseg);
}

void
tcp_cc_enter_recovery(struct tcpcb *tp)
{
	tp->snd_ssthresh = half_flight(tp);
	tp->snd_recover = tp->snd_max;
	if (tp->t_flags & TF_SACK_PERMIT)
		tp->snd_cwnd = tp->snd_ssthresh;
	else
		tp->snd_cwnd = tp->snd_ssthresh + 3 * tp->t_maxseg;
	tp->t_bytes_acked = 0;
	tp->t_flags |= TF_FASTRECOVERY;
	tp->t_ca_state = TCP_CA_Recovery;
	tp->sack_bytes_rexmit = 0;
}

void
tcp_cc_dupack_inflate(struct tcpcb *tp)
{
	if (tp->snd_cwnd < CWND_MAX)
		tp->snd_cwnd += tp->t_maxseg;
}

bool
tcp_cc_recovery_ack(struct tcpcb *tp, tcp_seq ack, uint32_t acked)
{
	uint32_t mss = tp->t_maxseg;

	if (SEQ_GEQ(ack, tp->snd_recover)) {
		/* full acknowledgment (RFC 6582 3.2 step 3, option 1) */
		uint32_t flight = (uint32_t)(tp->snd_max - ack);

		tp->snd_cwnd = MIN(tp->snd_ssthresh, MAX(flight, mss) + mss);
		tp->t_flags &= ~TF_FASTRECOVERY;
		tp->t_ca_state = TCP_CA_Open;
		tp->t_dupacks = 0;
		return true;
	}
	if (!(tp->t_flags & TF_SACK_PERMIT)) {
		/* partial: deflate by what was acknowledged, add one back */
		if (tp->snd_cwnd > acked)
			tp->snd_cwnd -= acked;
		else
			tp->snd_cwnd = mss;
		if (acked >= mss)
			tp->snd_cwnd += mss;
	}
	return false;
}

void
tcp_cc_timeout(struct tcpcb *tp)
{
	tp->snd_ssthresh = half_flight(tp);
	tp->snd_cwnd = tp->t_maxseg;		/* the loss window */
	tp->t_bytes_acked = 0;
	tp->snd_recover = tp->snd_max;
	tp->t_flags &= ~TF_FASTRECOVERY;
	tp->t_flags |= TF_CONGRECOVERY;
	tp->t_dupacks = 0;
	tp->t_ca_state = TCP_CA_Loss;
}

void
tcp_cc_after_idle(struct tcpcb *tp)
{
	/* RFC 5681 4.1: restart from the initial window after an RTO idle */
	uint32_t rw = initial_window(tp);

	if (tp->snd_cwnd > rw)
		tp->snd_cwnd = rw;
}

/*
 * TCP's protocol switch entries: what the socket layer asks of TCP
 * (attach, bind, listen, connect, send, close ...) and the TCP-level
 * socket options, with Linux's values, limits and errors.
 */
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"
#include "netinet/tcp_var.h"

static struct tcpcb *
so_tcpcb(struct socket *so)
{
	struct inpcb *inp = sotoinpcb(so);

	return inp != NULL ? intotcpcb(inp) : NULL;
}

static void
request_options(struct tcpcb *tp)
{
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;
	struct socket *so = tp_socket(tp);
	size_t maxbuf = TCP_RCVBUF_MAX;

	tp->t_flags &= ~(TF_REQ_SCALE | TF_REQ_TSTMP | TF_REQ_SACK);
	if (so != NULL && !(so->so_rcv.sb_flags & SB_AUTOSIZE))
		maxbuf = so->so_rcv.sb_hiwat;
	if (ts->ts_do_wscale) {
		tp->t_flags |= TF_REQ_SCALE;
		tp->request_r_scale = tcp_rcv_scale(maxbuf);
	}
	if (ts->ts_do_tstmp)
		tp->t_flags |= TF_REQ_TSTMP;
	if (ts->ts_do_sack)
		tp->t_flags |= TF_REQ_SACK;
}

int
tcp_usr_attach(struct socket *so, int proto)
{
	struct netstate *ns = so->so_ns;
	struct inet_state *is = ns->ns_inet;
	struct tcpcb *tp;
	int error;

	if (proto != 0 && proto != IPPROTO_TCP)
		return EPROTONOSUPPORT;
	if (is->is_tcp == NULL && (error = tcp_init(ns)) != 0)
		return error;
	/* (a listener's child gets the listener's sizes in tcp_input) */
	error = sbreserve(&so->so_snd, TCP_SNDBUF_DEF);
	if (error == 0)
		error = sbreserve(&so->so_rcv, TCP_RCVBUF_DEF);
	so->so_snd.sb_flags |= SB_AUTOSIZE;
	so->so_rcv.sb_flags |= SB_AUTOSIZE;
	if (error != 0)
		return error;
	if ((error = in_pcballoc(so, is->is_tcbtable)) != 0)
		return error;
	if ((tp = tcp_newtcpcb(sotoinpcb(so))) == NULL) {
		in_pcbdetach(sotoinpcb(so));
		so->so_pcb = NULL;
		return ENOBUFS;
	}
	request_options(tp);
	return 0;
}

/* Free the tcpcb and the inpcb of a socket whose connection is over. */
static void
tcp_discard(struct socket *so, struct tcpcb *tp)
{
	struct inpcb *inp = sotoinpcb(so);

	if (tp != NULL)
		tcp_freetcpcb(tp);
	in_pcbdetach(inp);
	so->so_pcb = NULL;
}

/*
 * The user gives up the connection (close or disconnect): RST when
 * SO_LINGER is 0 or unread data would be lost (as Linux, RFC 2525 2.17),
 * otherwise our FIN follows the data.  Returns the tcpcb if it lives on.
 */
static struct tcpcb *
tcp_disconnect(struct socket *so, struct tcpcb *tp)
{
	if (tp->t_state < TCPS_ESTABLISHED && tp->t_state != TCPS_SYN_RECEIVED)
		return tcp_close(tp);
	if (((so->so_options & SOO_LINGER) && so->so_linger == 0) ||
	    so->so_rcv.sb_cc > 0) {
		sbflush(&so->so_rcv);
		return tcp_drop(tp, 0);
	}
	if (tp->t_flags & TF_NEEDFIN)
		return tp;
	soisdisconnecting(so);
	if ((tp = tcp_usrclosed(tp)) != NULL)
		(void)tcp_output(tp);
	return tp;
}

void
tcp_usr_detach(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (sotoinpcb(so) == NULL)
		return;
	if (tp == NULL || tp->t_state == TCPS_CLOSED ||
	    tp->t_state == TCPS_LISTEN) {
		tcp_discard(so, tp);
		return;
	}
	if (tp->t_state != TCPS_TIME_WAIT) {
		tp = tcp_disconnect(so, tp);
		if (tp == NULL || tp->t_state == TCPS_CLOSED) {
			if (so->so_pcb != NULL)
				tcp_discard(so, so_tcpcb(so));
			return;
		}
	}
	tcp_orphan(tp);
}

int
tcp_usr_disconnect(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL)
		return ENOTCONN;
	(void)tcp_disconnect(so, tp);
	return 0;
}

struct tcpcb *
tcp_usrclosed(struct tcpcb *tp)
{
	struct socket *so = tp_socket(tp);

	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		return tcp_close(tp);
	case TCPS_SYN_RECEIVED:
		/* the FIN goes once the handshake is complete */
		tp->t_flags |= TF_NEEDFIN;
		return tp;
	case TCPS_ESTABLISHED:
		tcp_set_state(tp, TCPS_FIN_WAIT_1);
		break;
	case TCPS_CLOSE_WAIT:
		tcp_set_state(tp, TCPS_LAST_ACK);
		break;
	default:
		break;
	}
	tp->t_flags |= TF_NEEDFIN;
	if (so != NULL && tp->t_state >= TCPS_FIN_WAIT_2)
		soisdisconnected(so);
	return tp;
}

int
tcp_usr_shutdown(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL || tp->t_state == TCPS_CLOSED)
		return ENOTCONN;	/* Linux says so, and still shuts */
	if (tp->t_state == TCPS_LISTEN || tp->t_state == TCPS_SYN_SENT)
		return 0;
	if (tp->t_flags & TF_NEEDFIN)
		return 0;
	if ((tp = tcp_usrclosed(tp)) != NULL)
		(void)tcp_output(tp);
	return 0;
}

void
tcp_usr_abort(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp != NULL && tp->t_state != TCPS_CLOSED)
		(void)tcp_drop(tp, ECONNABORTED);
}

static int
check_sin(const struct sockaddr *nam, socklen_t len)
{
	if (nam == NULL || len < sizeof(struct sockaddr_in))
		return EINVAL;
	if (nam->sa_family != AF_INET)
		return EAFNOSUPPORT;
	return 0;
}

int
tcp_usr_bind(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	int error;

	if (inp == NULL)
		return EINVAL;
	if ((error = check_sin(nam, len)) != 0)
		return error;
	return in_pcbbind(inp, (const struct sockaddr_in *)(const void *)nam,
	    so->so_cred);
}

int
tcp_usr_listen(struct socket *so)
{
	struct inpcb *inp = sotoinpcb(so);
	struct tcpcb *tp = so_tcpcb(so);
	int error;

	if (tp == NULL)
		return EINVAL;
	if (tp->t_state != TCPS_CLOSED && tp->t_state != TCPS_LISTEN)
		return EINVAL;
	if (inp->inp_lport == 0 &&
	    (error = in_pcbbind(inp, NULL, so->so_cred)) != 0)
		return error;
	tcp_set_state(tp, TCPS_LISTEN);
	return 0;
}

/* A fresh tcpcb for another connection attempt, keeping the options. */
static struct tcpcb *
tcp_renew(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	uint32_t flags = tp->t_flags & (TF_NODELAY | TF_NOPUSH | TF_QUICKACK);
	int idle = tp->t_keepidle, intvl = tp->t_keepintvl, cnt = tp->t_keepcnt;
	int64_t uto = tp->t_user_timeout;
	uint32_t umss = tp->t_usermss;

	tcp_freetcpcb(tp);
	if ((tp = tcp_newtcpcb(inp)) == NULL)
		return NULL;
	tp->t_flags |= flags;
	tp->t_keepidle = idle;
	tp->t_keepintvl = intvl;
	tp->t_keepcnt = cnt;
	tp->t_user_timeout = uto;
	tp->t_usermss = umss;
	request_options(tp);
	return tp;
}

int
tcp_usr_connect(struct socket *so, const struct sockaddr *nam, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	struct tcpcb *tp = so_tcpcb(so);
	struct netstate *ns = so->so_ns;
	struct tcp_state *ts = ns->ns_inet->is_tcp;
	int error;

	if (tp == NULL)
		return EINVAL;
	if ((error = check_sin(nam, len)) != 0)
		return error;
	if (tp->t_state == TCPS_LISTEN)
		return EISCONN;
	if (tp->t_state == TCPS_SYN_SENT)
		return EALREADY;
	if (tp->t_state != TCPS_CLOSED)
		return EISCONN;
	if (tp->iss != 0 || tp->t_flags & TF_WASRESET) {
		/* a failed attempt before: start from a clean block */
		if ((tp = tcp_renew(tp)) == NULL)
			return ENOBUFS;
	}
	error = in_pcbconnect(inp, (const struct sockaddr_in *)(const void *)nam,
	    so->so_cred);
	if (error != 0)
		return error;
	request_options(tp);
	tp->t_advmss = tcp_mss_route(ns, inp->inp_faddr);
	if (tp->t_usermss != 0)
		tp->t_advmss = MIN(tp->t_advmss, tp->t_usermss);
	tp->t_maxseg = MIN(tp->t_advmss, TCP_MSS_DEF);
	tp->ts_offset = tcp_new_tsoffset(ts, inp->inp_laddr, inp->inp_faddr);
	tp->iss = tcp_new_iss(ts, inp->inp_laddr, inp->inp_lport,
	    inp->inp_faddr, inp->inp_fport);
	if (tp->iss == 0)
		tp->iss = 1;	/* 0 means "never connected" above */
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tp->snd_up = tp->snd_recover = tp->snd_sml = tp->iss;
	tp->t_sndcache = NULL;
	tcp_sack_init(tp);
	tp->t_rcvtime = tcp_now();
	soisconnecting(so);
	tcp_set_state(tp, TCPS_SYN_SENT);
	TCP_STAT(tp).connattempt++;
	return tcp_output(tp);
}

int
tcp_usr_accept(struct socket *so)
{
	return so_tcpcb(so) != NULL ? 0 : ECONNABORTED;
}

void
tcp_usr_rcvd(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL || tp->t_state < TCPS_SYN_RECEIVED ||
	    tp->t_state == TCPS_TIME_WAIT)
		return;
	if (so->so_rcv.sb_cc == 0)
		tp->t_flags |= TF_RCVDRAINED;
	(void)tcp_output(tp);
}

int
tcp_usr_send(struct socket *so, struct mbuf *m, const struct sockaddr *nam,
    socklen_t namlen, struct mbuf *control, int flags)
{
	struct tcpcb *tp = so_tcpcb(so);
	struct sockbuf *sb;
	int error;

	(void)nam;
	(void)namlen;
	m_freem(control);
	if (tp == NULL || tp->t_state == TCPS_CLOSED ||
	    tp->t_state == TCPS_LISTEN) {
		m_freem(m);
		return tp != NULL && (tp->t_flags & TF_WASRESET) ? EPIPE :
		    ENOTCONN;
	}
	if (TCPS_SENTFIN(tp->t_state) || (tp->t_flags & TF_NEEDFIN)) {
		m_freem(m);
		return EPIPE;
	}
	sb = tp->t_snd;
	if (tp->t_sndcache != NULL && tp->t_sndcache == sb->sb_mbtail)
		tp->t_sndcache = NULL;
	sbappendstream(sb, m);
	if (flags & MSG_OOB) {
		/* Linux's urgent pointer: just past the last byte sent */
		tp->snd_up = (SEQ_GT(tp->snd_una, tp->iss) ? tp->snd_una :
		    tp->iss + 1) + (tcp_seq)sb->sb_cc;
	}
	if (flags & MSG_MORE)
		tp->t_flags |= TF_MORETOCOME;
	error = tcp_output(tp);
	tp->t_flags &= ~TF_MORETOCOME;
	return error == ENOBUFS ? 0 : error;
}

static int
fill_sin(struct sockaddr *sa, socklen_t *lenp, struct in_addr addr,
    uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr;
	sin.sin_port = port;
	memcpy(sa, &sin, MIN((size_t)*lenp, sizeof(sin)));
	*lenp = sizeof(sin);
	return 0;
}

int
tcp_usr_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct inpcb *inp = sotoinpcb(so);

	if (inp == NULL)
		return fill_sin(sa, lenp, (struct in_addr){ 0 }, 0);
	return fill_sin(sa, lenp, inp->inp_laddr, inp->inp_lport);
}

int
tcp_usr_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct inpcb *inp = sotoinpcb(so);
	struct tcpcb *tp = so_tcpcb(so);

	if (inp == NULL || tp == NULL || inp->inp_fport == 0 ||
	    tp->t_state == TCPS_CLOSED || tp->t_state == TCPS_LISTEN ||
	    tp->t_state == TCPS_SYN_SENT || tp->t_state == TCPS_TIME_WAIT)
		return ENOTCONN;
	return fill_sin(sa, lenp, inp->inp_faddr, inp->inp_fport);
}

/* ------------------------------------------------------------ options */

static const uint8_t linux_state[TCP_NSTATES] = {
	[TCPS_CLOSED] = TCP_CLOSE,
	[TCPS_LISTEN] = TCP_LISTEN,
	[TCPS_SYN_SENT] = TCP_SYN_SENT,
	[TCPS_SYN_RECEIVED] = TCP_SYN_RECV,
	[TCPS_ESTABLISHED] = TCP_ESTABLISHED,
	[TCPS_CLOSE_WAIT] = TCP_CLOSE_WAIT,
	[TCPS_FIN_WAIT_1] = TCP_FIN_WAIT1,
	[TCPS_CLOSING] = TCP_CLOSING,
	[TCPS_LAST_ACK] = TCP_LAST_ACK,
	[TCPS_FIN_WAIT_2] = TCP_FIN_WAIT2,
	[TCPS_TIME_WAIT] = TCP_TIME_WAIT,
};

static uint32_t
ns_to_ms(int64_t ns)
{
	return ns <= 0 ? 0 : (uint32_t)MIN(ns / TCP_NS_MS, (int64_t)UINT32_MAX);
}

static uint32_t
ns_to_us(int64_t ns)
{
	return ns <= 0 ? 0 : (uint32_t)MIN(ns / 1000, (int64_t)UINT32_MAX);
}

static void
tcp_fill_info(struct tcpcb *tp, struct tcp_info *ti)
{
	struct socket *so = tp_socket(tp);
	uint32_t mss = tp->t_maxseg ? tp->t_maxseg : TCP_MSS_DEF;
	int64_t now = tcp_now();

	memset(ti, 0, sizeof(*ti));
	/* a socket its connection left in TIME_WAIT is closed, as Linux says */
	ti->tcpi_state = tp->t_state == TCPS_TIME_WAIT ? TCP_CLOSE :
	    linux_state[tp->t_state];
	ti->tcpi_ca_state = tp->t_ca_state;
	ti->tcpi_retransmits = (uint8_t)tp->t_rxtshift;
	ti->tcpi_probes = (uint8_t)tp->t_probes;
	ti->tcpi_backoff = (uint8_t)tp->t_rxtshift;
	if (tp->t_flags & TF_RCVD_TSTMP)
		ti->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->t_flags & TF_SACK_PERMIT)
		ti->tcpi_options |= TCPI_OPT_SACK;
	if (tp->t_flags & TF_RCVD_SCALE) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_snd_wscale = tp->snd_scale & 0xf;
		ti->tcpi_rcv_wscale = tp->rcv_scale & 0xf;
	}
	ti->tcpi_rto = ns_to_us(tcp_rexmtval(tp));
	ti->tcpi_ato = ns_to_us(TCP_DELACK_TIME);
	ti->tcpi_snd_mss = mss;
	ti->tcpi_rcv_mss = tp->t_rcvmss;
	ti->tcpi_unacked = (uint32_t)(tp->snd_max - tp->snd_una + mss - 1) / mss;
	if (tp->t_state == TCPS_LISTEN && so != NULL) {
		/* Linux reports the accept queue here for listeners */
		ti->tcpi_unacked = (uint32_t)so->so_qlen;
		ti->tcpi_sacked = (uint32_t)so->so_qlimit;
	} else {
		ti->tcpi_sacked = tcp_sack_sacked_bytes(tp) / mss;
	}
	ti->tcpi_retrans = tp->t_retrans;
	if (tp->t_sndtime)
		ti->tcpi_last_data_sent = ns_to_ms(now - tp->t_sndtime);
	if (tp->t_rcvdatatime)
		ti->tcpi_last_data_recv = ns_to_ms(now - tp->t_rcvdatatime);
	if (tp->t_rcvtime)
		ti->tcpi_last_ack_recv = ns_to_ms(now - tp->t_rcvtime);
	ti->tcpi_pmtu = tp->t_advmss + 40;
	ti->tcpi_rcv_ssthresh = tcp_rcvwin(tp);
	ti->tcpi_rtt = ns_to_us(tp->t_srtt);
	ti->tcpi_rttvar = ns_to_us(tp->t_rttvar);
	ti->tcpi_snd_ssthresh = tp->snd_ssthresh >= 0x7fffffffu ? 0x7fffffffu :
	    tp->snd_ssthresh / mss;
	ti->tcpi_snd_cwnd = tp->snd_cwnd / mss;
	ti->tcpi_advmss = tp->t_advmss;
	ti->tcpi_reordering = 3;
	ti->tcpi_rcv_space = so != NULL ? (uint32_t)so->so_rcv.sb_hiwat : 0;
	ti->tcpi_total_retrans = tp->t_total_retrans;
}

static int
get_int(void *val, socklen_t *lenp, int v)
{
	socklen_t n = MIN(*lenp, (socklen_t)sizeof(int));

	memcpy(val, &v, n);
	*lenp = n;
	return 0;
}

static int
tcp_getopt(struct tcpcb *tp, int name, void *val, socklen_t *lenp)
{
	struct tcp_info ti;

	switch (name) {
	case TCP_NODELAY:
		return get_int(val, lenp, (tp->t_flags & TF_NODELAY) != 0);
	case TCP_CORK:
		return get_int(val, lenp, (tp->t_flags & TF_NOPUSH) != 0);
	case TCP_MAXSEG:
		if (tp->t_usermss != 0 && (tp->t_state == TCPS_CLOSED ||
		    tp->t_state == TCPS_LISTEN))
			return get_int(val, lenp, (int)tp->t_usermss);
		return get_int(val, lenp, (int)tp->t_maxseg);
	case TCP_KEEPIDLE:
		return get_int(val, lenp, tp->t_keepidle);
	case TCP_KEEPINTVL:
		return get_int(val, lenp, tp->t_keepintvl);
	case TCP_KEEPCNT:
		return get_int(val, lenp, tp->t_keepcnt);
	case TCP_USER_TIMEOUT:
		return get_int(val, lenp, (int)(tp->t_user_timeout / TCP_NS_MS));
	case TCP_QUICKACK:
		return get_int(val, lenp, (tp->t_flags & TF_QUICKACK) != 0);
	case TCP_INFO:
		tcp_fill_info(tp, &ti);
		*lenp = MIN(*lenp, (socklen_t)sizeof(ti));
		memcpy(val, &ti, *lenp);
		return 0;
	default:
		return ENOPROTOOPT;
	}
}

static int
tcp_setopt(struct tcpcb *tp, int name, const void *val, socklen_t len)
{
	int v;

	if (len < sizeof(int))
		return EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case TCP_NODELAY:
		if (v) {
			tp->t_flags |= TF_NODELAY;
			(void)tcp_output(tp);	/* what Nagle held goes now */
		} else {
			tp->t_flags &= ~TF_NODELAY;
		}
		return 0;
	case TCP_CORK:
		if (v) {
			tp->t_flags |= TF_NOPUSH;
		} else {
			tp->t_flags &= ~TF_NOPUSH;
			(void)tcp_output(tp);
		}
		return 0;
	case TCP_MAXSEG:
		if (v != 0 && (v < TCP_MSS_MIN || v > 32767))
			return EINVAL;
		tp->t_usermss = (uint32_t)v;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > 32767)
			return EINVAL;
		tp->t_keepidle = v;
		tcp_keep_reset(tp);
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return EINVAL;
		tp->t_keepintvl = v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return EINVAL;
		tp->t_keepcnt = v;
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return EINVAL;
		tp->t_user_timeout = (int64_t)v * TCP_NS_MS;
		return 0;
	case TCP_QUICKACK:
		if (v) {
			tp->t_flags |= TF_QUICKACK;
			if (tp->t_flags & TF_DELACK)
				tcp_send_ack(tp);
		} else {
			tp->t_flags &= ~TF_QUICKACK;
		}
		return 0;
	default:
		return ENOPROTOOPT;
	}
}

int
tcp_ctloutput(int op, struct socket *so, int level, int name, void *val,
    socklen_t *lenp)
{
	struct inpcb *inp = sotoinpcb(so);
	struct tcpcb *tp = so_tcpcb(so);

	if (inp == NULL || tp == NULL)
		return EINVAL;
	if (level == IPPROTO_IP)
		return ip_ctloutput(op, so, level, name, val, lenp);
	if (level != IPPROTO_TCP)
		return ENOPROTOOPT;
	if (op == SOPT_GET)
		return tcp_getopt(tp, name, val, lenp);
	return tcp_setopt(tp, name, val, *lenp);
}

int
tcp_usr_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	struct tcpcb *tp = so_tcpcb(so);
	int v;

	switch (cmd) {
	case SIOCATMARK:
		v = so->so_oobmark_valid && so->so_oobmark == 0;
		break;
	case SIOCOUTQ:
		v = tp != NULL && tp->t_state != TCPS_LISTEN ?
		    (int)tp->t_snd->sb_cc : 0;
		break;
	case SIOCOUTQNSD:
		if (tp == NULL || tp->t_state == TCPS_LISTEN) {
			v = 0;
		} else {
			tcp_seq dbase = SEQ_GT(tp->snd_una, tp->iss) ?
			    tp->snd_una : tp->iss + 1;
			tcp_seq dend = dbase + (tcp_seq)tp->t_snd->sb_cc;

			v = SEQ_GT(dend, tp->snd_max) ?
			    (int)(dend - SEQ_MAX(tp->snd_max, dbase)) : 0;
		}
		break;
	default:
		return in_ioctl(so, cmd, data);	/* FIONREAD */
	}
	memcpy(data, &v, sizeof(v));
	return 0;
}

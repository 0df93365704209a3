/*
 * TCP inside one kernel: the connection block (tcpcb), the per-kernel TCP
 * state, and the interfaces between the tcp_*.c files.  Everything runs
 * with the kernel's ns_lock held.
 *
 * A tcpcb hangs off an inpcb (inp_ppcb) whose socket may be gone: a
 * connection the user closed lives on without a socket ("orphan") until
 * its FIN exchange and TIME_WAIT are over.  The socket layer's send buffer
 * then moves into the tcpcb (t_orphansnd), so output reads from
 * t_snd in every case.
 */
#ifndef NETINET_TCP_VAR_H
#define NETINET_TCP_VAR_H

#include <sys/queue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sys/systm.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_seq.h"
#include "netinet/tcp_fsm.h"

struct mbuf;
struct inpcb;
struct ifnet;

/* ------------------------------------------------------------ options */

#define TCP_MAXSACK	4		/* blocks a SACK option can carry */
#define TCP_MAXOLEN	40		/* option bytes a header can carry */

struct sackblk {
	tcp_seq		start, end;	/* [start, end) */
};

/* The options of one segment: parsed on input, requested on output. */
struct tcpopt {
	unsigned	to_flags;	/* TOF_* */
	uint16_t	to_mss;
	uint8_t		to_wscale;
	uint8_t		to_nsacks;
	uint32_t	to_tsval, to_tsecr;
	struct sackblk	to_sacks[TCP_MAXSACK];
};
#define TOF_MSS		0x01
#define TOF_SCALE	0x02
#define TOF_SACKPERM	0x04
#define TOF_TS		0x08
#define TOF_SACK	0x10

/*
 * Parse len option bytes.  MSS, window scale and SACK-permitted count only
 * on a SYN; a malformed option ends the parse (what came before stands).
 */
void	tcp_dooptions(struct tcpopt *to, const uint8_t *cp, size_t len,
	    bool syn);
/* Option bytes tcp_addoptions will write (a multiple of 4, <= 40). */
size_t	tcp_optlen(const struct tcpopt *to);
/* Write the options, padded to a multiple of 4; returns the length. */
size_t	tcp_addoptions(const struct tcpopt *to, uint8_t *buf);

/* ------------------------------------------------------------ SACK */

/* Sender's scoreboard (RFC 6675): the holes below the highest SACK. */
struct sackhole {
	TAILQ_ENTRY(sackhole) sh_link;
	tcp_seq		sh_start, sh_end;	/* not SACKed */
	tcp_seq		sh_rxmit;		/* [start, rxmit) retransmitted */
};
TAILQ_HEAD(sackholes, sackhole);
#define TCP_MAXHOLES	256		/* per connection; more are ignored */

/* ------------------------------------------------------------ timers */

#define TCPT_REXMT	0		/* retransmission (RFC 6298) */
#define TCPT_PERSIST	1		/* zero-window probe */
#define TCPT_KEEP	2		/* keepalive */
#define TCPT_2MSL	3		/* TIME_WAIT, orphaned FIN_WAIT_2 */
#define TCPT_DELACK	4		/* delayed ACK */
#define TCPT_NTIMERS	5

#define TCP_NS_MS	1000000LL
#define TCP_NS_S	1000000000LL
#define TCP_RTO_MIN	(200 * TCP_NS_MS)	/* as Linux, not RFC 6298's 1 s */
#define TCP_RTO_MAX	(120 * TCP_NS_S)
#define TCP_RTO_INIT	(1 * TCP_NS_S)
#define TCP_DELACK_TIME	(40 * TCP_NS_MS)
#define TCP_MAXRXTSHIFT	15		/* data retransmissions, as Linux's retries2 */
#define TCP_SYN_RETRIES	6		/* as Linux: ~127 s */
#define TCP_SYNACK_RETRIES 5
#define TCP_MSL_DEFAULT	(15 * TCP_NS_S)	/* TIME_WAIT: 30 s */
#define TCP_FIN2_TIME	(60 * TCP_NS_S)	/* orphaned FIN_WAIT_2, as Linux */
#define TCP_KEEPIDLE_DEF 7200		/* seconds */
#define TCP_KEEPINTVL_DEF 75
#define TCP_KEEPCNT_DEF	9
#define TCP_PERSMAX	(60 * TCP_NS_S)

/* ------------------------------------------------------------ buffers */

#define TCP_SNDBUF_DEF	16384		/* Linux's tcp_wmem[1] */
#define TCP_RCVBUF_DEF	131072		/* Linux's tcp_rmem[1] */
#define TCP_SNDBUF_MAX	(4u << 20)	/* auto-tuning limits */
#define TCP_RCVBUF_MAX	(4u << 20)
#define TCP_MSS_DEF	536		/* RFC 9293: without an MSS option */
#define TCP_MSS_MIN	88		/* Linux's floor for TCP_MAXSEG */

/* ------------------------------------------------------------ tcpcb */

struct tcpcb {
	LIST_ENTRY(tcpcb) t_all;	/* tcp_state's list, for halt */
	struct inpcb	*t_inpcb;
	struct netstate	*t_ns;
	int		t_state;	/* TCPS_* */
	uint32_t	t_flags;	/* TF_* */
	struct sockbuf	*t_snd;		/* &so->so_snd, or t_orphansnd */
	struct sockbuf	t_orphansnd;

	/* timers: a deadline each; the callout may fire early (lazy re-arm) */
	struct callout	t_timer[TCPT_NTIMERS];
	int64_t		t_deadline[TCPT_NTIMERS];	/* mono ns, 0 = off */
	int		t_rxtshift;	/* backoffs so far */
	int		t_persistshift;
	int		t_probes;	/* window probes without an answer */
	int		t_keepprobes;	/* sent without an answer */
	int64_t		t_rcvtime;	/* last segment received (keepalive) */
	int64_t		t_sndtime;	/* last data sent (idle restart) */
	int64_t		t_rcvdatatime;	/* last data received (TCP_INFO) */
	int64_t		t_starttime;	/* the first unacknowledged transmission */

	/* send sequence space (RFC 9293 3.3.1) */
	tcp_seq		iss;
	tcp_seq		snd_una;	/* oldest unacknowledged */
	tcp_seq		snd_nxt;	/* next to send */
	tcp_seq		snd_max;	/* highest sent + 1 */
	tcp_seq		snd_wl1, snd_wl2;	/* segment that last set snd_wnd */
	tcp_seq		snd_up;		/* urgent pointer */
	tcp_seq		snd_sml;	/* end of the last small segment (Nagle) */
	uint32_t	snd_wnd;	/* peer's window, scaled */
	uint32_t	max_sndwnd;

	/* receive sequence space */
	tcp_seq		irs;
	tcp_seq		rcv_nxt;
	tcp_seq		rcv_adv;	/* right edge we advertised */
	tcp_seq		rcv_up;
	tcp_seq		last_ack_sent;
	uint32_t	t_rcvmss;	/* largest segment seen (delayed ACKs) */
	uint32_t	t_quickacks;	/* segments still to ACK at once */

	/* congestion control (RFC 5681, 6582) */
	uint32_t	snd_cwnd;
	uint32_t	snd_ssthresh;
	uint32_t	t_bytes_acked;	/* congestion avoidance byte count */
	tcp_seq		snd_recover;	/* recovery ends when this is acked */
	int		t_dupacks;

	/* round-trip time (RFC 6298), nanoseconds */
	int64_t		t_srtt;		/* 0: no sample yet */
	int64_t		t_rttvar;
	int64_t		t_rxtcur;	/* current RTO without backoff */
	int64_t		t_rtttime;	/* when t_rtseq was sent, 0 = not timing */
	tcp_seq		t_rtseq;

	/* segment sizes */
	uint32_t	t_maxseg;	/* payload per segment we send */
	uint32_t	t_peermss;	/* peer's MSS option */
	uint32_t	t_advmss;	/* what we announced */
	uint32_t	t_usermss;	/* TCP_MAXSEG, 0 = none */

	/* window scaling and timestamps (RFC 7323) */
	uint8_t		snd_scale, rcv_scale;
	uint8_t		request_r_scale, requested_s_scale;
	uint32_t	ts_recent;	/* peer's latest TSval */
	int64_t		ts_recent_age;	/* when it was taken */
	uint32_t	ts_offset;	/* our TSval = ms clock + offset */

	/* SACK (RFC 2018, 6675) */
	struct sackholes snd_holes;
	int		snd_nholes;
	tcp_seq		snd_fack;	/* highest SACKed + 1 */
	uint32_t	sack_bytes_rexmit;
	struct sackblk	rcv_sacks[TCP_MAXSACK];	/* most recent first */
	int		rcv_nsacks;

	/* out-of-order segments, bounded by the receive buffer */
	TAILQ_HEAD(tseghead, tseg) t_segq;
	size_t		t_segqcharge;	/* bytes charged */
	unsigned	t_segqlen;

	/* user options */
	int		t_keepidle, t_keepintvl, t_keepcnt;	/* seconds, count */
	int64_t		t_user_timeout;	/* TCP_USER_TIMEOUT, ns, 0 = none */
	int		t_linger2;

	/* urgent data (one byte, as Linux) */
	uint8_t		t_iobc;		/* the byte taken out of band */
	bool		t_haveoob;

	/* statistics for TCP_INFO */
	uint32_t	t_retrans;	/* segments retransmitted, unacked */
	uint32_t	t_total_retrans;
	uint8_t		t_ca_state;	/* TCP_CA_* as Linux reports it */
	uint8_t		t_softerror;	/* ICMP error seen while connecting */

	/* position cache: the send-buffer mbuf holding byte t_sndcache_off */
	struct mbuf	*t_sndcache;
	size_t		t_sndcache_off;	/* its first byte, from snd_una */
};

/* t_flags */
#define TF_ACKNOW	0x00000001	/* send an ACK at once */
#define TF_DELACK	0x00000002	/* an ACK is owed, delayed */
#define TF_NODELAY	0x00000004	/* no Nagle */
#define TF_NOPUSH	0x00000008	/* TCP_CORK */
#define TF_SENTFIN	0x00000010	/* FIN was sent */
#define TF_REQ_SCALE	0x00000020	/* we asked for window scaling */
#define TF_RCVD_SCALE	0x00000040	/* the peer agreed */
#define TF_REQ_TSTMP	0x00000080
#define TF_RCVD_TSTMP	0x00000100
#define TF_SACK_PERMIT	0x00000200	/* both sides do SACK */
#define TF_REQ_SACK	0x00000400
#define TF_FASTRECOVERY	0x00000800	/* NewReno or SACK recovery */
#define TF_ORPHAN	0x00001000	/* no socket any more */
#define TF_NEEDFIN	0x00002000	/* the user shut down sending */
#define TF_MORETOCOME	0x00004000	/* MSG_MORE: hold a partial segment */
#define TF_CONGRECOVERY	0x00008000	/* after an RTO, until snd_recover */
#define TF_WASRESET	0x00010000
#define TF_LQ		0x00020000	/* embryonic, counted in ts_embryonic */
#define TF_PREVVALID	0x00040000
#define TF_QUICKACK	0x00080000	/* TCP_QUICKACK */
#define TF_RCVDRAINED	0x00100000	/* the reader emptied the buffer */

#define TCP_STAT(tp)	((tp)->t_ns->ns_inet->is_tcpstat)
#define tp_socket(tp)	((tp)->t_inpcb->inp_socket)
#define intotcpcb(inp)	((struct tcpcb *)(inp)->inp_ppcb)
#define sototcpcb(so)	(intotcpcb(sotoinpcb(so)))

/* One queued out-of-order segment. */
struct tseg {
	TAILQ_ENTRY(tseg) ts_link;
	tcp_seq		ts_seq;
	uint32_t	ts_len;		/* data bytes */
	bool		ts_fin;
	struct mbuf	*ts_m;		/* data only */
	size_t		ts_charge;
};

/* ------------------------------------------------------------ kernel */

struct tcp_state {
	uint8_t		ts_secret[16];	/* RFC 6528 ISN and timestamp offsets */
	LIST_HEAD(, tcpcb) ts_all;
	unsigned	ts_ncb;
	unsigned	ts_embryonic;	/* SYN_RECEIVED children of all listeners */
	unsigned	ts_max_embryonic;
	unsigned	ts_orphans;
	int64_t		ts_msl;		/* ns; TIME_WAIT = 2 * MSL */
	int64_t		ts_challenge_sec;	/* RFC 5961 section 7 limit */
	unsigned	ts_challenge_n;
	bool		ts_do_sack, ts_do_tstmp, ts_do_wscale;
};
#define TCP_CHALLENGE_LIMIT	1000	/* challenge ACKs a second, as Linux */
#define TCP_EMBRYONIC_MAX	4096	/* kernel-wide */

/* tcp_subr.c */
int	tcp_init(struct netstate *ns);
void	tcp_fini(struct netstate *ns);
struct tcpcb *tcp_newtcpcb(struct inpcb *inp);
void	tcp_freetcpcb(struct tcpcb *tp);
/* The connection ends: NULL when the tcpcb was freed. */
struct tcpcb *tcp_close(struct tcpcb *tp);
/* Reset it (RST when synchronized) and report error; tcp_close's result. */
struct tcpcb *tcp_drop(struct tcpcb *tp, int error);
void	tcp_set_state(struct tcpcb *tp, int state);
/* A bare segment (RST or ACK) toward addresses, outside any send window. */
void	tcp_respond(struct netstate *ns, struct tcpcb *tp,
	    struct in_addr src, uint16_t sport, struct in_addr dst,
	    uint16_t dport, tcp_seq seq, tcp_seq ack, int flags);
tcp_seq	tcp_new_iss(struct tcp_state *ts, struct in_addr la, uint16_t lp,
	    struct in_addr fa, uint16_t fp);
uint32_t tcp_new_tsoffset(struct tcp_state *ts, struct in_addr la,
	    struct in_addr fa);
uint32_t tcp_ts_now(const struct tcpcb *tp);
/* Maximum segment size from the route's MTU (what we advertise). */
uint32_t tcp_mss_route(struct netstate *ns, struct in_addr faddr);
/* Effective send MSS once the peer's offer is known. */
void	tcp_mss_update(struct tcpcb *tp);
/* Our window scale so that the largest buffer fits (RFC 7323). */
uint8_t	tcp_rcv_scale(size_t maxbuf);
void	tcp_enter_timewait(struct tcpcb *tp);
/* The user is gone: keep the connection going without its socket. */
void	tcp_orphan(struct tcpcb *tp);
/* The peer's FIN or reset ends reading; errors for the socket. */
void	tcp_notify(struct tcpcb *tp, int error);
int64_t	tcp_now(void);
/* Grow the send buffer with the window (SB_AUTOSIZE). */
void	tcp_sndbuf_autosize(struct tcpcb *tp);

/* tcp_input.c */
/* bytes we may announce as our receive window */
uint32_t tcp_rcvwin(struct tcpcb *tp);

/* tcp_output.c */
int	tcp_output(struct tcpcb *tp);
/* One segment of [seq, seq + len) from the send buffer with flags. */
int	tcp_output_seg(struct tcpcb *tp, tcp_seq seq, uint32_t len, int flags,
	    bool rexmit);
void	tcp_setpersist(struct tcpcb *tp);
/* An ACK now (window update, duplicate ACK, challenge ACK). */
void	tcp_send_ack(struct tcpcb *tp);
void	tcp_sndcache_drop(struct tcpcb *tp, size_t acked);

/* tcp_timer.c */
void	tcp_timer_init(struct tcpcb *tp);
void	tcp_timer_arm(struct tcpcb *tp, int which, int64_t delay_ns);
void	tcp_timer_disarm(struct tcpcb *tp, int which);
void	tcp_timer_stopall(struct tcpcb *tp);
bool	tcp_timer_armed(const struct tcpcb *tp, int which);
/* The RTO with backoff applied. */
int64_t	tcp_rexmtval(const struct tcpcb *tp);
void	tcp_rtt_update(struct tcpcb *tp, int64_t rtt);
/* The keepalive, idle timeout and FIN_WAIT_2 timer from settings. */
void	tcp_keep_reset(struct tcpcb *tp);

/* tcp_sack.c */
void	tcp_sack_init(struct tcpcb *tp);
void	tcp_sack_clear(struct tcpcb *tp);	/* forget the scoreboard */
/* Apply the SACK blocks of an ACK (after snd_una moved to ack). */
void	tcp_sack_update(struct tcpcb *tp, const struct tcpopt *to, tcp_seq ack);
/* RFC 6675 IsLost for the first unacknowledged byte. */
bool	tcp_sack_islost_una(const struct tcpcb *tp);
/* RFC 6675 pipe: bytes believed in flight. */
uint32_t tcp_sack_pipe(const struct tcpcb *tp);
/*
 * RFC 6675 NextSeg rules 1 and 3: the next retransmission within one
 * segment; false when none (new data is then the caller's rule 2).
 */
bool	tcp_sack_nextseg(struct tcpcb *tp, tcp_seq *seqp, uint32_t *lenp,
	    bool rule3);
void	tcp_sack_mark_rexmit(struct tcpcb *tp, tcp_seq seq, uint32_t len);
uint32_t tcp_sack_sacked_bytes(const struct tcpcb *tp);
/* Receiver side: a segment [start, end) was queued out of order. */
void	tcp_sack_rcv_add(struct tcpcb *tp, tcp_seq start, tcp_seq end);
/* rcv_nxt moved: drop blocks below it. */
void	tcp_sack_rcv_trim(struct tcpcb *tp);

/* tcp_congctl.c: NewReno (RFC 5681, 6582) with RFC 6675 recovery */
void	tcp_cc_init(struct tcpcb *tp);
/* new data acknowledged (not during recovery) */
void	tcp_cc_ack(struct tcpcb *tp, uint32_t acked);
void	tcp_cc_enter_recovery(struct tcpcb *tp);
/* an ACK during recovery; true: recovery is over */
bool	tcp_cc_recovery_ack(struct tcpcb *tp, tcp_seq ack, uint32_t acked);
void	tcp_cc_dupack_inflate(struct tcpcb *tp);
void	tcp_cc_timeout(struct tcpcb *tp);
void	tcp_cc_after_idle(struct tcpcb *tp);
uint32_t tcp_flightsize(const struct tcpcb *tp);

/* tcp_reass.c */
/*
 * Take an out-of-order segment (m: data only, consumed).  Returns false
 * when it could not be queued (memory bound or allocation).
 */
bool	tcp_reass_insert(struct tcpcb *tp, tcp_seq seq, uint32_t len,
	    bool fin, struct mbuf *m);
/*
 * Segments now in order at rcv_nxt: deliver into the receive buffer (or
 * free them when nobody reads); returns the FIN flag if one was reached.
 */
bool	tcp_reass_deliver(struct tcpcb *tp, struct sockbuf *sb);
void	tcp_reass_flush(struct tcpcb *tp);

/* tcp_usrreq.c: the protocol switch entries (netinet/in_proto.c) */
int	tcp_usr_attach(struct socket *so, int proto);
void	tcp_usr_detach(struct socket *so);
int	tcp_usr_bind(struct socket *so, const struct sockaddr *nam,
	    socklen_t len);
int	tcp_usr_listen(struct socket *so);
int	tcp_usr_connect(struct socket *so, const struct sockaddr *nam,
	    socklen_t len);
int	tcp_usr_accept(struct socket *so);
int	tcp_usr_disconnect(struct socket *so);
int	tcp_usr_shutdown(struct socket *so);
void	tcp_usr_abort(struct socket *so);
void	tcp_usr_rcvd(struct socket *so);
int	tcp_usr_send(struct socket *so, struct mbuf *m,
	    const struct sockaddr *nam, socklen_t namlen, struct mbuf *control,
	    int flags);
int	tcp_usr_sockaddr(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
int	tcp_usr_peeraddr(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
int	tcp_ctloutput(int op, struct socket *so, int level, int name,
	    void *val, socklen_t *lenp);
int	tcp_usr_ioctl(struct socket *so, unsigned long cmd, void *data);
/* The closing sequence: our FIN follows the data (RFC 9293 CLOSE). */
struct tcpcb *tcp_usrclosed(struct tcpcb *tp);

#endif

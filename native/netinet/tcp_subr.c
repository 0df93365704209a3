/*
 * TCP support: the per-kernel state, creating and ending connection
 * blocks, initial sequence numbers (RFC 6528), bare segments (RST and
 * ACK), segment sizes, TIME_WAIT and orphans, and ICMP errors.
 */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/tcp_var.h"

int
tcp_init(struct netstate *ns)
{
	struct rump_kernel *k = ns->ns_kernel;
	struct tcp_state *ts;
	size_t got = 0;

	if ((ts = kmem_zalloc(k, sizeof(*ts))) == NULL)
		return ENOMEM;
	if (rumpuser_getrandom(ts->ts_secret, sizeof(ts->ts_secret), 0,
	    &got) != 0 || got != sizeof(ts->ts_secret)) {
		/* still unpredictable enough for ISNs: the clock */
		int64_t t = mono_ns();

		memcpy(ts->ts_secret, &t, sizeof(t));
		memcpy(ts->ts_secret + 8, &ts, sizeof(ts));
	}
	LIST_INIT(&ts->ts_all);
	ts->ts_msl = TCP_MSL_DEFAULT;
	ts->ts_max_embryonic = TCP_EMBRYONIC_MAX;
	ts->ts_do_sack = ts->ts_do_tstmp = ts->ts_do_wscale = true;
	ns->ns_inet->is_tcp = ts;
	return 0;
}

void
tcp_fini(struct netstate *ns)
{
	struct tcp_state *ts = ns->ns_inet->is_tcp;
	struct tcpcb *tp;

	if (ts == NULL)
		return;
	/*
	 * What is left: orphans, TIME_WAIT, sockets the layer above kept.
	 * The timer thread is gone, but the callout heap must lose their
	 * entries before it is torn down: that takes ns_lock.  Packets
	 * still queued for input then find no TCP (is_tcp is NULL).
	 */
	net_lock(ns);
	while ((tp = LIST_FIRST(&ts->ts_all)) != NULL) {
		struct inpcb *inp = tp->t_inpcb;
		struct socket *so = inp->inp_socket;

		if (so != NULL) {
			so->so_pcb = NULL;
			inp->inp_socket = NULL;
		}
		tcp_freetcpcb(tp);
		in_pcbdetach(inp);
	}
	memset(ts->ts_secret, 0, sizeof(ts->ts_secret));
	kmem_free(ns->ns_kernel, ts, sizeof(*ts));
	ns->ns_inet->is_tcp = NULL;
	net_unlock(ns);
}

struct tcpcb *
tcp_newtcpcb(struct inpcb *inp)
{
	struct netstate *ns = inp->inp_table->it_ns;
	struct tcp_state *ts = ns->ns_inet->is_tcp;
	struct tcpcb *tp;

	if ((tp = kmem_zalloc(ns->ns_kernel, sizeof(*tp))) == NULL)
		return NULL;
	tp->t_inpcb = inp;
	tp->t_ns = ns;
	tp->t_state = TCPS_CLOSED;
	tp->t_snd = inp->inp_socket != NULL ? &inp->inp_socket->so_snd :
	    &tp->t_orphansnd;
	tcp_timer_init(tp);
	TAILQ_INIT(&tp->t_segq);
	tcp_sack_init(tp);
	tp->t_rxtcur = TCP_RTO_INIT;
	tp->t_maxseg = TCP_MSS_DEF;
	tp->t_rcvmss = TCP_MSS_DEF;
	tp->t_keepidle = TCP_KEEPIDLE_DEF;
	tp->t_keepintvl = TCP_KEEPINTVL_DEF;
	tp->t_keepcnt = TCP_KEEPCNT_DEF;
	tp->t_ca_state = TCP_CA_Open;
	tcp_cc_init(tp);
	inp->inp_ppcb = tp;
	LIST_INSERT_HEAD(&ts->ts_all, tp, t_all);
	ts->ts_ncb++;
	return tp;
}

/* Release what the tcpcb holds and the tcpcb itself (not the inpcb). */
void
tcp_freetcpcb(struct tcpcb *tp)
{
	struct netstate *ns = tp->t_ns;
	struct tcp_state *ts = ns->ns_inet->is_tcp;

	tcp_set_state(tp, TCPS_CLOSED);
	tcp_timer_stopall(tp);
	tcp_reass_flush(tp);
	tcp_sack_clear(tp);
	if (tp->t_flags & TF_ORPHAN) {
		sbflush(&tp->t_orphansnd);
		ts->ts_orphans--;
	}
	LIST_REMOVE(tp, t_all);
	ts->ts_ncb--;
	tp->t_inpcb->inp_ppcb = NULL;
	kmem_free(ns->ns_kernel, tp, sizeof(*tp));
}

void
tcp_set_state(struct tcpcb *tp, int state)
{
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;

	if ((tp->t_flags & TF_LQ) && state != TCPS_SYN_RECEIVED) {
		tp->t_flags &= ~TF_LQ;
		ts->ts_embryonic--;
	}
	tp->t_state = state;
}

struct tcpcb *
tcp_close(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	struct socket *so = inp->inp_socket;

	TCP_STAT(tp).closed++;
	tcp_set_state(tp, TCPS_CLOSED);
	tcp_timer_stopall(tp);
	tcp_reass_flush(tp);
	tcp_sack_clear(tp);
	if (so == NULL || so->so_onq0) {
		/* nobody will ever look: an orphan or an embryonic child */
		if (so != NULL) {
			so->so_pcb = NULL;
			inp->inp_socket = NULL;
		}
		tcp_freetcpcb(tp);
		in_pcbdetach(inp);
		if (so != NULL)
			sofree(so);
		return NULL;
	}
	/*
	 * The socket stays with a closed tcpcb, as Linux keeps a socket in
	 * state CLOSE: its local name stands (getsockname), its peer is gone.
	 * (Linux also gives the port back; here it stays bound until close.)
	 */
	if (inp->inp_connected) {
		inp->inp_faddr.s_addr = INADDR_ANY;
		inp->inp_fport = 0;
		in_pcbrehash(inp);
	}
	soisdisconnected(so);
	return tp;
}

struct tcpcb *
tcp_drop(struct tcpcb *tp, int error)
{
	struct socket *so = tp_socket(tp);

	if (TCPS_HAVERCVDSYN(tp->t_state)) {
		struct inpcb *inp = tp->t_inpcb;

		tcp_respond(tp->t_ns, tp, inp->inp_laddr, inp->inp_lport,
		    inp->inp_faddr, inp->inp_fport, tp->snd_nxt, tp->rcv_nxt,
		    TH_RST | TH_ACK);
		TCP_STAT(tp).drops++;
	} else {
		TCP_STAT(tp).conndrops++;
	}
	if (so != NULL && error != 0)
		so->so_error = error;
	return tcp_close(tp);
}

void
tcp_notify(struct tcpcb *tp, int error)
{
	struct socket *so = tp_socket(tp);

	if (so == NULL)
		return;
	so->so_error = error;
	sorwakeup(so);
	sowwakeup(so);
}

/* ------------------------------------------------------------ ISN */

#define ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static void
sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL64(v[1], 13); v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3]; v[3] = ROTL64(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL64(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL64(v[1], 17); v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* SipHash-2-4 of a 16-byte message: the keyed function RFC 6528 asks for. */
static uint64_t
siphash16(const uint8_t key[16], const uint8_t msg[16])
{
	uint64_t k0 = le64(key), k1 = le64(key + 8), v[4], m;

	v[0] = 0x736f6d6570736575ULL ^ k0;
	v[1] = 0x646f72616e646f6dULL ^ k1;
	v[2] = 0x6c7967656e657261ULL ^ k0;
	v[3] = 0x7465646279746573ULL ^ k1;
	for (int i = 0; i < 2; i++) {
		m = le64(msg + 8 * i);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}
	m = (uint64_t)16 << 56;
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static uint64_t
tuple_hash(struct tcp_state *ts, uint8_t tag, struct in_addr la, uint16_t lp,
    struct in_addr fa, uint16_t fp)
{
	uint8_t msg[16] = { 0 };

	memcpy(msg, &la, 4);
	memcpy(msg + 4, &fa, 4);
	memcpy(msg + 8, &lp, 2);
	memcpy(msg + 10, &fp, 2);
	msg[12] = tag;
	return siphash16(ts->ts_secret, msg);
}

tcp_seq
tcp_new_iss(struct tcp_state *ts, struct in_addr la, uint16_t lp,
    struct in_addr fa, uint16_t fp)
{
	/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4 microsecond clock */
	return (tcp_seq)(mono_ns() / 4000) +
	    (tcp_seq)tuple_hash(ts, 1, la, lp, fa, fp);
}

uint32_t
tcp_new_tsoffset(struct tcp_state *ts, struct in_addr la, struct in_addr fa)
{
	/* per address pair, so that PAWS holds across connections */
	return (uint32_t)tuple_hash(ts, 2, la, 0, fa, 0);
}

uint32_t
tcp_ts_now(const struct tcpcb *tp)
{
	return (uint32_t)(mono_ns() / TCP_NS_MS) + tp->ts_offset;
}

/* ------------------------------------------------------------ sizes */

uint32_t
tcp_mss_route(struct netstate *ns, struct in_addr faddr)
{
	struct rtentry *rt;
	unsigned mtu = 576;

	if (in_localaddr(ns, faddr) && ns->ns_loif != NULL)
		mtu = ns->ns_loif->if_mtu;
	else if ((rt = rt_lookup(ns, faddr)) != NULL && rt->rt_ifp != NULL)
		mtu = rt->rt_ifp->if_mtu;
	if (mtu > 65535)
		mtu = 65535;
	if (mtu < TCP_MSS_MIN + 40)
		mtu = TCP_MSS_MIN + 40;
	return mtu - (unsigned)(sizeof(struct ip) + sizeof(struct tcphdr));
}

void
tcp_mss_update(struct tcpcb *tp)
{
	uint32_t mss = tp->t_peermss ? tp->t_peermss : TCP_MSS_DEF;

	mss = MIN(mss, tp->t_advmss ? tp->t_advmss :
	    tcp_mss_route(tp->t_ns, tp->t_inpcb->inp_faddr));
	if (tp->t_usermss != 0)
		mss = MIN(mss, tp->t_usermss);
	if (tp->t_flags & TF_RCVD_TSTMP)
		mss -= 12;		/* the timestamp option in every segment */
	if (mss < 64)
		mss = 64;
	tp->t_maxseg = mss;
}

uint8_t
tcp_rcv_scale(size_t maxbuf)
{
	uint8_t s = 0;

	while (s < TCP_MAX_WINSHIFT && ((size_t)TCP_MAXWIN << s) < maxbuf)
		s++;
	return s;
}

void
tcp_sndbuf_autosize(struct tcpcb *tp)
{
	struct socket *so = tp_socket(tp);
	size_t want;

	if (so == NULL || !(so->so_snd.sb_flags & SB_AUTOSIZE))
		return;
	/* two windows' worth: one in flight, one being filled */
	want = 2 * (size_t)MAX(tp->snd_cwnd, tp->snd_wnd);
	want = MIN(want, TCP_SNDBUF_MAX);
	if (want > so->so_snd.sb_hiwat) {
		(void)sbreserve(&so->so_snd, want);
		sowwakeup(so);
	}
}

/* ------------------------------------------------------------ segments */

void
tcp_respond(struct netstate *ns, struct tcpcb *tp, struct in_addr src,
    uint16_t sport, struct in_addr dst, uint16_t dport, tcp_seq seq,
    tcp_seq ack, int flags)
{
	struct tcpopt to = { 0 };
	size_t optlen = 0, hlen;
	struct mbuf *m;
	struct ip *ip;
	struct tcphdr *th;
	uint32_t win = 0;

	if (tp != NULL && (tp->t_flags & TF_RCVD_TSTMP) &&
	    (tp->t_flags & TF_REQ_TSTMP)) {
		to.to_flags = TOF_TS;
		to.to_tsval = tcp_ts_now(tp);
		to.to_tsecr = tp->ts_recent;
		optlen = tcp_optlen(&to);
	}
	hlen = sizeof(*ip) + sizeof(*th) + optlen;
	if ((m = m_gethdr(ns->ns_kernel, MAX_LINKHDR, hlen)) == NULL)
		return;
	m->m_len = (uint32_t)hlen;
	m->m_pkthdr.len = (uint32_t)hlen;
	memset(m->m_data, 0, hlen);
	ip = mtod(m, struct ip *);
	th = (struct tcphdr *)(ip + 1);
	ip->ip_v = 4;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_ttl = tp != NULL && tp->t_inpcb->inp_ttl ?
	    tp->t_inpcb->inp_ttl : IPDEFTTL;
	ip->ip_tos = tp != NULL ? tp->t_inpcb->inp_tos : 0;
	ip->ip_p = IPPROTO_TCP;
	ip->ip_src = src;
	ip->ip_dst = dst;
	th->th_sport = sport;
	th->th_dport = dport;
	th->th_seq = htonl(seq);
	th->th_ack = (flags & TH_ACK) ? htonl(ack) : 0;
	th->th_off = (uint8_t)((sizeof(*th) + optlen) >> 2);
	th->th_flags = (uint8_t)flags;
	if (tp != NULL && !(flags & TH_RST)) {
		win = tcp_rcvwin(tp) >> tp->rcv_scale;
		if (win > TCP_MAXWIN)
			win = TCP_MAXWIN;
	}
	th->th_win = htons((uint16_t)win);
	if (optlen > 0)
		tcp_addoptions(&to, (uint8_t *)(th + 1));
	th->th_sum = in_cksum_chain(m, sizeof(*ip), sizeof(*th) + optlen,
	    in_pseudo(src, dst, IPPROTO_TCP, (uint16_t)(sizeof(*th) + optlen)));
	if (flags & TH_RST)
		ns->ns_inet->is_tcpstat.outrsts++;
	else
		ns->ns_inet->is_tcpstat.sndacks++;
	ns->ns_inet->is_tcpstat.sndtotal++;
	if (tp != NULL && (flags & TH_ACK)) {
		tp->last_ack_sent = ack;
		if (!(flags & TH_RST))
			tp->t_flags &= ~(TF_ACKNOW | TF_DELACK);
	}
	(void)ip_output(ns, m, IP_DONTFRAG);
}

/* ------------------------------------------------------------ endings */

void
tcp_enter_timewait(struct tcpcb *tp)
{
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;
	struct socket *so = tp_socket(tp);

	tcp_set_state(tp, TCPS_TIME_WAIT);
	for (int i = 0; i < TCPT_NTIMERS; i++)
		tcp_timer_disarm(tp, i);
	tcp_timer_arm(tp, TCPT_2MSL, 2 * ts->ts_msl);
	tcp_reass_flush(tp);
	tcp_sack_clear(tp);
	if (so != NULL)
		soisdisconnected(so);
}

void
tcp_orphan(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	struct socket *so = inp->inp_socket;
	struct tcp_state *ts = tp->t_ns->ns_inet->is_tcp;

	KASSERT(so != NULL);
	/* the unsent and unacknowledged data stays with the connection */
	tp->t_orphansnd.sb_mb = so->so_snd.sb_mb;
	tp->t_orphansnd.sb_lastrecord = so->so_snd.sb_lastrecord;
	tp->t_orphansnd.sb_mbtail = so->so_snd.sb_mbtail;
	tp->t_orphansnd.sb_cc = so->so_snd.sb_cc;
	tp->t_orphansnd.sb_mbcnt = so->so_snd.sb_mbcnt;
	tp->t_orphansnd.sb_hiwat = so->so_snd.sb_hiwat;
	tp->t_orphansnd.sb_mbmax = so->so_snd.sb_mbmax;
	so->so_snd.sb_mb = so->so_snd.sb_lastrecord = so->so_snd.sb_mbtail = NULL;
	so->so_snd.sb_cc = 0;
	so->so_snd.sb_mbcnt = 0;
	tp->t_snd = &tp->t_orphansnd;
	tp->t_flags |= TF_ORPHAN;
	ts->ts_orphans++;
	/* what arrives from now on is nobody's: reassembly is pointless */
	tcp_reass_flush(tp);
	if (so->so_options & SOO_REUSEADDR)
		inp->inp_flags |= INP_REUSEADDR;
	inp->inp_socket = NULL;
	so->so_pcb = NULL;
	if (tp->t_state == TCPS_FIN_WAIT_2)
		tcp_timer_arm(tp, TCPT_2MSL, TCP_FIN2_TIME);
}

/* ------------------------------------------------------------ ICMP */

void
tcp_ctlinput(struct netstate *ns, int cmd, const struct ip *inner, size_t len)
{
	struct inet_state *is = ns->ns_inet;
	size_t hl;
	uint16_t sport, dport;
	uint32_t seq;
	struct inpcb *inp;
	struct tcpcb *tp;
	const uint8_t *p;

	if (inner == NULL || is == NULL || is->is_tcp == NULL ||
	    len < sizeof(struct ip))
		return;
	hl = (size_t)inner->ip_hl << 2;
	if (hl < sizeof(struct ip) || len < hl + 8)
		return;
	p = (const uint8_t *)inner + hl;
	memcpy(&sport, p, 2);
	memcpy(&dport, p + 2, 2);
	memcpy(&seq, p + 4, 4);
	inp = in_pcblookup_connect(is->is_tcbtable, inner->ip_dst, dport,
	    inner->ip_src, sport);
	if (inp == NULL || (tp = intotcpcb(inp)) == NULL)
		return;
	seq = ntohl(seq);
	/* RFC 5927: only errors about data in flight are believed */
	if (!SEQ_INRANGE(seq, tp->snd_una, tp->snd_max) &&
	    !(tp->t_state == TCPS_SYN_SENT && seq == tp->iss))
		return;
	switch (cmd) {
	case PRC_UNREACH_PORT:
		if (tp->t_state == TCPS_SYN_SENT)
			(void)tcp_drop(tp, ECONNREFUSED);
		break;
	case PRC_UNREACH_HOST:
		if (tp->t_state < TCPS_ESTABLISHED)
			tp->t_softerror = EHOSTUNREACH;
		break;
	case PRC_UNREACH_NET:
		if (tp->t_state < TCPS_ESTABLISHED)
			tp->t_softerror = ENETUNREACH;
		break;
	default:
		/* PRC_MSGSIZE: the contract carries no MTU; segments are
		 * sized from the route and sent with DF, see docs/tcp.md */
		break;
	}
}

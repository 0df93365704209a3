/*
 * IP reassembly.  Fragments wait in a queue per (source, destination,
 * id, protocol), sorted by offset, until the datagram is whole or 30 s
 * have passed.  Against memory exhaustion: every queued fragment is
 * charged its real storage against one cap per kernel, and a fragment
 * that would pass it is dropped.  A fragment that overlaps another kills
 * its datagram (as Linux since 4.19 and RFC 5722 for IPv6); an exact
 * duplicate (a duplicating link) is dropped alone.
 */
#include <netinet/ip_icmp.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/ip_var.h"

#define IPQ_BUCKETS	64
#define IPQ_MAXBYTES	(4u << 20)		/* Linux's ipfrag_high_thresh */
#define IPQ_TIMEOUT_NS	(30 * (int64_t)1000000000)

struct ipq {
	LIST_ENTRY(ipq)	q_hash;
	struct netstate	*q_ns;
	struct in_addr	q_src, q_dst;
	uint16_t	q_id;
	uint8_t		q_p;
	bool		q_havelast;
	uint32_t	q_total;	/* payload bytes, once the last came */
	struct mbuf	*q_frags;	/* by offset, through m_nextpkt */
	unsigned	q_nfrags;
	size_t		q_charge;	/* storage held, charged to the cap */
	struct callout	q_timer;
};

struct ipq_state {
	LIST_HEAD(, ipq) iq_hash[IPQ_BUCKETS];
	size_t		iq_bytes;	/* charged, all queues */
	unsigned	iq_nqueues;
	/* limits: tests may lower them (white-box) */
	size_t		iq_maxbytes;
	int64_t		iq_timeout_ns;
};

int
ipq_init(struct netstate *ns)
{
	struct ipq_state *iq;

	if ((iq = kmem_zalloc(ns->ns_kernel, sizeof(*iq))) == NULL)
		return ENOMEM;
	for (int i = 0; i < IPQ_BUCKETS; i++)
		LIST_INIT(&iq->iq_hash[i]);
	iq->iq_maxbytes = IPQ_MAXBYTES;
	iq->iq_timeout_ns = IPQ_TIMEOUT_NS;
	ns_inet(ns)->is_ipq = iq;
	return 0;
}

/* What a packet really holds: its mbufs and their whole storage. */
static size_t
m_truesize(const struct mbuf *m)
{
	size_t n = 0;

	for (; m != NULL; m = m->m_next)
		n += sizeof(*m) + sizeof(struct mext) + m->m_ext->ext_size;
	return n;
}

/* Free a queue and its fragments (the timer is the caller's). */
static void
ipq_free(struct ipq_state *iq, struct ipq *q)
{
	struct mbuf *m;

	while ((m = q->q_frags) != NULL) {
		q->q_frags = m->m_nextpkt;
		m->m_nextpkt = NULL;
		m_freem(m);
	}
	LIST_REMOVE(q, q_hash);
	iq->iq_bytes -= q->q_charge + sizeof(*q);
	iq->iq_nqueues--;
	kmem_free(q->q_ns->ns_kernel, q, sizeof(*q));
}

static void
ipq_drop(struct ipq_state *iq, struct ipq *q)
{
	struct inet_state *is = ns_inet(q->q_ns);

	is->is_ipstat.fragdropped += q->q_nfrags;
	callout_stop(q->q_ns, &q->q_timer);
	ipq_free(iq, q);
}

void
ipq_fini(struct netstate *ns)
{
	struct ipq_state *iq = ns_inet(ns)->is_ipq;
	struct ipq *q;

	if (iq == NULL)
		return;
	/* the timer thread is gone: callouts need no stopping */
	for (int i = 0; i < IPQ_BUCKETS; i++)
		while ((q = LIST_FIRST(&iq->iq_hash[i])) != NULL)
			ipq_free(iq, q);
	kmem_free(ns->ns_kernel, iq, sizeof(*iq));
	ns_inet(ns)->is_ipq = NULL;
}

/* 30 s without the whole datagram: ICMP time exceeded if we had its start. */
static void
ipq_timeout(void *arg)
{
	struct ipq *q = arg;
	struct netstate *ns = q->q_ns;
	struct inet_state *is = ns_inet(ns);
	struct mbuf *first = q->q_frags;

	is->is_ipstat.fragtimeout++;
	is->is_ipstat.fragdropped += q->q_nfrags;
	if (first != NULL &&
	    (ntohs(mtod(first, struct ip *)->ip_off) & IP_OFFMASK) == 0) {
		q->q_frags = first->m_nextpkt;
		first->m_nextpkt = NULL;
		icmp_error(first, ICMP_TIMXCEED, ICMP_TIMXCEED_REASS, 0);
	}
	ipq_free(is->is_ipq, q);
}

static unsigned
ipq_hash(struct in_addr src, struct in_addr dst, uint16_t id, uint8_t p)
{
	uint32_t h = src.s_addr ^ dst.s_addr ^ ((uint32_t)id << 8) ^ p;

	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h % IPQ_BUCKETS;
}

/* Payload offset and length of a queued or arriving fragment. */
static void
frag_range(const struct mbuf *m, size_t *offp, size_t *endp)
{
	const struct ip *ip = mtod(m, const struct ip *);
	size_t hlen = (size_t)ip->ip_hl << 2;

	*offp = (size_t)(ntohs(ip->ip_off) & IP_OFFMASK) << 3;
	*endp = *offp + ntohs(ip->ip_len) - hlen;
}

/* The whole datagram, if every byte from 0 to the last's end is here. */
static struct mbuf *
ipq_complete(struct ipq_state *iq, struct ipq *q)
{
	struct mbuf *m, *head, *next;
	size_t off, end, want = 0, hlen;
	uint32_t csum = M_CSUM_DATA_OK;
	struct ip *ip;

	if (!q->q_havelast)
		return NULL;
	for (m = q->q_frags; m != NULL; m = m->m_nextpkt) {
		frag_range(m, &off, &end);
		if (off != want)
			return NULL;
		want = end;
	}
	if (want != q->q_total)
		return NULL;

	/* join: the first keeps its header, the others lose theirs */
	head = q->q_frags;
	q->q_frags = NULL;
	next = head->m_nextpkt;
	head->m_nextpkt = NULL;
	csum &= head->m_pkthdr.csum_flags;
	while ((m = next) != NULL) {
		const struct ip *fip = mtod(m, const struct ip *);

		next = m->m_nextpkt;
		m->m_nextpkt = NULL;
		csum &= m->m_pkthdr.csum_flags;
		m_adj(m, (long)fip->ip_hl << 2);
		m->m_flags &= ~M_PKTHDR;
		m_cat(head, m);
	}
	callout_stop(q->q_ns, &q->q_timer);
	q->q_nfrags = 0;
	ipq_free(iq, q);

	ip = mtod(head, struct ip *);
	hlen = (size_t)ip->ip_hl << 2;
	head->m_pkthdr.len = (uint32_t)(hlen + want);
	head->m_pkthdr.csum_flags = csum;
	ip->ip_len = htons((uint16_t)(hlen + want));
	ip->ip_off = 0;
	ip->ip_sum = 0;
	ip->ip_sum = in_cksum_chain(head, 0, hlen, 0);
	return head;
}

static struct ipq *
ipq_lookup(struct ipq_state *iq, const struct ip *ip, unsigned *bucketp)
{
	struct ipq *q;
	unsigned b = ipq_hash(ip->ip_src, ip->ip_dst, ip->ip_id, ip->ip_p);

	*bucketp = b;
	LIST_FOREACH(q, &iq->iq_hash[b], q_hash)
		if (q->q_src.s_addr == ip->ip_src.s_addr &&
		    q->q_dst.s_addr == ip->ip_dst.s_addr &&
		    q->q_id == ip->ip_id && q->q_p == ip->ip_p)
			return q;
	return NULL;
}

struct mbuf *
ip_reass(struct netstate *ns, struct mbuf *m, int hlen)
{
	struct inet_state *is = ns_inet(ns);
	struct ipq_state *iq = is->is_ipq;
	struct ip *ip = mtod(m, struct ip *);
	bool more = (ntohs(ip->ip_off) & IP_MF) != 0;
	struct mbuf **pp, *p;
	struct ipq *q;
	size_t off, end, poff, pend, charge;
	unsigned bucket;

	is->is_ipstat.fragments++;
	frag_range(m, &off, &end);
	/* all but the last carry a multiple of 8 bytes, and something */
	if (end == off || (more && ((end - off) & 7) != 0)) {
		is->is_ipstat.badlen++;
		goto drop;
	}
	if (end + (size_t)hlen > IP_MAXPACKET) {	/* "ping of death" */
		is->is_ipstat.toolong++;
		goto drop;
	}
	charge = m_truesize(m);
	if ((q = ipq_lookup(iq, ip, &bucket)) == NULL) {
		if (iq->iq_bytes + charge + sizeof(*q) > iq->iq_maxbytes)
			goto drop;
		if ((q = kmem_zalloc(ns->ns_kernel, sizeof(*q))) == NULL)
			goto drop;
		q->q_ns = ns;
		q->q_src = ip->ip_src;
		q->q_dst = ip->ip_dst;
		q->q_id = ip->ip_id;
		q->q_p = ip->ip_p;
		callout_init(&q->q_timer, ipq_timeout, q);
		LIST_INSERT_HEAD(&iq->iq_hash[bucket], q, q_hash);
		iq->iq_bytes += sizeof(*q);
		iq->iq_nqueues++;
		if (callout_reset(ns, &q->q_timer, iq->iq_timeout_ns) != 0) {
			ipq_free(iq, q);
			goto drop;
		}
	} else if (iq->iq_bytes + charge > iq->iq_maxbytes) {
		goto drop;
	}

	/* the end must agree with what the last fragment said */
	if ((q->q_havelast && (end > q->q_total ||
	    (!more && end != q->q_total)))) {
		m_freem(m);
		is->is_ipstat.fragdropped++;
		ipq_drop(iq, q);
		return NULL;
	}
	/* find its place; an overlap kills the datagram, a duplicate is dropped */
	for (pp = &q->q_frags; (p = *pp) != NULL; pp = &p->m_nextpkt) {
		frag_range(p, &poff, &pend);
		if (poff == off && pend == end)
			goto drop;
		if (end <= poff)
			break;
		if (off < pend) {
			m_freem(m);
			is->is_ipstat.fragdropped++;
			ipq_drop(iq, q);
			return NULL;
		}
	}
	if (!more) {
		/* nothing queued may lie past the end */
		struct mbuf *last;

		for (last = q->q_frags; last != NULL && last->m_nextpkt != NULL;
		    last = last->m_nextpkt)
			;
		if (last != NULL) {
			frag_range(last, &poff, &pend);
			if (pend > end) {
				m_freem(m);
				is->is_ipstat.fragdropped++;
				ipq_drop(iq, q);
				return NULL;
			}
		}
		q->q_havelast = true;
		q->q_total = (uint32_t)end;
	}
	m->m_nextpkt = *pp;
	*pp = m;
	q->q_nfrags++;
	q->q_charge += charge;
	iq->iq_bytes += charge;

	if ((m = ipq_complete(iq, q)) != NULL)
		is->is_ipstat.reassembled++;
	return m;
drop:
	is->is_ipstat.fragdropped++;
	m_freem(m);
	return NULL;
}

void
ipq_setlimits(struct netstate *ns, size_t maxbytes, int64_t timeout_ns)
{
	struct ipq_state *iq = ns_inet(ns)->is_ipq;

	iq->iq_maxbytes = maxbytes;
	iq->iq_timeout_ns = timeout_ns;
}

void
ipq_usage(struct netstate *ns, size_t *bytesp, unsigned *nqueuesp)
{
	struct ipq_state *iq = ns_inet(ns)->is_ipq;

	*bytesp = iq->iq_bytes;
	*nqueuesp = iq->iq_nqueues;
}

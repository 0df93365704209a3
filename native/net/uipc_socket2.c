/*
 * Socket buffers and the state changes protocols report: connection
 * progress, end of data, wake-ups of readers, writers and pollers.
 * Everything here runs with ns_lock held.
 */
#include <poll.h>
#include <sys/epoll.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"

/* ------------------------------------------------------------ wake-ups */

void
sorwakeup(struct socket *so)
{
	int key = POLLIN | POLLRDNORM;

	if (so->so_state & SS_CANTRCVMORE)
		key |= POLLRDHUP;
	if (so->so_error != 0)
		key |= POLLERR;
	cv_broadcast(&so->so_rcv.sb_cv);
	selwakeup(so->so_ns->ns_kernel, &so->so_rcv.sb_sel, key);
}

void
sowwakeup(struct socket *so)
{
	int key = POLLOUT | POLLWRNORM;

	if (so->so_error != 0)
		key |= POLLERR;
	cv_broadcast(&so->so_snd.sb_cv);
	selwakeup(so->so_ns->ns_kernel, &so->so_snd.sb_sel, key);
}

/* Both directions and the connection sleepers: a state change. */
static void
sowakeall(struct socket *so, int key)
{
	struct rump_kernel *k = so->so_ns->ns_kernel;

	cv_broadcast(&so->so_cv);
	cv_broadcast(&so->so_rcv.sb_cv);
	cv_broadcast(&so->so_snd.sb_cv);
	selwakeup(k, &so->so_rcv.sb_sel, key);
	selwakeup(k, &so->so_snd.sb_sel, key);
}

void
sohasoutofband(struct socket *so)
{
	selwakeup(so->so_ns->ns_kernel, &so->so_rcv.sb_sel, POLLPRI | POLLRDBAND);
}

/* ---------------------------------------------------- connection state */

void
soisconnecting(struct socket *so)
{
	so->so_state &= ~(SS_ISCONNECTED | SS_ISDISCONNECTING);
	so->so_state |= SS_ISCONNECTING;
}

void
soisconnected(struct socket *so)
{
	struct socket *head = so->so_head;

	so->so_state &= ~(SS_ISCONNECTING | SS_ISDISCONNECTING |
	    SS_ISCONFIRMING);
	so->so_state |= SS_ISCONNECTED;
	if (head != NULL && so->so_onq0) {
		/* complete: from the incomplete queue to accept's */
		TAILQ_REMOVE(&head->so_q0, so, so_qe);
		head->so_q0len--;
		so->so_onq0 = false;
		TAILQ_INSERT_TAIL(&head->so_q, so, so_qe);
		head->so_qlen++;
		sorwakeup(head);
		cv_broadcast(&head->so_cv);
		return;
	}
	sowakeall(so, POLLOUT | POLLWRNORM);
}

void
soisdisconnecting(struct socket *so)
{
	so->so_state &= ~SS_ISCONNECTING;
	so->so_state |= SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
	sowakeall(so, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP |
	    POLLRDHUP);
}

void
soisdisconnected(struct socket *so)
{
	so->so_state &= ~(SS_ISCONNECTING | SS_ISCONNECTED |
	    SS_ISDISCONNECTING);
	so->so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE | SS_ISDISCONNECTED;
	sowakeall(so, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP |
	    POLLRDHUP | (so->so_error ? POLLERR : 0));
}

void
socantsendmore(struct socket *so)
{
	so->so_state |= SS_CANTSENDMORE;
	sowwakeup(so);
}

void
socantrcvmore(struct socket *so)
{
	so->so_state |= SS_CANTRCVMORE | SS_RCVEOF;
	sorwakeup(so);
}

/* -------------------------------------------------------- socket buffers */

int
sbreserve(struct sockbuf *sb, size_t cc)
{
	if (cc == 0)
		return ENOBUFS;
	sb->sb_hiwat = cc;
	sb->sb_mbmax = 2 * cc;
	if (sb->sb_lowat > cc)
		sb->sb_lowat = cc;
	return 0;
}

size_t
sbspace(const struct sockbuf *sb)
{
	if (sb->sb_cc >= sb->sb_hiwat || sb->sb_mbcnt >= sb->sb_mbmax)
		return 0;
	return MIN(sb->sb_hiwat - sb->sb_cc, sb->sb_mbmax - sb->sb_mbcnt);
}

/* Storage an mbuf is charged for: its bytes and a header's worth. */
static size_t
m_charge(const struct mbuf *m)
{
	return m->m_len + sizeof(struct mbuf);
}

/* Account a chain (data bytes only for data mbufs); return its tail. */
static struct mbuf *
sballoc_chain(struct sockbuf *sb, struct mbuf *m)
{
	struct mbuf *last = NULL;

	for (; m != NULL; m = m->m_next) {
		if (m->m_type == MT_DATA)
			sb->sb_cc += m->m_len;
		sb->sb_mbcnt += m_charge(m);
		last = m;
	}
	return last;
}

void
sbappendstream(struct sockbuf *sb, struct mbuf *m)
{
	struct mbuf *tail;

	if (m == NULL)
		return;
	for (struct mbuf *n = m; n != NULL; n = n->m_next) {
		n->m_type = MT_DATA;
		n->m_flags &= ~M_EOR;
	}
	tail = sballoc_chain(sb, m);
	/* a record carrying control data stays apart (its rights end a read) */
	if (sb->sb_lastrecord != NULL && sb->sb_lastrecord->m_type == MT_DATA) {
		sb->sb_mbtail->m_next = m;
	} else {
		m->m_nextpkt = NULL;
		if (sb->sb_lastrecord != NULL)
			sb->sb_lastrecord->m_nextpkt = m;
		else
			sb->sb_mb = m;
		sb->sb_lastrecord = m;
	}
	sb->sb_mbtail = tail;
}

/* Link a record (first mbuf rec) at the end of the queue. */
static void
sb_linkrecord(struct sockbuf *sb, struct mbuf *rec)
{
	rec->m_nextpkt = NULL;
	if (sb->sb_lastrecord != NULL)
		sb->sb_lastrecord->m_nextpkt = rec;
	else
		sb->sb_mb = rec;
	sb->sb_lastrecord = rec;
	sb->sb_mbtail = sballoc_chain(sb, rec);
}

/* The tail of a chain. */
static struct mbuf *
m_last(struct mbuf *m)
{
	while (m->m_next != NULL)
		m = m->m_next;
	return m;
}

/* [name] [control...] data...: one record; m may be NULL (no data). */
static struct mbuf *
sb_makerecord(struct rump_kernel *k, const struct sockaddr *sa, socklen_t salen,
    struct mbuf *m, struct mbuf *control)
{
	struct mbuf *head = NULL, *tail = NULL, *n;

	if (sa != NULL) {
		if ((n = m_get(k, 0, salen)) == NULL)
			return NULL;
		memcpy(mtod(n, void *), sa, salen);
		n->m_len = salen;
		n->m_type = MT_SONAME;
		head = tail = n;
	}
	if (control != NULL) {
		for (n = control; n != NULL; n = n->m_next)
			n->m_type = MT_CONTROL;
		if (tail != NULL)
			tail->m_next = control;
		else
			head = control;
		tail = m_last(control);
	}
	if (m == NULL) {
		/* an empty datagram still needs a data mbuf to mark its end */
		if ((m = m_get(k, 0, 0)) == NULL) {
			if (tail != NULL)
				tail->m_next = NULL;
			if (sa != NULL)
				m_free(head);
			return NULL;
		}
	}
	for (n = m; n != NULL; n = n->m_next)
		n->m_type = MT_DATA;
	if (tail != NULL)
		tail->m_next = m;
	else
		head = m;
	return head;
}

bool
sbappendaddr(struct sockbuf *sb, const struct sockaddr *sa, socklen_t salen,
    struct mbuf *m, struct mbuf *control)
{
	struct rump_kernel *k = m != NULL ? m->m_kernel :
	    control != NULL ? control->m_kernel : NULL;
	struct mbuf *rec;

	if (k == NULL)
		return false;
	if ((rec = sb_makerecord(k, sa, salen, m, control)) == NULL)
		return false;
	m_last(rec)->m_flags |= M_EOR;
	sb_linkrecord(sb, rec);
	return true;
}

bool
sbappendrecord(struct sockbuf *sb, struct mbuf *m, struct mbuf *control)
{
	return sbappendaddr(sb, NULL, 0, m, control);
}

bool
sbappendcontrol(struct sockbuf *sb, struct mbuf *m, struct mbuf *control)
{
	struct mbuf *rec;

	if (control == NULL) {
		sbappendstream(sb, m);
		return true;
	}
	if ((rec = sb_makerecord(control->m_kernel, NULL, 0, m, control)) == NULL)
		return false;
	sb_linkrecord(sb, rec);
	return true;
}

struct mbuf *
sb_dequeue(struct sockbuf *sb)
{
	struct mbuf *rec = sb->sb_mb, *n;

	if (rec == NULL)
		return NULL;
	sb->sb_mb = rec->m_nextpkt;
	rec->m_nextpkt = NULL;
	if (sb->sb_mb == NULL) {
		sb->sb_lastrecord = NULL;
		sb->sb_mbtail = NULL;
	}
	for (n = rec; n != NULL; n = n->m_next) {
		if (n->m_type == MT_DATA)
			sb->sb_cc -= n->m_len;
		sb->sb_mbcnt -= m_charge(n);
	}
	return rec;
}

/*
 * The first mbuf of sb's first record, taken off and uncharged: the rest
 * of the record (if any) takes its place.  Its data bytes (sb_cc) are the
 * caller's to settle.
 */
struct mbuf *
sbunlinkhead(struct sockbuf *sb)
{
	struct mbuf *m = sb->sb_mb, *next = m->m_next;

	sb->sb_mbcnt -= m_charge(m);
	if (next != NULL) {
		next->m_nextpkt = m->m_nextpkt;
		sb->sb_mb = next;
		if (sb->sb_lastrecord == m)
			sb->sb_lastrecord = next;
	} else {
		sb->sb_mb = m->m_nextpkt;
		if (sb->sb_lastrecord == m) {
			sb->sb_lastrecord = NULL;
			sb->sb_mbtail = NULL;
		}
	}
	m->m_next = NULL;
	m->m_nextpkt = NULL;
	return m;
}

void
sbdrop(struct sockbuf *sb, size_t len)
{
	while (len > 0 && sb->sb_mb != NULL) {
		struct mbuf *m = sb->sb_mb;

		if (m->m_type != MT_DATA) {
			/* control or name ahead of the data: the reader took it */
			m_free(sbunlinkhead(sb));
			continue;
		}
		if (m->m_len > len) {
			m->m_data += len;
			m->m_len -= (uint32_t)len;
			sb->sb_cc -= len;
			sb->sb_mbcnt -= len;
			break;
		}
		len -= m->m_len;
		sb->sb_cc -= m->m_len;
		m_free(sbunlinkhead(sb));
	}
	/* empty records left at the front (their data all read) go too */
	while (sb->sb_mb != NULL && sb->sb_mb->m_type == MT_DATA &&
	    sb->sb_mb->m_len == 0 && sb->sb_mb->m_next == NULL &&
	    !(sb->sb_mb->m_flags & M_EOR)) {
		struct mbuf *m = sb->sb_mb;

		sb->sb_mb = m->m_nextpkt;
		if (sb->sb_lastrecord == m) {
			sb->sb_lastrecord = NULL;
			sb->sb_mbtail = NULL;
		}
		sb->sb_mbcnt -= m_charge(m);
		m_free(m);
	}
}

void
sbflush(struct sockbuf *sb)
{
	struct mbuf *rec;

	while ((rec = sb_dequeue(sb)) != NULL)
		m_freem(rec);
	sb->sb_cc = 0;
	sb->sb_mbcnt = 0;
}

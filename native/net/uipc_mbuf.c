/* mbufs: packet buffers on shared, reference-counted storage. */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"

static struct mext *
mext_alloc(struct rump_kernel *k, size_t size)
{
	struct mext *e;

	if (size > UINT32_MAX - sizeof(*e))
		return NULL;
	if ((e = kmem_alloc(k, sizeof(*e) + size)) == NULL)
		return NULL;
	atomic_init(&e->ext_refcnt, 1);
	e->ext_size = (uint32_t)size;
	return e;
}

static void
mext_rele(struct rump_kernel *k, struct mext *e)
{
	if (atomic_fetch_sub(&e->ext_refcnt, 1) == 1)
		kmem_free(k, e, sizeof(*e) + e->ext_size);
}

static struct mbuf *
m_alloc(struct rump_kernel *k, size_t headroom, size_t len, int flags)
{
	struct mbuf *m;

	if (len > UINT32_MAX / 2 || headroom > UINT32_MAX / 2)
		return NULL;
	if ((m = kmem_zalloc(k, sizeof(*m))) == NULL)
		return NULL;
	if ((m->m_ext = mext_alloc(k, headroom + len)) == NULL) {
		kmem_free(k, m, sizeof(*m));
		return NULL;
	}
	m->m_kernel = k;
	m->m_data = m->m_ext->ext_buf + headroom;
	m->m_flags = flags;
	m->m_type = MT_DATA;
	return m;
}

struct mbuf *
m_gethdr(struct rump_kernel *k, size_t headroom, size_t len)
{
	return m_alloc(k, headroom, len, M_PKTHDR);
}

struct mbuf *
m_get(struct rump_kernel *k, size_t headroom, size_t len)
{
	return m_alloc(k, headroom, len, 0);
}

struct mbuf *
m_free(struct mbuf *m)
{
	struct mbuf *n = m->m_next;
	struct rump_kernel *k = m->m_kernel;

	mext_rele(k, m->m_ext);
	kmem_free(k, m, sizeof(*m));
	return n;
}

void
m_freem(struct mbuf *m)
{
	while (m != NULL)
		m = m_free(m);
}

size_t
m_length(const struct mbuf *m)
{
	size_t n = 0;

	for (; m != NULL; m = m->m_next)
		n += m->m_len;
	return n;
}

/* Move the packet header of m to n (n becomes the chain's head). */
static void
m_move_pkthdr(struct mbuf *n, struct mbuf *m)
{
	n->m_pkthdr = m->m_pkthdr;
	n->m_flags |= m->m_flags & (M_PKTHDR | M_BCAST | M_MCAST | M_LOOP |
	    M_EOR);
	n->m_type = m->m_type;
	m->m_flags &= ~M_PKTHDR;
}

struct mbuf *
m_prepend(struct mbuf *m, size_t len)
{
	struct mbuf *n;

	if (M_WRITABLE(m) && M_LEADINGSPACE(m) >= len) {
		m->m_data -= len;
		m->m_len += (uint32_t)len;
	} else {
		if ((n = m_get(m->m_kernel, MAX_HDR, len)) == NULL) {
			m_freem(m);
			return NULL;
		}
		if (m->m_flags & M_PKTHDR)
			m_move_pkthdr(n, m);
		n->m_next = m;
		n->m_len = (uint32_t)len;
		m = n;
	}
	if (m->m_flags & M_PKTHDR)
		m->m_pkthdr.len += (uint32_t)len;
	return m;
}

struct mbuf *
m_pullup(struct mbuf *m, size_t len)
{
	struct mbuf *n, *p;
	size_t have, take;

	if (m->m_len >= len && M_WRITABLE(m))
		return m;
	if (m_length(m) < len) {
		m_freem(m);
		return NULL;
	}
	/* a fresh writable head holding the first len bytes */
	if ((n = m_get(m->m_kernel, MAX_HDR, len)) == NULL) {
		m_freem(m);
		return NULL;
	}
	if (m->m_flags & M_PKTHDR)
		m_move_pkthdr(n, m);
	have = 0;
	p = m;
	while (have < len) {
		take = MIN(len - have, p->m_len);
		memcpy(n->m_data + have, p->m_data, take);
		have += take;
		p->m_data += take;
		p->m_len -= (uint32_t)take;
		if (p->m_len == 0)
			p = m_free(p);
	}
	n->m_len = (uint32_t)len;
	n->m_next = p;
	return n;
}

void
m_adj(struct mbuf *m, long req)
{
	struct mbuf *p;
	size_t len, total, keep;

	if (m == NULL)
		return;
	if (req >= 0) {
		len = (size_t)req;
		for (p = m; p != NULL && len > 0; p = p->m_next) {
			size_t t = MIN(len, p->m_len);

			p->m_data += t;
			p->m_len -= (uint32_t)t;
			len -= t;
		}
		if (m->m_flags & M_PKTHDR)
			m->m_pkthdr.len -= (uint32_t)((size_t)req - len);
		return;
	}
	total = m_length(m);
	len = (size_t)-req;
	keep = len >= total ? 0 : total - len;
	for (p = m; p != NULL; p = p->m_next) {
		if (p->m_len >= keep) {
			p->m_len = (uint32_t)keep;
			keep = 0;
		} else {
			keep -= p->m_len;
		}
	}
	if (m->m_flags & M_PKTHDR)
		m->m_pkthdr.len = (uint32_t)(total >= len ? total - len : 0);
}

void
m_copydata(const struct mbuf *m, size_t off, size_t len, void *buf)
{
	uint8_t *out = buf;

	while (m != NULL && off >= m->m_len) {
		off -= m->m_len;
		m = m->m_next;
	}
	while (len > 0) {
		size_t t;

		KASSERT(m != NULL);
		t = MIN(len, m->m_len - off);
		memcpy(out, m->m_data + off, t);
		out += t;
		len -= t;
		off = 0;
		m = m->m_next;
	}
}

/* Give m private storage (a copy) so it may be written. */
static int
m_makewritable(struct mbuf *m)
{
	struct mext *e;

	if (M_WRITABLE(m))
		return 0;
	if ((e = mext_alloc(m->m_kernel, m->m_len)) == NULL)
		return ENOMEM;
	memcpy(e->ext_buf, m->m_data, m->m_len);
	mext_rele(m->m_kernel, m->m_ext);
	m->m_ext = e;
	m->m_data = e->ext_buf;
	return 0;
}

int
m_copyback(struct mbuf *m, size_t off, size_t len, const void *buf)
{
	const uint8_t *in = buf;
	struct mbuf *p = m, *n;
	size_t total = 0;

	for (;;) {
		if (off < p->m_len && len > 0) {
			size_t t = MIN(len, p->m_len - off);

			if (m_makewritable(p) != 0)
				return ENOMEM;
			memcpy(p->m_data + off, in, t);
			in += t;
			len -= t;
			off += t;
		}
		if (len == 0)
			break;
		/* grow in place when the storage is ours and has room */
		if (p->m_next == NULL && off >= p->m_len) {
			size_t gap = off - p->m_len;

			if (M_WRITABLE(p) && M_TRAILINGSPACE(p) >= gap + len) {
				memset(p->m_data + p->m_len, 0, gap);
				memcpy(p->m_data + off, in, len);
				p->m_len += (uint32_t)(gap + len);
				total += gap + len;
				len = 0;
				break;
			}
			if ((n = m_get(m->m_kernel, 0, gap + len)) == NULL)
				return ENOMEM;
			memset(n->m_data, 0, gap);
			memcpy(n->m_data + gap, in, len);
			n->m_len = (uint32_t)(gap + len);
			p->m_next = n;
			total += gap + len;
			len = 0;
			break;
		}
		off -= p->m_len;
		p = p->m_next;
	}
	if ((m->m_flags & M_PKTHDR) && total > 0)
		m->m_pkthdr.len = (uint32_t)m_length(m);
	return 0;
}

struct mbuf *
m_copym(struct mbuf *m, size_t off, size_t len)
{
	struct mbuf *top = NULL, **np = &top, *n;
	const struct mbuf *src = m;
	bool hdr = off == 0 && (m->m_flags & M_PKTHDR);
	size_t copied = 0;

	while (src != NULL && off >= src->m_len) {
		off -= src->m_len;
		src = src->m_next;
	}
	while (src != NULL && len > 0) {
		size_t t = MIN(len, src->m_len - off);

		if ((n = kmem_zalloc(m->m_kernel, sizeof(*n))) == NULL) {
			m_freem(top);
			return NULL;
		}
		n->m_kernel = m->m_kernel;
		n->m_ext = src->m_ext;
		atomic_fetch_add(&n->m_ext->ext_refcnt, 1);
		n->m_data = src->m_data + off;
		n->m_len = (uint32_t)t;
		n->m_type = src->m_type;
		*np = n;
		np = &n->m_next;
		if (len != M_COPYALL)
			len -= t;
		copied += t;
		off = 0;
		src = src->m_next;
	}
	if (top != NULL && hdr) {
		top->m_flags = m->m_flags & (M_PKTHDR | M_BCAST | M_MCAST |
		    M_LOOP | M_EOR);
		top->m_pkthdr = m->m_pkthdr;
		top->m_pkthdr.len = (uint32_t)copied;
	}
	return top;
}

struct mbuf *
m_dup(struct mbuf *m)
{
	size_t len = m_length(m);
	struct mbuf *n;

	if ((n = m_gethdr(m->m_kernel, MAX_HDR, len)) == NULL)
		return NULL;
	m_copydata(m, 0, len, n->m_data);
	n->m_len = (uint32_t)len;
	if (m->m_flags & M_PKTHDR) {
		n->m_pkthdr = m->m_pkthdr;
		n->m_flags |= m->m_flags & (M_BCAST | M_MCAST | M_LOOP | M_EOR);
	}
	n->m_pkthdr.len = (uint32_t)len;
	n->m_type = m->m_type;
	return n;
}

void
m_cat(struct mbuf *m, struct mbuf *n)
{
	while (m->m_next != NULL)
		m = m->m_next;
	m->m_next = n;
}

struct mbuf *
m_devget(struct rump_kernel *k, const void *buf, size_t len, size_t headroom,
    struct ifnet *ifp)
{
	struct mbuf *m;

	if ((m = m_gethdr(k, headroom, len)) == NULL)
		return NULL;
	memcpy(m->m_data, buf, len);
	m->m_len = (uint32_t)len;
	m->m_pkthdr.len = (uint32_t)len;
	m->m_pkthdr.rcvif = ifp;
	return m;
}

struct mbuf *
m_split(struct mbuf *m, size_t len)
{
	struct mbuf *p = m, *n;
	size_t off = len, total = m_length(m);

	while (p != NULL && off > p->m_len) {
		off -= p->m_len;
		p = p->m_next;
	}
	if (p == NULL)
		return NULL;
	if (off == p->m_len) {
		n = p->m_next;
		p->m_next = NULL;
		if (n == NULL && (n = m_get(m->m_kernel, 0, 0)) == NULL)
			return NULL;
	} else {
		if ((n = m_copym(p, off, M_COPYALL)) == NULL)
			return NULL;
		/* m_copym copied p's successors too: take them over instead */
		m_freem(n->m_next);
		n->m_next = p->m_next;
		p->m_next = NULL;
		p->m_len = (uint32_t)off;
	}
	if (m->m_flags & M_PKTHDR) {
		n->m_flags |= M_PKTHDR;
		n->m_pkthdr = m->m_pkthdr;
		n->m_pkthdr.len = (uint32_t)(total - len);
		m->m_pkthdr.len = (uint32_t)len;
	}
	return n;
}

uint16_t
in_cksum_chain(const struct mbuf *m, size_t off, size_t len, uint32_t sum)
{
	uint64_t acc = sum;
	bool odd = false;

	while (m != NULL && off >= m->m_len) {
		off -= m->m_len;
		m = m->m_next;
	}
	while (m != NULL && len > 0) {
		const uint8_t *p = m->m_data + off;
		size_t t = MIN(len, m->m_len - off);
		uint64_t part = 0;

		len -= t;
		if (odd && t > 0) {
			/* the second byte of a word the last buffer began */
			part += (uint64_t)*p++ << 8;
			t--;
			odd = false;
		}
		while (t >= 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			part += (w & 0xffffffff) + (w >> 32);
			p += 8;
			t -= 8;
		}
		while (t >= 2) {
			uint16_t w;

			memcpy(&w, p, 2);
			part += w;
			p += 2;
			t -= 2;
		}
		if (t == 1) {
			part += *p;		/* the first byte of a word */
			odd = true;
		}
		/* fold the 64-bit partial into 16 bits, in network order */
		while (part >> 16)
			part = (part & 0xffff) + (part >> 16);
		acc += part;
		off = 0;
		m = m->m_next;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

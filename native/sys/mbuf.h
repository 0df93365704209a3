/*
 * mbufs: packet buffers.  An mbuf is a window (m_data, m_len) onto storage
 * that may be shared: m_copym hands out new windows on the same storage and
 * takes a reference, so a TCP retransmission or a loopback delivery moves
 * no payload bytes.  Shared storage is read-only: write only where
 * M_WRITABLE(m) holds (m_prepend and m_pullup give writable headers).
 *
 * A packet is a chain through m_next whose first mbuf has M_PKTHDR and a
 * valid m_pkthdr.  Packets and records queue through m_nextpkt.  Every
 * mbuf and its storage is charged to the kernel that allocated it.
 */
#ifndef SYS_MBUF_H
#define SYS_MBUF_H

#include "sys/systm.h"

struct ifnet;

struct mext {				/* shared storage */
	_Atomic int	ext_refcnt;
	uint32_t	ext_size;	/* bytes in ext_buf */
	uint8_t		ext_buf[];
};

struct pkthdr {
	uint32_t	len;		/* bytes in the whole chain */
	struct ifnet	*rcvif;		/* interface it came in on */
	uint32_t	csum_flags;	/* M_CSUM_* below */
};
#define M_CSUM_DATA_OK	0x01		/* checksums already good (loopback) */
/*
 * Output only: the stack itself computed every checksum of this packet
 * (TCP's segments; never raw or IP_HDRINCL packets, nor forwarded ones),
 * so an IFCAP_CSUM_TRUSTED medium may vouch for them.
 */
#define M_CSUM_STACK	0x02
/* Output only: a TCP segment that may exceed the MTU (IFCAP_TSO). */
#define M_TSO		0x04

struct mbuf {
	struct mbuf	*m_next;	/* next buffer of this packet */
	struct mbuf	*m_nextpkt;	/* next packet or record in a queue */
	uint8_t		*m_data;	/* first valid byte */
	uint32_t	m_len;		/* valid bytes here */
	int		m_flags;
	short		m_type;		/* MT_DATA, MT_CONTROL, MT_SONAME */
	struct mext	*m_ext;		/* storage (never NULL) */
	struct rump_kernel *m_kernel;
	struct pkthdr	m_pkthdr;	/* with M_PKTHDR */
};

#define M_PKTHDR	0x0001
#define M_EOR		0x0002		/* end of record (seqpacket) */
#define M_BCAST		0x0004		/* link-level broadcast */
#define M_MCAST		0x0008
#define M_LOOP		0x0010		/* came from the loopback */

#define MT_DATA		1
#define MT_CONTROL	2		/* ancillary data (cmsgs) */
#define MT_SONAME	3		/* a sender's address */

/* Headroom new packets get, enough for Ethernet + IP + TCP with options. */
#define MAX_LINKHDR	16
#define MAX_HDR		(MAX_LINKHDR + 60 + 60)

#define mtod(m, t)	((t)(void *)(m)->m_data)
#define M_LEADINGSPACE(m) ((size_t)((m)->m_data - (m)->m_ext->ext_buf))
#define M_TRAILINGSPACE(m) ((size_t)((m)->m_ext->ext_buf + \
	(m)->m_ext->ext_size - ((m)->m_data + (m)->m_len)))
#define M_WRITABLE(m)	(atomic_load(&(m)->m_ext->ext_refcnt) == 1)

/*
 * A packet-header mbuf with room for len bytes after headroom bytes (m_len
 * 0), or NULL when the kernel's memory limit is reached.
 */
struct mbuf *m_gethdr(struct rump_kernel *k, size_t headroom, size_t len);
/* The same without a packet header (for chains and socket buffers). */
struct mbuf *m_get(struct rump_kernel *k, size_t headroom, size_t len);
/* Free one mbuf; return its m_next. */
struct mbuf *m_free(struct mbuf *m);
/* Free a chain (through m_next); NULL is fine. */
void	m_freem(struct mbuf *m);
/* Bytes in a chain. */
size_t	m_length(const struct mbuf *m);
/*
 * Make room for len writable bytes in front of the packet (the header
 * moves with it); NULL on failure, with the chain freed.
 */
struct mbuf *m_prepend(struct mbuf *m, size_t len);
/*
 * Make the first len bytes contiguous and writable in the first mbuf;
 * NULL (chain freed) when the packet is shorter or memory ran out.
 */
struct mbuf *m_pullup(struct mbuf *m, size_t len);
/* Trim len bytes from the head (len > 0) or -len from the tail. */
void	m_adj(struct mbuf *m, long len);
/* Copy len bytes from offset off out of the chain. */
void	m_copydata(const struct mbuf *m, size_t off, size_t len, void *buf);
/*
 * Write len bytes at offset off, extending the chain if needed (with
 * private storage where it was shared); ENOMEM on failure.
 */
int	m_copyback(struct mbuf *m, size_t off, size_t len, const void *buf);
/*
 * A new chain for bytes [off, off + len) sharing m's storage; len
 * M_COPYALL means to the end.  A packet header is copied when off is 0
 * and m has one.  NULL on memory exhaustion.
 */
#define M_COPYALL	((size_t)-1)
struct mbuf *m_copym(struct mbuf *m, size_t off, size_t len);
/* A deep copy of a whole packet with private storage. */
struct mbuf *m_dup(struct mbuf *m);
/* Append chain n to chain m (packet header lengths are the caller's). */
void	m_cat(struct mbuf *m, struct mbuf *n);
/* A new packet whose single buffer holds a copy of buf. */
struct mbuf *m_devget(struct rump_kernel *k, const void *buf, size_t len,
	    size_t headroom, struct ifnet *ifp);
/* Split: m keeps [0, len), the returned chain gets the rest (NULL: ENOMEM). */
struct mbuf *m_split(struct mbuf *m, size_t len);

/*
 * Internet checksum over [off, off + len) of a chain, ready to store.  sum
 * is a partial sum of 16-bit words loaded from network-order bytes with
 * memcpy (host order words), as in_pseudo returns it.
 */
uint16_t in_cksum_chain(const struct mbuf *m, size_t off, size_t len,
	    uint32_t sum);

#endif

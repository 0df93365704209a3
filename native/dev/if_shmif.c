/*
 * shmif: virtual Ethernet on a bus that any number of kernels share, in
 * one process or many, without privileges.  The bus is a file mapped by
 * every member: a header page, then a ring of SHMIF_RINGSIZE bytes.
 *
 * Writers append records (a header {length, sender, position} and the
 * frame) under a lock word in the header, then publish the new end
 * (sb_wpos).  A reader about to sleep raises sb_sleepers and sleeps on
 * a futex word (sb_seq); the first writer to publish after that takes the
 * flag, bumps sb_seq and makes the one wake-up call, so the frames sent
 * while a woken reader has not run yet cost no system call.  Positions
 * count bytes since the bus was made and never wrap; a record lives at
 * position % SHMIF_RINGSIZE.
 *
 * Each reader keeps its own position and follows at its own pace.  Before
 * writing, a writer raises sb_wlimit to the end of what it will overwrite;
 * a reader checks it after copying a record, so a reader that was lapped
 * learns it instead of taking torn bytes: it skips to the end and counts
 * the frames it lost (if_lost).
 *
 * The lock word holds the holder's process id: a member that waits long
 * and finds that process gone takes the lock over, so a crashed process
 * does not wedge the bus.
 *
 * One receive thread per interface, started when the interface first goes
 * up, copies frames into mbufs without ns_lock and inputs them in batches
 * under it.  Members skip their own records.
 */
#include <limits.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/if_impair.h"
#include "dev/netif.h"

#define SHMIF_MAGIC	0x52534d31u	/* "RSM1" */
#define SHMIF_VERSION	3u		/* 3: r_flags, sb_features */
#define SHMIF_HDRSIZE	4096u
#define SHMIF_RINGSIZE	(16u << 20)	/* a power of two */
#define SHMIF_MAXMTU	65535u
#define SHMIF_MAXFRAME	(SHMIF_MAXMTU + ETHER_HDR_LEN)
#define SHMIF_BATCH	64		/* frames input per lock */
#define SHMIF_SPINS	200

struct shmif_bus {
	_Atomic uint32_t sb_magic;	/* set last by whoever made the bus */
	_Atomic uint32_t sb_init;	/* claimed by the maker */
	uint32_t	sb_version;
	uint32_t	sb_ringsize;
	_Atomic uint32_t sb_nextid;	/* member ids */
	_Atomic uint32_t sb_lock;	/* 0, or the writer's pid */
	_Atomic uint32_t sb_lockwaiters;
	_Atomic uint32_t sb_seq;	/* futex: bumped at each wake-up */
	_Atomic uint32_t sb_sleepers;	/* 1: a reader may sleep on sb_seq */
	uint32_t	sb_features;	/* SHMIF_F_*: what every member does */
	_Atomic uint64_t sb_wpos;	/* bytes published */
	_Atomic uint64_t sb_wlimit;	/* bytes written or being written */
	_Atomic uint64_t sb_wseq;	/* records published */
	_Atomic uint64_t sb_lockbreaks;	/* locks taken from dead holders */
	struct impair_shared sb_impair;	/* the bus's impairments */
};
_Static_assert(sizeof(struct shmif_bus) <= SHMIF_HDRSIZE, "bus header");

/*
 * Bus features.  Every member runs this code, so the maker states them
 * once for all: frames up to SHMIF_MAXFRAME whatever the members' MTU
 * (TCP super-segments), and a per-record mark that the sender's stack
 * computed the checksums (receivers skip verifying them).
 */
#define SHMIF_F_TSO		0x0001u
#define SHMIF_F_CSUM		0x0002u
#define SHMIF_FEATURES		(SHMIF_F_TSO | SHMIF_F_CSUM)

struct shmif_rec {
	uint32_t	r_len;		/* frame bytes */
	uint32_t	r_sender;	/* member id */
	uint64_t	r_pos;		/* where it was written: a lap check */
	uint32_t	r_flags;	/* SHMIF_R_* */
	uint32_t	r_pad;
};
#define SHMIF_R_CSUMOK	0x0001u	/* the sender's stack filled in the checksums */
#define RECSIZE(len)	(sizeof(struct shmif_rec) + (((len) + 7u) & ~7u))

struct shmif_softc {
	struct ifnet	sc_if;		/* first: if_free frees the softc */
	struct shmif_bus *sc_bus;
	uint8_t		*sc_ring;
	uint32_t	sc_id;
	uint32_t	sc_pid;
	struct rumpuser_thread *sc_thread;
	_Atomic bool	sc_dying;
	uint64_t	sc_rpos, sc_rseq;	/* the receive thread's */
};

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause");
#endif
}

/* ------------------------------------------------------------ the lock */

static void
bus_lock(struct shmif_softc *sc)
{
	struct shmif_bus *bus = sc->sc_bus;

	for (int spins = 0;; spins++) {
		uint32_t v = 0;
		int error;

		if (atomic_compare_exchange_strong(&bus->sb_lock, &v,
		    sc->sc_pid))
			return;
		if (spins < SHMIF_SPINS) {
			cpu_relax();
			continue;
		}
		atomic_fetch_add(&bus->sb_lockwaiters, 1);
		error = rumpuser_futex_wait((uint32_t *)&bus->sb_lock, v,
		    50 * 1000000LL);
		atomic_fetch_sub(&bus->sb_lockwaiters, 1);
		/* the holder's process died inside: take over */
		if (error == ETIMEDOUT && v != 0 && v != sc->sc_pid &&
		    !rumpuser_pid_alive((int)v) &&
		    atomic_compare_exchange_strong(&bus->sb_lock, &v,
		    sc->sc_pid)) {
			atomic_fetch_add(&bus->sb_lockbreaks, 1);
			return;
		}
	}
}

static void
bus_unlock(struct shmif_softc *sc)
{
	struct shmif_bus *bus = sc->sc_bus;

	atomic_store(&bus->sb_lock, 0);
	if (atomic_load(&bus->sb_lockwaiters) > 0)
		rumpuser_futex_wake((uint32_t *)&bus->sb_lock, 1);
}

/* ------------------------------------------------------------ the ring */

static void
ring_write(struct shmif_softc *sc, uint64_t pos, const void *src, size_t len)
{
	size_t off = (size_t)(pos & (SHMIF_RINGSIZE - 1));
	size_t first = MIN(len, SHMIF_RINGSIZE - off);

	memcpy(sc->sc_ring + off, src, first);
	if (first < len)
		memcpy(sc->sc_ring, (const uint8_t *)src + first, len - first);
}

static void
ring_read(struct shmif_softc *sc, uint64_t pos, void *dst, size_t len)
{
	size_t off = (size_t)(pos & (SHMIF_RINGSIZE - 1));
	size_t first = MIN(len, SHMIF_RINGSIZE - off);

	memcpy(dst, sc->sc_ring + off, first);
	if (first < len)
		memcpy((uint8_t *)dst + first, sc->sc_ring, len - first);
}

static int
shmif_transmit(struct ifnet *ifp, struct mbuf *m)
{
	struct shmif_softc *sc = ifp->if_softc;
	struct shmif_bus *bus = sc->sc_bus;
	struct shmif_rec rec;
	uint32_t len = m->m_pkthdr.len;
	uint64_t pos, end;
	struct mbuf *n;

	if (len > SHMIF_MAXFRAME || len < ETHER_HDR_LEN) {
		m_freem(m);
		return EMSGSIZE;
	}
	bus_lock(sc);
	pos = atomic_load_explicit(&bus->sb_wpos, memory_order_relaxed);
	end = pos + RECSIZE(len);
	/* announce what we overwrite before overwriting it */
	if (atomic_load_explicit(&bus->sb_wlimit, memory_order_relaxed) < end)
		atomic_store_explicit(&bus->sb_wlimit, end,
		    memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	rec.r_len = len;
	rec.r_sender = sc->sc_id;
	rec.r_pos = pos;
	rec.r_flags = (m->m_pkthdr.csum_flags & M_CSUM_STACK) &&
	    (ifp->if_capabilities & IFCAP_CSUM_TRUSTED) ? SHMIF_R_CSUMOK : 0;
	rec.r_pad = 0;
	ring_write(sc, pos, &rec, sizeof(rec));
	pos += sizeof(rec);
	for (n = m; n != NULL; n = n->m_next) {
		ring_write(sc, pos, n->m_data, n->m_len);
		pos += n->m_len;
	}
	atomic_store_explicit(&bus->sb_wseq,
	    atomic_load_explicit(&bus->sb_wseq, memory_order_relaxed) + 1,
	    memory_order_relaxed);
	atomic_store(&bus->sb_wpos, end);
	bus_unlock(sc);
	/*
	 * seq_cst against the reader's raise-then-look: a reader either
	 * sees the new end or its flag is seen here.  The seq bump comes
	 * after taking the flag, so a reader that raised it read an older
	 * seq and cannot block on this one.
	 */
	if (atomic_load(&bus->sb_sleepers) != 0 &&
	    atomic_exchange(&bus->sb_sleepers, 0) != 0) {
		atomic_fetch_add(&bus->sb_seq, 1);
		rumpuser_futex_wake((uint32_t *)&bus->sb_seq, INT_MAX);
	}
	m_freem(m);
	return 0;
}

/* Lapped: skip to the end, counting what was lost. */
static uint64_t
shmif_resync(struct shmif_softc *sc)
{
	struct shmif_bus *bus = sc->sc_bus;
	uint64_t lost;

	bus_lock(sc);
	lost = atomic_load(&bus->sb_wseq) - sc->sc_rseq;
	sc->sc_rpos = atomic_load(&bus->sb_wpos);
	sc->sc_rseq = atomic_load(&bus->sb_wseq);
	bus_unlock(sc);
	return lost;
}

/*
 * Copy out up to SHMIF_BATCH frames of others into a list (through
 * m_nextpkt); *lostp counts what a lap took, *nomemp what memory refused.
 */
static struct mbuf *
shmif_read_batch(struct shmif_softc *sc, uint64_t *lostp, uint64_t *nomemp)
{
	struct shmif_bus *bus = sc->sc_bus;
	struct rump_kernel *k = sc->sc_if.if_ns->ns_kernel;
	struct mbuf *head = NULL, **tailp = &head;
	int n = 0;

	while (n < SHMIF_BATCH) {
		uint64_t w = atomic_load(&bus->sb_wpos);
		struct shmif_rec rec;
		struct mbuf *m = NULL;

		if (w == sc->sc_rpos)
			break;
		if (w - sc->sc_rpos > SHMIF_RINGSIZE) {
			*lostp += shmif_resync(sc);
			continue;
		}
		ring_read(sc, sc->sc_rpos, &rec, sizeof(rec));
		if (rec.r_pos != sc->sc_rpos || rec.r_len > SHMIF_MAXFRAME ||
		    RECSIZE(rec.r_len) > w - sc->sc_rpos) {
			/* overwritten under us */
			*lostp += shmif_resync(sc);
			continue;
		}
		if (rec.r_sender != sc->sc_id && rec.r_len >= ETHER_HDR_LEN) {
			m = m_gethdr(k, ETHER_ALIGN, rec.r_len);
			if (m != NULL) {
				ring_read(sc, sc->sc_rpos + sizeof(rec),
				    m->m_data, rec.r_len);
				m->m_len = m->m_pkthdr.len = rec.r_len;
				if ((rec.r_flags & SHMIF_R_CSUMOK) &&
				    (sc->sc_if.if_capabilities &
				    IFCAP_CSUM_TRUSTED))
					m->m_pkthdr.csum_flags |=
					    M_CSUM_DATA_OK;
			} else {
				(*nomemp)++;
			}
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&bus->sb_wlimit, memory_order_relaxed) -
		    sc->sc_rpos > SHMIF_RINGSIZE) {
			/* a writer reached these bytes while we copied */
			m_freem(m);
			*lostp += shmif_resync(sc);
			continue;
		}
		sc->sc_rpos += RECSIZE(rec.r_len);
		sc->sc_rseq++;
		if (m != NULL) {
			*tailp = m;
			tailp = &m->m_nextpkt;
			n++;
		}
	}
	return head;
}

static void *
shmif_rcvthread(void *arg)
{
	struct shmif_softc *sc = arg;
	struct shmif_bus *bus = sc->sc_bus;
	struct netstate *ns = sc->sc_if.if_ns;

	while (!atomic_load(&sc->sc_dying)) {
		uint64_t lost = 0, nomem = 0;
		struct mbuf *m, *head;
		uint32_t seq;

		head = shmif_read_batch(sc, &lost, &nomem);
		if (head != NULL || lost != 0 || nomem != 0) {
			net_lock(ns);
			sc->sc_if.if_lost += lost;
			sc->sc_if.if_data.iqdrops += nomem;
			while ((m = head) != NULL) {
				head = m->m_nextpkt;
				m->m_nextpkt = NULL;
				if_input(&sc->sc_if, m);
			}
			net_unlock(ns);
			continue;
		}
		seq = atomic_load(&bus->sb_seq);
		if (atomic_load(&sc->sc_dying))
			break;
		/*
		 * Raise the flag before the last look: a writer publishing
		 * now either is seen here or sees the flag, and then bumps
		 * seq past the value read above before waking us.
		 */
		atomic_store(&bus->sb_sleepers, 1);
		if (atomic_load(&bus->sb_wpos) == sc->sc_rpos)
			(void)rumpuser_futex_wait((uint32_t *)&bus->sb_seq, seq,
			    1000 * 1000000LL);
	}
	return NULL;
}

static int
shmif_updown(struct ifnet *ifp, bool up)
{
	struct shmif_softc *sc = ifp->if_softc;

	/* the thread stays once started; input is dropped while down */
	if (!up || sc->sc_thread != NULL)
		return 0;
	return rumpuser_thread_create(shmif_rcvthread, sc, "shmif-rx",
	    &sc->sc_thread);
}

static void
shmif_stop(struct ifnet *ifp)
{
	struct shmif_softc *sc = ifp->if_softc;

	if (sc->sc_thread == NULL)
		return;
	atomic_store(&sc->sc_dying, true);
	/* wakes every reader of the bus: the others go back to sleep */
	atomic_fetch_add(&sc->sc_bus->sb_seq, 1);
	rumpuser_futex_wake((uint32_t *)&sc->sc_bus->sb_seq, INT_MAX);
	rumpuser_thread_join(sc->sc_thread);
	sc->sc_thread = NULL;
}

static void
shmif_free(struct ifnet *ifp)
{
	struct shmif_softc *sc = ifp->if_softc;

	rumpuser_shmif_unmap(sc->sc_bus, SHMIF_HDRSIZE + SHMIF_RINGSIZE);
	kmem_free(ifp->if_ns->ns_kernel, sc, sizeof(*sc));
}

/* Map the bus and agree on its layout with whoever made it. */
static int
shmif_open_bus(struct shmif_softc *sc, const char *bus)
{
	struct rump_kernel *k = sc->sc_if.if_ns->ns_kernel;
	char *path;
	size_t plen = strlen(bus) + sizeof("/dev/shm/");
	struct shmif_bus *b;
	uint32_t zero = 0;
	void *mem;
	int error;

	if (bus[0] == '\0' || strlen(bus) > 4000)
		return EINVAL;
	if (strchr(bus, '/') == NULL && (strcmp(bus, ".") == 0 ||
	    strcmp(bus, "..") == 0))
		return EINVAL;
	if ((path = kmem_alloc(k, plen)) == NULL)
		return ENOMEM;
	ksnprintf(path, plen, "%s%s", strchr(bus, '/') != NULL ? "" :
	    "/dev/shm/", bus);
	error = rumpuser_shmif_map(path, SHMIF_HDRSIZE + SHMIF_RINGSIZE, &mem);
	kmem_free(k, path, plen);
	if (error != 0)
		return error;
	b = mem;
	if (atomic_compare_exchange_strong(&b->sb_init, &zero, 1)) {
		b->sb_version = SHMIF_VERSION;
		b->sb_ringsize = SHMIF_RINGSIZE;
		b->sb_features = SHMIF_FEATURES;
		atomic_store(&b->sb_magic, SHMIF_MAGIC);
	} else {
		/* another member is making it: a moment */
		for (int i = 0; i < 2000 &&
		    atomic_load(&b->sb_magic) != SHMIF_MAGIC; i++)
			rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 0, 1000000);
	}
	if (atomic_load(&b->sb_magic) != SHMIF_MAGIC ||
	    b->sb_version != SHMIF_VERSION ||
	    b->sb_ringsize != SHMIF_RINGSIZE) {
		rumpuser_shmif_unmap(mem, SHMIF_HDRSIZE + SHMIF_RINGSIZE);
		return EINVAL;
	}
	sc->sc_bus = b;
	sc->sc_ring = (uint8_t *)mem + SHMIF_HDRSIZE;
	sc->sc_id = atomic_fetch_add(&b->sb_nextid, 1) + 1;
	sc->sc_pid = (uint32_t)rumpuser_getpid();
	/* a new member reads from now on */
	bus_lock(sc);
	sc->sc_rpos = atomic_load(&b->sb_wpos);
	sc->sc_rseq = atomic_load(&b->sb_wseq);
	bus_unlock(sc);
	return 0;
}

int
shmif_attach(struct netstate *ns, const char *bus, const uint8_t *mac,
    unsigned mtu, struct ifnet **ifpp)
{
	struct shmif_softc *sc;
	struct ifnet *ifp;
	int error;

	KASSERT(net_locked(ns));
	if (mtu != 0 && (mtu < 68 || mtu > SHMIF_MAXMTU))
		return EINVAL;
	if ((sc = kmem_zalloc(ns->ns_kernel, sizeof(*sc))) == NULL)
		return ENOMEM;
	ifp = &sc->sc_if;
	ifp->if_ns = ns;
	if ((error = shmif_open_bus(sc, bus)) != 0) {
		kmem_free(ns->ns_kernel, sc, sizeof(*sc));
		return error;
	}
	memcpy(ifp->if_xname, "shmif", 6);
	ifp->if_softc = sc;
	ifp->if_type = IFT_ETHER;
	ifp->if_flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->if_mtu = mtu != 0 ? mtu : ETHERMTU;
	ifp->if_maxmtu = SHMIF_MAXMTU;
	ifp->if_hdrlen = ETHER_HDR_LEN;
	if (sc->sc_bus->sb_features & SHMIF_F_TSO)
		ifp->if_capabilities |= IFCAP_TSO;
	if (sc->sc_bus->sb_features & SHMIF_F_CSUM)
		ifp->if_capabilities |= IFCAP_CSUM_TRUSTED;
	if (mac != NULL)
		memcpy(ifp->if_hwaddr, mac, ETHER_ADDR_LEN);
	else
		ether_random_addr(ifp->if_hwaddr);
	ifp->if_transmit = shmif_transmit;
	ifp->if_output = ether_output;
	ifp->if_updown = shmif_updown;
	ifp->if_stop = shmif_stop;
	ifp->if_free = shmif_free;
	if ((error = impair_attach(ifp, &sc->sc_bus->sb_impair)) != 0 ||
	    (error = if_attach(ns, ifp)) != 0) {
		if (ifp->if_impair != NULL)
			impair_destroy(ifp);
		shmif_free(ifp);
		return error;
	}
	*ifpp = ifp;
	return 0;
}

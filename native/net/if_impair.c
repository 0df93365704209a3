/*
 * Impairments on output: loss, then duplication, then reordering (a frame
 * held back and sent after the next one, or after IMPAIR_REORDER_WAIT if
 * none comes), then delay (a FIFO released by a callout).  The generator
 * is reseeded from (seed, the interface's Ethernet address) whenever the
 * parameters change, so a given seed gives the same decisions for the same
 * sequence of frames from the same sender.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_impair.h"

#define IMPAIR_QMAX		4096	/* frames delayed at once */
#define IMPAIR_REORDER_WAIT	(5 * 1000000LL)

struct impair_slot {
	struct mbuf	*m;
	int64_t		due;
};

struct impair {
	struct ifnet	*im_ifp;
	struct impair_shared *im_src;
	struct impair_shared im_own;
	uint32_t	im_gen;		/* of the parameters in im_p */
	bool		im_synced;
	bool		im_active;	/* any parameter non-zero */
	struct impair_params im_p;
	uint64_t	im_rng;
	struct mbuf	*im_held;	/* held back for reordering */
	struct callout	im_reorder_co;
	struct impair_slot *im_q;	/* delay FIFO, IMPAIR_QMAX slots */
	unsigned	im_qhead, im_qlen;
	struct callout	im_delay_co;
	struct impair_stats im_st;
};

void
impair_shared_set(struct impair_shared *s, const struct impair_params *p)
{
	uint32_t g;

	/* writers serialise on the odd value */
	for (;;) {
		g = atomic_load(&s->is_gen);
		if ((g & 1) == 0 &&
		    atomic_compare_exchange_weak(&s->is_gen, &g, g + 1))
			break;
	}
	atomic_store(&s->is_loss, p->loss_ppm);
	atomic_store(&s->is_dup, p->dup_ppm);
	atomic_store(&s->is_reorder, p->reorder_ppm);
	atomic_store(&s->is_delay, p->delay_us);
	atomic_store(&s->is_seed, p->seed);
	atomic_store(&s->is_gen, g + 2);
}

/* A consistent copy, or false if a writer is busy (keep the old one). */
static bool
impair_shared_get(struct impair_shared *s, struct impair_params *p,
    uint32_t *genp)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t g = atomic_load(&s->is_gen);

		if (g & 1)
			continue;
		p->loss_ppm = atomic_load(&s->is_loss);
		p->dup_ppm = atomic_load(&s->is_dup);
		p->reorder_ppm = atomic_load(&s->is_reorder);
		p->delay_us = atomic_load(&s->is_delay);
		p->seed = atomic_load(&s->is_seed);
		if (atomic_load(&s->is_gen) == g) {
			*genp = g;
			return true;
		}
	}
	return false;
}

/* splitmix64: small, and good enough for test decisions */
static uint64_t
impair_rand(struct impair *im)
{
	uint64_t z = (im->im_rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool
impair_chance(struct impair *im, uint32_t ppm)
{
	return ppm != 0 && impair_rand(im) % 1000000u < ppm;
}

static void
impair_sync(struct impair *im)
{
	struct impair_params p;
	uint32_t gen;

	if (im->im_synced && atomic_load(&im->im_src->is_gen) == im->im_gen)
		return;
	if (!impair_shared_get(im->im_src, &p, &gen))
		return;
	im->im_p = p;
	im->im_gen = gen;
	im->im_synced = true;
	im->im_active = p.loss_ppm || p.dup_ppm || p.reorder_ppm || p.delay_us;
	im->im_rng = p.seed;
}

static void
impair_tx(struct ifnet *ifp, struct mbuf *m)
{
	/* a timer may release a frame after the interface went down */
	if (!(ifp->if_flags & IFF_RUNNING)) {
		m_freem(m);
		return;
	}
	if (ifp->if_transmit(ifp, m) != 0)
		ifp->if_data.oerrors++;
}

static void
impair_delay_fire(void *arg)
{
	struct impair *im = arg;
	int64_t now = mono_ns();

	while (im->im_qlen > 0) {
		struct impair_slot *s = &im->im_q[im->im_qhead];

		if (s->due > now) {
			(void)callout_reset(im->im_ifp->if_ns, &im->im_delay_co,
			    s->due - now);
			return;
		}
		im->im_qhead = (im->im_qhead + 1) % IMPAIR_QMAX;
		im->im_qlen--;
		impair_tx(im->im_ifp, s->m);
	}
}

/* After reordering: delay, or out. */
static void
impair_emit(struct impair *im, struct mbuf *m)
{
	struct ifnet *ifp = im->im_ifp;
	struct impair_slot *s;

	if (im->im_p.delay_us == 0 && im->im_qlen == 0) {
		impair_tx(ifp, m);
		return;
	}
	if (im->im_qlen == IMPAIR_QMAX) {
		im->im_st.overflow++;
		m_freem(m);
		return;
	}
	s = &im->im_q[(im->im_qhead + im->im_qlen++) % IMPAIR_QMAX];
	s->m = m;
	s->due = mono_ns() + (int64_t)im->im_p.delay_us * 1000;
	im->im_st.delayed++;
	if (!callout_pending(&im->im_delay_co))
		(void)callout_reset(ifp->if_ns, &im->im_delay_co,
		    (int64_t)im->im_p.delay_us * 1000);
}

static void
impair_reorder_fire(void *arg)
{
	struct impair *im = arg;
	struct mbuf *m = im->im_held;

	/* nothing came to overtake it: it goes as it is */
	im->im_held = NULL;
	if (m != NULL)
		impair_emit(im, m);
}

static void
impair_reorder(struct impair *im, struct mbuf *m)
{
	struct mbuf *held;

	if (im->im_held == NULL && impair_chance(im, im->im_p.reorder_ppm)) {
		im->im_held = m;
		(void)callout_reset(im->im_ifp->if_ns, &im->im_reorder_co,
		    IMPAIR_REORDER_WAIT);
		return;
	}
	impair_emit(im, m);
	if ((held = im->im_held) != NULL) {
		im->im_held = NULL;
		callout_stop(im->im_ifp->if_ns, &im->im_reorder_co);
		im->im_st.reordered++;
		impair_emit(im, held);
	}
}

int
impair_output(struct ifnet *ifp, struct mbuf *m)
{
	struct impair *im = ifp->if_impair;
	struct mbuf *dup = NULL;

	impair_sync(im);
	if (!im->im_active && im->im_held == NULL && im->im_qlen == 0) {
		impair_tx(ifp, m);
		return 0;
	}
	if (impair_chance(im, im->im_p.loss_ppm)) {
		im->im_st.dropped++;
		m_freem(m);
		return 0;
	}
	/* the copy shares the storage: drivers only read frames */
	if (impair_chance(im, im->im_p.dup_ppm) &&
	    (dup = m_copym(m, 0, M_COPYALL)) != NULL)
		im->im_st.duplicated++;
	impair_reorder(im, m);
	if (dup != NULL)
		impair_reorder(im, dup);
	return 0;
}

int
impair_attach(struct ifnet *ifp, struct impair_shared *src)
{
	struct rump_kernel *k = ifp->if_ns->ns_kernel;
	struct impair *im;

	if ((im = kmem_zalloc(k, sizeof(*im))) == NULL)
		return ENOMEM;
	if ((im->im_q = kmem_zalloc(k, IMPAIR_QMAX * sizeof(*im->im_q))) ==
	    NULL) {
		kmem_free(k, im, sizeof(*im));
		return ENOMEM;
	}
	im->im_ifp = ifp;
	im->im_src = src != NULL ? src : &im->im_own;
	callout_init(&im->im_reorder_co, impair_reorder_fire, im);
	callout_init(&im->im_delay_co, impair_delay_fire, im);
	ifp->if_impair = im;
	return 0;
}

void
impair_destroy(struct ifnet *ifp)
{
	struct impair *im = ifp->if_impair;
	struct rump_kernel *k = ifp->if_ns->ns_kernel;

	callout_stop(ifp->if_ns, &im->im_reorder_co);
	callout_stop(ifp->if_ns, &im->im_delay_co);
	m_freem(im->im_held);
	while (im->im_qlen > 0) {
		m_freem(im->im_q[im->im_qhead].m);
		im->im_qhead = (im->im_qhead + 1) % IMPAIR_QMAX;
		im->im_qlen--;
	}
	kmem_free(k, im->im_q, IMPAIR_QMAX * sizeof(*im->im_q));
	kmem_free(k, im, sizeof(*im));
	ifp->if_impair = NULL;
}

void
impair_set(struct ifnet *ifp, const struct impair_params *p)
{
	impair_shared_set(ifp->if_impair->im_src, p);
}

void
impair_getstats(struct ifnet *ifp, struct impair_stats *st)
{
	if (ifp->if_impair != NULL)
		*st = ifp->if_impair->im_st;
	else
		memset(st, 0, sizeof(*st));
}

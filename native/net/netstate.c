/*
 * A kernel's network state: created on first use, its lock, the deferred
 * loopback queue, and the callout (timer) thread.
 */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/unpcb.h"
#include "netinet/if_arp.h"
#include "netinet/in_var.h"

/*
 * The subsystems, initialised in order when the state is created and
 * torn down in reverse at halt.  Each owns its ns_* pointer.
 */
static const struct {
	const char *name;
	int	(*init)(struct netstate *);
	void	(*fini)(struct netstate *);
} subsystems[] = {
	{ "routes", rt_init, rt_fini },
	{ "arp", arp_init, arp_fini },
	{ "interfaces", if_init, if_fini },
	{ "sockets", soinit, sofini },
	{ "unix", unp_init, unp_fini },
	{ "inet", inet_init, inet_fini },
};
#define NSUBSYS	(sizeof(subsystems) / sizeof(subsystems[0]))

/* Who is this thread?  The address of its thread-local lwp pointer. */
static inline void *
thread_self(void)
{
	return (void *)&rump_curlwp;
}

static void ns_free(struct netstate *ns, size_t ninit);

struct netstate *
net_peek(struct rump_kernel *k)
{
	return atomic_load(&k->k_net);
}

struct netstate *
net_get(struct rump_kernel *k, int *errorp)
{
	struct netstate *ns;
	size_t i;
	int error;

	if ((ns = atomic_load(&k->k_net)) != NULL)
		return ns;
	mutex_enter(&k->k_netinitlock);
	if ((ns = atomic_load(&k->k_net)) != NULL) {
		mutex_exit(&k->k_netinitlock);
		return ns;
	}
	error = ENOMEM;
	if ((ns = kmem_zalloc(k, sizeof(*ns))) == NULL)
		goto out;
	ns->ns_kernel = k;
	TAILQ_INIT(&ns->ns_ifnet);
	if ((error = mutex_init(&ns->ns_lock)) != 0 ||
	    (error = cv_init(&ns->ns_callout_cv)) != 0) {
		ns_free(ns, 0);
		ns = NULL;
		goto out;
	}
	for (i = 0; i < NSUBSYS; i++) {
		if ((error = subsystems[i].init(ns)) != 0) {
			klog(k, "net: %s: initialisation failed (%d)",
			    subsystems[i].name, error);
			ns_free(ns, i);
			ns = NULL;
			goto out;
		}
	}
	atomic_store(&k->k_net, ns);
	error = 0;
out:
	mutex_exit(&k->k_netinitlock);
	if (errorp != NULL)
		*errorp = error;
	return ns;
}

static void
ns_free(struct netstate *ns, size_t ninit)
{
	struct rump_kernel *k = ns->ns_kernel;

	while (ninit-- > 0)
		subsystems[ninit].fini(ns);
	/* packets still queued for input go unprocessed */
	while (ns->ns_loopq_head != NULL) {
		struct mbuf *m = ns->ns_loopq_head;

		ns->ns_loopq_head = m->m_nextpkt;
		m_freem(m);
	}
	kmem_free(k, ns->ns_callouts,
	    (size_t)ns->ns_callout_cap * sizeof(*ns->ns_callouts));
	cv_destroy(&ns->ns_callout_cv);
	mutex_destroy(&ns->ns_lock);
	kmem_free(k, ns, sizeof(*ns));
}

void
net_fini(struct rump_kernel *k)
{
	struct netstate *ns = atomic_load(&k->k_net);

	if (ns == NULL)
		return;
	/* the timer thread goes first: nothing fires while we tear down */
	mutex_enter(&ns->ns_lock);
	ns->ns_dying = true;
	cv_broadcast(&ns->ns_callout_cv);
	mutex_exit(&ns->ns_lock);
	if (ns->ns_callout_thread != NULL)
		rumpuser_thread_join(ns->ns_callout_thread);
	ns->ns_callout_thread = NULL;
	/*
	 * Nothing fires any more: forget every pending callout, so that the
	 * subsystems may free what holds one without stopping it first.
	 */
	for (int i = 0; i < ns->ns_ncallouts; i++)
		ns->ns_callouts[i]->c_index = -1;
	ns->ns_ncallouts = 0;
	ns_free(ns, NSUBSYS);
	atomic_store(&k->k_net, NULL);
}

/*
 * Spinning instead of sleeping at once.  The lock is held for short
 * stretches, and with loopback traffic two threads hand it back and forth
 * (the sender runs the receiver's input, the receiver wakes and wants the
 * lock): going to sleep in the host and being woken costs more than the
 * wait.  Bounded, so a preempted holder costs little.
 */
#define NET_SPIN_LOCK	200		/* polls of the owner word */
#define NET_SPIN_SLEEP	(50 * 1000)	/* ns a sleeper watches its cv */
#define NET_SPIN_YIELD	(5 * 1000)	/* then gives the CPU away in between */
#define NET_SPIN_FAILS	4		/* spins run out before a cv stops spinning */

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

void
net_lock(struct netstate *ns)
{
	if (!mutex_tryenter(&ns->ns_lock)) {
		int i;

		for (i = 0; i < NET_SPIN_LOCK; i++) {
			cpu_relax();
			if (atomic_load_explicit(&ns->ns_owner,
			    memory_order_relaxed) == NULL &&
			    mutex_tryenter(&ns->ns_lock))
				break;
		}
		if (i == NET_SPIN_LOCK)
			mutex_enter(&ns->ns_lock);
	}
	atomic_store(&ns->ns_owner, thread_self());
}

bool
net_locked(struct netstate *ns)
{
	return atomic_load(&ns->ns_owner) == thread_self();
}

void
net_loop_enqueue(struct netstate *ns, struct ifnet *ifp, struct mbuf *m)
{
	KASSERT(net_locked(ns));
	m->m_pkthdr.rcvif = ifp;
	m->m_nextpkt = NULL;
	if (ns->ns_loopq_tail != NULL)
		ns->ns_loopq_tail->m_nextpkt = m;
	else
		ns->ns_loopq_head = m;
	ns->ns_loopq_tail = m;
	ns->ns_loopq_len++;
}

/* Input what was looped back; more may be queued while we do. */
static void
net_drain(struct netstate *ns)
{
	struct mbuf *m;

	if (ns->ns_draining)
		return;
	ns->ns_draining = true;
	while ((m = ns->ns_loopq_head) != NULL) {
		ns->ns_loopq_head = m->m_nextpkt;
		if (ns->ns_loopq_head == NULL)
			ns->ns_loopq_tail = NULL;
		ns->ns_loopq_len--;
		m->m_nextpkt = NULL;
		if_input(m->m_pkthdr.rcvif, m);
	}
	ns->ns_draining = false;
}

void
net_unlock(struct netstate *ns)
{
	KASSERT(net_locked(ns));
	net_drain(ns);
	atomic_store(&ns->ns_owner, NULL);
	mutex_exit(&ns->ns_lock);
}

/*
 * Before sleeping in the host: release the lock and watch cv for a short
 * while.  A wake-up that comes soon (the peer's answer on lo0) is then
 * seen without a trip through the host's scheduler.  True: cv was
 * signalled (the lock is held again; the caller looks at its condition).
 * False: nothing yet, the lock is held, and no signal was missed (they
 * are sent with the lock held, and gen is compared under it).
 */
static int net_sleep_host(struct netstate *, kcondvar_t *, int64_t);

static bool
net_spin(struct netstate *ns, kcondvar_t *cv)
{
	unsigned gen = atomic_load_explicit(&cv->gen, memory_order_acquire);
	int64_t t0 = 0;

	/*
	 * A cv whose last spins all ran out (an idle accept, a reader with
	 * nothing coming) sleeps at once, trying a spin now and then again.
	 */
	if (cv->spinfail >= NET_SPIN_FAILS) {
		if (cv->spinfail < 1000)
			cv->spinfail++;
		if (cv->spinfail % 16 != 0)
			return false;
	}
	atomic_store(&ns->ns_owner, NULL);
	mutex_exit(&ns->ns_lock);
	for (unsigned i = 1;; i++) {
		cpu_relax();
		if (atomic_load_explicit(&cv->gen, memory_order_acquire) != gen)
			break;
		if ((i & 63) == 0) {
			int64_t now = mono_ns();

			if (t0 == 0)
				t0 = now;
			else if (now - t0 > NET_SPIN_SLEEP)
				break;
			else if (now - t0 > NET_SPIN_YIELD)
				rumpuser_yield();	/* the partner may need our CPU */
		}
	}
	net_lock(ns);
	if (atomic_load_explicit(&cv->gen, memory_order_acquire) != gen) {
		cv->spinfail = 0;
		return true;
	}
	if (cv->spinfail < NET_SPIN_FAILS)
		cv->spinfail++;
	return false;
}

int
net_sleep(struct netstate *ns, kcondvar_t *cv, int64_t timeout_ns)
{
	KASSERT(net_locked(ns));
	/*
	 * What we looped back must not wait for our wake-up; and what it
	 * did may be what the caller waits for (a loopback TCP handshake
	 * completes in there, and its wake-up went out before we slept):
	 * the caller looks again instead of sleeping through it.
	 */
	if (ns->ns_loopq_head != NULL && !ns->ns_draining) {
		net_drain(ns);
		return 0;
	}
	if (timeout_ns != 0 && net_spin(ns, cv))
		return 0;
	return net_sleep_host(ns, cv, timeout_ns);
}

/* Sleep in the host (the timer thread: its waits are long). */
static int
net_sleep_host(struct netstate *ns, kcondvar_t *cv, int64_t timeout_ns)
{
	int error = 0;

	atomic_store(&ns->ns_owner, NULL);
	error = lwp_sleep(cv, &ns->ns_lock, timeout_ns);
	atomic_store(&ns->ns_owner, thread_self());
	return error;
}

/* ---------------------------------------------------------- callouts */

void
callout_init(struct callout *c, void (*func)(void *), void *arg)
{
	c->c_time = 0;
	c->c_func = func;
	c->c_arg = arg;
	c->c_index = -1;
}

static void
heap_set(struct netstate *ns, int i, struct callout *c)
{
	ns->ns_callouts[i] = c;
	c->c_index = i;
}

static void
heap_up(struct netstate *ns, int i)
{
	struct callout *c = ns->ns_callouts[i];

	while (i > 0) {
		int parent = (i - 1) / 2;

		if (ns->ns_callouts[parent]->c_time <= c->c_time)
			break;
		heap_set(ns, i, ns->ns_callouts[parent]);
		i = parent;
	}
	heap_set(ns, i, c);
}

static void
heap_down(struct netstate *ns, int i)
{
	struct callout *c = ns->ns_callouts[i];
	int n = ns->ns_ncallouts;

	for (;;) {
		int child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && ns->ns_callouts[child + 1]->c_time <
		    ns->ns_callouts[child]->c_time)
			child++;
		if (ns->ns_callouts[child]->c_time >= c->c_time)
			break;
		heap_set(ns, i, ns->ns_callouts[child]);
		i = child;
	}
	heap_set(ns, i, c);
}

static void
heap_remove(struct netstate *ns, struct callout *c)
{
	int i = c->c_index;
	struct callout *last;

	c->c_index = -1;
	last = ns->ns_callouts[--ns->ns_ncallouts];
	if (last == c)
		return;
	heap_set(ns, i, last);
	heap_up(ns, i);
	heap_down(ns, last->c_index);
}

static void *
callout_thread(void *arg)
{
	struct netstate *ns = arg;

	net_lock(ns);
	while (!ns->ns_dying) {
		struct callout *c;
		int64_t now;

		if (ns->ns_ncallouts == 0) {
			net_sleep_host(ns, &ns->ns_callout_cv, -1);
			continue;
		}
		c = ns->ns_callouts[0];
		now = mono_ns();
		if (c->c_time > now) {
			net_sleep_host(ns, &ns->ns_callout_cv, c->c_time - now);
			continue;
		}
		heap_remove(ns, c);
		c->c_func(c->c_arg);
		/* process its output before the next timer */
		net_drain(ns);
	}
	net_unlock(ns);
	return NULL;
}

int
callout_reset(struct netstate *ns, struct callout *c, int64_t delay_ns)
{
	bool wake;
	int error;

	KASSERT(net_locked(ns));
	if (ns->ns_callout_thread == NULL && !ns->ns_dying) {
		error = rumpuser_thread_create(callout_thread, ns, "rumpnet-timer",
		    &ns->ns_callout_thread);
		if (error != 0)
			return error;
	}
	if (c->c_index >= 0)
		heap_remove(ns, c);
	if (ns->ns_ncallouts == ns->ns_callout_cap) {
		int ncap = ns->ns_callout_cap ? 2 * ns->ns_callout_cap : 64;
		struct callout **nv;

		nv = kmem_alloc(ns->ns_kernel, (size_t)ncap * sizeof(*nv));
		if (nv == NULL)
			return ENOMEM;
		if (ns->ns_ncallouts > 0)
			memcpy(nv, ns->ns_callouts,
			    (size_t)ns->ns_ncallouts * sizeof(*nv));
		kmem_free(ns->ns_kernel, ns->ns_callouts,
		    (size_t)ns->ns_callout_cap * sizeof(*nv));
		ns->ns_callouts = nv;
		ns->ns_callout_cap = ncap;
	}
	c->c_time = mono_ns() + (delay_ns > 0 ? delay_ns : 0);
	ns->ns_callouts[ns->ns_ncallouts] = c;
	c->c_index = ns->ns_ncallouts++;
	heap_up(ns, c->c_index);
	wake = c->c_index == 0;
	if (wake)
		cv_signal(&ns->ns_callout_cv);
	return 0;
}

void
callout_stop(struct netstate *ns, struct callout *c)
{
	KASSERT(net_locked(ns));
	if (c->c_index >= 0)
		heap_remove(ns, c);
}

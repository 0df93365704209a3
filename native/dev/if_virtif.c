/*
 * virtif: an Ethernet interface on a host TAP device, so that Linux's own
 * stack (in a network namespace, typically) is the peer.  Frames go out
 * with one writev per frame under ns_lock; a receive thread, started when
 * the interface first goes up, reads frames without the lock and inputs
 * each under it.
 */
#include <sys/uio.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "dev/netif.h"

#define VIRTIF_MAXMTU	65521u		/* what Linux's tun accepts */
#define VIRTIF_BUFSIZE	(VIRTIF_MAXMTU + ETHER_HDR_LEN + 4)
#define VIRTIF_MAXIOV	32

struct virtif_softc {
	struct ifnet	sc_if;		/* first: if_free frees the softc */
	struct rumpuser_tap *sc_tap;
	struct rumpuser_thread *sc_thread;
	_Atomic bool	sc_dying;
	uint8_t		*sc_rxbuf;	/* the receive thread's */
	uint8_t		*sc_txbuf;	/* long chains, flattened */
};

static int
virtif_transmit(struct ifnet *ifp, struct mbuf *m)
{
	struct virtif_softc *sc = ifp->if_softc;
	struct iovec iov[VIRTIF_MAXIOV];
	struct mbuf *n;
	int cnt = 0, error;

	if (m->m_pkthdr.len > VIRTIF_BUFSIZE) {
		m_freem(m);
		return EMSGSIZE;
	}
	for (n = m; n != NULL && cnt < VIRTIF_MAXIOV; n = n->m_next)
		if (n->m_len > 0) {
			iov[cnt].iov_base = n->m_data;
			iov[cnt++].iov_len = n->m_len;
		}
	if (n != NULL) {
		m_copydata(m, 0, m->m_pkthdr.len, sc->sc_txbuf);
		iov[0].iov_base = sc->sc_txbuf;
		iov[0].iov_len = m->m_pkthdr.len;
		cnt = 1;
	}
	error = rumpuser_tap_send(sc->sc_tap, iov, cnt);
	m_freem(m);
	return error;
}

static void *
virtif_rcvthread(void *arg)
{
	struct virtif_softc *sc = arg;
	struct ifnet *ifp = &sc->sc_if;
	struct netstate *ns = ifp->if_ns;

	while (!atomic_load(&sc->sc_dying)) {
		struct mbuf *m;
		size_t len;
		int error;

		error = rumpuser_tap_recv(sc->sc_tap, sc->sc_rxbuf,
		    VIRTIF_BUFSIZE, &len);
		if (error == EINTR)
			continue;
		if (error != 0) {
			klog(ns->ns_kernel, "%s: receive error %d: stopped",
			    ifp->if_xname, error);
			break;
		}
		m = len >= ETHER_HDR_LEN ? m_devget(ns->ns_kernel,
		    sc->sc_rxbuf, len, ETHER_ALIGN, ifp) : NULL;
		net_lock(ns);
		if (m != NULL)
			if_input(ifp, m);
		else
			ifp->if_data.iqdrops++;
		net_unlock(ns);
	}
	return NULL;
}

static int
virtif_updown(struct ifnet *ifp, bool up)
{
	struct virtif_softc *sc = ifp->if_softc;

	if (!up || sc->sc_thread != NULL)
		return 0;
	return rumpuser_thread_create(virtif_rcvthread, sc, "virtif-rx",
	    &sc->sc_thread);
}

static void
virtif_stop(struct ifnet *ifp)
{
	struct virtif_softc *sc = ifp->if_softc;

	if (sc->sc_thread == NULL)
		return;
	atomic_store(&sc->sc_dying, true);
	rumpuser_tap_wakeup(sc->sc_tap);
	rumpuser_thread_join(sc->sc_thread);
	sc->sc_thread = NULL;
}

static void
virtif_free(struct ifnet *ifp)
{
	struct virtif_softc *sc = ifp->if_softc;
	struct rump_kernel *k = ifp->if_ns->ns_kernel;

	if (sc->sc_tap != NULL)
		rumpuser_tap_close(sc->sc_tap);
	kmem_free(k, sc->sc_rxbuf, VIRTIF_BUFSIZE);
	kmem_free(k, sc->sc_txbuf, VIRTIF_BUFSIZE);
	kmem_free(k, sc, sizeof(*sc));
}

int
virtif_attach(struct netstate *ns, const char *dev, const uint8_t *mac,
    unsigned mtu, struct ifnet **ifpp)
{
	struct rump_kernel *k = ns->ns_kernel;
	struct virtif_softc *sc;
	struct ifnet *ifp;
	int error;

	KASSERT(net_locked(ns));
	if (mtu != 0 && (mtu < 68 || mtu > VIRTIF_MAXMTU))
		return EINVAL;
	if ((sc = kmem_zalloc(k, sizeof(*sc))) == NULL)
		return ENOMEM;
	ifp = &sc->sc_if;
	ifp->if_ns = ns;
	sc->sc_rxbuf = kmem_alloc(k, VIRTIF_BUFSIZE);
	sc->sc_txbuf = kmem_alloc(k, VIRTIF_BUFSIZE);
	if (sc->sc_rxbuf == NULL || sc->sc_txbuf == NULL) {
		virtif_free(ifp);
		return ENOMEM;
	}
	ifp->if_softc = sc;
	if ((error = rumpuser_tap_open(dev, &sc->sc_tap)) != 0) {
		virtif_free(ifp);
		return error;
	}
	memcpy(ifp->if_xname, "virt", 5);
	ifp->if_type = IFT_ETHER;
	ifp->if_flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->if_mtu = mtu != 0 ? mtu : ETHERMTU;
	ifp->if_maxmtu = VIRTIF_MAXMTU;
	ifp->if_hdrlen = ETHER_HDR_LEN;
	if (mac != NULL)
		memcpy(ifp->if_hwaddr, mac, ETHER_ADDR_LEN);
	else
		ether_random_addr(ifp->if_hwaddr);
	ifp->if_transmit = virtif_transmit;
	ifp->if_output = ether_output;
	ifp->if_updown = virtif_updown;
	ifp->if_stop = virtif_stop;
	ifp->if_free = virtif_free;
	if ((error = if_attach(ns, ifp)) != 0) {
		virtif_free(ifp);
		return error;
	}
	*ifpp = ifp;
	return 0;
}

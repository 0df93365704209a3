/*
 * cbif: an Ethernet interface whose wire is a function of its host.  Every
 * frame the kernel sends is handed to the host's output callback (under
 * the kernel's network lock: the callback must not call into the kernel);
 * frames come in through rump_net_input_frame.  Tests and the packet
 * fuzzer use it to be a peer without a bus, a device or a thread.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "dev/netif.h"

#define CBIF_MAXMTU	65535

struct cbif_softc {
	struct ifnet	sc_if;		/* first */
	void		(*sc_output)(void *, const void *, size_t);
	void		*sc_arg;
	uint8_t		*sc_buf;	/* a frame made contiguous */
	size_t		sc_bufsize;
};

static int
cbif_transmit(struct ifnet *ifp, struct mbuf *m)
{
	struct cbif_softc *sc = ifp->if_softc;
	size_t len = m_length(m);

	if (sc->sc_output != NULL) {
		if (m->m_next == NULL) {
			sc->sc_output(sc->sc_arg, m->m_data, len);
		} else {
			if (len > sc->sc_bufsize) {
				uint8_t *nb = kmem_alloc(ifp->if_ns->ns_kernel, len);

				if (nb == NULL) {
					m_freem(m);
					return ENOBUFS;
				}
				kmem_free(ifp->if_ns->ns_kernel, sc->sc_buf,
				    sc->sc_bufsize);
				sc->sc_buf = nb;
				sc->sc_bufsize = len;
			}
			m_copydata(m, 0, len, sc->sc_buf);
			sc->sc_output(sc->sc_arg, sc->sc_buf, len);
		}
	}
	m_freem(m);
	return 0;
}

static void
cbif_free(struct ifnet *ifp)
{
	struct cbif_softc *sc = ifp->if_softc;
	struct rump_kernel *k = ifp->if_ns->ns_kernel;

	kmem_free(k, sc->sc_buf, sc->sc_bufsize);
	kmem_free(k, sc, sizeof(*sc));
}

int
cbif_attach(struct netstate *ns, void (*output)(void *, const void *, size_t),
    void *arg, const uint8_t *mac, unsigned mtu, struct ifnet **ifpp)
{
	struct cbif_softc *sc;
	struct ifnet *ifp;
	int error;

	KASSERT(net_locked(ns));
	if (mtu != 0 && (mtu < 68 || mtu > CBIF_MAXMTU))
		return EINVAL;
	if ((sc = kmem_zalloc(ns->ns_kernel, sizeof(*sc))) == NULL)
		return ENOMEM;
	sc->sc_output = output;
	sc->sc_arg = arg;
	ifp = &sc->sc_if;
	ifp->if_ns = ns;
	memcpy(ifp->if_xname, "cbif", 5);
	ifp->if_softc = sc;
	ifp->if_type = IFT_ETHER;
	ifp->if_flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->if_mtu = mtu != 0 ? mtu : ETHERMTU;
	ifp->if_maxmtu = CBIF_MAXMTU;
	ifp->if_hdrlen = ETHER_HDR_LEN;
	if (mac != NULL)
		memcpy(ifp->if_hwaddr, mac, ETHER_ADDR_LEN);
	else
		ether_random_addr(ifp->if_hwaddr);
	ifp->if_transmit = cbif_transmit;
	ifp->if_output = ether_output;
	ifp->if_free = cbif_free;
	if ((error = if_attach(ns, ifp)) != 0) {
		cbif_free(ifp);
		return error;
	}
	*ifpp = ifp;
	return 0;
}

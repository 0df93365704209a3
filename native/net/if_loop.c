/*
 * lo0: the loopback.  What it sends is queued with net_loop_enqueue and
 * input (if_input) when the sender releases ns_lock, in the same thread:
 * no copy, no thread switch, no recursion into a running protocol.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"

#define LOMTU	65536		/* as Linux's lo */

static int
loop_transmit(struct ifnet *ifp, struct mbuf *m)
{
	net_loop_enqueue(ifp->if_ns, ifp, m);
	return 0;
}

static int
loop_output(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop)
{
	(void)nexthop;
	return if_output_frame(ifp, m);
}

static void
loop_free(struct ifnet *ifp)
{
	kmem_free(ifp->if_ns->ns_kernel, ifp, sizeof(*ifp));
}

int
loop_attach(struct netstate *ns)
{
	struct ifnet *ifp;
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	int error;

	if ((ifp = kmem_zalloc(ns->ns_kernel, sizeof(*ifp))) == NULL)
		return ENOMEM;
	memcpy(ifp->if_xname, "lo", 3);
	ifp->if_type = IFT_LOOP;
	ifp->if_flags = IFF_LOOPBACK;
	ifp->if_mtu = ifp->if_maxmtu = LOMTU;
	ifp->if_hdrlen = 0;
	ifp->if_transmit = loop_transmit;
	ifp->if_output = loop_output;
	ifp->if_free = loop_free;
	net_lock(ns);
	if ((error = if_attach(ns, ifp)) != 0) {
		net_unlock(ns);
		kmem_free(ns->ns_kernel, ifp, sizeof(*ifp));
		return error;
	}
	ns->ns_loif = ifp;
	if ((error = if_addaddr(ifp, lo, 8)) == 0)
		error = if_setflags(ifp, IFF_UP);
	net_unlock(ns);
	if (error != 0)
		if_detach(ifp);
	return error;
}

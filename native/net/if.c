/* Network interfaces: the list, attach and detach, input and output. */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"

int
if_init(struct netstate *ns)
{
	TAILQ_INIT(&ns->ns_ifnet);
	ns->ns_nextindex = 1;
	return 0;
}

void
if_fini(struct netstate *ns)
{
	(void)ns;
}

void
if_input(struct ifnet *ifp, struct mbuf *m)
{
	(void)ifp;
	m_freem(m);
}

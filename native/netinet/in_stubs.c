/*
 * Stand-ins, until they land, for what this branch calls in the socket
 * layer (net/uipc_socket*.c), the link layer (net/if*.c, net/route.c) and
 * TCP (tcp_*.c).  Each is weak: the real definition replaces it, and this
 * file goes once main has all three.
 */
#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"

#define WEAK	__attribute__((weak))

WEAK int
sbreserve(struct sockbuf *sb, size_t cc)
{
	sb->sb_hiwat = cc;
	sb->sb_mbmax = 2 * cc;
	return 0;
}

/* Records through m_nextpkt, data only (no address or control). */
WEAK bool
sbappendaddr(struct sockbuf *sb, const struct sockaddr *sa, socklen_t salen,
    struct mbuf *m, struct mbuf *control)
{
	size_t len = m_length(m);
	struct mbuf **pp;

	(void)sa;
	(void)salen;
	if (sb->sb_cc + len > sb->sb_hiwat)
		return false;
	m_freem(control);
	for (pp = &sb->sb_mb; *pp != NULL; pp = &(*pp)->m_nextpkt)
		;
	*pp = m;
	sb->sb_cc += len;
	return true;
}

WEAK void
sorwakeup(struct socket *so)
{
	(void)so;
}

WEAK void
sowwakeup(struct socket *so)
{
	(void)so;
}

WEAK void
socantsendmore(struct socket *so)
{
	so->so_state |= SS_CANTSENDMORE;
}

WEAK struct rtentry *
rt_lookup(struct netstate *ns, struct in_addr dst)
{
	(void)ns;
	(void)dst;
	return NULL;
}

WEAK int
if_output_frame(struct ifnet *ifp, struct mbuf *m)
{
	return ifp->if_transmit(ifp, m);
}

WEAK int
ether_output(struct ifnet *ifp, struct mbuf *m, struct in_addr nexthop)
{
	(void)nexthop;
	return ifp->if_transmit(ifp, m);
}

WEAK void
tcp_input(struct mbuf *m, int off)
{
	(void)off;
	m_freem(m);
}

WEAK void
tcp_ctlinput(struct netstate *ns, int cmd, const struct ip *inner,
    size_t len)
{
	(void)ns;
	(void)cmd;
	(void)inner;
	(void)len;
}

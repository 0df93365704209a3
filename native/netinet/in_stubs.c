/*
 * Stand-ins for TCP (tcp_*.c) until it lands: TCP segments are dropped.
 * Each is weak: the real definition replaces it, and this file goes with
 * TCP's merge.
 */
#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"

#define WEAK	__attribute__((weak))

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

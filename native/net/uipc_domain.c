/*
 * The domains (address families) a kernel's sockets may be made in.  Each
 * domain registers itself from its subsystem's init (netstate.c), so a
 * family that is not built or not started gives EAFNOSUPPORT:
 *
 *	return domain_register(ns, &unixdomain);
 */
#include "sys/systm.h"
#include "sys/socketvar.h"
#include "net/netstate.h"

int
domain_register(struct netstate *ns, const struct domain *dp)
{
	struct sockstat_list *sl = ns->ns_socks;

	if (sl->sl_ndomains == SO_MAXDOMAINS)
		return ENOSPC;
	sl->sl_domains[sl->sl_ndomains++] = dp;
	return 0;
}

const struct domain *
pffinddomain(struct netstate *ns, int family)
{
	struct sockstat_list *sl = ns->ns_socks;

	for (int i = 0; i < sl->sl_ndomains; i++)
		if (sl->sl_domains[i]->dom_family == family)
			return sl->sl_domains[i];
	return NULL;
}


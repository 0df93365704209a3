/*
 * Interface ioctls on sockets (SIOC*), with Linux's structures and
 * semantics: the socket layer copies the struct ifreq (or struct ifconf)
 * in, calls ifioctl with ns_lock held, and copies it back out.  The list
 * that SIOCGIFCONF fills is the caller's buffer (ifc_buf), copied out here.
 * Changes need privilege (Linux: CAP_NET_ADMIN; here: euid 0).
 */
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>

#include "sys/systm.h"
#include "sys/kauth.h"
#include "net/netstate.h"
#include "net/if.h"

static void
sin_set(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = a;
	memcpy(sa, &sin, sizeof(sin));
}

static int
ifconf(struct netstate *ns, struct ifconf *ifc)
{
	struct ifnet *ifp;
	struct in_ifaddr *ia;
	struct ifreq ifr;
	int used = 0, error;

	if (ifc->ifc_len < 0)
		return EINVAL;
	TAILQ_FOREACH(ifp, &ns->ns_ifnet, if_list)
		TAILQ_FOREACH(ia, &ifp->if_addrs, ia_list) {
			/* NULL buffer: how much room is needed (Linux) */
			if (ifc->ifc_buf == NULL) {
				used += (int)sizeof(ifr);
				continue;
			}
			if (ifc->ifc_len - used < (int)sizeof(ifr))
				goto out;
			memset(&ifr, 0, sizeof(ifr));
			memcpy(ifr.ifr_name, ifp->if_xname, IFNAMSIZ);
			sin_set(&ifr.ifr_addr, ia->ia_addr);
			if ((error = copyout(&ifr, ifc->ifc_buf + used,
			    sizeof(ifr))) != 0)
				return error;
			used += (int)sizeof(ifr);
		}
out:
	ifc->ifc_len = used;
	return 0;
}

/* SIOCSIFADDR: the first address is replaced; the mask by class. */
static int
ifsetaddr(struct ifnet *ifp, const struct sockaddr *sa)
{
	struct sockaddr_in sin;
	struct in_ifaddr *ia;
	uint32_t a;
	int plen, error;

	memcpy(&sin, sa, sizeof(sin));
	if (sin.sin_family != AF_INET)
		return EINVAL;
	a = ntohl(sin.sin_addr.s_addr);
	plen = (a >> 31) == 0 ? 8 : (a >> 30) == 2 ? 16 : 24;
	if ((ia = TAILQ_FIRST(&ifp->if_addrs)) != NULL) {
		if (ia->ia_addr.s_addr == sin.sin_addr.s_addr)
			return 0;
		plen = ia->ia_prefixlen;
		if ((error = if_deladdr(ifp, ia->ia_addr)) != 0)
			return error;
	}
	return if_addaddr(ifp, sin.sin_addr, plen);
}

int
ifioctl(struct netstate *ns, unsigned long cmd, void *data,
    struct kauth_cred *cred)
{
	struct ifreq *ifr = data;
	struct ifnet *ifp;
	struct in_ifaddr *ia;

	KASSERT(net_locked(ns));
	switch (cmd) {
	case SIOCGIFCONF:
		return ifconf(ns, data);
	case SIOCGIFNAME:
		if ((ifp = if_byindex(ns, (unsigned)ifr->ifr_ifindex)) == NULL)
			return ENODEV;
		memcpy(ifr->ifr_name, ifp->if_xname, IFNAMSIZ);
		return 0;
	case SIOCGIFFLAGS: case SIOCSIFFLAGS: case SIOCGIFADDR:
	case SIOCSIFADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR:
	case SIOCGIFMTU: case SIOCSIFMTU: case SIOCGIFHWADDR:
	case SIOCGIFINDEX:
		break;
	default:
		return ENOTTY;
	}
	if (strnlen(ifr->ifr_name, IFNAMSIZ) == IFNAMSIZ)
		return ENODEV;
	if ((ifp = if_byname(ns, ifr->ifr_name)) == NULL)
		return ENODEV;
	if ((cmd == SIOCSIFFLAGS || cmd == SIOCSIFADDR || cmd == SIOCSIFMTU) &&
	    !kauth_cred_privileged(cred))
		return EPERM;
	ia = TAILQ_FIRST(&ifp->if_addrs);
	switch (cmd) {
	case SIOCGIFFLAGS:
		ifr->ifr_flags = (short)ifp->if_flags;
		return 0;
	case SIOCSIFFLAGS:
		return if_setflags(ifp, (unsigned short)ifr->ifr_flags);
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (ia == NULL)
			return EADDRNOTAVAIL;
		sin_set(&ifr->ifr_addr, cmd == SIOCGIFADDR ? ia->ia_addr :
		    cmd == SIOCGIFNETMASK ? ia->ia_mask : ia->ia_broadcast);
		return 0;
	case SIOCSIFADDR:
		return ifsetaddr(ifp, &ifr->ifr_addr);
	case SIOCGIFMTU:
		ifr->ifr_mtu = (int)ifp->if_mtu;
		return 0;
	case SIOCSIFMTU:
		return ifr->ifr_mtu < 0 ? EINVAL :
		    if_setmtu(ifp, (unsigned)ifr->ifr_mtu);
	case SIOCGIFHWADDR:
		memset(&ifr->ifr_hwaddr, 0, sizeof(ifr->ifr_hwaddr));
		ifr->ifr_hwaddr.sa_family = ifp->if_type == IFT_ETHER ?
		    ARPHRD_ETHER : ARPHRD_LOOPBACK;
		memcpy(ifr->ifr_hwaddr.sa_data, ifp->if_hwaddr, 6);
		return 0;
	case SIOCGIFINDEX:
		ifr->ifr_ifindex = (int)ifp->if_index;
		return 0;
	}
	return ENOTTY;
}

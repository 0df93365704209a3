/* Network interface drivers: attach functions (under ns_lock). */
#ifndef DEV_NETIF_H
#define DEV_NETIF_H

#include "sys/systm.h"

struct netstate;
struct ifnet;

/*
 * shmif: an Ethernet interface on the shared-memory bus at bus (a path
 * with a '/', else a name under /dev/shm), made if it does not exist.
 * mac NULL: a random locally administered address.  mtu 0: 1500.
 */
int	shmif_attach(struct netstate *ns, const char *bus, const uint8_t *mac,
	    unsigned mtu, struct ifnet **ifpp);
/* virtif: an Ethernet interface on the host's TAP device named dev. */
int	virtif_attach(struct netstate *ns, const char *dev, const uint8_t *mac,
	    unsigned mtu, struct ifnet **ifpp);

/* cbif: frames sent go to output(arg, frame, len), under ns_lock. */
int	cbif_attach(struct netstate *ns,
	    void (*output)(void *, const void *, size_t), void *arg,
	    const uint8_t *mac, unsigned mtu, struct ifnet **ifpp);

#endif

/* Ethernet framing shared by the Ethernet drivers, ARP and capture. */
#ifndef NET_IF_ETHER_H
#define NET_IF_ETHER_H

#include "sys/systm.h"

struct ifnet;
struct mbuf;

#define ETHER_ADDR_LEN	6
#define ETHER_HDR_LEN	14
#define ETHERMTU	1500
#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806
/* received frames start this far into their buffer: IP lands 4-aligned */
#define ETHER_ALIGN	18

extern const uint8_t etherbroadcastaddr[ETHER_ADDR_LEN];

/* Prepend an Ethernet header to m (consumed) and send it. */
int	ether_frame(struct ifnet *ifp, struct mbuf *m, const uint8_t dst[6],
	    uint16_t type);
void	ether_random_addr(uint8_t mac[6]);

#endif

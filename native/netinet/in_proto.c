/*
 * The inet domain: its protocol switch, and the per-kernel IPv4 state
 * (pcb tables, reassembly, counters) made when the kernel's network state
 * is (net/netstate.c's subsystems[]).
 *
 * socreate picks the first entry whose type matches and whose protocol is
 * the one asked for, or any when 0 was asked (the type's default) or the
 * entry's is 0 (raw IP takes every protocol and refuses 0 itself).
 */
#include <netinet/ip_icmp.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"
#include "netinet/tcp_var.h"

/* The same requests for every datagram kind; they differ in attach and send. */
#define INET_DGRAM_REQS						\
	.pr_detach = udp_detach,					\
	.pr_disconnect = udp_disconnect,				\
	.pr_shutdown = udp_shutdown,					\
	.pr_abort = udp_abort,						\
	.pr_sockaddr = in_sockaddr_req,					\
	.pr_peeraddr = in_peeraddr_req,					\
	.pr_ioctl = in_ioctl

static const struct protosw inetsw[] = {
	{
		.pr_type = SOCK_DGRAM,
		.pr_domain = (struct domain *)&inetdomain,
		.pr_protocol = IPPROTO_UDP,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_attach = udp_attach,
		.pr_send = udp_send,
		.pr_bind = udp_bind,
		.pr_connect = udp_connect,
		.pr_ctloutput = ip_ctloutput,
		INET_DGRAM_REQS,
	},
	{
		.pr_type = SOCK_STREAM,
		.pr_domain = (struct domain *)&inetdomain,
		.pr_protocol = IPPROTO_TCP,
		.pr_flags = PR_CONNREQUIRED | PR_WANTRCVD | PR_LISTEN |
		    PR_ABRTACPTDIS,
		.pr_attach = tcp_usr_attach,
		.pr_detach = tcp_usr_detach,
		.pr_bind = tcp_usr_bind,
		.pr_listen = tcp_usr_listen,
		.pr_connect = tcp_usr_connect,
		.pr_accept = tcp_usr_accept,
		.pr_disconnect = tcp_usr_disconnect,
		.pr_shutdown = tcp_usr_shutdown,
		.pr_abort = tcp_usr_abort,
		.pr_rcvd = tcp_usr_rcvd,
		.pr_send = tcp_usr_send,
		.pr_sockaddr = tcp_usr_sockaddr,
		.pr_peeraddr = tcp_usr_peeraddr,
		.pr_ctloutput = tcp_ctloutput,
		.pr_ioctl = tcp_usr_ioctl,
	},
	{
		/* ICMP echo without privilege, as Linux's ping sockets */
		.pr_type = SOCK_DGRAM,
		.pr_domain = (struct domain *)&inetdomain,
		.pr_protocol = IPPROTO_ICMP,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_attach = ping_attach,
		.pr_send = ping_send,
		.pr_bind = udp_bind,
		.pr_connect = udp_connect,
		.pr_ctloutput = ip_ctloutput,
		INET_DGRAM_REQS,
	},
	{
		/* raw IP, any protocol (ICMP for ping and traceroute) */
		.pr_type = SOCK_RAW,
		.pr_domain = (struct domain *)&inetdomain,
		.pr_protocol = 0,
		.pr_flags = PR_ATOMIC | PR_ADDR,
		.pr_attach = rip_attach,
		.pr_send = rip_send,
		.pr_ctloutput = rip_ctloutput,
		.pr_bind = rip_bind,
		.pr_connect = rip_connect,
		INET_DGRAM_REQS,
	},
};

const struct domain inetdomain = {
	.dom_family = AF_INET,
	.dom_name = "inet",
	.dom_protosw = (struct protosw *)inetsw,
	.dom_nprotosw = sizeof(inetsw) / sizeof(inetsw[0]),
};

int
inet_init(struct netstate *ns)
{
	struct rump_kernel *k = ns->ns_kernel;
	struct inet_state *is;
	size_t got;
	int error;

	if ((is = kmem_zalloc(k, sizeof(*is))) == NULL)
		return ENOMEM;
	ns->ns_inet = is;
	if ((error = in_pcbtable_init(ns, &is->is_udbtable, 64)) != 0 ||
	    (error = in_pcbtable_init(ns, &is->is_tcbtable, 512)) != 0 ||
	    (error = in_pcbtable_init(ns, &is->is_rawtable, 4)) != 0 ||
	    (error = ipq_init(ns)) != 0 ||
	    (error = tcp_init(ns)) != 0) {
		inet_fini(ns);
		return error;
	}
	/* IDs start somewhere unpredictable */
	if (rumpuser_getrandom(&is->is_ip_id, sizeof(is->is_ip_id), 0,
	    &got) != 0)
		is->is_ip_id = 1;
	/* is_icmp_last 0: the ICMP error bucket starts full (ip_icmp.c) */
	if ((error = domain_register(ns, &inetdomain)) != 0) {
		inet_fini(ns);
		return error;
	}
	/* the link layer's way in: IP input, and what ARP gave up on */
	ns->ns_ip_input = ip_input;
	ns->ns_ip_unreach = ip_unreach;
	return 0;
}

void
inet_fini(struct netstate *ns)
{
	struct inet_state *is = ns->ns_inet;

	if (is == NULL)
		return;
	ns->ns_ip_input = NULL;
	ns->ns_ip_unreach = NULL;
	ipq_fini(ns);
	tcp_fini(ns);		/* its tcpcbs hang off the table's pcbs */
	in_pcbtable_fini(is->is_rawtable);
	in_pcbtable_fini(is->is_tcbtable);
	in_pcbtable_fini(is->is_udbtable);
	kmem_free(ns->ns_kernel, is, sizeof(*is));
	ns->ns_inet = NULL;
}

/*
 * Internet pcbs, white-box: Linux's bind rules (EADDRINUSE with and
 * without SO_REUSEADDR/SO_REUSEPORT, wildcard against specific, TCP
 * listeners, TIME_WAIT), EACCES below 1024 without privilege,
 * EADDRNOTAVAIL, ephemeral ports in 32768-60999, connect's source
 * selection and ENETUNREACH, unconnecting, and lookups.  The sockets are
 * bare structures: only their options and credentials matter here.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <rump/rump.h>

#include "sys/systm.h"
#include "sys/kauth.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"

#include "harness.h"
#include "net_util.h"

static struct rump_kernel *k;
static struct netstate *ns;
static struct ifnet lo;
static struct in_ifaddr lo_ia, eth_ia;
static kauth_cred_t root, user, user2;
static struct socket socks[64];
static int nsocks;

static bool
setup(void)
{
	if ((ns = nu_boot_ns(&k)) == NULL)
		return false;
	nu_fakeif(ns, &lo, &lo_ia);
	lo.if_mtu = 65536;
	/* a second address (as if on Ethernet), on the same fake interface */
	eth_ia = lo_ia;
	eth_ia.ia_addr.s_addr = htonl(0xc0000201);
	eth_ia.ia_mask.s_addr = htonl(0xffffff00);
	eth_ia.ia_broadcast.s_addr = htonl(0xc00002ff);
	eth_ia.ia_prefixlen = 24;
	TAILQ_INSERT_TAIL(&lo.if_addrs, &eth_ia, ia_list);
	root = kauth_cred_alloc(k);
	user = kauth_cred_dup(k, root);
	user->cr_uid = user->cr_euid = 1000;
	user2 = kauth_cred_dup(k, root);
	user2->cr_uid = user2->cr_euid = 1001;
	net_lock(ns);
	TAILQ_INSERT_HEAD(&ns->ns_ifnet, &lo, if_list);
	nsocks = 0;
	return true;
}

static int
teardown(void)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i].so_pcb != NULL)
			in_pcbdetach(socks[i].so_pcb);
	TAILQ_REMOVE(&ns->ns_ifnet, &lo, if_list);
	net_unlock(ns);
	kauth_cred_free(k, root);
	kauth_cred_free(k, user);
	kauth_cred_free(k, user2);
	return rump_kernel_halt(k);
}

static struct inpcb *
mkpcb(struct inpcbtable *t, kauth_cred_t cr, int opts)
{
	struct socket *so = &socks[nsocks++];

	memset(so, 0, sizeof(*so));
	so->so_ns = ns;
	so->so_cred = cr;
	so->so_options = opts;
	if (in_pcballoc(so, t) != 0)
		return NULL;
	return sotoinpcb(so);
}

#define UDB	(ns->ns_inet->is_udbtable)
#define TCB	(ns->ns_inet->is_tcbtable)
#define ANY	0u
#define LO	0x7f000001u
#define ETH	0xc0000201u

static int
bindp(struct inpcb *inp, uint32_t addr, uint16_t port, kauth_cred_t cr)
{
	struct sockaddr_in s = nu_sin(addr, port);

	return in_pcbbind(inp, &s, cr);
}

static void
t_bind_rules(void)
{
	struct inpcb *a, *b, *c;

	REQUIRE(setup());
	a = mkpcb(UDB, root, 0);
	b = mkpcb(UDB, root, 0);
	CHECK_EQ(bindp(a, ANY, 5000, root), 0);
	CHECK_EQ(bindp(b, ANY, 5000, root), EADDRINUSE);
	CHECK_EQ(bindp(b, LO, 5000, root), EADDRINUSE);	/* wildcard covers */
	CHECK_EQ(bindp(b, LO, 5001, root), 0);
	CHECK_EQ(bindp(a, LO, 5002, root), EINVAL);		/* bound already */
	/* specific addresses apart do not clash */
	c = mkpcb(UDB, root, 0);
	CHECK_EQ(bindp(c, ETH, 5001, root), 0);

	/* SO_REUSEADDR on both shares (UDP), one alone does not */
	a = mkpcb(UDB, root, SOO_REUSEADDR);
	b = mkpcb(UDB, root, SOO_REUSEADDR);
	c = mkpcb(UDB, root, 0);
	CHECK_EQ(bindp(a, ANY, 6000, root), 0);
	CHECK_EQ(bindp(b, ANY, 6000, root), 0);
	CHECK_EQ(bindp(c, ANY, 6000, root), EADDRINUSE);

	/* SO_REUSEPORT shares between sockets of one owner only */
	a = mkpcb(UDB, user, SOO_REUSEPORT);
	b = mkpcb(UDB, user, SOO_REUSEPORT);
	c = mkpcb(UDB, user2, SOO_REUSEPORT);
	CHECK_EQ(bindp(a, ANY, 7000, user), 0);
	CHECK_EQ(bindp(b, ANY, 7000, user), 0);
	CHECK_EQ(bindp(c, ANY, 7000, user2), EADDRINUSE);

	/* privilege, addresses */
	a = mkpcb(UDB, user, 0);
	CHECK_EQ(bindp(a, ANY, 80, user), EACCES);
	CHECK_EQ(bindp(a, 0x0a000001, 8000, user), EADDRNOTAVAIL);
	CHECK_EQ(bindp(a, 0x7f000005, 8000, user), 0);	/* 127/8 is ours */
	b = mkpcb(UDB, root, 0);
	CHECK_EQ(bindp(b, ANY, 80, root), 0);
	c = mkpcb(UDB, root, 0);
	CHECK_EQ(bindp(c, 0xc00002ff, 8001, root), 0);	/* a broadcast */
	CHECK_EQ(teardown(), 0);
}

static void
t_tcp_bind_rules(void)
{
	struct inpcb *a, *b, *c;

	REQUIRE(setup());
	a = mkpcb(TCB, root, SOO_REUSEADDR);
	b = mkpcb(TCB, root, SOO_REUSEADDR);
	c = mkpcb(TCB, root, SOO_REUSEADDR);
	CHECK_EQ(bindp(a, ANY, 8080, root), 0);
	CHECK_EQ(bindp(b, ANY, 8080, root), 0);	/* neither listens */
	a->inp_socket->so_options |= SOO_ACCEPTCONN;
	CHECK_EQ(bindp(c, LO, 8080, root), EADDRINUSE);	/* a listens */
	/* TIME_WAIT (no socket): SO_REUSEADDR on both takes the port over */
	b = mkpcb(TCB, root, 0);
	CHECK_EQ(bindp(b, ANY, 9090, root), 0);
	b->inp_socket->so_pcb = NULL;
	b->inp_socket = NULL;
	c = mkpcb(TCB, root, 0);
	CHECK_EQ(bindp(c, ANY, 9090, root), EADDRINUSE);
	c = mkpcb(TCB, root, SOO_REUSEADDR);
	CHECK_EQ(bindp(c, ANY, 9090, root), EADDRINUSE);	/* b's had not */
	b->inp_flags |= INP_REUSEADDR;
	CHECK_EQ(bindp(c, ANY, 9090, root), 0);
	in_pcbdetach(b);
	CHECK_EQ(teardown(), 0);
}

static void
t_ephemeral(void)
{
	struct inpcb *p;
	int seen = 0;

	REQUIRE(setup());
	for (int i = 0; i < 40; i++) {
		uint16_t port;

		p = mkpcb(UDB, user, 0);
		REQUIRE(in_pcbbind(p, NULL, user) == 0);
		port = ntohs(p->inp_lport);
		CHECK(port >= 32768 && port <= 60999);
		for (int j = 0; j < nsocks - 1; j++)
			if (sotoinpcb(&socks[j])->inp_lport == p->inp_lport)
				seen++;
	}
	CHECK_EQ(seen, 0);
	CHECK_EQ(teardown(), 0);
}

static void
t_connect(void)
{
	struct inpcb *a, *b;
	struct sockaddr_in s;

	REQUIRE(setup());
	a = mkpcb(UDB, user, 0);
	s = nu_sin(LO, 53);
	CHECK_EQ(in_pcbconnect(a, &s, user), 0);
	CHECK_EQ(a->inp_laddr.s_addr, htonl(LO));
	CHECK(ntohs(a->inp_lport) >= 32768);
	CHECK(a->inp_connected);
	CHECK(in_pcblookup_connect(UDB, s.sin_addr, s.sin_port, a->inp_laddr,
	    a->inp_lport) == a);
	/* 0.0.0.0 means this host; our other address answers from itself */
	b = mkpcb(UDB, user, 0);
	s = nu_sin(ANY, 53);
	CHECK_EQ(in_pcbconnect(b, &s, user), 0);
	CHECK_EQ(b->inp_faddr.s_addr, htonl(LO));
	b = mkpcb(UDB, user, 0);
	s = nu_sin(ETH, 53);
	CHECK_EQ(in_pcbconnect(b, &s, user), 0);
	CHECK_EQ(b->inp_laddr.s_addr, htonl(ETH));
	/* no route (no rt_lookup yet on this branch, or none there) */
	b = mkpcb(UDB, user, 0);
	s = nu_sin(0x08080808, 53);
	CHECK_EQ(in_pcbconnect(b, &s, user), ENETUNREACH);
	/* unconnect: what connect chose goes */
	in_pcbdisconnect(a);
	CHECK_EQ(a->inp_laddr.s_addr, 0);
	CHECK_EQ(a->inp_lport, 0);
	CHECK(!a->inp_connected);
	/* ... what bind chose stays */
	b = mkpcb(UDB, user, 0);
	CHECK_EQ(bindp(b, LO, 4444, user), 0);
	s = nu_sin(LO, 53);
	CHECK_EQ(in_pcbconnect(b, &s, user), 0);
	in_pcbdisconnect(b);
	CHECK_EQ(b->inp_laddr.s_addr, htonl(LO));
	CHECK_EQ(ntohs(b->inp_lport), 4444);
	CHECK(in_pcblookup_bind(UDB, b->inp_laddr, b->inp_lport) == b);
	/* wildcard lookups: the specific wins, the wildcard catches the rest */
	a = mkpcb(UDB, root, SOO_REUSEADDR);
	CHECK_EQ(bindp(a, ANY, 4444, root), EADDRINUSE);
	b->inp_socket->so_options |= SOO_REUSEADDR;
	CHECK_EQ(bindp(a, ANY, 4444, root), 0);
	CHECK(in_pcblookup_bind(UDB, b->inp_laddr, htons(4444)) == b);
	s = nu_sin(ETH, 0);
	CHECK(in_pcblookup_bind(UDB, s.sin_addr, htons(4444)) == a);
	CHECK_EQ(teardown(), 0);
}

TESTS(T(t_bind_rules), T(t_tcp_bind_rules), T(t_ephemeral), T(t_connect))

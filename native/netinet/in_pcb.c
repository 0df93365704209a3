/*
 * Internet protocol control blocks: binding and connecting (with Linux's
 * address-in-use rules), ephemeral ports and the hash tables input looks
 * pcbs up in.
 *
 * A pcb is hashed by its 4-tuple once connected, else by its local port
 * once bound.  The bind-conflict check walks the table's list: binds are
 * rare next to lookups, which are hashed.
 */
#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"
#include "netinet/ip_var.h"

/* Linux's net.ipv4.ip_local_port_range and ip_unprivileged_port_start */
#define EPHEMERAL_FIRST	32768
#define EPHEMERAL_LAST	60999
#define PRIVPORT_END	1024

LIST_HEAD(inpcbhead, inpcb);

int
in_pcbtable_init(struct netstate *ns, struct inpcbtable **tp,
    unsigned buckets)
{
	struct rump_kernel *k = ns->ns_kernel;
	struct inpcbtable *t;

	KASSERT(buckets > 0 && (buckets & (buckets - 1)) == 0);
	*tp = NULL;
	if ((t = kmem_zalloc(k, sizeof(*t))) == NULL)
		return ENOMEM;
	t->it_connhash = kmem_zalloc(k, buckets * sizeof(*t->it_connhash));
	t->it_porthash = kmem_zalloc(k, buckets * sizeof(*t->it_porthash));
	if (t->it_connhash == NULL || t->it_porthash == NULL) {
		kmem_free(k, t->it_connhash, buckets * sizeof(*t->it_connhash));
		kmem_free(k, t->it_porthash, buckets * sizeof(*t->it_porthash));
		kmem_free(k, t, sizeof(*t));
		return ENOMEM;
	}
	/* zeroed LIST_HEADs are empty lists */
	t->it_mask = buckets - 1;
	LIST_INIT(&t->it_all);
	t->it_ns = ns;
	*tp = t;
	return 0;
}

/* Halt: pcbs still here (TCP's TIME_WAIT, say) go with the table. */
void
in_pcbtable_fini(struct inpcbtable *t)
{
	struct rump_kernel *k;
	struct inpcb *inp;
	size_t buckets;

	if (t == NULL)
		return;
	k = t->it_ns->ns_kernel;
	while ((inp = LIST_FIRST(&t->it_all)) != NULL) {
		if (inp->inp_socket != NULL)
			inp->inp_socket->so_pcb = NULL;
		in_pcbdetach(inp);
	}
	buckets = (size_t)t->it_mask + 1;
	kmem_free(k, t->it_connhash, buckets * sizeof(*t->it_connhash));
	kmem_free(k, t->it_porthash, buckets * sizeof(*t->it_porthash));
	kmem_free(k, t, sizeof(*t));
}

static struct inpcbhead *
connbucket(struct inpcbtable *t, struct in_addr faddr, uint16_t fport,
    struct in_addr laddr, uint16_t lport)
{
	uint32_t h = faddr.s_addr ^ laddr.s_addr ^
	    ((uint32_t)fport << 16 | lport);

	h ^= h >> 16;
	h *= 0x45d9f3bu;
	h ^= h >> 16;
	return (struct inpcbhead *)&t->it_connhash[h & t->it_mask];
}

static struct inpcbhead *
portbucket(struct inpcbtable *t, uint16_t lport)
{
	return (struct inpcbhead *)&t->it_porthash[ntohs(lport) & t->it_mask];
}

int
in_pcballoc(struct socket *so, struct inpcbtable *t)
{
	struct inpcb *inp;

	if ((inp = kmem_zalloc(t->it_ns->ns_kernel, sizeof(*inp))) == NULL)
		return ENOBUFS;
	inp->inp_table = t;
	inp->inp_socket = so;
	inp->inp_ttl = IP_DEFTTL;
	inp->inp_pmtudisc = IP_PMTUDISC_WANT;
	inp->inp_uid = so != NULL && so->so_cred != NULL ?
	    so->so_cred->cr_euid : 0;
	LIST_INSERT_HEAD(&t->it_all, inp, inp_list);
	t->it_count++;
	if (so != NULL)
		so->so_pcb = inp;
	return 0;
}

void
in_pcbdetach(struct inpcb *inp)
{
	struct inpcbtable *t = inp->inp_table;

	if (inp->inp_hashed)
		LIST_REMOVE(inp, inp_hash);
	LIST_REMOVE(inp, inp_list);
	t->it_count--;
	if (inp->inp_socket != NULL && inp->inp_socket->so_pcb == inp)
		inp->inp_socket->so_pcb = NULL;
	kmem_free(t->it_ns->ns_kernel, inp, sizeof(*inp));
}

void
in_pcbrehash(struct inpcb *inp)
{
	struct inpcbtable *t = inp->inp_table;

	if (inp->inp_hashed)
		LIST_REMOVE(inp, inp_hash);
	inp->inp_hashed = false;
	inp->inp_connected = inp->inp_faddr.s_addr != INADDR_ANY;
	if (inp->inp_connected) {
		LIST_INSERT_HEAD(connbucket(t, inp->inp_faddr, inp->inp_fport,
		    inp->inp_laddr, inp->inp_lport), inp, inp_hash);
		inp->inp_hashed = true;
	} else if (inp->inp_lport != 0) {
		LIST_INSERT_HEAD(portbucket(t, inp->inp_lport), inp, inp_hash);
		inp->inp_hashed = true;
	}
}

static bool
is_tcp(const struct inpcbtable *t)
{
	return t == t->it_ns->ns_inet->is_tcbtable;
}

/*
 * Would binding laddr:lport for inp clash with p (Linux's rules)?  Both
 * SO_REUSEADDR share, except with a TCP listener; both SO_REUSEPORT
 * share with the same owner.  A pcb without a socket is TCP's TIME_WAIT
 * (or an orphan): SO_REUSEADDR on both sides, its socket's remembered.
 */
static bool
in_pcbclash(const struct inpcb *inp, int opts, const struct inpcb *p,
    struct in_addr laddr)
{
	const struct socket *so2 = p->inp_socket;
	int opts2;
	bool listening;

	if (p->inp_laddr.s_addr != INADDR_ANY && laddr.s_addr != INADDR_ANY &&
	    p->inp_laddr.s_addr != laddr.s_addr)
		return false;
	if (so2 == NULL)	/* both must have SO_REUSEADDR, as Linux's tw_reuse */
		return !(opts & SOO_REUSEADDR) ||
		    !(p->inp_flags & INP_REUSEADDR);
	opts2 = so2->so_options;
	listening = (opts2 & SOO_ACCEPTCONN) != 0;
	if ((opts & SOO_REUSEADDR) && (opts2 & SOO_REUSEADDR) &&
	    !(is_tcp(inp->inp_table) && listening))
		return false;
	if ((opts & SOO_REUSEPORT) && (opts2 & SOO_REUSEPORT) &&
	    inp->inp_uid == p->inp_uid)
		return false;
	return true;
}

static bool
in_pcbinuse(const struct inpcb *inp, int opts, struct in_addr laddr,
    uint16_t lport)
{
	const struct inpcb *p;

	LIST_FOREACH(p, &inp->inp_table->it_all, inp_list)
		if (p != inp && p->inp_lport == lport &&
		    in_pcbclash(inp, opts, p, laddr))
			return true;
	return false;
}

/* A free ephemeral port for laddr: from a random start, the next free. */
static int
in_pcbephemeral(struct inpcb *inp, struct in_addr laddr, uint16_t *portp)
{
	const unsigned n = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
	uint32_t r = 0;
	size_t got;
	unsigned i;

	if (rumpuser_getrandom(&r, sizeof(r), 0, &got) != 0)
		r = inp->inp_table->it_lastport;
	for (i = 0; i < n; i++) {
		uint16_t port = htons((uint16_t)(EPHEMERAL_FIRST +
		    (r + i) % n));

		/* no sharing at all: an ephemeral port is one socket's */
		if (!in_pcbinuse(inp, 0, laddr, port)) {
			inp->inp_table->it_lastport = ntohs(port);
			*portp = port;
			return 0;
		}
	}
	return EADDRINUSE;
}

static int
sopts(const struct inpcb *inp)
{
	return inp->inp_socket != NULL ? inp->inp_socket->so_options : 0;
}

int
in_pcbbind(struct inpcb *inp, const struct sockaddr_in *sin,
    kauth_cred_t cred)
{
	struct netstate *ns = inp->inp_table->it_ns;
	struct in_addr laddr = { INADDR_ANY };
	uint16_t lport = 0;
	int error;

	if (sin != NULL) {
		laddr = sin->sin_addr;
		lport = sin->sin_port;
	}
	if (laddr.s_addr != INADDR_ANY && !in_localaddr(ns, laddr) &&
	    !in_broadcast_any(ns, laddr) && !in_multicast_addr(laddr))
		return EADDRNOTAVAIL;
	if (lport != 0 && ntohs(lport) < PRIVPORT_END &&
	    (cred == NULL || !kauth_cred_privileged(cred)))
		return EACCES;
	if (inp->inp_lport != 0 || inp->inp_connected)
		return EINVAL;
	if (lport == 0) {
		if ((error = in_pcbephemeral(inp, laddr, &lport)) != 0)
			return error;
	} else {
		if (in_pcbinuse(inp, sopts(inp), laddr, lport))
			return EADDRINUSE;
		inp->inp_flags |= INP_BOUNDPORT;
	}
	if (laddr.s_addr != INADDR_ANY)
		inp->inp_flags |= INP_BOUNDADDR;
	inp->inp_laddr = laddr;
	inp->inp_lport = lport;
	in_pcbrehash(inp);
	return 0;
}

int
in_pcbconnect(struct inpcb *inp, const struct sockaddr_in *sin,
    kauth_cred_t cred)
{
	struct netstate *ns = inp->inp_table->it_ns;
	struct in_addr faddr = sin->sin_addr, laddr = inp->inp_laddr;
	struct ifnet *ifp;
	int error;

	(void)cred;
	/* Linux: "connect to 0.0.0.0" means to this host */
	if (faddr.s_addr == INADDR_ANY)
		faddr.s_addr = laddr.s_addr != INADDR_ANY ? laddr.s_addr :
		    htonl(INADDR_LOOPBACK);
	if (laddr.s_addr == INADDR_ANY || in_broadcast_any(ns, laddr)) {
		struct in_addr src;

		if ((error = in_selectsrc(ns, faddr, &src, &ifp)) != 0)
			return error;
		if (laddr.s_addr == INADDR_ANY)
			laddr = src;
	} else if ((error = in_route(ns, faddr, &ifp, &(struct in_addr){0}))
	    != 0) {
		return error;
	}
	if (in_broadcast(faddr, ifp)) {
		if (is_tcp(inp->inp_table))
			return ENETUNREACH;
		if (!(sopts(inp) & SOO_BROADCAST))
			return EACCES;
	}
	if (is_tcp(inp->inp_table) && inp->inp_lport != 0 &&
	    in_pcblookup_connect(inp->inp_table, faddr, sin->sin_port, laddr,
	    inp->inp_lport) != NULL)
		return EADDRINUSE;
	if (inp->inp_lport == 0) {
		uint16_t port;

		if ((error = in_pcbephemeral(inp, inp->inp_laddr, &port)) != 0)
			return EAGAIN;
		inp->inp_lport = port;
	}
	inp->inp_laddr = laddr;
	inp->inp_faddr = faddr;
	inp->inp_fport = sin->sin_port;
	in_pcbrehash(inp);
	return 0;
}

/*
 * Back to unconnected.  What connect chose goes; what bind chose stays
 * (a port connect picked is released, as Linux's udp_disconnect does).
 */
void
in_pcbdisconnect(struct inpcb *inp)
{
	inp->inp_faddr.s_addr = INADDR_ANY;
	inp->inp_fport = 0;
	if (!(inp->inp_flags & INP_BOUNDADDR))
		inp->inp_laddr.s_addr = INADDR_ANY;
	if (!(inp->inp_flags & INP_BOUNDPORT))
		inp->inp_lport = 0;
	in_pcbrehash(inp);
}

struct inpcb *
in_pcblookup_connect(struct inpcbtable *t, struct in_addr faddr,
    uint16_t fport, struct in_addr laddr, uint16_t lport)
{
	struct inpcb *inp;

	LIST_FOREACH(inp, connbucket(t, faddr, fport, laddr, lport), inp_hash)
		if (inp->inp_faddr.s_addr == faddr.s_addr &&
		    inp->inp_fport == fport &&
		    inp->inp_laddr.s_addr == laddr.s_addr &&
		    inp->inp_lport == lport)
			return inp;
	return NULL;
}

struct inpcb *
in_pcblookup_bind(struct inpcbtable *t, struct in_addr laddr, uint16_t lport)
{
	struct inpcb *inp, *wild = NULL;

	LIST_FOREACH(inp, portbucket(t, lport), inp_hash) {
		if (inp->inp_lport != lport)
			continue;
		if (inp->inp_laddr.s_addr == laddr.s_addr)
			return inp;
		/* of equals, the newest (the list's head), as Linux */
		if (inp->inp_laddr.s_addr == INADDR_ANY && wild == NULL)
			wild = inp;
	}
	return wild;
}

void
in_pcbsetaddr(struct inpcb *inp, struct sockaddr_in *sin)
{
	in_sockaddr(sin, inp->inp_laddr, inp->inp_lport);
}

void
in_pcbsetpeer(struct inpcb *inp, struct sockaddr_in *sin)
{
	in_sockaddr(sin, inp->inp_faddr, inp->inp_fport);
}

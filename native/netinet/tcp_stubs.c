/*
 * Stand-ins, until they land in main, for what TCP calls in the socket
 * layer (net/uipc_socket*.c) and in IPv4 (netinet/in*.c, ip_output.c).
 * Each is weak: the real definition replaces it, and this file goes once
 * main has both.
 */
#include "sys/systm.h"
#include "sys/mbuf.h"
#include "sys/socketvar.h"
#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"
#include "netinet/in_pcb.h"

#define WEAK	__attribute__((weak))

WEAK int sbreserve(struct sockbuf *sb, size_t cc)
{ sb->sb_hiwat = cc; sb->sb_mbmax = 2 * cc; return 0; }
WEAK size_t sbspace(const struct sockbuf *sb)
{ return sb->sb_hiwat > sb->sb_cc ? sb->sb_hiwat - sb->sb_cc : 0; }
WEAK void sbappendstream(struct sockbuf *sb, struct mbuf *m)
{ sb->sb_cc += m_length(m); m_freem(m); }
WEAK void sbdrop(struct sockbuf *sb, size_t len) { sb->sb_cc -= len; }
WEAK void sbflush(struct sockbuf *sb) { sb->sb_cc = 0; }
WEAK void socantrcvmore(struct socket *so) { (void)so; }
WEAK void sohasoutofband(struct socket *so) { (void)so; }
WEAK void soisconnected(struct socket *so) { (void)so; }
WEAK void soisconnecting(struct socket *so) { (void)so; }
WEAK void soisdisconnected(struct socket *so) { (void)so; }
WEAK void soisdisconnecting(struct socket *so) { (void)so; }
WEAK struct socket *sonewconn(struct socket *head, bool connected)
{ (void)head; (void)connected; return NULL; }
WEAK void sorwakeup(struct socket *so) { (void)so; }
WEAK void sowwakeup(struct socket *so) { (void)so; }
WEAK void sofree(struct socket *so) { (void)so; }

WEAK bool in_broadcast(struct in_addr a, struct ifnet *ifp)
{ (void)ifp; return a.s_addr == INADDR_BROADCAST; }
WEAK bool in_localaddr(struct netstate *ns, struct in_addr a)
{ (void)ns; (void)a; return false; }
WEAK uint32_t in_pseudo(struct in_addr src, struct in_addr dst,
    uint8_t proto, uint16_t len)
{ (void)src; (void)dst; (void)proto; (void)len; return 0; }
WEAK int ip_output(struct netstate *ns, struct mbuf *m, int flags)
{ (void)ns; (void)flags; m_freem(m); return 0; }
WEAK struct rtentry *rt_lookup(struct netstate *ns, struct in_addr dst)
{ (void)ns; (void)dst; return NULL; }
WEAK int in_pcballoc(struct socket *so, struct inpcbtable *t)
{ (void)so; (void)t; return ENOBUFS; }
WEAK void in_pcbdetach(struct inpcb *inp) { (void)inp; }
WEAK void in_pcbdisconnect(struct inpcb *inp) { (void)inp; }
WEAK void in_pcbrehash(struct inpcb *inp) { (void)inp; }
WEAK int in_pcbbind(struct inpcb *inp, const struct sockaddr_in *sin,
    kauth_cred_t cred)
{ (void)inp; (void)sin; (void)cred; return EADDRNOTAVAIL; }
WEAK int in_pcbconnect(struct inpcb *inp, const struct sockaddr_in *sin,
    kauth_cred_t cred)
{ (void)inp; (void)sin; (void)cred; return ENETUNREACH; }
WEAK struct inpcb *in_pcblookup_connect(struct inpcbtable *t,
    struct in_addr faddr, uint16_t fport, struct in_addr laddr, uint16_t lport)
{ (void)t; (void)faddr; (void)fport; (void)laddr; (void)lport; return NULL; }
WEAK struct inpcb *in_pcblookup_bind(struct inpcbtable *t,
    struct in_addr laddr, uint16_t lport)
{ (void)t; (void)laddr; (void)lport; return NULL; }

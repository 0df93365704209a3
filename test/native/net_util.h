/*
 * What the kernel-level network tests share: kernels booted and put on a
 * shmif bus, sockaddr_in values, the Internet checksum written plainly as
 * an independent oracle, and, for white-box tests, a kernel's network
 * state with a fake loopback-type interface to hang addresses on.
 */
#ifndef NET_UTIL_H
#define NET_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include <rump/rump.h>
#include <rump/rump_net.h>

#include "net/netstate.h"
#include "net/if.h"
#include "netinet/in_var.h"

/* A kernel with the default configuration; why not, said. */
static inline struct rump_kernel *
nu_boot(void)
{
	struct rump_kernel *k = rump_kernel_boot(NULL);

	if (k == NULL)
		printf("# boot: %s\n", strerror(errno));
	return k;
}

/* A shmif interface of k on bus, with addr ("a.b.c.d/len"); its name. */
static inline int
nu_attach(struct rump_kernel *k, const char *bus, const char *addr,
    char *name)
{
	struct rump_ifcfg cfg = {
		.kind = RUMP_IF_SHMIF, .bus = bus, .address = addr,
	};

	return rump_net_attach(k, &cfg, name, IFNAMSIZ);
}

/* addr and port in host order. */
static inline struct sockaddr_in
nu_sin(uint32_t addr, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_addr.s_addr = htonl(addr);
	s.sin_port = htons(port);
	return s;
}

/* The Internet checksum of len bytes (big-endian words), plus sum. */
static inline uint16_t
nu_cksum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The pseudo-header's sum for nu_cksum; addresses in host order. */
static inline uint32_t
nu_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	    proto + len;
}

/* White box: a kernel entered, and its network state (NULL: failed). */
static inline struct netstate *
nu_boot_ns(struct rump_kernel **kp)
{
	struct rump_config cfg = { 0 };
	int error;

	if ((*kp = rump_kernel_boot(&cfg)) == NULL)
		return NULL;
	rump_kernel_enter(*kp);
	return net_get(*kp, &error);
}

/*
 * White box: "fake0", an up loopback-type interface of ns that is in no
 * list yet, with ia as its one address, 127.0.0.1/8.
 */
static inline void
nu_fakeif(struct netstate *ns, struct ifnet *ifp, struct in_ifaddr *ia)
{
	memset(ifp, 0, sizeof(*ifp));
	memset(ia, 0, sizeof(*ia));
	ifp->if_ns = ns;
	strcpy(ifp->if_xname, "fake0");
	ifp->if_type = IFT_LOOP;
	ifp->if_flags = IFF_UP | IFF_LOOPBACK;
	TAILQ_INIT(&ifp->if_addrs);
	ia->ia_ifp = ifp;
	ia->ia_addr.s_addr = htonl(0x7f000001);
	ia->ia_mask.s_addr = htonl(0xff000000);
	ia->ia_prefixlen = 8;
	TAILQ_INSERT_TAIL(&ifp->if_addrs, ia, ia_list);
}

/*
 * A peer process for tests between kernels in two processes: child(bus,
 * fd it reads from the parent, fd it writes to the parent) runs in a new
 * process whose exit status is its result.  Start it before any kernel
 * thread exists in this process (fork copies only the calling thread).
 */
struct nu_peer {
	pid_t	pid;
	int	tochild, fromchild;	/* the parent's ends */
};

static inline int
nu_peer_start(struct nu_peer *p, const char *bus,
    int (*child)(const char *, int, int))
{
	int tochild[2], toparent[2];

	if (pipe(tochild) != 0)
		return -1;
	if (pipe(toparent) != 0) {
		close(tochild[0]);
		close(tochild[1]);
		return -1;
	}
	if ((p->pid = fork()) < 0) {
		close(tochild[0]);
		close(tochild[1]);
		close(toparent[0]);
		close(toparent[1]);
		return -1;
	}
	if (p->pid == 0) {
		close(tochild[1]);
		close(toparent[0]);
		_exit(child(bus, tochild[0], toparent[1]));
	}
	close(tochild[0]);
	close(toparent[1]);
	p->tochild = tochild[1];
	p->fromchild = toparent[0];
	return 0;
}

/* The peer told to end (its input closed) and reaped: 0 if it exited 0. */
static inline int
nu_peer_end(struct nu_peer *p)
{
	int status = -1;

	close(p->tochild);
	if (waitpid(p->pid, &status, 0) != p->pid)
		status = -1;
	close(p->fromchild);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("# child status %d\n", status);
		return -1;
	}
	return 0;
}

#endif

/*
 * Capture: a classic pcap file per interface (nanosecond timestamps from
 * the host's wall clock), written through the file hypercalls.  Records
 * are gathered in a buffer and written when it fills and when the capture
 * stops (explicitly, at detach or at halt).  Ethernet interfaces write
 * LINKTYPE_ETHERNET; lo0 writes LINKTYPE_RAW (the packet starts at its IP
 * header).
 */
#include <sys/uio.h>

#include "sys/systm.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "net/netstate.h"
#include "net/if.h"

#define PCAP_MAGIC_NS	0xa1b23c4du	/* nanosecond timestamps */
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW	101
#define PCAP_SNAPLEN	262144u
#define PCAP_BUFSIZE	(256u << 10)

struct pcap_writer {
	int		pw_fd;
	int64_t		pw_off;		/* file offset of pw_buf[0] */
	uint8_t		*pw_buf;
	size_t		pw_len;
	int		pw_error;	/* first write error: capture stops */
};

static void
pcap_flush(struct ifnet *ifp, struct pcap_writer *pw)
{
	struct iovec iov = { pw->pw_buf, pw->pw_len };
	size_t done = 0;
	int error;

	if (pw->pw_len == 0 || pw->pw_error != 0)
		return;
	error = rumpuser_iovwrite(pw->pw_fd, &iov, 1, pw->pw_off, &done);
	if (error == 0 && done != pw->pw_len)
		error = ENOSPC;
	if (error != 0) {
		pw->pw_error = error;
		klog(ifp->if_ns->ns_kernel, "%s: capture stopped: write "
		    "error %d", ifp->if_xname, error);
	}
	pw->pw_off += (int64_t)pw->pw_len;
	pw->pw_len = 0;
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* the writer's byte order, as pcap allows */
}

int
pcap_start(struct ifnet *ifp, const char *path)
{
	struct rump_kernel *k = ifp->if_ns->ns_kernel;
	struct pcap_writer *pw;
	uint8_t *h;
	int error;

	KASSERT(net_locked(ifp->if_ns));
	if (ifp->if_pcap != NULL)
		pcap_stop(ifp);
	if ((pw = kmem_zalloc(k, sizeof(*pw))) == NULL)
		return ENOMEM;
	if ((pw->pw_buf = kmem_alloc(k, PCAP_BUFSIZE)) == NULL) {
		kmem_free(k, pw, sizeof(*pw));
		return ENOMEM;
	}
	error = rumpuser_open(path, RUMPUSER_OPEN_WRONLY |
	    RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_TRUNC, &pw->pw_fd);
	if (error != 0) {
		kmem_free(k, pw->pw_buf, PCAP_BUFSIZE);
		kmem_free(k, pw, sizeof(*pw));
		return error;
	}
	h = pw->pw_buf;
	put32(h, PCAP_MAGIC_NS);
	{
		uint16_t vmaj = 2, vmin = 4;	/* in our byte order too */

		memcpy(h + 4, &vmaj, 2);
		memcpy(h + 6, &vmin, 2);
	}
	put32(h + 8, 0);		/* thiszone */
	put32(h + 12, 0);		/* sigfigs */
	put32(h + 16, PCAP_SNAPLEN);
	put32(h + 20, ifp->if_type == IFT_ETHER ? LINKTYPE_ETHERNET :
	    LINKTYPE_RAW);
	pw->pw_len = 24;
	ifp->if_pcap = pw;
	pcap_flush(ifp, pw);	/* a header even if nothing is captured */
	return pw->pw_error;
}

void
pcap_stop(struct ifnet *ifp)
{
	struct pcap_writer *pw = ifp->if_pcap;
	struct rump_kernel *k = ifp->if_ns->ns_kernel;

	if (pw == NULL)
		return;
	pcap_flush(ifp, pw);
	(void)rumpuser_close(pw->pw_fd);
	kmem_free(k, pw->pw_buf, PCAP_BUFSIZE);
	kmem_free(k, pw, sizeof(*pw));
	ifp->if_pcap = NULL;
}

void
pcap_capture(struct ifnet *ifp, const struct mbuf *m)
{
	struct pcap_writer *pw = ifp->if_pcap;
	uint32_t len = m->m_pkthdr.len, caplen = MIN(len, PCAP_SNAPLEN);
	int64_t sec;
	long nsec;
	uint8_t *r;

	if (pw->pw_error != 0)
		return;
	if (pw->pw_len + 16 + caplen > PCAP_BUFSIZE)
		pcap_flush(ifp, pw);
	if (16 + caplen > PCAP_BUFSIZE)
		caplen = PCAP_BUFSIZE - 16;
	rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &sec, &nsec);
	r = pw->pw_buf + pw->pw_len;
	put32(r, (uint32_t)sec);
	put32(r + 4, (uint32_t)nsec);
	put32(r + 8, caplen);
	put32(r + 12, len);
	m_copydata(m, 0, caplen, r + 16);
	pw->pw_len += 16 + caplen;
}

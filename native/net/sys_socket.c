/*
 * Sockets as files: read, write, ioctl, poll, stat and close of a socket
 * descriptor go through the socket layer.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"
#include "sys/mbuf.h"
#include "sys/proc.h"
#include "sys/socketvar.h"
#include "sys/uiomove.h"
#include "net/netstate.h"
#include "net/if.h"

static int
soo_read(struct file *fp, struct uio *uio, int flags)
{
	int fl = 0;

	(void)flags;
	return soreceive(fp->f_data, NULL, uio, NULL, &fl, fnonblock(fp));
}

static int
soo_write(struct file *fp, struct uio *uio, int flags)
{
	(void)flags;
	return sosend(fp->f_data, NULL, 0, uio, NULL, 0, fnonblock(fp));
}

/* Is cmd one of the interface ioctls (net/if_ioctl.c), and how big? */
static size_t
soo_ifioctl_len(unsigned long cmd)
{
	switch (cmd) {
	case SIOCGIFCONF:
		return sizeof(struct ifconf);
	case SIOCGIFNAME: case SIOCGIFFLAGS: case SIOCSIFFLAGS:
	case SIOCGIFADDR: case SIOCSIFADDR: case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR: case SIOCGIFMTU: case SIOCSIFMTU:
	case SIOCGIFHWADDR: case SIOCGIFINDEX:
		return sizeof(struct ifreq);
	}
	return 0;
}

/*
 * Interface ioctls on any socket, as on Linux: the request (a struct
 * ifreq, or a struct ifconf whose list ifioctl copies out itself) comes
 * in, is answered under ns_lock, and goes back out.
 */
static int
soo_ifioctl(struct socket *so, unsigned long cmd, void *data, size_t len)
{
	struct netstate *ns = so->so_ns;
	union {
		struct ifreq ifr;
		struct ifconf ifc;
	} u;
	kauth_cred_t cr;
	int error;

	if ((error = copyin(data, &u, len)) != 0)
		return error;
	cr = kauth_cred_get_proc(curproc);
	net_lock(ns);
	error = ifioctl(ns, cmd, &u, cr);
	sounlock(ns);
	kauth_cred_free(ns->ns_kernel, cr);
	if (error == 0)
		error = copyout(&u, data, len);
	return error;
}

static int
soo_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct socket *so = fp->f_data;
	struct netstate *ns = so->so_ns;
	size_t iflen;
	int v, error = 0;

	if ((iflen = soo_ifioctl_len(cmd)) != 0)
		return soo_ifioctl(so, cmd, data, iflen);
	net_lock(ns);
	switch (cmd) {
	case FIONREAD:
		if (so->so_options & SOO_ACCEPTCONN) {
			error = EINVAL;
			break;
		}
		/* a datagram socket says how long the next datagram is */
		if ((so->so_proto->pr_flags & PR_ATOMIC) && so->so_rcv.sb_mb) {
			size_t n = 0;

			for (struct mbuf *m = so->so_rcv.sb_mb; m; m = m->m_next)
				if (m->m_type == MT_DATA)
					n += m->m_len;
			v = (int)n;
		} else {
			v = (int)MIN(so->so_rcv.sb_cc, (size_t)INT_MAX);
		}
		*(int *)data = v;	/* sys_ioctl copies it out */
		break;
	case TIOCOUTQ:
		if (so->so_options & SOO_ACCEPTCONN) {
			error = EINVAL;
			break;
		}
		v = (int)MIN(so->so_snd.sb_cc, (size_t)INT_MAX);
		error = copyout(&v, data, sizeof(v));
		break;
	case SIOCATMARK:
		v = so->so_oobmark_valid && so->so_oobmark == 0;
		error = copyout(&v, data, sizeof(v));
		break;
	default:
		error = so->so_proto->pr_ioctl != NULL ?
		    so->so_proto->pr_ioctl(so, cmd, data) : ENOTTY;
		break;
	}
	sounlock(ns);
	return error;
}

static int
soo_poll(struct file *fp, int events, struct pollctx *pc)
{
	return sopoll(fp->f_data, events, pc);
}

static int
soo_stat(struct file *fp, struct stat *st)
{
	struct socket *so = fp->f_data;

	memset(st, 0, sizeof(*st));
	/* sockfs: a socket's inode has every permission bit */
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_uid = so->so_cred->cr_fsuid;
	st->st_gid = so->so_cred->cr_fsgid;
	st->st_blksize = 4096;
	st->st_ino = (ino_t)so->so_serial;
	return 0;
}

static int
soo_seek(struct file *fp, off_t off, int whence, off_t *newoff)
{
	(void)fp;
	(void)off;
	(void)whence;
	(void)newoff;
	return ESPIPE;
}

static void
soo_close(struct file *fp)
{
	struct socket *so = fp->f_data;

	fp->f_data = NULL;
	if (so != NULL)
		soclose(so);
}

const struct fileops socketops = {
	.fo_name = "socket",
	.fo_read = soo_read,
	.fo_write = soo_write,
	.fo_ioctl = soo_ioctl,
	.fo_poll = soo_poll,
	.fo_stat = soo_stat,
	.fo_seek = soo_seek,
	.fo_close = soo_close,
};

int
sofile(struct socket *so, int fflag, kauth_cred_t cr, struct file **fpp)
{
	struct netstate *ns = so->so_ns;
	struct file *fp;
	int error;

	error = falloc(ns->ns_kernel, &socketops, so, FREAD | FWRITE | fflag,
	    cr, &fp);
	if (error != 0)
		return error;
	net_lock(ns);
	so->so_file = fp;
	sounlock(ns);
	*fpp = fp;
	return 0;
}

int
fd_getsock(struct proc *p, int fd, struct socket **sop, struct file **fpp)
{
	struct file *fp;

	if ((fp = fd_getfile(p, fd)) == NULL)
		return EBADF;
	if (atomic_load(&fp->f_flag) & FPATH) {
		fdrop(fp);
		return EBADF;
	}
	if (fp->f_ops != &socketops) {
		fdrop(fp);
		return ENOTSOCK;
	}
	*sop = fp->f_data;
	*fpp = fp;
	return 0;
}

/*
 * Host side of virtif: a Linux TAP device (IFF_TAP | IFF_NO_PI) opened
 * through /dev/net/tun, and an eventfd that interrupts a blocked receive.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rump/rumpuser.h>

#include "rumpuser_int.h"

struct rumpuser_tap {
	int	fd;
	int	wakefd;
};

int
rumpuser_tap_open(const char *name, struct rumpuser_tap **tp)
{
	struct rumpuser_tap *t;
	struct ifreq ifr;
	int error;

	if (strlen(name) >= IFNAMSIZ)
		return ENAMETOOLONG;
	if ((t = malloc(sizeof(*t))) == NULL)
		return ENOMEM;
	if ((t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0) {
		error = errno;
		free(t);
		return error;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) != 0 ||
	    (t->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		error = errno;
		close(t->fd);
		free(t);
		return error;
	}
	*tp = t;
	return 0;
}

int
rumpuser_tap_recv(struct rumpuser_tap *t, void *buf, size_t len,
    size_t *lenp)
{
	struct pollfd pfd[2] = {
		{ .fd = t->fd, .events = POLLIN },
		{ .fd = t->wakefd, .events = POLLIN },
	};
	ssize_t n;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (pfd[1].revents != 0) {
			uint64_t v;

			(void)read(t->wakefd, &v, sizeof(v));
			return EINTR;
		}
		n = read(t->fd, buf, len);
		if (n >= 0) {
			*lenp = (size_t)n;
			return 0;
		}
		if (errno != EINTR && errno != EAGAIN)
			return errno;
	}
}

int
rumpuser_tap_send(struct rumpuser_tap *t, const struct iovec *iov,
    int iovcnt)
{
	ssize_t n;

	do {
		n = writev(t->fd, iov, iovcnt);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? errno : 0;
}

void
rumpuser_tap_wakeup(struct rumpuser_tap *t)
{
	uint64_t one = 1;

	(void)write(t->wakefd, &one, sizeof(one));
}

void
rumpuser_tap_close(struct rumpuser_tap *t)
{
	close(t->wakefd);
	close(t->fd);
	free(t);
}

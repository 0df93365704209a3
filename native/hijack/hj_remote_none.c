/* Built without librumpclient: no remote backend. */
#include "hj_int.h"

const struct hj_backend *
hj_remote_backend(void)
{
	return NULL;
}

bool
hj_remote_owns_fd(int fd)
{
	(void)fd;
	return false;
}

/* Memory hypercalls: kernel memory comes from the host allocator. */
#include <errno.h>
#include <stdlib.h>

#include <rump/rumpuser.h>

int
rumpuser_malloc(size_t len, size_t alignment, void **memp)
{
	void *p;

	if (len == 0)
		len = 1;
	if (alignment <= sizeof(void *) * 2) {
		p = malloc(len);
		if (p == NULL)
			return ENOMEM;
	} else {
		if (posix_memalign(&p, alignment, len) != 0)
			return ENOMEM;
	}
	*memp = p;
	return 0;
}

void
rumpuser_free(void *mem, size_t len)
{
	(void)len;
	free(mem);
}

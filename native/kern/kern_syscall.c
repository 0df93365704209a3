/* The system-call entry: find the caller's lwp and dispatch. */
#include "sys/systm.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "gen/syscallargs.h"

int
rump_syscall(long nr, const long *args, long *retval)
{
	struct lwp *l = curlwp;
	const struct sysent *callp;

	if (__predict_false(l == NULL)) {
		struct rump_kernel *k = rump_default_kernel();

		if (k == NULL || rump_kernel_enter(k) != 0)
			return ENXIO;
		l = curlwp;
	}
	if (__predict_false((unsigned long)nr >= RUMP_NSYSENT))
		return ENOSYS;
	callp = &rump_sysent[nr];
	if (__predict_false(callp->sy_call == NULL))
		return ENOSYS;
	retval[0] = 0;
	retval[1] = 0;
	return callp->sy_call(l, args, retval);
}

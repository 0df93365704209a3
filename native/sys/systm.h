/*
 * Basic kernel definitions.  Kernel code includes host headers only for
 * definitions (constants, types, struct layouts); it calls nothing of the
 * host but rumpuser_* and the freestanding helpers (mem*, str*).
 */
#ifndef SYS_SYSTM_H
#define SYS_SYSTM_H

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <rump/rump.h>
#include <rump/rumpuser.h>

struct rump_kernel;
struct proc;
struct lwp;

#define __unused	__attribute__((unused))
#define __printflike(f, a) __attribute__((format(printf, f, a)))
#define __predict_false(x) __builtin_expect(!!(x), 0)
#define __predict_true(x)  __builtin_expect(!!(x), 1)

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define panic(msg)	rumpuser_panic(msg)
#define KASSERT(e) do {							\
	if (__predict_false(!(e)))					\
		rumpuser_panic("assertion \"" #e "\" failed at "	\
		    __FILE__ ":" KASSERT_STR(__LINE__));		\
} while (0)
#define KASSERT_STR(x)	KASSERT_STR2(x)
#define KASSERT_STR2(x)	#x

/*
 * Moving data to and from the caller.  Callers share the kernel's address
 * space (remote callers' buffers are marshalled into the server first), so
 * these copy, after refusing what no Linux process can have mapped: the
 * first 64 KiB (vm.mmap_min_addr) and anything past the top of user space
 * on x86-64, or a range that wraps.  Other bad pointers fault in the caller,
 * as a bad pointer handed to a library does.
 */
#define USER_MIN_ADDR	0x10000ul
#define USER_MAX_ADDR	0x7ffffffff000ul

static inline bool
useraddr_ok(const void *uaddr, size_t len)
{
	uintptr_t a = (uintptr_t)uaddr;

	return a >= USER_MIN_ADDR && a <= USER_MAX_ADDR &&
	    len <= USER_MAX_ADDR - a;
}

static inline int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!useraddr_ok(uaddr, len))
		return EFAULT;
	memcpy(kaddr, uaddr, len);
	return 0;
}

static inline int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!useraddr_ok(uaddr, len))
		return EFAULT;
	memcpy(uaddr, kaddr, len);
	return 0;
}

/* The host's monotonic clock in nanoseconds: timeouts and buffer ages. */
static inline int64_t
mono_ns(void)
{
	int64_t sec;
	long nsec;

	rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec);
	return sec * 1000000000 + nsec;
}

/* kern_prf.c */
int	kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int	ksnprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
/* A line on kernel k's console. */
void	klog(struct rump_kernel *k, const char *fmt, ...) __printflike(2, 3);

#endif

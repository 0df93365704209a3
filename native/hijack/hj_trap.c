/*
 * The completeness net: Syscall User Dispatch.
 *
 * Interposed libc functions see only calls that go through the dynamic
 * linker.  glibc's internal system calls (fopen's openat, opendir's
 * getdents64, stat's newfstatat ...) and inline `syscall` instructions do
 * not.  With PR_SET_SYSCALL_USER_DISPATCH the host kernel turns every
 * system call of an armed thread into a SIGSYS while the thread's selector
 * byte (hj_selector) says BLOCK, except for calls made from the hj_text
 * section.  The handler here reads the call from the signal context, runs
 * it through hj_syscall() with the selector at ALLOW, and puts the result
 * where the instruction would have left it.
 *
 * Facts of the host kernel this relies on (Linux 5.11 and later, x86-64):
 * - the setting is per thread; every new task (thread, fork, vfork) starts
 *   without it, and execve clears it;
 * - the SIGSYS is forced: if SIGSYS is blocked or ignored when it fires,
 *   the disposition is reset to the default and the process dies, so
 *   SIGSYS must never be blocked in an armed thread;
 * - the trapped call is not executed; RAX holds the number again when the
 *   handler runs, and whatever the handler leaves in RAX is the result;
 * - the handler's return (rt_sigreturn) is itself a system call, trapped
 *   like any other unless it is made from the allowed range: hence the
 *   restorer below, in hj_text;
 * - the mask the handler returns to is the one saved in its ucontext, so a
 *   trapped rt_sigprocmask must edit that copy, not the live mask.
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/audit.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "hijack.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH	59
#endif
#ifndef PR_SYS_DISPATCH_ON
#define PR_SYS_DISPATCH_ON		1
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW	0
#define SYSCALL_DISPATCH_FILTER_BLOCK	1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH		2
#endif
#define KSA_RESTORER			0x04000000UL
#define KSIGSET_SIZE			8
#define SIGBIT(s)			(1ULL << ((s) - 1))
/* what no mask may hold: SIGSYS (ours), SIGKILL and SIGSTOP (the host's) */
#define UNBLOCKABLE	(SIGBIT(SIGSYS) | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* The host kernel's struct sigaction for rt_sigaction (x86-64). */
struct ksigaction {
	void		*handler;
	unsigned long	flags;
	void		*restorer;
	uint64_t	mask;
};

extern char __start_hj_text[], __stop_hj_text[];

/*
 * The signal return for every handler installed through us: rt_sigreturn
 * issued from hj_text, so never trapped whatever the selector says.
 * hj_trap_sigreturn is the syscall instruction itself (see TRAP_SIGRETURN).
 *
 * hj_trap_resume runs a trapped clone-like call for the program from here
 * (see TRAP_RESUME) and goes on at the program's next instruction, which
 * it finds in the thread's hj_trap_cont: after `syscall`, RCX and R11 are
 * the kernel's, so the jump may use R11.
 */
__asm__(
	".pushsection " HJ_TEXT_SECTION ",\"ax\",@progbits\n"
	".p2align 4\n"
	".hidden hj_trap_restorer\n"
	".hidden hj_trap_sigreturn\n"
	".type hj_trap_restorer,@function\n"
	"hj_trap_restorer:\n"
	"	movl $15, %eax\n"		/* SYS_rt_sigreturn */
	"hj_trap_sigreturn:\n"
	"	syscall\n"
	"	hlt\n"
	".size hj_trap_restorer, .-hj_trap_restorer\n"
	".hidden hj_trap_resume\n"
	".type hj_trap_resume,@function\n"
	"hj_trap_resume:\n"
	"	syscall\n"
	"	movq hj_trap_cont@gottpoff(%rip), %r11\n"
	"	jmp *%fs:(%r11)\n"
	".size hj_trap_resume, .-hj_trap_resume\n"
	".popsection\n");
void hj_trap_restorer(void);
extern char hj_trap_sigreturn[], hj_trap_resume[];
__attribute__((visibility("hidden"), tls_model("initial-exec")))
__thread uintptr_t hj_trap_cont;

static atomic_bool trap_on;		/* the process has the trap */
static int trap_error;			/* why not, when it has not */
static __thread bool trap_armed;	/* this thread has it */

/* The program's own SIGSYS disposition, kept aside while the trap owns it. */
static struct {
	_Atomic(void *) handler;
	_Atomic unsigned long flags;
	_Atomic uint64_t mask;
} prog_sigsys;

static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);
static int (*real_pthread_sigmask)(int, const sigset_t *, sigset_t *);
static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);
static int (*real_sigaction)(int, const struct sigaction *,
    struct sigaction *);

static void
resolve(void)
{
	if (real_pthread_create == NULL)
		real_pthread_create = dlsym(RTLD_NEXT, "pthread_create");
	if (real_pthread_sigmask == NULL)
		real_pthread_sigmask = dlsym(RTLD_NEXT, "pthread_sigmask");
	if (real_sigprocmask == NULL)
		real_sigprocmask = dlsym(RTLD_NEXT, "sigprocmask");
	if (real_sigaction == NULL)
		real_sigaction = dlsym(RTLD_NEXT, "sigaction");
}

/* Run library code untrapped; returns the selector to put back. */
static unsigned char
untrapped(void)
{
	unsigned char s = hj_selector;

	hj_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	return s;
}

static void
retrapped(unsigned char s)
{
	hj_selector = s;
}

static long
host(long nr, long a0, long a1, long a2, long a3, long a4)
{
	return hj_host_syscall(nr, a0, a1, a2, a3, a4, 0);
}

/* ------------------------------------------------------------ config */

/*
 * RUMPHIJACK's extra key trap=on|off (on unless said otherwise).  The
 * rest of RUMPHIJACK is the router's business: only this key is read here.
 */
static bool
trap_wanted(void)
{
	const char *s = getenv("RUMPHIJACK");

	while (s != NULL && *s != '\0') {
		const char *end = strchr(s, ',');
		size_t n = end != NULL ? (size_t)(end - s) : strlen(s);

		if (n == 8 && strncmp(s, "trap=off", 8) == 0)
			return false;
		if (n == 7 && strncmp(s, "trap=on", 7) == 0)
			return true;
		s = end != NULL ? end + 1 : NULL;
	}
	return true;
}

/* ------------------------------------------------------------ signals */

/*
 * The program's handlers, called through trap_sig_wrapper: a handler is
 * program code, so it runs with the selector at BLOCK even when its signal
 * arrives while the thread is inside the library (a raise() made from a
 * trapped call is delivered right there, in the SIGSYS handler).
 */
static struct {
	_Atomic(void *) fn;
	_Atomic unsigned long flags;
} prog_act[65];

static void
trap_sig_wrapper(int sig, siginfo_t *si, void *uc)
{
	unsigned char saved = hj_selector;
	void *fn = atomic_load(&prog_act[sig].fn);

	if (trap_armed)
		hj_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	if (atomic_load(&prog_act[sig].flags) & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))fn)(sig, si, uc);
	else
		((void (*)(int))fn)(sig);
	hj_selector = saved;
}

/*
 * rt_sigaction as the trap wants it: SIGSYS is ours (the program's choice
 * is kept aside and honoured for SIGSYS that is not a trap), no handler
 * may block SIGSYS, and every handler is called through the wrapper and
 * returns through our restorer.
 */
static long
trap_rt_sigaction(int sig, const struct ksigaction *act,
    struct ksigaction *oact)
{
	struct ksigaction k;
	void *ofn;
	unsigned long oflags;
	long r;

	if (sig == SIGSYS) {
		if (oact != NULL) {
			oact->handler = atomic_load(&prog_sigsys.handler);
			oact->flags = atomic_load(&prog_sigsys.flags);
			oact->restorer = NULL;
			oact->mask = atomic_load(&prog_sigsys.mask);
		}
		if (act != NULL) {
			atomic_store(&prog_sigsys.handler, act->handler);
			atomic_store(&prog_sigsys.flags, act->flags);
			atomic_store(&prog_sigsys.mask, act->mask);
		}
		return 0;
	}
	if (sig < 1 || sig > 64)
		return -EINVAL;
	ofn = atomic_load(&prog_act[sig].fn);
	oflags = atomic_load(&prog_act[sig].flags);
	if (act != NULL) {
		k = *act;
		k.mask &= ~SIGBIT(SIGSYS);
		if (k.handler != SIG_DFL && k.handler != SIG_IGN) {
			atomic_store(&prog_act[sig].fn, act->handler);
			atomic_store(&prog_act[sig].flags, act->flags);
			k.handler = (void *)trap_sig_wrapper;
			k.flags |= KSA_RESTORER | SA_SIGINFO;
			k.restorer = (void *)hj_trap_restorer;
		}
		act = &k;
	}
	r = host(SYS_rt_sigaction, sig, (long)act, (long)oact, KSIGSET_SIZE,
	    0);
	if (r == 0 && oact != NULL &&
	    oact->handler == (void *)trap_sig_wrapper) {
		/* what the program gave, not what we made of it */
		oact->handler = ofn;
		oact->flags = (oact->flags & ~(unsigned long)SA_SIGINFO) |
		    (oflags & SA_SIGINFO);
	}
	return r;
}

/* A mask argument of a trapped call, with SIGSYS taken out (copy in *tmp). */
static long
sanitized_mask(long ptr, uint64_t *tmp)
{
	if (ptr == 0)
		return 0;
	*tmp = *(const uint64_t *)ptr & ~SIGBIT(SIGSYS);
	return (long)tmp;
}

/* SIGSYS that is not a trap (kill, seccomp): what the program asked for. */
static void
forward_sigsys(siginfo_t *si, void *uc)
{
	void *h = atomic_load(&prog_sigsys.handler);
	unsigned long flags = atomic_load(&prog_sigsys.flags);
	struct ksigaction dfl = { SIG_DFL, 0, NULL, 0 };

	if (h == SIG_IGN)
		return;
	if (h == SIG_DFL) {
		/* die of it as the program would: delivered on return */
		host(SYS_rt_sigaction, SIGSYS, (long)&dfl, 0, KSIGSET_SIZE, 0);
		host(SYS_tgkill, host(SYS_getpid, 0, 0, 0, 0, 0),
		    host(SYS_gettid, 0, 0, 0, 0, 0),
		    SIGSYS, 0, 0);
		return;
	}
	if (flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))h)(SIGSYS, si, uc);
	else
		((void (*)(int))h)(SIGSYS);
}

/* ------------------------------------------------------------ the trap */

/* What the handler does with the trapped instruction after the call. */
enum trap_how {
	TRAP_RESULT,		/* result into RAX, continue after it */
	TRAP_RESUME,		/* run it from hj_trap_resume, then go on */
	TRAP_NATIVE,		/* re-run it natively, selector left ALLOW */
	TRAP_SIGRETURN,		/* finish a foreign restorer's sigreturn */
};

static long
trap_sigprocmask(ucontext_t *uc, long how, long set, long oset, long size)
{
	uint64_t *cur = (uint64_t *)&uc->uc_sigmask;
	uint64_t old = *cur, m;

	if (size != KSIGSET_SIZE)
		return -EINVAL;
	if (set != 0) {
		m = *(const uint64_t *)set;
		switch (how) {
		case SIG_BLOCK:		m = old | m; break;
		case SIG_UNBLOCK:	m = old & ~m; break;
		case SIG_SETMASK:	break;
		default:		return -EINVAL;
		}
		*cur = m & ~UNBLOCKABLE;
	}
	if (oset != 0)
		*(uint64_t *)oset = old;
	return 0;
}

/*
 * A clone whose child cannot come back through this handler: one that
 * shares our memory (it would return on our stack, or through a frame the
 * parent still needs) or gets a stack of its own (with no frame on it).
 * TRAP_RESULT if it can; else TRAP_RESUME, or TRAP_NATIVE when the child
 * gets thread storage of its own and so could not read hj_trap_cont.
 */
static enum trap_how
clone_how(long nr, const long *a)
{
	uint64_t flags = 0, stack = 0;

	if (nr == SYS_vfork)
		return TRAP_RESUME;
	if (nr == SYS_clone) {
		flags = (uint64_t)a[0];
		stack = (uint64_t)a[1];
	} else if (nr == SYS_clone3) {
		const uint64_t *ca = (const uint64_t *)a[0];

		/* struct clone_args: flags at 0, stack at 5 */
		if (ca == NULL || (size_t)a[1] < 6 * sizeof(uint64_t))
			return TRAP_RESULT;
		flags = ca[0];
		stack = ca[5];
	}
	if (!(flags & CLONE_VM) && stack == 0)
		return TRAP_RESULT;
	return flags & CLONE_SETTLS ? TRAP_NATIVE : TRAP_RESUME;
}

/*
 * Calls that never name a descriptor or path and must not wait on the
 * router: malloc makes them holding its arena lock, so routing them
 * through code that may allocate could deadlock.
 */
static bool
host_only(long nr, const long *a)
{
	switch (nr) {
	case SYS_brk: case SYS_munmap: case SYS_mprotect: case SYS_madvise:
	case SYS_mremap: case SYS_futex: case SYS_sched_yield:
	case SYS_set_robust_list: case SYS_rseq: case SYS_gettid:
	case SYS_set_tid_address: case SYS_arch_prctl: case SYS_membarrier:
		return true;
	case SYS_mmap:
		return (a[3] & MAP_ANONYMOUS) != 0;
	default:
		return false;
	}
}

static long
trap_call(long nr, long *a, ucontext_t *uc, enum trap_how *how)
{
	uint64_t m0, m1;
	long ssd[2], r;

	*how = TRAP_RESULT;
	switch (nr) {
	case SYS_rt_sigreturn:
		*how = TRAP_SIGRETURN;
		return 0;
	case SYS_rt_sigaction:
		if (a[3] != KSIGSET_SIZE)
			return -EINVAL;
		return trap_rt_sigaction((int)a[0],
		    (const struct ksigaction *)a[1], (struct ksigaction *)a[2]);
	case SYS_rt_sigprocmask:
		return trap_sigprocmask(uc, a[0], a[1], a[2], a[3]);
	case SYS_rt_sigsuspend:
		a[0] = sanitized_mask(a[0], &m0);
		break;
	case SYS_ppoll:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		a[3 + (nr != SYS_ppoll)] = sanitized_mask(a[3 + (nr != SYS_ppoll)],
		    &m0);
		break;
	case SYS_pselect6:
		if (a[5] != 0) {
			/* { const sigset_t *ss; size_t len; } */
			ssd[0] = sanitized_mask(((const long *)a[5])[0], &m1);
			ssd[1] = ((const long *)a[5])[1];
			a[5] = (long)ssd;
		}
		break;
	case SYS_execve:
	case SYS_execveat:
		/* the new image starts with the program's mask, not ours */
		m0 = *(uint64_t *)&uc->uc_sigmask & ~UNBLOCKABLE;
		host(SYS_rt_sigprocmask, SIG_SETMASK, (long)&m0, 0,
		    KSIGSET_SIZE, 0);
		break;
	case SYS_vfork:
	case SYS_clone:
	case SYS_clone3:
		/*
		 * posix_spawn, system, popen and vfork make these: run from
		 * hj_text, the parent trapped again as soon as it goes on.
		 */
		if ((*how = clone_how(nr, a)) != TRAP_RESULT)
			return 0;
		break;
	case SYS_prctl:
		/* one dispatch setting per thread, and it is ours */
		if (a[0] == PR_SET_SYSCALL_USER_DISPATCH)
			return -EBUSY;
		break;
	default:
		if (host_only(nr, a))
			return host(nr, a[0], a[1], a[2], a[3], a[4]);
		break;
	}
	/*
	 * Inside the library for the router's sake (its own enter/leave
	 * pairs nest in this one); the handler puts BLOCK back itself.
	 */
	hj_enter();
	r = hj_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	hj_leave();
	/* a forked child starts unarmed: arm it like its parent */
	if (r == 0 && (nr == SYS_fork || nr == SYS_clone || nr == SYS_clone3)) {
		trap_armed = false;
		hj_trap_thread_init();
	}
	return r;
}

static void
trap_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	unsigned char saved = untrapped();
	int err = errno;
	enum trap_how how;
	long a[6];

	if (si->si_code != SYS_USER_DISPATCH) {
		retrapped(saved);
		forward_sigsys(si, ucv);
		errno = err;
		return;
	}
	if (si->si_arch != AUDIT_ARCH_X86_64) {
		/* int $0x80 or x32: other numbers, nothing to route them to */
		g[REG_RAX] = -ENOSYS;
		goto out;
	}
	a[0] = g[REG_RDI];
	a[1] = g[REG_RSI];
	a[2] = g[REG_RDX];
	a[3] = g[REG_R10];
	a[4] = g[REG_R8];
	a[5] = g[REG_R9];
	g[REG_RAX] = trap_call(si->si_syscall, a, uc, &how);
	switch (how) {
	case TRAP_RESULT:
		break;
	case TRAP_RESUME:
		hj_trap_cont = (uintptr_t)si->si_call_addr;
		g[REG_RIP] = (greg_t)hj_trap_resume;
		g[REG_RAX] = si->si_syscall;
		break;
	case TRAP_NATIVE:
		/* `syscall` is two bytes; si_call_addr is just past it */
		g[REG_RIP] = (greg_t)si->si_call_addr - 2;
		g[REG_RAX] = si->si_syscall;
		errno = err;
		return;		/* selector stays ALLOW */
	case TRAP_SIGRETURN:
		/*
		 * A handler installed behind our back returned through
		 * libc's restorer.  Its frame's ucontext is where that
		 * restorer's stack pointer is: sigreturn from there, but
		 * from hj_text.
		 */
		g[REG_RIP] = (greg_t)hj_trap_sigreturn;
		g[REG_RAX] = SYS_rt_sigreturn;
		break;
	}
out:
	errno = err;
	retrapped(SYSCALL_DISPATCH_FILTER_BLOCK);
}

/* ------------------------------------------------------------ arming */

static void
trap_atfork_child(void)
{
	/* fork keeps the forking thread's memory, not its dispatch setting */
	if (trap_armed) {
		trap_armed = false;
		hj_trap_thread_init();
	}
}

int
hj_trap_thread_init(void)
{
	long r;

	if (!atomic_load(&trap_on) || trap_armed)
		return 0;
	r = host(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON,
	    (long)__start_hj_text, (long)(__stop_hj_text - __start_hj_text),
	    (long)&hj_selector);
	if (r < 0)
		return (int)-r;
	trap_armed = true;
	return 0;
}

/* Put back what the program had for SIGSYS (the trap is not to be). */
static void
trap_give_back(void)
{
	struct ksigaction sa = { 0 };

	sa.handler = atomic_load(&prog_sigsys.handler);
	sa.flags = atomic_load(&prog_sigsys.flags);
	sa.mask = atomic_load(&prog_sigsys.mask);
	if (sa.handler != SIG_DFL && sa.handler != SIG_IGN) {
		sa.flags |= KSA_RESTORER;
		sa.restorer = (void *)hj_trap_restorer;
	}
	host(SYS_rt_sigaction, SIGSYS, (long)&sa, 0, KSIGSET_SIZE, 0);
}

int
hj_trap_init(void)
{
	static bool done;
	struct ksigaction sa = { 0 }, old;
	uint64_t m = SIGBIT(SIGSYS);
	long r;
	int e;

	resolve();
	if (done)
		return trap_error;
	done = true;
	if (!trap_wanted())
		return 0;
	/* the program's SIGSYS disposition, honoured for non-trap SIGSYS */
	if (host(SYS_rt_sigaction, SIGSYS, 0, (long)&old, KSIGSET_SIZE,
	    0) == 0) {
		atomic_store(&prog_sigsys.handler, old.handler);
		atomic_store(&prog_sigsys.flags, old.flags);
		atomic_store(&prog_sigsys.mask, old.mask);
	}
	sa.handler = (void *)trap_handler;
	/*
	 * SIGSYS stays unblocked while the handler runs: a program handler
	 * nested in it (a signal arriving during a trapped call) is trapped
	 * too, and a blocked SIGSYS would kill the process.
	 */
	sa.flags = SA_SIGINFO | SA_NODEFER | KSA_RESTORER;
	sa.restorer = (void *)hj_trap_restorer;
	r = host(SYS_rt_sigaction, SIGSYS, (long)&sa, 0, KSIGSET_SIZE, 0);
	if (r < 0) {
		trap_error = (int)-r;
		return trap_error;
	}
	/* an exec made from a handler may have left SIGSYS blocked */
	host(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&m, 0, KSIGSET_SIZE, 0);
	atomic_store(&trap_on, true);
	e = hj_trap_thread_init();
	if (e != 0) {
		/* the host lacks it (EINVAL): interposition alone */
		atomic_store(&trap_on, false);
		trap_error = e;
		trap_give_back();
		return e;
	}
	pthread_atfork(NULL, NULL, trap_atfork_child);
	return 0;
}

bool
hj_trap_enabled(void)
{
	return atomic_load(&trap_on);
}

/* ------------------------------------------------------------ threads */

struct trap_start {
	void	*(*fn)(void *);
	void	*arg;
};

static void *
trap_thread_start(void *p)
{
	struct trap_start s;
	void *rv;

	hj_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	s = *(struct trap_start *)p;
	free(p);
	if (hj_trap_thread_init() == 0)
		hj_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	rv = s.fn(s.arg);
	hj_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	return rv;
}

/*
 * A thread the program creates is armed before it runs the program's
 * code.  One created from inside the library (the selector at ALLOW: the
 * kernel's own threads) or by an unarmed thread is left alone.
 */
int
pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	struct trap_start *s;
	unsigned char saved;
	int e;

	resolve();
	if (!atomic_load(&trap_on) || !trap_armed ||
	    hj_selector != SYSCALL_DISPATCH_FILTER_BLOCK)
		return real_pthread_create(t, attr, fn, arg);
	saved = untrapped();
	s = malloc(sizeof(*s));
	if (s == NULL) {
		retrapped(saved);
		return EAGAIN;
	}
	s->fn = fn;
	s->arg = arg;
	e = real_pthread_create(t, attr, trap_thread_start, s);
	if (e != 0)
		free(s);
	retrapped(saved);
	return e;
}

/* ------------------------------------------------------------ masks */

/*
 * The program's own signal calls: SIGSYS stays ours and unblocked.  Made
 * untrapped, so they cost no SIGSYS round trip.
 */
static int
masked_call(int (*fn)(int, const sigset_t *, sigset_t *), int how,
    const sigset_t *set, sigset_t *oset)
{
	sigset_t copy;
	unsigned char saved;
	int r;

	if (set != NULL && atomic_load(&trap_on) && how != SIG_UNBLOCK) {
		copy = *set;
		sigdelset(&copy, SIGSYS);
		set = &copy;
	}
	saved = untrapped();
	r = fn(how, set, oset);
	retrapped(saved);
	return r;
}

int
pthread_sigmask(int how, const sigset_t *set, sigset_t *oset)
{
	resolve();
	return masked_call(real_pthread_sigmask, how, set, oset);
}

int
sigprocmask(int how, const sigset_t *set, sigset_t *oset)
{
	resolve();
	return masked_call(real_sigprocmask, how, set, oset);
}

int
sigaction(int sig, const struct sigaction *act, struct sigaction *oact)
{
	struct ksigaction k, ko;
	unsigned char saved;
	long r;

	resolve();
	if (!atomic_load(&trap_on)) {
		saved = untrapped();
		r = real_sigaction(sig, act, oact);
		retrapped(saved);
		return (int)r;
	}
	/* libc's own signals (thread cancellation, setxid) stay libc's */
	if (sig < 1 || sig > 64 || sig == SIGRTMIN - 2 || sig == SIGRTMIN - 1) {
		errno = EINVAL;
		return -1;
	}
	if (act != NULL) {
		k.handler = (void *)act->sa_handler;
		k.flags = (unsigned long)act->sa_flags;
		k.restorer = NULL;
		memcpy(&k.mask, &act->sa_mask, sizeof(k.mask));
	}
	saved = untrapped();
	r = trap_rt_sigaction(sig, act != NULL ? &k : NULL,
	    oact != NULL ? &ko : NULL);
	retrapped(saved);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	if (oact != NULL) {
		memset(oact, 0, sizeof(*oact));
		oact->sa_handler = (void (*)(int))ko.handler;
		oact->sa_flags = (int)ko.flags;
		memcpy(&oact->sa_mask, &ko.mask, sizeof(ko.mask));
	}
	return 0;
}

static void (*
install(int sig, void (*h)(int), int flags, bool self_mask))(int)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (self_mask)
		sigaddset(&sa.sa_mask, sig);
	if (sigaction(sig, &sa, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

/* not declared by <signal.h> in every feature set */
void (*bsd_signal(int, void (*)(int)))(int);
void (*sysv_signal(int, void (*)(int)))(int);

/* BSD semantics, glibc's default for signal() */
void (*
signal(int sig, void (*h)(int)))(int)
{
	return install(sig, h, SA_RESTART, true);
}

void (*
bsd_signal(int sig, void (*h)(int)))(int)
{
	return install(sig, h, SA_RESTART, true);
}

void (*
sysv_signal(int sig, void (*h)(int)))(int)
{
	return install(sig, h, SA_RESETHAND | SA_NODEFER, false);
}

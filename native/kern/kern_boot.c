/* Booting and halting kernels. */
#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/device.h"
#include "sys/kpage.h"
#include "sys/buf.h"
#include "sys/vnode.h"
#include "net/netstate.h"

static void
rlimit_defaults(struct rump_kernel *k, const struct rump_config *cfg)
{
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		k->k_rlim0[i].rlim_cur = RLIM_INFINITY;
		k->k_rlim0[i].rlim_max = RLIM_INFINITY;
	}
	k->k_rlim0[RLIMIT_NOFILE].rlim_cur = cfg->maxfiles != 0 ?
	    cfg->maxfiles : RUMP_DEFAULT_MAXFILES;
	k->k_rlim0[RLIMIT_NOFILE].rlim_max = cfg->maxfiles_hard != 0 ?
	    cfg->maxfiles_hard : RUMP_DEFAULT_MAXFILES_HARD;
	if (k->k_rlim0[RLIMIT_NOFILE].rlim_max <
	    k->k_rlim0[RLIMIT_NOFILE].rlim_cur)
		k->k_rlim0[RLIMIT_NOFILE].rlim_max =
		    k->k_rlim0[RLIMIT_NOFILE].rlim_cur;
	k->k_rlim0[RLIMIT_STACK].rlim_cur = 8u << 20;
	k->k_rlim0[RLIMIT_CORE].rlim_cur = 0;
}

static void
kernel_free(struct rump_kernel *k)
{
	mutex_destroy(&k->k_intrlock);
	mutex_destroy(&k->k_proclock);
	rumpuser_free(k, sizeof(*k));
}

struct rump_kernel *
rump_kernel_boot(const struct rump_config *cfg)
{
	struct rump_config defaults = { 0 };
	struct rump_kernel *k;
	void *mem;
	int error;

	if (cfg == NULL)
		cfg = &defaults;
	if ((error = rumpuser_malloc(sizeof(*k), 0, &mem)) != 0) {
		rumpuser_seterrno(error);
		return NULL;
	}
	k = mem;
	memset(k, 0, sizeof(*k));
	k->k_memlimit = cfg->memlimit != 0 ? cfg->memlimit :
	    RUMP_DEFAULT_MEMLIMIT;
	k->k_buflimit = MIN(cfg->bufcache, k->k_memlimit);
	k->k_console = cfg->console;
	k->k_console_arg = cfg->console_arg;
	if (cfg->hostname != NULL) {
		size_t n = strlen(cfg->hostname);

		if (n >= sizeof(k->k_hostname)) {
			rumpuser_free(k, sizeof(*k));
			rumpuser_seterrno(ENAMETOOLONG);
			return NULL;
		}
		memcpy(k->k_hostname, cfg->hostname, n);
	} else {
		memcpy(k->k_hostname, "rump", 5);
	}
	rlimit_defaults(k, cfg);
	rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &k->k_boottime_sec,
	    &k->k_boottime_nsec);

	if ((error = mutex_init(&k->k_proclock)) != 0) {
		rumpuser_free(k, sizeof(*k));
		rumpuser_seterrno(error);
		return NULL;
	}
	if ((error = mutex_init(&k->k_intrlock)) != 0) {
		mutex_destroy(&k->k_proclock);
		rumpuser_free(k, sizeof(*k));
		rumpuser_seterrno(error);
		return NULL;
	}
	if ((error = kpage_init(k)) != 0)
		goto fail;
	if ((error = vfs_init(k)) != 0) {
		vfs_fini(k);
		kpage_fini(k);
		goto fail;
	}
	if ((error = proc_init_table(k)) != 0)
		goto fail_vfs;
	if ((error = vfs_mount_root(k)) != 0 || (error = dev_populate(k)) != 0) {
		vfs_unmount_all(k);
		proc_fini_table(k);
		goto fail_vfs;
	}
	if ((error = proc_create(k, NULL, 0, &k->k_initproc)) != 0) {
		vfs_unmount_all(k);
		proc_fini_table(k);
		goto fail_vfs;
	}
	klog(k, "rumpkit %s booted: host %s, memory limit %lu KiB",
	    RUMPKIT_VERSION, k->k_hostname,
	    (unsigned long)(k->k_memlimit >> 10));
	return k;

fail_vfs:
	vfs_fini(k);
	kpage_fini(k);
fail:
	kernel_free(k);
	rumpuser_seterrno(error);
	return NULL;
}

int
rump_kernel_halt(struct rump_kernel *k)
{
	struct lwp *l;
	struct proc *p;
	uint64_t used, allocs;

	if (curlwp != NULL && curlwp->l_proc->p_kernel == k)
		curlwp = NULL;
	/* the flusher goes first: it acts through an lwp of pid 1 */
	bio_halt_begin(k);
	/* Every lwp goes; processes exit with their last lwp. */
	for (;;) {
		mutex_enter(&k->k_proclock);
		l = LIST_FIRST(&k->k_alllwp);
		mutex_exit(&k->k_proclock);
		if (l == NULL)
			break;
		lwp_free(l);
	}
	/* Processes without lwps (pid 1 after its lwps went) go last. */
	for (;;) {
		mutex_enter(&k->k_proclock);
		LIST_FOREACH(p, &k->k_allproc, p_list)
			if (p != k->k_initproc)
				break;
		if (p == NULL)
			p = LIST_FIRST(&k->k_allproc);
		mutex_exit(&k->k_proclock);
		if (p == NULL)
			break;
		proc_exit(p);
	}
	k->k_initproc = NULL;
	proc_fini_table(k);
	/* sockets closed with their processes; connections and interfaces go */
	net_fini(k);
	if (vfs_unmount_all(k) != 0)
		klog(k, "halt: a file system would not unmount");
	vfs_fini(k);
	kpage_fini(k);

	used = atomic_load(&k->k_memused);
	allocs = atomic_load(&k->k_memallocs);
	if (used != 0 || allocs != 0)
		klog(k, "halt: %lu bytes in %lu allocations still in use",
		    (unsigned long)used, (unsigned long)allocs);
	else
		klog(k, "halted");
	rumpuser_default_kernel_clear(k);
	kernel_free(k);
	return used != 0 || allocs != 0 ? EBUSY : 0;
}

void
rump_kernel_stats(struct rump_kernel *k, struct rump_kernel_stats *st)
{
	st->memused = atomic_load(&k->k_memused);
	st->memlimit = k->k_memlimit;
	st->memallocs = atomic_load(&k->k_memallocs);
	mutex_enter(&k->k_proclock);
	st->nprocs = k->k_nprocs;
	st->nlwps = k->k_nlwps;
	mutex_exit(&k->k_proclock);
	vfs_enter(k);
	st->nchits = k->k_nchits;
	st->ncmisses = k->k_ncmisses;
	st->ncentries = k->k_ncount;
	vfs_exit(k);
	mutex_enter(&k->k_bufcache.bc_lock);
	st->bufs = k->k_bufcache.bc_nbufs;
	st->dirtybufs = k->k_bufcache.bc_ndirty;
	st->bufbytes = k->k_bufcache.bc_bytes;
	st->buflimit = k->k_bufcache.bc_limit;
	st->bufhits = k->k_bufcache.bc_hits;
	st->bufmisses = k->k_bufcache.bc_misses;
	st->flusher = k->k_bufcache.bc_flushing;
	mutex_exit(&k->k_bufcache.bc_lock);
}

static void *
default_boot(void)
{
	return rump_kernel_boot(NULL);
}

int
rump_init(void)
{
	struct rump_kernel *k = rumpuser_default_kernel(default_boot);

	if (k == NULL)
		return ENOMEM;
	return rump_kernel_enter(k);
}

struct rump_kernel *
rump_default_kernel(void)
{
	return rumpuser_default_kernel_get();
}

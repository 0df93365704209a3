/* The kernel instance: every piece of kernel state hangs off it. */
#ifndef SYS_KERNEL_H
#define SYS_KERNEL_H

#include <sys/queue.h>
#include <sys/resource.h>

#include "sys/systm.h"
#include "sys/mutex.h"
#include "sys/buf.h"

struct mount;
struct vnode;

LIST_HEAD(proclist, proc);
LIST_HEAD(lwplist, lwp);

struct rump_kernel {
	/* memory accounting (kern_kmem.c) */
	_Atomic uint64_t k_memused;
	_Atomic uint64_t k_memallocs;
	uint64_t	k_memlimit;
	uint64_t	k_buflimit;	/* rump_config.bufcache (vfs_bio.c) */

	kmutex_t	k_intrlock;	/* lwps' l_sleepcv/l_sleepmtx (a leaf) */
	kmutex_t	k_proclock;	/* everything below up to k_nextpid */
	struct proclist	k_allproc;
	struct proclist	*k_pidhash;	/* k_pidhashmask + 1 buckets */
	unsigned	k_pidhashmask;
	unsigned	k_nprocs;
	struct lwplist	k_alllwp;
	unsigned	k_nlwps;
	pid_t		k_nextpid;
	int		k_nextlid;

	struct proc	*k_initproc;	/* pid 1, lives until halt */
	struct rlimit	k_rlim0[RLIM_NLIMITS];	/* limits of pid 1 */

	char		k_hostname[65];
	int64_t		k_boottime_sec;
	long		k_boottime_nsec;

	rump_console_fn	k_console;
	void		*k_console_arg;

	/* the VFS (native/vfs) */
	kmutex_t	k_vfslock;	/* the name space, vnodes, file systems */
	struct lwp * _Atomic k_vfsowner;	/* who holds k_vfslock */
	kcondvar_t	k_vfscv;	/* sleepers on VFS state (locks, FIFO opens) */
	TAILQ_HEAD(mounthead, mount) k_mounts;
	struct vnode	*k_rootvnode;	/* held */
	uint32_t	k_nextdev;	/* device numbers for new mounts */

	/* the name cache (vfs/vfs_cache.c), under k_vfslock */
	LIST_HEAD(nchashhead, namecache) *k_nchash;	/* allocated on first use */
	unsigned	k_nchashmask;
	TAILQ_HEAD(, namecache) k_nclru;	/* least recently used first */
	unsigned	k_ncount;
	uint64_t	k_nchits, k_ncmisses;

	/* disks (dev/dev_disk.c), under k_vfslock, and their buffers */
	LIST_HEAD(, rump_disk) k_disks;
	unsigned	k_ndisks;	/* minor numbers handed out */
	struct bufcache	k_bufcache;	/* vfs/vfs_bio.c */

	/* pages (kern/kern_page.c) */
	kmutex_t	k_kplock;
	LIST_HEAD(, kpchunk) k_kpavail;	/* chunks with pages to hand out */
	unsigned	k_kpempty;	/* chunks with no page in use */

	/* readiness (kern/sys_select.c) */
	kmutex_t	k_sellock;
	/* epoll (kern/sys_epoll.c): every instance's set of entries */
	kmutex_t	k_eplock;
	struct lwp * _Atomic k_epowner;	/* who holds k_eplock */

	/* networking (native/net): made on first use */
	kmutex_t	k_netinitlock;
	struct netstate * _Atomic k_net;
};

#define PID_MAX		4194304

#endif

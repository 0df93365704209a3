/* Processes: creation, pid allocation and lookup, exit. */
#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kauth.h"
#include "sys/kernel.h"
#include "sys/kmem.h"
#include "sys/proc.h"
#include "sys/vnode.h"

#define PIDHASH_INITIAL	16

int
proc_init_table(struct rump_kernel *k)
{
	k->k_pidhash = kmem_alloc(k, PIDHASH_INITIAL * sizeof(*k->k_pidhash));
	if (k->k_pidhash == NULL)
		return ENOMEM;
	for (unsigned i = 0; i < PIDHASH_INITIAL; i++)
		LIST_INIT(&k->k_pidhash[i]);
	k->k_pidhashmask = PIDHASH_INITIAL - 1;
	LIST_INIT(&k->k_allproc);
	LIST_INIT(&k->k_alllwp);
	k->k_nextpid = 1;
	return 0;
}

void
proc_fini_table(struct rump_kernel *k)
{
	KASSERT(k->k_nprocs == 0);
	kmem_free(k, k->k_pidhash,
	    (k->k_pidhashmask + 1) * sizeof(*k->k_pidhash));
	k->k_pidhash = NULL;
}

struct proc *
proc_find(struct rump_kernel *k, pid_t pid)
{
	struct proc *p;

	LIST_FOREACH(p, &k->k_pidhash[(unsigned)pid & k->k_pidhashmask], p_hash)
		if (p->p_pid == pid)
			return p;
	return NULL;
}

/* Double the pid hash when it holds more processes than buckets. */
static void
pidhash_grow(struct rump_kernel *k)
{
	unsigned nb = (k->k_pidhashmask + 1) * 2;
	struct proclist *h;
	struct proc *p;

	if (k->k_nprocs <= k->k_pidhashmask + 1)
		return;
	h = kmem_alloc(k, nb * sizeof(*h));
	if (h == NULL)
		return;		/* a longer chain is only slower */
	for (unsigned i = 0; i < nb; i++)
		LIST_INIT(&h[i]);
	LIST_FOREACH(p, &k->k_allproc, p_list) {
		LIST_REMOVE(p, p_hash);
		LIST_INSERT_HEAD(&h[(unsigned)p->p_pid & (nb - 1)], p, p_hash);
	}
	kmem_free(k, k->k_pidhash,
	    (k->k_pidhashmask + 1) * sizeof(*k->k_pidhash));
	k->k_pidhash = h;
	k->k_pidhashmask = nb - 1;
}

/* The next free pid, counting up and wrapping as Linux does. */
static pid_t
pid_alloc(struct rump_kernel *k)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		pid_t pid = k->k_nextpid;

		k->k_nextpid = pid >= PID_MAX - 1 ? 2 : pid + 1;
		if (proc_find(k, pid) == NULL)
			return pid;
	}
	return -1;
}

rlim_t
proc_getlimit(struct proc *p, int which)
{
	rlim_t v;

	mutex_enter(&p->p_lock);
	v = p->p_rlimit[which].rlim_cur;
	mutex_exit(&p->p_lock);
	return v;
}

/*
 * A new process: a child of parent (none for pid 1) with its credential,
 * umask and limits, and a descriptor table shared, copied or empty.
 */
int
proc_create(struct rump_kernel *k, struct proc *parent, int fdflags,
    struct proc **pp)
{
	struct proc *p;
	int error;

	if ((p = kmem_zalloc(k, sizeof(*p))) == NULL)
		return ENOMEM;
	p->p_kernel = k;
	LIST_INIT(&p->p_children);
	LIST_INIT(&p->p_lwps);
	if ((error = mutex_init(&p->p_lock)) != 0)
		goto fail;
	if (parent == NULL) {
		error = ENOMEM;
		if ((p->p_cred = kauth_cred_alloc(k)) == NULL)
			goto fail;
		p->p_umask = 022;
		memcpy(p->p_rlimit, k->k_rlim0, sizeof(p->p_rlimit));
		error = fd_create_table(k, &p->p_fd);
	} else {
		mutex_enter(&parent->p_lock);
		p->p_cred = parent->p_cred;
		kauth_cred_hold(p->p_cred);
		p->p_umask = parent->p_umask;
		memcpy(p->p_rlimit, parent->p_rlimit, sizeof(p->p_rlimit));
		mutex_exit(&parent->p_lock);
		if (fdflags & RUMP_RFCFDG) {
			error = fd_create_table(k, &p->p_fd);
		} else if (fdflags & RUMP_RFFDG) {
			error = fd_copy_table(k, parent->p_fd, &p->p_fd);
		} else {
			fd_share_table(parent->p_fd);
			p->p_fd = parent->p_fd;
			error = 0;
		}
	}
	if (error != 0)
		goto fail;
	cwd_init(p, parent);

	mutex_enter(&k->k_proclock);
	if ((p->p_pid = pid_alloc(k)) < 0) {
		mutex_exit(&k->k_proclock);
		error = EAGAIN;
		goto fail;
	}
	p->p_pptr = parent;
	if (parent != NULL)
		LIST_INSERT_HEAD(&parent->p_children, p, p_sibling);
	LIST_INSERT_HEAD(&k->k_allproc, p, p_list);
	LIST_INSERT_HEAD(&k->k_pidhash[(unsigned)p->p_pid & k->k_pidhashmask],
	    p, p_hash);
	k->k_nprocs++;
	pidhash_grow(k);
	mutex_exit(&k->k_proclock);
	*pp = p;
	return 0;

fail:
	cwd_free(p);
	if (p->p_fd != NULL)
		fd_release_table(k, p->p_fd);
	if (p->p_cred != NULL)
		kauth_cred_free(k, p->p_cred);
	mutex_destroy(&p->p_lock);
	kmem_free(k, p, sizeof(*p));
	return error;
}

/*
 * The process's last lwp is gone: close its descriptors, give its
 * children to pid 1 (or to nobody when pid 1 itself goes, at halt),
 * and free it.
 */
void
proc_exit(struct proc *p)
{
	struct rump_kernel *k = p->p_kernel;
	struct proc *c, *reaper;

	KASSERT(p->p_nlwps == 0);
	fd_proc_exit(p);
	fd_release_table(k, p->p_fd);
	p->p_fd = NULL;
	cwd_free(p);

	mutex_enter(&k->k_proclock);
	reaper = k->k_initproc != p ? k->k_initproc : NULL;
	while ((c = LIST_FIRST(&p->p_children)) != NULL) {
		LIST_REMOVE(c, p_sibling);
		c->p_pptr = reaper;
		if (reaper != NULL)
			LIST_INSERT_HEAD(&reaper->p_children, c, p_sibling);
	}
	if (p->p_pptr != NULL)
		LIST_REMOVE(p, p_sibling);
	LIST_REMOVE(p, p_list);
	LIST_REMOVE(p, p_hash);
	k->k_nprocs--;
	mutex_exit(&k->k_proclock);

	kauth_cred_free(k, p->p_cred);
	mutex_destroy(&p->p_lock);
	kmem_free(k, p, sizeof(*p));
}

/*
 * Advisory locks: POSIX record locks (fcntl F_GETLK/F_SETLK/F_SETLKW),
 * owned by a process, and flock(2) locks, owned by an open file; the two
 * kinds do not conflict with each other, as on Linux.  Under the VFS lock.
 */
#ifndef SYS_LOCKF_H
#define SYS_LOCKF_H

#include <fcntl.h>

#include "sys/systm.h"

struct vnode;
struct file;
struct proc;
struct lwp;

int	lf_fcntl(struct lwp *l, struct file *fp, int cmd, struct flock *fl);
int	lf_flock(struct lwp *l, struct file *fp, int op);
/* A process closed a descriptor of vp: its record locks there go. */
void	lf_posix_release(struct vnode *vp, struct proc *p);
/* The last reference to fp went: its flock lock goes. */
void	lf_flock_release(struct vnode *vp, struct file *fp);

#endif

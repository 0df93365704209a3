/*
 * The virtual file system: vnodes, their attributes and operations, mounts,
 * and path lookup.  File systems fill a vnodeops and a vfsops table.
 *
 * Locking: one mutex per kernel, the VFS lock (k_vfslock), covers the name
 * space, every vnode and every file system's nodes; it is taken by the
 * system calls and never held while sleeping.  Pipes, sockets and other
 * file types have locks of their own.
 */
#ifndef SYS_VNODE_H
#define SYS_VNODE_H

#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>

#include "sys/systm.h"
#include "sys/kauth.h"
#include "sys/mutex.h"

struct mount;
struct vnode;
struct uio;
struct lwp;
struct proc;
struct pipe;
struct lockf_head;
struct namecache;
struct file;
struct fileops;
struct rump_disk;

enum vtype { VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO };

/* Attributes: what getattr fills and setattr changes (va_mask says which). */
struct vattr {
	enum vtype	va_type;
	mode_t		va_mode;	/* permission bits with S_ISUID, S_ISGID, S_ISVTX */
	nlink_t		va_nlink;
	uid_t		va_uid;
	gid_t		va_gid;
	ino_t		va_fileid;
	uint64_t	va_size;
	uint64_t	va_bytes;	/* storage used */
	dev_t		va_rdev;
	uint32_t	va_blocksize;
	struct timespec	va_atime, va_mtime, va_ctime, va_birthtime;
	unsigned	va_mask;
};
#define VA_MODE		0x01
#define VA_UID		0x02
#define VA_GID		0x04
#define VA_SIZE		0x08
#define VA_ATIME	0x10
#define VA_MTIME	0x20
#define VA_CTIME	0x40

/* A directory entry as VOP_READDIR hands it out. */
struct vdirent {
	ino_t		d_ino;
	off_t		d_off;		/* the cookie of the entry after this one */
	unsigned char	d_type;		/* DT_* */
	size_t		d_namlen;
	const char	*d_name;
};
/* Called per entry; nonzero stops the walk (the entry is not consumed). */
typedef int (*readdir_cb)(void *arg, const struct vdirent *de);

/*
 * Vnode operations.  Names are (pointer, length), not NUL-terminated.  The
 * VFS has checked permissions and existence as POSIX orders them; the
 * operations check what only the file system knows (ENOSPC, EMLINK, …).
 * Returned vnodes carry a reference.
 */
struct vnodeops {
	int	(*vop_lookup)(struct vnode *dvp, const char *nm, size_t len,
		    struct vnode **vpp);
	/* create a node of va->va_type: VREG, VFIFO, VCHR, VBLK, VSOCK, VDIR */
	int	(*vop_create)(struct vnode *dvp, const char *nm, size_t len,
		    struct vattr *va, struct vnode **vpp);
	int	(*vop_symlink)(struct vnode *dvp, const char *nm, size_t len,
		    struct vattr *va, const char *target, struct vnode **vpp);
	int	(*vop_link)(struct vnode *dvp, const char *nm, size_t len,
		    struct vnode *vp);
	int	(*vop_remove)(struct vnode *dvp, const char *nm, size_t len,
		    struct vnode *vp);
	int	(*vop_rmdir)(struct vnode *dvp, const char *nm, size_t len,
		    struct vnode *vp);
	/* move (fdvp, fnm) = fvp to (tdvp, tnm), replacing tvp if not NULL */
	int	(*vop_rename)(struct vnode *fdvp, const char *fnm, size_t flen,
		    struct vnode *fvp, struct vnode *tdvp, const char *tnm,
		    size_t tlen, struct vnode *tvp, bool exchange);
	int	(*vop_getattr)(struct vnode *vp, struct vattr *va);
	int	(*vop_setattr)(struct vnode *vp, const struct vattr *va);
	int	(*vop_read)(struct vnode *vp, struct uio *uio, int ioflag);
	int	(*vop_write)(struct vnode *vp, struct uio *uio, int ioflag);
	/* entries from cookie *offp on; *offp is left at the next one */
	int	(*vop_readdir)(struct vnode *vp, off_t *offp, readdir_cb cb,
		    void *arg);
	int	(*vop_readlink)(struct vnode *vp, struct uio *uio);
	int	(*vop_fsync)(struct vnode *vp);
	/* make [off, off + len) allocated; the size grows unless keepsize */
	int	(*vop_allocate)(struct vnode *vp, off_t off, off_t len,
		    bool keepsize);
	/* SEEK_DATA / SEEK_HOLE from *offp */
	int	(*vop_seekdata)(struct vnode *vp, int whence, off_t *offp);
	/* the last reference went: free the node if it has no names */
	void	(*vop_inactive)(struct vnode *vp);
};
#define IO_APPEND	0x01
#define IO_NOATIME	0x02

struct vnode {
	struct mount	*v_mount;
	const struct vnodeops *v_op;
	enum vtype	v_type;
	int		v_usecount;
	int		v_flag;
	void		*v_data;	/* the file system's node */
	struct mount	*v_mountedhere;	/* a mount covers this directory */
	struct pipe	*v_fifo;	/* a FIFO's pipe while it is open */
	struct lockf_head *v_lockf;	/* advisory record locks */
	struct rump_disk *v_disk;	/* VBLK: its disk while open; VREG: etfs */
	int		v_diskopen;	/* VBLK: opens (descriptors, mounts) */
	LIST_HEAD(, namecache) v_nclist;	/* name cache entries naming it */
	LIST_HEAD(, namecache) v_dnclist;	/* entries in it, a directory */
};
#define VV_ROOT		0x01	/* the root of its mount */

struct statfs;

struct vfsops {
	const char *vfs_name;
	/* source: mount(2)'s source (a device for disk file systems), or NULL */
	int	(*vfs_mount)(struct mount *mp, const char *source,
		    const char *data);
	int	(*vfs_unmount)(struct mount *mp);
	struct vnode *(*vfs_root)(struct mount *mp);	/* no reference taken */
	int	(*vfs_statfs)(struct mount *mp, struct statfs *sbp);
	int	(*vfs_sync)(struct mount *mp);
	/*
	 * mount(2) MS_REMOUNT: flags are the new MS_RDONLY/MS_NOATIME; called
	 * before mnt_flag changes, an error refuses.  NULL: only the flags change.
	 */
	int	(*vfs_remount)(struct mount *mp, unsigned long flags);
};

struct mount {
	struct rump_kernel *mnt_kernel;
	const struct vfsops *mnt_op;
	struct vnode	*mnt_vnodecovered;	/* held; NULL for the root */
	void		*mnt_data;
	unsigned long	mnt_flag;		/* MS_RDONLY, MS_NOATIME, … */
	int		mnt_active;		/* vnodes with references */
	dev_t		mnt_dev;
	TAILQ_ENTRY(mount) mnt_list;
};

/* vfs_vnode.c */
void	vref(struct vnode *vp);
void	vrele(struct vnode *vp);
void	vnode_init(struct vnode *vp, struct mount *mp,
	    const struct vnodeops *ops, enum vtype type, void *data);

/* vfs_subr.c */
void	vfs_enter(struct rump_kernel *k);
void	vfs_exit(struct rump_kernel *k);
/* Take the VFS lock unless this thread holds it; true if it was taken. */
bool	vfs_enter_unless_held(struct rump_kernel *k);
/* Sleep on k_vfscv, the VFS lock held (and held again on return). */
int	vfs_sleep(struct rump_kernel *k);	/* 0 or EINTR */
void	vfs_wakeup(struct rump_kernel *k);
int	vfs_init(struct rump_kernel *k);
void	vfs_fini(struct rump_kernel *k);
void	vfs_gettime(struct timespec *ts);
/*
 * Whether reading vp now moves its access time: never on a read-only or
 * MS_NOATIME mount (nor a directory's with MS_NODIRATIME), always with
 * MS_STRICTATIME, else Linux's relatime (the access time is not newer
 * than the modification or change time, or is a day old).
 */
bool	vfs_atime_due(struct vnode *vp, const struct timespec *atime,
	    const struct timespec *mtime, const struct timespec *ctime,
	    const struct timespec *now);
mode_t	vtype_to_ifmt(enum vtype t);
enum vtype ifmt_to_vtype(mode_t m);
unsigned char vtype_to_dt(enum vtype t);
/* May cred do mode (VREAD|VWRITE|VEXEC) to a node with these attributes? */
int	vaccess(const struct vattr *va, int mode, kauth_cred_t cred);
#define VREAD	04
#define VWRITE	02
#define VEXEC	01
int	vn_access(struct vnode *vp, int mode, kauth_cred_t cred);
bool	vn_dead(struct vnode *vp);
void	vn_stat_fill(struct vnode *vp, const struct vattr *va, struct stat *st);

/*
 * vfs_cache.c: the name cache, (directory, name) -> vnode for names up to
 * NCHNAMLEN bytes, bounded per kernel.  It holds no references: a file
 * system removes a name with cache_remove and purges a vnode it frees with
 * cache_purge.
 */
#define NCHNAMLEN	31
bool	cache_lookup(struct vnode *dvp, const char *nm, size_t len,
	    struct vnode **vpp);
void	cache_enter(struct vnode *dvp, const char *nm, size_t len,
	    struct vnode *vp);
void	cache_remove(struct vnode *dvp, const char *nm, size_t len);
void	cache_purge(struct vnode *vp);
void	cache_fini(struct rump_kernel *k);

/* vfs_lookup.c */
#define NAMEI_FOLLOW	0x01	/* follow a symlink in the last component */
#define NAMEI_PARENT	0x02	/* return the parent and the last name too */
#define NAMEI_EMPTY	0x04	/* an empty path names the starting directory */
#define NAMEI_CREATE	0x08	/* the last component may be created */

struct nameidata {
	int		ni_dirfd;	/* AT_FDCWD or a directory descriptor */
	const char	*ni_path;
	int		ni_flags;
	kauth_cred_t	ni_cred;
	struct vnode	*ni_dvp;	/* NAMEI_PARENT: the parent, held */
	struct vnode	*ni_vp;		/* the vnode, held; NULL when absent */
	const char	*ni_name;	/* NAMEI_PARENT: the last component */
	size_t		ni_namelen;
	bool		ni_slash;	/* the path ended with '/' */
	int		ni_lasttype;	/* LAST_NORM, LAST_DOT, … */
	char		ni_buf[4096];	/* scratch for symlink targets */
};
#define LAST_NORM	0	/* an ordinary name */
#define LAST_DOT	1	/* "." */
#define LAST_DOTDOT	2	/* ".." */
#define LAST_ROOT	3	/* no last component: "/" */
int	namei(struct lwp *l, struct nameidata *nd);
void	namei_done(struct nameidata *nd);
/* The starting directory for dirfd (held), or an errno. */
int	namei_startdir(struct lwp *l, int dirfd, struct vnode **vpp);
struct vnode *vfs_rootvnode(struct rump_kernel *k);
struct vnode *vfs_root_get(struct rump_kernel *k);	/* crossing a mount on / */

/* vfs_mount.c */
int	vfs_mount_root(struct rump_kernel *k);
int	vfs_unmount_all(struct rump_kernel *k);
const struct vfsops *vfs_getops(const char *name);

/* vfs_cwd.c: per-process current directory */
int	cwd_init(struct proc *p, struct proc *parent);
void	cwd_free(struct proc *p);
struct vnode *cwd_get(struct proc *p);	/* held */

/* vfs_vnops.c */
/* The attributes of a new node in dvp: owner, setgid directories. */
void	vn_newattr(struct vnode *dvp, kauth_cred_t cr, enum vtype type,
	    mode_t mode, struct vattr *va);
int	vn_open(struct lwp *l, int dirfd, const char *path, int flags,
	    mode_t mode, struct file **fpp);
/* Set-ID bits an unprivileged write drops (Linux's file_remove_privs). */
mode_t	vn_killpriv_mode(kauth_cred_t cr, mode_t mode);
int	vn_killpriv(struct vnode *vp);
extern const struct fileops vnops;

/* vfs_syscalls.c: AF_UNIX names (net/uipc_usrreq.c) */
int	vn_bind_socket(struct lwp *l, const char *path, mode_t mode,
	    struct vnode **vpp);
int	vn_find_socket(struct lwp *l, const char *path, struct vnode **vpp);
void	vn_release_socket(struct rump_kernel *k, struct vnode *vp);

#endif

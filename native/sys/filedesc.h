/*
 * Open files and descriptor tables.  A struct file is one open file
 * description, shared by descriptors (dup) and processes (fork); a
 * filedesc is one process's descriptor table, which rfork can share.
 */
#ifndef SYS_FILEDESC_H
#define SYS_FILEDESC_H

#include <fcntl.h>
#include <sys/queue.h>

#include "sys/systm.h"
#include "sys/mutex.h"
#include "sys/kauth.h"

struct file;
struct epitem;
struct uio;
struct stat;
struct pollctx;

/*
 * What a file type implements.  fo_read/fo_write: with FOF_UPDATE_OFFSET
 * the file's own offset is used and advanced, otherwise uio_offset (pread).
 * fo_poll returns the ready events among those asked, and records pc (when
 * not NULL) with the object so that a change wakes the poller.
 */
struct fileops {
	const char *fo_name;
	int	(*fo_read)(struct file *, struct uio *, int flags);
	int	(*fo_write)(struct file *, struct uio *, int flags);
	int	(*fo_ioctl)(struct file *, unsigned long cmd, void *data);
	int	(*fo_poll)(struct file *, int events, struct pollctx *pc);
	int	(*fo_stat)(struct file *, struct stat *);
	int	(*fo_seek)(struct file *, off_t off, int whence, off_t *newoff);
	void	(*fo_close)(struct file *);
	int	fo_flags;
};
#define FO_POSITIONED		0x01	/* pread and pwrite make sense */
#define FOF_UPDATE_OFFSET	0x01

/* f_flag: the access mode and status flags, in the host's O_* encoding */
#define FREAD		0x40000000	/* outside every host O_* bit */
#define FWRITE		0x20000000
#define FPATH		0x10000000	/* O_PATH: a name only, no I/O */
#define FNOACC		0x08000000	/* access mode 3: neither read nor write */
#define FEXCL		0x04000000	/* block device claimed: O_EXCL */
#define KO_LARGEFILE	0100000		/* the kernel's O_LARGEFILE (x86-64) */
#define FSETFL_MASK	(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC)

struct file {
	struct rump_kernel *f_kernel;
	const struct fileops *f_ops;
	void		*f_data;
	_Atomic int	f_flag;
	_Atomic int	f_count;
	kauth_cred_t	f_cred;		/* opener's credential */
	off_t		f_offset;	/* vnodes: under the VFS lock */
	void		*f_lockowner;	/* flock(2) locks belong to the file */
	LIST_HEAD(, epitem) f_epis;	/* epoll entries watching it; k_eplock */
	_Atomic int	f_nepis;	/* their number, read without the lock */
};

struct fdfile {
	struct file	*ff_file;
	bool		ff_cloexec;
};

struct filedesc {
	kmutex_t	fd_lock;
	_Atomic int	fd_refcnt;	/* processes sharing this table */
	int		fd_nfiles;	/* slots in fd_ofiles */
	int		fd_freefile;	/* no free slot below this */
	int		fd_nopen;
	struct fdfile	*fd_ofiles;
};

/* Must I/O on fp fail with EAGAIN rather than sleep? */
#define fnonblock(fp) \
	((atomic_load(&(fp)->f_flag) & O_NONBLOCK) || \
	 (curlwp->l_flag & LW_NOSLEEP))

/* A process closed a descriptor of fp (record locks go); vfs_vnops.c. */
void	vn_fd_closed(struct proc *p, struct file *fp);

/* kern_file.c */
/* Shared fileops for files without a node (eventfd, epoll). */
int	fop_anon_stat(struct file *fp, struct stat *st);
int	fop_noop_seek(struct file *fp, off_t off, int whence, off_t *newoff);
int	falloc(struct rump_kernel *k, const struct fileops *ops, void *data,
	    int flag, kauth_cred_t cred, struct file **fpp);
void	fhold(struct file *fp);
void	fdrop(struct file *fp);

/* sys_epoll.c: the file's last reference went; its epoll entries go. */
void	epoll_release_file(struct file *fp);

/* kern_descrip.c */
int	fd_create_table(struct rump_kernel *k, struct filedesc **fdpp);
int	fd_copy_table(struct rump_kernel *k, struct filedesc *src,
	    struct filedesc **fdpp);
void	fd_share_table(struct filedesc *fdp);
void	fd_release_table(struct rump_kernel *k, struct filedesc *fdp);
/* The file at fd (held) if it may be used for I/O, else NULL (EBADF). */
struct file *fd_getfile_io(struct proc *p, int fd);
/* The process exits: release what its descriptors hold for it. */
void	fd_proc_exit(struct proc *p);
/* Set or clear close-on-exec on fd. */
int	fd_setcloexec(struct proc *p, int fd, bool on);
/* Close descriptors in [first, last]; cloexec_only: just mark them. */
void	fd_close_range(struct proc *p, unsigned first, unsigned last,
	    bool cloexec_only);
/* execve: close the descriptors marked close-on-exec. */
void	fd_closeexec(struct proc *p);
/*
 * Put fp in the lowest free slot >= minfd of p's table (takes a ref).
 * With fp NULL, only say whether a slot is free (0 or EMFILE).
 */
int	fd_install(struct proc *p, int minfd, struct file *fp, bool cloexec,
	    int *fdp);
/* The file at fd, held (release with fdrop), or NULL. */
struct file *fd_getfile(struct proc *p, int fd);

#endif

/*
 * Open files and descriptor tables.  A struct file is one open file
 * description, shared by descriptors (dup) and processes (fork); a
 * filedesc is one process's descriptor table, which rfork can share.
 */
#ifndef SYS_FILEDESC_H
#define SYS_FILEDESC_H

#include <fcntl.h>

#include "sys/systm.h"
#include "sys/mutex.h"
#include "sys/kauth.h"

struct file;
struct uio;

struct fileops {
	const char *fo_name;
	int	(*fo_read)(struct file *, struct uio *);
	int	(*fo_write)(struct file *, struct uio *);
	void	(*fo_close)(struct file *);
};

/* f_flag: the access mode and status flags, in the host's O_* encoding */
#define FREAD		0x40000000	/* outside every host O_* bit */
#define FWRITE		0x20000000
#define FSETFL_MASK	(O_APPEND | O_NONBLOCK)

struct file {
	struct rump_kernel *f_kernel;
	const struct fileops *f_ops;
	void		*f_data;
	_Atomic int	f_flag;
	_Atomic int	f_count;
	kauth_cred_t	f_cred;		/* opener's credential */
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

/* kern_file.c */
int	falloc(struct rump_kernel *k, const struct fileops *ops, void *data,
	    int flag, kauth_cred_t cred, struct file **fpp);
void	fhold(struct file *fp);
void	fdrop(struct file *fp);

/* kern_descrip.c */
int	fd_create_table(struct rump_kernel *k, struct filedesc **fdpp);
int	fd_copy_table(struct rump_kernel *k, struct filedesc *src,
	    struct filedesc **fdpp);
void	fd_share_table(struct filedesc *fdp);
void	fd_release_table(struct rump_kernel *k, struct filedesc *fdp);
/* Put fp in the lowest free slot >= minfd of p's table (takes a ref). */
int	fd_install(struct proc *p, int minfd, struct file *fp, bool cloexec,
	    int *fdp);
/* The file at fd, held (release with fdrop), or NULL. */
struct file *fd_getfile(struct proc *p, int fd);

#endif

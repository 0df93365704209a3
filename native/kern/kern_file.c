/* Open file descriptions: allocation and reference counting. */
#include <sys/stat.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kmem.h"

int
falloc(struct rump_kernel *k, const struct fileops *ops, void *data,
    int flag, kauth_cred_t cred, struct file **fpp)
{
	struct file *fp;

	if ((fp = kmem_zalloc(k, sizeof(*fp))) == NULL)
		return ENOMEM;
	fp->f_kernel = k;
	fp->f_ops = ops;
	fp->f_data = data;
	atomic_init(&fp->f_flag, flag);
	atomic_init(&fp->f_count, 1);
	LIST_INIT(&fp->f_epis);
	kauth_cred_hold(cred);
	fp->f_cred = cred;
	*fpp = fp;
	return 0;
}

void
fhold(struct file *fp)
{
	atomic_fetch_add_explicit(&fp->f_count, 1, memory_order_relaxed);
}

/* Drop a reference; the last one closes the file. */
void
fdrop(struct file *fp)
{
	struct rump_kernel *k = fp->f_kernel;

	if (atomic_fetch_sub_explicit(&fp->f_count, 1,
	    memory_order_acq_rel) != 1)
		return;
	if (atomic_load(&fp->f_nepis) != 0)
		epoll_release_file(fp);
	if (fp->f_ops->fo_close != NULL)
		fp->f_ops->fo_close(fp);
	kauth_cred_free(k, fp->f_cred);
	kmem_free(k, fp, sizeof(*fp));
}

/* fo_stat of a file with no node (eventfd, epoll): an anonymous inode, as Linux shows it. */
int
fop_anon_stat(struct file *fp, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_ino = (ino_t)((uintptr_t)fp->f_data >> 4);
	return 0;
}

/* fo_seek that stays at 0 and succeeds: Linux's noop_llseek. */
int
fop_noop_seek(struct file *fp, off_t off, int whence, off_t *newoff)
{
	(void)fp;
	(void)off;
	(void)whence;
	*newoff = 0;
	return 0;
}

/*
 * Path lookup (namei), as Linux resolves paths: absolute and relative to a
 * directory descriptor, "." and ".." across mount points, symlinks followed
 * up to 40 times, trailing slashes, NAME_MAX and PATH_MAX.
 */
#include <fcntl.h>
#include <limits.h>

#include "sys/systm.h"
#include "sys/filedesc.h"
#include "sys/kernel.h"
#include "sys/proc.h"
#include "sys/uiomove.h"
#include "sys/vnode.h"

#define MAXSYMLINKS	40

struct vnode *
vfs_rootvnode(struct rump_kernel *k)
{
	return k->k_rootvnode;
}

/* The root of what is mounted on vp, repeatedly; consumes the reference. */
static struct vnode *
cross_mounts(struct vnode *vp)
{
	while (vp->v_mountedhere != NULL) {
		struct mount *mp = vp->v_mountedhere;
		struct vnode *root = mp->mnt_op->vfs_root(mp);

		vref(root);
		vrele(vp);
		vp = root;
	}
	return vp;
}

/*
 * The root as paths see it, referenced: a file system mounted on "/"
 * covers the root tmpfs (an image as a program's whole tree).
 */
struct vnode *
vfs_root_get(struct rump_kernel *k)
{
	vref(k->k_rootvnode);
	return cross_mounts(k->k_rootvnode);
}

int
namei_startdir(struct lwp *l, int dirfd, struct vnode **vpp)
{
	struct file *fp;
	struct vnode *vp;

	if (dirfd == AT_FDCWD) {
		*vpp = cwd_get(l->l_proc);
		return 0;
	}
	if ((fp = fd_getfile(l->l_proc, dirfd)) == NULL)
		return EBADF;
	if (fp->f_ops != &vnops) {
		fdrop(fp);
		return ENOTDIR;
	}
	vp = fp->f_data;
	vref(vp);
	fdrop(fp);
	*vpp = vp;
	return 0;
}

/* ".." of dvp: stays at the root, crosses down out of mounted roots. */
static int
lookup_dotdot(struct rump_kernel *k, struct vnode *dvp, struct vnode **vpp)
{
	while (dvp != k->k_rootvnode && (dvp->v_flag & VV_ROOT) &&
	    dvp->v_mount->mnt_vnodecovered != NULL)
		dvp = dvp->v_mount->mnt_vnodecovered;
	if (dvp == k->k_rootvnode) {
		*vpp = vfs_root_get(k);
		return 0;
	}
	return dvp->v_op->vop_lookup(dvp, "..", 2, vpp);
}

/* Read the target of symlink vp into buf (NUL-terminated); its length. */
static int
read_link(struct vnode *vp, char *buf, size_t size, size_t *lenp)
{
	struct iovec iov = { buf, size - 1 };
	struct uio uio = { &iov, 1, 0, size - 1, UIO_READ };
	int error;

	if ((error = vp->v_op->vop_readlink(vp, &uio)) != 0)
		return error;
	*lenp = size - 1 - uio.uio_resid;
	buf[*lenp] = '\0';
	return 0;
}

/*
 * Is a symlink met here followed?  Within the path always; the last
 * component when asked, or when a trailing slash makes it a directory's
 * name -- except for the calls that act on the last name itself (unlink,
 * rmdir, rename, mkdir, mknod, link, open with O_CREAT): Linux leaves that
 * to them, trailing slash or not.
 */
static bool
must_follow(const struct nameidata *nd, bool last, bool slash)
{
	if (!last)
		return true;
	if (slash && (nd->ni_flags & NAMEI_PARENT))
		return false;
	return (nd->ni_flags & NAMEI_FOLLOW) || slash;
}

int
namei(struct lwp *l, struct nameidata *nd)
{
	struct rump_kernel *k = l->l_proc->p_kernel;
	struct vnode *dvp, *vp = NULL;
	char target[PATH_MAX];
	size_t len;
	int nlinks = 0, error;
	char *cp;

	if (nd->ni_path == NULL) {
		/* as Linux: allowed (as "") where an empty path is */
		if (!(nd->ni_flags & NAMEI_EMPTY))
			return EFAULT;
		nd->ni_path = "";
	} else if (!useraddr_ok(nd->ni_path, 1)) {
		return EFAULT;
	}
	len = strlen(nd->ni_path);

	nd->ni_dvp = NULL;
	nd->ni_vp = NULL;
	nd->ni_name = NULL;
	nd->ni_namelen = 0;
	nd->ni_slash = false;
	nd->ni_lasttype = LAST_NORM;
	if (len >= PATH_MAX)
		return ENAMETOOLONG;
	if (len == 0 && !(nd->ni_flags & NAMEI_EMPTY))
		return ENOENT;
	memcpy(nd->ni_buf, nd->ni_path, len + 1);
	cp = nd->ni_buf;
	if (*cp == '/') {
		dvp = vfs_root_get(k);
	} else if ((error = namei_startdir(l, nd->ni_dirfd, &dvp)) != 0) {
		return error;
	}
	if (len == 0) {
		nd->ni_vp = dvp;
		return 0;
	}

	for (;;) {
		const char *name;
		size_t nlen;
		char *next, *rest;
		bool last, slash;

		while (*cp == '/')
			cp++;
		if (*cp == '\0') {
			/* "/" or a path that ended after a symlink to "/" */
			nd->ni_lasttype = LAST_ROOT;
			nd->ni_vp = dvp;
			nd->ni_slash = true;
			return 0;
		}
		name = cp;
		for (next = cp; *next != '\0' && *next != '/'; next++)
			continue;
		nlen = (size_t)(next - cp);
		for (rest = next; *rest == '/'; rest++)
			continue;
		last = *rest == '\0';
		slash = last && next != rest;
		if (dvp->v_type != VDIR) {
			error = ENOTDIR;
			goto fail;
		}
		if ((error = vn_access(dvp, VEXEC, nd->ni_cred)) != 0)
			goto fail;
		if (nlen > NAME_MAX) {
			error = ENAMETOOLONG;
			goto fail;
		}

		if (nlen == 1 && name[0] == '.') {
			vp = dvp;
			vref(vp);
		} else if (nlen == 2 && name[0] == '.' && name[1] == '.') {
			if ((error = lookup_dotdot(k, dvp, &vp)) != 0)
				goto fail;
		} else {
			if (cache_lookup(dvp, name, nlen, &vp)) {
				error = 0;
			} else if ((error = dvp->v_op->vop_lookup(dvp, name, nlen,
			    &vp)) == 0) {
				cache_enter(dvp, name, nlen, vp);
			}
			if (error == ENOENT && last &&
			    (nd->ni_flags & NAMEI_PARENT)) {
				nd->ni_dvp = dvp;
				nd->ni_vp = NULL;
				nd->ni_name = name;
				nd->ni_namelen = nlen;
				nd->ni_slash = slash;
				return 0;
			}
			if (error != 0)
				goto fail;
			vp = cross_mounts(vp);
		}

		if (vp->v_type == VLNK && must_follow(nd, last, slash)) {
			size_t tlen, rlen = strlen(next);

			if (++nlinks > MAXSYMLINKS) {
				error = ELOOP;
				vrele(vp);
				goto fail;
			}
			error = read_link(vp, target, sizeof(target), &tlen);
			vrele(vp);
			vp = NULL;
			if (error != 0)
				goto fail;
			if (tlen == 0) {
				error = ENOENT;
				goto fail;
			}
			if (tlen + rlen >= PATH_MAX) {
				error = ENAMETOOLONG;
				goto fail;
			}
			memcpy(target + tlen, next, rlen + 1);
			memcpy(nd->ni_buf, target, tlen + rlen + 1);
			cp = nd->ni_buf;
			if (*cp == '/') {
				vrele(dvp);
				dvp = vfs_root_get(k);
			}
			continue;
		}

		if (last) {
			if (slash && vp->v_type != VDIR &&
			    !(nd->ni_flags & NAMEI_PARENT)) {
				vrele(vp);
				error = ENOTDIR;
				goto fail;
			}
			nd->ni_slash = slash;
			nd->ni_lasttype = nlen == 1 && name[0] == '.' ? LAST_DOT :
			    nlen == 2 && name[0] == '.' && name[1] == '.' ?
			    LAST_DOTDOT : LAST_NORM;
			nd->ni_vp = vp;
			if (nd->ni_flags & NAMEI_PARENT) {
				nd->ni_dvp = dvp;
				nd->ni_name = name;
				nd->ni_namelen = nlen;
			} else {
				vrele(dvp);
			}
			return 0;
		}
		vrele(dvp);
		dvp = vp;
		vp = NULL;
		cp = next;
	}

fail:
	vrele(dvp);
	return error;
}

void
namei_done(struct nameidata *nd)
{
	if (nd->ni_vp != NULL)
		vrele(nd->ni_vp);
	if (nd->ni_dvp != NULL)
		vrele(nd->ni_dvp);
	nd->ni_vp = nd->ni_dvp = NULL;
}

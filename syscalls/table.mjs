// The system-call interface of rumpkit: one entry per call.  Everything that
// speaks this interface is generated from here (see gen.mjs): the public C
// prototypes, the kernel's argument structs and dispatch table, the N-API
// wrappers and the TypeScript bindings and types.
//
// An argument is written `<C type> <name>[:<role>]`:
//   (no role)        a scalar passed by value
//   :fd              a descriptor
//   :path            a NUL-terminated path name
//   :in[len]         a buffer the kernel reads; len names the argument
//   :out[len]        a buffer the kernel fills    holding its element count
//   :inout[len]      both
//   :struct_in       a pointer to one struct the kernel reads
//   :struct_out      a pointer to one struct the kernel fills
//   :scalar_out      a pointer to one scalar the kernel fills
//   :vrout[len]      a buffer the kernel fills whose capacity is in *len, a
//                    socklen_t * argument of role :vrlen that the kernel sets
//                    to the real length (value-result: accept, getsockname);
//                    TypeScript passes the buffer only and gets
//                    { result, <len> } back
//   :msg_in, :msg_out  a struct msghdr (sendmsg, recvmsg); TypeScript passes
//                    { name?, iov, control? } and recvmsg returns
//                    { result, namelen, controllen, flags }
// `struct sockaddr *` buffers are bytes (a Buffer or Uint8Array in TypeScript).
// A trailing `?` on a pointer role means the pointer may be NULL.
//
// Numbers are not written here: the kernel dispatches on the host's own
// SYS_<name> numbers (rule 3 of DESIGN.md: the host ABI).
//
// flags:
//   blocking         may sleep; TypeScript will get an async form
//
// libc: the libc functions that are this call with the very same C arguments
// (the *64 names too: the same layout on x86-64).  librumphijack interposes
// each with a generated pass-through (native/gen/hijack_stubs.inc); any
// libc function that adds, drops or rewrites an argument is hand-written in
// native/hijack/.

export const syscalls = [
  // identity (kern_prot.c)
  { name: 'getpid', ret: 'pid_t', args: [] },
  { name: 'getppid', ret: 'pid_t', args: [] },
  { name: 'getuid', ret: 'uid_t', args: [] },
  { name: 'geteuid', ret: 'uid_t', args: [] },
  { name: 'getgid', ret: 'gid_t', args: [] },
  { name: 'getegid', ret: 'gid_t', args: [] },
  { name: 'setuid', ret: 'int', args: ['uid_t uid'] },
  { name: 'setgid', ret: 'int', args: ['gid_t gid'] },
  { name: 'setreuid', ret: 'int', args: ['uid_t ruid', 'uid_t euid'] },
  { name: 'setregid', ret: 'int', args: ['gid_t rgid', 'gid_t egid'] },
  { name: 'setresuid', ret: 'int', args: ['uid_t ruid', 'uid_t euid', 'uid_t suid'] },
  { name: 'setresgid', ret: 'int', args: ['gid_t rgid', 'gid_t egid', 'gid_t sgid'] },
  {
    name: 'getresuid', ret: 'int',
    args: ['uid_t *ruid:scalar_out', 'uid_t *euid:scalar_out', 'uid_t *suid:scalar_out'],
  },
  {
    name: 'getresgid', ret: 'int',
    args: ['gid_t *rgid:scalar_out', 'gid_t *egid:scalar_out', 'gid_t *sgid:scalar_out'],
  },
  { name: 'getgroups', ret: 'int', args: ['int size', 'gid_t *list:out[size]?'] },
  { name: 'setgroups', ret: 'int', args: ['int size', 'const gid_t *list:in[size]?'] },
  { name: 'umask', ret: 'mode_t', args: ['mode_t mask'] },

  // resources (kern_resource.c)
  { name: 'getrlimit', ret: 'int', args: ['int resource', 'struct rlimit *rlim:struct_out'] },
  { name: 'setrlimit', ret: 'int', args: ['int resource', 'const struct rlimit *rlim:struct_in'] },
  {
    name: 'prlimit64', ret: 'int',
    args: ['pid_t pid', 'int resource', 'const struct rlimit *new_limit:struct_in?',
      'struct rlimit *old_limit:struct_out?'],
  },

  // descriptors (kern_descrip.c, sys_eventfd.c)
  { name: 'close', libc: ['close'], ret: 'int', args: ['int fd:fd'] },
  { name: 'close_range', ret: 'int', args: ['unsigned int first', 'unsigned int last', 'unsigned int flags'] },
  { name: 'dup', libc: ['dup'], ret: 'int', args: ['int oldfd:fd'] },
  { name: 'dup2', libc: ['dup2'], ret: 'int', args: ['int oldfd:fd', 'int newfd:fd'] },
  { name: 'dup3', libc: ['dup3'], ret: 'int', args: ['int oldfd:fd', 'int newfd:fd', 'int flags'] },
  { name: 'fcntl', ret: 'int', flags: ['blocking'], args: ['int fd:fd', 'int cmd', 'long arg'] },
  {
    name: 'fcntl_lock', alias: 'fcntl', ret: 'int', flags: ['blocking'],
    doc: 'fcntl with F_GETLK, F_SETLK or F_SETLKW: the lock travels both ways.',
    args: ['int fd:fd', 'int cmd', 'struct flock *lock:struct_inout'],
  },
  { name: 'flock', libc: ['flock'], ret: 'int', flags: ['blocking'], args: ['int fd:fd', 'int operation'] },
  { name: 'eventfd2', ret: 'int', args: ['unsigned int initval', 'int flags'] },
  { name: 'ioctl', ret: 'int', args: ['int fd:fd', 'unsigned long request', 'long arg'] },
  {
    name: 'ioctl_int', alias: 'ioctl', ret: 'int',
    doc: 'ioctl whose argument points to an int (FIONREAD, FIONBIO): returns the int after the call.',
    args: ['int fd:fd', 'unsigned long request', 'int *value:scalar_inout'],
  },

  // I/O (sys_generic.c, vfs_syscalls.c)
  { name: 'read', libc: ['read'], ret: 'ssize_t', flags: ['blocking'], args: ['int fd:fd', 'void *buf:out[count]', 'size_t count'] },
  { name: 'write', libc: ['write'], ret: 'ssize_t', flags: ['blocking'], args: ['int fd:fd', 'const void *buf:in[count]', 'size_t count'] },
  {
    name: 'pread64', libc: ['pread', 'pread64'], ret: 'ssize_t', flags: ['blocking'],
    args: ['int fd:fd', 'void *buf:out[count]', 'size_t count', 'off_t offset'],
  },
  {
    name: 'pwrite64', libc: ['pwrite', 'pwrite64'], ret: 'ssize_t', flags: ['blocking'],
    args: ['int fd:fd', 'const void *buf:in[count]', 'size_t count', 'off_t offset'],
  },
  { name: 'readv', libc: ['readv'], ret: 'ssize_t', flags: ['blocking'], args: ['int fd:fd', 'const struct iovec *iov:iov_out[iovcnt]', 'int iovcnt'] },
  { name: 'writev', libc: ['writev'], ret: 'ssize_t', flags: ['blocking'], args: ['int fd:fd', 'const struct iovec *iov:iov_in[iovcnt]', 'int iovcnt'] },
  {
    name: 'preadv', ret: 'ssize_t', flags: ['blocking'],
    args: ['int fd:fd', 'const struct iovec *iov:iov_out[iovcnt]', 'int iovcnt', 'unsigned long pos_l', 'unsigned long pos_h'],
  },
  {
    name: 'pwritev', ret: 'ssize_t', flags: ['blocking'],
    args: ['int fd:fd', 'const struct iovec *iov:iov_in[iovcnt]', 'int iovcnt', 'unsigned long pos_l', 'unsigned long pos_h'],
  },
  { name: 'lseek', libc: ['lseek', 'lseek64'], ret: 'off_t', args: ['int fd:fd', 'off_t offset', 'int whence'] },

  // names and files (vfs_syscalls.c)
  { name: 'open', ret: 'int', flags: ['blocking'], args: ['const char *path:path', 'int flags', 'mode_t mode'] },
  {
    name: 'openat', ret: 'int', flags: ['blocking'],
    args: ['int dirfd:fd', 'const char *path:path', 'int flags', 'mode_t mode'],
  },
  { name: 'creat', ret: 'int', args: ['const char *path:path', 'mode_t mode'] },
  { name: 'stat', ret: 'int', args: ['const char *path:path', 'struct stat *statbuf:struct_out'] },
  { name: 'lstat', ret: 'int', args: ['const char *path:path', 'struct stat *statbuf:struct_out'] },
  { name: 'fstat', libc: ['fstat', 'fstat64'], ret: 'int', args: ['int fd:fd', 'struct stat *statbuf:struct_out'] },
  {
    name: 'newfstatat', libc: ['fstatat', 'fstatat64'], ret: 'int',
    args: ['int dirfd:fd', 'const char *path:path', 'struct stat *statbuf:struct_out', 'int flags'],
  },
  {
    name: 'statx', libc: ['statx'], ret: 'int',
    args: ['int dirfd:fd', 'const char *path:path', 'int flags', 'unsigned int mask', 'struct statx *statxbuf:struct_out'],
  },
  { name: 'access', ret: 'int', args: ['const char *path:path', 'int mode'] },
  { name: 'faccessat', ret: 'int', args: ['int dirfd:fd', 'const char *path:path', 'int mode'] },
  { name: 'faccessat2', libc: ['faccessat'], ret: 'int', args: ['int dirfd:fd', 'const char *path:path', 'int mode', 'int flags'] },
  { name: 'mkdir', ret: 'int', args: ['const char *path:path', 'mode_t mode'] },
  { name: 'mkdirat', libc: ['mkdirat'], ret: 'int', args: ['int dirfd:fd', 'const char *path:path', 'mode_t mode'] },
  { name: 'rmdir', ret: 'int', args: ['const char *path:path'] },
  { name: 'unlink', ret: 'int', args: ['const char *path:path'] },
  { name: 'unlinkat', libc: ['unlinkat'], ret: 'int', args: ['int dirfd:fd', 'const char *path:path', 'int flags'] },
  { name: 'rename', ret: 'int', args: ['const char *oldpath:path', 'const char *newpath:path'] },
  {
    name: 'renameat', ret: 'int',
    args: ['int olddirfd:fd', 'const char *oldpath:path', 'int newdirfd:fd', 'const char *newpath:path'],
  },
  {
    name: 'renameat2', libc: ['renameat2'], ret: 'int',
    args: ['int olddirfd:fd', 'const char *oldpath:path', 'int newdirfd:fd', 'const char *newpath:path',
      'unsigned int flags'],
  },
  { name: 'link', ret: 'int', args: ['const char *oldpath:path', 'const char *newpath:path'] },
  {
    name: 'linkat', libc: ['linkat'], ret: 'int',
    args: ['int olddirfd:fd', 'const char *oldpath:path', 'int newdirfd:fd', 'const char *newpath:path', 'int flags'],
  },
  { name: 'symlink', ret: 'int', args: ['const char *target:str', 'const char *linkpath:path'] },
  { name: 'symlinkat', libc: ['symlinkat'], ret: 'int', args: ['const char *target:str', 'int newdirfd:fd', 'const char *linkpath:path'] },
  { name: 'readlink', ret: 'ssize_t', args: ['const char *path:path', 'char *buf:out[bufsiz]', 'size_t bufsiz'] },
  {
    name: 'readlinkat', libc: ['readlinkat'], ret: 'ssize_t',
    args: ['int dirfd:fd', 'const char *path:path', 'char *buf:out[bufsiz]', 'size_t bufsiz'],
  },
  { name: 'getdents64', ret: 'int', args: ['int fd:fd', 'void *dirp:out[count]', 'unsigned int count'] },
  { name: 'chmod', ret: 'int', args: ['const char *path:path', 'mode_t mode'] },
  { name: 'fchmod', libc: ['fchmod'], ret: 'int', args: ['int fd:fd', 'mode_t mode'] },
  { name: 'fchmodat', ret: 'int', args: ['int dirfd:fd', 'const char *path:path', 'mode_t mode'] },
  { name: 'chown', ret: 'int', args: ['const char *path:path', 'uid_t owner', 'gid_t group'] },
  { name: 'fchown', libc: ['fchown'], ret: 'int', args: ['int fd:fd', 'uid_t owner', 'gid_t group'] },
  { name: 'lchown', ret: 'int', args: ['const char *path:path', 'uid_t owner', 'gid_t group'] },
  {
    name: 'fchownat', libc: ['fchownat'], ret: 'int',
    args: ['int dirfd:fd', 'const char *path:path', 'uid_t owner', 'gid_t group', 'int flags'],
  },
  {
    name: 'utimensat', libc: ['utimensat'], ret: 'int',
    args: ['int dirfd:fd', 'const char *path:path?', 'const struct timespec *times:struct_in[2]?', 'int flags'],
  },
  { name: 'truncate', libc: ['truncate', 'truncate64'], ret: 'int', args: ['const char *path:path', 'off_t length'] },
  { name: 'ftruncate', libc: ['ftruncate', 'ftruncate64'], ret: 'int', args: ['int fd:fd', 'off_t length'] },
  { name: 'fallocate', libc: ['fallocate', 'fallocate64'], ret: 'int', args: ['int fd:fd', 'int mode', 'off_t offset', 'off_t len'] },
  { name: 'fsync', libc: ['fsync'], ret: 'int', args: ['int fd:fd'] },
  { name: 'fdatasync', libc: ['fdatasync'], ret: 'int', args: ['int fd:fd'] },
  { name: 'sync', ret: 'int', args: [] },
  { name: 'chdir', libc: ['chdir'], ret: 'int', args: ['const char *path:path'] },
  { name: 'fchdir', libc: ['fchdir'], ret: 'int', args: ['int fd:fd'] },
  { name: 'getcwd', ret: 'int', args: ['char *buf:out[size]', 'size_t size'] },
  { name: 'mknod', ret: 'int', args: ['const char *path:path', 'mode_t mode', 'dev_t dev'] },
  { name: 'mknodat', libc: ['mknodat'], ret: 'int', args: ['int dirfd:fd', 'const char *path:path', 'mode_t mode', 'dev_t dev'] },
  { name: 'statfs', libc: ['statfs', 'statfs64'], ret: 'int', args: ['const char *path:path', 'struct statfs *buf:struct_out'] },
  { name: 'fstatfs', libc: ['fstatfs', 'fstatfs64'], ret: 'int', args: ['int fd:fd', 'struct statfs *buf:struct_out'] },
  {
    name: 'mount', ret: 'int',
    args: ['const char *source:str?', 'const char *target:path', 'const char *fstype:str?', 'unsigned long flags',
      'const char *data:str?'],
  },
  { name: 'umount2', ret: 'int', args: ['const char *target:path', 'int flags'] },

  // pipes and readiness (sys_pipe.c, sys_poll.c)
  { name: 'pipe', ret: 'int', args: ['int *fds:out[2]'] },
  { name: 'pipe2', ret: 'int', args: ['int *fds:out[2]', 'int flags'] },
  {
    name: 'poll', libc: ['poll'], ret: 'int', flags: ['blocking'],
    args: ['struct pollfd *fds:inout[nfds]?', 'unsigned long nfds', 'int timeout'],
  },
  {
    name: 'ppoll', ret: 'int', flags: ['blocking'],
    args: ['struct pollfd *fds:inout[nfds]?', 'unsigned long nfds', 'const struct timespec *tmo:struct_in?',
      'const void *sigmask:in[sigsetsize]?', 'size_t sigsetsize'],
  },
  {
    name: 'select', libc: ['select'], ret: 'int', flags: ['blocking'],
    args: ['int nfds', 'fd_set *readfds:struct_inout?', 'fd_set *writefds:struct_inout?',
      'fd_set *exceptfds:struct_inout?', 'struct timeval *timeout:struct_inout?'],
  },

  // epoll (sys_epoll.c)
  { name: 'epoll_create', libc: ['epoll_create'], ret: 'int', args: ['int size'] },
  { name: 'epoll_create1', libc: ['epoll_create1'], ret: 'int', args: ['int flags'] },
  {
    name: 'epoll_ctl', libc: ['epoll_ctl'], ret: 'int',
    args: ['int epfd:fd', 'int op', 'int fd:fd', 'struct epoll_event *event:struct_in?'],
  },
  {
    name: 'epoll_wait', libc: ['epoll_wait'], ret: 'int', flags: ['blocking'],
    args: ['int epfd:fd', 'struct epoll_event *events:out[maxevents]', 'int maxevents', 'int timeout'],
  },
  {
    name: 'epoll_pwait', ret: 'int', flags: ['blocking'],
    args: ['int epfd:fd', 'struct epoll_event *events:out[maxevents]', 'int maxevents', 'int timeout',
      'const void *sigmask:in[sigsetsize]?', 'size_t sigsetsize'],
  },

  // sockets (net/uipc_syscalls.c)
  { name: 'socket', libc: ['socket'], ret: 'int', args: ['int domain', 'int type', 'int protocol'] },
  { name: 'socketpair', libc: ['socketpair'], ret: 'int', args: ['int domain', 'int type', 'int protocol', 'int *sv:out[2]'] },
  { name: 'bind', libc: ['bind'], ret: 'int', args: ['int sockfd:fd', 'const struct sockaddr *addr:in[addrlen]', 'socklen_t addrlen'] },
  { name: 'listen', libc: ['listen'], ret: 'int', args: ['int sockfd:fd', 'int backlog'] },
  {
    name: 'accept', ret: 'int', flags: ['blocking'],
    args: ['int sockfd:fd', 'struct sockaddr *addr:vrout[addrlen]?', 'socklen_t *addrlen:vrlen?'],
  },
  {
    name: 'accept4', libc: ['accept4'], ret: 'int', flags: ['blocking'],
    args: ['int sockfd:fd', 'struct sockaddr *addr:vrout[addrlen]?', 'socklen_t *addrlen:vrlen?', 'int flags'],
  },
  {
    name: 'connect', libc: ['connect'], ret: 'int', flags: ['blocking'],
    args: ['int sockfd:fd', 'const struct sockaddr *addr:in[addrlen]', 'socklen_t addrlen'],
  },
  { name: 'shutdown', libc: ['shutdown'], ret: 'int', args: ['int sockfd:fd', 'int how'] },
  {
    name: 'sendto', libc: ['sendto'], ret: 'ssize_t', flags: ['blocking'],
    args: ['int sockfd:fd', 'const void *buf:in[len]', 'size_t len', 'int flags',
      'const struct sockaddr *dest_addr:in[addrlen]?', 'socklen_t addrlen'],
  },
  {
    name: 'recvfrom', libc: ['recvfrom'], ret: 'ssize_t', flags: ['blocking'],
    args: ['int sockfd:fd', 'void *buf:out[len]', 'size_t len', 'int flags',
      'struct sockaddr *src_addr:vrout[addrlen]?', 'socklen_t *addrlen:vrlen?'],
  },
  {
    name: 'sendmsg', libc: ['sendmsg'], ret: 'ssize_t', flags: ['blocking'],
    args: ['int sockfd:fd', 'const struct msghdr *msg:msg_in', 'int flags'],
  },
  {
    name: 'recvmsg', libc: ['recvmsg'], ret: 'ssize_t', flags: ['blocking'],
    args: ['int sockfd:fd', 'struct msghdr *msg:msg_out', 'int flags'],
  },
  {
    name: 'getsockopt', libc: ['getsockopt'], ret: 'int',
    args: ['int sockfd:fd', 'int level', 'int optname', 'void *optval:vrout[optlen]?', 'socklen_t *optlen:vrlen?'],
  },
  {
    name: 'setsockopt', libc: ['setsockopt'], ret: 'int',
    args: ['int sockfd:fd', 'int level', 'int optname', 'const void *optval:in[optlen]?', 'socklen_t optlen'],
  },
  {
    name: 'getsockname', libc: ['getsockname'], ret: 'int',
    args: ['int sockfd:fd', 'struct sockaddr *addr:vrout[addrlen]', 'socklen_t *addrlen:vrlen'],
  },
  {
    name: 'getpeername', libc: ['getpeername'], ret: 'int',
    args: ['int sockfd:fd', 'struct sockaddr *addr:vrout[addrlen]', 'socklen_t *addrlen:vrlen'],
  },
];

// Structs that cross the interface.  Fields are listed in order with their
// wire type; the generator checks offsets and size against the host's C
// definition at compile time.
export const structs = {
  rlimit: {
    c: 'struct rlimit',
    header: '<sys/resource.h>',
    fields: [
      ['rlim_cur', 'u64'],
      ['rlim_max', 'u64'],
    ],
  },
  // 64-bit fields written u64n/i64n reach TypeScript as numbers (exact to 2^53).
  stat: {
    c: 'struct stat',
    header: '<sys/stat.h>',
    size: 144,
    fields: [
      ['st_dev', 'u64n'], ['st_ino', 'u64n'], ['st_nlink', 'u64n'],
      ['st_mode', 'u32'], ['st_uid', 'u32'], ['st_gid', 'u32'], ['', 'pad4'],
      ['st_rdev', 'u64n'], ['st_size', 'i64n'], ['st_blksize', 'i64n'], ['st_blocks', 'i64n'],
      ['st_atim.tv_sec', 'i64n', 'st_atime_sec'], ['st_atim.tv_nsec', 'i64n', 'st_atime_nsec'],
      ['st_mtim.tv_sec', 'i64n', 'st_mtime_sec'], ['st_mtim.tv_nsec', 'i64n', 'st_mtime_nsec'],
      ['st_ctim.tv_sec', 'i64n', 'st_ctime_sec'], ['st_ctim.tv_nsec', 'i64n', 'st_ctime_nsec'],
    ],
  },
  statx: {
    c: 'struct statx',
    header: '<sys/stat.h>',
    size: 256,
    fields: [
      ['stx_mask', 'u32'], ['stx_blksize', 'u32'], ['stx_attributes', 'u64n'],
      ['stx_nlink', 'u32'], ['stx_uid', 'u32'], ['stx_gid', 'u32'], ['stx_mode', 'u16'], ['', 'pad2'],
      ['stx_ino', 'u64n'], ['stx_size', 'u64n'], ['stx_blocks', 'u64n'], ['stx_attributes_mask', 'u64n'],
      ['stx_atime.tv_sec', 'i64n', 'stx_atime_sec'], ['stx_atime.tv_nsec', 'u32', 'stx_atime_nsec'], ['', 'pad4'],
      ['stx_btime.tv_sec', 'i64n', 'stx_btime_sec'], ['stx_btime.tv_nsec', 'u32', 'stx_btime_nsec'], ['', 'pad4'],
      ['stx_ctime.tv_sec', 'i64n', 'stx_ctime_sec'], ['stx_ctime.tv_nsec', 'u32', 'stx_ctime_nsec'], ['', 'pad4'],
      ['stx_mtime.tv_sec', 'i64n', 'stx_mtime_sec'], ['stx_mtime.tv_nsec', 'u32', 'stx_mtime_nsec'], ['', 'pad4'],
      ['stx_rdev_major', 'u32'], ['stx_rdev_minor', 'u32'], ['stx_dev_major', 'u32'], ['stx_dev_minor', 'u32'],
    ],
  },
  statfs: {
    c: 'struct statfs',
    header: '<sys/statfs.h>',
    size: 120,
    fields: [
      ['f_type', 'i64n'], ['f_bsize', 'i64n'], ['f_blocks', 'u64n'], ['f_bfree', 'u64n'], ['f_bavail', 'u64n'],
      ['f_files', 'u64n'], ['f_ffree', 'u64n'], ['f_fsid.__val[0]', 'i32', 'f_fsid0'], ['f_fsid.__val[1]', 'i32', 'f_fsid1'],
      ['f_namelen', 'i64n'], ['f_frsize', 'i64n'], ['f_flags', 'i64n'],
    ],
  },
  timespec: {
    c: 'struct timespec',
    header: '<time.h>',
    fields: [['tv_sec', 'i64n'], ['tv_nsec', 'i64n']],
  },
  timeval: {
    c: 'struct timeval',
    header: '<sys/time.h>',
    fields: [['tv_sec', 'i64n'], ['tv_usec', 'i64n']],
  },
  flock: {
    c: 'struct flock',
    header: '<fcntl.h>',
    size: 32,
    fields: [['l_type', 'i16'], ['l_whence', 'i16'], ['', 'pad4'], ['l_start', 'i64n'], ['l_len', 'i64n'], ['l_pid', 'i32']],
  },
  pollfd: {
    c: 'struct pollfd',
    header: '<poll.h>',
    fields: [['fd', 'i32'], ['events', 'i16'], ['revents', 'i16']],
  },
  // packed on x86-64 (12 bytes): the kernel's EPOLL_PACKED
  epoll_event: {
    c: 'struct epoll_event',
    header: '<sys/epoll.h>',
    packed: true,
    fields: [['events', 'bits32'], ['data.u64', 'u64', 'data']],
  },
  fd_set: {
    c: 'fd_set',
    header: '<sys/select.h>',
    size: 128,
    opaque: true,
    fields: [],
  },
};

// Scalar C types: their width, signedness, and the range TypeScript accepts.
// uid_t and gid_t accept -1, which the kernel reads as "unchanged".
export const scalars = {
  'int': { size: 4, signed: true },
  'unsigned int': { size: 4, signed: false },
  'long': { size: 8, signed: true },
  'size_t': { size: 8, signed: false },
  'ssize_t': { size: 8, signed: true },
  'off_t': { size: 8, signed: true },
  'pid_t': { size: 4, signed: true },
  'uid_t': { size: 4, signed: false, allowMinusOne: true },
  'gid_t': { size: 4, signed: false, allowMinusOne: true },
  'mode_t': { size: 4, signed: false },
  'unsigned long': { size: 8, signed: false },
  'dev_t': { size: 8, signed: false },
  'socklen_t': { size: 4, signed: false },
};

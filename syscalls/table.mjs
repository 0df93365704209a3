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
// A trailing `?` on a pointer role means the pointer may be NULL.
//
// Numbers are not written here: the kernel dispatches on the host's own
// SYS_<name> numbers (rule 3 of DESIGN.md: the host ABI).
//
// flags:
//   blocking         may sleep; TypeScript will get an async form

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

  // descriptors (kern_descrip.c, sys_generic.c, sys_eventfd.c)
  { name: 'close', ret: 'int', args: ['int fd:fd'] },
  { name: 'dup', ret: 'int', args: ['int oldfd:fd'] },
  { name: 'dup2', ret: 'int', args: ['int oldfd:fd', 'int newfd:fd'] },
  { name: 'dup3', ret: 'int', args: ['int oldfd:fd', 'int newfd:fd', 'int flags'] },
  { name: 'fcntl', ret: 'int', args: ['int fd:fd', 'int cmd', 'long arg'] },
  { name: 'read', ret: 'ssize_t', flags: ['blocking'], args: ['int fd:fd', 'void *buf:out[count]', 'size_t count'] },
  { name: 'write', ret: 'ssize_t', flags: ['blocking'], args: ['int fd:fd', 'const void *buf:in[count]', 'size_t count'] },
  { name: 'eventfd2', ret: 'int', args: ['unsigned int initval', 'int flags'] },
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
};

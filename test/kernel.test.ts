// Kernels from TypeScript: boot, halt, system calls, processes, errors.
import test from 'ava';
import { Kernel, RumpError, constants } from '../src/index.js';

const { errno: E, eventfd: EFD, fcntl: F, rlimit: RL } = constants;

test('boot, call, halt', (t) => {
  const k = Kernel.bootSync();
  t.is(k.sys.getpid(), 1);
  t.is(k.sys.getppid(), 0);
  t.is(k.sys.getuid(), 0);
  t.is(k.init.pid, 1);
  t.false(k.halted);
  const s = k.stats();
  t.is(s.processes, 1);
  t.is(s.memoryLimit, 256 * 1024 * 1024);
  t.true(s.memoryUsed > 0);
  k.haltSync();
  t.true(k.halted);
  k.haltSync(); // a second halt is a no-op
});

test('async boot and halt', async (t) => {
  const k = await Kernel.boot({ memoryLimit: 1 << 20, hostname: 'box' });
  t.is(k.stats().memoryLimit, 1 << 20);
  await k.halt();
  t.true(k.halted);
});

test('calls on a halted kernel throw ERR_RUMP_KERNEL_HALTED', (t) => {
  const k = Kernel.bootSync();
  const p = k.process();
  k.haltSync();
  t.throws(() => k.sys.getpid(), { code: 'ERR_RUMP_KERNEL_HALTED' });
  t.throws(() => p.sys.getpid(), { code: 'ERR_RUMP_KERNEL_HALTED' });
  t.throws(() => k.process(), { code: 'ERR_RUMP_KERNEL_HALTED' });
  t.throws(() => k.stats(), { code: 'ERR_RUMP_KERNEL_HALTED' });
  t.is(p.state, 'halted');
});

test('kernel errors are RumpErrors shaped like node:fs errors', (t) => {
  const k = Kernel.bootSync();
  const err = t.throws<RumpError>(() => k.sys.close(42), { instanceOf: RumpError });
  t.is(err.code, 'EBADF');
  t.is(err.errno, -E.EBADF!);
  t.is(err.syscall, 'close');
  t.is(err.message, 'EBADF: bad file descriptor, close');
  t.true(err instanceof Error);
  k.haltSync();
});

test('constants are the host ABI', (t) => {
  t.is(E.ENOENT, 2);
  t.is(E.EAGAIN, 11);
  t.is(F.O_CLOEXEC, 0o2000000);
  t.is(F.O_NONBLOCK, 0o4000);
  t.is(EFD.EFD_NONBLOCK, 0o4000);
  t.is(RL.RLIMIT_NOFILE, 7);
});

test('processes have their own identity and descriptor tables', (t) => {
  const k = Kernel.bootSync();
  const p = k.process({ uid: 1000, gid: 100, groups: [5, 3, 4] });
  t.is(p.pid, 2);
  t.is(p.sys.getppid(), 1);
  t.deepEqual(p.sys.getresuid(), { ruid: 1000, euid: 1000, suid: 1000 });
  t.deepEqual(p.sys.getresgid(), { rgid: 100, egid: 100, sgid: 100 });
  const groups = new Uint32Array(8);
  t.is(p.sys.getgroups(8, groups), 3);
  t.deepEqual([...groups.subarray(0, 3)], [3, 4, 5]);
  t.is(p.sys.getgroups(0, null), 3);
  // a new process starts with an empty table; descriptors are per process
  const fd = p.sys.eventfd2(0, 0);
  t.is(fd, 0);
  t.throws(() => k.sys.close(fd), { code: 'EBADF' });
  // an unprivileged process cannot become root, as on Linux
  t.is(t.throws<RumpError>(() => p.sys.setuid(0), { code: 'EPERM' }).syscall, 'setuid');
  t.throws(() => p.process({ uid: 0 }), { code: 'EPERM' });
  t.is(t.throws<RumpError>(() => p.process({ groups: [1] }), { code: 'EPERM' }).syscall, 'setgroups');
  t.is(k.stats().processes, 2, 'failed children were released');
  k.haltSync();
});

test('fds: clean, copy and share', (t) => {
  const k = Kernel.bootSync();
  const parent = k.process();
  const fd = parent.sys.eventfd2(0, EFD.EFD_NONBLOCK!);
  const v = new BigUint64Array(1);

  const copy = parent.process({ fds: 'copy' });
  copy.sys.write(fd, BigUint64Array.of(9n));
  copy.sys.close(fd);
  t.is(parent.sys.read(fd, v), 8);
  t.is(v[0], 9n);

  const shared = parent.process({ fds: 'share' });
  shared.sys.close(fd);
  t.throws(() => parent.sys.read(fd, v), { code: 'EBADF' });

  const clean = parent.process({ fds: 'clean' });
  t.throws(() => clean.sys.dup(0), { code: 'EBADF' });
  k.haltSync();
});

test('exit ends a process and its children go to pid 1', (t) => {
  const k = Kernel.bootSync();
  const a = k.process();
  const b = a.process();
  t.is(b.sys.getppid(), a.pid);
  a.exit();
  t.is(a.state, 'exited');
  t.throws(() => a.sys.getpid(), { code: 'ERR_RUMP_PROCESS_EXITED' });
  t.is(b.sys.getppid(), 1);
  t.is(k.stats().processes, 2);
  a.exit(); // idempotent
  t.throws(() => k.init.exit(), { code: 'ERR_INVALID_STATE' });
  k.haltSync();
});

test('umask and resource limits through typed structs', (t) => {
  const k = Kernel.bootSync({ maxFiles: 16, maxFilesHard: 32 });
  t.is(k.sys.umask(0o077), 0o022);
  t.is(k.sys.umask(0o022), 0o077);
  t.deepEqual(k.sys.getrlimit(RL.RLIMIT_NOFILE!), { rlim_cur: 16n, rlim_max: 32n });
  k.sys.setrlimit(RL.RLIMIT_NOFILE!, { rlim_cur: 4, rlim_max: 32n });
  for (let i = 0; i < 4; i++) k.sys.eventfd2(0, 0);
  t.throws(() => k.sys.eventfd2(0, 0), { code: 'EMFILE' });
  t.deepEqual(k.sys.prlimit64(0, RL.RLIMIT_NOFILE!, null), { rlim_cur: 4n, rlim_max: 32n });
  t.throws(() => k.sys.setrlimit(RL.RLIMIT_NOFILE!, { rlim_cur: 5, rlim_max: 4 }), { code: 'EINVAL' });
  const inf = k.sys.getrlimit(RL.RLIMIT_CPU!);
  t.is(inf.rlim_cur, (1n << 64n) - 1n);
  k.haltSync();
});

test('the event loop never sleeps in the kernel: would-block calls give EAGAIN', (t) => {
  const k = Kernel.bootSync();
  const fd = k.sys.eventfd2(0, 0); // a blocking descriptor
  t.throws(() => k.sys.read(fd, new BigUint64Array(1)), { code: 'EAGAIN' });
  t.is(k.sys.fcntl(fd, F.F_GETFL!, 0), F.O_RDWR);
  k.haltSync();
});

test('the memory limit gives ENOMEM and the kernel goes on', (t) => {
  const k = Kernel.bootSync({ memoryLimit: 16384, maxFiles: 100000, maxFilesHard: 100000 });
  let n = 0;
  const err = t.throws(() => { for (;;) { k.sys.eventfd2(0, 0); n++; } }, { instanceOf: RumpError });
  t.is(err.code, 'ENOMEM');
  t.true(n > 10);
  for (let i = 0; i < n; i++) k.sys.close(i);
  t.is(k.sys.eventfd2(0, 0), 0);
  k.haltSync();
});

test('boot options are checked', (t) => {
  t.throws(() => Kernel.bootSync({ memoryLimit: -1 }), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => Kernel.bootSync({ memoryLimit: 1.5 }), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => Kernel.bootSync({ maxFiles: '10' as unknown as number }), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => Kernel.bootSync({ hostname: 'x'.repeat(65) }), { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => Kernel.bootSync(7 as unknown as object), { code: 'ERR_INVALID_ARG_TYPE' });
  const e = t.throws(() => Kernel.bootSync({ memoryLimit: 64 }), { instanceOf: RumpError, code: 'ENOMEM' });
  t.is(e.syscall, 'boot');
  const k = Kernel.bootSync();
  t.throws(() => k.process({ fds: 'all' as 'copy' }), { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => k.process({ uid: -1 }), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => k.process({ groups: [1, 'x' as unknown as number] }), { code: 'ERR_INVALID_ARG_TYPE' });
  t.is(k.stats().processes, 1);
  k.haltSync();
});

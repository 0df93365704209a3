// Wrong argument types and ranges give Node-style errors, never a crash,
// whatever is thrown at every system call and at the raw binding.
import test from 'ava';
import { Kernel, RumpError, syscallNames } from '../src/index.js';
import { native } from '../src/native.js';

test('ERR_INVALID_ARG_TYPE and ERR_OUT_OF_RANGE, as Node words them', (t) => {
  const k = Kernel.bootSync();
  const e1 = t.throws(() => k.sys.setuid('0' as unknown as number), { instanceOf: TypeError });
  t.is((e1 as NodeJS.ErrnoException).code, 'ERR_INVALID_ARG_TYPE');
  t.is(e1.message, 'The "uid" argument must be of type number. Received type string (\'0\')');
  const e2 = t.throws(() => k.sys.setuid(2 ** 32), { instanceOf: RangeError });
  t.is((e2 as NodeJS.ErrnoException).code, 'ERR_OUT_OF_RANGE');
  t.is(e2.message, 'The value of "uid" is out of range. It must be >= -1 && <= 4294967295. Received 4294967296');
  t.throws(() => k.sys.umask(1.5), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => k.sys.read(0, 'abc' as unknown as Uint8Array), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => k.sys.read(0, new Uint8Array(8), 9), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => k.sys.getgroups(3, new Uint32Array(2)), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => k.sys.setrlimit(7, null as never), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => k.sys.setrlimit(7, { rlim_cur: -1, rlim_max: 1 }), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => k.sys.setrlimit(7, { rlim_cur: 'x' as unknown as number, rlim_max: 1 }),
    { code: 'ERR_INVALID_ARG_TYPE' });
  k.haltSync();
});

test('a negative length reaches the kernel, which refuses it as Linux does', (t) => {
  const k = Kernel.bootSync();
  t.throws(() => k.sys.getgroups(-1, new Uint32Array(4)), { code: 'EINVAL' });
  const p = k.process({ groups: [1, 2] });
  t.throws(() => p.sys.getgroups(2, null), { code: 'EFAULT' });
  t.is(k.sys.getgroups(1, null), 0, 'no groups: nothing to copy, as on Linux');
  k.haltSync();
});

const junk: unknown[] = [undefined, null, true, -1, 0, 1, 2 ** 31, 2 ** 53, -(2 ** 63), NaN, Infinity, 1.5,
  '', 'x', 1n, -1n, Symbol('s'), {}, [], [1, 2], new Uint8Array(0), new Uint8Array(3), new Float64Array(4),
  new DataView(new ArrayBuffer(16)), new ArrayBuffer(8), () => 1, { rlim_cur: 1, rlim_max: 2 }];

test('every system call survives junk arguments', (t) => {
  const k = Kernel.bootSync();
  const p = k.process({ uid: 1000 });
  let calls = 0;
  let seed = 1;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (const name of syscallNames) {
    for (let round = 0; round < 300; round++) {
      const args = Array.from({ length: rnd(5) }, () => junk[rnd(junk.length)]);
      for (const target of [k, p]) {
        try {
          (target.sys as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
        } catch (e) {
          if (!(e instanceof TypeError || e instanceof RangeError || e instanceof RumpError)) {
            t.fail(`${name}(${args.map(String).join(', ')}) threw ${String(e)}`);
          }
        }
        calls++;
      }
    }
  }
  t.true(calls > 1000);
  t.is(k.sys.getpid(), 1, 'the kernel is still there');
  k.haltSync();
});

// The raw binding: slot and scalars in the control array, buffers as arguments.
function raw(fn: (...bufs: never[]) => void, slot: unknown, scalars: unknown[], ...bufs: unknown[]): number {
  const c = native.ctl;
  c.fill(NaN);
  c[0] = slot as number;
  scalars.forEach((v, i) => { c[2 + i] = v as number; });
  (fn as (...b: unknown[]) => void)(...bufs);
  return c[1]!;
}

test('the raw binding refuses what is not a process, and never reads out of bounds', (t) => {
  const k = Kernel.bootSync();
  for (const bad of [undefined, null, 1, {}, 'h', Symbol('x'), new Uint8Array(4)]) {
    t.throws(() => native.halt(bad as never), { code: 'ERR_INVALID_ARG_TYPE' });
    t.throws(() => native.rfork(bad as never, 0), { code: 'ERR_INVALID_ARG_TYPE' });
    t.throws(() => native.slot(bad as never), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const h = native.slot(k.init.handle);
  for (const bad of [NaN, -1, 0.5, h + 0.5, 1e9, 2 ** 32, Infinity]) {
    t.throws(() => raw(native.sys_getpid, bad, []), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  t.is(raw(native.sys_getpid, h, []), 1);
  // scalars that do not fit a register are refused
  t.is(raw(native.sys_umask, h, [NaN]), -22);
  t.is(raw(native.sys_umask, h, [2 ** 70]), -22);
  // buffers: the wrong type, or too small for what the kernel writes
  t.throws(() => raw(native.sys_read, h, [0, 0, 1], 'x'), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => raw(native.sys_read, h, [0, 0, 1]), { code: 'ERR_INVALID_ARG_TYPE' });
  k.sys.eventfd2(1, 0);
  t.is(raw(native.sys_read, h, [0, 0, 8], new Uint8Array(4)), -14);
  t.is(raw(native.sys_getgroups, h, [1000], new Uint32Array(1)), -14);
  t.throws(() => raw(native.sys_getrlimit, h, [7], new Uint8Array(4)), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => raw(native.sys_getresuid, h, [], new Uint8Array(4), new Uint8Array(2), new Uint8Array(4)),
    { code: 'ERR_OUT_OF_RANGE' });
  t.is(raw(native.sys_read, h, [0, 0, 8], new Uint8Array(8)), 8);
  t.throws(() => native.rfork(k.init.handle, 0xff), { code: 'ERR_RUMP_ERRNO' });
  t.is(k.sys.getpid(), 1);
  k.haltSync();
  t.throws(() => raw(native.sys_getpid, h, []), { code: 'ERR_RUMP_KERNEL_HALTED' });
});

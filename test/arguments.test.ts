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
  t.is(e2.message, 'The value of "uid" is out of range. It must be >= -1 && <= 4294967295. Received 4_294_967_296');
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

test('the raw binding refuses what is not a process handle', (t) => {
  const k = Kernel.bootSync();
  for (const bad of [undefined, null, 1, {}, 'h', Symbol('x'), new Uint8Array(4)]) {
    t.throws(() => native.sys_getpid(bad as never), { code: 'ERR_INVALID_ARG_TYPE' });
    t.throws(() => native.halt(bad as never), { code: 'ERR_INVALID_ARG_TYPE' });
    t.throws(() => native.rfork(bad as never, 0), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const h = k.init.handle;
  t.throws(() => native.sys_read(h, 0, 'x' as never, 1), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => native.sys_umask(h, {} as never), { code: 'ERR_INVALID_ARG_TYPE' });
  // a length beyond the buffer: EFAULT, nothing read or written out of bounds
  k.sys.eventfd2(1, 0);
  t.is(native.sys_read(h, 0, new Uint8Array(4), 8), -14);
  t.is(native.sys_getgroups(h, 1000, new Uint32Array(1)), -14);
  t.throws(() => native.sys_getrlimit(h, 7, new Uint8Array(4)), { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => native.sys_getresuid(h, new Uint8Array(4), new Uint8Array(2), new Uint8Array(4)),
    { code: 'ERR_OUT_OF_RANGE' });
  t.throws(() => native.rfork(h, 0xff), { code: 'ERR_RUMP_ERRNO' });
  t.is(k.sys.getpid(), 1);
  k.haltSync();
});

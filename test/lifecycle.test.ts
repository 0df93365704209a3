// Kernel lifetimes: many at once, collected kernels, worker threads, and
// environment exit.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { Worker } from 'node:worker_threads';
import createDebug from 'debug';
import { Kernel, constants } from '../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
const root = fileURLToPath(new URL('..', import.meta.url));

test.serial('10,000 kernels at once, each with its own state, all halted', (t) => {
  const base = Kernel.liveKernels();
  const ks: Kernel[] = [];
  for (let i = 0; i < 10000; i++) {
    const k = Kernel.bootSync();
    k.sys.setresuid(i, i, i);
    for (let j = 0; j < i % 3; j++) k.sys.eventfd2(i, 0);
    ks.push(k);
  }
  t.is(Kernel.liveKernels(), base + 10000);
  let bad = 0;
  const v = new BigUint64Array(1);
  ks.forEach((k, i) => {
    if (k.sys.getpid() !== 1 || k.sys.geteuid() !== i) bad++;
    try {
      k.sys.read(i % 3, v);
      bad++; // descriptor i % 3 must not exist
    } catch (e) {
      if ((e as { code: string }).code !== 'EBADF') bad++;
    }
    if (i % 3 > 0 && (k.sys.read(0, v) !== 8 || v[0] !== BigInt(i))) bad++;
  });
  t.is(bad, 0);
  for (const k of ks) k.haltSync();
  t.is(Kernel.liveKernels(), base);
});

test.serial('a kernel whose object is collected is halted', async (t) => {
  t.truthy(gc, 'run with --expose-gc');
  const base = Kernel.liveKernels();
  (() => {
    for (let i = 0; i < 50; i++) Kernel.bootSync().process({ uid: 5 });
  })();
  t.is(Kernel.liveKernels(), base + 50);
  for (let i = 0; i < 50 && Kernel.liveKernels() > base; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  t.is(Kernel.liveKernels(), base);
});

test.serial('a process keeps its kernel alive', async (t) => {
  const base = Kernel.liveKernels();
  const p = (() => Kernel.bootSync().process({ uid: 7 }))();
  for (let i = 0; i < 5; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  t.is(Kernel.liveKernels(), base + 1);
  t.is(p.sys.getuid(), 7);
  p.kernel.haltSync();
});

test('kernels in worker threads are their own, and go with the worker', async (t) => {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { register } = await import(workerData.tsx);
    register();
    const { Kernel } = await import(workerData.entry);
    const ks = [];
    for (let i = 0; i < 100; i++) {
      const k = Kernel.bootSync();
      k.sys.setuid(workerData.uid);
      ks.push(k);
    }
    const uids = new Set(ks.map((k) => k.sys.getuid()));
    ks.slice(0, 50).forEach((k) => k.haltSync());
    parentPort.postMessage({ uids: [...uids], live: Kernel.liveKernels() });
    // 50 kernels are left for the worker's teardown to halt
  `;
  const entry = new URL('../src/index.ts', import.meta.url).href;
  const base = Kernel.liveKernels();
  const run = async (uid: number) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
      workerData: { entry, uid, tsx: import.meta.resolve('tsx/esm/api') },
    });
    const message = once(w, 'message');
    const exit = once(w, 'exit');
    const [msg] = await message;
    const [exitCode] = await exit;
    return { msg, exitCode };
  };
  const results = await Promise.all([run(1001), run(1002), run(1003)]);
  results.forEach((r, i) => {
    t.deepEqual(r.msg.uids, [1001 + i]);
    t.is(r.msg.live, 50);
    t.is(r.exitCode, 0);
  });
  t.is(Kernel.liveKernels(), base, 'workers do not share kernels with the main thread');
});

test('environment exit halts kernels that were left running, in workers too', (t) => {
  const script = `
    import { Worker } from 'node:worker_threads';
    import { once } from 'node:events';
    import { Kernel } from './src/index.ts';
    const worker = \`
      const { register } = await import(process.env.TSX_API);
      register();
      const { Kernel } = await import(process.env.ENTRY);
      globalThis.kept = [];	// referenced to the end: not halted by the collector first
      for (let i = 0; i < 3; i++) globalThis.kept.push(Kernel.bootSync());
    \`;
    const w = new Worker(new URL('data:text/javascript,' + encodeURIComponent(worker)));
    await once(w, 'exit');
    globalThis.kept = [];
    for (let i = 0; i < 7; i++) globalThis.kept.push(Kernel.bootSync().process({ uid: i }));
    const k = Kernel.bootSync(); k.haltSync();
    console.log('live', Kernel.liveKernels());
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env, RUMPKIT_TRACE_TEARDOWN: '1', TSX_API: import.meta.resolve('tsx/esm/api'),
      ENTRY: new URL('../src/index.ts', import.meta.url).href,
    },
  });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), 'live 7');
  t.regex(r.stderr, /environment teardown halted 3 kernels/, 'the worker');
  t.regex(r.stderr, /environment teardown halted 7 kernels/, 'the main thread');
});

test.serial('kernel console lines reach the rumpkit:kern debug namespace', async (t) => {
  const lines: string[] = [];
  const saved = createDebug.log;
  createDebug.enable('rumpkit:kern');
  createDebug.log = (...args: unknown[]) => { lines.push(format(...args)); };
  try {
    const k = Kernel.bootSync({ hostname: 'consoled' });
    for (let i = 0; i < 100 && !lines.some((l) => l.includes('host consoled')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    k.haltSync();
    for (let i = 0; i < 100 && !lines.some((l) => l.includes(`k${k.id}: halted`)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    t.true(lines.some((l) => l.includes(`k${k.id}: rumpkit`) && l.includes('booted: host consoled')), lines.join('\n'));
    t.true(lines.some((l) => l.includes(`k${k.id}: halted`)), lines.join('\n'));
  } finally {
    createDebug.disable();
    createDebug.log = saved;
  }
  // without the namespace, kernels send nothing
  const before = lines.length;
  Kernel.bootSync().haltSync();
  await new Promise((r) => setTimeout(r, 50));
  t.is(lines.length, before);
  t.is(constants.errno.ENOENT, 2);
});

test.serial('a console function receives its kernel\'s lines (and only those), from the event loop', async (t) => {
  const mine: string[] = [];
  const other: string[] = [];
  const k = Kernel.bootSync({ hostname: 'fn-console', console: (l) => mine.push(l) });
  const k2 = Kernel.bootSync({ hostname: 'other-console', console: (l) => other.push(l) });
  t.deepEqual(mine, [], 'not during the call');
  for (let i = 0; i < 1000 && (mine.length === 0 || other.length === 0); i++) await new Promise((r) => setImmediate(r));
  t.deepEqual(mine, ['rumpkit 0.1.0 booted: host fn-console, memory limit 262144 KiB']);
  t.deepEqual(other, ['rumpkit 0.1.0 booted: host other-console, memory limit 262144 KiB']);
  k.haltSync();
  k2.haltSync();
  t.throws(() => Kernel.bootSync({ console: 3 as never }), { code: 'ERR_INVALID_ARG_TYPE' });
});

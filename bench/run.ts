// npm run bench: rumpkit's figures and what they compare with, measured in
// one run, side by side, with the targets from the issues beside them.
//
//   npm run bench                  the table
//   npm run -s bench -- --json     one JSON document on stdout (-s keeps
//                                  npm's own banner off stdout)
//
// The C half (bench/bench_kern.c) is built on demand in the native build
// directory (build/cmake, or $RUMPKIT_BUILD_DIR) and run as a child process;
// the TypeScript half runs here.  These machines are shared and noisy:
// absolute figures drift, ratios within one run hold.  Targets are reported,
// never asserted: the exit status is 0 whenever the measurements ran.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { Kernel } from '../src/index.js';
import { native, type ProcSlot } from '../src/native.js';
import {
  buildC, buildDir, bytes, checkArgs, fail, json, median, met, newest, note, ns, runC, table, target,
  times, type Row,
} from './common.js';

checkArgs('bench/run.ts');

const BATCHES = 5;
const KERNELS = 10_000;           // kernels alive for the memory figure
const BOOT_WARMUP = 500;
const BOOT_PER_BATCH = 5000;
const CALLS_PER_BATCH = 1_000_000;

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.round(q * (sorted.length - 1))]!;
}

const exposedGc = globalThis.gc;
if (exposedGc === undefined) {
  fail('run with --expose-gc (npm run bench does): the memory figure needs a full collection');
}
const gc: () => void = exposedGc;

// ------------------------------------------------------------- reference

/**
 * NetBSD's own rump kernel: quoted figures (2016 sources, measured on this
 * kind of machine), not measured by this run.
 */
const NETBSD = {
  source: 'quoted, not measured in this run: NetBSD rump kernel, 2016 sources, measured on this kind of machine',
  rump_init_ns: 3.6e6,
  rump_init_text: 'rump_init 3.6 ms',
  rss_per_kernel_bytes: 1.9e6,
  rss_per_kernel_text: '+1.9 MB resident (one kernel per process)',
  getpid_rump_ns: 717,
  getpid_host_ns: 113,
  getpid_text: 'rump_sys_getpid 717 ns, host 113 ns',
  library_bytes: 1.5e6,
  library_text: '1.5 MB of libraries (base+vfs+tmpfs)',
} as const;

// ------------------------------------------------------------- C half

interface CResult {
  batches: number;
  memory: {
    kernels: number;
    rss_before_bytes: number;
    rss_after_bytes: number;
    rss_after_halt_bytes: number;
    per_kernel_bytes: number;
    heap_per_kernel_bytes: number;
    kmem_per_kernel_bytes: number;
  };
  boot_halt: {
    iterations: number;
    median_ns: number;
    mean_ns: number;
    p10_ns: number;
    p90_ns: number;
    boot_median_ns: number;
    halt_median_ns: number;
    batch_medians_ns: number[];
  };
  getpid: {
    rump_ns: number;
    host_ns: number;
    rump_calls_per_batch: number;
    host_calls_per_batch: number;
    rump_batches_ns: number[];
    host_batches_ns: number[];
  };
}

// ------------------------------------------------------------- TypeScript half

interface NodeMemory {
  kernels: number;
  rss_before_bytes: number;
  rss_after_bytes: number;
  per_kernel_bytes: number;
  heap_per_kernel_bytes: number;
}

/** Boot KERNELS kernels and keep them: RSS growth per kernel, after a full GC. */
function nodeMemory(): NodeMemory {
  note(`TypeScript: ${KERNELS} kernels alive`);
  Kernel.bootSync().haltSync();          // code paged in, lazy state built
  const ks: Kernel[] = new Array<Kernel>(KERNELS);
  gc(); gc();
  const m0 = process.memoryUsage();
  for (let i = 0; i < KERNELS; i++) ks[i] = Kernel.bootSync();
  gc(); gc();
  const m1 = process.memoryUsage();
  if (Kernel.liveKernels() < KERNELS) fail(`only ${Kernel.liveKernels()} kernels alive, expected ${KERNELS}`);
  for (const k of ks) k.haltSync();
  ks.length = 0;
  gc();
  return {
    kernels: KERNELS,
    rss_before_bytes: m0.rss,
    rss_after_bytes: m1.rss,
    per_kernel_bytes: (m1.rss - m0.rss) / KERNELS,
    heap_per_kernel_bytes: (m1.heapUsed - m0.heapUsed) / KERNELS,
  };
}

interface NodeBoot {
  iterations: number;
  median_ns: number;
  mean_ns: number;
  p10_ns: number;
  p90_ns: number;
  batch_medians_ns: number[];
}

/** Kernel.bootSync() + haltSync(), each iteration timed alone. */
function nodeBootHalt(): NodeBoot {
  note('TypeScript: boot+halt');
  for (let i = 0; i < BOOT_WARMUP; i++) Kernel.bootSync().haltSync();
  const all = new Float64Array(BATCHES * BOOT_PER_BATCH);
  const batchMedians: number[] = [];
  let sum = 0;
  for (let b = 0; b < BATCHES; b++) {
    const off = b * BOOT_PER_BATCH;
    for (let i = 0; i < BOOT_PER_BATCH; i++) {
      const t0 = process.hrtime.bigint();
      const k = Kernel.bootSync();
      k.haltSync();
      const t = Number(process.hrtime.bigint() - t0);
      all[off + i] = t;
      sum += t;
    }
    batchMedians.push(median(Array.from(all.subarray(off, off + BOOT_PER_BATCH))));
  }
  all.sort();
  return {
    iterations: all.length,
    median_ns: quantile(all, 0.5),
    mean_ns: sum / all.length,
    p10_ns: quantile(all, 0.1),
    p90_ns: quantile(all, 0.9),
    batch_medians_ns: batchMedians,
  };
}

// One loop per callee, so that each call site stays monomorphic.
function loopRawNoop(n: number): number {
  for (let i = 0; i < n; i++) native.rawNoop();
  return n;
}
function loopNoop(n: number): number {
  for (let i = 0; i < n; i++) native.noop();
  return n;
}
function loopNativeGetpid(n: number, h: ProcSlot): number {
  let s = 0;
  const ctl = native.ctl;
  const getpid = native.sys_getpid;
  for (let i = 0; i < n; i++) {
    ctl[0] = h;
    getpid();
    s += ctl[1]!;
  }
  return s;
}
function loopSysGetpid(n: number, k: Kernel): number {
  let s = 0;
  const sys = k.sys;
  for (let i = 0; i < n; i++) s += sys.getpid();
  return s;
}

function timeLoop(run: () => number): number {
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0) / CALLS_PER_BATCH;
}

interface NodeCalls {
  calls_per_batch: number;
  sys_getpid_ns: number;
  native_sys_getpid_ns: number;
  noop_ns: number;
  raw_noop_ns: number;
  batches_ns: { sys_getpid: number[]; native_sys_getpid: number[]; noop: number[]; raw_noop: number[] };
}

/** k.sys.getpid() against bare calls into the addon, batches interleaved. */
function nodeCalls(): NodeCalls {
  note('TypeScript: k.sys.getpid() against bare addon calls');
  const k = Kernel.bootSync();
  const h = native.slot(k.init.handle);
  if (k.sys.getpid() !== 1) fail('k.sys.getpid() in a new kernel did not return 1');
  const warm = CALLS_PER_BATCH / 10;
  for (let r = 0; r < 3; r++) {
    loopRawNoop(warm); loopNoop(warm); loopNativeGetpid(warm, h); loopSysGetpid(warm, k);
  }
  const b = { sys_getpid: [] as number[], native_sys_getpid: [] as number[], noop: [] as number[], raw_noop: [] as number[] };
  for (let i = 0; i < BATCHES; i++) {
    b.raw_noop.push(timeLoop(() => loopRawNoop(CALLS_PER_BATCH)));
    b.noop.push(timeLoop(() => loopNoop(CALLS_PER_BATCH)));
    b.native_sys_getpid.push(timeLoop(() => loopNativeGetpid(CALLS_PER_BATCH, h)));
    b.sys_getpid.push(timeLoop(() => loopSysGetpid(CALLS_PER_BATCH, k)));
  }
  k.haltSync();
  return {
    calls_per_batch: CALLS_PER_BATCH,
    sys_getpid_ns: median(b.sys_getpid),
    native_sys_getpid_ns: median(b.native_sys_getpid),
    noop_ns: median(b.noop),
    raw_noop_ns: median(b.raw_noop),
    batches_ns: b,
  };
}

// ------------------------------------------------------------- library size

interface LibSize {
  path: string;
  bytes: number;
  stripped_bytes: number;
}

/** The kernel library's size after strip --strip-unneeded (on a copy). */
function librarySize(dir: string): LibSize {
  const lib = newest([join(dir, 'Release', 'librumpkit.so'), join(dir, 'librumpkit.so')]);
  if (lib === undefined) fail(`librumpkit.so was not found in ${dir} or ${join(dir, 'Release')}`);
  const real = realpathSync(lib);
  const tmp = mkdtempSync(join(tmpdir(), 'rumpkit-bench-'));
  try {
    const copy = join(tmp, 'librumpkit.so');
    copyFileSync(real, copy);
    try {
      execFileSync('strip', ['--strip-unneeded', copy], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      fail(`strip --strip-unneeded failed (is binutils installed?): ${(e as Error).message.split('\n')[0]}`);
    }
    return { path: real, bytes: statSync(real).size, stripped_bytes: statSync(copy).size };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------- run

const started = process.hrtime.bigint();
const load0 = loadavg()[0]!;
const dir = buildDir();
buildC(dir, 'bench_kern');
note('C: memory, boot+halt, getpid');
const c = runC<CResult>(dir, 'bench_kern', ['-k', String(KERNELS), '-b', String(BATCHES)]);
const nmem = nodeMemory();
const nboot = nodeBootHalt();
const ncalls = nodeCalls();
const lib = librarySize(dir);
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;

const getpidSpeedup = c.getpid.host_ns / c.getpid.rump_ns;
const tsOverRaw = ncalls.sys_getpid_ns / ncalls.raw_noop_ns;
const tsOverNoop = ncalls.sys_getpid_ns / ncalls.noop_ns;

const targets = {
  boot_halt: target('kernel boot+halt from C, median', 'boot_halt_c', c.boot_halt.median_ns, 'ns', '<=', 20_000),
  memory_c: target(`resident memory per idle kernel from C, ${KERNELS} alive`, 'memory_c',
    c.memory.per_kernel_bytes, 'bytes', '<=', 64 * 1024),
  memory_node: target(`resident memory per idle kernel from Node, ${KERNELS} alive`, 'memory_node',
    nmem.per_kernel_bytes, 'bytes', '<=', 64 * 1024),
  getpid_c: target('host getpid / rump_sys_getpid (rump this many times faster)', 'getpid_c',
    getpidSpeedup, 'x', '>=', 5),
  getpid_ts: target('k.sys.getpid() / native.rawNoop() (cost relative to a bare Node-API call)', 'getpid_ts',
    tsOverRaw, 'x', '<=', 2),
};

if (json) {
  const doc = {
    benchmark: 'rumpkit',
    version: native.version,
    date: new Date().toISOString(),
    host: {
      node: process.version, platform: process.platform, arch: process.arch,
      cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadavg_at_start: load0,
    },
    method: {
      batches: BATCHES,
      per_call: 'median over batches; compared loops interleaved batch by batch',
      latency: 'median over every timed iteration (CLOCK_MONOTONIC / process.hrtime.bigint)',
      elapsed_s: elapsed,
    },
    figures: {
      boot_halt_c: { unit: 'ns', ...c.boot_halt },
      boot_halt_ts: { unit: 'ns', ...nboot, ratio_to_c: nboot.median_ns / c.boot_halt.median_ns },
      memory_c: { unit: 'bytes', ...c.memory },
      memory_node: { unit: 'bytes', ...nmem },
      getpid_c: { unit: 'ns', ...c.getpid, host_over_rump: getpidSpeedup },
      getpid_ts: { unit: 'ns', ...ncalls, sys_over_raw_noop: tsOverRaw, sys_over_noop: tsOverNoop },
      library: { unit: 'bytes', ...lib },
    },
    targets,
    all_met: Object.values(targets).every((t) => t.met),
    reference: NETBSD,
  };
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  process.exit(0);
}

// ------------------------------------------------------------- the table

const nk = KERNELS.toLocaleString('en-US');

const header: Row = ['figure', 'rumpkit', 'compared with (this run)', 'ratio', 'target', 'met',
  'NetBSD rump (quoted reference, not measured)'];
const rows: Row[] = [
  ['kernel boot+halt, C (median)', ns(c.boot_halt.median_ns), '', '', '≤ 20 µs', met(targets.boot_halt),
    `${NETBSD.rump_init_text}: ${times(NETBSD.rump_init_ns / c.boot_halt.median_ns)} ours`],
  ['  boot alone / halt alone', `${ns(c.boot_halt.boot_median_ns)} / ${ns(c.boot_halt.halt_median_ns)}`,
    '', '', '', '', ''],
  ['kernel boot+halt, TypeScript (median)', ns(nboot.median_ns), `C ${ns(c.boot_halt.median_ns)}`,
    `${times(nboot.median_ns / c.boot_halt.median_ns)} C`, '(applies to C)', '', ''],
  [`RSS per idle kernel, C (${nk} alive)`, bytes(c.memory.per_kernel_bytes), '', '', '≤ 64 KiB',
    met(targets.memory_c),
    `${NETBSD.rss_per_kernel_text}: ${times(NETBSD.rss_per_kernel_bytes / c.memory.per_kernel_bytes)} ours`],
  [`RSS per idle kernel, Node (${nk} alive)`, bytes(nmem.per_kernel_bytes),
    `C ${bytes(c.memory.per_kernel_bytes)}`, `${times(nmem.per_kernel_bytes / c.memory.per_kernel_bytes)} C`,
    '≤ 64 KiB', met(targets.memory_node), ''],
  ['getpid, C: rump_sys_getpid()', ns(c.getpid.rump_ns), `host syscall(SYS_getpid) ${ns(c.getpid.host_ns)}`,
    `host/rump ${times(getpidSpeedup)}`, 'host/rump ≥ 5×', met(targets.getpid_c),
    `${NETBSD.getpid_text}: host/rump ${times(NETBSD.getpid_host_ns / NETBSD.getpid_rump_ns)}`],
  ['getpid, TypeScript: k.sys.getpid()', ns(ncalls.sys_getpid_ns), `native.rawNoop() ${ns(ncalls.raw_noop_ns)}`,
    `${times(tsOverRaw)} rawNoop`, '≤ 2× rawNoop', met(targets.getpid_ts), ''],
  ['', '', `native.noop() ${ns(ncalls.noop_ns)}`, `${times(tsOverNoop)} noop`, '', '', ''],
  ['', '', `native.sys_getpid(h) ${ns(ncalls.native_sys_getpid_ns)}`,
    `${times(ncalls.sys_getpid_ns / ncalls.native_sys_getpid_ns)} that`, '', '', ''],
  ['kernel library, strip --strip-unneeded', bytes(lib.stripped_bytes), `unstripped ${bytes(lib.bytes)}`, '', '',
    '', `${NETBSD.library_text}: ${times(NETBSD.library_bytes / lib.stripped_bytes)} ours`],
];

const out: string[] = [];
out.push(`rumpkit ${native.version} benchmarks — node ${process.version}, ${process.platform}/${process.arch}, ` +
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${load0.toFixed(2)} at start`);
out.push(`per-call figures: median of ${BATCHES} batches, compared loops interleaved; ` +
  'latencies: median of every timed iteration');
out.push('');
out.push(...table(header, rows));
out.push('');
out.push(`boot+halt: C mean ${ns(c.boot_halt.mean_ns)}, p10 ${ns(c.boot_halt.p10_ns)}, p90 ${ns(c.boot_halt.p90_ns)}; ` +
  `TypeScript mean ${ns(nboot.mean_ns)} (garbage collection and finalizers included), ` +
  `p10 ${ns(nboot.p10_ns)}, p90 ${ns(nboot.p90_ns)}.`);
out.push(`memory: C host heap ${bytes(c.memory.heap_per_kernel_bytes)} per kernel, of which kernel memory ` +
  `(kmem) ${bytes(c.memory.kmem_per_kernel_bytes)}; Node V8 heap ${bytes(nmem.heap_per_kernel_bytes)} per kernel.`);
out.push(`kernel library: ${lib.path}`);
out.push(`NetBSD rump figures are ${NETBSD.source}; "N× ours" is their figure over ours. ` +
  'Its library figure covers base+vfs+tmpfs: set it against what rumpkit\'s library holds today.');
out.push('');
const missed = Object.values(targets).filter((t) => !t.met);
out.push(missed.length === 0 ? 'all targets met' :
  `targets missed (reported, not asserted): ${missed.map((t) => t.description).join('; ')}`);
out.push(`(${elapsed.toFixed(1)} s)`);
process.stdout.write(`${out.join('\n')}\n`);

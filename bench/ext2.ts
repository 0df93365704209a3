// npm run bench, the ext2 part: copying a 1 GiB file and a tree of 10,000
// small files into an ext2 image and out of one, side by side in one run:
//
//   rumpkit C     bench/bench_ext2.c on rumpkit's C API (boot, attach, mount,
//                 copy, unmount, halt)
//   rumpkit cp    the command line, `node dist/cli.js cp [-r]`
//   Linux ext2    the same C copy loop on the host's system calls, on a loop
//                 mount of the image (mount -t ext2 -o loop, copy, umount)
//   debugfs       `debugfs -w -R 'write …'` / a -f command file of mkdir, cd
//                 and write; `debugfs -R 'rdump …'` out
//   e2cp          e2tools: `e2cp` (with -a -d and a file list for the tree
//                 in; one e2cp per directory, names on stdin, for the tree out)
//   host half     the host's share of the copy alone, no image at all
//                 (bench_ext2 -n): into, reading the sources and dropping the
//                 bytes; out of, making the files from memory.  No copy between
//                 an image and the host can take less: it bounds every ratio
//                 (a reference, timed inside the process, not a side to beat)
//
// The rules, the same for every side:
// - Everything lives in /dev/shm (tmpfs): sources, images, destinations.  The
//   image file is therefore always in memory, for every side alike.
// - Into an image: a fresh image made by mke2fs before each run (not timed);
//   the time runs until the data is in the image file: unmount for rumpkit
//   and Linux (the loop device is flushed to the file and detached), the end
//   of the process for debugfs and e2cp.
// - Out of an image: an image made once by `mke2fs -d` (so no side wrote it);
//   before each run the host's caches are dropped (echo 3 > drop_caches), and
//   each side starts with a fresh mount (rumpkit: a new kernel; Linux: a new
//   loop mount, read-only); the destination is a new directory.
// - Each timed run is whole processes, wall clock, from spawn to exit (mount
//   and umount included for Linux; boot, mount, unmount and halt for rumpkit).
// - ROUNDS rounds; in each, every side runs once per workload and direction,
//   in an order that rotates from round to round; figures are medians.
// - Round 1 checks every side's result: e2fsck -fn on the images written and
//   the data read back (debugfs rdump), the files copied out compared
//   with the sources byte for byte.
//
//   node --expose-gc --import tsx bench/ext2.ts [--json]
//   RUMPKIT_BENCH_ROUNDS=N    N rounds instead of 3
import { spawnSync } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statfsSync,
  statSync, writeFileSync, writeSync,
} from 'node:fs';
import { loadavg, release } from 'node:os';
import { join } from 'node:path';

import {
  buildC, buildDir, checkArgs, fail, hostLine, json, median, met, newest, note, root, table, target, times,
  type Row, type Target,
} from './common.js';

checkArgs('bench/ext2.ts');

const ROUNDS = Number(process.env.RUMPKIT_BENCH_ROUNDS ?? 3);
const BIG = 1 << 30;
const DIRS = 100;
const PER_DIR = 100;
const SMALL_MAX = 8192;
const SEED = 0x5eed;
const MKE2FS = ['-q', '-F', '-t', 'ext2', '-b', '4096', '-I', '256'];

type Dir = 'in' | 'out';
type Work = 'big' | 'tree';

interface Workload {
  key: Work;
  label: string;
  /** The host source: the file, or the tree's top directory. */
  src: string;
  /** Its parent directory (for mke2fs -d and e2cp's file list). */
  srcParent: string;
  name: string;
  imageSize: string;
  mkfs: string[];
  bytes: number;
  files: number;
}

// ------------------------------------------------------------- host checks

if (process.platform !== 'linux') fail('this benchmark needs Linux');
for (const tool of ['mke2fs', 'e2fsck', 'debugfs']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) fail(`${tool} not found (e2fsprogs)`);
}
const haveE2cp = spawnSync('sh', ['-c', 'command -v e2cp']).status === 0;
const isRoot = process.getuid?.() === 0;

const shm = '/dev/shm';
{
  const s = statfsSync(shm);
  const free = Number(s.bavail) * Number(s.bsize);
  if (free < 6 * BIG) fail(`${shm} has ${(free / BIG).toFixed(1)} GiB free; this benchmark needs 6 GiB`);
}

function run(cmd: string, args: string[], opts: { input?: string; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8', input: opts.input, cwd: opts.cwd, maxBuffer: 64 << 20,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (r.error || r.status !== 0) {
    fail(`${cmd} ${args.join(' ').slice(0, 200)} failed (${r.error?.message ?? `exit ${r.status}`}):\n` +
      `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-2000));
  }
  return r.stdout;
}

function dropCaches(): void {
  if (!isRoot) return;
  run('sync', []);
  writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}

// ------------------------------------------------------------- data

/** xorshift32: the data's bytes and the tree's sizes, the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}

function fill(buf: Buffer, next: () => number): void {
  for (let i = 0; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(next(), i);
  for (let i = buf.length & ~3; i < buf.length; i++) buf[i] = next() & 0xff;
}

function makeData(base: string): Record<Work, Workload> {
  const bigParent = join(base, 'src', 'big');
  const treeParent = join(base, 'src', 'tree');
  mkdirSync(bigParent, { recursive: true });
  note('making a 1 GiB file and a tree of 10,000 files in /dev/shm');
  // the 1 GiB file: 1 MiB of pseudo-random bytes, varied per MiB
  const chunk = Buffer.alloc(1 << 20);
  fill(chunk, rng(SEED));
  const fd = openSync(join(bigParent, 'big'), 'w');
  for (let i = 0; i < BIG >> 20; i++) {
    chunk.writeUInt32LE(i, (i * 4096) & ((1 << 20) - 4));
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const next = rng(SEED + 1);
  let bytes = 0;
  const small = Buffer.alloc(SMALL_MAX);
  for (let d = 0; d < DIRS; d++) {
    const dir = join(treeParent, 'tree', `d${String(d).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < PER_DIR; f++) {
      const size = next() % (SMALL_MAX + 1);
      const b = small.subarray(0, size);
      fill(b, next);
      writeFileSync(join(dir, `f${String(f).padStart(3, '0')}`), b);
      bytes += size;
    }
  }
  return {
    big: {
      key: 'big', label: '1 GiB file', src: join(bigParent, 'big'), srcParent: bigParent, name: 'big',
      imageSize: '1280M', mkfs: [], bytes: BIG, files: 1,
    },
    tree: {
      key: 'tree', label: `tree of ${(DIRS * PER_DIR).toLocaleString('en-US')} files`, src: join(treeParent, 'tree'),
      srcParent: treeParent, name: 'tree', imageSize: '256M', mkfs: ['-N', '20000'], bytes, files: DIRS * PER_DIR,
    },
  };
}

function mkfs(w: Workload, img: string, populate?: string): void {
  rmSync(img, { force: true });
  run('mke2fs', [...MKE2FS, ...w.mkfs, ...(populate ? ['-d', populate] : []), img, w.imageSize]);
}

// ------------------------------------------------------------- checks

function sameFile(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  const ba = Buffer.alloc(1 << 20);
  const bb = Buffer.alloc(1 << 20);
  try {
    for (;;) {
      const na = readSync(fa, ba);
      const nb = readSync(fb, bb);
      if (na !== nb || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
      if (na === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/** Where copy differs from the source (undefined: the same names, types and bytes). */
function differs(src: string, copy: string): string | undefined {
  if (!existsSync(copy)) return `${copy} is missing`;
  const s = statSync(src);
  const c = statSync(copy);
  if (s.isDirectory() !== c.isDirectory()) return `${copy}: not the same type`;
  if (!s.isDirectory()) return sameFile(src, copy) ? undefined : `${copy}: not the same bytes`;
  const ns = readdirSync(src).sort();
  const nc = readdirSync(copy).sort();
  if (ns.join('/') !== nc.join('/')) return `${copy}: not the same entries`;
  for (const n of ns) {
    const d = differs(join(src, n), join(copy, n));
    if (d) return d;
  }
  return undefined;
}

function checkImage(side: string, w: Workload, img: string, scratch: string): void {
  const r = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  if (r.status !== 0) fail(`${side}: e2fsck -fn found problems in the image it wrote:\n${r.stdout}${r.stderr}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  run('debugfs', ['-R', `rdump /${w.name} ${scratch}`, img]);
  const d = differs(w.src, join(scratch, w.name));
  if (d) fail(`${side}: what it copied into the image is not the source: ${d}`);
  rmSync(scratch, { recursive: true, force: true });
}

// ------------------------------------------------------------- sides

interface Side {
  key: string;
  name: string;
  /** undefined: it runs; else why it is skipped. */
  skip?: string;
  /** Copy w into the fresh image img (at /name); seconds, when not the wall clock of the call. */
  into(w: Workload, img: string): number | void;
  /** Copy /name out of img into the directory dst (as dst/name); the same. */
  outOf(w: Workload, img: string, dst: string): number | void;
}

/** The seconds bench_ext2 measured inside itself. */
function innerTime(out: string): number {
  return (JSON.parse(out) as { ns: number }).ns / 1e9;
}

function sides(base: string, exe: string): Side[] {
  const cli = join(root, 'dist', 'cli.js');
  const mnt = join(base, 'mnt');
  mkdirSync(mnt, { recursive: true });
  // debugfs's command file and e2cp's lists are made before the clock starts
  const cmds = join(base, 'debugfs-tree.cmd');
  const lines = [`mkdir /tree`];
  const lists: string[] = [];
  const names = Array.from({ length: PER_DIR }, (_, f) => `f${String(f).padStart(3, '0')}`);
  for (let d = 0; d < DIRS; d++) {
    const dn = `d${String(d).padStart(3, '0')}`;
    lines.push(`mkdir /tree/${dn}`, `cd /tree/${dn}`);
    for (const f of names) {
      lines.push(`write ${join(base, 'src', 'tree', 'tree', dn, f)} ${f}`);
      lists.push(`tree/${dn}/${f}`);
    }
  }
  writeFileSync(cmds, `${lines.join('\n')}\n`);
  const listsDir = join(base, 'lists');
  mkdirSync(listsDir, { recursive: true });
  writeFileSync(join(listsDir, 'names'), `${names.join('\n')}\n`);
  const script = join(base, 'e2cp-out.sh');
  writeFileSync(script, 'img=$1; dst=$2; names=$3\n' +
    `for d in ${Array.from({ length: DIRS }, (_, d) => `d${String(d).padStart(3, '0')}`).join(' ')}; do\n` +
    '  mkdir -p "$dst/tree/$d" && e2cp -s "$img:/tree/$d" -d "$dst/tree/$d" < "$names" || exit 1\n' +
    'done\n');

  let linuxSkip: string | undefined;
  if (!isRoot) linuxSkip = 'not root (mount -o loop needs root)';
  else {
    const probe = join(base, 'probe.img');
    run('truncate', ['-s', '8M', probe]);
    run('mke2fs', ['-q', '-F', '-t', 'ext2', probe]);
    const r = spawnSync('mount', ['-t', 'ext2', '-o', 'loop,ro', probe, mnt], { encoding: 'utf8' });
    if (r.status !== 0) linuxSkip = `mount -t ext2 -o loop failed: ${(r.stderr || r.error?.message || '').trim()}`;
    else run('umount', [mnt]);
    rmSync(probe, { force: true });
  }

  return [
    {
      key: 'c', name: 'rumpkit C',
      into: (w, img) => { run(exe, ['-i', img, 'in', w.src, `/${w.name}`]); },
      outOf: (w, img, dst) => { run(exe, ['-i', img, 'out', `/${w.name}`, join(dst, w.name)]); },
    },
    {
      key: 'cli', name: 'rumpkit cp',
      into: (w, img) => { run(process.execPath, [cli, 'cp', '-r', w.src, `${img}:/${w.name}`]); },
      outOf: (w, img, dst) => { run(process.execPath, [cli, 'cp', '-r', `${img}:/${w.name}`, join(dst, w.name)]); },
    },
    {
      key: 'linux', name: 'Linux ext2', skip: linuxSkip,
      into: (w, img) => {
        run('mount', ['-t', 'ext2', '-o', 'loop', img, mnt]);
        run(exe, ['in', w.src, join(mnt, w.name)]);
        run('umount', [mnt]);
      },
      outOf: (w, img, dst) => {
        run('mount', ['-t', 'ext2', '-o', 'loop,ro', img, mnt]);
        run(exe, ['out', join(mnt, w.name), join(dst, w.name)]);
        run('umount', [mnt]);
      },
    },
    {
      key: 'debugfs', name: 'debugfs',
      into: (w, img) => {
        if (w.key === 'big') run('debugfs', ['-w', '-R', `write ${w.src} ${w.name}`, img]);
        else run('debugfs', ['-w', '-f', cmds, img]);
      },
      outOf: (w, img, dst) => { run('debugfs', ['-R', `rdump /${w.name} ${dst}`, img]); },
    },
    {
      key: 'e2cp', name: 'e2cp', skip: haveE2cp ? undefined : 'e2cp not found (apt-get install e2tools)',
      into: (w, img) => {
        if (w.key === 'big') run('e2cp', [w.src, `${img}:/${w.name}`]);
        else run('e2cp', ['-a', '-d', `${img}:/`], { cwd: w.srcParent, input: `${lists.join('\n')}\n` });
      },
      outOf: (w, img, dst) => {
        if (w.key === 'big') run('e2cp', [`${img}:/${w.name}`, join(dst, w.name)]);
        else run('sh', [script, img, dst, join(listsDir, 'names')]);
      },
    },
    {
      key: 'half', name: 'host half',
      into: (w) => innerTime(run(exe, ['-n', 'in', w.src, '-'])),
      outOf: (w, _img, dst) => innerTime(run(exe, ['-n', 'out', w.src, join(dst, w.name)])),
    },
  ];
}

// ------------------------------------------------------------- run

function ensureCli(): void {
  const cli = join(root, 'dist', 'cli.js');
  const srcNewest = newest(readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts')).map((f) => join(root, 'src', f)));
  if (existsSync(cli) && srcNewest !== undefined && statSync(cli).mtimeMs >= statSync(srcNewest).mtimeMs) return;
  note('building dist/ (tsc) for the rumpkit command line');
  run(process.execPath, [join(root, 'syscalls', 'gen.mjs')]);
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')]);
}

interface Figure { runs_s: number[]; median_s: number; mb_s: number; files_s: number }
type Results = Record<Work, Record<Dir, Record<string, Figure>>>;

const load0 = loadavg()[0]!;
const started = process.hrtime.bigint();
const dir = buildDir();
buildC(dir, 'bench_ext2');
const exe = newest([join(dir, 'bench_ext2'), join(dir, 'Release', 'bench_ext2')]);
if (exe === undefined) fail(`bench_ext2 was not found in ${dir}`);
ensureCli();

const base = mkdtempSync(join(shm, 'rumpkit-bench-ext2-'));
let mounted = false;
const cleanup = () => {
  if (mounted) spawnSync('umount', [join(base, 'mnt')]);
  rmSync(base, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const works = makeData(base);
const all = sides(base, exe);
for (const s of all) if (s.skip) note(`${s.name}: skipped: ${s.skip}`);
const active = all.filter((s) => !s.skip);
const runs: Record<Work, Record<Dir, Record<string, number[]>>> = {
  big: { in: {}, out: {} }, tree: { in: {}, out: {} },
};
const outImages: Record<Work, string> = { big: join(base, 'big-out.img'), tree: join(base, 'tree-out.img') };
for (const w of Object.values(works)) mkfs(w, outImages[w.key], w.srcParent);

const time = (f: () => number | void): number => {
  const t0 = process.hrtime.bigint();
  const inner = f();
  return inner ?? Number(process.hrtime.bigint() - t0) / 1e9;
};

for (let r = 0; r < ROUNDS; r++) {
  const order = active.map((_, i) => active[(i + r) % active.length]!);
  for (const w of Object.values(works)) {
    for (const s of order) {
      if (s.key === 'half') {
        dropCaches();
        (runs[w.key].in[s.key] ??= []).push(time(() => s.into(w, '')));
        continue;
      }
      note(`round ${r + 1}/${ROUNDS}: ${w.label} into an image: ${s.name}`);
      const img = join(base, 'in.img');
      mkfs(w, img);
      dropCaches();
      mounted = s.key === 'linux';
      const t = time(() => s.into(w, img));
      mounted = false;
      (runs[w.key].in[s.key] ??= []).push(t);
      if (r === 0) checkImage(s.name, w, img, join(base, 'check'));
      rmSync(img, { force: true });
    }
    for (const s of order) {
      note(`round ${r + 1}/${ROUNDS}: ${w.label} out of an image: ${s.name}`);
      const dst = join(base, 'out');
      rmSync(dst, { recursive: true, force: true });
      mkdirSync(dst);
      dropCaches();
      mounted = s.key === 'linux';
      const t = time(() => s.outOf(w, outImages[w.key], dst));
      mounted = false;
      (runs[w.key].out[s.key] ??= []).push(t);
      if (r === 0 && s.key !== 'half') {
        const d = differs(w.src, join(dst, w.name));
        if (d) fail(`${s.name}: what it copied out of the image is not the source: ${d}`);
      }
      rmSync(dst, { recursive: true, force: true });
    }
  }
}
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;

const results = {} as Results;
for (const w of Object.values(works)) {
  results[w.key] = { in: {}, out: {} };
  for (const d of ['in', 'out'] as const) {
    for (const [k, v] of Object.entries(runs[w.key][d])) {
      const m = median(v);
      results[w.key][d][k] = { runs_s: v, median_s: m, mb_s: w.bytes / m / 1e6, files_s: w.files / m };
    }
  }
}

// ratios: the other side's time over rumpkit's (how many times faster rumpkit is)
const ratio = (w: Work, d: Dir, ours: string, other: string): number | undefined => {
  const a = results[w][d][ours];
  const b = results[w][d][other];
  return a && b ? b.median_s / a.median_s : undefined;
};
const targets: Record<string, Target> = {};
const addTarget = (key: string, desc: string, w: Work, d: Dir, ours: string, other: string, limit: number) => {
  const v = ratio(w, d, ours, other);
  if (v !== undefined) targets[key] = target(desc, `${w}_${d}`, v, 'x', '>=', limit);
};
const sideName = Object.fromEntries(all.map((s) => [s.key, s.name]));
for (const ours of ['c', 'cli']) {
  for (const d of ['in', 'out'] as const) {
    const dirText = d === 'in' ? 'into an image' : 'out of an image';
    addTarget(`big_${d}_${ours}_linux`, `1 GiB file ${dirText}: ${sideName[ours]} against Linux ext2 (loop)`,
      'big', d, ours, 'linux', 1);
    for (const other of ['debugfs', 'e2cp']) {
      addTarget(`tree_${d}_${ours}_${other}`, `tree ${dirText}: ${sideName[ours]} against ${sideName[other]}`,
        'tree', d, ours, other, 5);
    }
  }
}

// what a copy whose image side cost nothing (the host half alone) would reach against each side
const bounds: Record<string, number> = {};
for (const w of ['big', 'tree'] as const) {
  for (const d of ['in', 'out'] as const) {
    for (const other of ['linux', 'debugfs', 'e2cp']) {
      const v = ratio(w, d, 'half', other);
      if (v !== undefined) bounds[`${w}_${d}_${other}`] = v;
    }
  }
}

const conditions = {
  host: hostLine(), kernel: release(), loadavg_at_start: load0, loadavg_at_end: loadavg()[0]!,
  storage: 'everything in /dev/shm (tmpfs): sources, images, destinations; the image file is in memory for every side',
  caches: isRoot ? 'dropped (echo 3 > /proc/sys/vm/drop_caches) before every timed run' : 'not dropped (not root)',
};

if (json) {
  process.stdout.write(`${JSON.stringify({
    benchmark: 'rumpkit-ext2', date: new Date().toISOString(), ...conditions,
    method: {
      rounds: ROUNDS, per_figure: 'median of the rounds; sides interleaved within each round, order rotated',
      timed: 'wall clock of whole processes from spawn to exit: into an image until unmount (or exit), out of an ' +
        'image from a fresh mount after dropping caches',
      workloads: Object.fromEntries(Object.values(works).map((w) => [w.key, { bytes: w.bytes, files: w.files }])),
      mkfs: `mke2fs ${MKE2FS.join(' ')}`, elapsed_s: elapsed,
    },
    skipped: Object.fromEntries(all.filter((s) => s.skip).map((s) => [s.key, s.skip])),
    figures: results, host_bounds: bounds, targets, all_met: Object.values(targets).every((t) => t.met),
  }, null, 2)}\n`);
  process.exit(0);
}

const secs = (x: number) => (x >= 10 ? `${x.toFixed(1)} s` : x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1e3).toFixed(0)} ms`);
const rows: Row[] = [];
for (const w of Object.values(works)) {
  for (const d of ['in', 'out'] as const) {
    rows.push([`${w.label} ${d === 'in' ? 'into an image' : 'out of an image'}`]);
    for (const s of all) {
      const f = results[w.key][d][s.key];
      if (!f) {
        rows.push([`  ${s.name}`, s.skip ? `skipped: ${s.skip}` : '']);
        continue;
      }
      const rate = w.key === 'big' ? `${f.mb_s.toFixed(0)} MB/s` : `${f.files_s.toFixed(0)} files/s, ${f.mb_s.toFixed(1)} MB/s`;
      const rc = ratio(w.key, d, 'c', s.key);
      const rl = ratio(w.key, d, 'cli', s.key);
      rows.push([`  ${s.name}`, secs(f.median_s), rate,
        s.key === 'c' || rc === undefined ? '' : times(rc), s.key === 'cli' || rl === undefined ? '' : times(rl),
        f.runs_s.map(secs).join(', ')]);
    }
  }
}
const trows: Row[] = Object.values(targets).map((t) => [t.description, times(t.value), `≥ ${t.limit}×`, met(t)]);
const out = [
  `rumpkit ext2 copy benchmarks — ${conditions.host}, Linux ${conditions.kernel}, load ${load0.toFixed(2)} at start`,
  `${conditions.storage}; caches ${conditions.caches}`,
  `median of ${ROUNDS} rounds, sides interleaved; "N× …": that side's time over rumpkit's (rumpkit N times faster)`,
  '',
  ...table(['copy / side', 'time', 'throughput', '× rumpkit C', '× rumpkit cp', 'rounds'], rows),
  '',
  ...table(['target', 'ratio', 'target', 'met'], trows),
  '',
  'host half: the host\'s share of the copy alone (reading the sources, or making the files from memory), timed',
  'inside its process, no image involved. No copy between an image and the host takes less, so another side\'s',
  'time over it is the most any copy could reach against that side on this host, this run:',
  ...(['big', 'tree'] as const).map((w) => `  ${works[w].label}: ${Object.entries(bounds).filter(([k]) => k.startsWith(`${w}_`))
    .map(([k, v]) => {
      const [, d, other] = k.split('_');
      return `${d === 'in' ? 'into' : 'out of'} ${sideName[other!]} ${times(v)}`;
    }).join(', ')}`),
];
const missed = Object.values(targets).filter((t) => !t.met);
out.push('', missed.length ? `targets missed (reported, not asserted): ${missed.map((t) => t.description).join('; ')}` : 'all targets met');
out.push(`(${elapsed.toFixed(0)} s)`);
process.stdout.write(`${out.join('\n')}\n`);

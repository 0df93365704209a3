// npm run bench, the hijack part: Debian's own `cat` of a big file and
// `cp -a` of a tree of small files, run unchanged
//
//   host          on the host's /dev/shm (tmpfs): the reference
//   local mode    under librumphijack.so with the files in an ext2 image
//                 (itself in /dev/shm) mounted by a kernel inside the program
//                 (rumpkit run --image ext2:IMG:/), paths under /rump
//   remote mode   under librumphijack.so with RUMP_SERVER=unix://SOCK: a
//                 copy of the image mounted on / of a kernel that
//                 `rumpkit serve` runs in a process of its own, started
//                 once before the rounds (as a deployment would run it:
//                 its boot and mount are not in the programs' times, its
//                 native threads serve while this process waits)
//
// side by side in one run: ROUNDS rounds, the sides in an order that
// rotates from round to round, medians of wall-clock times of whole
// processes (local mode: the kernel's boot, mount, unmount and halt
// included).  The ratios are host time / local-mode time (the issue's
// target: ≥ 1×) and host time / remote-mode time (no target).  Round 1
// checks the results: cat's output length and the copied trees, counted
// in the kernel's view by the next program, and e2fsck -fn of both images
// (the remote one once its server has stopped).
//
//   node --expose-gc --import tsx bench/hijack.ts [--json]
//   RUMPKIT_BENCH_ROUNDS=N      rounds (default 3)
//   RUMPKIT_BENCH_CAT_MB=N      the file cat reads (default 1024)
//   RUMPKIT_BENCH_FILES=N       the tree cp -a copies (default 10000)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { hijackEnv, hijackLibrary } from '../src/hijack.js';
import { checkArgs, fail, root, fmt3, hostLine, json, median, met, note, table, target, times } from './common.js';

checkArgs('bench/hijack.ts');
const ROUNDS = Number(process.env.RUMPKIT_BENCH_ROUNDS ?? 3);
const CAT_MB = Number(process.env.RUMPKIT_BENCH_CAT_MB ?? 1024);
const FILES = Number(process.env.RUMPKIT_BENCH_FILES ?? 10000);

try {
  hijackLibrary();
} catch (e) {
  fail((e as Error).message);
}

const base = mkdtempSync('/dev/shm/rumpkit-bench-hijack-');
const img = join(base, 'disk.img');
const rimg = join(base, 'remote.img');
const sock = `unix://${join(base, 'sock')}`;

/** Run a program to its end: its stdout (or /dev/null, discard) and the wall-clock time. */
function sh(argv: string[], env?: NodeJS.ProcessEnv, discard = false): { out: string; ms: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { env: env ?? process.env, encoding: 'utf8', maxBuffer: 16 << 20,
    stdio: ['ignore', discard ? 'ignore' : 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) fail(`${argv.join(' ')}: status ${r.status}: ${r.stderr}`);
  return { out: r.stdout, ms };
}

const local = () => hijackEnv({ images: [`ext2:${img}:/`] });
const remote = () => hijackEnv({ server: sock });

function setup(): void {
  note(`making ${CAT_MB} MiB file and a ${FILES}-file tree in ${base}`);
  mkdirSync(join(base, 'host'));
  sh(['dd', 'if=/dev/urandom', `of=${join(base, 'host', 'big')}`, 'bs=1M', `count=${CAT_MB}`, 'status=none']);
  const tree = join(base, 'host', 'tree');
  for (let d = 0; d < Math.ceil(FILES / 100); d++) {
    mkdirSync(join(tree, `d${d}`), { recursive: true });
    for (let f = 0; f < 100 && d * 100 + f < FILES; f++) writeFileSync(join(tree, `d${d}`, `f${f}`), `file ${d}/${f}\n`.repeat(8));
  }
  const mb = Math.ceil(CAT_MB * 1.1 + FILES * 6 / 1024 + 64);
  note(`mke2fs -d of a ${mb} MiB image`);
  sh(['mke2fs', '-q', '-F', '-t', 'ext2', '-b', '4096', '-N', String(FILES * 2 + 1024), '-d', join(base, 'host'), img, `${mb}M`]);
  copyFileSync(img, rimg);
}

/** rumpkit serve with the remote image on /: the child, once it prints its URL. */
async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'serve', '--listen', sock,
    '--disk', `key=/dev/ld0,path=${rimg}`, '--mount', 'ext2:/dev/ld0:/'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b;
      if (out.includes('\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`rumpkit serve exited (${code}): ${err}`)));
  });
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await exit;
  if (code !== 0) fail(`rumpkit serve exited with status ${code}`);
}

type Side = 'host' | 'local' | 'remote';
const SIDES: Side[] = ['host', 'local', 'remote'];
const work: Record<string, Record<Side, () => number>> = {
  [`cat ${CAT_MB} MiB > /dev/null`]: {
    host: () => sh(['cat', join(base, 'host', 'big')], undefined, true).ms,
    local: () => sh(['cat', '/rump/big'], local(), true).ms,
    remote: () => sh(['cat', '/rump/big'], remote(), true).ms,
  },
  [`cp -a of ${FILES} files`]: {
    host: () => {
      rmSync(join(base, 'hostcopy'), { recursive: true, force: true });
      return sh(['cp', '-a', join(base, 'host', 'tree'), join(base, 'hostcopy')]).ms;
    },
    local: () => {
      sh(['rm', '-rf', '/rump/copy'], local());
      return sh(['cp', '-a', '/rump/tree', '/rump/copy'], local()).ms;
    },
    remote: () => {
      sh(['rm', '-rf', '/rump/copy'], remote());
      return sh(['cp', '-a', '/rump/tree', '/rump/copy'], remote()).ms;
    },
  },
};

function check(): void {
  const n = sh(['sh', '-c', `find ${join(base, 'hostcopy')} -type f | wc -l`]).out.trim();
  const m = sh(['find', '/rump/copy', '-type', 'f'], local()).out.trim().split('\n').length;
  const r = sh(['find', '/rump/copy', '-type', 'f'], remote()).out.trim().split('\n').length;
  if (Number(n) !== FILES || m !== FILES || r !== FILES) {
    fail(`copies hold ${n}, ${m} and ${r} files, not ${FILES}`);
  }
  for (const env of [local(), remote()]) {
    const size = sh(['stat', '-c', '%s', '/rump/big'], env).out.trim();
    if (Number(size) !== CAT_MB << 20) fail(`/rump/big is ${size} bytes`);
  }
  fsck(img);
}

function fsck(image: string): void {
  const r = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
  if (r.status !== 0) fail(`e2fsck -fn ${image}: ${r.stdout}`);
}

let server: ChildProcess | undefined;
// fail() exits at once, past the finally below: the server must not outlive us
process.on('exit', () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});
try {
  setup();
  server = await startServer();
  const results: Record<string, Record<Side, number[]>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, sides] of Object.entries(work)) {
      const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!);
      results[name] ??= { host: [], local: [], remote: [] };
      for (const s of order) results[name]![s].push(sides[s]());
    }
    if (round === 0) check();
    note(`round ${round + 1} of ${ROUNDS}`);
  }
  await stopServer(server);
  fsck(rimg);
  const rows = Object.entries(results).map(([name, r]) => {
    const h = median(r.host);
    const l = median(r.local);
    const m = median(r.remote);
    const t = target(`${name}: host / local mode`, name, h / l, '×', '>=', 1);
    return { name, host: h, local: l, remote: m, ratio: h / l, remoteRatio: h / m, target: t };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ host: hostLine(), rounds: ROUNDS, rows }, null, 2)}\n`);
  } else {
    process.stdout.write(`hijack, local and remote mode (${hostLine()}; ${ROUNDS} rounds, medians)\n`);
    for (const l of table(['workload', 'host /dev/shm', 'local mode', 'host/local', 'target ≥ 1×',
      'remote mode', 'host/remote'],
    rows.map((r) => [r.name, `${fmt3(r.host)} ms`, `${fmt3(r.local)} ms`, times(r.ratio), met(r.target),
      `${fmt3(r.remote)} ms`, times(r.remoteRatio)]))) {
      process.stdout.write(`${l}\n`);
    }
  }
} finally {
  if (server) await stopServer(server).catch(() => undefined);
  rmSync(base, { recursive: true, force: true });
}

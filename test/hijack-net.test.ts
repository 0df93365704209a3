// Local mode with networking: Debian's curl fetching from a Linux-side
// server through the TCP/IP stack of a kernel inside curl, and python3's
// http.server serving files of an ext2 image through the kernel inside it
// to Linux's curl.  Both over a TAP device in a network namespace the test
// creates and removes.  Needs root, /dev/net/tun and ip(8) with netns.
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hijackEnv } from '../src/hijack.js';
import { missing, mkimage } from './hijack-helpers.js';

const NS = `rumpkit-hj-${process.pid}`;
const TAP = 'hjtap0';
const LINUX = '10.79.0.1';
const KERNEL = '10.79.0.2';
const PY = '/usr/bin/python3';

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return 'no ip(8) with netns support';
  return missing('curl', PY, 'mke2fs', 'e2fsck');
}

const skip = why();
const t = skip ? test.skip : test.serial;
if (skip) test('hijack network tests', (tt) => tt.pass(`skipped: ${skip}`));

const inNs = (argv: string[]) => ['netns', 'exec', NS, ...argv];
/** ip(8) itself must not run under the library: the variables go on through env(1). */
const hijacked = (o: Parameters<typeof hijackEnv>[0], argv: string[]) => {
  const e = hijackEnv(o, {});
  return inNs(['env', ...Object.entries(e).map(([k, v]) => `${k}=${v}`), ...argv]);
};

test.before(() => {
  if (skip) return;
  spawnSync('ip', ['netns', 'del', NS]);
  const a = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`ip netns add: ${a.stderr}`);
  const r = spawnSync('ip', inNs(['sh', '-c',
    `ip link set lo up && ip tuntap add dev ${TAP} mode tap && ip addr add ${LINUX}/24 dev ${TAP} && ip link set ${TAP} up`]),
  { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`netns setup: ${r.stderr}`);
});

test.after.always(() => {
  if (!skip) spawnSync('ip', ['netns', 'del', NS]);
});

/** curl in the namespace until it answers (the server may still be starting): its last result. */
function fetch(o: Parameters<typeof hijackEnv>[0] | undefined, url: string): { out: string; err: string; status: number } {
  let r = { out: '', err: '', status: -1 };
  const curl = ['curl', '-sS', '--max-time', '10', url];
  for (let i = 0; i < 100; i++) {
    const p = spawnSync('ip', o ? hijacked(o, curl) : inNs(curl), { encoding: 'utf8', timeout: 30_000 });
    r = { out: p.stdout, err: p.stderr, status: p.status ?? -1 };
    if (r.status !== 7) break;	// 7: could not connect (not listening yet)
    spawnSync('sleep', ['0.1']);
  }
  return r;
}

function stop(p: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    if (p.exitCode !== null) return res(p.exitCode);
    p.once('exit', (code) => res(code));
    p.kill('SIGINT');
  });
}

t('curl fetches through the kernel in it, over TAP, from a Linux server', async (tt) => {
  const dir = join('/tmp', `rumpkit-hjweb-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.txt'), 'served by linux\n');
  const srv = spawn('ip', inNs([PY, '-m', 'http.server', '--bind', LINUX, '--directory', dir, '8080']), { stdio: 'ignore' });
  try {
    const r = fetch({ nets: [`tap:${TAP},addr=${KERNEL}/24`] }, `http://${LINUX}:8080/index.txt`);
    tt.is(r.status, 0, r.err);
    tt.is(r.out, 'served by linux\n');
  } finally {
    await stop(srv);
    rmSync(dir, { recursive: true, force: true });
  }
});

t('python3 -m http.server serves an ext2 image through the kernel in it to Linux curl', async (tt) => {
  const { dir, img } = mkimage(8);
  const seed = spawnSync(PY, ['-c', "open('/rump/hello.txt', 'w').write('served by the kernel\\n')"],
    { env: hijackEnv({ images: [`ext2:${img}:/`] }), encoding: 'utf8' });
  tt.is(seed.status, 0, seed.stderr);
  const srv = spawn('ip', hijacked({ images: [`ext2:${img}:/`], nets: [`tap:${TAP},addr=${KERNEL}/24`] },
    [PY, '-m', 'http.server', '--bind', KERNEL, '--directory', '/rump', '8080']), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  srv.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const r = fetch(undefined, `http://${KERNEL}:8080/hello.txt`);
    tt.is(r.status, 0, r.err);
    tt.is(r.out, 'served by the kernel\n');
    const list = fetch(undefined, `http://${KERNEL}:8080/`);
    tt.regex(list.out, /hello\.txt/);
  } finally {
    await stop(srv);
  }
  tt.regex(log, new RegExp(`${LINUX.replace(/\./g, '\\.')} .*"GET /hello.txt HTTP/1.1" 200`));
  const f = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  tt.is(f.status, 0, f.stdout);
  rmSync(dir, { recursive: true, force: true });
});

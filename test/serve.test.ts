// k.serve() and `rumpkit serve`: programs linked with librumpclient
// (build/cmake/sp_client, t_sysproxy's client) make their system calls in
// a kernel of this process, or of a `rumpkit serve` process; what they did
// is checked from the kernel's side (or the image's) afterwards.
import { spawn, spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { Kernel, RumpError } from '../src/index.js';
import { haveExt2, mkimage, packageRoot, rumpkitArgv } from './cli-helpers.js';

const client = join(packageRoot, 'build/cmake/sp_client');
const haveClient = nodefs.existsSync(client);
const maybe = haveClient ? test : test.skip;
const why = (s: string) => (haveClient ? s : `${s} — SKIPPED: build/cmake/sp_client is not built`);

function runClient(url: string, ...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(client, args, { env: { ...process.env, RUMP_SERVER: url }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

maybe(why('k.serve on a unix socket: a client\'s files are the kernel\'s'), async (t) => {
  const dir = nodefs.mkdtempSync('/tmp/rumpkit-serve-');
  const k = await Kernel.boot();
  try {
    const srv = await k.serve(`unix://${dir}/sock`);
    t.is(srv.url, `unix://${dir}/sock`);
    t.is(nodefs.statSync(`${dir}/sock`).mode & 0o777, 0o600);
    const r = runClient(srv.url, 'files', '/tmp/from-client');
    t.is(r.status, 0, r.err);
    t.is(r.out, 'files ok\n');
    t.is(k.fs.statSync('/tmp/from-client/b').size, 11);
    t.is(k.fs.readlinkSync('/tmp/from-client/l'), 'b');
    const st = srv.stats();
    t.is(st.accepted, 1);
    t.true(st.calls >= 20);
    t.is(st.dropped, 0);
    await srv.close();
    await srv.close();
    t.false(nodefs.existsSync(`${dir}/sock`));
    t.true(srv.closed);
    // a second server may take the name again
    const again = k.serveSync(`unix://${dir}/sock`);
    t.throws(() => k.serveSync(`unix://${dir}/sock`), { instanceOf: RumpError, code: 'EADDRINUSE' });
    await again.close();
  } finally {
    await k.halt();
    nodefs.rmSync(dir, { recursive: true, force: true });
  }
});

maybe(why('k.serve on tcp: loopback, port 0 resolved, clients are nobody unless keepRoot'), async (t) => {
  const k = await Kernel.boot();
  try {
    const srv = await k.serve('tcp://127.0.0.1:0');
    t.regex(srv.url, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    t.not(srv.url, 'tcp://127.0.0.1:0');
    let r = runClient(srv.url, 'ids');
    t.is(r.status, 0, r.err);
    t.is(r.out, '65534 65534 65534\n');
    const root = await k.serve('tcp://:0', { keepRoot: true });
    r = runClient(root.url, 'ids');
    t.is(r.status, 0, r.err);
    t.regex(r.out, /^0 0/);
    // halting closes the servers left open
  } finally {
    await k.halt();
  }
  t.throws(() => k.serveSync('tcp://127.0.0.1:0'));
});

test('k.serve checks its arguments', async (t) => {
  const k = await Kernel.boot();
  try {
    t.throws(() => k.serveSync('http://x'), { code: 'ERR_INVALID_ARG_VALUE' });
    t.throws(() => k.serveSync(7 as never), { code: 'ERR_INVALID_ARG_TYPE' });
    t.throws(() => k.serveSync('tcp://127.0.0.1:0', { keepRoot: 'yes' as never }), { code: 'ERR_INVALID_ARG_TYPE' });
    t.throws(() => k.serveSync('unix:///nonexistent-dir/x/sock'), { instanceOf: RumpError, code: 'ENOENT' });
  } finally {
    await k.halt();
  }
});

const ext2 = haveClient && haveExt2();
(ext2 ? test : test.skip)(`rumpkit serve with an ext2 disk: a client writes, SIGTERM stops it cleanly${ext2 ? '' : ' — SKIPPED: no sp_client or no ext2'}`, async (t) => {
  const dir = nodefs.mkdtempSync('/tmp/rumpkit-serve-cli-');
  try {
    const img = mkimage(dir);
    const child = spawn(process.execPath, rumpkitArgv('serve', '--listen', `unix://${dir}/sock`,
      '--disk', `key=/dev/ld0,path=${img}`, '--mount', 'ext2:/dev/ld0:/data'),
    { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('exit', () => reject(new Error(`rumpkit serve exited: ${err}`)));
    });
    t.is(url, `unix://${dir}/sock`);
    const r = runClient(url, 'files', '/data/made');
    t.is(r.status, 0, r.err);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    t.is(await exit, 0, err);
    t.false(nodefs.existsSync(`${dir}/sock`));
    t.is(spawnSync('e2fsck', ['-fn', img]).status, 0);
    const k = Kernel.bootSync({ disks: [{ key: '/dev/ld0', path: img, readOnly: true }] });
    try {
      k.fs.mkdirSync('/mnt');
      k.mount('ext2', '/mnt', { device: '/dev/ld0', readOnly: true });
      t.is(k.fs.statSync('/mnt/made/b').size, 11);
      t.is(k.fs.readlinkSync('/mnt/made/l'), 'b');
      k.unmount('/mnt');
    } finally {
      k.haltSync();
    }
  } finally {
    nodefs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rumpkit serve: usage errors', (t) => {
  const r = spawnSync(process.execPath, rumpkitArgv('serve', '--disk', 'nope'), { cwd: packageRoot, encoding: 'utf8' });
  t.is(r.status, 2);
  t.regex(r.stderr, /--listen URL is required|--disk needs/);
});

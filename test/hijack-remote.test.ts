// Remote mode: Debian's programs under librumphijack with RUMP_SERVER set,
// their files and sockets in a kernel served from this process
// (k.serve) on an ext2 image made by mke2fs; shell pipelines whose
// processes share kernel descriptors across fork and exec, redirections
// onto kernel files, posix_spawn, sqlite3.  The kernel's view is checked
// from here while it serves, and the image by e2fsck -fn after the halt.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Kernel } from '../src/index.js';
import { hijackEnv } from '../src/hijack.js';
import { fsck, makeTree, missing, mkimage, snapshot } from './hijack-helpers.js';

/** A kernel with the image mounted on / (its whole tree under /rump), serving on a unix socket. */
async function server(img: string, dir: string): Promise<{ k: Kernel; url: string; stop: () => Promise<void> }> {
  const k = Kernel.bootSync({ disks: [{ key: '/dev/ld0', path: img }] });
  k.sys.mount('/dev/ld0', '/', 'ext2', 0, null);
  const url = `unix://${join(dir, 'kernel.sock')}`;
  const srv = await k.serve(url);
  return { k, url, stop: async () => { await srv.close(); await k.halt(); } };
}

function remoteSupported(): string | undefined {
  return missing('mke2fs', 'e2fsck');
}

const why = remoteSupported();
const t = why ? test.skip : test.serial;
if (why) test('remote hijack tests', (tt) => tt.pass(`skipped: ${why}`));

function run(url: string, argv: string[], input?: string) {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    env: hijackEnv({ server: url, env: { LC_ALL: 'C' } }), encoding: 'utf8', input, timeout: 120_000, cwd: '/tmp',
  });
  if (r.error) throw r.error;
  return { out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}

const sh = (url: string, script: string) => run(url, ['sh', '-c', script]);

t('coreutils, find and tar against a server, the tree checked in its kernel', async (tt) => {
  const { dir, img } = mkimage();
  const src = join(dir, 'src');
  makeTree(src);
  const { k, url, stop } = await server(img, dir);
  try {
    const ok = (r: { status: number; err: string }, what: string) => tt.is(r.status, 0, `${what}: ${r.err}`);
    ok(run(url, ['mkdir', '-p', '/rump/a/b/c']), 'mkdir -p');
    ok(run(url, ['cp', '-a', src, '/rump/tree']), 'cp -a in');
    const want = snapshot(fs, src);
    tt.deepEqual(snapshot(k.fs as never, '/tree'), want);
    const ls = run(url, ['ls', '-laR', '/rump/tree']);
    tt.regex(ls.out, /^\/rump\/tree\/d\/sub:$/m);
    tt.is(run(url, ['cat', '/rump/tree/f.txt']).out, 'hello\n');
    tt.is(run(url, ['stat', '-c', '%s %a', '/rump/tree/d/b.bin']).out, '70000 644\n');
    tt.regex(run(url, ['du', '-s', '/rump/tree']).out, /^\d+\t\/rump\/tree\n$/);
    tt.deepEqual(run(url, ['find', '/rump/tree', '-name', '*.txt']).out.trim().split('\n').sort(),
      ['/rump/tree/d/a.txt', '/rump/tree/d/sub/deep/z.txt', '/rump/tree/f.txt']);
    tt.is(run(url, ['sha256sum', '/rump/tree/big']).out.split(' ')[0],
      spawnSync('sha256sum', [join(src, 'big')], { encoding: 'utf8' }).stdout.split(' ')[0]);
    ok(run(url, ['sort', '-r', '/rump/tree/d/a.txt', '-o', '/rump/sorted']), 'sort -o');
    tt.is(k.fs.readFileSync('/sorted', 'utf8'), 'alpha\n'.repeat(1000));
    ok(run(url, ['tar', 'cf', '/rump/t.tar', '-C', '/rump', 'tree']), 'tar c');
    ok(run(url, ['mkdir', '/rump/x']), 'mkdir');
    ok(run(url, ['tar', 'xf', '/rump/t.tar', '-C', '/rump/x']), 'tar x');
    tt.deepEqual(snapshot(k.fs as never, '/x/tree'), want);
    ok(run(url, ['mv', '/rump/x/tree', '/rump/moved']), 'mv');
    ok(run(url, ['rm', '-rf', '/rump/moved', '/rump/a']), 'rm -rf');
    tt.deepEqual(k.fs.readdirSync('/').sort(), ['lost+found', 'sorted', 't.tar', 'tree', 'x']);
    ok(run(url, ['cp', '-a', '/rump/tree', join(dir, 'out')]), 'cp -a out');
    tt.deepEqual(snapshot(fs, join(dir, 'out')), want);
  } finally {
    await stop();
  }
  const f = fsck(img);
  tt.is(f.status, 0, f.out);
  fs.rmSync(dir, { recursive: true });
});

t('sh pipelines share kernel descriptors across fork and exec; redirections onto kernel files', async (tt) => {
  const { dir, img } = mkimage();
  const { k, url, stop } = await server(img, dir);
  try {
    // fd 3 opened on a kernel file by the shell, written by the shell, a
    // subshell (fork), ls and another sh (exec), then closed
    const r = sh(url, 'exec 3>/rump/log; echo one >&3; (echo two >&3); ls /rump >&3; sh -c "echo three >&3"; exec 3>&-; cat /rump/log');
    tt.is(r.status, 0, r.err);
    tt.is(r.out, 'one\ntwo\nlog\nlost+found\nthree\n');
    tt.is(k.fs.readFileSync('/log', 'utf8'), 'one\ntwo\nlog\nlost+found\nthree\n');
    const p = sh(url, 'seq 1 200 > /rump/nums && sort -rn < /rump/nums | head -3 > /rump/top && cat /rump/nums | wc -l');
    tt.is(p.status, 0, p.err);
    tt.is(p.out.trim(), '200');
    tt.is(k.fs.readFileSync('/top', 'utf8'), '200\n199\n198\n');
    // a pipe between two processes that both hold kernel files
    const q = sh(url, 'cat /rump/nums /rump/top | sha256sum > /rump/sum');
    tt.is(q.status, 0, q.err);
    const want = spawnSync('sh', ['-c', '{ seq 1 200; printf "200\\n199\\n198\\n"; } | sha256sum'], { encoding: 'utf8' }).stdout;
    tt.is(k.fs.readFileSync('/sum', 'utf8'), want);
  } finally {
    await stop();
  }
  const f = fsck(img);
  tt.is(f.status, 0, f.out);
  fs.rmSync(dir, { recursive: true });
});

t('posix_spawn with kernel files as the child stdin and stdout (python3 subprocess)', async (tt) => {
  if (missing('/usr/bin/python3')) return tt.pass('python3 is not installed');
  const { dir, img } = mkimage();
  const { k, url, stop } = await server(img, dir);
  try {
    k.fs.writeFileSync('/in', 'c\na\nb\n');
    const r = run(url, ['/usr/bin/python3', '-c', `import os, subprocess
with open('/rump/in') as i, open('/rump/out', 'w') as o:
    print(subprocess.run(['sort'], stdin=i, stdout=o).returncode)
print(os.posix_spawnp(os.getpid() and 'true', ['true'], os.environ) > 0)`]);
    tt.is(r.status, 0, r.err);
    tt.is(r.out, '0\nTrue\n');
    tt.is(k.fs.readFileSync('/out', 'utf8'), 'a\nb\nc\n');
  } finally {
    await stop();
  }
  fs.rmSync(dir, { recursive: true });
});

t('rumpkit run --server: the program reaches the server, its status passes through', async (tt) => {
  const { dir, img } = mkimage();
  const { k, url, stop } = await server(img, dir);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--server', url, '--',
      'sh', '-c', 'echo via-run > /rump/run.txt; ls /rump | wc -l; exit 3'],
    { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
    tt.is(r.status, 3, r.stderr);
    tt.is(r.stdout.trim(), '2');
    tt.is(k.fs.readFileSync('/run.txt', 'utf8'), 'via-run\n');
  } finally {
    await stop();
  }
  fs.rmSync(dir, { recursive: true });
});

t('sqlite3 against a server: a database on the image, integrity_check ok, e2fsck clean', async (tt) => {
  if (missing('sqlite3')) return tt.pass('sqlite3 is not installed');
  const { dir, img } = mkimage(64);
  const { k, url, stop } = await server(img, dir);
  try {
    const r = run(url, ['sqlite3', '/rump/db.sqlite'], `create table t(a integer primary key, b text);
      with recursive n(x) as (select 1 union all select x + 1 from n where x < 10000)
      insert into t(b) select printf('row %d', x) from n;
      select count(*), sum(a) from t;
      pragma integrity_check;`);
    tt.is(r.status, 0, r.err);
    tt.is(r.out, '10000|50005000\nok\n');
    tt.is(k.fs.readFileSync('/db.sqlite').subarray(0, 15).toString(), 'SQLite format 3');
  } finally {
    await stop();
  }
  const f = fsck(img);
  tt.is(f.status, 0, f.out);
  fs.rmSync(dir, { recursive: true });
});

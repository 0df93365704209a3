// Unmodified programs (Debian's own coreutils, tar, find, sqlite3, sh,
// python3) on /rump paths served by a kernel inside the program (local
// mode), each with the kernel's view of the ext2 image checked afterwards
// from here and the image passing e2fsck -fn.
import test from 'ava';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fsck, inspect, makeTree, missing, mkimage, runOn, snapshot } from './hijack-helpers.js';

const why = missing('mke2fs', 'e2fsck');
const t = why ? test.skip : test.serial;
if (why) test('hijack tests need the library and e2fsprogs', (tt) => tt.pass(`skipped: ${why}`));

function ok(tt: { is: (a: unknown, b: unknown, m?: string) => void }, r: { status: number; err: string }, what: string) {
  tt.is(r.status, 0, `${what}: ${r.err}`);
}

function clean(img: string, tt: { is: (a: unknown, b: unknown, m?: string) => void }) {
  const f = fsck(img);
  tt.is(f.status, 0, f.out);
}

t('mkdir -p and ls -laR: the directories are in the image', (tt) => {
  const { dir, img } = mkimage();
  ok(tt, runOn(img, ['mkdir', '-p', '/rump/a/b/c', '/rump/x']), 'mkdir');
  const ls = runOn(img, ['ls', '-laR', '/rump']);
  ok(tt, ls, 'ls');
  tt.regex(ls.out, /^\/rump\/a\/b:$/m);
  tt.regex(ls.out, /^drwxr-xr-x .* c$/m);
  tt.regex(ls.out, /lost\+found/);
  inspect(img, (k) => {
    tt.true(k.fs.statSync('/mnt/a/b/c').isDirectory());
    tt.deepEqual(k.fs.readdirSync('/mnt').sort(), ['a', 'lost+found', 'x']);
  });
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('cp -a of a tree in and out: the same tree on the host, in the kernel and back', (tt) => {
  const { dir, img } = mkimage();
  const src = join(dir, 'src');
  makeTree(src);
  ok(tt, runOn(img, ['cp', '-a', src, '/rump/tree']), 'cp in');
  const want = snapshot(fs, src);
  inspect(img, (k) => {
    tt.deepEqual(snapshot(k.fs as never, '/mnt/tree'), want);
    const a = k.fs.statSync('/mnt/tree/f.txt');
    const b = k.fs.statSync('/mnt/tree/hard');
    tt.is(a.ino, b.ino, 'cp -a keeps hard links');
    tt.is(k.fs.statSync('/mnt/tree/d/a.txt').mtimeMs, fs.statSync(join(src, 'd/a.txt')).mtimeMs);
  });
  ok(tt, runOn(img, ['cp', '-a', '/rump/tree', join(dir, 'out')]), 'cp out');
  tt.deepEqual(snapshot(fs, join(dir, 'out')), want);
  tt.is(spawnSync('diff', ['-r', '--no-dereference', src, join(dir, 'out')]).status, 0);
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('cat, stat, du, find, sha256sum and sort read kernel files', (tt) => {
  const { dir, img } = mkimage();
  const src = join(dir, 'src');
  makeTree(src);
  ok(tt, runOn(img, ['cp', '-a', src, '/rump/t']), 'cp');
  tt.is(runOn(img, ['cat', '/rump/t/f.txt', '/rump/t/d/sub/deep/z.txt']).out, 'hello\nzz');
  const st = runOn(img, ['stat', '-c', '%s %a %F %h', '/rump/t/d/b.bin', '/rump/t/secret', '/rump/t/f.txt']);
  tt.is(st.out, '70000 644 regular file 1\n1 600 regular file 1\n6 644 regular file 2\n');
  const du = runOn(img, ['du', '-s', '--apparent-size', '-B1', '/rump/t/d']);
  ok(tt, du, 'du');
  const total = inspect(img, (k) => {
    let n = 0;
    const walk = (p: string) => {
      const s = k.fs.lstatSync(p);
      n += Number(s.size);
      if (s.isDirectory()) for (const c of k.fs.readdirSync(p)) walk(`${p}/${c}`);
    };
    walk('/mnt/t/d');
    return n;
  });
  tt.is(du.out, `${total}\t/rump/t/d\n`);
  const find = runOn(img, ['find', '/rump/t', '-name', '*.txt']);
  tt.deepEqual(find.out.trim().split('\n').sort(), ['/rump/t/d/a.txt', '/rump/t/d/sub/deep/z.txt', '/rump/t/f.txt']);
  const sum = runOn(img, ['sha256sum', '/rump/t/big']).out.split(' ')[0];
  tt.is(sum, spawnSync('sha256sum', [join(src, 'big')], { encoding: 'utf8' }).stdout.split(' ')[0]);
  fs.writeFileSync(join(dir, 'nums'), Array.from({ length: 2000 }, (_, i) => `${(i * 37) % 2000}\n`).join(''));
  ok(tt, runOn(img, ['cp', join(dir, 'nums'), '/rump/nums']), 'cp nums');
  const sorted = runOn(img, ['sort', '-n', '/rump/nums']);
  tt.is(sorted.out, Array.from({ length: 2000 }, (_, i) => `${i}\n`).join(''));
  // -o: the output file becomes fd 1 (dup2 onto a host number), and stdout's FILE follows it
  ok(tt, runOn(img, ['sort', '-rn', '/rump/nums', '-o', '/rump/sorted']), 'sort -o');
  inspect(img, (k) => tt.is(k.fs.readFileSync('/mnt/sorted', 'utf8'),
    Array.from({ length: 2000 }, (_, i) => `${1999 - i}\n`).join('')));
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('mv and rm -rf change the image', (tt) => {
  const { dir, img } = mkimage();
  makeTree(join(dir, 'src'));
  ok(tt, runOn(img, ['cp', '-a', join(dir, 'src'), '/rump/t']), 'cp');
  ok(tt, runOn(img, ['mv', '/rump/t/d', '/rump/moved']), 'mv dir');
  ok(tt, runOn(img, ['mv', '/rump/t/f.txt', '/rump/t/g.txt']), 'mv file');
  ok(tt, runOn(img, ['mv', join(dir, 'src', 'secret'), '/rump/from-host']), 'mv across (copy + unlink)');
  tt.false(fs.existsSync(join(dir, 'src', 'secret')));
  inspect(img, (k) => {
    tt.true(k.fs.existsSync('/mnt/moved/sub/deep/z.txt'));
    tt.false(k.fs.existsSync('/mnt/t/d'));
    tt.is(k.fs.readFileSync('/mnt/t/g.txt', 'utf8'), 'hello\n');
    tt.is(k.fs.statSync('/mnt/from-host').mode & 0o777, 0o600);
  });
  ok(tt, runOn(img, ['rm', '-rf', '/rump/t', '/rump/moved']), 'rm -rf');
  inspect(img, (k) => tt.deepEqual(k.fs.readdirSync('/mnt').sort(), ['from-host', 'lost+found']));
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('tar c and tar x: an archive written to and unpacked in the kernel', (tt) => {
  const { dir, img } = mkimage();
  const src = join(dir, 'src');
  makeTree(src);
  ok(tt, runOn(img, ['tar', 'cf', '/rump/a.tar', '-C', dir, 'src']), 'tar c from the host');
  ok(tt, runOn(img, ['mkdir', '/rump/x']), 'mkdir');
  ok(tt, runOn(img, ['tar', 'xf', '/rump/a.tar', '-C', '/rump/x']), 'tar x in the kernel');
  ok(tt, runOn(img, ['tar', 'cf', join(dir, 'back.tar'), '-C', '/rump/x', 'src']), 'tar c from the kernel');
  fs.mkdirSync(join(dir, 'back'));
  tt.is(spawnSync('tar', ['xf', join(dir, 'back.tar'), '-C', join(dir, 'back')]).status, 0);
  const want = snapshot(fs, src);
  tt.deepEqual(snapshot(fs, join(dir, 'back', 'src')), want);
  inspect(img, (k) => tt.deepEqual(snapshot(k.fs as never, '/mnt/x/src'), want));
  const list = runOn(img, ['tar', 'tf', '/rump/a.tar']);
  tt.true(list.out.split('\n').includes('src/d/sub/deep/z.txt'));
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('sqlite3: a database on the image, filled, queried, integrity_check ok', (tt) => {
  if (missing('sqlite3')) return tt.pass('sqlite3 is not installed');
  const { dir, img } = mkimage(64);
  const sql = `create table t(a integer primary key, b text, c blob);
    with recursive n(x) as (select 1 union all select x + 1 from n where x < 20000)
    insert into t(b, c) select printf('row %d', x), randomblob(100) from n;
    create index tb on t(b);
    delete from t where a % 3 = 0;
    select count(*), sum(a) from t;
    pragma integrity_check;`;
  const r = runOn(img, ['sqlite3', '/rump/db.sqlite'], { input: sql });
  ok(tt, r, 'sqlite3');
  tt.is(r.out, '13334|133346667\nok\n');
  const q = runOn(img, ['sqlite3', '/rump/db.sqlite', "select b from t where b = 'row 12346'; pragma integrity_check;"]);
  tt.is(q.out, 'row 12346\nok\n');
  inspect(img, (k) => {
    const db = k.fs.readFileSync('/mnt/db.sqlite');
    tt.is(db.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    tt.false(k.fs.existsSync('/mnt/db.sqlite-journal'));
  });
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('sh: exec hands the image to the next program; fork fails with a clear message', (tt) => {
  const { dir, img } = mkimage();
  ok(tt, runOn(img, ['sh', '-c', 'cd /rump && exec mkdir made-by-exec']), 'sh exec');
  inspect(img, (k) => tt.true(k.fs.statSync('/mnt/made-by-exec').isDirectory()));
  const r = runOn(img, ['sh', '-c', 'ls /rump | wc -l']);
  tt.not(r.status, 0);
  tt.regex(r.err, /rumphijack: fork is not available in local mode/);
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

const PY = '/usr/bin/python3';
const py = (img: string, code: string, o: Parameters<typeof runOn>[2] = {}) => runOn(img, [PY, '-c', code], o);

t('descriptors: kernel fds from fdoff, dup2 onto 1, close, RUMPHIJACK fdoff and blanket', (tt) => {
  if (missing(PY)) return tt.pass('python3 is not installed');
  const { dir, img } = mkimage();
  const r = py(img, `import os
fd = os.open('/rump/out', os.O_CREAT | os.O_WRONLY, 0o640)
print(fd, flush=True)
saved = os.dup(1)
os.dup2(fd, 1)
os.write(1, b'through fd 1\\n')
print('by print', flush=True)
os.dup2(saved, 1)
os.close(fd)
try:
    os.fstat(fd)
except OSError as e:
    print('closed', e.errno)
print(open('/rump/out').read(), end='')
`);
  ok(tt, r, 'python3');
  tt.is(r.out, '128\nclosed 9\nthrough fd 1\nby print\n');
  const b = py(img, `import os
fd = os.open('/data/x', os.O_CREAT | os.O_WRONLY, 0o600)
os.write(fd, b'blanket')
print(fd)
print(sorted(os.listdir('/data')))`, { images: [`ext2:${img}:/data`], rumphijack: 'blanket=/data,fdoff=300' });
  ok(tt, b, 'blanket');
  tt.is(b.out, "300\n['lost+found', 'out', 'x']\n");
  inspect(img, (k) => {
    tt.is(k.fs.readFileSync('/mnt/out', 'utf8'), 'through fd 1\nby print\n');
    tt.is(k.fs.statSync('/mnt/out').mode & 0o777, 0o640);
    tt.is(k.fs.readFileSync('/mnt/x', 'utf8'), 'blanket');
  });
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('chdir into /rump: relative paths, getcwd and fchdir follow the kernel', (tt) => {
  if (missing(PY)) return tt.pass('python3 is not installed');
  const { dir, img } = mkimage();
  const r = py(img, `import os
os.makedirs('/rump/w/sub')
os.chdir('/rump/w')
print(os.getcwd())
open('rel.txt', 'w').write('relative')
os.chdir('sub')
print(os.getcwd(), sorted(os.listdir('..')))
os.chdir('/tmp')
print(os.path.exists('rel.txt'))
d = os.open('/rump/w', os.O_RDONLY)
os.fchdir(d)
print(os.getcwd(), open('rel.txt').read())`);
  ok(tt, r, 'python3');
  tt.is(r.out, "/rump/w\n/rump/w/sub ['rel.txt', 'sub']\nFalse\n/rump/w relative\n");
  inspect(img, (k) => tt.is(k.fs.readFileSync('/mnt/w/rel.txt', 'utf8'), 'relative'));
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('mmap of kernel files: private copies, shared writes written back', (tt) => {
  if (missing(PY)) return tt.pass('python3 is not installed');
  const { dir, img } = mkimage();
  const r = py(img, `import mmap, os
fd = os.open('/rump/m', os.O_CREAT | os.O_RDWR)
os.write(fd, b'a' * 10000)
m = mmap.mmap(fd, 10000)
print(m[:3], m[9999:])
m[0:5] = b'HELLO'
m.flush()
m.close()
p = mmap.mmap(fd, 0, flags=mmap.MAP_PRIVATE)
p[0:1] = b'x'
p.close()
os.close(fd)
print(open('/rump/m', 'rb').read(6))`);
  ok(tt, r, 'python3');
  tt.is(r.out, "b'aaa' b'a'\nb'HELLOa'\n");
  inspect(img, (k) => {
    const b = k.fs.readFileSync('/mnt/m');
    tt.is(b.length, 10000);
    tt.is(b.subarray(0, 6).toString(), 'HELLOa');
  });
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

t('select, poll and epoll over kernel sockets and host pipes together', (tt) => {
  if (missing(PY)) return tt.pass('python3 is not installed');
  const { dir, img } = mkimage();
  const r = py(img, `import os, select, socket
a, b = socket.socketpair()
print(a.fileno() >= 128)
rp, wp = os.pipe()
print(select.select([a, rp], [], [], 0)[0])
b.send(b'k')
os.write(wp, b'h')
r = select.select([a, rp], [], [], 5)[0]
print(len(r) == 2 and a in r and rp in r)
p = select.poll()
p.register(a, select.POLLIN)
p.register(rp, select.POLLIN)
print(len(p.poll(5000)))
a.recv(1); os.read(rp, 1)
e = select.epoll()
e.register(a.fileno(), select.EPOLLIN)
e.register(rp, select.EPOLLIN)
print(e.poll(0.01))
os.write(wp, b'h')
print([fd == rp for fd, ev in e.poll(5)])
b.send(b'k')
os.read(rp, 1)
print([fd == a.fileno() for fd, ev in e.poll(5)])`, { rumphijack: 'path=/rump,socket=all' });
  ok(tt, r, 'python3');
  tt.is(r.out, 'True\n[]\nTrue\n2\n[]\n[True]\n[True]\n');
  fs.rmSync(dir, { recursive: true });
});

t('rumpkit run: passes the exit status and --env through, boots from --image', (tt) => {
  const { dir, img } = mkimage();
  const cli = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', ...a],
    { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
  const r = cli('--image', `ext2:${img}:/`, '--env', 'GREETING=hi', '--', 'sh', '-c', 'echo $GREETING > /rump/g; exit 7');
  tt.is(r.status, 7, r.stderr);
  inspect(img, (k) => tt.is(k.fs.readFileSync('/mnt/g', 'utf8'), 'hi\n'));
  tt.is(cli('--', 'false').status, 1);
  tt.is(cli('--', 'no-such-program-here').status, 127);
  tt.is(cli('--bogus').status, 2);
  clean(img, tt);
  fs.rmSync(dir, { recursive: true });
});

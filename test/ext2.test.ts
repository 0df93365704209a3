// k.mount / k.unmount with a read-write ext2 image made by the real mke2fs -d:
// files written through k.fs read back, survive an unmount and a new mount,
// and the real e2fsck -fn finds nothing to fix.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { Kernel, RumpError } from '../src/index.js';

function mkimage(dir: string): string {
  nodefs.mkdirSync(`${dir}/tree/sub`, { recursive: true });
  nodefs.writeFileSync(`${dir}/tree/hello.txt`, 'hello');
  const img = `${dir}/disk.img`;
  const r = spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-b', '1024', '-d', `${dir}/tree`, img, '16M'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mke2fs: ${r.stderr}`);
  return img;
}

/** A kernel (halted after the test) with a fresh image attached as /dev/ld0 and a /mnt. */
function withImage(t: ExecutionContext): { k: Kernel; img: string } {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-ext2-ts-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const img = mkimage(dir);
  const k = Kernel.bootSync();
  t.teardown(() => k.haltSync());
  k.disks.attach({ key: '/dev/ld0', path: img });
  k.fs.mkdirSync('/mnt');
  return { k, img };
}

test('k.mount ext2 read-write, k.fs writes, k.unmount, e2fsck -fn clean', (t) => {
  const { k, img } = withImage(t);
  k.mount('ext2', '/mnt', { device: '/dev/ld0' });
  t.is(k.fs.readFileSync('/mnt/hello.txt', 'utf8'), 'hello');
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  k.fs.writeFileSync('/mnt/sub/big.bin', big);
  k.fs.mkdirSync('/mnt/new/deeper', { recursive: true });
  k.fs.writeFileSync('/mnt/new/deeper/x', 'x');
  k.fs.renameSync('/mnt/hello.txt', '/mnt/new/hello.txt');
  k.fs.symlinkSync('new/hello.txt', '/mnt/link');
  t.deepEqual(k.fs.readFileSync('/mnt/sub/big.bin'), big);
  k.unmount('/mnt');
  t.throws(() => k.unmount('/mnt'), { instanceOf: RumpError, code: 'EINVAL' });
  const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  t.is(fsck.status, 0, fsck.stdout + fsck.stderr);
  k.mount('ext2', '/mnt', { device: '/dev/ld0', readOnly: true });
  t.deepEqual(k.fs.readFileSync('/mnt/sub/big.bin'), big);
  t.is(k.fs.readFileSync('/mnt/link', 'utf8'), 'hello');
  t.throws(() => k.fs.writeFileSync('/mnt/y', 'y'), { instanceOf: RumpError, code: 'EROFS' });
  k.unmount('/mnt');
  t.throws(() => k.mount('nofs', '/mnt'), { instanceOf: RumpError, code: 'ENODEV' });
  t.throws(() => k.mount('ext2', '/mnt', { readOnly: 1 as unknown as boolean }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('k.mount options: access times (relatime, noatime, strictatime), noExec, statfs flags', (t) => {
  const { k, img } = withImage(t);
  const old = new Date('2001-02-03T04:05:06Z');
  const readMoves = (): boolean => {
    k.fs.utimesSync('/mnt/hello.txt', old, old);
    k.fs.readFileSync('/mnt/hello.txt');
    return k.fs.statSync('/mnt/hello.txt').atimeMs !== old.getTime();
  };
  k.mount('ext2', '/mnt', { device: '/dev/ld0' });
  t.true(readMoves());
  k.unmount('/mnt');
  k.mount('ext2', '/mnt', { device: '/dev/ld0', atime: 'noatime', noExec: true });
  t.false(readMoves());
  const ST_NOEXEC = 8, ST_NOATIME = 1024, ST_RELATIME = 4096;	// statvfs(3)'s f_flag bits
  t.is(k.sys.statfs('/mnt').f_flags & (ST_NOATIME | ST_NOEXEC | ST_RELATIME), ST_NOATIME | ST_NOEXEC);
  k.unmount('/mnt');
  k.mount('ext2', '/mnt', { device: '/dev/ld0', atime: 'strictatime' });
  const future = new Date(Date.now() + 3_600_000);
  k.fs.utimesSync('/mnt/hello.txt', future, old);
  k.fs.readFileSync('/mnt/hello.txt');
  t.not(k.fs.statSync('/mnt/hello.txt').atimeMs, future.getTime());
  k.unmount('/mnt');
  t.throws(() => k.mount('ext2', '/mnt', { device: '/dev/ld0', atime: 'sometimes' as 'noatime' }),
    { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => k.mount('ext2', '/mnt', { device: '/dev/ld0', noExec: 'yes' as unknown as boolean }),
    { code: 'ERR_INVALID_ARG_TYPE' });
});

test('a mounted device: a second k.mount gives EBUSY, k.disks.detach gives EBUSY until k.unmount', (t) => {
  const { k, img } = withImage(t);
  k.fs.mkdirSync('/mnt2');
  k.mount('ext2', '/mnt', { device: '/dev/ld0' });
  t.throws(() => k.mount('ext2', '/mnt', { device: '/dev/ld0' }), { instanceOf: RumpError, code: 'EBUSY' });
  t.throws(() => k.mount('ext2', '/mnt2', { device: '/dev/ld0', readOnly: true }), { instanceOf: RumpError, code: 'EBUSY' });
  t.throws(() => k.disks.detach('/dev/ld0'), { instanceOf: RumpError, code: 'EBUSY' });
  k.fs.writeFileSync('/mnt/new.txt', 'written before detach');
  k.unmount('/mnt');
  k.disks.detach('/dev/ld0');
  t.deepEqual(k.disks.list(), []);
  const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  t.is(fsck.status, 0, fsck.stdout + fsck.stderr);
  // attached again (read-only), the file is there
  k.disks.attach({ key: '/dev/ld0', path: img, readOnly: true });
  k.mount('ext2', '/mnt2', { device: '/dev/ld0', readOnly: true });
  t.is(k.fs.readFileSync('/mnt2/new.txt', 'utf8'), 'written before detach');
  k.unmount('/mnt2');
});

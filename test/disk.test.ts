// Disks from TypeScript: attached at boot and later, partitions, read-only
// disks, etfs files, buffer-cache statistics, and errors as RumpError.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Kernel, RumpError, constants } from '../src/index.js';

const { errno: E } = constants;
const O_RDONLY = 0;
const O_RDWR = 2;
const SEEK_END = 2;

function image(t: { teardown(fn: () => void): void }, size: number, fill = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'rumpkit-disk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'disk.img');
  writeFileSync(path, Buffer.alloc(size, fill));
  return path;
}

test('a disk attached at boot: sectors read and written reach the host file', (t) => {
  const path = image(t, 64 * 1024, 7);
  const k = Kernel.bootSync({ disks: [{ key: '/dev/ld0', path }] });
  t.deepEqual(k.disks.list(), [{ key: '/dev/ld0', path, readOnly: false, offset: 0, size: undefined }]);
  const st = k.fs.statSync('/dev/ld0');
  t.true(st.isBlockDevice());
  t.is(st.size, 0);
  const fd = k.sys.open('/dev/ld0', O_RDWR, 0);
  t.is(k.sys.lseek(fd, 0, SEEK_END), 64 * 1024);
  const buf = Buffer.alloc(512);
  t.is(k.sys.pread64(fd, buf, 512, 1024), 512);
  t.is(buf[0], 7);
  t.is(k.sys.pwrite64(fd, Buffer.alloc(512, 0x42), 512, 4096), 512);
  t.is(k.sys.pread64(fd, buf, 512, 64 * 1024 - 100), 100);
  const e = t.throws(() => k.sys.pwrite64(fd, buf, 1, 64 * 1024), { instanceOf: RumpError });
  t.is(e?.code, 'ENOSPC');
  k.sys.close(fd);
  k.haltSync();
  const host = readFileSync(path);
  t.is(host[4096], 0x42);
  t.is(host[4096 + 511], 0x42);
  t.is(host[4096 + 512], 7);
});

test('disks attached later, partitions and read-only disks', (t) => {
  const path = image(t, 128 * 1024);
  const k = Kernel.bootSync();
  k.disks.attach({ key: '/dev/ld0', path, readOnly: true });
  k.disks.attach({ key: '/dev/ld1', path, offset: 65536, size: 4096 });
  t.is(k.disks.list().length, 2);
  const ro = t.throws(() => k.sys.open('/dev/ld0', O_RDWR, 0), { instanceOf: RumpError });
  t.is(ro?.errno, -E.EACCES);
  k.sys.close(k.sys.open('/dev/ld0', O_RDONLY, 0));
  const fd = k.sys.open('/dev/ld1', O_RDWR, 0);
  t.is(k.sys.lseek(fd, 0, SEEK_END), 4096);
  t.is(k.sys.pwrite64(fd, Buffer.from('part'), 4, 0), 4);
  k.sys.fsync(fd);
  k.sys.close(fd);
  t.is(readFileSync(path).subarray(65536, 65540).toString(), 'part');
  const dup = t.throws(() => k.disks.attach({ key: '/dev/ld1', path }), { instanceOf: RumpError });
  t.is(dup?.code, 'EEXIST');
  t.is(k.disks.list().length, 2);
  const missing = t.throws(() => k.disks.attach({ key: '/dev/ld2', path: '/nonexistent/x' }));
  t.is((missing as RumpError).code, 'ENOENT');
  t.throws(() => k.disks.attach({ key: '/dev/ld3', path, offset: 512 }), { instanceOf: TypeError });
  t.throws(() => k.disks.attach({ key: 3 } as never), { instanceOf: TypeError });
  k.haltSync();
});

test('a bad disk at boot fails the boot', (t) => {
  const live = Kernel.liveKernels();
  t.throws(() => Kernel.bootSync({ disks: [{ key: '/dev/ld0', path: '/nonexistent/x' }] }), { instanceOf: RumpError });
  t.is(Kernel.liveKernels(), live);
});

test('etfs: a host file at a kernel path', (t) => {
  const path = image(t, 0);
  writeFileSync(path, 'hello host');
  const k = Kernel.bootSync();
  k.etfs.register('/tmp/host.txt', path);
  t.is(k.fs.readFileSync('/tmp/host.txt', 'utf8'), 'hello host');
  k.fs.appendFileSync('/tmp/host.txt', '!');
  t.is(readFileSync(path, 'utf8'), 'hello host!');
  t.is(k.fs.statSync('/tmp/host.txt').size, 11);
  k.etfs.register('/dev/hb0', path, 'blockDevice');
  t.true(k.fs.statSync('/dev/hb0').isBlockDevice());
  t.throws(() => k.etfs.register('/x', path, 'dir' as never), { instanceOf: TypeError });
  k.haltSync();
});

test('statistics of the buffer cache', (t) => {
  const k = Kernel.bootSync();
  const s = k.stats();
  t.is(s.buffers, 0);
  t.is(s.dirtyBuffers, 0);
  t.false(s.flusherRunning);
  k.haltSync();
});

test('detach: EBUSY while open, then the node and the host file go; list() follows', (t) => {
  const path = image(t, 64 * 1024, 1);
  const k = Kernel.bootSync({ disks: [{ key: '/dev/ld0', path }, { key: '/dev/ld1', path, readOnly: true }] });
  const fd = k.sys.open('/dev/ld0', O_RDWR, 0);
  const busy = t.throws(() => k.disks.detach('/dev/ld0'), { instanceOf: RumpError });
  t.is(busy?.code, 'EBUSY');
  t.is(busy?.errno, -E.EBUSY);
  t.is(k.sys.pwrite64(fd, Buffer.from('bye'), 3, 0), 3);
  k.sys.close(fd);
  k.disks.detach('/dev/ld0');
  t.deepEqual(k.disks.list().map((d) => d.key), ['/dev/ld1']);
  t.false(k.fs.existsSync('/dev/ld0'));
  t.is(readFileSync(path).subarray(0, 3).toString(), 'bye');
  const gone = t.throws(() => k.disks.detach('/dev/ld0'), { instanceOf: RumpError });
  t.is(gone?.code, 'ENOENT');
  t.throws(() => k.disks.detach(7 as never), { instanceOf: TypeError });
  // the key is free again
  k.disks.attach({ key: '/dev/ld0', path });
  t.true(k.fs.statSync('/dev/ld0').isBlockDevice());
  k.etfs.register('/etc-file', path);
  t.is((t.throws(() => k.disks.detach('/etc-file'), { instanceOf: RumpError }))?.code, 'EINVAL');
  k.haltSync();
});

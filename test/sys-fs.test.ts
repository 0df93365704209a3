// The file-system system calls from TypeScript: paths as strings and bytes,
// errors naming their paths, structs, I/O vectors, pipes and poll.
import test from 'ava';
import { Kernel, RumpError, constants, decodeEpollEvent } from '../src/index.js';

const { fcntl: F, fs: S, poll: P, epoll: E } = constants;

test('errors name their paths as node:fs errors do', (t) => {
  const k = Kernel.bootSync();
  const e = t.throws<RumpError>(() => k.sys.open('/nope/x', F.O_RDONLY, 0), { code: 'ENOENT' });
  t.is(e.message, "ENOENT: no such file or directory, open '/nope/x'");
  t.is(e.path, '/nope/x');
  k.sys.mkdir('/a', 0o755);
  k.sys.mkdir('/b', 0o755);
  k.sys.close(k.sys.open('/b/f', F.O_CREAT | F.O_WRONLY, 0o644));
  const r = t.throws<RumpError>(() => k.sys.rename('/a', '/b'), { code: 'ENOTEMPTY' });
  t.is(r.message, "ENOTEMPTY: directory not empty, rename '/a' -> '/b'");
  t.is(r.dest, '/b');
  t.throws(() => k.sys.open('a\u0000b', 0, 0), { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => k.sys.open(42 as unknown as string, 0, 0), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => k.sys.open('x'.repeat(5000), 0, 0), { code: 'ENAMETOOLONG' });
  k.haltSync();
});

test('paths as bytes, stat as a struct, data through I/O vectors', (t) => {
  const k = Kernel.bootSync();
  const fd = k.sys.open(Buffer.from('/tmp/file'), F.O_CREAT | F.O_RDWR, 0o640);
  t.is(k.sys.writev(fd, [Buffer.from('hello, '), new Uint8Array([119, 111, 114, 108, 100])]), 12);
  const st = k.sys.fstat(fd);
  t.is(st.st_size, 12);
  t.is(st.st_mode, S.S_IFREG | 0o640 & ~0o022);
  t.is(st.st_nlink, 1);
  const a = Buffer.alloc(5);
  const b = Buffer.alloc(7);
  t.is(k.sys.preadv(fd, [a, b], 2, 0, 0), 12);
  t.is(`${a}${b}`, 'hello, world');
  t.is(k.sys.lseek(fd, 0, S.SEEK_END), 12);
  const sx = k.sys.statx(F.AT_FDCWD, '/tmp/file', 0, S.STATX_BASIC_STATS);
  t.is(sx.stx_size, 12);
  t.is(sx.stx_mode & 0o7777, 0o640);
  t.is(k.sys.statfs('/').f_type, S.TMPFS_MAGIC);
  k.sys.utimensat(F.AT_FDCWD, '/tmp/file', [{ tv_sec: 1000, tv_nsec: 5 }, { tv_sec: 2000, tv_nsec: 7 }], 0);
  const st2 = k.sys.stat('/tmp/file');
  t.is(st2.st_mtime_sec, 2000);
  t.is(st2.st_mtime_nsec, 7);
  t.is(st2.st_atime_sec, 1000);
  k.haltSync();
});

test('pipes: non-blocking on the event loop, poll readiness, FIONREAD', (t) => {
  const k = Kernel.bootSync();
  const fds = new Int32Array(2);
  k.sys.pipe2(fds, 0);
  const [r, w] = [fds[0]!, fds[1]!];
  const pfd = new Int16Array([r, 0, P.POLLIN, 0]);
  t.is(k.sys.poll(pfd, 1, 0), 0);
  t.throws(() => k.sys.read(r, Buffer.alloc(4)), { code: 'EAGAIN' });
  t.is(k.sys.write(w, Buffer.from('abc')), 3);
  t.is(k.sys.ioctl_int(r, S.FIONREAD, 0), 3);
  t.is(k.sys.poll(pfd, 1, 1000), 1);
  t.is(pfd[3]! & P.POLLIN, P.POLLIN);
  k.sys.close(w);
  const buf = Buffer.alloc(8);
  t.is(k.sys.read(r, buf), 3);
  t.is(k.sys.read(r, buf), 0, 'end of file once the writer is gone');
  k.haltSync();
});

test('epoll: packed events, level and edge triggering, EAGAIN on the event loop', (t) => {
  const k = Kernel.bootSync();
  const fds = new Int32Array(2);
  k.sys.pipe2(fds, F.O_NONBLOCK);
  const [r, w] = [fds[0]!, fds[1]!];
  const ep = k.sys.epoll_create1(E.EPOLL_CLOEXEC);
  k.sys.epoll_ctl(ep, E.EPOLL_CTL_ADD, r, { events: E.EPOLLIN, data: 0x1122334455667788n });
  t.true((E.EPOLLOUT | E.EPOLLET) < 0, "bit 31 makes JavaScript's | negative");
  k.sys.epoll_ctl(ep, E.EPOLL_CTL_ADD, w, { events: E.EPOLLOUT | E.EPOLLET, data: 7 });
  t.throws(() => k.sys.epoll_ctl(ep, E.EPOLL_CTL_ADD, r, { events: E.EPOLLIN, data: 0 }), { code: 'EEXIST' });
  t.throws(() => k.sys.epoll_ctl(ep, E.EPOLL_CTL_MOD, r, { events: -0x80000001, data: 0 }),
    { code: 'ERR_OUT_OF_RANGE' });
  const buf = new Uint8Array(12 * 4);
  const dv = new DataView(buf.buffer);
  t.is(k.sys.epoll_wait(ep, buf, 4, 0), 1);
  t.deepEqual(decodeEpollEvent(dv, 0), { events: E.EPOLLOUT, data: 7n });
  t.is(k.sys.epoll_wait(ep, buf, 4, 0), 0, 'an edge is reported once');
  t.throws(() => k.sys.epoll_wait(ep, buf, 4, 1000), { code: 'EAGAIN' }, 'the event loop never sleeps');
  k.sys.write(w, Buffer.from('x'));
  t.is(k.sys.epoll_wait(ep, buf, 4, -1), 1);
  t.deepEqual(decodeEpollEvent(dv, 0), { events: E.EPOLLIN, data: 0x1122334455667788n });
  t.is(k.sys.epoll_pwait(ep, buf, 4, 0, null), 1, 'level: again');
  k.sys.close(w);
  t.is(k.sys.epoll_wait(ep, buf, 4, 0), 1);
  t.is(decodeEpollEvent(dv, 0).events, E.EPOLLIN | E.EPOLLHUP);
  k.haltSync();
});

test('devices and a tmpfs mount with its own limits', (t) => {
  const k = Kernel.bootSync();
  const z = k.sys.open('/dev/zero', F.O_RDONLY, 0);
  const b = Buffer.alloc(16, 1);
  t.is(k.sys.read(z, b), 16);
  t.true(b.every((x) => x === 0));
  const full = k.sys.open('/dev/full', F.O_WRONLY, 0);
  t.throws(() => k.sys.write(full, b), { code: 'ENOSPC' });
  t.throws(() => k.sys.open('/dev/tty', F.O_RDWR, 0), { code: 'ENXIO' });
  k.sys.mkdir('/mnt', 0o755);
  k.sys.mount('tmpfs', '/mnt', 'tmpfs', 0, 'size=64k,nr_inodes=4');
  const fd = k.sys.open('/mnt/f', F.O_CREAT | F.O_WRONLY, 0o644);
  t.is(k.sys.write(fd, Buffer.alloc(128 * 1024)), 64 * 1024, 'a short write, as far as there was room');
  t.throws(() => k.sys.write(fd, Buffer.alloc(1)), { code: 'ENOSPC' });
  t.is(k.sys.fstat(fd).st_size, 64 * 1024);
  k.sys.ftruncate(fd, 0);
  t.is(k.sys.pwrite64(fd, Buffer.alloc(60 * 1024), 60 * 1024, 0), 60 * 1024);
  t.throws(() => k.sys.umount2('/mnt', 0), { code: 'EBUSY' });
  k.sys.close(fd);
  // four inodes: the root, f, and two directories
  for (let i = 0; i < 2; i++) k.sys.mkdir(`/mnt/d${i}`, 0o755);
  t.throws(() => k.sys.mkdir('/mnt/d2', 0o755), { code: 'ENOSPC' });
  t.throws(() => k.sys.link('/mnt/f', '/f2'), { code: 'EXDEV' });
  k.sys.umount2('/mnt', 0);
  t.throws(() => k.sys.stat('/mnt/f'), { code: 'ENOENT' });
  k.haltSync();
});

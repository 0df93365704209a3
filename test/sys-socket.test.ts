// The socket system calls from TypeScript: sockaddrs as bytes, value-result
// lengths, msghdrs with descriptors passed, options.
import test from 'ava';
import { Kernel, constants } from '../src/index.js';

const { socket: N } = constants;

// A sockaddr_un for path: the family, then the path and its NUL.
function sun(path: string): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(path) + 1);
  b.writeUInt16LE(N.AF_UNIX, 0);
  b.write(path, 2);
  return b;
}

test('a named listener, connect, accept and the names they give', (t) => {
  const k = Kernel.bootSync();
  const l = k.sys.socket(N.AF_UNIX, N.SOCK_STREAM, 0);
  k.sys.bind(l, sun('/srv'));
  k.sys.listen(l, 8);
  const c = k.sys.socket(N.AF_UNIX, N.SOCK_STREAM | N.SOCK_NONBLOCK, 0);
  k.sys.connect(c, sun('/srv'));
  const peer = Buffer.alloc(110);
  const a = k.sys.accept4(l, peer, N.SOCK_CLOEXEC);
  t.true(a.result > c);
  t.is(a.addrlen, 2);			// the connector is unnamed
  const name = Buffer.alloc(110);
  t.is(k.sys.getpeername(c, name).addrlen, 7);
  t.is(name.subarray(2, 6).toString(), '/srv');
  const short = Buffer.alloc(4);
  t.is(k.sys.getsockname(l, short).addrlen, 7);	// the real length
  t.is(k.sys.sendto(c, Buffer.from('ping'), 4, 0, null), 4);
  const buf = Buffer.alloc(16);
  const r = k.sys.recvfrom(a.result, buf, 16, 0, Buffer.alloc(110));
  t.is(r.result, 4);
  t.is(buf.subarray(0, 4).toString(), 'ping');
  t.throws(() => k.sys.recvfrom(c, buf, 16, N.MSG_DONTWAIT, null), { code: 'EAGAIN' });
  t.throws(() => k.sys.socket(N.AF_INET6, N.SOCK_STREAM, 0), { code: 'EAFNOSUPPORT' });
  k.haltSync();
});

test('options with value-result lengths; a descriptor passed in a msghdr', (t) => {
  const k = Kernel.bootSync();
  const sv = new Int32Array(2);
  k.sys.socketpair(N.AF_UNIX, N.SOCK_DGRAM, 0, sv);
  const v = new Int32Array([50000]);
  k.sys.setsockopt(sv[0]!, N.SOL_SOCKET, N.SO_SNDBUF, v);
  const out = new Int32Array(1);
  t.is(k.sys.getsockopt(sv[0]!, N.SOL_SOCKET, N.SO_SNDBUF, out).optlen, 4);
  t.is(out[0], 100000);
  const p = new Int32Array(2);
  k.sys.pipe(p);
  // one cmsghdr: len (8 bytes), level, type, then the descriptor
  const ctl = Buffer.alloc(24);
  ctl.writeBigUInt64LE(20n, 0);
  ctl.writeInt32LE(N.SOL_SOCKET, 8);
  ctl.writeInt32LE(N.SCM_RIGHTS, 12);
  ctl.writeInt32LE(p[0]!, 16);
  t.is(k.sys.sendmsg(sv[0]!, { iov: [Buffer.from('fd')], control: ctl }, 0), 2);
  k.sys.close(p[0]!);
  const got = Buffer.alloc(4);
  const rctl = Buffer.alloc(64);
  const m = k.sys.recvmsg(sv[1]!, { iov: [got], control: rctl, name: Buffer.alloc(16) }, 0);
  t.is(m.result, 2);
  t.is(m.controllen, 24);			// CMSG_SPACE, as Linux
  t.is(m.namelen, 0);
  t.is(m.flags, 0);
  const fd = rctl.readInt32LE(16);
  k.sys.write(p[1]!, Buffer.from('through'), 7);
  const b = Buffer.alloc(8);
  t.is(k.sys.read(fd, b, 8), 7);
  k.haltSync();
});

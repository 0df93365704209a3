// A kernel and Linux as peers over a TAP device: the kernel owns the TAP,
// the test moves its Linux end into a network namespace it creates (and
// removes), so all traffic stays inside that namespace.  Linux's own ping,
// curl and python3's http.server talk to the kernel's TCP/IP; captures are
// checked by tshark.  Needs root, /dev/net/tun, ip(8) and the tools; skips
// with the reason otherwise.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../src/index.js';

const NS = `rk-linux-${process.pid}`;
const TAP = `rkl${process.pid % 100000}`;
const KADDR = '10.77.0.2';
const LADDR = '10.77.0.1';
const BIG = 100 << 20;

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return 'no ip(8) with netns support';
  return undefined;
}

const skip = why();
const inNs = (...argv: string[]) => ['ip', ['netns', 'exec', NS, ...argv]] as const;
function nsRun(...argv: string[]): string {
  const [c, a] = inNs(...argv);
  return execFileSync(c, a, { encoding: 'utf8' });
}

let k: Kernel;
let dir: string;

test.before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'rumpkit-linux-'));
  execFileSync('ip', ['netns', 'add', NS]);
  k = await Kernel.boot({
    memoryLimit: 512 << 20,
    interfaces: [{ kind: 'tap', device: TAP, address: `${KADDR}/24`, gateway: LADDR }],
  });
  k.net.capture('virt0', join(dir, 'virt0.pcap'));
  execFileSync('ip', ['link', 'set', TAP, 'netns', NS]);
  nsRun('sh', '-c', `ip link set lo up && ip addr add ${LADDR}/24 dev ${TAP} && ip link set ${TAP} up`);
});

test.after.always(async () => {
  if (skip) return;
  await k?.halt();
  spawnSync('ip', ['netns', 'del', NS]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const t1 = skip ? test.skip : test.serial;

t1('Linux ping is answered by the kernel', (t) => {
  if (!have('ping')) return t.pass('ping is not installed (iputils-ping)');
  const out = nsRun('ping', '-c', '3', '-i', '0.2', '-W', '2', KADDR);
  t.regex(out, /3 packets transmitted, 3 received/);
});

t1('the kernel pings Linux through a ping socket', async (t) => {
  const S = k.sys;
  const fd = S.socket(2, 2 | 0o4000, 1); // AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP
  const sa = new Uint8Array(16);
  new DataView(sa.buffer).setUint16(0, 2, true);
  sa.set([10, 77, 0, 1], 4);
  const replied = new Promise<void>((resolve) => k.init.poller.add(fd, 1 /* EPOLLIN */, () => resolve()));
  const echo = Buffer.from([8, 0, 0, 0, 0, 0, 0, 1, ...Buffer.from('rumpkit')]);
  S.sendto(fd, echo, echo.length, 0, sa, 16);
  await replied;
  const buf = Buffer.alloc(128);
  const from = new Uint8Array(16);
  const r = S.recvfrom(fd, buf, 128, 0, from);
  t.is(buf[0], 0, 'an echo reply');
  t.is(buf.subarray(8, r.result).toString(), 'rumpkit');
  t.deepEqual([...from.subarray(4, 8)], [10, 77, 0, 1]);
  k.init.poller.remove(fd);
  S.close(fd);
});

t1('Linux curl fetches a page from k.net; the capture so far passes tshark with checksum validation on', async (t) => {
  if (!have('curl')) return t.pass('curl is not installed');
  const hs = http.createServer((_req, res) => res.end('x'.repeat(300_000)));
  const srv = k.net.createServer((s) => hs.emit('connection', s));
  srv.listen(8081, '0.0.0.0');
  await once(srv, 'listening');
  const [c, a] = inNs('curl', '-sS', '--max-time', '60', `http://${KADDR}:8081/`);
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'] });
  let n = 0;
  child.stdout.on('data', (d: Buffer) => (n += d.length));
  const [code] = await once(child, 'exit');
  t.is(code, 0);
  t.is(n, 300_000);
  hs.close();
  await new Promise<void>((r) => srv.close(() => r()));
  k.net.capture('virt0', null);
  if (!have('tshark')) return t.pass('tshark is not installed');
  const out = execFileSync('tshark', ['-r', join(dir, 'virt0.pcap'), '-o', 'ip.check_checksum:TRUE',
    '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-z', 'expert,warn', '-q'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  t.notRegex(out, /Malformed|Bad checksum|incorrect/i);
  t.notRegex(out, /^Errors \(\d+\)/m);
  const list = execFileSync('tshark', ['-r', join(dir, 'virt0.pcap')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  t.regex(list, /ICMP .*Echo \(ping\) reply/);
  t.regex(list, /HTTP .*200 OK/);
});

t1('Linux curl downloads 100 MiB from a Node http server on k.net', async (t) => {
  if (!have('curl')) return t.pass('curl is not installed');
  const body = randomBytes(BIG);
  const want = createHash('sha256').update(body).digest('hex');
  const hs = http.createServer((_req, res) => {
    res.setHeader('content-length', String(body.length));
    res.end(body);
  });
  const srv = k.net.createServer((s) => hs.emit('connection', s));
  srv.listen(8080, '0.0.0.0');
  await once(srv, 'listening');
  const [c, a] = inNs('sh', '-c', `curl -sS --max-time 120 http://${KADDR}:8080/big | sha256sum`);
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  t.is(code, 0);
  t.is(out.split(' ')[0], want);
  hs.close();
  await new Promise<void>((r) => srv.close(() => r()));
});

t1('a kernel client downloads 100 MiB from python3 -m http.server on Linux', async (t) => {
  if (!have('python3')) return t.pass('python3 is not installed');
  const body = randomBytes(BIG);
  writeFileSync(join(dir, 'big'), body);
  const want = createHash('sha256').update(body).digest('hex');
  const [c, a] = inNs('python3', '-m', 'http.server', '8000', '--bind', LADDR, '--directory', dir);
  const server = spawn(c, a, { stdio: 'ignore' });
  try {
    let res: http.IncomingMessage | undefined;
    for (let i = 0; i < 100 && res === undefined; i++) {
      res = await new Promise<http.IncomingMessage | undefined>((resolve) => {
        const req = http.get({ host: LADDR, port: 8000, path: '/big', createConnection: (o) => k.net.createConnection(o as never) as never }, resolve);
        req.on('error', () => setTimeout(() => resolve(undefined), 100)); // not listening yet
      });
    }
    t.truthy(res, 'the server answered');
    t.is(res!.statusCode, 200);
    const h = createHash('sha256');
    let n = 0;
    for await (const chunk of res!) {
      h.update(chunk as Buffer);
      n += (chunk as Buffer).length;
    }
    t.is(n, BIG);
    t.is(h.digest('hex'), want);
  } finally {
    server.kill();
  }
});


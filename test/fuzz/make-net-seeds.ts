// Seeds for the packet fuzzer (fuzz_net.c), cut from captures of real
// exchanges: two kernels on a shmif bus, 10.0.0.1 (the one the fuzzer plays
// the part of) and 10.0.0.2; what 10.0.0.1 received becomes one seed per
// exchange, as the fuzzer's records ([flags][length][frame]).
//   node --import tsx test/fuzz/make-net-seeds.ts
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../../src/index.js';

const out = join(import.meta.dirname, 'corpus/net');
const dir = mkdtempSync(join(tmpdir(), 'rumpkit-seeds-'));
const bus = `rumpkit-seeds-${process.pid}`;
const MAC1 = Uint8Array.from([2, 0, 0, 0, 0, 1]);

function frames(pcap: Buffer): Buffer[] {
  const res: Buffer[] = [];
  for (let off = 24; off + 16 <= pcap.length;) {
    const len = pcap.readUInt32LE(off + 8);
    res.push(pcap.subarray(off + 16, off + 16 + len));
    off += 16 + len;
  }
  return res;
}

async function scenario(name: string, fn: (k1: Kernel, k2: Kernel) => Promise<void>): Promise<void> {
  const k1 = await Kernel.boot({ interfaces: [{ kind: 'shmif', bus, address: '10.0.0.1/24', mac: MAC1 }] });
  const k2 = await Kernel.boot({ interfaces: [{ kind: 'shmif', bus, address: '10.0.0.2/24' }] });
  const file = join(dir, `${name}.pcap`);
  k1.net.capture('shmif0', file);
  await fn(k1, k2);
  await new Promise((r) => setTimeout(r, 300));
  k1.net.capture('shmif0', null);
  await k1.halt();
  await k2.halt();
  const recs: Buffer[] = [];
  for (const f of frames(readFileSync(file))) {
    const toUs = f.subarray(0, 6).equals(Buffer.from(MAC1)) || f[0] === 0xff;
    if (!toUs) continue;
    const isTcp = f.readUInt16BE(12) === 0x0800 && f[23] === 6;
    const hdr = Buffer.alloc(3);
    hdr[0] = 1 | 2 | 4 | 16 | (isTcp ? 8 : 0);
    hdr.writeUInt16LE(f.length, 1);
    recs.push(hdr, f);
  }
  writeFileSync(join(out, name), Buffer.concat(recs));
  console.log(`${name}: ${recs.length / 2} frames`);
}

await scenario('tcp-http', async (k1, k2) => {
  const srv = k1.net.createServer((s) => {
    s.on('data', () => s.end('HTTP/1.0 200 OK\r\n\r\nhello'));
  });
  srv.listen(80);
  await once(srv, 'listening');
  const c = k2.net.connect(80, '10.0.0.1');
  await once(c, 'connect');
  c.write('GET / HTTP/1.0\r\n\r\n');
  c.resume();
  await once(c, 'end');
  srv.close();
});

await scenario('tcp-bulk', async (k1, k2) => {
  const srv = k1.net.createServer((s) => s.resume());
  srv.listen(80);
  await once(srv, 'listening');
  const c = k2.net.connect(80, '10.0.0.1');
  await once(c, 'connect');
  c.resume();
  c.end(Buffer.alloc(20000, 7));
  await once(c, 'close');
  srv.close();
});

await scenario('udp-frag', async (k1, k2) => {
  const s1 = k1.dgram.createSocket('udp4');
  s1.bind(53);
  await once(s1, 'listening');
  const s2 = k2.dgram.createSocket('udp4');
  s2.send(Buffer.alloc(3000, 1), 53, '10.0.0.1');
  s2.send(Buffer.from('query'), 53, '10.0.0.1');
  s2.send(Buffer.from('nobody'), 9, '10.0.0.1');
  await once(s1, 'message');
  s1.close();
  s2.close();
});

await scenario('icmp-echo', async (_k1, k2) => {
  const fd = k2.sys.socket(2, 2 | 0o4000, 1);
  const sa = new Uint8Array(16);
  new DataView(sa.buffer).setUint16(0, 2, true);
  sa.set([10, 0, 0, 1], 4);
  const echo = Buffer.from([8, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]);
  k2.sys.sendto(fd, echo, echo.length, 0, sa, 16);
  await new Promise((r) => setTimeout(r, 200));
  k2.sys.close(fd);
});

rmSync(dir, { recursive: true, force: true });
rmSync(`/dev/shm/${bus}`, { force: true });

// k.net's configuration side: interfaces at boot and later, addresses,
// routes, capture, with errors as RumpErrors.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel, RumpError } from '../src/index.js';

const bus = (name: string) => `rumpkit-test-${process.pid}-${name}`;

test('interfaces attach at boot and later; ifconfig and routes show them', async (t) => {
  const b = bus('cfg');
  const k = await Kernel.boot({ interfaces: [{ kind: 'shmif', bus: b, address: '192.0.2.1/24', gateway: '192.0.2.254' }] });
  try {
    const ifs = k.net.ifconfig();
    const names = ifs.map((i) => i.name).sort();
    t.deepEqual(names, ['lo0', 'shmif0']);
    const sh = ifs.find((i) => i.name === 'shmif0')!;
    t.true(sh.up);
    t.is(sh.mtu, 1500);
    t.deepEqual(sh.addresses.map((a) => `${a.address}/${a.prefixLength}`), ['192.0.2.1/24']);
    t.regex(sh.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    t.is(parseInt(sh.mac.slice(0, 2), 16) & 3, 2, 'locally administered, unicast');
    const lo = ifs.find((i) => i.name === 'lo0')!;
    t.deepEqual(lo.addresses.map((a) => a.address), ['127.0.0.1']);
    t.is(lo.mtu, 65536);
    const routes = k.net.route();
    const def = routes.find((r) => r.destination === '0.0.0.0/0');
    t.truthy(def);
    t.is(def!.gateway, '192.0.2.254');
    t.is(def!.interface, 'shmif0');
    t.truthy(routes.find((r) => r.destination === '192.0.2.0/24' && r.interface === 'shmif0'));

    const name = k.net.attach({ kind: 'shmif', bus: bus('cfg2') });
    t.is(name, 'shmif1');
    k.net.ifconfig('shmif1', { address: '198.51.100.7/25', mtu: 1400 });
    const s1 = k.net.ifconfig().find((i) => i.name === 'shmif1')!;
    t.deepEqual(s1.addresses.map((a) => `${a.address}/${a.prefixLength}`), ['198.51.100.7/25']);
    t.is(s1.addresses[0]!.broadcast, '198.51.100.127');
    t.is(s1.mtu, 1400);
    k.net.route.add('203.0.113.0/24', '198.51.100.1');
    t.truthy(k.net.route().find((r) => r.destination === '203.0.113.0/24' && r.gateway === '198.51.100.1'));
    k.net.route.delete('203.0.113.0/24');
    t.falsy(k.net.route().find((r) => r.destination === '203.0.113.0/24'));
    const err = t.throws(() => k.net.route.add('203.0.113.0/24', '10.9.9.9')) as RumpError;
    t.true(err instanceof RumpError);
    t.is(err.code, 'ENETUNREACH');
    t.is((t.throws(() => k.net.detach('nope0')) as RumpError).code, 'ENXIO');
    k.net.detach('shmif1');
    t.deepEqual(k.net.ifconfig().map((i) => i.name).sort(), ['lo0', 'shmif0']);
    t.throws(() => k.net.attach({ kind: 'bogus' } as never), { code: 'ERR_INVALID_ARG_VALUE' });
  } finally {
    await k.halt();
    for (const n of ['cfg', 'cfg2']) rmSync(`/dev/shm/${bus(n)}`, { force: true });
  }
});

test('a capture is a pcap file that starts with the pcap magic', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rumpkit-cap-'));
  const b = bus('cap');
  const k1 = await Kernel.boot({ interfaces: [{ kind: 'shmif', bus: b, address: '192.0.2.1/24' }] });
  const k2 = await Kernel.boot({ interfaces: [{ kind: 'shmif', bus: b, address: '192.0.2.2/24' }] });
  try {
    const file = join(dir, 'out.pcap');
    k1.net.capture('shmif0', file);
    // a new address is announced (gratuitous ARP), by the captured kernel itself
    k1.net.ifconfig('shmif0', { address: '192.0.2.3/24' });
    k1.net.capture('shmif0', null);
    t.true(existsSync(file));
    const bytes = readFileSync(file);
    const magic = bytes.readUInt32LE(0);
    t.true(magic === 0xa1b2c3d4 || magic === 0xa1b23c4d, 'pcap magic');
    t.is(bytes.readUInt32LE(20), 1, 'LINKTYPE_ETHERNET');
    t.true(bytes.length >= 24 + 16 + 42, 'at least one ARP frame was captured');
    const frame = bytes.subarray(24 + 16);
    t.is(frame.readUInt16BE(12), 0x0806, 'an ARP frame');
    t.deepEqual([...frame.subarray(28, 32)], [192, 0, 2, 3], 'announcing the new address');
  } finally {
    await k1.halt();
    await k2.halt();
    rmSync(dir, { recursive: true, force: true });
    rmSync(`/dev/shm/${b}`, { force: true });
  }
});

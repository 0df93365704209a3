// npm run bench (network part): TCP bulk throughput and 1-byte round trips
// over rumpkit's networks against the host's own loopback TCP, measured in
// one run by bench/bench_net.c, sides interleaved batch by batch.
//
// Sides: lo0 (one kernel), shmif (two kernels on a bus in one process),
// shmif2p (two processes on one bus), tap (a kernel and Linux over a TAP
// device in a network namespace the program creates: root only).
import { buildC, buildDir, checkArgs, hostLine, json, met, note, ns, runC, table, target, times } from './common.js';

checkArgs('bench/net.ts');

interface Side {
  bulk_Bps: number;
  rtt_ns: number;
}
interface CNet {
  mib: number;
  trips: number;
  batches: number;
  sides: Record<string, Side>;
  skipped?: Record<string, string>;
}

const NETBSD = {
  source: 'quoted, not measured in this run: NetBSD rump kernel on this kind of machine',
  lo0_Bps: 654e6,
  host_Bps: 3.9e9,
  rtt_ns: 49e3,
  host_rtt_ns: 20e3,
  shmif2p_Bps: 76e6,
};

const dir = buildDir();
buildC(dir, 'bench_net');
note('measuring TCP over the host loopback and rumpkit networks (takes a minute)');
const sides = ['host', 'lo0', 'shmif', 'shmif2p', ...(process.getuid?.() === 0 ? ['tap'] : [])];
const c = runC<CNet>(dir, 'bench_net', ['-s', sides.join(','), '-m', '256', '-r', '20000', '-b', '5']);
const host = c.sides.host!;

const mbps = (b: number): string => `${(b / 1e6).toFixed(0)} MB/s`;
const rows: string[][] = [];
const targets = [];
const labels: Record<string, string> = {
  lo0: 'lo0, one kernel',
  shmif: 'shmif, two kernels in one process',
  shmif2p: 'shmif, two processes',
  tap: 'kernel <-> Linux over TAP',
};
for (const [name, s] of Object.entries(c.sides)) {
  if (name === 'host') continue;
  const bulkRatio = s.bulk_Bps / host.bulk_Bps;
  const rttRatio = s.rtt_ns / host.rtt_ns;
  let bulkTarget = '';
  let rttTarget = '';
  if (name === 'lo0') {
    const t1 = target('lo0 TCP throughput against host loopback', 'bulk', bulkRatio, '×', '>=', 1);
    const t2 = target('lo0 1-byte round trip against host loopback', 'rtt', rttRatio, '×', '<=', 1);
    targets.push(t1, t2);
    bulkTarget = `≥ 1× (${met(t1)})`;
    rttTarget = `< 1× (${met(t2)})`;
  } else if (name === 'shmif') {
    const t1 = target('shmif (one process) TCP throughput against host loopback', 'bulk', bulkRatio, '×', '>=', 0.5);
    targets.push(t1);
    bulkTarget = `≥ 0.5× (${met(t1)})`;
  }
  rows.push([`${labels[name] ?? name}: bulk`, mbps(s.bulk_Bps), mbps(host.bulk_Bps), times(bulkRatio), bulkTarget]);
  rows.push([`${labels[name] ?? name}: 1-byte RTT`, ns(s.rtt_ns), ns(host.rtt_ns), times(rttRatio), rttTarget]);
}

if (json) {
  process.stdout.write(`${JSON.stringify({ host: hostLine(), ...c, targets, netbsd: NETBSD }, null, 2)}\n`);
} else {
  const out = [
    `TCP: rumpkit against the host's loopback (${hostLine()}; ${c.mib} MiB bulk, ${c.trips} round trips, median of ${c.batches})`,
    ...table(['figure', 'rumpkit', 'host loopback', 'ratio', 'target'], rows),
    ...Object.entries(c.skipped ?? {}).map(([k, v]) => `  ${k}: skipped (${v})`),
    `  for scale (${NETBSD.source}): lo0 ${mbps(NETBSD.lo0_Bps)} against ${mbps(NETBSD.host_Bps)}, ` +
      `round trip ${ns(NETBSD.rtt_ns)} against ${ns(NETBSD.host_rtt_ns)}, two processes over shmif ${mbps(NETBSD.shmif2p_Bps)}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

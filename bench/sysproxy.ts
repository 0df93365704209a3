// npm run bench (sysproxy part): a system call made in a kernel of another
// process over the sysproxy wire (librumpclient to a server), against a
// raw unix-socket ping-pong between the same two processes with frames of
// the same sizes, measured in one run by bench/bench_sysproxy.c, batches
// interleaved.
import { buildC, buildDir, checkArgs, hostLine, json, met, note, ns, runC, table, target, times } from './common.js';

checkArgs('bench/sysproxy.ts');

interface CSysproxy {
  trips: number;
  batches: number;
  getpid_ns: number;
  ping_getpid_ns: number;
  pread_ns: number;
  ping_pread_ns: number;
}

const NETBSD = {
  source: 'quoted, not measured in this run: NetBSD rump_server on this kind of machine',
  getpid_ns: 30e3,
  ping_ns: 9.1e3,
};

const dir = buildDir();
buildC(dir, 'bench_sysproxy');
note('measuring remote system calls against a unix-socket ping-pong');
const c = runC<CSysproxy>(dir, 'bench_sysproxy', ['-r', '20000', '-b', '5']);
const getpidRatio = c.getpid_ns / c.ping_getpid_ns;
const preadRatio = c.pread_ns / c.ping_pread_ns;
const targets = [target('remote getpid round trip against a unix-socket ping-pong of the same frames',
  'getpid', getpidRatio, '×', '<=', 1.3)];
const rows = [
  ['remote getpid (64 B out, 32 B back)', ns(c.getpid_ns), ns(c.ping_getpid_ns), times(getpidRatio),
    `≤ 1.3× (${met(targets[0]!)})`],
  ['remote 4 KiB pread64 (64 B out, 4132 B back)', ns(c.pread_ns), ns(c.ping_pread_ns), times(preadRatio), ''],
];

if (json) {
  process.stdout.write(`${JSON.stringify({ host: hostLine(), ...c, targets, netbsd: NETBSD }, null, 2)}\n`);
} else {
  const out = [
    `sysproxy: remote system calls against a unix-socket ping-pong (${hostLine()}; ${c.trips} calls, median of ${c.batches})`,
    ...table(['figure', 'rumpkit', 'ping-pong', 'ratio', 'target'], rows),
    `  for scale (${NETBSD.source}): getpid ${ns(NETBSD.getpid_ns)} against a ${ns(NETBSD.ping_ns)} ping-pong, ` +
      `${times(NETBSD.getpid_ns / NETBSD.ping_ns)}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

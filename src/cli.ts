#!/usr/bin/env node
// The rumpkit command line.
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { cc } from './cli/cc.js';
import { commands, runCli } from './cli/index.js';
import { RUN_USAGE, run } from './cli/run.js';
import { SERVE_USAGE, ServeUsage, serveCommand } from './cli/serve.js';
import { demoPrograms } from './cli/demo-programs.js';
import { Kernel, RumpError, constants, version } from './index.js';

const HELP = `Usage: rumpkit <command> [options]

Commands:
  run [--image ext2:disk.img:/] [--net tap:IF,addr=A/N] [--env K=V] -- PROGRAM ARGS
                       run an unmodified program with its /rump paths and
                       sockets in a kernel booted inside it (or a server's:
                       --server URL); 'rumpkit run --help' tells more
  demo [--kernels N]   boot N kernels (default 3), act in each as different
                       users on its own file system, show that they share
                       nothing, serve HTTP from one to another over a virtual
                       Ethernet bus, run Debian's sh pipeline, ls and cat on
                       an ext2 image in a kernel, and halt them
  serve --listen URL [--disk ...] [--mount ...] [--net ...] [--keep-root]
                       boot a kernel and serve its system calls to programs
                       run with RUMP_SERVER=URL ('rumpkit serve --help')
  cc [CC ARGS...]      compile and link a C program with a kernel into one
                       executable (link mode: docs/link-mode.md)
  version              print the version
  help                 show this help

Image tools (IMAGE:PATH is PATH inside the disk image IMAGE, any other operand
a host path; 'rumpkit COMMAND --help' tells more):
  ls cat cp mv rm mkdir rmdir ln chmod chown stat du find tree
  e.g. rumpkit ls -l disk.img:/etc    rumpkit cp -a disk.img:/home backup/
       rumpkit cp notes.txt disk.img:/root/    rumpkit tree disk.img:/
  fsck IMAGE...        walk an image read-only with rumpkit's driver and report
                       what it finds corrupt (not a replacement for e2fsck)
  --fstype TYPE (or RUMPKIT_FSTYPE): the images' file system (default ext2)
`;

/** Two kernels on one shmif bus: Node's http module serves on one, fetches from the other. */
async function demoNet(out: (s: string) => void): Promise<void> {
  const bus = `rumpkit-demo-${process.pid}`;
  const server = Kernel.bootSync({ hostname: 'web', interfaces: [{ kind: 'shmif', bus, address: '10.0.0.1/24' }] });
  const client = Kernel.bootSync({ hostname: 'browser', interfaces: [{ kind: 'shmif', bus, address: '10.0.0.2/24' }] });
  try {
    const web = http.createServer((req, res) => res.end(`hello from kernel ${server.id} (${req.method} ${req.url})\n`));
    const srv = server.net.createServer((sock) => web.emit('connection', sock));
    srv.listen(80, '10.0.0.1');
    await once(srv, 'listening');
    out(`kernel ${server.id}: Node's http server listening on 10.0.0.1:80 (shmif bus /dev/shm/${bus})`);
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '10.0.0.1', port: 80, path: '/index.html',
        createConnection: (o) => client.net.createConnection(o as never) as never }, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (b += d));
        res.on('end', () => resolve(`${res.statusCode} ${b.trim()}`));
      });
      req.on('error', reject);
    });
    out(`kernel ${client.id}: GET http://10.0.0.1/index.html -> ${body}`);
    for (const so of server.net.sockets()) {
      const addr = (a: unknown) => (typeof a === 'object' && a ? `${(a as { address: string }).address}:${(a as { port: number }).port}` : '*');
      out(`kernel ${server.id}: ${so.protocol} ${so.state.padEnd(10)} ${addr(so.local)} ${addr(so.peer)}`);
    }
    const st = client.net.stats();
    out(`kernel ${client.id}: tcp ${st.tcp.sndpack} segments sent, ${st.tcp.rcvpack} received; arp ${st.arp.txrequests} request(s) sent`);
    web.close();
    await new Promise<void>((r) => srv.close(() => r()));
  } finally {
    await server.halt();
    await client.halt();
    rmSync(`/dev/shm/${bus}`, { force: true });
  }
}

async function demo(n: number): Promise<void> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`rumpkit: booting ${n} kernels in process ${process.pid}`);
  const kernels = Array.from({ length: n }, (_, i) => Kernel.bootSync({ hostname: `kernel${i}` }));
  kernels.forEach((k, i) => {
    const uid = 1000 + i;
    const p = k.process({ uid, gid: uid, groups: [100, 20 + i] });
    const fd = p.sys.eventfd2(i, constants.eventfd.EFD_NONBLOCK!);
    const buf = new BigUint64Array(1);
    p.sys.write(fd, BigUint64Array.of(41n));
    p.sys.read(fd, buf);
    const ids = p.sys.getresuid();
    const n2 = p.sys.getgroups(0, null);
    const groups = new Uint32Array(n2);
    p.sys.getgroups(n2, groups);
    out(`kernel ${k.id}: pid ${p.pid} (parent ${p.sys.getppid()}), uid ${ids.ruid}/${ids.euid}/${ids.suid}, ` +
      `groups ${[...groups].join(',')}, eventfd ${fd} counted ${buf[0]}`);
    try {
      p.sys.setuid(0);
    } catch (e) {
      if (!(e instanceof RumpError)) throw e;
      out(`kernel ${k.id}: uid ${uid} may not become root: ${e.message}`);
    }
    p.fs.writeFileSync(`/tmp/note-${uid}`, `written by uid ${uid} in kernel ${k.id}\n`);
    const st = p.fs.statSync(`/tmp/note-${uid}`);
    out(`kernel ${k.id}: /tmp/note-${uid}: ${st.size} bytes, owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)}; ` +
      `/tmp holds ${k.fs.readdirSync('/tmp').join(', ')}`);
    try {
      p.fs.writeFileSync('/etc-like', 'x');
    } catch (e) {
      out(`kernel ${k.id}: uid ${uid} may not write in /: ${(e as Error).message}`);
    }
    const s = k.stats();
    out(`kernel ${k.id}: ${s.processes} processes, ${s.lwps} lwps, ${s.memoryUsed} bytes of kernel memory`);
  });
  const k0 = kernels[0];
  try {
    k0.sys.close(0);
  } catch (e) {
    out(`kernel ${k0.id}: pid 1 has no descriptor 0 (${(e as RumpError).code}): descriptor tables are per process`);
  }
  for (const k of kernels) k.haltSync();
  await demoNet(out);
  await demoPrograms(out);
  out(`rumpkit: halted ${n + 3} kernels; ${Kernel.liveKernels()} still running`);
}

async function main(argv: string[]): Promise<number> {
  const [cmd = 'help', ...rest] = argv;
  const tool = commands.get(cmd);
  if (tool) return runCli(tool, rest);
  switch (cmd) {
    case 'run':
      if (rest[0] === '--help' || rest[0] === '-h') {
        process.stdout.write(RUN_USAGE);
        return 0;
      }
      return run(rest, (s) => process.stderr.write(s));
    case 'demo': {
      const i = rest.indexOf('--kernels');
      const n = i >= 0 ? Number(rest[i + 1]) : 3;
      if (!Number.isInteger(n) || n < 1 || n > 100000) {
        process.stderr.write('rumpkit demo: --kernels takes a whole number from 1 to 100000\n');
        return 2;
      }
      await demo(n);
      return 0;
    }
    case 'serve':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(SERVE_USAGE);
        return 0;
      }
      try {
        return await serveCommand(rest, (s) => process.stdout.write(s));
      } catch (e) {
        if (e instanceof ServeUsage) {
          process.stderr.write(`rumpkit serve: ${e.message}\nTry 'rumpkit serve --help' for more information.\n`);
          return 2;
        }
        process.stderr.write(`rumpkit serve: ${(e as Error).message}\n`);
        return 1;
      }
    case 'cc':
      return cc(rest);
    case 'version':
    case '--version':
      process.stdout.write(`rumpkit ${version}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h': {
      const about = rest[0] !== undefined ? commands.get(rest[0]) : undefined;
      process.stdout.write(about ? about.usage : HELP);
      return 0;
    }
    default:
      process.stderr.write(`rumpkit: unknown command '${cmd}'\n${HELP}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));

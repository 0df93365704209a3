// rumpkit serve: boot a kernel with disks, mounts and interfaces, and serve
// its system calls to client programs (librumpclient, librumphijack) on a
// unix or tcp socket until SIGINT or SIGTERM.
import { once } from 'node:events';
import { Kernel, type BootOptions, type DiskOptions } from '../kernel.js';
import type { InterfaceOptions } from '../net/config.js';

export const SERVE_USAGE = `Usage: rumpkit serve --listen URL [options]

Boot a kernel and serve its system calls to programs run with
RUMP_SERVER=URL (librumpclient, librumphijack) until SIGINT or SIGTERM.

  --listen URL        unix:///abs/path, unix://rel/path (mode 0600), or
                      tcp://HOST:PORT (HOST empty: 127.0.0.1; PORT 0: any)
  --disk key=/dev/ld0,path=IMG[,ro]
                      a host file as a block device (repeatable)
  --mount FSTYPE:DEVICE:DIR
                      mount DEVICE (or 'none') on DIR, made if missing
                      (repeatable), e.g. ext2:/dev/ld0:/data, tmpfs:none:/tmp
  --net shmif:BUS,addr=A/N[,gw=G][,mtu=M]
  --net tap:IFNAME,addr=A/N[,gw=G][,mtu=M]
                      an interface (repeatable)
  --keep-root         clients' kernel processes stay root (otherwise they
                      get the client's uid and gids; tcp clients: nobody)

The URL clients use is printed on stdout once the server is ready.
`;

export class ServeUsage extends Error {}

interface ServeArgs {
  listen: string;
  disks: DiskOptions[];
  mounts: { fstype: string; device: string | null; dir: string }[];
  nets: InterfaceOptions[];
  keepRoot: boolean;
}

function keyvals(s: string, what: string): { head: string; kv: Map<string, string> } {
  const [head = '', ...rest] = s.split(',');
  const kv = new Map<string, string>();
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) kv.set(p, '');
    else kv.set(p.slice(0, i), p.slice(i + 1));
  }
  if (head === '') throw new ServeUsage(`${what}: '${s}' is incomplete`);
  return { head, kv };
}

function parseDisk(s: string): DiskOptions {
  const kv = new Map(s.split(',').map((p) => {
    const i = p.indexOf('=');
    return i < 0 ? [p, ''] as const : [p.slice(0, i), p.slice(i + 1)] as const;
  }));
  const key = kv.get('key');
  const path = kv.get('path');
  if (!key || !path) throw new ServeUsage(`--disk needs key=/dev/NAME,path=FILE (got '${s}')`);
  return { key, path, readOnly: kv.has('ro') };
}

function parseNet(s: string): InterfaceOptions {
  const i = s.indexOf(':');
  if (i < 0) throw new ServeUsage(`--net needs shmif:BUS,... or tap:IF,... (got '${s}')`);
  const kind = s.slice(0, i);
  const { head, kv } = keyvals(s.slice(i + 1), '--net');
  const common = {
    address: kv.get('addr'),
    gateway: kv.get('gw'),
    mtu: kv.has('mtu') ? Number(kv.get('mtu')) : undefined,
  };
  if (kind === 'shmif') return { kind, bus: head, ...common };
  if (kind === 'tap') return { kind, device: head, ...common };
  throw new ServeUsage(`--net: unknown kind '${kind}' (shmif or tap)`);
}

function parseMount(s: string): { fstype: string; device: string | null; dir: string } {
  const parts = s.split(':');
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    throw new ServeUsage(`--mount needs FSTYPE:DEVICE:DIR (got '${s}')`);
  }
  const [fstype, device, dir] = parts as [string, string, string];
  return { fstype, device: device === 'none' ? null : device, dir };
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const a: ServeArgs = { listen: '', disks: [], mounts: [], nets: [], keepRoot: false };
  for (let i = 0; i < argv.length; i++) {
    let opt = argv[i]!;
    let val: string | undefined;
    const eq = opt.indexOf('=');
    if (opt.startsWith('--') && eq > 0 && opt !== '--keep-root') {
      val = opt.slice(eq + 1);
      opt = opt.slice(0, eq);
    }
    const next = () => {
      if (val !== undefined) return val;
      if (i + 1 >= argv.length) throw new ServeUsage(`${opt} needs a value`);
      return argv[++i]!;
    };
    switch (opt) {
      case '--listen': a.listen = next(); break;
      case '--disk': a.disks.push(parseDisk(next())); break;
      case '--mount': a.mounts.push(parseMount(next())); break;
      case '--net': a.nets.push(parseNet(next())); break;
      case '--keep-root': a.keepRoot = true; break;
      default: throw new ServeUsage(`unknown option '${opt}'`);
    }
  }
  if (a.listen === '') throw new ServeUsage('--listen URL is required');
  return a;
}

export async function serveCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const a = parseServeArgs(argv);
  const boot: BootOptions = { disks: a.disks, interfaces: a.nets };
  const k = Kernel.bootSync(boot);
  try {
    for (const m of a.mounts) {
      k.fs.mkdirSync(m.dir, { recursive: true });
      k.mount(m.fstype, m.dir, m.device !== null ? { device: m.device } : {});
    }
    const srv = await k.serve(a.listen, { keepRoot: a.keepRoot });
    out(`${srv.url}\n`);
    // the server runs on native threads: this keeps the event loop alive meanwhile
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const ac = new AbortController();
    const stopped = Promise.race([
      once(process, 'SIGINT', { signal: ac.signal }),
      once(process, 'SIGTERM', { signal: ac.signal }),
    ]);
    await stopped.catch(() => undefined);
    ac.abort();
    clearInterval(keepAlive);
    await srv.close();
    for (const m of [...a.mounts].reverse()) {
      try {
        k.unmount(m.dir);
      } catch {
        // a client may have left it busy: the halt below still frees it
      }
    }
  } finally {
    await k.halt();
  }
  return 0;
}

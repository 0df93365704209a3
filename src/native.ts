// Loading the addon, and the types of what it exports (the raw binding).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Constants, NativeSys } from './gen/sys.js';

/** An opaque handle on one process of one kernel; it anchors the process's lifetime. */
export type ProcHandle = { readonly __brand: 'rumpkit.ProcHandle' };
/** The number system calls name a process by (valid while its handle lives). */
export type ProcSlot = number & { readonly __brand: 'rumpkit.ProcSlot' };

export interface NativeStats {
  memused: number;
  memlimit: number;
  memallocs: number;
  nprocs: number;
  nlwps: number;
  id: number;
  bufs: number;
  dirtybufs: number;
  bufbytes: number;
  bufhits: number;
  bufmisses: number;
  flusher: boolean;
}

export interface NativeBootOptions {
  memlimit?: number;
  maxfiles?: number;
  maxfilesHard?: number;
  hostname?: string;
  console?: boolean;
}

/** What the addon exports. */
export interface NativeBinding extends NativeSys {
  readonly version: string;
  readonly constants: Constants;
  /** The control array of the system calls: [slot, result, arg0 … arg5]. */
  readonly ctl: Float64Array;
  boot(opts: NativeBootOptions): ProcHandle;
  /** true when this call halted the kernel, false when it was halted already. */
  halt(h: ProcHandle): boolean;
  rfork(h: ProcHandle, flags: number): ProcHandle;
  exit(h: ProcHandle): void;
  state(h: ProcHandle): 'running' | 'exited' | 'halted';
  stats(h: ProcHandle): NativeStats;
  slot(h: ProcHandle): ProcSlot;
  kernelId(h: ProcHandle): number;
  liveKernels(): number;
  setConsole(fn: (id: number, line: string) => void): void;
  /** Attach a disk; size < 0: the whole host file. */
  diskAttach(h: ProcHandle, key: string, path: string, readOnly: boolean, offset: number, size: number): void;
  /** Detach the disk at key (EBUSY while mounted or open). */
  diskDetach(h: ProcHandle, key: string): void;
  /** The host's mknod(2) (not the kernel's): throws Node-shaped errors. */
  hostMknod(path: string, mode: number, dev: number): void;
  /** Map a host file at key: type 0 a regular file, 1 a block device. */
  etfsRegister(h: ProcHandle, key: string, path: string, type: number): void;
  /**
   * A poller: fn runs on the event loop whenever an entry of the process's
   * epoll instance epfd becomes ready.  It starts unreferenced.
   */
  pollerCreate(h: ProcHandle, epfd: number, fn: () => void): object;
  /** Whether the poller keeps the event loop alive. */
  pollerRef(p: object, on: boolean): void;
  pollerClose(p: object): void;
  /** A sysproxy server on url serving the kernel of h (native threads only). */
  serveStart(h: ProcHandle, url: string, keepRoot: boolean): object;
  serveUrl(s: object): string;
  serveStats(s: object): { clients: number; accepted: number; calls: number; dropped: number };
  /** Stop: ends every client's connection and joins the serving threads. */
  serveStop(s: object): void;
  netAttach(h: ProcHandle, cfg: object): string;
  netDetach(h: ProcHandle, name: string): void;
  netAddr(h: ProcHandle, name: string, address: string, add: boolean): void;
  netSetup(h: ProcHandle, name: string, up: boolean, mtu: number): void;
  netRoute(h: ProcHandle, dst: string, gateway: string | null, iface: string | null, add: boolean): void;
  netRoutes(h: ProcHandle): { destination: string; gateway: string; interface: string; flags: number; use: number }[];
  netImpair(h: ProcHandle, name: string, imp: { lossPpm: number; dupPpm: number; reorderPpm: number; delayUs: number; seed: number }): void;
  netCapture(h: ProcHandle, name: string, path: string | null): void;
  netIfconfig(h: ProcHandle): {
    name: string; index: number; flags: number; mtu: number; mac: string;
    addresses: { address: string; prefixLength: number; broadcast: string }[];
    counters: Record<string, number>;
  }[];
  netArp(h: ProcHandle): { interface: string; address: string; mac: string; state: string }[];
  netSockets(h: ProcHandle): {
    protocol: 'tcp' | 'udp' | 'unix' | 'raw' | 'icmp'; type: number; state: string;
    local: { address: string; port: number } | string | undefined;
    peer: { address: string; port: number } | string | undefined;
    recvQ: number; sendQ: number; pid: number; uid: number;
  }[];
  netStats(h: ProcHandle): Record<string, Record<string, number>>;
  /** A bare call through node-addon-api, for the benchmarks. */
  noop(): void;
  /** A bare call through plain Node-API, for the benchmarks. */
  rawNoop(): void;
}

/** The package root: the nearest directory above this file with our package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'rumpkit') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('rumpkit: cannot find the package root');
    dir = up;
  }
}

/**
 * The addon: RUMPKIT_NATIVE names one explicitly; otherwise a prebuild for
 * this platform when present, otherwise the local build.
 */
function load(): NativeBinding {
  const require = createRequire(import.meta.url);
  if (process.env.RUMPKIT_NATIVE) return require(process.env.RUMPKIT_NATIVE);
  const root = packageRoot();
  const pre = join(root, 'prebuilds', `${platform()}-${arch()}`);
  if (existsSync(pre)) {
    const file = readdirSync(pre).find((f) => f.endsWith('.napi.node') || f.endsWith('.node'));
    if (file) return require(join(pre, file));
  }
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeBinding;
  return nodeGypBuild(root);
}

export const native: NativeBinding = load();

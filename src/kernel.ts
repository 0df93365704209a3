// Kernels and their processes.
import createDebug from 'debug';
import { RumpError, RumpStateError, translate, invalidArgType, invalidArgValue, outOfRange } from './errors.js';
import { createFs, type KernelFs } from './fs/index.js';
import { Sys } from './gen/sys.js';
import { native, type ProcHandle } from './native.js';
import { Poller } from './net/poller.js';
import { createNet, type KernelDgram, type KernelNet } from './net/index.js';
import { attachInterface, type InterfaceOptions } from './net/config.js';
import { startServer, type ServeOptions, type SysproxyServer } from './serve.js';

const kernDebug = createDebug('rumpkit:kern');
const debug = createDebug('rumpkit:kernel');

export interface BootOptions {
  /** Bytes of kernel memory; allocations beyond it fail with ENOMEM. Default 256 MiB. */
  memoryLimit?: number;
  /** RLIMIT_NOFILE of pid 1 (soft limit). Default 1024. */
  maxFiles?: number;
  /** RLIMIT_NOFILE hard limit. Default 4096. */
  maxFilesHard?: number;
  /** The kernel's host name. Default 'rump'. */
  hostname?: string;
  /**
   * The kernel's console lines: true sends them to the `rumpkit:kern` debug
   * namespace; a function receives each line (without its newline) instead,
   * until the kernel halts.  Lines arrive from the event loop, after the call
   * that printed them.  Default: whether that namespace is enabled.
   */
  console?: boolean | ((line: string) => void);
  /** Network interfaces attached at boot (see k.net.attach). */
  interfaces?: readonly InterfaceOptions[];
  /** Disks attached at boot (see Kernel.disks.attach). */
  disks?: readonly DiskOptions[];
}

/** A block device backed by a host file, or by a byte range of one. */
export interface DiskOptions {
  /** The device node's kernel path, e.g. '/dev/ld0'. */
  key: string;
  /** The host file. */
  path: string;
  readOnly?: boolean;
  /** Where the device starts in the host file (a multiple of 512). Default 0. */
  offset?: number;
  /** Bytes of the device. Default: the host file from offset to its end. */
  size?: number;
}

/** What k.disks.list() reports. */
export interface DiskInfo {
  key: string;
  path: string;
  readOnly: boolean;
  offset: number;
  size: number | undefined;
}

export type EtfsType = 'file' | 'blockDevice';

/** The kernel's disks. */
export interface KernelDisks {
  /** Attach a host file as a block device with its node at disk.key. */
  attach(disk: DiskOptions): void;
  /**
   * Detach the disk at key (one attached with attach(), or an etfs block
   * device): its buffers are written back, its node is removed and the host
   * file closed.  Throws a RumpError: EBUSY while it is mounted or open,
   * ENOENT when no disk has that key, EINVAL for an etfs regular file.
   */
  detach(key: string): void;
  /** The disks attached with attach() (or at boot) and not detached. */
  list(): DiskInfo[];
}

/** Host files mapped into the kernel's name space. */
export interface KernelEtfs {
  register(kernelPath: string, hostPath: string, type?: EtfsType): void;
}

export interface ProcessOptions {
  uid?: number;
  gid?: number;
  /** Supplementary groups. */
  groups?: readonly number[];
  umask?: number;
  /** The descriptor table: a new empty one (default), a copy, or shared with the parent. */
  fds?: 'clean' | 'copy' | 'share';
}

export interface KernelStats {
  /** Bytes of kernel memory in use. */
  memoryUsed: number;
  memoryLimit: number;
  /** Live kernel allocations. */
  allocations: number;
  processes: number;
  lwps: number;
  /** Buffer cache: buffers, of which delayed writes, and the bytes they hold. */
  buffers: number;
  dirtyBuffers: number;
  bufferBytes: number;
  bufferHits: number;
  bufferMisses: number;
  /** Whether the flusher thread runs (it does only while dirty buffers exist). */
  flusherRunning: boolean;
}

function checkDisk(v: unknown, name: string): DiskInfo {
  const o = checkObject(v, name);
  if (typeof o.key !== 'string') throw invalidArgType(`${name}.key`, 'of type string', o.key);
  if (typeof o.path !== 'string') throw invalidArgType(`${name}.path`, 'of type string', o.path);
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') {
    throw invalidArgType(`${name}.readOnly`, 'of type boolean', o.readOnly);
  }
  const offset = checkOptionalUint(o, 'offset', Number.MAX_SAFE_INTEGER) ?? 0;
  const size = checkOptionalUint(o, 'size', Number.MAX_SAFE_INTEGER);
  if (offset !== 0 && size === undefined) {
    throw invalidArgValue(`${name}.size`, size, 'must be given with offset');
  }
  return { key: o.key, path: o.path, readOnly: o.readOnly === true, offset, size };
}

let consoleSinkSet = false;
/** Kernels booted with a console function, by id (ids are never reused). */
const consoleFns = new Map<number, (line: string) => void>();
function ensureConsoleSink(): void {
  if (consoleSinkSet) return;
  native.setConsole((id, line) => {
    const fn = consoleFns.get(id);
    if (fn) fn(line);
    else kernDebug('k%d: %s', id, line);
  });
  consoleSinkSet = true;
}

function checkOptionalUint(obj: Record<string, unknown>, key: string, max: number): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw invalidArgType(`options.${key}`, 'of type number', v);
  if (!Number.isInteger(v) || v < 0 || v > max) throw outOfRange(`options.${key}`, `>= 0 && <= ${max}`, v);
  return v;
}

function checkObject(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null) throw invalidArgType(name, 'of type object', v);
  return v as Record<string, unknown>;
}

const FD_FLAGS = { clean: 0, copy: 0, share: 0 };

export interface MountOptions {
  /** The block device (a disk's key, e.g. '/dev/ld0') for disk file systems. */
  device?: string;
  /** Mount read-only (MS_RDONLY). Default false. */
  readOnly?: boolean;
  /** Access times: 'relatime' (the default, as Linux), 'strictatime' (every read) or 'noatime'. */
  atime?: 'relatime' | 'strictatime' | 'noatime';
  /** Directories' access times never move (MS_NODIRATIME). */
  noDirAtime?: boolean;
  /** Set-user-ID and set-group-ID bits are not honoured (MS_NOSUID). */
  noSuid?: boolean;
  /** Device nodes cannot be opened (MS_NODEV). */
  noDev?: boolean;
  /** Files cannot be executed (MS_NOEXEC). */
  noExec?: boolean;
  /** File-system specific options, mount(2)'s data string. */
  data?: string;
}

const MOUNT_BOOLS = {
  readOnly: 'MS_RDONLY', noDirAtime: 'MS_NODIRATIME', noSuid: 'MS_NOSUID', noDev: 'MS_NODEV', noExec: 'MS_NOEXEC',
} as const;
const ATIME = { relatime: null, strictatime: 'MS_STRICTATIME', noatime: 'MS_NOATIME' } as const;

function mountFlags(o: MountOptions): number {
  const c = native.constants.mount;
  let flags = 0;
  for (const [k, flag] of Object.entries(MOUNT_BOOLS)) {
    const v = o[k as keyof typeof MOUNT_BOOLS];
    if (v !== undefined && typeof v !== 'boolean') throw invalidArgType(`options.${k}`, 'of type boolean', v);
    if (v) flags |= c[flag]!;
  }
  if (o.atime !== undefined && !Object.hasOwn(ATIME, o.atime)) {
    throw invalidArgValue('options.atime', o.atime, "must be 'relatime', 'strictatime' or 'noatime'");
  }
  const atime = o.atime === undefined ? null : ATIME[o.atime];
  if (atime !== null) flags |= c[atime]!;
  for (const k of ['device', 'data'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') throw invalidArgType(`options.${k}`, 'of type string', o[k]);
  }
  return flags;
}

/** A process of a kernel: its own credentials, umask and descriptor table. */
export class Process {
  /** Typed system calls, made as this process. */
  readonly sys: Sys;
  readonly kernel: Kernel;
  readonly #h: ProcHandle;
  #pid = -1;
  #fs: KernelFs | undefined;
  #poller: Poller | undefined;
  #net: { net: KernelNet; dgram: KernelDgram } | undefined;

  /** @internal */
  constructor(kernel: Kernel, h: ProcHandle) {
    this.kernel = kernel;
    this.#h = h;
    this.sys = new Sys(native.slot(h));
  }

  /** @internal */
  get handle(): ProcHandle {
    return this.#h;
  }

  /** A node:fs-compatible API acting as this process (its credentials, cwd and descriptors). */
  get fs(): KernelFs {
    return (this.#fs ??= createFs(native.slot(this.#h)));
  }

  /** A node:net-compatible API on this process's sockets. */
  get net(): KernelNet {
    return (this.#net ??= createNet(this)).net;
  }

  /** A node:dgram-compatible API on this process's sockets. */
  get dgram(): KernelDgram {
    return (this.#net ??= createNet(this)).dgram;
  }

  /** @internal The readiness of this process's descriptors on the event loop. */
  get poller(): Poller {
    return (this.#poller ??= new Poller(this.#h, this.sys));
  }

  get pid(): number {
    if (this.#pid < 0) this.#pid = this.sys.getpid();
    return this.#pid;
  }

  /**
   * Mount a file system of type fstype ('tmpfs', 'ext2') on the directory
   * target: mount(2), its flags from the options. Throws RumpError.
   */
  mount(fstype: string, target: string, options?: MountOptions): void {
    if (typeof fstype !== 'string') throw invalidArgType('fstype', 'of type string', fstype);
    if (typeof target !== 'string') throw invalidArgType('target', 'of type string', target);
    const o = checkObject(options, 'options') as MountOptions;
    const flags = mountFlags(o);
    this.sys.mount(o.device ?? null, target, fstype, flags, o.data ?? null);
  }

  /** Unmount the file system mounted on target (umount2(2) without flags). Throws RumpError. */
  unmount(target: string): void {
    if (typeof target !== 'string') throw invalidArgType('target', 'of type string', target);
    this.sys.umount2(target, 0);
  }

  /** 'running', 'exited', or 'halted' (its kernel was halted). */
  get state(): 'running' | 'exited' | 'halted' {
    return native.state(this.#h);
  }

  /**
   * A child process: by default with a new empty descriptor table and this
   * process's credentials; uid, gid and groups are set as a process would set
   * them (setgroups, setgid, setuid), so a process that is not root gets EPERM
   * where Linux would give it.
   */
  process(options?: ProcessOptions): Process {
    const o = checkObject(options, 'options');
    const fds = o.fds ?? 'clean';
    if (typeof fds !== 'string' || !(fds in FD_FLAGS)) {
      throw invalidArgValue('options.fds', fds, "must be one of: 'clean', 'copy', 'share'");
    }
    const uid = checkOptionalUint(o, 'uid', 0xfffffffe);
    const gid = checkOptionalUint(o, 'gid', 0xfffffffe);
    const umask = checkOptionalUint(o, 'umask', 0o777);
    let groups: Uint32Array | undefined;
    if (o.groups !== undefined) {
      if (!Array.isArray(o.groups)) throw invalidArgType('options.groups', 'an instance of Array', o.groups);
      groups = new Uint32Array(o.groups.length);
      o.groups.forEach((g: unknown, i: number) => {
        if (typeof g !== 'number') throw invalidArgType(`options.groups[${i}]`, 'of type number', g);
        if (!Number.isInteger(g) || g < 0 || g > 0xfffffffe) {
          throw outOfRange(`options.groups[${i}]`, '>= 0 && <= 4294967294', g);
        }
        groups![i] = g;
      });
    }
    const c = native.constants.lwproc;
    const flags = fds === 'clean' ? c.RUMP_RFCFDG! : fds === 'copy' ? c.RUMP_RFFDG! : 0;
    let h: ProcHandle;
    try {
      h = native.rfork(this.#h, flags);
    } catch (e) {
      throw translate(e);
    }
    const child = new Process(this.kernel, h);
    try {
      if (groups) child.sys.setgroups(groups.length, groups);
      if (gid !== undefined) child.sys.setgid(gid);
      if (uid !== undefined) child.sys.setuid(uid);
      if (umask !== undefined) child.sys.umask(umask);
    } catch (e) {
      child.exit();
      throw e;
    }
    return child;
  }

  /** End the process: its descriptors are closed, its children go to pid 1. */
  exit(): void {
    native.exit(this.#h);
  }
}

/** Turn an errno-carrying addon error into a RumpError. */
/** A rump kernel: booted in this process, isolated from every other kernel. */
export class Kernel {
  /** pid 1, the kernel's first process. */
  readonly init: Process;
  /** Typed system calls as pid 1 (root). */
  readonly sys: Sys;
  /** This kernel's number within the process, as its console lines show it. */
  readonly id: number;
  /** Block devices on host files. */
  readonly disks: KernelDisks;
  /** Host files at kernel paths. */
  readonly etfs: KernelEtfs;
  readonly #disks: DiskInfo[] = [];
  readonly #servers = new Set<SysproxyServer>();

  private constructor(h: ProcHandle) {
    this.init = new Process(this, h);
    this.sys = this.init.sys;
    this.id = native.kernelId(h);
    this.disks = {
      attach: (disk) => {
        const d = checkDisk(disk, 'disk');
        try {
          native.diskAttach(h, d.key, d.path, d.readOnly, d.offset, d.size ?? -1);
        } catch (e) {
          throw translate(e);
        }
        this.#disks.push(d);
      },
      detach: (key) => {
        if (typeof key !== 'string') throw invalidArgType('key', 'of type string', key);
        try {
          native.diskDetach(h, key);
        } catch (e) {
          throw translate(e);
        }
        const i = this.#disks.findIndex((d) => d.key === key);
        if (i >= 0) this.#disks.splice(i, 1);
      },
      list: () => this.#disks.map((d) => ({ ...d })),
    };
    this.etfs = {
      register: (kernelPath, hostPath, type = 'file') => {
        if (typeof kernelPath !== 'string') throw invalidArgType('kernelPath', 'of type string', kernelPath);
        if (typeof hostPath !== 'string') throw invalidArgType('hostPath', 'of type string', hostPath);
        if (type !== 'file' && type !== 'blockDevice') {
          throw invalidArgValue('type', type, "must be 'file' or 'blockDevice'");
        }
        try {
          native.etfsRegister(h, kernelPath, hostPath, type === 'file' ? 0 : 1);
        } catch (e) {
          throw translate(e);
        }
      },
    };
  }

  /** Boot a kernel. */
  static bootSync(options?: BootOptions): Kernel {
    const o = checkObject(options, 'options');
    const memlimit = checkOptionalUint(o, 'memoryLimit', Number.MAX_SAFE_INTEGER);
    const maxfiles = checkOptionalUint(o, 'maxFiles', 1048576);
    const maxfilesHard = checkOptionalUint(o, 'maxFilesHard', 1048576);
    if (o.hostname !== undefined && typeof o.hostname !== 'string') {
      throw invalidArgType('options.hostname', 'of type string', o.hostname);
    }
    if (typeof o.hostname === 'string' && Buffer.byteLength(o.hostname) > 64) {
      throw invalidArgValue('options.hostname', o.hostname, 'must be at most 64 bytes');
    }
    if (o.console !== undefined && typeof o.console !== 'boolean' && typeof o.console !== 'function') {
      throw invalidArgType('options.console', 'of type boolean or function', o.console);
    }
    if (o.disks !== undefined && !Array.isArray(o.disks)) {
      throw invalidArgType('options.disks', 'an array', o.disks);
    }
    const disks = ((o.disks ?? []) as unknown[]).map((d, i) => checkDisk(d, `options.disks[${i}]`));
    if (o.interfaces !== undefined && !Array.isArray(o.interfaces)) {
      throw invalidArgType('options.interfaces', 'an array', o.interfaces);
    }
    const ifs = (o.interfaces ?? []) as InterfaceOptions[];
    const consoleFn = typeof o.console === 'function' ? o.console as (line: string) => void : undefined;
    const wantConsole = consoleFn !== undefined || ((o.console as boolean | undefined) ?? kernDebug.enabled);
    if (wantConsole) ensureConsoleSink();
    let h: ProcHandle;
    try {
      h = native.boot({
        memlimit, maxfiles, maxfilesHard, hostname: o.hostname as string | undefined, console: wantConsole,
      });
    } catch (e) {
      throw translate(e);
    }
    const k = new Kernel(h);
    if (consoleFn) consoleFns.set(k.id, consoleFn);
    try {
      for (const d of disks) k.disks.attach(d);
      ifs.forEach((f, i) => attachInterface(h, f, `options.interfaces[${i}]`));
    } catch (e) {
      k.haltSync();
      throw e;
    }
    debug('booted kernel %d', k.id);
    return k;
  }

  /** Boot a kernel (the promise form; booting itself does not block). */
  static async boot(options?: BootOptions): Promise<Kernel> {
    return Kernel.bootSync(options);
  }

  /** Number of kernels booted from this thread and not yet halted. */
  static liveKernels(): number {
    return native.liveKernels();
  }

  /** A node:fs-compatible API acting as pid 1 (root). */
  get fs(): KernelFs {
    return this.init.fs;
  }

  /** node:net on the kernel, as its pid 1. */
  get net(): KernelNet {
    return this.init.net;
  }

  /** node:dgram on the kernel, as its pid 1. */
  get dgram(): KernelDgram {
    return this.init.dgram;
  }

  get halted(): boolean {
    return native.state(this.init.handle) === 'halted';
  }

  /** A new process, a child of pid 1 (see Process.process). */
  process(options?: ProcessOptions): Process {
    return this.init.process(options);
  }

  /** Mount as pid 1 (see Process.mount): k.mount('ext2', '/mnt', { device: '/dev/ld0' }). */
  mount(fstype: string, target: string, options?: MountOptions): void {
    this.init.mount(fstype, target, options);
  }

  /** Unmount as pid 1 (see Process.unmount). */
  unmount(target: string): void {
    this.init.unmount(target);
  }

  /**
   * Serve this kernel's system calls to programs in other processes
   * (librumpclient, librumphijack) on url: 'unix:///path' (created with
   * mode 0600) or 'tcp://127.0.0.1:0' (a tcp host must be given to listen
   * beyond loopback).  Served by native threads; the server closes before
   * the kernel halts.
   */
  async serve(url: string, options?: ServeOptions): Promise<SysproxyServer> {
    return this.serveSync(url, options);
  }

  serveSync(url: string, options?: ServeOptions): SysproxyServer {
    const srv = startServer(this.init.handle, url, options, (x) => this.#servers.delete(x));
    this.#servers.add(srv);
    return srv;
  }

  stats(): KernelStats {
    const s = native.stats(this.init.handle);
    return {
      memoryUsed: s.memused, memoryLimit: s.memlimit, allocations: s.memallocs,
      processes: s.nprocs, lwps: s.nlwps,
      buffers: s.bufs, dirtyBuffers: s.dirtybufs, bufferBytes: s.bufbytes,
      bufferHits: s.bufhits, bufferMisses: s.bufmisses, flusherRunning: s.flusher,
    };
  }

  /**
   * Halt the kernel and free everything it allocated.  Halting twice is a
   * no-op.  Throws ERR_RUMP_KERNEL_LEAK if kernel memory was still in use
   * at the end (a kernel bug, also logged on the console).
   */
  haltSync(): void {
    for (const srv of [...this.#servers]) srv.closeSync();
    consoleFns.delete(this.id);
    try {
      if (native.halt(this.init.handle)) debug('halted kernel %d', this.id);
    } catch (e) {
      const x = translate(e);
      if (x instanceof RumpError && x.code === 'EBUSY') {
        throw new RumpStateError('ERR_RUMP_KERNEL_LEAK', `kernel ${this.id} leaked memory at halt`);
      }
      throw x;
    }
  }

  async halt(): Promise<void> {
    this.haltSync();
  }
}

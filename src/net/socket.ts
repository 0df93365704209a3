// A node:net-compatible stream socket on a kernel's socket: a Duplex with
// backpressure whose readiness comes from the process's Poller.
import { Duplex } from 'node:stream';
import { RumpError } from '../errors.js';
import { native } from '../native.js';
import type { Process } from '../kernel.js';
import { AF_INET, AF_UNIX, decodeInet, decodeUnix, encodeInet, encodeUnix, resolveHost } from './addr.js';
import { EAGAIN, SockOps } from './ops.js';

const C = native.constants;
const S = C.socket;
const { EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLERR, EPOLLHUP } = C.epoll;
const READ_CHUNK = 64 * 1024;

export interface SocketConstructorOpts {
  fd?: number;
  allowHalfOpen?: boolean;
  readable?: boolean;
  writable?: boolean;
}

export interface TcpSocketConnectOpts {
  port: number;
  host?: string;
  localAddress?: string;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
}

export interface IpcSocketConnectOpts {
  path: string;
  timeout?: number;
}

export type SocketConnectOpts = TcpSocketConnectOpts | IpcSocketConnectOpts;

/** What the sockets of one process share: their system calls and poller. */
export interface NetContext {
  process: Process;
  ops: SockOps;
}

/**
 * A socket error as Node's net module shapes it: code, errno, syscall and
 * the message `connect ECONNREFUSED 127.0.0.1:80` (address and port when
 * known).
 */
export function netError(errno: number, syscall: string, where?: { address?: string; port?: number }): RumpError {
  const err = new RumpError(errno, syscall);
  let msg = `${syscall} ${err.code}`;
  if (where?.address !== undefined) {
    msg += ` ${where.address}`;
    if (where.port !== undefined) msg += `:${where.port}`;
    Object.assign(err, { address: where.address });
    if (where.port !== undefined) Object.assign(err, { port: where.port });
  }
  err.message = msg;
  return err;
}

function errnoError(e: unknown, syscall: string, where?: { address?: string; port?: number }): Error {
  if (e instanceof RumpError) return netError(e.errno, syscall, where);
  return e as Error;
}

/** A connection: a Duplex stream over a kernel socket. */
export class Socket extends Duplex {
  /** @internal */ readonly ctx: NetContext;
  #fd = -1;
  #family = 0;
  #connecting = false;
  #wantRead = false;
  #readEOF = false;
  #pendingWrite: { buf: Uint8Array; cb: (err?: Error | null) => void } | undefined;
  #pendingFinal: ((err?: Error | null) => void) | undefined;
  #readBuf = new Uint8Array(READ_CHUNK);
  #ref = true;
  #timeoutMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #remote: { address?: string; port?: number; family?: string } = {};
  bytesRead = 0;
  #bytesWritten = 0;
  readonly #allowHalfOpen: boolean;

  /** @internal use k.net.Socket or k.net.connect */
  constructor(ctx: NetContext, opts: SocketConstructorOpts = {}) {
    super({ allowHalfOpen: true, emitClose: true, autoDestroy: true, decodeStrings: true });
    this.ctx = ctx;
    this.#allowHalfOpen = opts.allowHalfOpen ?? false;
    if (opts.fd !== undefined) this.#adopt(opts.fd, true);
  }

  get connecting(): boolean {
    return this.#connecting;
  }

  get pending(): boolean {
    return this.#fd < 0 || this.#connecting;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.#connecting) return 'opening';
    if (this.#fd < 0) return 'closed';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  get remoteAddress(): string | undefined {
    return this.#remote.address;
  }

  get remotePort(): number | undefined {
    return this.#remote.port;
  }

  get remoteFamily(): string | undefined {
    return this.#remote.family;
  }

  get localAddress(): string | undefined {
    const a = this.address();
    return 'address' in a ? a.address : undefined;
  }

  get localPort(): number | undefined {
    const a = this.address();
    return 'port' in a ? a.port : undefined;
  }

  /** @internal the kernel descriptor (for tests and k.net.sockets()) */
  get fd(): number {
    return this.#fd;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.#fd < 0) return {};
    try {
      const sa = this.ctx.ops.sockname(this.#fd);
      if (this.#family === AF_INET) return decodeInet(sa) ?? {};
      return { address: decodeUnix(sa, sa.length), family: 'unix', port: 0 } as never;
    } catch {
      return {};
    }
  }

  connect(options: SocketConnectOpts, cb?: () => void): this;
  connect(port: number, host?: string, cb?: () => void): this;
  connect(path: string, cb?: () => void): this;
  connect(...args: unknown[]): this {
    const [opts, cb] = normalizeConnectArgs(args);
    if (cb !== undefined) this.once('connect', cb);
    if (this.#fd >= 0 || this.#connecting) {
      throw Object.assign(new Error('Socket is already connected or connecting'), { code: 'ERR_SOCKET_CONNECTION_ALREADY_CONNECTED' });
    }
    if (opts.timeout !== undefined) this.setTimeout(opts.timeout);
    this.#connecting = true;
    let sa: Uint8Array;
    let domain: number;
    try {
      const ipcPath = (opts as IpcSocketConnectOpts).path;
      if (typeof ipcPath === 'string') {
        domain = AF_UNIX;
        sa = encodeUnix(ipcPath);
        this.#remote = { address: ipcPath };
      } else {
        const tcp = opts as TcpSocketConnectOpts;
        const port = typeof tcp.port === 'string' ? Number(tcp.port) : tcp.port;
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw Object.assign(new RangeError(`Port should be >= 0 and < 65536. Received ${String(port)}.`), { code: 'ERR_SOCKET_BAD_PORT' });
        }
        const host = resolveHost(tcp.host);
        if (host === undefined) {
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${tcp.host}`), {
            code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: tcp.host,
          });
        }
        domain = AF_INET;
        sa = encodeInet(host, port);
        this.#remote = { address: host, port, family: 'IPv4' };
      }
    } catch (e) {
      this.#connecting = false;
      process.nextTick(() => this.destroy(e as Error));
      return this;
    }
    const ops = this.ctx.ops;
    let fd: number;
    try {
      fd = ops.socket(domain, S.SOCK_STREAM | S.SOCK_NONBLOCK | S.SOCK_CLOEXEC, 0);
    } catch (e) {
      this.#connecting = false;
      process.nextTick(() => this.destroy(errnoError(e, 'socket')));
      return this;
    }
    this.#adopt(fd, false);
    const o = opts as TcpSocketConnectOpts;
    try {
      if (domain === AF_INET && (o.localAddress !== undefined || o.localPort !== undefined)) {
        ops.bind(fd, encodeInet(o.localAddress ?? '0.0.0.0', o.localPort ?? 0));
      }
      if (o.noDelay) this.setNoDelay(true);
      if (o.keepAlive) this.setKeepAlive(true, o.keepAliveInitialDelay);
      const r = ops.connect(fd, sa);
      if (r === 0) process.nextTick(() => this.#connected());
      // else EINPROGRESS: EPOLLOUT tells us
    } catch (e) {
      this.#connecting = false;
      process.nextTick(() => this.destroy(errnoError(e, 'connect', this.#remote)));
    }
    return this;
  }

  #adopt(fd: number, connected: boolean): void {
    this.#fd = fd;
    const ops = this.ctx.ops;
    try {
      this.#family = ops.getInt(fd, S.SOL_SOCKET, S.SO_DOMAIN);
    } catch {
      this.#family = AF_INET;
    }
    if (connected) {
      try {
        const sa = ops.peername(fd);
        this.#remote = this.#family === AF_INET ? (decodeInet(sa) ?? {}) : { address: decodeUnix(sa, sa.length) };
      } catch {
        this.#remote = {};
      }
    }
    this.ctx.process.poller.add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, (ev) => this.#ready(ev), this.#ref);
  }

  #connected(): void {
    if (!this.#connecting || this.destroyed) return;
    this.#connecting = false;
    this.#touch();
    this.emit('connect');
    this.emit('ready');
    if (this.#wantRead) this.#tryRead();
    if (this.#pendingWrite !== undefined) this.#flush();
  }

  #ready(ev: number): void {
    if (this.destroyed) return;
    if (this.#connecting) {
      if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      let err = 0;
      try {
        err = this.ctx.ops.getInt(this.#fd, S.SOL_SOCKET, S.SO_ERROR);
      } catch (e) {
        this.destroy(errnoError(e, 'connect', this.#remote));
        return;
      }
      if (err !== 0) {
        this.#connecting = false;
        this.destroy(netError(err, 'connect', this.#remote));
        return;
      }
      this.#connected();
    }
    if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      if (this.#wantRead) this.#tryRead();
    }
    if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      if (this.#pendingWrite !== undefined) this.#flush();
    }
  }

  override _read(): void {
    this.#wantRead = true;
    if (!this.#connecting && this.#fd >= 0) this.#tryRead();
  }

  #tryRead(): void {
    const ops = this.ctx.ops;
    while (this.#wantRead && !this.#readEOF && !this.destroyed) {
      let n: number;
      try {
        n = ops.recv(this.#fd, this.#readBuf);
      } catch (e) {
        this.destroy(errnoError(e, 'read'));
        return;
      }
      if (n === -EAGAIN) return;
      if (n === 0) {
        this.#readEOF = true;
        this.push(null);
        if (!this.#allowHalfOpen) this.end();
        return;
      }
      this.bytesRead += n;
      this.#touch();
      const chunk = Buffer.from(this.#readBuf.subarray(0, n));
      if (!this.push(chunk)) this.#wantRead = false;
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#pendingWrite = { buf: chunk, cb };
    if (!this.#connecting) this.#flush();
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'utf8', cb);
  }

  #flush(): void {
    const w = this.#pendingWrite;
    if (w === undefined) return;
    const ops = this.ctx.ops;
    while (w.buf.length > 0) {
      let n: number;
      try {
        n = ops.send(this.#fd, w.buf);
      } catch (e) {
        this.#pendingWrite = undefined;
        w.cb(errnoError(e, 'write'));
        return;
      }
      if (n === -EAGAIN) return; // EPOLLOUT resumes us
      this.#bytesWritten += n;
      w.buf = w.buf.subarray(n);
    }
    this.#touch();
    this.#pendingWrite = undefined;
    w.cb();
    if (this.#pendingFinal !== undefined) this._final(this.#pendingFinal);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.#connecting || this.#pendingWrite !== undefined) {
      this.#pendingFinal = cb;
      return;
    }
    this.#pendingFinal = undefined;
    try {
      if (this.#fd >= 0) this.ctx.ops.shutdown(this.#fd, S.SHUT_WR);
      cb();
    } catch (e) {
      const err = e as RumpError;
      // the peer may have gone already: nothing left to shut down
      cb(err.code === 'ENOTCONN' ? null : errnoError(e, 'shutdown'));
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#clearTimer();
    this.#connecting = false;
    const fd = this.#fd;
    this.#fd = -1;
    if (fd >= 0) {
      this.ctx.process.poller.remove(fd);
      try {
        this.ctx.ops.close(fd);
      } catch {
        // the kernel halted
      }
    }
    this.emit('_closed');
    cb(err);
  }

  /** Close the connection with a reset (SO_LINGER 0), as Node's resetAndDestroy. */
  resetAndDestroy(): this {
    if (this.#fd >= 0) {
      try {
        const b = new Int32Array([1, 0]);
        this.ctx.ops.sys.setsockopt(this.#fd, S.SOL_SOCKET, S.SO_LINGER, new Uint8Array(b.buffer), 8);
      } catch {
        // not a TCP socket: close plainly
      }
    }
    return this.destroy();
  }

  setNoDelay(noDelay = true): this {
    if (this.#fd >= 0 && this.#family === AF_INET) {
      this.ctx.ops.setInt(this.#fd, S.IPPROTO_TCP, S.TCP_NODELAY, noDelay ? 1 : 0);
    }
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this.#fd >= 0 && this.#family === AF_INET) {
      this.ctx.ops.setInt(this.#fd, S.SOL_SOCKET, S.SO_KEEPALIVE, enable ? 1 : 0);
      if (enable && initialDelay > 0) {
        this.ctx.ops.setInt(this.#fd, S.IPPROTO_TCP, S.TCP_KEEPIDLE, Math.max(1, Math.floor(initialDelay / 1000)));
      }
    }
    return this;
  }

  setTimeout(ms: number, cb?: () => void): this {
    if (cb !== undefined) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    this.#timeoutMs = ms;
    this.#touch();
    return this;
  }

  get timeout(): number | undefined {
    return this.#timeoutMs || undefined;
  }

  #touch(): void {
    this.#clearTimer();
    if (this.#timeoutMs > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => this.emit('timeout'), this.#timeoutMs);
      if (!this.#ref) this.#timer.unref();
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  ref(): this {
    this.#ref = true;
    if (this.#fd >= 0) this.ctx.process.poller.setRef(this.#fd, true);
    this.#timer?.ref();
    return this;
  }

  unref(): this {
    this.#ref = false;
    if (this.#fd >= 0) this.ctx.process.poller.setRef(this.#fd, false);
    this.#timer?.unref();
    return this;
  }
}

function normalizeConnectArgs(args: unknown[]): [SocketConnectOpts, (() => void) | undefined] {
  let cb: (() => void) | undefined;
  if (typeof args[args.length - 1] === 'function') cb = args.pop() as () => void;
  const [a, b] = args;
  if (typeof a === 'object' && a !== null) return [a as SocketConnectOpts, cb];
  if (typeof a === 'string' && !/^\d+$/.test(a)) return [{ path: a }, cb];
  return [{ port: Number(a), host: b as string | undefined }, cb];
}

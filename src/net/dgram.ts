// A node:dgram-compatible UDP socket on a kernel socket.
import { EventEmitter } from 'node:events';
import { RumpError } from '../errors.js';
import { native } from '../native.js';
import { AF_INET, decodeInet, encodeInet, resolveHost } from './addr.js';
import { EAGAIN } from './ops.js';
import { netError, type NetContext } from './socket.js';

const S = native.constants.socket;
const { EPOLLIN } = native.constants.epoll;
const MAX_DGRAM = 65536;

export interface RemoteInfo {
  address: string;
  family: 'IPv4';
  port: number;
  size: number;
}

export interface DgramSocketOptions {
  type: 'udp4';
  reuseAddr?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
}

export class DgramSocket extends EventEmitter {
  readonly #ctx: NetContext;
  #fd: number;
  #bound = false;
  #connected: Uint8Array | null = null;
  readonly #buf = new Uint8Array(MAX_DGRAM);
  readonly #from = new Uint8Array(16);
  #ref = true;

  /** @internal use k.dgram.createSocket */
  constructor(ctx: NetContext, opts: DgramSocketOptions) {
    super();
    if (opts.type !== 'udp4') {
      throw Object.assign(new TypeError(`Bad socket type specified. Valid types are: udp4`), { code: 'ERR_SOCKET_BAD_TYPE' });
    }
    this.#ctx = ctx;
    this.#fd = ctx.ops.socket(AF_INET, S.SOCK_DGRAM | S.SOCK_NONBLOCK | S.SOCK_CLOEXEC, 0);
    if (opts.reuseAddr) ctx.ops.setInt(this.#fd, S.SOL_SOCKET, S.SO_REUSEADDR, 1);
    if (opts.recvBufferSize) ctx.ops.setInt(this.#fd, S.SOL_SOCKET, S.SO_RCVBUF, opts.recvBufferSize);
    if (opts.sendBufferSize) ctx.ops.setInt(this.#fd, S.SOL_SOCKET, S.SO_SNDBUF, opts.sendBufferSize);
  }

  #live(): number {
    if (this.#fd < 0) throw Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
    return this.#fd;
  }

  bind(port?: number | { port?: number; address?: string }, address?: string | (() => void), cb?: () => void): this {
    if (typeof address === 'function') {
      cb = address;
      address = undefined;
    }
    let p = 0;
    if (typeof port === 'object' && port !== null) {
      p = port.port ?? 0;
      address = port.address;
    } else if (typeof port === 'number') {
      p = port;
    } else if (typeof port === 'function') {
      cb = port as () => void;
    }
    if (cb !== undefined) this.once('listening', cb);
    const fd = this.#live();
    const host = address === undefined ? '0.0.0.0' : resolveHost(address);
    try {
      if (host === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${address}`), { code: 'ENOTFOUND' });
      this.#ctx.ops.bind(fd, encodeInet(host, p));
    } catch (e) {
      const err = e instanceof RumpError ? netError(e.errno, 'bind', { address: host, port: p }) : e;
      process.nextTick(() => this.emit('error', err));
      return this;
    }
    this.#startReceiving();
    process.nextTick(() => this.emit('listening'));
    return this;
  }

  #startReceiving(): void {
    if (this.#bound) return;
    this.#bound = true;
    this.#ctx.process.poller.add(this.#fd, EPOLLIN, () => this.#receive(), this.#ref);
  }

  #receive(): void {
    while (this.#fd >= 0) {
      let r: { n: number; addrlen: number };
      try {
        r = this.#ctx.ops.recvfrom(this.#fd, this.#buf, this.#from);
      } catch (e) {
        // a connected socket hears ICMP errors as ECONNREFUSED: Node reports them
        this.emit('error', e instanceof RumpError ? netError(e.errno, 'recvmsg') : e);
        continue;
      }
      if (r.n === -EAGAIN) return;
      const from = decodeInet(this.#from, r.addrlen);
      const msg = Buffer.from(this.#buf.subarray(0, r.n));
      this.emit('message', msg, { address: from?.address ?? '', family: 'IPv4', port: from?.port ?? 0, size: r.n });
    }
  }

  send(msg: string | Uint8Array | readonly (string | Uint8Array)[], ...rest: unknown[]): void {
    let cb: ((err: Error | null, bytes?: number) => void) | undefined;
    if (typeof rest[rest.length - 1] === 'function') cb = rest.pop() as typeof cb;
    let data: Uint8Array;
    if (Array.isArray(msg)) data = Buffer.concat(msg.map((m) => (typeof m === 'string' ? Buffer.from(m) : m)));
    else data = typeof msg === 'string' ? Buffer.from(msg) : (msg as Uint8Array);
    // send(msg, offset, length, port, address) or send(msg, port, address)
    if (rest.length >= 3 && typeof rest[0] === 'number' && typeof rest[1] === 'number' && rest.length !== 2) {
      const [off, len] = rest as [number, number];
      data = data.subarray(off, off + len);
      rest = rest.slice(2);
    }
    const [port, address] = rest as [number | undefined, string | undefined];
    let to: Uint8Array | null = null;
    const fd = this.#live();
    try {
      if (port !== undefined) {
        if (this.#connected !== null) {
          throw Object.assign(new Error('Already connected'), { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' });
        }
        const host = resolveHost(address ?? 'localhost');
        if (host === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${address}`), { code: 'ENOTFOUND' });
        to = encodeInet(host, port);
      }
      const n = this.#ctx.ops.send(fd, data, to);
      if (!this.#bound) this.#startReceiving(); // sending binds an ephemeral port
      if (n === -EAGAIN) throw new RumpError(-EAGAIN, 'send');
      if (cb !== undefined) process.nextTick(cb, null, n);
    } catch (e) {
      const err = e instanceof RumpError ? netError(e.errno, 'send', to ? decodeInet(to) : undefined) : (e as Error);
      if (cb !== undefined) process.nextTick(cb, err);
      else process.nextTick(() => this.emit('error', err));
    }
  }

  connect(port: number, address?: string | (() => void), cb?: () => void): void {
    if (typeof address === 'function') {
      cb = address;
      address = undefined;
    }
    const host = resolveHost(address ?? 'localhost');
    const fd = this.#live();
    if (cb !== undefined) this.once('connect', cb);
    try {
      if (host === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${address}`), { code: 'ENOTFOUND' });
      const sa = encodeInet(host, port);
      this.#ctx.ops.connect(fd, sa);
      this.#connected = sa;
      this.#startReceiving();
      process.nextTick(() => this.emit('connect'));
    } catch (e) {
      process.nextTick(() => this.emit('error', e));
    }
  }

  disconnect(): void {
    const fd = this.#live();
    const unspec = new Uint8Array(16); // AF_UNSPEC
    this.#ctx.ops.connect(fd, unspec);
    this.#connected = null;
  }

  remoteAddress(): { address: string; family: string; port: number } {
    if (this.#connected === null) throw Object.assign(new Error('Not connected'), { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' });
    return decodeInet(this.#connected)!;
  }

  address(): { address: string; family: string; port: number } {
    return decodeInet(this.#ctx.ops.sockname(this.#live()))!;
  }

  setBroadcast(flag: boolean): void {
    this.#ctx.ops.setInt(this.#live(), S.SOL_SOCKET, S.SO_BROADCAST, flag ? 1 : 0);
  }

  setTTL(ttl: number): number {
    this.#ctx.ops.setInt(this.#live(), S.IPPROTO_IP, S.IP_TTL, ttl);
    return ttl;
  }

  setRecvBufferSize(size: number): void {
    this.#ctx.ops.setInt(this.#live(), S.SOL_SOCKET, S.SO_RCVBUF, size);
  }

  setSendBufferSize(size: number): void {
    this.#ctx.ops.setInt(this.#live(), S.SOL_SOCKET, S.SO_SNDBUF, size);
  }

  getRecvBufferSize(): number {
    return this.#ctx.ops.getInt(this.#live(), S.SOL_SOCKET, S.SO_RCVBUF);
  }

  getSendBufferSize(): number {
    return this.#ctx.ops.getInt(this.#live(), S.SOL_SOCKET, S.SO_SNDBUF);
  }

  close(cb?: () => void): this {
    if (cb !== undefined) this.once('close', cb);
    const fd = this.#live();
    this.#ctx.process.poller.remove(fd);
    this.#fd = -1;
    try {
      this.#ctx.ops.close(fd);
    } catch {
      // halted
    }
    process.nextTick(() => this.emit('close'));
    return this;
  }

  ref(): this {
    this.#ref = true;
    if (this.#bound && this.#fd >= 0) this.#ctx.process.poller.setRef(this.#fd, true);
    return this;
  }

  unref(): this {
    this.#ref = false;
    if (this.#bound && this.#fd >= 0) this.#ctx.process.poller.setRef(this.#fd, false);
    return this;
  }
}

// A node:net-compatible server on a kernel's listening socket.
import { EventEmitter } from 'node:events';
import { RumpError } from '../errors.js';
import { native } from '../native.js';
import { AF_INET, AF_UNIX, decodeInet, decodeUnix, encodeInet, encodeUnix, resolveHost } from './addr.js';
import { EAGAIN } from './ops.js';
import { netError, Socket, type NetContext } from './socket.js';

const S = native.constants.socket;
const { EPOLLIN } = native.constants.epoll;

export interface ServerOpts {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  path?: string;
  backlog?: number;
  exclusive?: boolean;
}

export class Server extends EventEmitter {
  readonly #ctx: NetContext;
  readonly #opts: ServerOpts;
  #fd = -1;
  #family = 0;
  #connections = new Set<Socket>();
  #closing = false;
  #closeCbs: ((err?: Error) => void)[] = [];
  #ref = true;
  maxConnections: number | undefined;

  /** @internal use k.net.createServer */
  constructor(ctx: NetContext, opts: ServerOpts = {}, listener?: (s: Socket) => void) {
    super();
    this.#ctx = ctx;
    this.#opts = opts;
    if (listener !== undefined) this.on('connection', listener);
  }

  get listening(): boolean {
    return this.#fd >= 0;
  }

  listen(port?: number, host?: string, backlog?: number, cb?: () => void): this;
  listen(port?: number, host?: string, cb?: () => void): this;
  listen(port?: number, cb?: () => void): this;
  listen(path: string, cb?: () => void): this;
  listen(options: ListenOptions, cb?: () => void): this;
  listen(...args: unknown[]): this {
    let cb: (() => void) | undefined;
    if (typeof args[args.length - 1] === 'function') cb = args.pop() as () => void;
    let o: ListenOptions;
    const [a, b, c] = args;
    if (typeof a === 'object' && a !== null) o = a as ListenOptions;
    else if (typeof a === 'string' && !/^\d+$/.test(a)) o = { path: a, backlog: b as number | undefined };
    else o = { port: a === undefined ? 0 : Number(a), host: b as string | undefined, backlog: c as number | undefined };
    if (cb !== undefined) this.once('listening', cb);
    if (this.#fd >= 0) {
      throw Object.assign(new Error('Listen method has been called more than once without closing.'), {
        code: 'ERR_SERVER_ALREADY_LISTEN',
      });
    }
    const ops = this.#ctx.ops;
    let fd = -1;
    try {
      let sa: Uint8Array;
      if (o.path !== undefined) {
        this.#family = AF_UNIX;
        sa = encodeUnix(o.path);
      } else {
        const port = o.port ?? 0;
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw Object.assign(new RangeError(`options.port should be >= 0 and < 65536. Received ${String(o.port)}.`), {
            code: 'ERR_SOCKET_BAD_PORT',
          });
        }
        const host = o.host === undefined ? '0.0.0.0' : resolveHost(o.host);
        if (host === undefined) {
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${o.host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
        }
        this.#family = AF_INET;
        sa = encodeInet(host, port);
      }
      fd = ops.socket(this.#family, S.SOCK_STREAM | S.SOCK_NONBLOCK | S.SOCK_CLOEXEC, 0);
      if (this.#family === AF_INET) ops.setInt(fd, S.SOL_SOCKET, S.SO_REUSEADDR, 1);
      try {
        ops.bind(fd, sa);
      } catch (e) {
        const where = this.#family === AF_INET ? decodeInet(sa) : { address: o.path };
        throw e instanceof RumpError ? netError(e.errno, 'listen', where) : e;
      }
      ops.listen(fd, o.backlog ?? 511);
    } catch (e) {
      if (fd >= 0) ops.close(fd);
      process.nextTick(() => this.emit('error', e));
      return this;
    }
    this.#fd = fd;
    this.#ctx.process.poller.add(fd, EPOLLIN, () => this.#accept(), this.#ref);
    process.nextTick(() => {
      if (this.#fd === fd) this.emit('listening');
    });
    return this;
  }

  #accept(): void {
    const ops = this.#ctx.ops;
    while (this.#fd >= 0) {
      let cfd: number;
      try {
        cfd = ops.accept(this.#fd, S.SOCK_NONBLOCK | S.SOCK_CLOEXEC);
      } catch (e) {
        this.emit('error', e);
        return;
      }
      if (cfd === -EAGAIN) return;
      if (this.maxConnections !== undefined && this.#connections.size >= this.maxConnections) {
        ops.close(cfd);
        this.emit('drop', {});
        continue;
      }
      const sock = new Socket(this.#ctx, { fd: cfd, allowHalfOpen: this.#opts.allowHalfOpen });
      if (this.#opts.noDelay) sock.setNoDelay(true);
      if (this.#opts.keepAlive) sock.setKeepAlive(true, this.#opts.keepAliveInitialDelay);
      if (this.#opts.pauseOnConnect) sock.pause();
      if (!this.#ref) sock.unref();
      this.#connections.add(sock);
      sock.once('close', () => {
        this.#connections.delete(sock);
        this.#maybeClosed();
      });
      this.emit('connection', sock);
    }
  }

  address(): { address: string; family: string; port: number } | string | null {
    if (this.#fd < 0) return null;
    const sa = this.#ctx.ops.sockname(this.#fd);
    if (this.#family === AF_UNIX) return decodeUnix(sa, sa.length);
    return decodeInet(sa) ?? null;
  }

  close(cb?: (err?: Error) => void): this {
    if (cb !== undefined) this.#closeCbs.push(cb);
    if (this.#fd < 0) {
      const err = Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' });
      process.nextTick(() => this.#finishClose(err));
      return this;
    }
    this.#ctx.process.poller.remove(this.#fd);
    try {
      this.#ctx.ops.close(this.#fd);
    } catch {
      // halted
    }
    this.#fd = -1;
    this.#closing = true;
    this.#maybeClosed();
    return this;
  }

  #maybeClosed(): void {
    if (this.#closing && this.#connections.size === 0) {
      this.#closing = false;
      process.nextTick(() => this.#finishClose());
    }
  }

  #finishClose(err?: Error): void {
    const cbs = this.#closeCbs;
    this.#closeCbs = [];
    for (const cb of cbs) cb(err);
    if (err === undefined) this.emit('close');
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.#connections.size;
    process.nextTick(() => cb(null, n));
    return this;
  }

  ref(): this {
    this.#ref = true;
    if (this.#fd >= 0) this.#ctx.process.poller.setRef(this.#fd, true);
    return this;
  }

  unref(): this {
    this.#ref = false;
    if (this.#fd >= 0) this.#ctx.process.poller.setRef(this.#fd, false);
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#fd < 0) return;
    await new Promise<void>((r) => this.close(() => r()));
  }
}

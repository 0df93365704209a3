// k.net and k.dgram: node:net- and node:dgram-compatible APIs on a kernel
// process's sockets.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { Process } from '../kernel.js';
import { createNetConfig, type NetConfig } from './config.js';
import { DgramSocket, type DgramSocketOptions, type RemoteInfo } from './dgram.js';
import { SockOps } from './ops.js';
import { Server, type ServerOpts } from './server.js';
import { Socket, type NetContext, type SocketConnectOpts, type SocketConstructorOpts } from './socket.js';

export { DgramSocket, Server, Socket };
export type { RemoteInfo, ServerOpts, SocketConnectOpts, SocketConstructorOpts };

export type { InterfaceInfo, InterfaceOptions, Impairments, NetConfig, RouteInfo, SocketInfo } from './config.js';

export interface KernelNet extends NetConfig {
  /** A Socket class of this process: `new k.net.Socket()` then `connect`. */
  readonly Socket: new (opts?: SocketConstructorOpts) => Socket;
  createServer(listener?: (socket: Socket) => void): Server;
  createServer(options: ServerOpts, listener?: (socket: Socket) => void): Server;
  connect(options: SocketConnectOpts, cb?: () => void): Socket;
  connect(port: number, host?: string, cb?: () => void): Socket;
  connect(path: string, cb?: () => void): Socket;
  createConnection(options: SocketConnectOpts, cb?: () => void): Socket;
  createConnection(port: number, host?: string, cb?: () => void): Socket;
  createConnection(path: string, cb?: () => void): Socket;
  isIP: typeof isIP;
  isIPv4: typeof isIPv4;
  isIPv6: typeof isIPv6;
}

export interface KernelDgram {
  createSocket(type: 'udp4' | DgramSocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): DgramSocket;
}

export function createNet(process: Process): { net: KernelNet; dgram: KernelDgram } {
  const ctx: NetContext = { process, ops: new SockOps(process.sys) };
  class KSocket extends Socket {
    constructor(opts?: SocketConstructorOpts) {
      super(ctx, opts);
    }
  }
  const connect = (...args: unknown[]): Socket => {
    const s = new KSocket();
    return (s.connect as (...a: unknown[]) => Socket)(...args);
  };
  const net: KernelNet = {
    ...createNetConfig(process.handle),
    Socket: KSocket,
    createServer(a?: ServerOpts | ((s: Socket) => void), b?: (s: Socket) => void): Server {
      if (typeof a === 'function') return new Server(ctx, {}, a);
      return new Server(ctx, a ?? {}, b);
    },
    connect: connect as KernelNet['connect'],
    createConnection: connect as KernelNet['createConnection'],
    isIP,
    isIPv4,
    isIPv6,
  };
  const dgram: KernelDgram = {
    createSocket(type, listener) {
      const opts = typeof type === 'string' ? { type } : type;
      const s = new DgramSocket(ctx, opts as DgramSocketOptions);
      if (listener !== undefined) s.on('message', listener);
      return s;
    },
  };
  return { net, dgram };
}

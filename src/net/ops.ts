// The socket system calls as the stream classes use them: results, or a
// negative errno for the conditions a non-blocking socket meets in normal
// operation (EAGAIN, EINPROGRESS …), instead of exceptions.
import { RumpError } from '../errors.js';
import type { Sys } from '../gen/sys.js';
import { native } from '../native.js';

const E = native.constants.errno;
export const EAGAIN = E.EAGAIN;
export const EINPROGRESS = E.EINPROGRESS;
export const EINTR = E.EINTR;

function soft(e: unknown): number {
  if (e instanceof RumpError && (e.errno === -EAGAIN || e.errno === -EINPROGRESS)) return e.errno;
  throw e;
}

export class SockOps {
  constructor(readonly sys: Sys) {}

  socket(domain: number, type: number, proto: number): number {
    return this.sys.socket(domain, type, proto);
  }

  bind(fd: number, sa: Uint8Array): void {
    this.sys.bind(fd, sa, sa.length);
  }

  listen(fd: number, backlog: number): void {
    this.sys.listen(fd, backlog);
  }

  /** A connected descriptor, or -EAGAIN. */
  accept(fd: number, flags: number): number {
    try {
      return this.sys.accept4(fd, null, flags).result;
    } catch (e) {
      return soft(e);
    }
  }

  /** 0, or -EINPROGRESS. */
  connect(fd: number, sa: Uint8Array): number {
    try {
      this.sys.connect(fd, sa, sa.length);
      return 0;
    } catch (e) {
      return soft(e);
    }
  }

  /** Bytes received (0 at end of stream), or -EAGAIN. */
  recv(fd: number, buf: Uint8Array, len = buf.length): number {
    try {
      return this.sys.recvfrom(fd, buf, len, 0, null).result;
    } catch (e) {
      return soft(e);
    }
  }

  /** A datagram and its sender's address bytes, or -EAGAIN. */
  recvfrom(fd: number, buf: Uint8Array, addr: Uint8Array): { n: number; addrlen: number } {
    try {
      const r = this.sys.recvfrom(fd, buf, buf.length, 0, addr);
      return { n: r.result, addrlen: r.addrlen };
    } catch (e) {
      return { n: soft(e), addrlen: 0 };
    }
  }

  /** Bytes sent, or -EAGAIN. */
  send(fd: number, buf: Uint8Array, to: Uint8Array | null = null): number {
    try {
      return this.sys.sendto(fd, buf, buf.length, native.constants.socket.MSG_NOSIGNAL, to, to?.length ?? 0);
    } catch (e) {
      return soft(e);
    }
  }

  shutdown(fd: number, how: number): void {
    this.sys.shutdown(fd, how);
  }

  close(fd: number): void {
    this.sys.close(fd);
  }

  sockname(fd: number): Uint8Array {
    const b = new Uint8Array(128);
    const r = this.sys.getsockname(fd, b);
    return b.subarray(0, r.addrlen);
  }

  peername(fd: number): Uint8Array {
    const b = new Uint8Array(128);
    const r = this.sys.getpeername(fd, b);
    return b.subarray(0, r.addrlen);
  }

  setInt(fd: number, level: number, name: number, value: number): void {
    const b = new Int32Array([value]);
    this.sys.setsockopt(fd, level, name, new Uint8Array(b.buffer), 4);
  }

  getInt(fd: number, level: number, name: number): number {
    const b = new Int32Array(1);
    this.sys.getsockopt(fd, level, name, new Uint8Array(b.buffer));
    return b[0]!;
  }
}

// Socket addresses: struct sockaddr_in and sockaddr_un as bytes, in the
// host's layout (the kernel speaks the host ABI).
import { isIPv4 } from 'node:net';

export const AF_UNIX = 1;
export const AF_INET = 2;
const SOCKADDR_IN_LEN = 16;
const SUN_PATH_MAX = 108;

export interface InetAddress {
  address: string;
  family: 'IPv4';
  port: number;
}

export function encodeInet(address: string, port: number): Uint8Array {
  const b = new Uint8Array(SOCKADDR_IN_LEN);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  const parts = address.split('.').map(Number);
  for (let i = 0; i < 4; i++) b[4 + i] = parts[i]!;
  return b;
}

export function decodeInet(b: Uint8Array, len = b.length): InetAddress | undefined {
  if (len < 8) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint16(0, true) !== AF_INET) return undefined;
  return {
    address: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`,
    family: 'IPv4',
    port: dv.getUint16(2, false),
  };
}

/** A sockaddr_un for path; a leading NUL byte names the abstract namespace. */
export function encodeUnix(path: string): Uint8Array {
  const name = Buffer.from(path, 'utf8');
  if (name.length >= SUN_PATH_MAX) {
    throw Object.assign(new RangeError(`The path "${path}" is too long for a unix socket`), {
      code: 'ENAMETOOLONG',
    });
  }
  const abstract = name[0] === 0;
  const b = new Uint8Array(2 + name.length + (abstract ? 0 : 1));
  new DataView(b.buffer).setUint16(0, AF_UNIX, true);
  b.set(name, 2);
  return b;
}

export function decodeUnix(b: Uint8Array, len: number): string {
  if (len <= 2) return '';
  const name = Buffer.from(b.buffer, b.byteOffset + 2, len - 2);
  if (name[0] === 0) return name.toString('utf8');
  const nul = name.indexOf(0);
  return name.subarray(0, nul < 0 ? name.length : nul).toString('utf8');
}

/** Resolve a host name the kernel can use: IPv4 literals and localhost. */
export function resolveHost(host: string | undefined): string | undefined {
  if (host === undefined || host === '' || host === 'localhost') return '127.0.0.1';
  if (isIPv4(host)) return host;
  return undefined;
}

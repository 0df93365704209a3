// Argument handling for k.fs: paths, descriptors, options, modes and
// encodings, each checked the way node:fs checks it and failing with the
// same ERR_* code and message.
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { invalidArgType, invalidArgValue } from '../errors.js';

/** What the fs functions accept as a path. */
export type PathLike = string | Buffer | URL;

/** A path as the kernel takes it: a string or the bytes of a Uint8Array. */
export type KPath = string | Uint8Array;

function isURL(v: unknown): v is URL {
  return v instanceof URL ||
    (v != null && typeof v === 'object' && (v as URL).href !== undefined && (v as URL).protocol !== undefined &&
      (v as { auth?: unknown }).auth === undefined && (v as { path?: unknown }).path === undefined);
}

/**
 * A path argument: a string or Uint8Array is passed through; a file: URL
 * becomes its path.  Strings with NUL bytes and other types throw.
 */
export function toPath(v: unknown, name = 'path'): KPath {
  if (typeof v === 'string') {
    if (v.indexOf('\u0000') !== -1) throw nulInPath(v, name);
    return v;
  }
  if (v instanceof Uint8Array) {
    if (v.indexOf(0) !== -1) throw nulInPath(v, name);
    return v;
  }
  if (isURL(v)) {
    const s = fileURLToPath(v);
    if (s.indexOf('\u0000') !== -1) throw nulInPath(s, name);
    return s;
  }
  throw invalidArgType(name, 'of type string or an instance of Buffer or URL', v);
}

function nulInPath(v: unknown, name: string): TypeError {
  return invalidArgValue(name, v, 'must be a string, Uint8Array, or URL without null bytes');
}

/**
 * Node's ERR_OUT_OF_RANGE, with its rule for the received value: integers
 * beyond 2 ** 32 get digit separators, others are shown by inspect.
 */
export function outOfRange(name: string, range: string, actual: unknown): RangeError {
  let shown: string;
  if (typeof actual === 'number' && Number.isInteger(actual) && Math.abs(actual) > 2 ** 32) {
    shown = separate(String(actual));
  } else if (typeof actual === 'bigint') {
    shown = String(actual);
    if (actual > 2n ** 32n || actual < -(2n ** 32n)) shown = separate(shown);
    shown += 'n';
  } else {
    shown = inspect(actual);
  }
  const err = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${shown}`);
  Object.defineProperty(err, 'code', { value: 'ERR_OUT_OF_RANGE', enumerable: true });
  return err;
}

function separate(s: string): string {
  let res = '';
  let i = s.length;
  const start = s[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${s.slice(i - 3, i)}${res}`;
  return `${s.slice(0, i)}${res}`;
}

/** The RangeError node:fs throws for a mode outside [lo, hi] of access and copyFile. */
export function modeRange(v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number') throw argType('mode', 'of type number', v);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    const err = new RangeError(`mode is out of range: >= ${lo} && <= ${hi}`);
    Object.defineProperty(err, 'code', { value: 'ERR_OUT_OF_RANGE', enumerable: true });
    throw err;
  }
  return v;
}

/** A path as text, for messages and results. */
export function pathString(p: KPath): string {
  return typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString();
}

/** A descriptor: an int32 >= 0. */
export function toFd(v: unknown, name = 'fd'): number {
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v);
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
  if (v < 0 || v > 0x7fffffff) throw outOfRange(name, '>= 0 && <= 2147483647', v);
  return v;
}

/** An integer in [lo, hi] (Node's validateInteger / validateInt32). */
export function checkInt(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number') throw argType(name, 'of type number', v);
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
  if (v < lo || v > hi) throw outOfRange(name, `>= ${lo} && <= ${hi}`, v);
  return v;
}

/** A file mode: a uint32 or an octal string; def when undefined. */
export function toMode(v: unknown, name: string, def?: number): number {
  if (v === undefined || v === null) v = def;
  if (typeof v === 'string') {
    if (!/^[0-7]+$/.test(v)) throw invalidArgValue(name, v, 'must be a 32-bit unsigned integer or an octal string');
    v = parseInt(v, 8);
  }
  return checkInt(v, name, 0, 4294967295);
}

/** ERR_INVALID_ARG_TYPE, saying "property" for option fields as Node does. */
export function argType(name: string, expected: string, actual: unknown): TypeError {
  const err = invalidArgType(name, expected, actual);
  if (name.includes('.')) err.message = err.message.replace(' argument ', ' property ');
  return err;
}

export function checkBool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw argType(name, 'of type boolean', v);
  return v;
}

export function checkFunction(v: unknown, name: string): void {
  if (typeof v !== 'function') throw invalidArgType(name, 'of type function', v);
}

export function checkObject(v: unknown, name: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidArgType(name, 'of type object', v);
  return v as Record<string, unknown>;
}

const encodings = new Set(['utf8', 'utf-8', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le', 'latin1', 'binary',
  'base64', 'base64url', 'hex', 'ascii', 'buffer']);

/** An encoding name as Buffer takes it ('buffer' and null mean bytes). */
export function checkEncoding(v: unknown): BufferEncoding | 'buffer' | null | undefined {
  if (v === undefined || v === null || v === 'buffer') return v as 'buffer' | null | undefined;
  if (typeof v === 'string' && (encodings.has(v) || encodings.has(v.toLowerCase()))) return v as BufferEncoding;
  throw invalidArgValue('encoding', v, 'is invalid encoding');
}

/** Node's getOptions: a string is an encoding, an object is taken as is. */
export function getOptions<T extends object>(v: unknown, def: T): T & { encoding?: unknown } {
  if (v === undefined || v === null || typeof v === 'function') return def;
  let o: T & { encoding?: unknown };
  if (typeof v === 'string') o = { ...def, encoding: v };
  else if (typeof v === 'object') o = v as T;
  else {
    const err = invalidArgType('options', 'one of type string or object', v);
    throw err;
  }
  if (o.encoding !== 'buffer') checkEncoding(o.encoding);
  return o;
}

/** Bytes of a data argument (string in an encoding, or any ArrayBufferView). */
export function toBytes(data: unknown, encoding: unknown, name = 'data'): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, (encoding as BufferEncoding | null) ?? 'utf8');
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgType(name, 'of type string or an instance of Buffer, TypedArray, or DataView', data);
}

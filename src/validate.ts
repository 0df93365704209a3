// Argument checks for the generated system-call bindings.  Each throws the
// error Node would throw for the same mistake; none returns a value the
// caller must check.
import { RumpError, invalidArgType, invalidArgValue, outOfRange } from './errors.js';

const pathText = (p: unknown): string | undefined =>
  typeof p === 'string' ? p : p instanceof Uint8Array ? Buffer.from(p).toString() : undefined;

/** Throw the RumpError for a negative errno returned by the addon. */
export function sysFail(r: number, syscall: string, path?: unknown, dest?: unknown): never {
  throw new RumpError(r, syscall, pathText(path), pathText(dest));
}

/** A path: a string or Uint8Array without NUL bytes (or null where allowed). */
export function vPath(v: unknown, name: string, nullable: boolean): void {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) {
      throw invalidArgValue(name, v, 'must be a string, Uint8Array, or URL without null bytes');
    }
    return;
  }
  if (v instanceof Uint8Array) {
    if (v.includes(0)) throw invalidArgValue(name, v, 'must be a string, Uint8Array, or URL without null bytes');
    return;
  }
  if (v === null && nullable) return;
  throw invalidArgType(name, `of type string or an instance of Buffer${nullable ? ', or null' : ''}`, v);
}

/** An I/O vector: an array of ArrayBufferViews. */
export function vIov(v: unknown, name: string): void {
  if (!Array.isArray(v)) throw invalidArgType(name, 'an instance of Array', v);
  for (let i = 0; i < v.length; i++) {
    if (!ArrayBuffer.isView(v[i])) {
      throw invalidArgType(`${name}[${i}]`, 'an instance of Buffer, TypedArray, or DataView', v[i]);
    }
  }
}

/** An integer within [lo, hi]. */
export function vInt(v: unknown, name: string, lo: number, hi: number): void {
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v);
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
  if (v < lo || v > hi) throw outOfRange(name, `>= ${lo} && <= ${hi}`, v);
}

/** An ArrayBufferView (or null where the kernel accepts a null pointer). */
export function vBuf(v: unknown, name: string, nullable: boolean): void {
  if (v === null && nullable) return;
  if (!ArrayBuffer.isView(v)) {
    throw invalidArgType(name, `an instance of Buffer, TypedArray, or DataView${nullable ? ', or null' : ''}`, v);
  }
}

/**
 * A length in elements of elemSize bytes for buffer buf: at most what buf
 * holds.  When optional and undefined, the whole buffer.
 */
export function vLen(v: unknown, name: string, buf: ArrayBufferView | null, elemSize: number,
  optional: boolean): number {
  const cap = buf === null ? 0 : Math.floor(buf.byteLength / elemSize);
  if (v === undefined && optional) return cap;
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v);
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
  // Negative lengths reach the kernel, which rejects them as Linux does.
  if (v > cap && buf !== null) throw outOfRange(name, `<= ${cap}`, v);
  if (v < -2147483648 || v > 0xffffffff) throw outOfRange(name, `>= -2147483648 && <= ${0xffffffff}`, v);
  return v;
}

export interface StructLayout {
  name: string;
  size: number;
  /** bits: a set of flags, taken as uint32 or as the int32 with the same bits. */
  fields: { name: string; offset: number; view: string; bits?: boolean }[];
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const INT_RANGE: Record<string, [number, number]> = {
  Uint8: [0, 0xff], Int8: [-0x80, 0x7f], Uint16: [0, 0xffff], Int16: [-0x8000, 0x7fff],
  Uint32: [0, 0xffffffff], Int32: [-0x80000000, 0x7fffffff],
};

/**
 * Encode a struct argument (count of them in a row) into its C layout, into
 * `into` when given; null passes through when allowed.
 */
export function vStruct(v: unknown, name: string, layout: StructLayout, nullable: boolean,
  count = 1, into?: Uint8Array): Uint8Array | null {
  if (v === null && nullable) return null;
  const items = count > 1 ? v : [v];
  if (count > 1 && (!Array.isArray(v) || v.length !== count)) {
    throw invalidArgType(name, `an array of ${count} ${layout.name}${nullable ? ', or null' : ''}`, v);
  }
  const out = into ?? new Uint8Array(layout.size * count);
  out.fill(0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  (items as unknown[]).forEach((item, k) => {
    const iname = count > 1 ? `${name}[${k}]` : name;
    if (typeof item !== 'object' || item === null) {
      throw invalidArgType(iname, `of type object (${layout.name})${nullable ? ' or null' : ''}`, item);
    }
    const base = k * layout.size;
    for (const f of layout.fields) {
      const x = (item as Record<string, unknown>)[f.name];
      const fname = `${iname}.${f.name}`;
      const off = base + f.offset;
      if (f.view === 'BigUint64' || f.view === 'BigInt64' || f.view === 'U64N' || f.view === 'I64N') {
        if (typeof x !== 'bigint' && typeof x !== 'number') throw invalidArgType(fname, 'of type bigint or number', x);
        if (typeof x === 'number' && !Number.isSafeInteger(x)) throw outOfRange(fname, 'a safe integer', x);
        const b = BigInt(x);
        const unsigned = f.view === 'BigUint64' || f.view === 'U64N';
        const [lo, hi] = unsigned ? [0n, U64_MAX] : [I64_MIN, I64_MAX];
        if (b < lo || b > hi) throw outOfRange(fname, `>= ${lo} && <= ${hi}`, x);
        if (unsigned) dv.setBigUint64(off, b, true);
        else dv.setBigInt64(off, b, true);
      } else {
        const [lo, hi] = INT_RANGE[f.view]!;
        vInt(x, fname, f.bits ? -0x80000000 : lo, hi);
        (dv as unknown as Record<string, (o: number, v: number, le: boolean) => void>)[`set${f.view}`]!
          .call(dv, off, x as number, true);
      }
    }
  });
  return out;
}

/**
 * A struct msghdr for sendmsg and recvmsg: the peer's address (a sockaddr's
 * bytes: filled by recvmsg up to its length), the data vector, and the
 * ancillary data (cmsgs, as bytes in the host's layout).
 */
export interface MsgHdr {
  name?: ArrayBufferView | null;
  iov: readonly ArrayBufferView[];
  control?: ArrayBufferView | null;
}

/** A MsgHdr: its iov an array of ArrayBufferViews, name and control views or null. */
export function vMsg(v: unknown, name: string): void {
  if (typeof v !== 'object' || v === null) throw invalidArgType(name, 'of type object', v);
  const m = v as Record<string, unknown>;
  vIov(m.iov, `${name}.iov`);
  if (m.name !== undefined) vBuf(m.name, `${name}.name`, true);
  if (m.control !== undefined) vBuf(m.control, `${name}.control`, true);
}

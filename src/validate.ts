// Argument checks for the generated system-call bindings.  Each throws the
// error Node would throw for the same mistake; none returns a value the
// caller must check.
import { RumpError, invalidArgType, outOfRange } from './errors.js';

/** Throw the RumpError for a negative errno returned by the addon. */
export function sysFail(r: number, syscall: string): never {
  throw new RumpError(r, syscall);
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
  fields: { name: string; offset: number; view: string }[];
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const INT_RANGE: Record<string, [number, number]> = {
  Uint8: [0, 0xff], Int8: [-0x80, 0x7f], Uint16: [0, 0xffff], Int16: [-0x8000, 0x7fff],
  Uint32: [0, 0xffffffff], Int32: [-0x80000000, 0x7fffffff],
};

/** Encode a struct argument into its C layout (null passes through when allowed). */
export function vStruct(v: unknown, name: string, layout: StructLayout, nullable: boolean): Uint8Array | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'object' || v === null) {
    throw invalidArgType(name, `of type object (${layout.name})${nullable ? ' or null' : ''}`, v);
  }
  const out = new Uint8Array(layout.size);
  const dv = new DataView(out.buffer);
  for (const f of layout.fields) {
    const x = (v as Record<string, unknown>)[f.name];
    const fname = `${name}.${f.name}`;
    if (f.view === 'BigUint64' || f.view === 'BigInt64') {
      if (typeof x !== 'bigint' && typeof x !== 'number') throw invalidArgType(fname, 'of type bigint or number', x);
      if (typeof x === 'number' && !Number.isSafeInteger(x)) throw outOfRange(fname, 'a safe integer', x);
      const b = BigInt(x);
      const [lo, hi] = f.view === 'BigUint64' ? [0n, U64_MAX] : [I64_MIN, I64_MAX];
      if (b < lo || b > hi) throw outOfRange(fname, `>= ${lo} && <= ${hi}`, x);
      if (f.view === 'BigUint64') dv.setBigUint64(f.offset, b, true);
      else dv.setBigInt64(f.offset, b, true);
    } else {
      const [lo, hi] = INT_RANGE[f.view];
      vInt(x, fname, lo, hi);
      (dv as unknown as Record<string, (o: number, v: number, le: boolean) => void>)[`set${f.view}`]
        .call(dv, f.offset, x as number, true);
    }
  }
  return out;
}

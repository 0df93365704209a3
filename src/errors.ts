// Errors shaped like Node's own: RumpError for kernel errnos (as node:fs
// throws SystemError-like errors), and Node's ERR_* codes for bad arguments.
import { getSystemErrorMap, inspect } from 'node:util';
import { native } from './native.js';

const systemErrors = getSystemErrorMap();

/** An errno from a rumpkit kernel, shaped like the errors node:fs throws. */
export class RumpError extends Error {
  /** The negative errno, as Node reports it. */
  readonly errno: number;
  /** 'ENOENT', 'EPERM' … */
  readonly code: string;
  readonly syscall: string;
  declare readonly path?: string;
  declare readonly dest?: string;

  constructor(errno: number, syscall: string, path?: string, dest?: string) {
    const e = Math.abs(errno);
    const [code, desc] = systemErrors.get(-e) ?? [errnoName(e), `unknown error ${e}`];
    let message = `${code}: ${desc}, ${syscall}`;
    if (path !== undefined) message += ` '${path}'`;
    if (dest !== undefined) message += ` -> '${dest}'`;
    super(message);
    this.errno = -e;
    this.code = code;
    this.syscall = syscall;
    if (path !== undefined) (this as { path?: string }).path = path;
    if (dest !== undefined) (this as { dest?: string }).dest = dest;
  }
}

let errnoNames: Map<number, string> | undefined;
/** The symbolic name of an errno value of this host ('ENOENT' for 2). */
export function errnoName(errno: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, v] of Object.entries(native.constants.errno)) {
      if (v !== undefined && !errnoNames.has(v)) errnoNames.set(v, name);
    }
  }
  return errnoNames.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}

/** An error with a Node-style code, for conditions that are not errnos. */
export class RumpStateError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') {
    const ctor = (v as object).constructor?.name;
    return ctor ? `an instance of ${ctor}` : inspect(v, { depth: -1 });
  }
  let shown = inspect(v, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof v} (${shown})`;
}

/** Node's ERR_INVALID_ARG_TYPE. */
export function invalidArgType(name: string, expected: string, actual: unknown): TypeError {
  const err = new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
  Object.defineProperty(err, 'code', { value: 'ERR_INVALID_ARG_TYPE', enumerable: true });
  return err;
}

/** Node groups the digits of integers beyond 2^32 with underscores. */
function separated(n: number | bigint): string {
  const big = typeof n === 'bigint' ? n > 2n ** 32n || n < -(2n ** 32n)
    : Number.isInteger(n) && Math.abs(n) > 2 ** 32;
  const s = String(n);
  const suffix = typeof n === 'bigint' ? 'n' : '';
  if (!big) return s + suffix;
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  return (neg ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, '_') + suffix;
}

/** Node's ERR_OUT_OF_RANGE. */
export function outOfRange(name: string, range: string, actual: unknown): RangeError {
  const shown = typeof actual === 'number' || typeof actual === 'bigint'
    ? separated(actual) : inspect(actual);
  const err = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${shown}`);
  Object.defineProperty(err, 'code', { value: 'ERR_OUT_OF_RANGE', enumerable: true });
  return err;
}

/** Node's ERR_INVALID_ARG_VALUE. */
export function invalidArgValue(name: string, actual: unknown, reason = 'is invalid'): TypeError {
  const err = new TypeError(`The argument '${name}' ${reason}. Received ${inspect(actual)}`);
  Object.defineProperty(err, 'code', { value: 'ERR_INVALID_ARG_VALUE', enumerable: true });
  return err;
}

/** An error the addon threw with an errno (ERR_RUMP_ERRNO) as a RumpError; others unchanged. */
export function translate(e: unknown): unknown {
  const x = e as { code?: string; errno?: number; syscall?: string };
  if (x && x.code === 'ERR_RUMP_ERRNO' && typeof x.errno === 'number') {
    return new RumpError(x.errno, x.syscall ?? 'rump');
  }
  return e;
}

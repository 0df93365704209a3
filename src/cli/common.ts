// What every image tool shares: its context (output, operands resolved to
// volumes), option parsing in the coreutils manner, error messages with the C
// library's texts, modes and sizes as ls and stat print them.
import type { Loc } from './volume.js';

/** An operand and whether the command writes through it. */
export interface Operand {
  arg: string;
  write: boolean;
}

export interface Ctx {
  out(s: string | Uint8Array): void;
  err(s: string): void;
  /** Operands as Locs; images are opened (once each) as the first call needs them. */
  resolve(ops: readonly Operand[]): Loc[];
  /** Whether stderr is a terminal (progress bars). */
  tty: boolean;
  /** The file-creation mask applied to new files and to chmod's implied 'a'. */
  umask: number;
  /** The images' file system type (--fstype, RUMPKIT_FSTYPE), for commands that mount on their own. */
  fstype?: string;
  /** Set when the user interrupts: long loops stop at their next step. */
  interrupted?: boolean;
  /** Aborted when the user interrupts: for waits that are not steps of a loop (a FIFO with no writer yet). */
  signal?: AbortSignal;
  /** Set by a copy that was interrupted half-way: the destination it left incomplete. */
  incomplete?: string;
}

/** A copy or a wait that stopped because the user interrupted. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** p, or an Interrupted rejection as soon as ctx is interrupted (p is then left to itself). */
export function interruptible<T>(ctx: Ctx, p: Promise<T>): Promise<T> {
  const signal = ctx.signal;
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new Interrupted());
    if (signal.aborted) {
      p.catch(() => {});
      stop();
      return;
    }
    signal.addEventListener('abort', stop, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', stop);
      resolve(v);
    }, (e: unknown) => {
      signal.removeEventListener('abort', stop);
      reject(e);
    });
  });
}

/** A command: its name, its --help text and what it does (resolving to the exit status). */
export interface Command {
  name: string;
  usage: string;
  run(ctx: Ctx, argv: string[]): number | Promise<number>;
}

const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted', ENOENT: 'No such file or directory', EIO: 'Input/output error',
  ENXIO: 'No such device or address', EBADF: 'Bad file descriptor', EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory', EACCES: 'Permission denied', EBUSY: 'Device or resource busy',
  EEXIST: 'File exists', EXDEV: 'Invalid cross-device link', ENODEV: 'No such device', ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory', EINVAL: 'Invalid argument', EMFILE: 'Too many open files', EFBIG: 'File too large',
  ENOSPC: 'No space left on device', EROFS: 'Read-only file system', EMLINK: 'Too many links',
  ENAMETOOLONG: 'File name too long', ENOTEMPTY: 'Directory not empty', ELOOP: 'Too many levels of symbolic links',
  ENOTSUP: 'Operation not supported', EOPNOTSUPP: 'Operation not supported', EDQUOT: 'Disk quota exceeded',
  EUCLEAN: 'Structure needs cleaning', ENOSYS: 'Function not implemented', ETXTBSY: 'Text file busy',
  EOVERFLOW: 'Value too large for defined data type',
};

/** The C library's text for an error (strerror), from a Node or rumpkit error. */
export function strerror(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code && STRERROR[code]) return STRERROR[code];
  const msg = (e as Error).message ?? String(e);
  return msg.replace(/^[A-Z]+: /, '').replace(/,.*$/, '') || String(e);
}

export function errCode(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

/** 'x' as coreutils quotes a name in messages (the C locale's quoting). */
export function q(s: string): string {
  if (!s.includes("'")) return `'${s}'`;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

export interface ParsedArgs {
  /** Each option seen: its value (true for flags) — the last one wins. */
  opts: Map<string, string | true>;
  operands: string[];
}

export interface OptSpec {
  /** Single-letter flags without a value. */
  flags: string;
  /** Single letters that take a value. */
  values?: string;
  /** Long options: name → the letter (or a name of its own) they stand for; a trailing '=' takes a value. */
  long?: Record<string, string>;
}

/** An image that could not be opened (attached or mounted). */
export class ImageError extends Error {}

/** A failure that ends the command: its message, and status 1 (2 for ls). */
export class Fatal extends Error {}

/** An error in the command line (exit status 1, or 2 for ls). */
export class UsageError extends Error {}

/** getopt_long in brief: clustered flags, values attached or next, '--', operands anywhere. */
export function parseArgs(argv: string[], spec: OptSpec, isOperand?: (a: string) => boolean): ParsedArgs {
  const opts = new Map<string, string | true>();
  const operands: string[] = [];
  const values = spec.values ?? '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, val] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const names = Object.keys(spec.long ?? {}).map((n) => n.replace(/=$/, ''));
      const hits = names.filter((n) => n.startsWith(name));
      const exact = names.includes(name) ? name : hits.length === 1 ? hits[0] : undefined;
      if (exact === undefined) {
        throw new UsageError(hits.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
      }
      const key = `${exact}=` in spec.long! ? `${exact}=` : exact;
      const letter = spec.long![key]!;
      if (key.endsWith('=')) {
        const v = val ?? argv[++i];
        if (v === undefined) throw new UsageError(`option '--${exact}' requires an argument`);
        opts.set(letter, v);
      } else {
        if (val !== undefined) throw new UsageError(`option '--${exact}' doesn't allow an argument`);
        opts.set(letter, true);
      }
      continue;
    }
    if (a.length < 2 || a[0] !== '-' || isOperand?.(a)) {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (values.includes(c)) {
        const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option requires an argument -- '${c}'`);
        opts.set(c, v);
        break;
      }
      if (!spec.flags.includes(c)) throw new UsageError(`invalid option -- '${c}'`);
      opts.set(c, true);
    }
  }
  return { opts, operands };
}

/** The 10-character mode string of ls -l and stat's %A. */
export function modeString(mode: number): string {
  const t = mode & 0o170000;
  const type = t === 0o040000 ? 'd' : t === 0o120000 ? 'l' : t === 0o020000 ? 'c' : t === 0o060000 ? 'b'
    : t === 0o010000 ? 'p' : t === 0o140000 ? 's' : '-';
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  const x = (xm: number, sm: number, s: string) =>
    mode & sm ? (mode & xm ? s : s.toUpperCase()) : mode & xm ? 'x' : '-';
  return type + bit(0o400, 'r') + bit(0o200, 'w') + x(0o100, 0o4000, 's') + bit(0o40, 'r') + bit(0o20, 'w') +
    x(0o10, 0o2000, 's') + bit(0o4, 'r') + bit(0o2, 'w') + x(0o1, 0o1000, 't');
}

/** stat's %F. */
export function fileType(mode: number, size: number): string {
  switch (mode & 0o170000) {
    case 0o040000: return 'directory';
    case 0o120000: return 'symbolic link';
    case 0o020000: return 'character special file';
    case 0o060000: return 'block special file';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return size === 0 ? 'regular empty file' : 'regular file';
  }
}

/** Sizes as -h prints them: ceiling to one decimal below 10, else to a whole number; K M G T P E. */
export function human(n: number): string {
  if (n < 1024) return String(n);
  const units = 'KMGTPE';
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (v < 10) {
    let r = Math.ceil(v * 10 - 1e-9) / 10;
    if (r >= 10) return `${Math.ceil(r)}${units[u]}`;
    return `${r.toFixed(1)}${units[u]}`;
  }
  let r = Math.ceil(v - 1e-9);
  if (r >= 1024 && u < units.length - 1) return `1.0${units[u + 1]}`;
  return `${r}${units[u]}`;
}

export function isDir(mode: number): boolean {
  return (mode & 0o170000) === 0o040000;
}
export function isLink(mode: number): boolean {
  return (mode & 0o170000) === 0o120000;
}

/** Directory entries sorted as ls sorts them in the C locale (byte order). */
export function sortedNames(names: string[]): string[] {
  return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

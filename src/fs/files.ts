// Descriptors and file contents: open, close, read, write, readFile,
// writeFile, appendFile, truncate, copyFile, fsync.  Each function runs as
// the process of its `this` (an FsCtx); the hot ones write their scalars
// into the control array and call the addon directly.
import { invalidArgType, invalidArgValue } from '../errors.js';
import {
  checkEncoding, checkInt, getOptions, modeRange, outOfRange, toBytes, toFd, toMode, toPath, type KPath,
} from './args.js';
import { AT_EMPTY_PATH, E, ctl, sys, uvError, type FsCtx } from './context.js';
import { O_CLOEXEC, O_CREAT, O_EXCL, O_RDONLY, O_WRONLY, toFlags } from './flags.js';
import { S_IFMT, S_IFREG, statxBuf, statxMode, statxSize } from './stats.js';

const { sys_open, sys_close, sys_read, sys_write, sys_pread64, sys_pwrite64, sys_statx, sys_ftruncate } = sys;
const STATX_BASIC_STATS = 0x7ff;

/** open(2) as this process; throws the node:fs error for syscall 'open'. */
export function kopen(ctx: FsCtx, path: KPath, flags: number, mode: number): number {
  ctl[0] = ctx.slot; ctl[3] = flags | O_CLOEXEC; ctl[4] = mode;
  sys_open(path);
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'open', path);
  return r;
}

export function kclose(ctx: FsCtx, fd: number): void {
  ctl[0] = ctx.slot; ctl[2] = fd;
  sys_close();
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'close');
}

/** fstat into statxBuf; returns 0 or the negative errno. */
export function kfstatx(ctx: FsCtx, fd: number): number {
  ctl[0] = ctx.slot; ctl[2] = fd; ctl[4] = AT_EMPTY_PATH; ctl[5] = STATX_BASIC_STATS;
  sys_statx('', statxBuf);
  return ctl[1]!;
}

/** read(2) or pread(2) (pos >= 0) of len bytes into buf at off. */
export function kread(ctx: FsCtx, fd: number, buf: ArrayBufferView, off: number, len: number, pos: number): number {
  const view = off === 0 ? buf : new Uint8Array(buf.buffer, buf.byteOffset + off, len);
  ctl[0] = ctx.slot; ctl[2] = fd; ctl[4] = len;
  if (pos < 0) sys_read(view);
  else { ctl[5] = pos; sys_pread64(view); }
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'read');
  return r;
}

/** write(2) or pwrite(2) (pos >= 0) of len bytes from buf at off. */
export function kwrite(ctx: FsCtx, fd: number, buf: ArrayBufferView, off: number, len: number, pos: number): number {
  const view = off === 0 ? buf : new Uint8Array(buf.buffer, buf.byteOffset + off, len);
  ctl[0] = ctx.slot; ctl[2] = fd; ctl[4] = len;
  if (pos < 0) sys_write(view);
  else { ctl[5] = pos; sys_pwrite64(view); }
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'write');
  return r;
}

/** Write all of buf (looping over short writes). */
export function kwriteAll(ctx: FsCtx, fd: number, buf: Uint8Array, pos: number): void {
  let off = 0;
  while (off < buf.byteLength) {
    const n = kwrite(ctx, fd, buf, off, buf.byteLength - off, pos);
    off += n;
    if (pos >= 0) pos += n;
  }
}

function fdArg(fd: unknown): number {
  return typeof fd === 'number' && fd >= 0 && fd <= 0x7fffffff && (fd | 0) === fd ? fd : toFd(fd);
}

export function openSync(this: FsCtx, path: unknown, flags?: unknown, mode?: unknown): number {
  const p = typeof path === 'string' && path.indexOf('\u0000') === -1 ? path : toPath(path);
  const f = typeof flags === 'number' ? flags : toFlags(flags);
  const m = mode === undefined ? 0o666 : toMode(mode, 'mode', 0o666);
  return kopen(this, p, f, m);
}

export function closeSync(this: FsCtx, fd: unknown): void {
  kclose(this, fdArg(fd));
}

/** A position argument: a non-negative integer (number or bigint), or -1/null for the current one. */
function toPosition(v: unknown, name = 'position'): number {
  if (v === null || v === undefined) return -1;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
    if (v < -1 || v > Number.MAX_SAFE_INTEGER) {
      throw outOfRange(name, `>= -1 && <= ${Number.MAX_SAFE_INTEGER}`, v);
    }
    return v;
  }
  if (typeof v === 'bigint') {
    if (v < -1n || v > 0x7fffffffffffffffn) throw outOfRange(name, '>= -1 && <= 9223372036854775807', v);
    return Number(v);
  }
  throw invalidArgType(name, 'of type number or bigint', v);
}

function bufArg(buffer: unknown, name = 'buffer'): ArrayBufferView {
  if (!ArrayBuffer.isView(buffer)) throw invalidArgType(name, 'an instance of Buffer, TypedArray, or DataView', buffer);
  return buffer;
}

export function readSync(this: FsCtx, fd: unknown, buffer: unknown, offsetOrOptions?: unknown,
  length?: unknown, position?: unknown): number {
  const f = fdArg(fd);
  const buf = bufArg(buffer);
  let offset = offsetOrOptions;
  if (arguments.length <= 3 || (typeof offsetOrOptions === 'object' && offsetOrOptions !== null)) {
    if (offsetOrOptions !== undefined && offsetOrOptions !== null && typeof offsetOrOptions !== 'object') {
      throw invalidArgType('options', 'of type object', offsetOrOptions);
    }
    const o = (offsetOrOptions ?? {}) as { offset?: unknown; length?: unknown; position?: unknown };
    offset = o.offset ?? 0;
    length = o.length ?? buf.byteLength - (offset as number);
    position = o.position ?? null;
  }
  let off = 0;
  if (offset !== undefined && offset !== 0) off = checkInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  let len = (length as number) | 0;
  if (length === undefined) len = buf.byteLength - off;
  if (len === 0) return 0;
  if (buf.byteLength === 0) throw invalidArgValue('buffer', buf, 'is empty and cannot be written');
  if (off > buf.byteLength) throw outOfRange('offset', `<= ${buf.byteLength}`, off);
  if (len < 0) throw outOfRange('length', '>= 0', len);
  if (off + len > buf.byteLength) throw outOfRange('length', `<= ${buf.byteLength - off}`, len);
  const pos = position === null || position === undefined || position === -1 ? -1 : toPosition(position);
  return kread(this, f, buf, off, len, pos);
}

export function writeSync(this: FsCtx, fd: unknown, buffer: unknown, offsetOrOptions?: unknown,
  length?: unknown, position?: unknown): number {
  const f = fdArg(fd);
  if (ArrayBuffer.isView(buffer)) {
    let offset = offsetOrOptions;
    if (typeof offset === 'object' && offset !== null) {
      const o = offset as { offset?: unknown; length?: unknown; position?: unknown };
      offset = o.offset ?? 0;
      length = o.length ?? buffer.byteLength - (offset as number);
      position = o.position ?? null;
    }
    const off = typeof offset === 'number' ? offset : 0;
    const len = typeof length === 'number' ? length : buffer.byteLength - off;
    const pos = typeof position === 'number' ? position : -1;
    if (off > buffer.byteLength) throw outOfRange('offset', `<= ${buffer.byteLength}`, off);
    if (len > buffer.byteLength - off) throw outOfRange('length', `<= ${buffer.byteLength - off}`, len);
    if (len < 0) throw outOfRange('length', '>= 0', len);
    checkInt(len, 'length', 0, 2147483647);
    return kwrite(this, f, buffer, off, len, pos);
  }
  if (typeof buffer !== 'string') {
    throw invalidArgType('buffer', 'of type string or an instance of Buffer, TypedArray, or DataView', buffer);
  }
  const enc = checkEncoding(length ?? 'utf8');
  const bytes = Buffer.from(buffer, (enc === 'buffer' || enc === null ? 'utf8' : enc) as BufferEncoding);
  const pos = typeof offsetOrOptions === 'number' ? offsetOrOptions : -1;
  return kwrite(this, f, bytes, 0, bytes.byteLength, pos);
}

const isFdArg = (v: unknown): v is number => typeof v === 'number' && (v | 0) === v && v >= 0;

/** Read a whole file (from its current position when given as a descriptor). */
function readAll(ctx: FsCtx, fd: number): Buffer {
  let size = 0;
  const r = kfstatx(ctx, fd);
  if (r < 0) throw uvError(r, 'fstat');
  if ((statxMode() & S_IFMT) === S_IFREG) size = statxSize();
  if (size > 0) {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = kread(ctx, fd, buf, got, size - got, -1);
      if (n === 0) break;
      got += n;
    }
    return got < size ? buf.subarray(0, got) : buf;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    const n = kread(ctx, fd, chunk, 0, chunk.byteLength, -1);
    if (n === 0) break;
    chunks.push(n < chunk.byteLength ? chunk.subarray(0, n) : chunk);
    total += n;
  }
  return Buffer.concat(chunks, total);
}

export function readFileSync(this: FsCtx, path: unknown, options?: unknown): string | Buffer {
  const o = getOptions(options, { flag: 'r' } as { flag?: unknown; encoding?: unknown });
  const userFd = isFdArg(path);
  const fd = userFd ? path : kopen(this, toPath(path), toFlags(o.flag), 0o666);
  let data: Buffer;
  try {
    data = readAll(this, fd);
  } finally {
    if (!userFd) kclose(this, fd);
  }
  const enc = o.encoding;
  return enc && enc !== 'buffer' ? data.toString(enc as BufferEncoding) : data;
}

interface WriteOptions { encoding?: unknown; mode?: unknown; flag?: unknown; flush?: unknown }

function writeData(ctx: FsCtx, path: unknown, data: unknown, o: WriteOptions, defFlag: string): void {
  if (!ArrayBuffer.isView(data) && typeof data !== 'string') {
    throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  }
  const bytes = toBytes(data, o.encoding ?? 'utf8');
  if (isFdArg(path)) {
    kwriteAll(ctx, path, bytes, -1);
    return;
  }
  const fd = kopen(ctx, toPath(path), toFlags(o.flag ?? defFlag), toMode(o.mode, 'mode', 0o666));
  try {
    kwriteAll(ctx, fd, bytes, -1);
  } finally {
    kclose(ctx, fd);
  }
}

export function writeFileSync(this: FsCtx, path: unknown, data: unknown, options?: unknown): void {
  writeData(this, path, data, getOptions(options, { encoding: 'utf8', mode: 0o666, flag: 'w' } as WriteOptions), 'w');
}

export function appendFileSync(this: FsCtx, path: unknown, data: unknown, options?: unknown): void {
  const o = getOptions(options, { encoding: 'utf8', mode: 0o666, flag: 'a' } as WriteOptions);
  // A descriptor is written where it stands; a path is opened for appending.
  writeData(this, path, data, o, 'a');
}

export function ftruncateSync(this: FsCtx, fd: unknown, len: unknown = 0): void {
  const f = fdArg(fd);
  const l = checkInt(len, 'len', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  ctl[0] = this.slot; ctl[2] = f; ctl[3] = Math.max(l, 0);
  sys_ftruncate();
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'ftruncate');
}

export function truncateSync(this: FsCtx, path: unknown, len: unknown = 0): void {
  if (isFdArg(path)) return ftruncateSync.call(this, path, len);
  const l = checkInt(len, 'len', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const fd = kopen(this, toPath(path), toFlags('r+'), 0o666);
  try {
    ftruncateSync.call(this, fd, l);
  } finally {
    kclose(this, fd);
  }
}

export function fsyncSync(this: FsCtx, fd: unknown): void {
  const f = fdArg(fd);
  ctl[0] = this.slot; ctl[2] = f;
  sys.sys_fsync();
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'fsync');
}

export function fdatasyncSync(this: FsCtx, fd: unknown): void {
  const f = fdArg(fd);
  ctl[0] = this.slot; ctl[2] = f;
  sys.sys_fdatasync();
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'fdatasync');
}

/** The body of copyFile: 0 or a negative errno; st.dfd is the destination once open. */
function copyBytes(ctx: FsCtx, sfd: number, d: KPath, m: number, st: { dfd: number }): number {
  let r = kfstatx(ctx, sfd);
  if (r < 0) return r;
  const smode = statxMode();
  let size = statxSize();
  const sino = statxBuf.slice(32, 40);
  const sdev = statxBuf.slice(136, 144);
  ctl[0] = ctx.slot; ctl[3] = O_WRONLY | O_CREAT | O_CLOEXEC | ((m & COPYFILE_EXCL) ? O_EXCL : 0); ctl[4] = smode;
  sys_open(d);
  const dfd = ctl[1]!;
  if (dfd < 0) return dfd;
  st.dfd = dfd;
  r = kfstatx(ctx, dfd);
  if (r < 0) return r;
  if (Buffer.compare(sino, statxBuf.subarray(32, 40)) === 0 &&
      Buffer.compare(sdev, statxBuf.subarray(136, 144)) === 0) return 0;
  ctl[0] = ctx.slot; ctl[2] = dfd; ctl[3] = 0;
  sys_ftruncate();
  if (ctl[1]! < 0) return ctl[1]!;
  ctl[0] = ctx.slot; ctl[2] = dfd; ctl[3] = smode & 0o7777;
  sys.sys_fchmod();
  if (ctl[1]! < 0 && ctl[1] !== -E.EPERM) return ctl[1]!;
  const chunk = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1 << 20));
  while (size > 0) {
    ctl[0] = ctx.slot; ctl[2] = sfd; ctl[4] = Math.min(size, chunk.byteLength);
    sys_read(chunk);
    const n = ctl[1]!;
    if (n < 0) return n;
    if (n === 0) break;
    let off = 0;
    while (off < n) {
      ctl[0] = ctx.slot; ctl[2] = dfd; ctl[4] = n - off;
      sys_write(off === 0 ? chunk : chunk.subarray(off));
      const w = ctl[1]!;
      if (w < 0) return w;
      off += w;
    }
    size -= n;
  }
  return 0;
}

export const COPYFILE_EXCL = 1;
export const COPYFILE_FICLONE = 2;
export const COPYFILE_FICLONE_FORCE = 4;

/**
 * copyFile as libuv does it: open the source, create the destination with
 * the source's mode, truncate it, set the mode, copy the bytes; a failure
 * after the destination was opened removes it.
 */
export function copyFileSync(this: FsCtx, src: unknown, dest: unknown, mode: unknown = 0): void {
  const s = toPath(src, 'src');
  const d = toPath(dest, 'dest');
  const m = modeRange(mode, 0, 7);
  const fail = (r: number): never => { throw uvError(r, 'copyfile', s, d); };
  if (m & COPYFILE_FICLONE_FORCE) fail(-E.ENOSYS);
  ctl[0] = this.slot; ctl[3] = O_RDONLY | O_CLOEXEC; ctl[4] = 0;
  sys_open(s);
  const sfd = ctl[1]!;
  if (sfd < 0) fail(sfd);
  const st = { dfd: -1 };
  let err = copyBytes(this, sfd, d, m, st);
  ctl[0] = this.slot; ctl[2] = sfd;
  sys_close();
  if (st.dfd >= 0) {
    ctl[0] = this.slot; ctl[2] = st.dfd;
    sys_close();
    if (err === 0 && ctl[1]! < 0) err = ctl[1]!;
    if (err !== 0) {
      ctl[0] = this.slot;
      sys.sys_unlink(d);
    }
  }
  if (err !== 0) fail(err);
}


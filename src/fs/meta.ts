// Metadata and names: stat, lstat, fstat, access, exists, chmod, chown,
// utimes, unlink, rmdir, rename, link, symlink, readlink.
import { invalidArgType } from '../errors.js';
import { getOptions, checkInt, modeRange, toFd, toMode, toPath, type KPath } from './args.js';
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, E, ctl, sys, uvError, type FsCtx } from './context.js';
import { kfstatx } from './files.js';
import { newBigIntStats, newStats, statxBuf, type BigIntStats, type Stats } from './stats.js';

const { sys_statx, sys_access, sys_unlink, sys_rmdir, sys_rename, sys_readlink } = sys;
const STATX_BASIC_STATS = 0x7ff;
const ENOENT = -E.ENOENT;

interface StatOptions { bigint?: boolean; throwIfNoEntry?: boolean }

/** statx into statxBuf as this process: 0 or a negative errno. */
export function kstatx(ctx: FsCtx, path: KPath, flags: number): number {
  ctl[0] = ctx.slot; ctl[2] = AT_FDCWD; ctl[4] = flags; ctl[5] = STATX_BASIC_STATS;
  sys_statx(path, statxBuf);
  return ctl[1]!;
}

function statAt(ctx: FsCtx, path: unknown, options: StatOptions | undefined, flags: number,
  syscall: string): Stats | BigIntStats | undefined {
  const p = typeof path === 'string' && path.indexOf('\u0000') === -1 ? path : toPath(path);
  ctl[0] = ctx.slot; ctl[2] = AT_FDCWD; ctl[4] = flags; ctl[5] = STATX_BASIC_STATS;
  sys_statx(p, statxBuf);
  const r = ctl[1]!;
  if (r < 0) {
    if (r === ENOENT && options !== undefined && options.throwIfNoEntry === false) return undefined;
    throw uvError(r, syscall, p);
  }
  return options !== undefined && options.bigint ? newBigIntStats() : newStats();
}

export function statSync(this: FsCtx, path: unknown, options?: StatOptions): Stats | BigIntStats | undefined {
  return statAt(this, path, options, 0, 'stat');
}

export function lstatSync(this: FsCtx, path: unknown, options?: StatOptions): Stats | BigIntStats | undefined {
  return statAt(this, path, options, AT_SYMLINK_NOFOLLOW, 'lstat');
}

export function fstatSync(this: FsCtx, fd: unknown, options?: StatOptions): Stats | BigIntStats {
  const f = typeof fd === 'number' && (fd | 0) === fd && fd >= 0 ? fd : toFd(fd);
  const r = kfstatx(this, f);
  if (r < 0) throw uvError(r, 'fstat');
  return options !== undefined && options.bigint ? newBigIntStats() : newStats();
}

function accessMode(mode: unknown): number {
  if (mode === undefined) return 0;
  return modeRange(mode, 0, 7);
}

export function accessSync(this: FsCtx, path: unknown, mode?: unknown): void {
  const p = toPath(path);
  const m = accessMode(mode);
  ctl[0] = this.slot; ctl[3] = m;
  sys_access(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'access', p);
}

export function existsSync(this: FsCtx, path: unknown): boolean {
  let p: KPath;
  try {
    p = toPath(path);
  } catch {
    return false;
  }
  ctl[0] = this.slot; ctl[3] = 0;
  sys_access(p);
  return ctl[1]! >= 0;
}

export function chmodSync(this: FsCtx, path: unknown, mode: unknown): void {
  const p = toPath(path);
  const m = toMode(mode, 'mode');
  ctl[0] = this.slot; ctl[3] = m;
  sys.sys_chmod(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'chmod', p);
}

export function fchmodSync(this: FsCtx, fd: unknown, mode: unknown): void {
  const f = toFd(fd);
  const m = toMode(mode, 'mode');
  ctl[0] = this.slot; ctl[2] = f; ctl[3] = m;
  sys.sys_fchmod();
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'fchmod');
}

const MAX_ID = 4294967295;

function ids(uid: unknown, gid: unknown): void {
  checkInt(uid, 'uid', -1, MAX_ID);
  checkInt(gid, 'gid', -1, MAX_ID);
}

export function chownSync(this: FsCtx, path: unknown, uid: unknown, gid: unknown): void {
  const p = toPath(path);
  ids(uid, gid);
  ctl[0] = this.slot; ctl[3] = uid as number; ctl[4] = gid as number;
  sys.sys_chown(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'chown', p);
}

export function lchownSync(this: FsCtx, path: unknown, uid: unknown, gid: unknown): void {
  const p = toPath(path);
  ids(uid, gid);
  ctl[0] = this.slot; ctl[3] = uid as number; ctl[4] = gid as number;
  sys.sys_lchown(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'lchown', p);
}

export function fchownSync(this: FsCtx, fd: unknown, uid: unknown, gid: unknown): void {
  const f = toFd(fd);
  ids(uid, gid);
  ctl[0] = this.slot; ctl[2] = f; ctl[3] = uid as number; ctl[4] = gid as number;
  sys.sys_fchown();
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'fchown');
}

/** Node's toUnixTimestamp: seconds from a number, a numeric string or a Date. */
function toSeconds(t: unknown, name: string): number {
  if (typeof t === 'string' && +t == (t as unknown as number)) return +t;
  if (typeof t === 'number') return Number.isFinite(t) && t >= 0 ? t : Date.now() / 1000;
  if (t instanceof Date) return t.getTime() / 1000;
  throw invalidArgType(name, 'an instance of Date or an Time in seconds', t);
}

const timesBuf = new Uint8Array(32);
const timesI64 = new BigInt64Array(timesBuf.buffer);

/** Two timespecs as libuv makes them from seconds (microsecond resolution). */
function setTimes(atime: number, mtime: number): void {
  let i = 0;
  for (const t of [atime, mtime]) {
    let sec = Math.trunc(t);
    let nsec = Math.trunc((t - sec) * 1e9);
    nsec -= nsec % 1000;
    if (nsec < 0) { nsec += 1e9; sec -= 1; }
    timesI64[i++] = BigInt(sec);
    timesI64[i++] = BigInt(nsec);
  }
}

function utimensat(ctx: FsCtx, dirfd: number, path: KPath | null, atime: unknown, mtime: unknown,
  flags: number, syscall: string): void {
  setTimes(toSeconds(atime, 'time'), toSeconds(mtime, 'time'));
  ctl[0] = ctx.slot; ctl[2] = dirfd; ctl[5] = flags;
  sys.sys_utimensat(path, timesBuf);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, syscall, path ?? undefined);
}

export function utimesSync(this: FsCtx, path: unknown, atime: unknown, mtime: unknown): void {
  utimensat(this, AT_FDCWD, toPath(path), atime, mtime, 0, 'utime');
}

export function lutimesSync(this: FsCtx, path: unknown, atime: unknown, mtime: unknown): void {
  utimensat(this, AT_FDCWD, toPath(path), atime, mtime, AT_SYMLINK_NOFOLLOW, 'lutime');
}

export function futimesSync(this: FsCtx, fd: unknown, atime: unknown, mtime: unknown): void {
  utimensat(this, toFd(fd), null, atime, mtime, 0, 'futime');
}

export function unlinkSync(this: FsCtx, path: unknown): void {
  const p = typeof path === 'string' && path.indexOf('\u0000') === -1 ? path : toPath(path);
  ctl[0] = this.slot;
  sys_unlink(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'unlink', p);
}

/** rmdir(2) alone (rmdirSync with recursive is in dirs.ts). */
export function krmdir(ctx: FsCtx, p: KPath): void {
  ctl[0] = ctx.slot;
  sys_rmdir(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'rmdir', p);
}

export function renameSync(this: FsCtx, oldPath: unknown, newPath: unknown): void {
  const o = toPath(oldPath, 'oldPath');
  const n = toPath(newPath, 'newPath');
  ctl[0] = this.slot;
  sys_rename(o, n);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'rename', o, n);
}

export function linkSync(this: FsCtx, existingPath: unknown, newPath: unknown): void {
  const o = toPath(existingPath, 'existingPath');
  const n = toPath(newPath, 'newPath');
  ctl[0] = this.slot;
  sys.sys_link(o, n);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'link', o, n);
}

export function symlinkSync(this: FsCtx, target: unknown, path: unknown, type?: unknown): void {
  if (type !== undefined && type !== null && type !== 'dir' && type !== 'file' && type !== 'junction') {
    const err = new Error(`Symlink type must be one of "dir", "file", or "junction". Received "${String(type)}"`);
    Object.defineProperty(err, 'code', { value: 'ERR_FS_INVALID_SYMLINK_TYPE', enumerable: true });
    throw err;
  }
  const t = toPath(target, 'target');
  const p = toPath(path);
  ctl[0] = this.slot;
  sys.sys_symlink(t, p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'symlink', t, p);
}

const linkBuf = Buffer.allocUnsafe(4096);

/** readlink(2) into the scratch buffer: the length, or throws. */
export function kreadlink(ctx: FsCtx, p: KPath): number {
  ctl[0] = ctx.slot; ctl[4] = linkBuf.byteLength;
  sys_readlink(p, linkBuf);
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'readlink', p);
  return r;
}

export function readlinkSync(this: FsCtx, path: unknown, options?: unknown): string | Buffer {
  const o = getOptions(options, {} as { encoding?: unknown });
  const p = toPath(path);
  const n = kreadlink(this, p);
  const enc = o.encoding ?? 'utf8';
  return enc === 'buffer' ? Buffer.from(linkBuf.subarray(0, n)) : linkBuf.toString(enc as BufferEncoding, 0, n);
}

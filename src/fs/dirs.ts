// Directories: mkdir (recursive), readdir (withFileTypes, recursive),
// rmdir, rm (recursive, force), mkdtemp, realpath.  The recursive forms
// follow node:fs's own algorithms step by step, so the same failure gives
// the same error.
import { getRandomValues } from 'node:crypto';
import { posix as pathp } from 'node:path';
import { RumpError } from '../errors.js';
import {
  checkBool, checkEncoding, checkInt, checkObject, getOptions, pathString, toMode, toPath, type KPath,
} from './args.js';
import { E, FsSystemError, ctl, sys, uvError, type FsCtx } from './context.js';
import { Dirent, modeToType } from './dirent.js';
import { O_CLOEXEC, O_DIRECTORY, O_RDONLY } from './flags.js';
import { kstatx, krmdir, readlinkSync, unlinkSync } from './meta.js';
import { S_IFDIR, S_IFLNK, S_IFMT, statxBuf, statxMode } from './stats.js';
import { native } from '../native.js';

const AT_SYMLINK_NOFOLLOW = native.constants.at.AT_SYMLINK_NOFOLLOW;
const DT_UNKNOWN = native.constants.fs.DT_UNKNOWN;
const { sys_open, sys_close, sys_getdents64, sys_mkdir } = sys;

const dentBuf = Buffer.allocUnsafe(32 * 1024);

/**
 * Parse n bytes of linux_dirent64 records from buf, skipping . and ..:
 * names decoded with encoding ('buffer' gives Buffers) and their d_type.
 */
export function parseDents(buf: Buffer, n: number, encoding: BufferEncoding | 'buffer',
  names: (string | Buffer)[], types: number[]): void {
  let off = 0;
  while (off < n) {
    const reclen = buf[off + 16]! | (buf[off + 17]! << 8);
    const type = buf[off + 18]!;
    const start = off + 19;
    let end = buf.indexOf(0, start);
    if (end < 0 || end > off + reclen) end = off + reclen;
    off += reclen;
    const len = end - start;
    if (buf[start] === 0x2e && (len === 1 || (len === 2 && buf[start + 1] === 0x2e))) continue;
    names.push(encoding === 'buffer' ? Buffer.from(buf.subarray(start, end)) : buf.toString(encoding, start, end));
    types.push(type);
  }
}

/** open(2) a directory for reading its entries; the fd, or a negative errno. */
export function kopendir(ctx: FsCtx, p: KPath): number {
  ctl[0] = ctx.slot; ctl[3] = O_RDONLY | O_DIRECTORY | O_CLOEXEC; ctl[4] = 0;
  sys_open(p);
  return ctl[1]!;
}

/** getdents64 into buf: the byte count, or a negative errno. */
export function kgetdents(ctx: FsCtx, fd: number, buf: Buffer): number {
  ctl[0] = ctx.slot; ctl[2] = fd; ctl[4] = buf.byteLength;
  sys_getdents64(buf);
  return ctl[1]!;
}

/** All entries of directory p, sorted by name as libuv's scandir sorts them. */
function scandir(ctx: FsCtx, p: KPath, encoding: BufferEncoding | 'buffer', withTypes: boolean):
  { names: (string | Buffer)[]; types: number[] } {
  const fd = kopendir(ctx, p);
  if (fd < 0) throw uvError(fd, 'scandir', p);
  let names: (string | Buffer)[] = [];
  let types: number[] = [];
  try {
    for (;;) {
      const n = kgetdents(ctx, fd, dentBuf);
      if (n < 0) throw uvError(n, 'scandir', p);
      if (n === 0) break;
      parseDents(dentBuf, n, encoding, names, types);
    }
  } finally {
    ctl[0] = ctx.slot; ctl[2] = fd;
    sys_close();
  }
  if (!withTypes) {
    if (encoding === 'buffer') (names as Buffer[]).sort(Buffer.compare);
    else (names as string[]).sort();
  } else {
    const idx = names.map((_, i) => i);
    idx.sort(encoding === 'buffer'
      ? (a, b) => Buffer.compare(names[a] as Buffer, names[b] as Buffer)
      : (a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    names = idx.map((i) => names[i]!);
    types = idx.map((i) => types[i]!);
  }
  return { names, types };
}

/** A Dirent for an entry; an entry of unknown type is looked up with lstat. */
export function makeDirent(ctx: FsCtx, dir: string, name: string | Buffer, type: number): Dirent {
  if (type === DT_UNKNOWN) {
    const full = pathp.join(dir, pathString(name));
    const r = kstatx(ctx, full, AT_SYMLINK_NOFOLLOW);
    if (r < 0) throw uvError(r, 'lstat', full);
    type = modeToType(statxMode());
  }
  return new Dirent(name, type, dir);
}

interface ReaddirOptions { encoding?: unknown; withFileTypes?: unknown; recursive?: unknown }

export function readdirSync(this: FsCtx, path: unknown, options?: unknown): (string | Buffer | Dirent)[] {
  const o = getOptions(options, {} as ReaddirOptions);
  const p = toPath(path);
  if (o.recursive != null) checkBool(o.recursive, 'options.recursive');
  const enc = (o.encoding ?? 'utf8') as BufferEncoding | 'buffer';
  if (o.recursive) return readdirRecursive(this, pathString(p), enc, !!o.withFileTypes);
  const { names, types } = scandir(this, p, enc, !!o.withFileTypes);
  if (!o.withFileTypes) return names;
  const dir = pathString(p);
  return names.map((n, i) => makeDirent(this, dir, n, types[i]!));
}

/**
 * readdir({ recursive }) breadth first as node:fs does it: with file types,
 * directories are those whose entry type says so; without, those that stat
 * (following symbolic links) as directories.
 */
function readdirRecursive(ctx: FsCtx, base: string, enc: BufferEncoding | 'buffer', withTypes: boolean):
  (string | Buffer | Dirent)[] {
  const out: (string | Buffer | Dirent)[] = [];
  const queue = [base];
  for (let q = 0; q < queue.length; q++) {
    const dir = queue[q]!;
    const { names, types } = scandir(ctx, dir, enc, withTypes);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (withTypes) {
        const d = makeDirent(ctx, dir, name, types[i]!);
        out.push(d);
        if (d.isDirectory()) queue.push(pathp.join(dir, pathString(name)));
      } else {
        const full = pathp.join(dir, pathString(name));
        out.push(pathp.relative(base, full));
        if (kstatx(ctx, full, 0) === 0 && (statxMode() & S_IFMT) === S_IFDIR) queue.push(full);
      }
    }
  }
  return out;
}

/** mkdir -p as node:fs does it; returns the first directory it made. */
function mkdirp(ctx: FsCtx, path: string, mode: number): string | undefined {
  const stack = [path];
  let first: string | undefined;
  while (stack.length > 0) {
    const next = stack.pop()!;
    ctl[0] = ctx.slot; ctl[3] = mode;
    sys_mkdir(next);
    let err = ctl[1]!;
    for (;;) {
      if (err === 0) {
        first ??= next;
        break;
      }
      if (err === -E.EACCES || err === -E.ENOSPC || err === -E.ENOTDIR || err === -E.EPERM) return fail(err);
      if (err === -E.ENOENT) {
        const slash = next.lastIndexOf('/');
        const dirname = slash < 0 ? next : next.slice(0, slash);
        if (dirname !== next) {
          stack.push(next, dirname);
        } else if (stack.length === 0) {
          err = -E.EEXIST;
          continue;
        }
        break;
      }
      const r = kstatx(ctx, next, 0);
      if (r === 0 && (statxMode() & S_IFMT) !== S_IFDIR) {
        return fail(err === -E.EEXIST && stack.length > 0 ? -E.ENOTDIR : -E.EEXIST);
      }
      if (r < 0) return fail(r);
      break;
    }
  }
  return first;

  function fail(r: number): never {
    throw uvError(r, 'mkdir', path);
  }
}

export function mkdirSync(this: FsCtx, path: unknown, options?: unknown): string | undefined {
  let mode: unknown = 0o777;
  let recursive: unknown = false;
  if (typeof options === 'number' || typeof options === 'string') {
    mode = toMode(options, 'mode');
  } else if (options) {
    const o = options as { recursive?: unknown; mode?: unknown };
    if (o.recursive !== undefined) recursive = o.recursive;
    if (o.mode !== undefined) mode = toMode(o.mode, 'options.mode');
  }
  checkBool(recursive, 'options.recursive');
  const p = toPath(path);
  const m = toMode(mode, 'mode');
  if (recursive) return mkdirp(this, pathString(p), m);
  ctl[0] = this.slot; ctl[3] = m;
  sys_mkdir(p);
  if (ctl[1]! < 0) throw uvError(ctl[1]!, 'mkdir', p);
  return undefined;
}

interface RmOptions { recursive: boolean; force: boolean; maxRetries: number; retryDelay: number }

function rmOptions(options: unknown, force: boolean): RmOptions {
  const def: RmOptions = { recursive: false, force, maxRetries: 0, retryDelay: 100 };
  if (options === undefined) return def;
  const o = { ...def, ...checkObject(options, 'options') } as RmOptions;
  checkBool(o.recursive, 'options.recursive');
  checkInt(o.retryDelay, 'options.retryDelay', 0, 2147483647);
  checkInt(o.maxRetries, 'options.maxRetries', 0, 4294967295);
  return o;
}

function isDirectoryNoFollow(ctx: FsCtx, p: KPath, throwIfNoEntry: boolean): boolean | undefined {
  const r = kstatx(ctx, p, AT_SYMLINK_NOFOLLOW);
  if (r < 0) {
    if (r === -E.ENOENT && !throwIfNoEntry) return undefined;
    throw uvError(r, 'lstat', p);
  }
  return (statxMode() & S_IFMT) === S_IFDIR;
}

/** Remove a file or a tree, as node:fs's rimraf does (errors on ENOENT are ignored). */
function rimraf(ctx: FsCtx, p: string): void {
  let isDir: boolean | undefined;
  const r = kstatx(ctx, p, AT_SYMLINK_NOFOLLOW);
  if (r === -E.ENOENT) return;
  if (r === 0) isDir = (statxMode() & S_IFMT) === S_IFDIR;
  try {
    if (isDir) rmdirTree(ctx, p, null);
    else unlinkSync.call(ctx, p);
  } catch (e) {
    const code = (e as RumpError).code;
    if (code === 'ENOENT') return;
    if (code !== 'EISDIR') throw e;
    rmdirTree(ctx, p, e as Error);
  }
}

function rmdirTree(ctx: FsCtx, p: string, original: Error | null): void {
  try {
    krmdir(ctx, p);
  } catch (e) {
    const code = (e as RumpError).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw original ?? e;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') {
      for (const child of scandir(ctx, p, 'utf8', false).names) rimraf(ctx, `${p}/${child as string}`);
      try {
        krmdir(ctx, p);
        return;
      } catch (e2) {
        if ((e2 as RumpError).code === 'ENOENT') return;
        throw e2;
      }
    }
    throw original ?? e;
  }
}

export function rmSync(this: FsCtx, path: unknown, options?: unknown): void {
  const p = toPath(path);
  const o = rmOptions(options, false);
  checkBool(o.force, 'options.force');
  const text = pathString(p);
  if (!o.force || !o.recursive) {
    const isDir = isDirectoryNoFollow(this, p, !o.force);
    if (isDir && !o.recursive) {
      throw new FsSystemError('ERR_FS_EISDIR', 'Path is a directory', {
        code: 'EISDIR', message: 'is a directory', path: text, syscall: 'rm', errno: E.EISDIR,
      });
    }
  }
  rimraf(this, text);
}

export function rmdirSync(this: FsCtx, path: unknown, options?: unknown): void {
  const p = toPath(path);
  const o = rmOptions(options, false);
  if (o.recursive) {
    if (isDirectoryNoFollow(this, p, true)) {
      rimraf(this, pathString(p));
      return;
    }
  }
  krmdir(this, p);
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = new Uint8Array(6);

export function mkdtempSync(this: FsCtx, prefix: unknown, options?: unknown): string | Buffer {
  const o = getOptions(options, {} as { encoding?: unknown });
  const p = pathString(toPath(prefix, 'prefix'));
  let err = 0;
  for (let tries = 0; tries < 100; tries++) {
    getRandomValues(rand);
    let name = p;
    for (let i = 0; i < 6; i++) name += LETTERS[rand[i]! % 62];
    ctl[0] = this.slot; ctl[3] = 0o700;
    sys_mkdir(name);
    err = ctl[1]!;
    if (err === 0) {
      const enc = o.encoding ?? 'utf8';
      return enc === 'buffer' ? Buffer.from(name) : Buffer.from(name).toString(enc as BufferEncoding);
    }
    if (err !== -E.EEXIST) break;
  }
  throw uvError(err, 'mkdtemp', `${p}XXXXXX`);
}

/** The process's working directory, for resolving relative paths. */
export function kgetcwd(ctx: FsCtx): string {
  const buf = Buffer.allocUnsafe(4097);
  ctl[0] = ctx.slot; ctl[3] = buf.byteLength;
  sys.sys_getcwd(buf);
  const r = ctl[1]!;
  if (r < 0) throw uvError(r, 'getcwd');
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? r : end);
}

/** Resolve p against the process's working directory, as path.resolve would. */
export function kresolve(ctx: FsCtx, ...parts: string[]): string {
  const abs = parts.some((x) => x.startsWith('/'));
  return abs ? pathp.resolve('/', ...parts) : pathp.resolve(kgetcwd(ctx), ...parts);
}

/**
 * realpath as node:fs's JavaScript implementation walks it: lstat each
 * component, and for a symbolic link stat it (so loops and dangling links
 * fail there), read it and start over from its target.
 */
function realpathWalk(ctx: FsCtx, input: string): string {
  let p = input.startsWith('/') ? pathp.resolve(input) : kresolve(ctx, input);
  const seenLinks = new Map<string, string>();
  const knownHard = new Set<string>();
  let current = '/';
  let base = '/';
  let pos = 1;
  while (pos < p.length) {
    const next = p.indexOf('/', pos);
    const previous = current;
    if (next === -1) {
      const last = p.slice(pos);
      current += last;
      base = previous + last;
      pos = p.length;
    } else {
      current += p.slice(pos, next + 1);
      base = previous + p.slice(pos, next);
      pos = next + 1;
    }
    if (knownHard.has(base)) continue;
    let r = kstatx(ctx, base, AT_SYMLINK_NOFOLLOW);
    if (r < 0) throw uvError(r, 'lstat', base);
    if ((statxMode() & S_IFMT) !== S_IFLNK) {
      knownHard.add(base);
      continue;
    }
    const id = `${Buffer.from(statxBuf.subarray(136, 144)).toString('hex')}:${
      Buffer.from(statxBuf.subarray(32, 40)).toString('hex')}`;
    let target = seenLinks.get(id);
    if (target === undefined) {
      r = kstatx(ctx, base, 0);
      if (r < 0) throw uvError(r, 'stat', base);
      target = readlinkSync.call(ctx, base) as string;
      seenLinks.set(id, target);
    }
    const resolved = pathp.resolve(previous, target);
    p = pathp.resolve(resolved, p.slice(pos));
    current = base = '/';
    pos = 1;
  }
  return p;
}

function encodeResult(p: string, options: unknown): string | Buffer {
  const o = getOptions(options, {} as { encoding?: unknown });
  const enc = checkEncoding(o.encoding) ?? 'utf8';
  if (enc === 'buffer') return Buffer.from(p);
  return enc === 'utf8' || enc === 'utf-8' ? p : Buffer.from(p).toString(enc);
}

export function realpathSync(this: FsCtx, path: unknown, options?: unknown): string | Buffer {
  const o = getOptions(options, {});
  const p = pathString(toPath(path));
  return encodeResult(realpathWalk(this, p), o);
}

/** realpath(3)'s form: the same walk, errors named 'realpath' on the path given. */
export function realpathNativeSync(this: FsCtx, path: unknown, options?: unknown): string | Buffer {
  const o = getOptions(options, {});
  const p = pathString(toPath(path));
  let out: string;
  try {
    out = realpathWalk(this, p);
  } catch (e) {
    if (e instanceof RumpError) throw new RumpError(e.errno, 'realpath', p);
    throw e;
  }
  return encodeResult(out, o);
}


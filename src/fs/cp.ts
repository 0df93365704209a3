// cp (recursive): node:fs's copy algorithm over this kernel's calls — the
// same checks in the same order, so the same mistakes give the same errors.
import { posix as pathp } from 'node:path';
import { invalidArgType } from '../errors.js';
import { checkBool, checkFunction, checkInt, pathString, toPath } from './args.js';
import { E, FsSystemError, type FsCtx } from './context.js';
import { opendirSync } from './dir.js';
import { kresolve, mkdirSync } from './dirs.js';
import { copyFileSync } from './files.js';
import {
  chmodSync, existsSync, lstatSync, readlinkSync, statSync, symlinkSync, unlinkSync, utimesSync,
} from './meta.js';
import type { BigIntStats, Stats } from './stats.js';

export interface CpOptions {
  dereference?: boolean;
  errorOnExist?: boolean;
  filter?: (src: string, dest: string) => boolean;
  force?: boolean;
  mode?: number;
  preserveTimestamps?: boolean;
  recursive?: boolean;
  verbatimSymlinks?: boolean;
}

type Opts = Required<Omit<CpOptions, 'filter'>> & { filter?: CpOptions['filter'] };

const defaults: Opts = {
  dereference: false, errorOnExist: false, force: true, mode: 0, preserveTimestamps: false,
  recursive: false, verbatimSymlinks: false,
};

function cpOptions(options: unknown): Opts {
  if (options === undefined || options === null) return defaults;
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidArgType('options', 'of type object', options);
  const o = { ...defaults, ...(options as CpOptions) } as Opts;
  checkBool(o.dereference, 'options.dereference');
  checkBool(o.errorOnExist, 'options.errorOnExist');
  checkBool(o.force, 'options.force');
  checkBool(o.preserveTimestamps, 'options.preserveTimestamps');
  checkBool(o.recursive, 'options.recursive');
  checkBool(o.verbatimSymlinks, 'options.verbatimSymlinks');
  checkInt(o.mode, 'options.mode', 0, 7);
  if (o.dereference && o.verbatimSymlinks) {
    const err = new TypeError('The arguments \'options.dereference\' and \'options.verbatimSymlinks\' cannot be used together');
    Object.defineProperty(err, 'code', { value: 'ERR_INCOMPATIBLE_OPTION_PAIR', enumerable: true });
    throw err;
  }
  if (o.filter !== undefined) checkFunction(o.filter, 'options.filter');
  return o;
}

function cpError(code: string, prefix: string, errno: string, message: string, path: string): FsSystemError {
  return new FsSystemError(code, prefix, { code: errno, message, path, syscall: 'cp', errno: E[errno as 'EINVAL']! });
}

class Cp {
  constructor(readonly ctx: FsCtx, readonly o: Opts) {}

  stat(p: string, bigint: boolean): Stats | BigIntStats {
    const fn = this.o.dereference ? statSync : lstatSync;
    return fn.call(this.ctx, p, { bigint }) as Stats | BigIntStats;
  }

  isSubdir(src: string, dest: string): boolean {
    const s = kresolve(this.ctx, src).split('/').filter(Boolean);
    const d = kresolve(this.ctx, dest).split('/').filter(Boolean);
    return s.every((c, i) => d[i] === c);
  }

  checkPaths(src: string, dest: string): { destStat: Stats | BigIntStats | null; skipped: boolean } {
    if (this.o.filter && !this.o.filter(src, dest)) return { destStat: null, skipped: true };
    const srcStat = this.stat(src, true);
    let destStat: Stats | BigIntStats | null = null;
    try {
      destStat = this.stat(dest, true);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
    }
    if (destStat) {
      if (destStat.ino && destStat.dev && destStat.ino === srcStat.ino && destStat.dev === srcStat.dev) {
        throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', 'src and dest cannot be the same', dest);
      }
      if (srcStat.isDirectory() && !destStat.isDirectory()) {
        throw cpError('ERR_FS_CP_DIR_TO_NON_DIR', 'Cannot overwrite non-directory with directory', 'EISDIR',
          `cannot overwrite non-directory ${dest} with directory ${src}`, dest);
      }
      if (!srcStat.isDirectory() && destStat.isDirectory()) {
        throw cpError('ERR_FS_CP_NON_DIR_TO_DIR', 'Cannot overwrite directory with non-directory', 'ENOTDIR',
          `cannot overwrite directory ${dest} with non-directory ${src}`, dest);
      }
    }
    if (srcStat.isDirectory() && this.isSubdir(src, dest)) {
      throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL',
        `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
    }
    return { destStat, skipped: false };
  }

  copy(destStat: Stats | BigIntStats | null, src: string, dest: string): void {
    const srcStat = this.stat(src, false) as Stats;
    if (srcStat.isDirectory() && this.o.recursive) return this.onDir(srcStat, destStat, src, dest);
    if (srcStat.isDirectory()) {
      throw new FsSystemError('ERR_FS_EISDIR', 'Path is a directory', {
        code: 'EISDIR', message: `${src} is a directory (not copied)`, path: src, syscall: 'cp', errno: E.EINVAL,
      });
    }
    if (srcStat.isFile() || srcStat.isCharacterDevice() || srcStat.isBlockDevice()) {
      return this.onFile(srcStat, destStat, src, dest);
    }
    if (srcStat.isSymbolicLink()) return this.onLink(destStat, src, dest);
    if (srcStat.isSocket()) {
      throw cpError('ERR_FS_CP_SOCKET', 'Cannot copy a socket file', 'EINVAL', `cannot copy a socket file: ${dest}`, dest);
    }
    if (srcStat.isFIFO()) {
      throw cpError('ERR_FS_CP_FIFO_PIPE', 'Cannot copy a FIFO pipe', 'EINVAL', `cannot copy a FIFO pipe: ${dest}`, dest);
    }
    throw cpError('ERR_FS_CP_UNKNOWN', 'Cannot copy an unknown file type', 'EINVAL',
      `cannot copy an unknown file type: ${dest}`, dest);
  }

  onFile(srcStat: Stats, destStat: Stats | BigIntStats | null, src: string, dest: string): void {
    if (destStat) {
      if (this.o.force) {
        unlinkSync.call(this.ctx, dest);
      } else {
        if (this.o.errorOnExist) {
          throw cpError('ERR_FS_CP_EEXIST', 'Target already exists', 'EEXIST', `${dest} already exists`, dest);
        }
        return;
      }
    }
    copyFileSync.call(this.ctx, src, dest, this.o.mode);
    if (this.o.preserveTimestamps) {
      if ((srcStat.mode & 0o200) === 0) chmodSync.call(this.ctx, dest, srcStat.mode | 0o200);
      const now = statSync.call(this.ctx, src) as Stats;
      utimesSync.call(this.ctx, dest, now.atime, now.mtime);
    }
    chmodSync.call(this.ctx, dest, srcStat.mode);
  }

  onDir(srcStat: Stats, destStat: Stats | BigIntStats | null, src: string, dest: string): void {
    if (!destStat) mkdirSync.call(this.ctx, dest);
    const dir = opendirSync.call(this.ctx, src);
    try {
      for (let d = dir.readSync(); d !== null; d = dir.readSync()) {
        const name = pathString(d.name);
        const srcItem = pathp.join(src, name);
        const destItem = pathp.join(dest, name);
        const { destStat: ds, skipped } = this.checkPaths(srcItem, destItem);
        if (!skipped) this.copy(ds, srcItem, destItem);
      }
    } finally {
      dir.closeSync();
    }
    if (!destStat) chmodSync.call(this.ctx, dest, srcStat.mode);
  }

  onLink(destStat: Stats | BigIntStats | null, src: string, dest: string): void {
    let resolvedSrc = readlinkSync.call(this.ctx, src) as string;
    if (!this.o.verbatimSymlinks && !pathp.isAbsolute(resolvedSrc)) {
      resolvedSrc = kresolve(this.ctx, pathp.dirname(src), resolvedSrc);
    }
    if (!destStat) return symlinkSync.call(this.ctx, resolvedSrc, dest);
    let resolvedDest: string;
    try {
      resolvedDest = readlinkSync.call(this.ctx, dest) as string;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EINVAL' || code === 'UNKNOWN') return symlinkSync.call(this.ctx, resolvedSrc, dest);
      throw e;
    }
    if (!pathp.isAbsolute(resolvedDest)) resolvedDest = kresolve(this.ctx, pathp.dirname(dest), resolvedDest);
    if (this.isSubdir(resolvedSrc, resolvedDest)) {
      throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL',
        `cannot copy ${resolvedSrc} to a subdirectory of self ${resolvedDest}`, dest);
    }
    const srcStat = statSync.call(this.ctx, src) as Stats;
    if (srcStat.isDirectory() && this.isSubdir(resolvedDest, resolvedSrc)) {
      throw cpError('ERR_FS_CP_SYMLINK_TO_SUBDIRECTORY', 'Cannot overwrite symlink in subdirectory of self',
        'EINVAL', `cannot overwrite ${resolvedDest} with ${resolvedSrc}`, dest);
    }
    unlinkSync.call(this.ctx, dest);
    symlinkSync.call(this.ctx, resolvedSrc, dest);
  }
}

export function cpSync(this: FsCtx, src: unknown, dest: unknown, options?: unknown): void {
  const o = cpOptions(options);
  const s = pathString(toPath(src, 'src'));
  const d = pathString(toPath(dest, 'dest'));
  const cp = new Cp(this, o);
  const { destStat, skipped } = cp.checkPaths(s, d);
  if (skipped) return;
  const parent = pathp.dirname(d);
  if (!existsSync.call(this, parent)) mkdirSync.call(this, parent, { recursive: true });
  cp.copy(destStat, s, d);
}

// k.fs and p.fs: a node:fs-compatible API on a kernel, acting as one of its
// processes (with that process's credentials, umask, working directory and
// descriptor table).  Sync forms are the real work; promise and callback
// forms wrap them (see promises.ts, callbacks.ts).
import type * as nodefs from 'node:fs';
import type * as nodefsp from 'node:fs/promises';
import { native } from '../native.js';
import { callbackForm, existsForm } from './callbacks.js';
import type { FsCtx } from './context.js';
import { Dir } from './dir.js';
import { realpathNativeSync } from './dirs.js';
import { Dirent } from './dirent.js';
import { COPYFILE_EXCL, COPYFILE_FICLONE, COPYFILE_FICLONE_FORCE } from './files.js';
import * as F from './flags.js';
import { FileHandle, createPromises } from './promises.js';
import { BigIntStats, Stats } from './stats.js';
import { ReadStream, WriteStream } from './streams.js';
import * as sync from './sync.js';

export { Stats, BigIntStats, Dirent, Dir, ReadStream, WriteStream, FileHandle };
export type { ReadStreamOptions, WriteStreamOptions } from './streams.js';
export type { CpOptions } from './cp.js';

const C = native.constants;

/** fs.constants of the host ABI (the kernel's). */
export const fsConstants = Object.freeze({
  F_OK: C.fs.F_OK, R_OK: C.fs.R_OK, W_OK: C.fs.W_OK, X_OK: C.fs.X_OK,
  O_RDONLY: F.O_RDONLY, O_WRONLY: F.O_WRONLY, O_RDWR: F.O_RDWR, O_CREAT: F.O_CREAT, O_EXCL: F.O_EXCL,
  O_NOCTTY: C.fcntl.O_NOCTTY, O_TRUNC: F.O_TRUNC, O_APPEND: F.O_APPEND, O_DIRECTORY: F.O_DIRECTORY,
  O_NOATIME: C.fcntl.O_NOATIME, O_NOFOLLOW: F.O_NOFOLLOW, O_SYNC: F.O_SYNC, O_DSYNC: C.fcntl.O_DSYNC,
  O_DIRECT: C.fcntl.O_DIRECT, O_NONBLOCK: C.fcntl.O_NONBLOCK,
  S_IFMT: C.fs.S_IFMT, S_IFREG: C.fs.S_IFREG, S_IFDIR: C.fs.S_IFDIR, S_IFCHR: C.fs.S_IFCHR,
  S_IFBLK: C.fs.S_IFBLK, S_IFIFO: C.fs.S_IFIFO, S_IFLNK: C.fs.S_IFLNK, S_IFSOCK: C.fs.S_IFSOCK,
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100,
  S_IRWXG: 0o70, S_IRGRP: 0o40, S_IWGRP: 0o20, S_IXGRP: 0o10,
  S_IRWXO: 0o7, S_IROTH: 0o4, S_IWOTH: 0o2, S_IXOTH: 0o1,
  COPYFILE_EXCL, COPYFILE_FICLONE, COPYFILE_FICLONE_FORCE,
  UV_FS_COPYFILE_EXCL: COPYFILE_EXCL, UV_FS_COPYFILE_FICLONE: COPYFILE_FICLONE,
  UV_FS_COPYFILE_FICLONE_FORCE: COPYFILE_FICLONE_FORCE,
});

type SyncName =
  | 'openSync' | 'closeSync' | 'readSync' | 'writeSync' | 'readFileSync' | 'writeFileSync' | 'appendFileSync'
  | 'truncateSync' | 'ftruncateSync' | 'fsyncSync' | 'fdatasyncSync' | 'copyFileSync' | 'statSync' | 'lstatSync'
  | 'fstatSync' | 'accessSync' | 'existsSync' | 'chmodSync' | 'fchmodSync' | 'chownSync' | 'lchownSync'
  | 'fchownSync' | 'utimesSync' | 'lutimesSync' | 'futimesSync' | 'unlinkSync' | 'renameSync' | 'linkSync'
  | 'symlinkSync' | 'readlinkSync' | 'mkdirSync' | 'readdirSync' | 'rmSync' | 'rmdirSync' | 'mkdtempSync'
  | 'realpathSync' | 'opendirSync' | 'cpSync';

type CallbackName =
  | 'open' | 'close' | 'read' | 'write' | 'readFile' | 'writeFile' | 'appendFile' | 'truncate' | 'ftruncate'
  | 'fsync' | 'fdatasync' | 'copyFile' | 'stat' | 'lstat' | 'fstat' | 'access' | 'exists' | 'chmod' | 'fchmod'
  | 'chown' | 'lchown' | 'fchown' | 'utimes' | 'lutimes' | 'futimes' | 'unlink' | 'rename' | 'link' | 'symlink'
  | 'readlink' | 'mkdir' | 'readdir' | 'rm' | 'rmdir' | 'mkdtemp' | 'realpath' | 'opendir' | 'cp';

type PromiseName =
  | 'access' | 'appendFile' | 'chmod' | 'chown' | 'copyFile' | 'cp' | 'lchown' | 'link' | 'lstat' | 'lutimes'
  | 'mkdir' | 'mkdtemp' | 'open' | 'opendir' | 'readdir' | 'readFile' | 'readlink' | 'realpath' | 'rename' | 'rm'
  | 'rmdir' | 'stat' | 'symlink' | 'truncate' | 'unlink' | 'utimes' | 'writeFile';

/** k.fs.promises: node:fs/promises's functions on the kernel (FileHandle from open). */
export type KernelFsPromises = Pick<typeof nodefsp, PromiseName> & { constants: typeof fsConstants };

/**
 * k.fs: node:fs's functions on the kernel, typed as node:fs types them.
 * (Stats, Dirent and Dir are this module's classes, shaped like node:fs's.)
 */
export type KernelFs = Pick<typeof nodefs, SyncName | CallbackName | 'createReadStream' | 'createWriteStream'> & {
  promises: KernelFsPromises;
  constants: typeof fsConstants;
  Stats: typeof Stats;
  BigIntStats: typeof BigIntStats;
  Dirent: typeof Dirent;
  Dir: typeof Dir;
  ReadStream: typeof ReadStream;
  WriteStream: typeof WriteStream;
};

type AnyFn = (...args: unknown[]) => unknown;

/** The fs object of the process in addon slot `slot`. */
export function createFs(slot: number): KernelFs {
  const ctx: FsCtx = { slot };
  const fs: Record<string, unknown> = {};
  const fns = sync as unknown as Record<string, AnyFn>;
  for (const name of Object.keys(fns)) fs[name] = fns[name]!.bind(ctx);
  (fs.realpathSync as { native?: unknown }).native = realpathNativeSync.bind(ctx);

  for (const name of Object.keys(fns)) {
    const base = name.slice(0, -4);
    if (base === 'exists') fs.exists = existsForm(ctx, fns[name]!);
    else if (base === 'read') fs.read = callbackForm(ctx, fns[name]!, (n, a) => [n, a[1]]);
    else if (base === 'write') fs.write = callbackForm(ctx, fns[name]!, (n, a) => [n, a[1]]);
    else fs[base] = callbackForm(ctx, fns[name]!);
  }
  const realpathCb = callbackForm(ctx, realpathNativeSync as AnyFn);
  (fs.realpath as { native?: unknown }).native = realpathCb;

  fs.createReadStream = (path: unknown, options?: unknown) => new ReadStream(ctx, path, options);
  fs.createWriteStream = (path: unknown, options?: unknown) => new WriteStream(ctx, path, options);
  fs.promises = { ...createPromises(ctx), constants: fsConstants };
  fs.constants = fsConstants;
  Object.assign(fs, { Stats, BigIntStats, Dirent, Dir, ReadStream, WriteStream });
  return fs as unknown as KernelFs;
}

// k.fs.promises: the promise forms.  Every kernel call of k.fs is
// non-blocking on tmpfs (the JavaScript thread never sleeps in the kernel),
// so each promise function runs its synchronous form and settles on a
// microtask: results resolve it, errors (kernel errnos and argument errors
// alike, as in node:fs/promises) reject it.
import { toMode } from './args.js';
import type { FsCtx } from './context.js';
import type { Dir } from './dir.js';
import * as sync from './sync.js';
import { ReadStream, WriteStream } from './streams.js';
import type { BigIntStats, Stats } from './stats.js';

type Fn = (this: FsCtx, ...args: never[]) => unknown;

const kFd = Symbol('fd');

/** node:fs/promises's FileHandle over a kernel descriptor. */
export class FileHandle {
  readonly #ctx: FsCtx;
  [kFd]: number;

  /** @internal */
  constructor(ctx: FsCtx, fd: number) {
    this.#ctx = ctx;
    this[kFd] = fd;
  }

  get fd(): number {
    return this[kFd];
  }

  #run<T>(fn: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      try {
        if (this[kFd] < 0) {
          const err = new Error('file closed');
          Object.assign(err, { code: 'EBADF', syscall: 'read' });
          throw err;
        }
        resolve(fn());
      } catch (e) {
        reject(e as Error);
      }
    });
  }

  async read(buffer?: unknown, offset?: unknown, length?: unknown, position?: unknown):
    Promise<{ bytesRead: number; buffer: ArrayBufferView }> {
    let buf = buffer as ArrayBufferView | undefined;
    if (buf === undefined || (typeof buf === 'object' && !ArrayBuffer.isView(buf))) {
      const o = (buf ?? {}) as { buffer?: ArrayBufferView; offset?: number; length?: number; position?: number | null };
      buf = o.buffer ?? Buffer.alloc(16384);
      offset = o.offset ?? 0;
      length = o.length ?? buf.byteLength - (offset as number);
      position = o.position ?? null;
    }
    const b = buf;
    return this.#run(() => ({
      bytesRead: sync.readSync.call(this.#ctx, this[kFd], b, offset ?? 0, length ?? b.byteLength - ((offset as number) ?? 0),
        position ?? null),
      buffer: b,
    }));
  }

  async write(data: unknown, offsetOrPosition?: unknown, lengthOrEncoding?: unknown, position?: unknown):
    Promise<{ bytesWritten: number; buffer: unknown }> {
    return this.#run(() => ({
      bytesWritten: sync.writeSync.call(this.#ctx, this[kFd], data, offsetOrPosition, lengthOrEncoding, position),
      buffer: data,
    }));
  }

  readFile(options?: unknown): Promise<string | Buffer> {
    return this.#run(() => sync.readFileSync.call(this.#ctx, this[kFd], options));
  }

  writeFile(data: unknown, options?: unknown): Promise<void> {
    return this.#run(() => sync.writeFileSync.call(this.#ctx, this[kFd], data, options));
  }

  appendFile(data: unknown, options?: unknown): Promise<void> {
    return this.#run(() => sync.appendFileSync.call(this.#ctx, this[kFd], data, options));
  }

  stat(options?: { bigint?: boolean }): Promise<Stats | BigIntStats> {
    return this.#run(() => sync.fstatSync.call(this.#ctx, this[kFd], options));
  }

  truncate(len?: number): Promise<void> {
    return this.#run(() => sync.ftruncateSync.call(this.#ctx, this[kFd], len));
  }

  chmod(mode: unknown): Promise<void> {
    return this.#run(() => sync.fchmodSync.call(this.#ctx, this[kFd], mode));
  }

  chown(uid: unknown, gid: unknown): Promise<void> {
    return this.#run(() => sync.fchownSync.call(this.#ctx, this[kFd], uid, gid));
  }

  utimes(atime: unknown, mtime: unknown): Promise<void> {
    return this.#run(() => sync.futimesSync.call(this.#ctx, this[kFd], atime, mtime));
  }

  sync(): Promise<void> {
    return this.#run(() => sync.fsyncSync.call(this.#ctx, this[kFd]));
  }

  datasync(): Promise<void> {
    return this.#run(() => sync.fdatasyncSync.call(this.#ctx, this[kFd]));
  }

  createReadStream(options?: object): ReadStream {
    return new ReadStream(this.#ctx, undefined, { ...options, fd: this[kFd] });
  }

  createWriteStream(options?: object): WriteStream {
    return new WriteStream(this.#ctx, undefined, { ...options, fd: this[kFd] });
  }

  async close(): Promise<void> {
    if (this[kFd] < 0) return;
    const fd = this[kFd];
    this[kFd] = -1;
    sync.closeSync.call(this.#ctx, fd);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const fdOf = (v: unknown): unknown => (v instanceof FileHandle ? v.fd : v);

/** The promise API of one fs object. */
export function createPromises(ctx: FsCtx): Record<string, unknown> {
  const wrap = (fn: Fn) => async (...args: unknown[]): Promise<unknown> =>
    (fn as (...a: unknown[]) => unknown).apply(ctx, args);
  const p: Record<string, unknown> = {};
  for (const name of [
    'access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'lchown', 'link', 'lstat', 'lutimes', 'mkdir',
    'mkdtemp', 'readdir', 'readlink', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'symlink', 'truncate',
    'unlink', 'utimes', 'writeFile', 'readFile',
  ]) {
    p[name] = wrap((sync as unknown as Record<string, Fn>)[`${name}Sync`]!);
  }
  // A FileHandle may stand for the path of readFile, writeFile and appendFile.
  for (const name of ['readFile', 'writeFile', 'appendFile']) {
    const fn = (sync as unknown as Record<string, Fn>)[`${name}Sync`]! as (...a: unknown[]) => unknown;
    p[name] = async (path: unknown, ...rest: unknown[]) => fn.call(ctx, fdOf(path), ...rest);
  }
  p.open = async (path: unknown, flags?: unknown, mode?: unknown): Promise<FileHandle> => {
    if (mode !== undefined) toMode(mode, 'mode', 0o666);
    return new FileHandle(ctx, sync.openSync.call(ctx, path, flags ?? 'r', mode));
  };
  p.opendir = async (path: unknown, options?: unknown): Promise<Dir> => sync.opendirSync.call(ctx, path, options);
  return p;
}

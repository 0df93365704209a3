// Dir, as fs.opendir returns it: entries read from the kernel in chunks,
// in the order the file system gives them (not sorted).
import { RumpStateError } from '../errors.js';
import { checkFunction, checkInt, checkObject, getOptions, pathString, toPath } from './args.js';
import { ctl, sys, uvError, type FsCtx } from './context.js';
import { Dirent } from './dirent.js';
import { kgetdents, kopendir, makeDirent, parseDents } from './dirs.js';
import { posix as pathp } from 'node:path';

type Callback<T> = (err: Error | null, value?: T) => void;

interface Handle { fd: number; path: string }

/** An open directory stream. */
export class Dir {
  readonly #ctx: FsCtx;
  readonly #path: string;
  readonly #buf: Buffer;
  readonly #encoding: BufferEncoding | 'buffer';
  readonly #recursive: boolean;
  /** Open handles: the first is the directory itself, the rest subdirectories being read. */
  readonly #handles: Handle[];
  readonly #pending: Dirent[] = [];
  #closed = false;
  #busy = false;

  /** @internal */
  constructor(ctx: FsCtx, fd: number, path: string, bufferSize: number,
    encoding: BufferEncoding | 'buffer', recursive: boolean) {
    this.#ctx = ctx;
    this.#path = path;
    this.#buf = Buffer.allocUnsafe(Math.max(bufferSize * 280, 1024));
    this.#encoding = encoding;
    this.#recursive = recursive;
    this.#handles = [{ fd, path }];
  }

  get path(): string {
    return this.#path;
  }

  #check(): void {
    if (this.#closed) throw new RumpStateError('ERR_DIR_CLOSED', 'Directory handle was closed');
    if (this.#busy) {
      throw new RumpStateError('ERR_DIR_CONCURRENT_OPERATION',
        'Cannot do synchronous work on directory handle with concurrent asynchronous operations');
    }
  }

  /** Refill the pending entries from the handles; false at the end of all of them. */
  #fill(): boolean {
    const ctx = this.#ctx;
    while (this.#pending.length === 0) {
      const h = this.#handles[this.#handles.length - 1];
      if (h === undefined) return false;
      const n = kgetdents(ctx, h.fd, this.#buf);
      if (n < 0) throw uvError(n, 'scandir', h.path);
      if (n === 0) {
        // The directory itself stays open until close(); finished subdirectories are closed.
        if (this.#handles.length === 1) return false;
        this.#handles.pop();
        ctl[0] = ctx.slot; ctl[2] = h.fd;
        sys.sys_close();
        continue;
      }
      const names: (string | Buffer)[] = [];
      const types: number[] = [];
      parseDents(this.#buf, n, this.#encoding, names, types);
      const subdirs: Handle[] = [];
      for (let i = 0; i < names.length; i++) {
        const d = makeDirent(ctx, h.path, names[i]!, types[i]!);
        this.#pending.push(d);
        if (this.#recursive && d.isDirectory()) {
          const sub = pathp.join(h.path, pathString(names[i]!));
          const fd = kopendir(ctx, sub);
          if (fd < 0) throw uvError(fd, 'opendir');
          subdirs.push({ fd, path: sub });
        }
      }
      // Subdirectories are read after this chunk, deepest first.
      for (let i = subdirs.length - 1; i >= 0; i--) this.#handles.push(subdirs[i]!);
    }
    return true;
  }

  readSync(): Dirent | null {
    this.#check();
    if (this.#pending.length === 0 && !this.#fill()) return null;
    return this.#pending.shift()!;
  }

  read(): Promise<Dirent | null>;
  read(cb: Callback<Dirent | null>): void;
  read(cb?: Callback<Dirent | null>): Promise<Dirent | null> | void {
    if (cb !== undefined) {
      checkFunction(cb, 'callback');
      let v: Dirent | null;
      try {
        v = this.readSync();
      } catch (e) {
        queueMicrotask(() => cb(e as Error));
        return;
      }
      queueMicrotask(() => cb(null, v));
      return;
    }
    return new Promise((resolve, reject) => {
      try {
        resolve(this.readSync());
      } catch (e) {
        reject(e as Error);
      }
    });
  }

  closeSync(): void {
    this.#check();
    this.#closed = true;
    let first: Error | undefined;
    for (const h of this.#handles) {
      ctl[0] = this.#ctx.slot; ctl[2] = h.fd;
      sys.sys_close();
      if (ctl[1]! < 0 && first === undefined) first = uvError(ctl[1]!, 'close');
    }
    this.#handles.length = 0;
    this.#pending.length = 0;
    if (first) throw first;
  }

  close(): Promise<void>;
  close(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): Promise<void> | void {
    if (cb !== undefined) {
      checkFunction(cb, 'callback');
      try {
        this.closeSync();
      } catch (e) {
        queueMicrotask(() => cb(e as Error));
        return;
      }
      queueMicrotask(() => cb(null));
      return;
    }
    return new Promise((resolve, reject) => {
      try {
        this.closeSync();
        resolve();
      } catch (e) {
        reject(e as Error);
      }
    });
  }

  async *entries(): AsyncGenerator<Dirent, void, undefined> {
    try {
      for (;;) {
        const d = this.readSync();
        if (d === null) break;
        yield d;
      }
    } finally {
      if (!this.#closed) this.closeSync();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Dirent, void, undefined> {
    return this.entries();
  }
}

export function opendirSync(this: FsCtx, path: unknown, options?: unknown): Dir {
  const o = getOptions(options, { encoding: 'utf8' } as { encoding?: unknown; bufferSize?: unknown; recursive?: unknown });
  if (options !== undefined && options !== null && typeof options === 'object') checkObject(options, 'options');
  const bufferSize = o.bufferSize === undefined ? 32 : checkInt(o.bufferSize, 'options.bufferSize', 1, 4294967295);
  const p = toPath(path);
  const fd = kopendir(this, p);
  if (fd < 0) throw uvError(fd, 'opendir');
  return new Dir(this, fd, pathString(p), bufferSize, (o.encoding ?? 'utf8') as BufferEncoding | 'buffer',
    !!o.recursive);
}

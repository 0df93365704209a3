// ReadStream and WriteStream over a kernel's files.  Reads and writes are
// synchronous kernel calls made from the stream's _read/_write (tmpfs never
// blocks); the streams keep Node's shape: 'open' and 'ready' events, fd,
// path, bytesRead/bytesWritten, start/end, highWaterMark, autoClose.
import { Readable, Writable } from 'node:stream';
import { checkInt, getOptions, outOfRange, pathString, toMode, toPath, type KPath } from './args.js';
import type { FsCtx } from './context.js';
import { kclose, kopen, kread, kwrite } from './files.js';
import { toFlags } from './flags.js';

export interface ReadStreamOptions {
  flags?: string | number;
  encoding?: BufferEncoding | null;
  fd?: number;
  mode?: number;
  autoClose?: boolean;
  emitClose?: boolean;
  start?: number;
  end?: number;
  highWaterMark?: number;
  signal?: AbortSignal;
}

export interface WriteStreamOptions {
  flags?: string | number;
  encoding?: BufferEncoding | null;
  fd?: number;
  mode?: number;
  autoClose?: boolean;
  emitClose?: boolean;
  start?: number;
  highWaterMark?: number;
  signal?: AbortSignal;
}

type Cb = (err?: Error | null) => void;

function streamPath(path: unknown, fd: unknown): KPath | undefined {
  if (fd !== undefined && fd !== null) return undefined;
  return toPath(path);
}

/** What the two stream classes share. */
interface FileStream {
  fd: number | null;
  readonly flags: string | number;
  readonly mode: number;
  emit(event: string, ...args: unknown[]): boolean;
}

/** Open the stream's file unless it was given a descriptor; then 'open' and 'ready'. */
function openStream(s: FileStream, ctx: FsCtx, kpath: KPath | undefined, cb: Cb): void {
  if (s.fd === null) {
    try {
      s.fd = kopen(ctx, kpath!, toFlags(s.flags), s.mode);
    } catch (e) {
      cb(e as Error);
      return;
    }
    s.emit('open', s.fd);
    s.emit('ready');
  }
  cb();
}

/** Close the stream's descriptor when it owns it (autoClose). */
function closeStream(s: FileStream, ctx: FsCtx, autoClose: boolean, err: Error | null, cb: Cb): void {
  if (s.fd !== null && autoClose) {
    const fd = s.fd;
    s.fd = null;
    try {
      kclose(ctx, fd);
    } catch (e) {
      cb(err ?? (e as Error));
      return;
    }
  }
  cb(err);
}

/** A readable stream of a kernel file (fs.createReadStream). */
export class ReadStream extends Readable {
  readonly #ctx: FsCtx;
  fd: number | null;
  readonly path: string | Buffer | undefined;
  readonly flags: string | number;
  readonly mode: number;
  readonly start: number | undefined;
  readonly end: number;
  pos: number | undefined;
  bytesRead = 0;
  readonly #autoClose: boolean;
  #kpath: KPath | undefined;

  /** @internal */
  constructor(ctx: FsCtx, path: unknown, options?: unknown) {
    const o = getOptions(options, {}) as ReadStreamOptions;
    super({
      highWaterMark: o.highWaterMark ?? 64 * 1024, encoding: o.encoding ?? undefined,
      emitClose: o.emitClose ?? true, autoDestroy: true, signal: o.signal,
    });
    this.#ctx = ctx;
    this.fd = o.fd ?? null;
    if (this.fd !== null) checkInt(this.fd, 'fd', 0, 2147483647);
    this.#kpath = streamPath(path, o.fd);
    this.path = this.#kpath === undefined ? undefined : pathString(this.#kpath);
    this.flags = o.flags ?? 'r';
    this.mode = toMode(o.mode, 'mode', 0o666);
    this.#autoClose = o.autoClose ?? true;
    this.start = o.start === undefined ? undefined : checkInt(o.start, 'start', 0, Number.MAX_SAFE_INTEGER);
    this.end = o.end === undefined || o.end === Infinity ? Infinity : checkInt(o.end, 'end', 0, Number.MAX_SAFE_INTEGER);
    if (this.start !== undefined && this.start > this.end) {
      throw outOfRange('start', `<= "end" (here: ${this.end})`, this.start);
    }
    this.pos = this.start;
  }

  get pending(): boolean {
    return this.fd === null;
  }

  override _construct(cb: Cb): void {
    openStream(this, this.#ctx, this.#kpath, cb);
  }

  override _read(n: number): void {
    const left = this.end === Infinity ? n : this.end - (this.pos ?? this.bytesRead) + 1;
    const want = Math.min(n, left);
    if (want <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(want);
    let got: number;
    try {
      got = kread(this.#ctx, this.fd!, buf, 0, want, this.pos ?? -1);
    } catch (e) {
      this.destroy(e as Error);
      return;
    }
    if (this.pos !== undefined) this.pos += got;
    this.bytesRead += got;
    this.push(got === 0 ? null : got < want ? buf.subarray(0, got) : buf);
  }

  override _destroy(err: Error | null, cb: Cb): void {
    closeStream(this, this.#ctx, this.#autoClose, err, cb);
  }

  close(cb?: Cb): void {
    if (typeof cb === 'function') {
      if (this.closed) process.nextTick(cb);
      else this.once('close', cb);
    }
    this.destroy();
  }
}

/** A writable stream to a kernel file (fs.createWriteStream). */
export class WriteStream extends Writable {
  readonly #ctx: FsCtx;
  fd: number | null;
  readonly path: string | Buffer | undefined;
  readonly flags: string | number;
  readonly mode: number;
  readonly start: number | undefined;
  pos: number | undefined;
  bytesWritten = 0;
  readonly #autoClose: boolean;
  #kpath: KPath | undefined;

  /** @internal */
  constructor(ctx: FsCtx, path: unknown, options?: unknown) {
    const o = getOptions(options, {}) as WriteStreamOptions;
    super({
      highWaterMark: o.highWaterMark, decodeStrings: true, defaultEncoding: o.encoding ?? 'utf8',
      emitClose: o.emitClose ?? true, autoDestroy: true, signal: o.signal,
    });
    this.#ctx = ctx;
    this.fd = o.fd ?? null;
    if (this.fd !== null) checkInt(this.fd, 'fd', 0, 2147483647);
    this.#kpath = streamPath(path, o.fd);
    this.path = this.#kpath === undefined ? undefined : pathString(this.#kpath);
    this.flags = o.flags ?? 'w';
    this.mode = toMode(o.mode, 'mode', 0o666);
    this.#autoClose = o.autoClose ?? true;
    this.start = o.start === undefined ? undefined : checkInt(o.start, 'start', 0, Number.MAX_SAFE_INTEGER);
    this.pos = this.start;
  }

  get pending(): boolean {
    return this.fd === null;
  }

  override _construct(cb: Cb): void {
    openStream(this, this.#ctx, this.#kpath, cb);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Cb): void {
    try {
      let off = 0;
      while (off < chunk.byteLength) {
        const n = kwrite(this.#ctx, this.fd!, chunk, off, chunk.byteLength - off, this.pos ?? -1);
        off += n;
        if (this.pos !== undefined) this.pos += n;
        this.bytesWritten += n;
      }
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }

  override _destroy(err: Error | null, cb: Cb): void {
    closeStream(this, this.#ctx, this.#autoClose, err, cb);
  }

  close(cb?: Cb): void {
    if (typeof cb === 'function') {
      if (this.closed) process.nextTick(cb);
      else this.once('close', cb);
    }
    if (!this.writableEnded) this.end();
    else if (!this.destroyed) this.destroy();
  }

  /** node:fs's alias of close() for write streams. */
  destroySoon(): void {
    this.end();
  }
}

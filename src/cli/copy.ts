// rumpkit cat, cp and mv: data between host paths and image paths in either
// direction (and between two images), through the volumes' fs objects.
// Special files (devices, FIFOs, sockets) follow GNU cp: a recursive copy
// (-R, -a, mv) makes a new node with mknod; otherwise (or with
// --copy-contents) their contents are read as a file's.
import * as nodefs from 'node:fs';
import type { Stats } from 'node:fs';
import { Socket } from 'node:net';
import {
  type Command, type Ctx, errCode, Fatal, Interrupted, interruptible, isDir, isLink, parseArgs, q, sortedNames, strerror,
  UsageError,
} from './common.js';
import { Progress } from './progress.js';
import { baseName, child, type Loc } from './volume.js';

const CHUNK = 1 << 20;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

const tick = () => new Promise<void>((r) => setImmediate(r));

class CopyError extends Error {}

/** Where the bytes of a copy come from. */
interface Source {
  /** The next bytes (valid until the next call), or null at the end. */
  next(): Buffer | null | Promise<Buffer | null>;
  close(): void;
}

/** Where they go. */
interface Sink {
  write(b: Buffer): void | Promise<void>;
  close(): void;
}

/**
 * Open the source of a copy of contents.  A FIFO on the host is read through
 * the event loop (opened without waiting: the first read waits for a writer,
 * and the end comes when the last writer closes, as cp sees it), and so are
 * host devices (a terminal may keep a read waiting): the user can interrupt
 * either.  Everything else is read with plain synchronous reads.
 */
function openSource(ctx: Ctx, src: Loc, st: Stats, shared?: Buffer): Source {
  const type = st.mode & S_IFMT;
  const cannot = (e: unknown) => new CopyError(`cannot open ${q(src.shown)} for reading: ${strerror(e)}`);
  if (type === S_IFIFO && !src.vol.host) {
    // No other process can reach this kernel: no writer will ever come.
    throw new CopyError(`cannot open ${q(src.shown)} for reading: a FIFO inside an image has no writer ` +
      '(copy the FIFO itself with -R)');
  }
  if (src.vol.host && type === S_IFIFO) {
    let fd: number;
    try {
      fd = nodefs.openSync(src.real, nodefs.constants.O_RDONLY | nodefs.constants.O_NONBLOCK);
    } catch (e) {
      throw cannot(e);
    }
    const sock = new Socket({ fd, readable: true, writable: false });
    const chunks = sock[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return {
      next: async () => {
        const r = await interruptible(ctx, chunks.next());
        return r.done ? null : r.value;
      },
      close: () => sock.destroy(),
    };
  }
  if (src.vol.host && (type === S_IFCHR || type === S_IFBLK)) {
    let fd: number;
    try {
      fd = nodefs.openSync(src.real, 'r');
    } catch (e) {
      throw cannot(e);
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    return {
      next: async () => {
        const n = await interruptible(ctx, new Promise<number>((resolve, reject) => {
          nodefs.read(fd, buf, 0, CHUNK, null, (e, bytes) => (e ? reject(e) : resolve(bytes)));
        }));
        return n === 0 ? null : buf.subarray(0, n);
      },
      // A read may still be waiting in the thread pool when interrupted; the process dies soon anyway.
      close: () => nodefs.close(fd, () => {}),
    };
  }
  const fs = src.vol.fs;
  let fd: number;
  try {
    fd = fs.openSync(src.real, 'r');
  } catch (e) {
    throw cannot(e);
  }
  const buf = shared ?? Buffer.allocUnsafe(CHUNK);
  return {
    next: () => {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      return n === 0 ? null : buf.subarray(0, n);
    },
    close: () => fs.closeSync(fd),
  };
}

/**
 * Open (create or truncate) the destination of a copy of contents.  An
 * existing FIFO on the host is written through the thread pool (opening it
 * waits for a reader, as cp does); one inside an image never has a reader.
 */
async function openSink(ctx: Ctx, dst: Loc, dst0: Stats | undefined, mode: number, force: boolean): Promise<Sink> {
  const dfs = dst.vol.fs;
  const cannot = (e: unknown) => new CopyError(`cannot create regular file ${q(dst.shown)}: ${strerror(e)}`);
  const fifo = dst0 !== undefined && (dst0.mode & S_IFMT) === S_IFIFO;
  if (fifo && dst.vol.host) {
    let fh: nodefs.promises.FileHandle;
    try {
      fh = await interruptible(ctx, nodefs.promises.open(dst.real, 'w', mode));
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      throw cannot(e);
    }
    return {
      write: async (b) => {
        for (let off = 0; off < b.length;) off += (await interruptible(ctx, fh.write(b, off, b.length - off))).bytesWritten;
      },
      close: () => void fh.close().catch(() => {}),
    };
  }
  let dfd: number;
  try {
    if (fifo && !force) {
      throw new CopyError(`cannot open ${q(dst.shown)} for writing: a FIFO inside an image has no reader`);
    }
    dfd = fifo ? -1 : dfs.openSync(dst.real, 'w', mode);
  } catch (e) {
    if (e instanceof CopyError) throw e;
    if (!force || errCode(e) === 'ENOENT' || errCode(e) === 'EISDIR') throw cannot(e);
    dfd = -1;
  }
  if (dfd < 0) {
    // cp -f: a destination that cannot be opened is removed and made again
    try {
      dfs.unlinkSync(dst.real);
      dfd = dfs.openSync(dst.real, 'w', mode);
    } catch (e) {
      throw cannot(e);
    }
  }
  const fd = dfd;
  return {
    write: (b) => {
      for (let off = 0; off < b.length;) off += dfs.writeSync(fd, b, off, b.length - off);
    },
    close: () => dfs.closeSync(fd),
  };
}

/**
 * Copy the contents of src to dst, chunk by chunk, yielding to the event loop
 * between chunks so that a signal is seen; the destination is made once the
 * source has given its first bytes (or its end), as cp opens it after the source.
 */
async function copyData(ctx: Ctx, src: Loc, st: Stats, dst: Loc, dst0: Stats | undefined, mode: number, force: boolean,
  buf: Buffer, progress?: Progress): Promise<void> {
  const source = openSource(ctx, src, st, buf);
  const read = async () => {
    if (ctx.interrupted) throw new Interrupted();
    try {
      return await source.next();
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      throw new CopyError(`error reading ${q(src.shown)}: ${strerror(e)}`);
    }
  };
  try {
    let b = await read();
    const sink = await openSink(ctx, dst, dst0, mode, force);
    try {
      ctx.incomplete = dst.shown;
      while (b !== null) {
        try {
          await sink.write(b);
        } catch (e) {
          if (e instanceof Interrupted) throw e;
          throw new CopyError(`error writing ${q(dst.shown)}: ${strerror(e)}`);
        }
        progress?.add(b.length);
        await tick();
        b = await read();
      }
      ctx.incomplete = undefined;
    } finally {
      sink.close();
    }
  } finally {
    source.close();
  }
}

function tryLstat(loc: Loc): Stats | undefined {
  try {
    // no exception for the common case, a destination that does not exist yet
    return loc.vol.fs.lstatSync(loc.real, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function sameFile(a: Loc, sa: Stats, b: Loc, sb: Stats): boolean {
  return a.vol === b.vol && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Whether b is a (or below a) on the same volume. */
function inside(a: Loc, b: Loc): boolean {
  const x = a.real.replace(/\/+$/, '');
  return a.vol === b.vol && (b.real === x || b.real.startsWith(`${x}/`));
}

interface CopyOpts {
  recursive: boolean;
  /** Copy symbolic links as links (-P, with -R and -a). */
  noDeref: boolean;
  preserve: boolean;
  links: boolean;
  force: boolean;
  noClobber: boolean;
  verbose: boolean;
  /** With recursive: copy special files' contents (--copy-contents) instead of making nodes. */
  copyContents: boolean;
  prog: string;
}

/** The copy engine of cp and of mv across volumes. */
class Copier {
  status = 0;
  #links = new Map<string, Loc>();
  #buf: Buffer | undefined;
  constructor(readonly ctx: Ctx, readonly o: CopyOpts, readonly progress?: Progress) {}

  fail(msg: string): void {
    this.ctx.err(`rumpkit ${this.o.prog}: ${msg}\n`);
    this.status = 1;
  }

  #preserve(st: Stats, dst: Loc, link: boolean): void {
    const fs = dst.vol.fs;
    try {
      if (link) fs.lchownSync(dst.real, st.uid, st.gid);
      else fs.chownSync(dst.real, st.uid, st.gid);
    } catch {
      // as cp -p: ownership is kept when the user may
    }
    try {
      if (link) fs.lutimesSync(dst.real, st.atimeMs / 1000, st.mtimeMs / 1000);
      else {
        fs.chmodSync(dst.real, st.mode & 0o7777);
        fs.utimesSync(dst.real, st.atimeMs / 1000, st.mtimeMs / 1000);
      }
    } catch (e) {
      if (!link) this.fail(`preserving times for ${q(dst.shown)}: ${strerror(e)}`);
    }
  }

  /** Copy src to dst; fresh: dst's directory was made by this copy, so dst does not exist (as GNU cp's new_dst). */
  async copy(src: Loc, dst: Loc, top: boolean, fresh = false): Promise<boolean> {
    const { o, ctx } = this;
    if (ctx.interrupted) return false;
    let st: Stats;
    try {
      st = o.noDeref ? src.vol.fs.lstatSync(src.real) : src.vol.fs.statSync(src.real);
    } catch (e) {
      this.fail(`cannot stat ${q(src.shown)}: ${strerror(e)}`);
      return false;
    }
    const dst0 = fresh ? undefined : tryLstat(dst);
    if (isDir(st.mode)) {
      if (!o.recursive) {
        this.fail(`-r not specified; omitting directory ${q(src.shown)}`);
        return false;
      }
      if (inside(src, dst)) {
        this.fail(`cannot copy a directory, ${q(src.shown)}, into itself, ${q(dst.shown)}`);
        return false;
      }
      if (dst0 && !isDir(dst0.mode)) {
        this.fail(`cannot overwrite non-directory ${q(dst.shown)} with directory ${q(src.shown)}`);
        return false;
      }
      if (!dst0) {
        try {
          dst.vol.fs.mkdirSync(dst.real, (st.mode & 0o7777) | 0o700);
        } catch (e) {
          this.fail(`cannot create directory ${q(dst.shown)}: ${strerror(e)}`);
          return false;
        }
        if (o.verbose) ctx.out(`${q(src.shown)} -> ${q(dst.shown)}\n`);
      }
      let names: string[];
      try {
        names = sortedNames(src.vol.fs.readdirSync(src.real) as string[]);
      } catch (e) {
        this.fail(`cannot access ${q(src.shown)}: ${strerror(e)}`);
        return false;
      }
      let ok = true;
      for (const n of names) ok = (await this.copy(child(src, n), child(dst, n), false, !dst0)) && ok;
      if (o.preserve) this.#preserve(st, dst, false);
      else if (!dst0) {
        try {
          dst.vol.fs.chmodSync(dst.real, st.mode & 0o7777 & ~ctx.umask);
        } catch {
          // left as made
        }
      }
      return ok;
    }
    if (dst0) {
      if (sameFile(src, st, dst, dst0)) {
        this.fail(`${q(src.shown)} and ${q(dst.shown)} are the same file`);
        return false;
      }
      if (isDir(dst0.mode)) {
        this.fail(`cannot overwrite directory ${q(dst.shown)} with non-directory`);
        return false;
      }
      if (o.noClobber) return true;
    }
    const key = `${st.dev}:${st.ino}`;
    if (o.links && st.nlink > 1 && !isDir(st.mode)) {
      const first = this.#links.get(key);
      if (first && first.vol === dst.vol) {
        try {
          if (dst0) dst.vol.fs.unlinkSync(dst.real);
          dst.vol.fs.linkSync(first.real, dst.real);
          if (o.verbose) ctx.out(`${q(src.shown)} -> ${q(dst.shown)}\n`);
          return true;
        } catch (e) {
          this.fail(`cannot create hard link ${q(dst.shown)} to ${q(first.shown)}: ${strerror(e)}`);
          return false;
        }
      }
      this.#links.set(key, dst);
    }
    const type = st.mode & S_IFMT;
    if (isLink(st.mode)) {
      try {
        const target = src.vol.fs.readlinkSync(src.real, 'buffer');
        if (dst0) dst.vol.fs.unlinkSync(dst.real);
        dst.vol.fs.symlinkSync(target as unknown as string, dst.real);
      } catch (e) {
        this.fail(`cannot create symbolic link ${q(dst.shown)}: ${strerror(e)}`);
        return false;
      }
      if (o.preserve) this.#preserve(st, dst, true);
    } else if (type === S_IFREG || !o.recursive || o.copyContents) {
      try {
        // one buffer for every file of a copy: a new megabyte per file cost more than copying a small file
        await copyData(ctx, src, st, dst, dst0, st.mode & 0o7777, o.force, (this.#buf ??= Buffer.allocUnsafe(CHUNK)),
          this.progress);
      } catch (e) {
        if (e instanceof Interrupted) return false;
        ctx.incomplete = undefined;
        if (!(e instanceof CopyError)) throw e;
        this.fail(e.message);
        return false;
      }
      if (o.preserve) this.#preserve(st, dst, false);
    } else if (!this.#makeNode(src, st, dst, dst0)) {
      return false;
    }
    if (o.verbose) ctx.out(`${q(src.shown)} -> ${q(dst.shown)}\n`);
    void top;
    return true;
  }

  /** A device node, FIFO or socket made anew at dst, as cp -R makes it (mknod). */
  #makeNode(src: Loc, st: Stats, dst: Loc, dst0: Stats | undefined): boolean {
    const { o, ctx } = this;
    const vol = dst.vol;
    const type = st.mode & S_IFMT;
    if (dst0) {
      // cp -R replaces what is there rather than writing into it
      try {
        vol.fs.unlinkSync(dst.real);
      } catch (e) {
        this.fail(`cannot remove ${q(dst.shown)}: ${strerror(e)}`);
        return false;
      }
      if (o.verbose) ctx.out(`removed ${q(dst.shown)}\n`);
    }
    const what = type === S_IFIFO ? 'fifo' : 'special file';
    const perm = st.mode & 0o7777 & ~ctx.umask;
    try {
      if (!vol.mknod) throw Object.assign(new Error('no mknod'), { code: 'ENOTSUP' });
      vol.mknod(dst.real, type | perm, type === S_IFCHR || type === S_IFBLK ? st.rdev : 0);
    } catch (e) {
      this.fail(`cannot create ${what} ${q(dst.shown)}: ${strerror(e)}`);
      return false;
    }
    if (o.preserve) {
      this.#preserve(st, dst, false);
    } else {
      try {
        vol.fs.chmodSync(dst.real, perm); // the volume's own umask may differ from ours
      } catch {
        // left as made
      }
    }
    return true;
  }
}

/** Bytes of regular files below a Loc (for the progress bar). */
function totalBytes(loc: Loc, deref: boolean, depth = 0): number {
  try {
    const st = deref && depth === 0 ? loc.vol.fs.statSync(loc.real) : loc.vol.fs.lstatSync(loc.real);
    if (!isDir(st.mode)) return (st.mode & 0o170000) === 0o100000 ? st.size : 0;
    let n = 0;
    for (const name of loc.vol.fs.readdirSync(loc.real) as string[]) n += totalBytes(child(loc, name), deref, depth + 1);
    return n;
  } catch {
    return 0;
  }
}

/** cp's and mv's operands: the sources and the destination (with -t or last), and whether it is a directory. */
function targets(ctx: Ctx, prog: string, operands: string[], tdir: string | undefined, noTarget: boolean,
  srcWrite: boolean): { srcs: Loc[]; dest: Loc; destIsDir: boolean } | string {
  if (operands.length === 0 && tdir === undefined) return 'missing file operand';
  if (operands.length === 0) return 'missing file operand';
  if (operands.length === 1 && tdir === undefined) return `missing destination file operand after ${q(operands[0]!)}`;
  const destArg = tdir ?? operands[operands.length - 1]!;
  const srcArgs = tdir !== undefined ? operands : operands.slice(0, -1);
  if (noTarget && srcArgs.length > 1) return `extra operand ${q(srcArgs[1]!)}`;
  const locs = ctx.resolve([...srcArgs.map((arg) => ({ arg, write: srcWrite })), { arg: destArg, write: true }]);
  const dest = locs.pop()!;
  let destIsDir = false;
  let why: unknown;
  try {
    destIsDir = !noTarget && isDir(dest.vol.fs.statSync(dest.real).mode);
  } catch (e) {
    why = e;
  }
  if ((srcArgs.length > 1 || tdir !== undefined) && !destIsDir) {
    throw new Fatal(`target ${q(destArg)}: ${why ? strerror(why) : 'Not a directory'}`);
  }
  void prog;
  return { srcs: locs, dest, destIsDir };
}

const CP_USAGE = `Usage: rumpkit cp [OPTION]... [-T] SOURCE DEST
  or:  rumpkit cp [OPTION]... SOURCE... DIRECTORY
  or:  rumpkit cp [OPTION]... -t DIRECTORY SOURCE...
Copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY.  Any of them may be
IMAGE:PATH (PATH inside the disk image IMAGE) or a host path.

  -a, --archive                same as -dR --preserve=all
      --copy-contents          copy contents of special files when recursive
  -d                           copy symbolic links as links, keep hard links
  -f, --force                  if a destination file cannot be opened, remove it
                                 and try again
  -n, --no-clobber             do not overwrite an existing file
  -p                           preserve mode, ownership and timestamps
  -R, -r, --recursive          copy directories recursively
  -t, --target-directory=DIR   copy all SOURCE arguments into DIR
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --fstype TYPE            the images' file system type (default ext2)
      --help                   display this help and exit

As GNU cp: a recursive copy (-R, -a) makes device files, FIFOs and sockets
anew (mknod; devices need root on the host); without -R, or with
--copy-contents, their contents are read like a file's (a FIFO on the host
waits for a writer).  Device files inside an image are never opened (images
are mounted nodev) and a FIFO inside an image has no writer: copy those with
-R.  SIGINT, SIGTERM and SIGHUP stop the copy between two chunks; the images
are unmounted cleanly and rumpkit dies by the signal (status 128+N).
`;

async function cp(ctx: Ctx, argv: string[]): Promise<number> {
  const { opts, operands } = parseArgs(argv, {
    flags: 'adfnprRTv', values: 't',
    long: {
      archive: 'a', force: 'f', 'no-clobber': 'n', preserve: 'p', recursive: 'R', 'no-target-directory': 'T',
      verbose: 'v', 'target-directory=': 't', 'copy-contents': 'copy-contents', 'fstype=': 'fstype', help: 'help',
    },
  });
  if (opts.has('help')) {
    ctx.out(CP_USAGE);
    return 0;
  }
  const archive = opts.has('a');
  const tdir = opts.get('t') as string | undefined;
  const t = targets(ctx, 'cp', operands, tdir, opts.has('T'), false);
  if (typeof t === 'string') throw new UsageError(t);
  const recursive = archive || opts.has('r') || opts.has('R');
  const o: CopyOpts = {
    recursive, noDeref: recursive || opts.has('d'), preserve: archive || opts.has('p'),
    links: archive || opts.has('d'), force: opts.has('f'), noClobber: opts.has('n'), verbose: opts.has('v'),
    copyContents: opts.has('copy-contents'), prog: 'cp',
  };
  const progress = ctx.tty ? new Progress(t.srcs.reduce((n, s) => n + totalBytes(s, !o.noDeref), 0)) : undefined;
  const c = new Copier(ctx, o, progress);
  try {
    for (const src of t.srcs) {
      if (ctx.interrupted) break;
      const dst = t.destIsDir ? child(t.dest, baseName(src.path)) : t.dest;
      await c.copy(src, dst, true);
    }
  } finally {
    progress?.done();
  }
  return c.status || (ctx.interrupted ? 130 : 0);
}

/** Remove a tree (mv across volumes; rm -r has its own with messages). */
function removeTree(loc: Loc): void {
  const st = loc.vol.fs.lstatSync(loc.real);
  if (isDir(st.mode)) {
    for (const n of loc.vol.fs.readdirSync(loc.real) as string[]) removeTree(child(loc, n));
    loc.vol.fs.rmdirSync(loc.real);
  } else {
    loc.vol.fs.unlinkSync(loc.real);
  }
}

const MV_USAGE = `Usage: rumpkit mv [OPTION]... [-T] SOURCE DEST
  or:  rumpkit mv [OPTION]... SOURCE... DIRECTORY
  or:  rumpkit mv [OPTION]... -t DIRECTORY SOURCE...
Rename SOURCE to DEST, or move SOURCE(s) to DIRECTORY.  Any of them may be
IMAGE:PATH or a host path; between volumes, mv copies (keeping modes, owners,
times and links; device files, FIFOs and sockets are made anew, as cp -a does)
and then removes the source.  Interrupted (SIGINT, SIGTERM, SIGHUP), it keeps
the source it was moving, unmounts the images cleanly and dies by the signal.

  -f, --force                  do not prompt before overwriting (the default)
  -n, --no-clobber             do not overwrite an existing file
  -t, --target-directory=DIR   move all SOURCE arguments into DIR
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --fstype TYPE            the images' file system type (default ext2)
      --help                   display this help and exit
`;

async function mv(ctx: Ctx, argv: string[]): Promise<number> {
  const { opts, operands } = parseArgs(argv, {
    flags: 'fnTv', values: 't',
    long: {
      force: 'f', 'no-clobber': 'n', 'no-target-directory': 'T', verbose: 'v', 'target-directory=': 't',
      'fstype=': 'fstype', help: 'help',
    },
  });
  if (opts.has('help')) {
    ctx.out(MV_USAGE);
    return 0;
  }
  const t = targets(ctx, 'mv', operands, opts.get('t') as string | undefined, opts.has('T'), true);
  if (typeof t === 'string') throw new UsageError(t);
  let status = 0;
  const fail = (m: string) => {
    ctx.err(`rumpkit mv: ${m}\n`);
    status = 1;
  };
  for (const src of t.srcs) {
    if (ctx.interrupted) break;
    const dst = t.destIsDir ? child(t.dest, baseName(src.path)) : t.dest;
    let st: Stats;
    try {
      st = src.vol.fs.lstatSync(src.real);
    } catch (e) {
      fail(`cannot stat ${q(src.shown)}: ${strerror(e)}`);
      continue;
    }
    const dst0 = tryLstat(dst);
    if (dst0 && opts.has('n') && !opts.has('f')) continue;
    if (isDir(st.mode) && inside(src, dst) && !(dst0 && sameFile(src, st, dst, dst0))) {
      fail(`cannot move ${q(src.shown)} to a subdirectory of itself, ${q(dst.shown)}`);
      continue;
    }
    let crossed = src.vol !== dst.vol;
    if (!crossed) {
      try {
        src.vol.fs.renameSync(src.real, dst.real);
      } catch (e) {
        if (errCode(e) !== 'EXDEV') {
          fail(`cannot move ${q(src.shown)} to ${q(dst.shown)}: ${strerror(e)}`);
          continue;
        }
        crossed = true;
      }
    }
    if (crossed) {
      if (dst0) {
        if (isDir(dst0.mode) && !isDir(st.mode)) {
          fail(`cannot overwrite directory ${q(dst.shown)} with non-directory`);
          continue;
        }
        if (!isDir(dst0.mode) && isDir(st.mode)) {
          fail(`cannot overwrite non-directory ${q(dst.shown)} with directory ${q(src.shown)}`);
          continue;
        }
        try {
          if (isDir(dst0.mode)) dst.vol.fs.rmdirSync(dst.real);
          else dst.vol.fs.unlinkSync(dst.real);
        } catch (e) {
          fail(`cannot move ${q(src.shown)} to ${q(dst.shown)}: ${strerror(e)}`);
          continue;
        }
      }
      const progress = ctx.tty ? new Progress(totalBytes(src, false)) : undefined;
      const c = new Copier(ctx, {
        recursive: true, noDeref: true, preserve: true, links: true, force: true, noClobber: false, verbose: false,
        copyContents: false, prog: 'mv',
      }, progress);
      let ok: boolean;
      try {
        ok = await c.copy(src, dst, true);
      } finally {
        progress?.done();
      }
      if (!ok || c.status) {
        status = 1;
        continue;
      }
      try {
        removeTree(src);
      } catch (e) {
        fail(`cannot remove ${q(src.shown)}: ${strerror(e)}`);
        continue;
      }
    }
    if (opts.has('v')) ctx.out(`renamed ${q(src.shown)} -> ${q(dst.shown)}\n`);
  }
  return status || (ctx.interrupted ? 130 : 0);
}

const CAT_USAGE = `Usage: rumpkit cat [IMAGE:]PATH...
Concatenate files to standard output.  IMAGE:PATH names PATH inside the disk
image IMAGE.

      --fstype TYPE   the images' file system type (default ext2)
      --help          display this help and exit
`;

async function cat(ctx: Ctx, argv: string[]): Promise<number> {
  const { opts, operands } = parseArgs(argv, { flags: '', long: { 'fstype=': 'fstype', help: 'help' } });
  if (opts.has('help')) {
    ctx.out(CAT_USAGE);
    return 0;
  }
  let status = 0;
  const locs = ctx.resolve(operands.map((arg) => ({ arg, write: false })));
  const buf = Buffer.allocUnsafe(CHUNK);
  for (const loc of locs) {
    let fd: number;
    try {
      fd = loc.vol.fs.openSync(loc.real, 'r');
    } catch (e) {
      ctx.err(`rumpkit cat: ${loc.shown}: ${strerror(e)}\n`);
      status = 1;
      continue;
    }
    try {
      for (;;) {
        const n = loc.vol.fs.readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        ctx.out(buf.subarray(0, n) as unknown as string);
        if (ctx.interrupted) return 130;
      }
    } catch (e) {
      ctx.err(`rumpkit cat: ${loc.shown}: ${strerror(e)}\n`);
      status = 1;
    } finally {
      loc.vol.fs.closeSync(fd);
    }
  }
  return status;
}

export const cpCommand: Command = { name: 'cp', usage: CP_USAGE, run: cp };
export const mvCommand: Command = { name: 'mv', usage: MV_USAGE, run: mv };
export const catCommand: Command = { name: 'cat', usage: CAT_USAGE, run: cat };

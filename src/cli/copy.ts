// rumpkit cat, cp and mv: data between host paths and image paths in either
// direction (and between two images), through the volumes' fs objects.
import type { Stats } from 'node:fs';
import { type Command, type Ctx, errCode, Fatal, isDir, isLink, parseArgs, q, sortedNames, strerror, UsageError } from './common.js';
import { Progress } from './progress.js';
import { baseName, child, type Loc } from './volume.js';

const CHUNK = 1 << 20;

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Copy the bytes of one file through buf (one buffer for every file of a copy: a new
 * megabyte per file cost more than copying a small file); yields to the event loop
 * between chunks (so SIGINT is seen).
 */
async function copyData(ctx: Ctx, src: Loc, dst: Loc, mode: number, force: boolean, buf: Buffer,
  progress?: Progress): Promise<void> {
  const sfs = src.vol.fs;
  const dfs = dst.vol.fs;
  let sfd: number;
  try {
    sfd = sfs.openSync(src.real, 'r');
  } catch (e) {
    throw new CopyError(`cannot open ${q(src.shown)} for reading: ${strerror(e)}`);
  }
  try {
    let dfd: number;
    try {
      dfd = dfs.openSync(dst.real, 'w', mode);
    } catch (e) {
      if (!force || errCode(e) === 'ENOENT' || errCode(e) === 'EISDIR') {
        throw new CopyError(`cannot create regular file ${q(dst.shown)}: ${strerror(e)}`);
      }
      try {
        dfs.unlinkSync(dst.real);
        dfd = dfs.openSync(dst.real, 'w', mode);
      } catch (e2) {
        throw new CopyError(`cannot create regular file ${q(dst.shown)}: ${strerror(e2)}`);
      }
    }
    try {
      for (;;) {
        if (ctx.interrupted) throw new CopyError('interrupted');
        let n: number;
        try {
          n = sfs.readSync(sfd, buf, 0, CHUNK, null);
        } catch (e) {
          throw new CopyError(`error reading ${q(src.shown)}: ${strerror(e)}`);
        }
        if (n === 0) break;
        for (let off = 0; off < n;) {
          try {
            off += dfs.writeSync(dfd, buf, off, n - off);
          } catch (e) {
            throw new CopyError(`error writing ${q(dst.shown)}: ${strerror(e)}`);
          }
        }
        if (progress) {
          progress.add(n);
          await tick();
        }
      }
    } finally {
      dfs.closeSync(dfd);
    }
  } finally {
    sfs.closeSync(sfd);
  }
}

class CopyError extends Error {}

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
    } else if ((st.mode & 0o170000) === 0o100000) {
      try {
        await copyData(ctx, src, dst, st.mode & 0o7777, o.force, (this.#buf ??= Buffer.allocUnsafe(CHUNK)),
          this.progress);
      } catch (e) {
        if (!(e instanceof CopyError)) throw e;
        this.fail(e.message);
        return false;
      }
      if (o.preserve) this.#preserve(st, dst, false);
    } else {
      this.fail(`cannot copy special file ${q(src.shown)}: ${strerror({ code: 'ENOTSUP' })}`);
      return false;
    }
    if (o.verbose) ctx.out(`${q(src.shown)} -> ${q(dst.shown)}\n`);
    void top;
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
`;

async function cp(ctx: Ctx, argv: string[]): Promise<number> {
  const { opts, operands } = parseArgs(argv, {
    flags: 'adfnprRTv', values: 't',
    long: {
      archive: 'a', force: 'f', 'no-clobber': 'n', preserve: 'p', recursive: 'R', 'no-target-directory': 'T',
      verbose: 'v', 'target-directory=': 't', 'fstype=': 'fstype', help: 'help',
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
    links: archive || opts.has('d'), force: opts.has('f'), noClobber: opts.has('n'), verbose: opts.has('v'), prog: 'cp',
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
times and links) and then removes the source.

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
        prog: 'mv',
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

// rumpkit rm, rmdir, mkdir and ln.
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import { type Command, type Ctx, errCode, isDir, parseArgs, q, sortedNames, strerror, UsageError } from './common.js';
import { parseMode } from './modes.js';
import { baseName, child, locate, type Loc } from './volume.js';
import { splitOperand } from './image.js';

const RM_USAGE = `Usage: rumpkit rm [OPTION]... [IMAGE:]PATH...
Remove (unlink) the files.

  -f, --force           ignore nonexistent files and arguments, never prompt
  -r, -R, --recursive   remove directories and their contents recursively
  -d, --dir             remove empty directories
  -v, --verbose         explain what is being done
      --no-preserve-root  do not treat an image's or the host's '/' specially
      --fstype TYPE     the images' file system type (default ext2)
      --help            display this help and exit
`;

function rm(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'dfrRv',
    long: {
      force: 'f', recursive: 'R', dir: 'd', verbose: 'v', 'no-preserve-root': 'npr', 'fstype=': 'fstype', help: 'help',
    },
  });
  if (opts.has('help')) {
    ctx.out(RM_USAGE);
    return 0;
  }
  const force = opts.has('f');
  const recursive = opts.has('r') || opts.has('R');
  if (operands.length === 0) {
    if (force) return 0;
    throw new UsageError('missing operand');
  }
  let status = 0;
  const fail = (m: string) => {
    ctx.err(`rumpkit rm: ${m}\n`);
    status = 1;
  };
  const remove = (loc: Loc, st: Stats): boolean => {
    if (isDir(st.mode)) {
      if (!recursive) {
        if (!opts.has('d')) {
          fail(`cannot remove ${q(loc.shown)}: Is a directory`);
          return false;
        }
      } else {
        let names: string[];
        try {
          names = sortedNames(loc.vol.fs.readdirSync(loc.real) as string[]);
        } catch (e) {
          fail(`cannot remove ${q(loc.shown)}: ${strerror(e)}`);
          return false;
        }
        let ok = true;
        for (const n of names) {
          const c = child(loc, n);
          try {
            ok = remove(c, c.vol.fs.lstatSync(c.real)) && ok;
          } catch (e) {
            if (!(force && errCode(e) === 'ENOENT')) fail(`cannot remove ${q(c.shown)}: ${strerror(e)}`);
          }
        }
        if (!ok) return false;
      }
      try {
        loc.vol.fs.rmdirSync(loc.real);
      } catch (e) {
        fail(`cannot remove ${q(loc.shown)}: ${strerror(e)}`);
        return false;
      }
      if (opts.has('v')) ctx.out(`removed directory ${q(loc.shown)}\n`);
      return true;
    }
    try {
      loc.vol.fs.unlinkSync(loc.real);
    } catch (e) {
      if (force && errCode(e) === 'ENOENT') return true;
      fail(`cannot remove ${q(loc.shown)}: ${strerror(e)}`);
      return false;
    }
    if (opts.has('v')) ctx.out(`removed ${q(loc.shown)}\n`);
    return true;
  };
  for (const loc of ctx.resolve(operands.map((arg) => ({ arg, write: true })))) {
    if (/(^|[/:])\.\.?\/*$/.test(loc.shown)) {
      fail(`refusing to remove '.' or '..' directory: skipping ${q(loc.shown)}`);
      continue;
    }
    if (recursive && !opts.has('npr') && (loc.path === '/' || (loc.vol.root === '' && /^\/+$/.test(loc.path)))) {
      fail(`it is dangerous to operate recursively on ${q(loc.shown)}`);
      ctx.err('rumpkit rm: use --no-preserve-root to override this failsafe\n');
      continue;
    }
    let st: Stats;
    try {
      st = loc.vol.fs.lstatSync(loc.real);
    } catch (e) {
      if (!(force && errCode(e) === 'ENOENT')) fail(`cannot remove ${q(loc.shown)}: ${strerror(e)}`);
      continue;
    }
    remove(loc, st);
  }
  return status;
}

const RMDIR_USAGE = `Usage: rumpkit rmdir [OPTION]... [IMAGE:]DIRECTORY...
Remove the DIRECTORY(ies), if they are empty.

  -p, --parents   remove DIRECTORY and its ancestors; e.g., 'rumpkit rmdir -p
                    img:/a/b' is like 'rumpkit rmdir img:/a/b img:/a'
  -v, --verbose   output a diagnostic for every directory processed
      --fstype TYPE  the images' file system type (default ext2)
      --help      display this help and exit
`;

function rmdir(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'pv', long: { parents: 'p', verbose: 'v', 'fstype=': 'fstype', help: 'help' },
  });
  if (opts.has('help')) {
    ctx.out(RMDIR_USAGE);
    return 0;
  }
  if (operands.length === 0) throw new UsageError('missing operand');
  let status = 0;
  for (const loc of ctx.resolve(operands.map((arg) => ({ arg, write: true })))) {
    let cur: Loc | undefined = loc;
    while (cur) {
      if (opts.has('v')) ctx.out(`rumpkit rmdir: removing directory, ${q(cur.shown)}\n`);
      try {
        cur.vol.fs.rmdirSync(cur.real);
      } catch (e) {
        ctx.err(`rumpkit rmdir: failed to remove ${q(cur.shown)}: ${strerror(e)}\n`);
        status = 1;
        break;
      }
      if (!opts.has('p')) break;
      const p = cur.path.replace(/\/+$/, '');
      const up = posix.dirname(p);
      if (up === p || up === '.' || up === '/' || up === '') break;
      const prefix = cur.vol.prefix;
      cur = locate(cur.vol, up, prefix + up);
    }
  }
  return status;
}

const MKDIR_USAGE = `Usage: rumpkit mkdir [OPTION]... [IMAGE:]DIRECTORY...
Create the DIRECTORY(ies), if they do not already exist.

  -m, --mode=MODE   set file mode (as in chmod), not a=rwx - umask
  -p, --parents     no error if existing, make parent directories as needed
  -v, --verbose     print a message for each created directory
      --fstype TYPE the images' file system type (default ext2)
      --help        display this help and exit
`;

function mkdir(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'pv', values: 'm', long: { 'mode=': 'm', parents: 'p', verbose: 'v', 'fstype=': 'fstype', help: 'help' },
  });
  if (opts.has('help')) {
    ctx.out(MKDIR_USAGE);
    return 0;
  }
  if (operands.length === 0) throw new UsageError('missing operand');
  let mode: number | undefined;
  if (opts.has('m')) {
    const m = parseMode(opts.get('m') as string);
    if (!m) throw new UsageError(`invalid mode ${q(opts.get('m') as string)}`);
    mode = m(0o777, true, ctx.umask);
  }
  let status = 0;
  const fail = (m: string) => {
    ctx.err(`rumpkit mkdir: ${m}\n`);
    status = 1;
  };
  for (const loc of ctx.resolve(operands.map((arg) => ({ arg, write: true })))) {
    const made = (l: Loc, last: boolean): boolean => {
      try {
        l.vol.fs.mkdirSync(l.real, last && mode !== undefined ? mode : 0o777);
        if (last && mode !== undefined && mode & 0o7000) l.vol.fs.chmodSync(l.real, mode);
        else if (last && mode !== undefined) l.vol.fs.chmodSync(l.real, mode);
      } catch (e) {
        if (opts.has('p') && errCode(e) === 'EEXIST') {
          try {
            if (isDir(l.vol.fs.statSync(l.real).mode)) return true;
          } catch {
            // reported below
          }
        }
        fail(`cannot create directory ${q(l.shown)}: ${strerror(e)}`);
        return false;
      }
      if (opts.has('v')) ctx.out(`rumpkit mkdir: created directory ${q(l.shown)}\n`);
      return true;
    };
    if (opts.has('p')) {
      const parts = loc.path.split('/').filter((x) => x !== '' && x !== '.');
      const abs = loc.path.startsWith('/');
      const prefix = loc.vol.prefix;
      let ok = true;
      for (let i = 1; i <= parts.length && ok; i++) {
        const p = (abs ? '/' : '') + parts.slice(0, i).join('/');
        const l = i === parts.length ? loc : locate(loc.vol, p, prefix + p);
        let exists = false;
        try {
          exists = isDir(l.vol.fs.statSync(l.real).mode) && i < parts.length;
        } catch {
          // make it
        }
        if (!exists) ok = made(l, i === parts.length);
      }
    } else {
      made(loc, true);
    }
  }
  return status;
}

const LN_USAGE = `Usage: rumpkit ln [OPTION]... [-T] TARGET LINK_NAME
  or:  rumpkit ln [OPTION]... TARGET... DIRECTORY
Create a link to TARGET with the name LINK_NAME, or links in DIRECTORY.
Hard links need TARGET and the link on the same volume; a symbolic link's
TARGET is stored as given (IMAGE: removed when it names the link's image).

  -f, --force     remove existing destination files
  -s, --symbolic  make symbolic links instead of hard links
  -T, --no-target-directory  treat LINK_NAME as a normal file always
  -v, --verbose   print name of each linked file
      --fstype TYPE  the images' file system type (default ext2)
      --help      display this help and exit
`;

function ln(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'fsTv',
    long: { force: 'f', symbolic: 's', 'no-target-directory': 'T', verbose: 'v', 'fstype=': 'fstype', help: 'help' },
  });
  if (opts.has('help')) {
    ctx.out(LN_USAGE);
    return 0;
  }
  if (operands.length === 0) throw new UsageError('missing file operand');
  const sym = opts.has('s');
  const args = operands.length === 1 ? [operands[0]!, '.'] : operands;
  const destArg = args[args.length - 1]!;
  const targetArgs = args.slice(0, -1);
  if (opts.has('T') && targetArgs.length > 1) throw new UsageError(`extra operand ${q(targetArgs[1]!)}`);
  const locs = ctx.resolve([...targetArgs.map((arg) => ({ arg, write: !sym })), { arg: destArg, write: true }]);
  const dest = locs.pop()!;
  let destIsDir = false;
  try {
    destIsDir = !opts.has('T') && isDir(dest.vol.fs.statSync(dest.real).mode);
  } catch {
    // a new name
  }
  if (targetArgs.length > 1 && !destIsDir) throw new UsageError(`target ${q(destArg)} is not a directory`);
  let status = 0;
  locs.forEach((target, i) => {
    const link = destIsDir ? child(dest, baseName(sym ? targetArgs[i]! : target.path)) : dest;
    let text = targetArgs[i]!;
    if (sym) {
      const s = splitOperand(text);
      if (s.image !== undefined && `${s.image}:` === dest.vol.prefix) text = s.path;
    }
    const make = () => {
      if (sym) link.vol.fs.symlinkSync(text, link.real);
      else {
        if (target.vol !== link.vol) throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
        link.vol.fs.linkSync(target.real, link.real);
      }
    };
    try {
      try {
        make();
      } catch (e) {
        if (!opts.has('f') || errCode(e) !== 'EEXIST') throw e;
        const st = link.vol.fs.lstatSync(link.real);
        if (isDir(st.mode)) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
        link.vol.fs.unlinkSync(link.real);
        make();
      }
      if (opts.has('v')) ctx.out(`${q(link.shown)} -> ${q(sym ? text : target.shown)}\n`);
    } catch (e) {
      ctx.err(sym ? `rumpkit ln: failed to create symbolic link ${q(link.shown)}: ${strerror(e)}\n`
        : errCode(e) === 'EEXIST' ? `rumpkit ln: failed to create hard link ${q(link.shown)}: ${strerror(e)}\n`
        : `rumpkit ln: failed to create hard link ${q(link.shown)} => ${q(target.shown)}: ${strerror(e)}\n`);
      status = 1;
    }
  });
  return status;
}

export const rmCommand: Command = { name: 'rm', usage: RM_USAGE, run: rm };
export const rmdirCommand: Command = { name: 'rmdir', usage: RMDIR_USAGE, run: rmdir };
export const mkdirCommand: Command = { name: 'mkdir', usage: MKDIR_USAGE, run: mkdir };
export const lnCommand: Command = { name: 'ln', usage: LN_USAGE, run: ln };

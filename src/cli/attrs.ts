// rumpkit chmod and chown (numeric ids, or names from the volume's own
// /etc/passwd and /etc/group).
import type { Stats } from 'node:fs';
import { type Command, type Ctx, isDir, isLink, parseArgs, q, sortedNames, strerror, UsageError } from './common.js';
import { parseMode } from './modes.js';
import { child, idNames, type Loc } from './volume.js';

/** Visit loc and, with recursive, everything below it (symbolic links are not followed below the operand). */
function walk(ctx: Ctx, prog: string, loc: Loc, recursive: boolean, visit: (l: Loc, st: Stats, top: boolean) => boolean): boolean {
  const go = (l: Loc, top: boolean): boolean => {
    let st: Stats;
    try {
      st = top ? l.vol.fs.statSync(l.real) : l.vol.fs.lstatSync(l.real);
    } catch (e) {
      ctx.err(`rumpkit ${prog}: cannot access ${q(l.shown)}: ${strerror(e)}\n`);
      return false;
    }
    let ok = visit(l, st, top);
    if (recursive && isDir(st.mode)) {
      let names: string[];
      try {
        names = sortedNames(l.vol.fs.readdirSync(l.real) as string[]);
      } catch (e) {
        ctx.err(`rumpkit ${prog}: cannot read directory ${q(l.shown)}: ${strerror(e)}\n`);
        return false;
      }
      for (const n of names) ok = go(child(l, n), false) && ok;
    }
    return ok;
  };
  return go(loc, true);
}

const CHMOD_USAGE = `Usage: rumpkit chmod [OPTION]... MODE[,MODE]... [IMAGE:]PATH...
  or:  rumpkit chmod [OPTION]... OCTAL-MODE [IMAGE:]PATH...
Change the mode of each file to MODE.  MODE is octal (0755) or symbolic:
[ugoa]*([-+=]([rwxXst]*|[ugo]))+ separated by commas (u+x,go-w).

  -R, --recursive   change files and directories recursively (symbolic links
                      met on the way are left alone)
  -v, --verbose     output a diagnostic for every file processed
      --fstype TYPE the images' file system type (default ext2)
      --help        display this help and exit
`;

function chmod(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'Rv', long: { recursive: 'R', verbose: 'v', 'fstype=': 'fstype', help: 'help' },
  }, (a) => /^[-+=][rwxXstugo]*(,|$)/.test(a));
  if (opts.has('help')) {
    ctx.out(CHMOD_USAGE);
    return 0;
  }
  if (operands.length === 0) throw new UsageError('missing operand');
  if (operands.length === 1) throw new UsageError(`missing operand after ${q(operands[0]!)}`);
  const fn = parseMode(operands[0]!);
  if (!fn) throw new UsageError(`invalid mode: ${q(operands[0]!)}`);
  let status = 0;
  for (const loc of ctx.resolve(operands.slice(1).map((arg) => ({ arg, write: true })))) {
    const ok = walk(ctx, 'chmod', loc, opts.has('R'), (l, st, top) => {
      if (isLink(st.mode) && !top) return true;
      const mode = fn(st.mode, isDir(st.mode), ctx.umask);
      try {
        l.vol.fs.chmodSync(l.real, mode);
      } catch (e) {
        ctx.err(`rumpkit chmod: changing permissions of ${q(l.shown)}: ${strerror(e)}\n`);
        return false;
      }
      if (opts.has('v')) {
        ctx.out(`mode of ${q(l.shown)} changed from ${(st.mode & 0o7777).toString(8).padStart(4, '0')} to ` +
          `${mode.toString(8).padStart(4, '0')}\n`);
      }
      return true;
    });
    if (!ok) status = 1;
  }
  return status;
}

const CHOWN_USAGE = `Usage: rumpkit chown [OPTION]... [OWNER][:[GROUP]] [IMAGE:]PATH...
Change the owner and/or group of each file.  OWNER and GROUP are numbers, or
names looked up in the image's own /etc/passwd and /etc/group (the host's for
host paths).  'OWNER:' sets the group to OWNER's login group.

  -h, --no-dereference  affect symbolic links instead of what they point to
  -R, --recursive       operate on files and directories recursively
  -v, --verbose         output a diagnostic for every file processed
      --fstype TYPE     the images' file system type (default ext2)
      --help            display this help and exit
`;

function chown(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'hRv', long: { 'no-dereference': 'h', recursive: 'R', verbose: 'v', 'fstype=': 'fstype', help: 'help' },
  });
  if (opts.has('help')) {
    ctx.out(CHOWN_USAGE);
    return 0;
  }
  if (operands.length === 0) throw new UsageError('missing operand');
  if (operands.length === 1) throw new UsageError(`missing operand after ${q(operands[0]!)}`);
  const spec = operands[0]!;
  const [user = '', group, extra] = spec.split(':');
  if (extra !== undefined) throw new UsageError(`invalid spec: ${q(spec)}`);
  let status = 0;
  for (const loc of ctx.resolve(operands.slice(1).map((arg) => ({ arg, write: true })))) {
    const ids = idNames(loc.vol);
    let uid = -1;
    let gid = -1;
    if (user !== '') {
      const u = /^\d+$/.test(user) ? Number(user) : ids.uid(user);
      if (u === undefined) {
        ctx.err(`rumpkit chown: invalid user: ${q(spec)}\n`);
        return 1;
      }
      uid = u;
    }
    if (group !== undefined && group !== '') {
      const g = /^\d+$/.test(group) ? Number(group) : ids.gid(group);
      if (g === undefined) {
        ctx.err(`rumpkit chown: invalid group: ${q(spec)}\n`);
        return 1;
      }
      gid = g;
    } else if (group === '' && user !== '') {
      // 'user:' is the user's login group (from passwd).
      const fs = loc.vol.fs;
      try {
        const line = String(fs.readFileSync(loc.vol.root === '' ? '/etc/passwd' : `${loc.vol.root}/etc/passwd`))
          .split('\n').find((l) => l.split(':')[2] === String(uid));
        if (line) gid = Number(line.split(':')[3]);
      } catch {
        // no passwd: the group stays
      }
    }
    const ok = walk(ctx, 'chown', loc, opts.has('R'), (l, st, top) => {
      try {
        if (opts.has('h') || (!top && isLink(st.mode))) l.vol.fs.lchownSync(l.real, uid, gid);
        else l.vol.fs.chownSync(l.real, uid, gid);
      } catch (e) {
        ctx.err(`rumpkit chown: changing ownership of ${q(l.shown)}: ${strerror(e)}\n`);
        return false;
      }
      if (opts.has('v')) ctx.out(`ownership of ${q(l.shown)} retained or changed to ${spec}\n`);
      return true;
    });
    if (!ok) status = 1;
  }
  return status;
}

export const chmodCommand: Command = { name: 'chmod', usage: CHMOD_USAGE, run: chmod };
export const chownCommand: Command = { name: 'chown', usage: CHOWN_USAGE, run: chown };

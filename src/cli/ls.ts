// rumpkit ls: list directory contents (long format, all entries, recursion,
// inodes, human sizes), with ls's exit status: 0, 1 for trouble below the
// command line, 2 for a command-line operand that cannot be listed.
import type { Stats } from 'node:fs';
import { type Command, type Ctx, human, isDir, isLink, modeString, parseArgs, q, sortedNames, strerror } from './common.js';
import { child, idNames, type Loc } from './volume.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HALF_YEAR_MS = (31556952 / 2) * 1000;

/** ls -l's time: month, day and time within the last half year, else month, day and year. */
export function lsTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const day = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)}`;
  if (ms <= now && now - ms < HALF_YEAR_MS) {
    return `${day} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }
  return `${day}  ${d.getFullYear()}`;
}

export function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}
export function minor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff);
}

interface Entry {
  name: string;
  loc: Loc;
  st: Stats;
}

interface Opts {
  long: boolean;
  all: boolean;
  almost: boolean;
  recursive: boolean;
  dirs: boolean;
  human: boolean;
  inode: boolean;
  numeric: boolean;
}

const USAGE = `Usage: rumpkit ls [OPTION]... [IMAGE:]PATH...
List information about the files (the current directory by default),
sorted by name (byte order).  IMAGE:PATH names PATH inside the disk image IMAGE.

  -a, --all                  do not ignore entries starting with .
  -A, --almost-all           do not list implied . and ..
  -d, --directory            list directories themselves, not their contents
  -h, --human-readable       with -l, print sizes like 1K 234M 2G
  -i, --inode                print the index number of each file
  -l                         use a long listing format
  -n, --numeric-uid-gid      like -l, but list numeric user and group IDs
  -R, --recursive            list subdirectories recursively
  -1                         list one file per line (always the case)
      --fstype TYPE          the images' file system type (default ext2)
      --help                 display this help and exit

Exit status: 0 if OK, 1 if minor problems (e.g., cannot access a subdirectory),
2 if serious trouble (e.g., cannot access a command-line argument).
`;

function format(ctx: Ctx, o: Opts, entries: Entry[], total: boolean, widthsOf: Entry[] = entries): void {
  const lines: string[] = [];
  if (!o.long) {
    const iw = o.inode ? Math.max(0, ...entries.map((e) => String(e.st.ino).length)) : 0;
    for (const e of entries) lines.push(o.inode ? `${String(e.st.ino).padStart(iw)} ${e.name}` : e.name);
    if (lines.length) ctx.out(`${lines.join('\n')}\n`);
    return;
  }
  if (total) {
    const blocks = entries.reduce((n, e) => n + e.st.blocks, 0);
    ctx.out(`total ${o.human ? human(blocks * 512) : Math.ceil((blocks * 512) / 1024)}\n`);
  }
  const ids = widthsOf.length ? idNames(widthsOf[0]!.loc.vol) : undefined;
  const row = (e: Entry) => {
    const st = e.st;
    const dev = (st.mode & 0o170000) === 0o020000 || (st.mode & 0o170000) === 0o060000;
    let name = e.name;
    if (isLink(st.mode)) {
      try {
        name += ` -> ${String(e.loc.vol.fs.readlinkSync(e.loc.real))}`;
      } catch {
        // the name alone
      }
    }
    return {
      ino: String(st.ino),
      mode: modeString(st.mode),
      nlink: String(st.nlink),
      user: o.numeric ? String(st.uid) : ids!.user(st.uid) ?? String(st.uid),
      group: o.numeric ? String(st.gid) : ids!.group(st.gid) ?? String(st.gid),
      size: dev ? undefined : o.human ? human(st.size) : String(st.size),
      maj: dev ? String(major(st.rdev)) : '',
      min: dev ? String(minor(st.rdev)) : '',
      time: lsTime(st.mtimeMs),
      name,
    };
  };
  const rows = entries.map(row);
  // As ls: a command line's files are aligned with its directories too.
  const all = widthsOf === entries ? rows : widthsOf.map(row);
  const w = (f: (r: (typeof rows)[number]) => string) => Math.max(0, ...all.map((r) => f(r).length));
  const iw = w((r) => r.ino);
  const lw = w((r) => r.nlink);
  const uw = w((r) => r.user);
  const gw = w((r) => r.group);
  const majw = w((r) => r.maj);
  const minw = w((r) => r.min);
  const anyDev = all.some((r) => r.size === undefined);
  const sw = Math.max(w((r) => r.size ?? ''), anyDev ? majw + 2 + minw : 0);
  for (const r of rows) {
    const size = r.size ?? `${r.maj.padStart(majw)}, ${r.min.padStart(minw)}`;
    lines.push(`${o.inode ? `${r.ino.padStart(iw)} ` : ''}${r.mode} ${r.nlink.padStart(lw)} ${r.user.padEnd(uw)} ` +
      `${r.group.padEnd(gw)} ${size.padStart(sw)} ${r.time} ${r.name}`);
  }
  if (lines.length) ctx.out(`${lines.join('\n')}\n`);
}

function ls(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'aAdhilnR1',
    long: {
      all: 'a', 'almost-all': 'A', directory: 'd', 'human-readable': 'h', inode: 'i', 'numeric-uid-gid': 'n',
      recursive: 'R', 'fstype=': 'fstype', help: 'help',
    },
  });
  if (opts.has('help')) {
    ctx.out(USAGE);
    return 0;
  }
  const o: Opts = {
    long: opts.has('l') || opts.has('n'), all: opts.has('a'), almost: opts.has('A') && !opts.has('a'),
    recursive: opts.has('R') && !opts.has('d'), dirs: opts.has('d'), human: opts.has('h'), inode: opts.has('i'),
    numeric: opts.has('n'),
  };
  const locs = ctx.resolve((operands.length ? operands : ['.']).map((arg) => ({ arg, write: false })));
  let status = 0;
  const files: Entry[] = [];
  const dirs: Entry[] = [];
  for (const loc of locs) {
    let st: Stats;
    try {
      st = o.long || o.dirs ? loc.vol.fs.lstatSync(loc.real) : statOrLstat(loc);
    } catch (e) {
      ctx.err(`rumpkit ls: cannot access ${q(loc.shown)}: ${strerror(e)}\n`);
      status = 2;
      continue;
    }
    (isDir(st.mode) && !o.dirs ? dirs : files).push({ name: loc.shown, loc, st });
  }
  const byName = (a: Entry, b: Entry) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
  files.sort(byName);
  dirs.sort(byName);
  format(ctx, o, files, false, [...files, ...dirs]);
  let first = files.length === 0;
  const header = locs.length > 1 || o.recursive;
  const listDir = (d: Entry, top: boolean): void => {
    let names: string[];
    try {
      names = d.loc.vol.fs.readdirSync(d.loc.real) as string[];
    } catch (e) {
      ctx.err(`rumpkit ls: cannot open directory ${q(d.loc.shown)}: ${strerror(e)}\n`);
      status = top ? 2 : Math.max(status, 1);
      return;
    }
    if (!first) ctx.out('\n');
    first = false;
    if (header) ctx.out(`${d.loc.shown}:\n`);
    names = sortedNames(names.filter((n) => o.all || o.almost || !n.startsWith('.')));
    if (o.all) names = ['.', '..', ...names];
    const entries: Entry[] = [];
    for (const name of names) {
      const loc = name === '.' ? d.loc : child(d.loc, name);
      try {
        const st = name === '.' ? d.st : name === '..' ? statParent(d.loc) : loc.vol.fs.lstatSync(loc.real);
        entries.push({ name, loc, st });
      } catch (e) {
        ctx.err(`rumpkit ls: cannot access ${q(loc.shown)}: ${strerror(e)}\n`);
        status = Math.max(status, 1);
      }
    }
    format(ctx, o, entries, true);
    if (o.recursive) {
      for (const e of entries) {
        if (e.name === '.' || e.name === '..' || !isDir(e.st.mode)) continue;
        listDir(e, false);
      }
    }
  };
  for (const d of dirs) listDir(d, true);
  return status;
}

function statOrLstat(loc: Loc): Stats {
  try {
    return loc.vol.fs.statSync(loc.real);
  } catch (e) {
    const st = loc.vol.fs.lstatSync(loc.real);
    if (isLink(st.mode)) return st;
    throw e;
  }
}

function statParent(loc: Loc): Stats {
  const real = loc.real.endsWith('/') ? `${loc.real}..` : `${loc.real}/..`;
  // An image's '/' is its mount point: its parent is itself.
  if (loc.vol.root !== '' && loc.path === '/') return loc.vol.fs.statSync(loc.real);
  return loc.vol.fs.statSync(real);
}

export const lsCommand: Command = { name: 'ls', usage: USAGE, run: ls };

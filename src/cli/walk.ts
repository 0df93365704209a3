// rumpkit du, find and tree: commands that walk a tree.
import type { Stats } from 'node:fs';
import { type Command, type Ctx, human, isDir, isLink, parseArgs, q, sortedNames, strerror, UsageError } from './common.js';
import { baseName, child, type Loc } from './volume.js';

const DU_USAGE = `Usage: rumpkit du [OPTION]... [IMAGE:]PATH...
Summarize disk usage of each PATH, recursively for directories (in 1024-byte
units; hard-linked files are counted once).

  -a, --all             write counts for all files, not just directories
  -b, --bytes           apparent sizes in bytes (--apparent-size --block-size=1)
      --apparent-size   print apparent sizes rather than disk usage
  -c, --total           produce a grand total
  -h, --human-readable  print sizes in human readable format (e.g., 1K 234M 2G)
  -s, --summarize       display only a total for each argument
      --fstype TYPE     the images' file system type (default ext2)
      --help            display this help and exit
`;

function du(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'abchs',
    long: {
      all: 'a', bytes: 'b', 'apparent-size': 'apparent', total: 'c', 'human-readable': 'h', summarize: 's',
      'fstype=': 'fstype', help: 'help',
    },
  });
  if (opts.has('help')) {
    ctx.out(DU_USAGE);
    return 0;
  }
  if (opts.has('a') && opts.has('s')) throw new UsageError('cannot both summarize and show all entries');
  const apparent = opts.has('b') || opts.has('apparent');
  const bytesUnit = opts.has('b') || opts.has('h');
  const show = (n: number) => (opts.has('h') ? human(n) : bytesUnit ? String(n) : String(Math.ceil(n / 1024)));
  const seen = new Set<string>();
  let status = 0;
  let grand = 0;
  const size = (st: Stats) => (apparent ? st.size : st.blocks * 512);
  const visit = (loc: Loc, depth: number): number => {
    let st: Stats;
    try {
      st = loc.vol.fs.lstatSync(loc.real);
    } catch (e) {
      ctx.err(`rumpkit du: cannot access ${q(loc.shown)}: ${strerror(e)}\n`);
      status = 1;
      return 0;
    }
    const key = `${loc.vol.prefix}\0${st.dev}:${st.ino}`;
    if (st.nlink > 1 && !isDir(st.mode)) {
      if (seen.has(key)) return 0;
      seen.add(key);
    }
    let n = size(st);
    if (isDir(st.mode)) {
      let names: string[] = [];
      try {
        names = sortedNames(loc.vol.fs.readdirSync(loc.real) as string[]);
      } catch (e) {
        ctx.err(`rumpkit du: cannot read directory ${q(loc.shown)}: ${strerror(e)}\n`);
        status = 1;
      }
      for (const name of names) n += visit(child(loc, name), depth + 1);
      if (!opts.has('s') || depth === 0) ctx.out(`${show(n)}\t${loc.shown}\n`);
    } else if (depth === 0 || opts.has('a')) {
      ctx.out(`${show(n)}\t${loc.shown}\n`);
    }
    return n;
  };
  for (const loc of ctx.resolve((operands.length ? operands : ['.']).map((arg) => ({ arg, write: false })))) {
    grand += visit(loc, 0);
  }
  if (opts.has('c')) ctx.out(`${show(grand)}\ttotal\n`);
  return status;
}

/** fnmatch(3) without flags: * ? [set] [!set] and backslash escapes. */
export function globToRegExp(glob: string, ignoreCase = false): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]!);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, end);
      const neg = set[0] === '!' || set[0] === '^';
      if (neg) set = set.slice(1);
      re += `[${neg ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, ignoreCase ? 'si' : 's');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const FIND_USAGE = `Usage: rumpkit find [[IMAGE:]PATH...] [EXPRESSION]
Search for files in a directory hierarchy (entries in byte order).

EXPRESSION is a sequence of these tests, all of which must hold:
  -name GLOB       the base name matches GLOB (* ? [...])
  -iname GLOB      like -name, ignoring case
  -type f|d|l|b|c|p|s  the file is of this type
  -maxdepth N      descend at most N levels below the starting points
  -mindepth N      do not act on levels below N
  -print           print the path (the default action)

      --fstype TYPE    the images' file system type (default ext2)
      --help           display this help and exit
`;

function find(ctx: Ctx, argv: string[]): number {
  if (argv.includes('--help')) {
    ctx.out(FIND_USAGE);
    return 0;
  }
  const args = [...argv];
  const fi = args.indexOf('--fstype');
  if (fi >= 0) args.splice(fi, 2);
  let i = 0;
  const starts: string[] = [];
  while (i < args.length && !/^[-(!]/.test(args[i]!)) starts.push(args[i++]!);
  const tests: Array<(loc: Loc, st: Stats, depth: number) => boolean> = [];
  let maxdepth = Infinity;
  let mindepth = 0;
  const need = (opt: string) => {
    const v = args[++i];
    if (v === undefined) throw new UsageError(`missing argument to '${opt}'`);
    return v;
  };
  for (; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '-name':
      case '-iname': {
        const re = globToRegExp(need(a), a === '-iname');
        tests.push((loc) => re.test(baseName(loc.path.replace(/(.)\/+$/, '$1'))));
        break;
      }
      case '-type': {
        const t = need(a);
        const types: Record<string, number> = { f: 0o100000, d: 0o040000, l: 0o120000, b: 0o060000, c: 0o020000, p: 0o010000, s: 0o140000 };
        if (!(t in types)) throw new UsageError(`Unknown argument to -type: ${t}`);
        tests.push((_, st) => (st.mode & 0o170000) === types[t]);
        break;
      }
      case '-maxdepth':
      case '-mindepth': {
        const v = need(a);
        if (!/^\d+$/.test(v)) throw new UsageError(`Expected a positive decimal integer argument to ${a}, but got ${q(v)}`);
        if (a === '-maxdepth') maxdepth = Number(v);
        else mindepth = Number(v);
        break;
      }
      case '-print':
        break;
      default:
        throw new UsageError(/^[-(!]/.test(a) ? `unknown predicate ${q(a)}` : `paths must precede expression: ${q(a)}`);
    }
  }
  let status = 0;
  const visit = (loc: Loc, depth: number): void => {
    if (ctx.interrupted) return;
    let st: Stats;
    try {
      st = loc.vol.fs.lstatSync(loc.real);
    } catch (e) {
      ctx.err(`rumpkit find: ${q(loc.shown)}: ${strerror(e)}\n`);
      status = 1;
      return;
    }
    if (depth >= mindepth && tests.every((t) => t(loc, st, depth))) ctx.out(`${loc.shown}\n`);
    if (isDir(st.mode) && depth < maxdepth) {
      let names: string[];
      try {
        names = sortedNames(loc.vol.fs.readdirSync(loc.real) as string[]);
      } catch (e) {
        ctx.err(`rumpkit find: ${q(loc.shown)}: ${strerror(e)}\n`);
        status = 1;
        return;
      }
      for (const n of names) visit(child(loc, n), depth + 1);
    }
  };
  for (const loc of ctx.resolve((starts.length ? starts : ['.']).map((arg) => ({ arg, write: false })))) visit(loc, 0);
  return status;
}

const TREE_USAGE = `Usage: rumpkit tree [OPTION]... [[IMAGE:]PATH...]
List the contents of directories in a tree (entries in byte order), then the
number of directories and files.

  -a          all files, also those starting with .
  -d          directories only
  -L LEVEL    descend at most LEVEL directories deep
      --fstype TYPE  the images' file system type (default ext2)
      --help  display this help and exit
`;

function tree(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'ad', values: 'L', long: { 'fstype=': 'fstype', help: 'help' },
  });
  if (opts.has('help')) {
    ctx.out(TREE_USAGE);
    return 0;
  }
  const level = opts.has('L') ? Number(opts.get('L')) : Infinity;
  if (!(level >= 1)) throw new UsageError('Invalid level, must be greater than 0.');
  let dirs = 0;
  let files = 0;
  let status = 0;
  const walk = (loc: Loc, indent: string, depth: number): void => {
    let names: string[];
    try {
      names = sortedNames(loc.vol.fs.readdirSync(loc.real) as string[]).filter((n) => opts.has('a') || !n.startsWith('.'));
    } catch (e) {
      ctx.out(`  [error opening dir: ${strerror(e)}]\n`);
      status = 1;
      return;
    }
    const entries: Array<{ name: string; loc: Loc; st?: Stats }> = [];
    for (const name of names) {
      const c = child(loc, name);
      let st: Stats | undefined;
      try {
        st = c.vol.fs.lstatSync(c.real);
      } catch {
        // shown without details
      }
      if (opts.has('d') && !(st && isDir(st.mode))) continue;
      entries.push({ name, loc: c, st });
    }
    entries.forEach((e, i) => {
      const last = i === entries.length - 1;
      let label = e.name;
      if (e.st && isLink(e.st.mode)) {
        try {
          label += ` -> ${String(e.loc.vol.fs.readlinkSync(e.loc.real))}`;
        } catch {
          // the name alone
        }
      }
      ctx.out(`${indent}${last ? '└── ' : '├── '}${label}\n`);
      if (e.st && isDir(e.st.mode)) {
        dirs++;
        if (depth + 1 < level) walk(e.loc, indent + (last ? '    ' : '│   '), depth + 1);
      } else {
        files++;
      }
    });
  };
  for (const loc of ctx.resolve((operands.length ? operands : ['.']).map((arg) => ({ arg, write: false })))) {
    let st: Stats;
    try {
      st = loc.vol.fs.statSync(loc.real);
    } catch (e) {
      ctx.out(`${loc.shown} [error opening dir: ${strerror(e)}]\n`);
      status = 1;
      continue;
    }
    ctx.out(`${loc.shown}\n`);
    if (isDir(st.mode)) walk(loc, '', 0);
  }
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  ctx.out(`\n${plural(dirs, 'directory', 'directories')}${opts.has('d') ? '' : `, ${plural(files, 'file', 'files')}`}\n`);
  return status;
}

export const duCommand: Command = { name: 'du', usage: DU_USAGE, run: du };
export const findCommand: Command = { name: 'find', usage: FIND_USAGE, run: find };
export const treeCommand: Command = { name: 'tree', usage: TREE_USAGE, run: tree };

// rumpkit stat: coreutils' default format, and -c FORMAT with its %-sequences.
import type { BigIntStats } from 'node:fs';
import { type Command, type Ctx, fileType, modeString, parseArgs, q, strerror, UsageError } from './common.js';
import { major, minor } from './ls.js';
import { idNames, type Loc } from './volume.js';

const DEFAULT = '  File: %N\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n' +
  'Device: %Hd,%Ld\tInode: %-11i Links: %h\n' +
  'Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\nAccess: %x\nModify: %y\nChange: %z\n Birth: %w\n';
const DEFAULT_DEV = DEFAULT.replace('Links: %h\n', 'Links: %-5h Device type: %Hr,%Lr\n');

/** '2026-11-26 11:08:20.765495047 +0000': local time with nanoseconds and the zone's offset. */
export function statTime(ns: bigint): string {
  const ms = Number(ns / 1000000n);
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const frac = String(((ns % 1000000000n) + 1000000000n) % 1000000000n).padStart(9, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:` +
    `${p(d.getSeconds())}.${frac} ${off < 0 ? '-' : '+'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
}

function secs(ns: bigint): string {
  const s = ns / 1000000000n;
  return String(ns < 0n && ns % 1000000000n !== 0n ? s - 1n : s);
}

/** Expand a stat format for one file. */
export function statFormat(fmt: string, loc: Loc, st: BigIntStats): string {
  const ids = idNames(loc.vol);
  const mode = Number(st.mode);
  const rdev = Number(st.rdev);
  const dev = Number(st.dev);
  const link = () => {
    try {
      return String(loc.vol.fs.readlinkSync(loc.real));
    } catch {
      return '';
    }
  };
  const isLnk = (mode & 0o170000) === 0o120000;
  return fmt.replace(/%([-#0 +']*)(\d*)(?:\.(\d+))?([HL]?[a-zA-Z%]|$)/g, (all, flags: string, width: string, prec: string | undefined, conv: string) => {
    let v: string;
    let numeric = true;
    switch (conv) {
      case '%': return '%';
      case 'a': v = (mode & 0o7777).toString(8); break;
      case 'A': v = modeString(mode); numeric = false; break;
      case 'b': v = String(st.blocks); break;
      case 'B': v = '512'; break;
      case 'd': v = String(st.dev); break;
      case 'D': v = st.dev.toString(16); break;
      case 'Hd': v = String(major(dev)); break;
      case 'Ld': v = String(minor(dev)); break;
      case 'f': v = (mode >>> 0).toString(16); break;
      case 'F': v = fileType(mode, Number(st.size)); numeric = false; break;
      case 'g': v = String(st.gid); break;
      case 'G': v = ids.group(Number(st.gid)) ?? 'UNKNOWN'; numeric = false; break;
      case 'h': v = String(st.nlink); break;
      case 'i': v = String(st.ino); break;
      case 'n': v = loc.shown; numeric = false; break;
      case 'N': v = isLnk ? `${q(loc.shown)} -> ${q(link())}` : q(loc.shown); numeric = false; break;
      case 'o': v = String(st.blksize); break;
      case 's': v = String(st.size); break;
      case 't': v = major(rdev).toString(16); break;
      case 'T': v = minor(rdev).toString(16); break;
      case 'Hr': v = String(major(rdev)); break;
      case 'Lr': v = String(minor(rdev)); break;
      case 'u': v = String(st.uid); break;
      case 'U': v = ids.user(Number(st.uid)) ?? 'UNKNOWN'; numeric = false; break;
      case 'w': v = st.birthtimeNs > 0n ? statTime(st.birthtimeNs) : '-'; numeric = false; break;
      case 'W': v = st.birthtimeNs > 0n ? secs(st.birthtimeNs) : '0'; break;
      case 'x': v = statTime(st.atimeNs); numeric = false; break;
      case 'X': v = secs(st.atimeNs); break;
      case 'y': v = statTime(st.mtimeNs); numeric = false; break;
      case 'Y': v = secs(st.mtimeNs); break;
      case 'z': v = statTime(st.ctimeNs); numeric = false; break;
      case 'Z': v = secs(st.ctimeNs); break;
      default: return all === '%' ? '%' : `?`;
    }
    if (prec !== undefined && !numeric) v = v.slice(0, Number(prec));
    const w = Number(width || 0);
    if (flags.includes('-')) return v.padEnd(w);
    if (flags.includes('0') && numeric) return v.padStart(w, '0');
    return v.padStart(w);
  });
}

function unescape(s: string): string {
  return s.replace(/\\(n|t|\\|"|0[0-7]{0,3}|[0-7]{1,3})/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === '\\' ? '\\' : c === '"' ? '"' : String.fromCharCode(parseInt(c, 8)));
}

const USAGE = `Usage: rumpkit stat [OPTION]... [IMAGE:]PATH...
Display file status.

  -L, --dereference     follow links
  -c  --format=FORMAT   use the specified FORMAT instead of the default;
                          output a newline after each use of FORMAT
      --printf=FORMAT   like --format, but interpret backslash escapes,
                          and do not output a mandatory trailing newline
      --fstype TYPE     the images' file system type (default ext2)
      --help            display this help and exit

FORMAT sequences: %a %A %b %B %d %D %f %F %g %G %h %i %n %N %o %s %t %T %u %U
%w %W %x %X %y %Y %z %Z %Hd %Ld %Hr %Lr %% (as coreutils' stat; there is no
birth time where the file system has none: %w is '-').
`;

function stat(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = parseArgs(argv, {
    flags: 'L', values: 'c',
    long: { dereference: 'L', 'format=': 'c', 'printf=': 'printf', 'fstype=': 'fstype', help: 'help' },
  });
  if (opts.has('help')) {
    ctx.out(USAGE);
    return 0;
  }
  if (operands.length === 0) throw new UsageError('missing operand');
  let status = 0;
  for (const loc of ctx.resolve(operands.map((arg) => ({ arg, write: false })))) {
    let st: BigIntStats;
    try {
      st = opts.has('L') ? loc.vol.fs.statSync(loc.real, { bigint: true }) : loc.vol.fs.lstatSync(loc.real, { bigint: true });
    } catch (e) {
      ctx.err(`rumpkit stat: cannot statx ${q(loc.shown)}: ${strerror(e)}\n`);
      status = 1;
      continue;
    }
    const m = Number(st.mode) & 0o170000;
    let fmt: string;
    if (opts.has('printf')) fmt = unescape(opts.get('printf') as string);
    else if (opts.has('c')) fmt = `${opts.get('c') as string}\n`;
    else fmt = m === 0o020000 || m === 0o060000 ? DEFAULT_DEV : DEFAULT;
    if (!opts.has('c') && !opts.has('printf')) {
      // The default's File line shows names unquoted unless they need it.
      fmt = fmt.replace('%N', (Number(st.mode) & 0o170000) === 0o120000 ? '%n -> \0' : '%n');
      const target = (() => {
        try {
          return String(loc.vol.fs.readlinkSync(loc.real));
        } catch {
          return '';
        }
      })();
      ctx.out(statFormat(fmt.replace('\0', target.replace(/%/g, '%%')), loc, st));
      continue;
    }
    ctx.out(statFormat(fmt, loc, st));
  }
  return status;
}

export const statCommand: Command = { name: 'stat', usage: USAGE, run: stat };

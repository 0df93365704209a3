// Open flags as node:fs takes them: 'r', 'w+', 'ax' … or numbers.
import { invalidArgValue } from '../errors.js';
import { native } from '../native.js';

const F = native.constants.fcntl;
export const O_RDONLY = F.O_RDONLY;
export const O_WRONLY = F.O_WRONLY;
export const O_RDWR = F.O_RDWR;
export const O_CREAT = F.O_CREAT;
export const O_EXCL = F.O_EXCL;
export const O_TRUNC = F.O_TRUNC;
export const O_APPEND = F.O_APPEND;
export const O_SYNC = F.O_SYNC;
export const O_DIRECTORY = F.O_DIRECTORY;
export const O_NOFOLLOW = F.O_NOFOLLOW;
export const O_CLOEXEC = F.O_CLOEXEC;

const W = O_TRUNC | O_CREAT | O_WRONLY;
const WP = O_TRUNC | O_CREAT | O_RDWR;
const A = O_APPEND | O_CREAT | O_WRONLY;
const AP = O_APPEND | O_CREAT | O_RDWR;

const table = new Map<string, number>([
  ['r', O_RDONLY], ['rs', O_RDONLY | O_SYNC], ['sr', O_RDONLY | O_SYNC],
  ['r+', O_RDWR], ['rs+', O_RDWR | O_SYNC], ['sr+', O_RDWR | O_SYNC],
  ['w', W], ['wx', W | O_EXCL], ['xw', W | O_EXCL],
  ['w+', WP], ['wx+', WP | O_EXCL], ['xw+', WP | O_EXCL],
  ['a', A], ['ax', A | O_EXCL], ['xa', A | O_EXCL], ['as', A | O_SYNC], ['sa', A | O_SYNC],
  ['a+', AP], ['ax+', AP | O_EXCL], ['xa+', AP | O_EXCL], ['as+', AP | O_SYNC], ['sa+', AP | O_SYNC],
]);

/** Node's stringToFlags: a flags string or number to open(2) flags. */
export function toFlags(v: unknown, def = O_RDONLY): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) return def;
  const f = typeof v === 'string' ? table.get(v) : undefined;
  if (f === undefined) throw invalidArgValue('flags', v);
  return f;
}

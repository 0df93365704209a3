// Stats and BigIntStats as node:fs builds them, decoded straight from the
// struct statx the kernel wrote into one shared scratch buffer (no
// intermediate object).  The Date fields are computed on first use.
import { native } from '../native.js';

const C = native.constants.fs;
const S_IFMT = C.S_IFMT;
const S_IFREG = C.S_IFREG;
const S_IFDIR = C.S_IFDIR;
const S_IFLNK = C.S_IFLNK;
const S_IFCHR = C.S_IFCHR;
const S_IFBLK = C.S_IFBLK;
const S_IFIFO = C.S_IFIFO;
const S_IFSOCK = C.S_IFSOCK;

/** The scratch struct statx every stat call of k.fs passes to the kernel. */
export const statxBuf = new Uint8Array(256);
const u32 = new Uint32Array(statxBuf.buffer);
const i32 = new Int32Array(statxBuf.buffer);
const u64 = new BigUint64Array(statxBuf.buffer);
const i64 = new BigInt64Array(statxBuf.buffer);

const TWO32 = 4294967296;

/** glibc's makedev, as libuv reports st_dev and st_rdev from statx. */
function makedev(maj: number, min: number): number {
  return (maj & 0xfff) * 256 + (min & 0xff) + (min >>> 8) * 1048576 + (maj >>> 12) * 17592186044416;
}

function bigMakedev(maj: number, min: number): bigint {
  return BigInt(makedev(maj, min));
}

type DateName = 'atime' | 'mtime' | 'ctime' | 'birthtime';

function lazyDates(proto: object, toMs: (v: unknown) => number): void {
  for (const name of ['atime', 'mtime', 'ctime', 'birthtime'] as DateName[]) {
    const ms = `${name}Ms`;
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: true,
      get(this: Record<string | symbol, unknown>) {
        const d = new Date(toMs(this[ms]));
        Object.defineProperty(this, name, { value: d, writable: true, enumerable: true, configurable: true });
        return d;
      },
      set(this: Record<string | symbol, unknown>, v: unknown) {
        Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
}

// Two separate classes (no common base class): a derived class's constructor
// costs several times a plain one's in V8, and a Stats is made per call.
/** node:fs's Stats: numbers, times in milliseconds. */
export class Stats {
  declare dev: number;
  declare mode: number;
  declare nlink: number;
  declare uid: number;
  declare gid: number;
  declare rdev: number;
  declare blksize: number;
  declare ino: number;
  declare size: number;
  declare blocks: number;
  declare atimeMs: number;
  declare mtimeMs: number;
  declare ctimeMs: number;
  declare birthtimeMs: number;
  declare atime: Date;
  declare mtime: Date;
  declare ctime: Date;
  declare birthtime: Date;

  constructor(
    dev: number, mode: number, nlink: number, uid: number, gid: number, rdev: number, blksize: number,
    ino: number, size: number, blocks: number, atimeMs: number, mtimeMs: number, ctimeMs: number,
    birthtimeMs: number,
  ) {
    this.dev = dev;
    this.mode = mode;
    this.nlink = nlink;
    this.uid = uid;
    this.gid = gid;
    this.rdev = rdev;
    this.blksize = blksize;
    this.ino = ino;
    this.size = size;
    this.blocks = blocks;
    this.atimeMs = atimeMs;
    this.mtimeMs = mtimeMs;
    this.ctimeMs = ctimeMs;
    this.birthtimeMs = birthtimeMs;
  }

  isFile(): boolean { return (this.mode & S_IFMT) === S_IFREG; }
  isDirectory(): boolean { return (this.mode & S_IFMT) === S_IFDIR; }
  isSymbolicLink(): boolean { return (this.mode & S_IFMT) === S_IFLNK; }
  isCharacterDevice(): boolean { return (this.mode & S_IFMT) === S_IFCHR; }
  isBlockDevice(): boolean { return (this.mode & S_IFMT) === S_IFBLK; }
  isFIFO(): boolean { return (this.mode & S_IFMT) === S_IFIFO; }
  isSocket(): boolean { return (this.mode & S_IFMT) === S_IFSOCK; }
}
lazyDates(Stats.prototype, (v) => v as number);

/** node:fs's BigIntStats: bigints, and times in nanoseconds as well. */
export class BigIntStats {
  declare dev: bigint;
  declare mode: bigint;
  declare nlink: bigint;
  declare uid: bigint;
  declare gid: bigint;
  declare rdev: bigint;
  declare blksize: bigint;
  declare ino: bigint;
  declare size: bigint;
  declare blocks: bigint;
  declare atimeMs: bigint;
  declare mtimeMs: bigint;
  declare ctimeMs: bigint;
  declare birthtimeMs: bigint;
  declare atimeNs: bigint;
  declare mtimeNs: bigint;
  declare ctimeNs: bigint;
  declare birthtimeNs: bigint;
  declare atime: Date;
  declare mtime: Date;
  declare ctime: Date;
  declare birthtime: Date;

  constructor(
    dev: bigint, mode: bigint, nlink: bigint, uid: bigint, gid: bigint, rdev: bigint, blksize: bigint,
    ino: bigint, size: bigint, blocks: bigint, atimeNs: bigint, mtimeNs: bigint, ctimeNs: bigint,
    birthtimeNs: bigint,
  ) {
    this.dev = dev;
    this.mode = mode;
    this.nlink = nlink;
    this.uid = uid;
    this.gid = gid;
    this.rdev = rdev;
    this.blksize = blksize;
    this.ino = ino;
    this.size = size;
    this.blocks = blocks;
    this.atimeMs = atimeNs / 1000000n;
    this.mtimeMs = mtimeNs / 1000000n;
    this.ctimeMs = ctimeNs / 1000000n;
    this.birthtimeMs = birthtimeNs / 1000000n;
    this.atimeNs = atimeNs;
    this.mtimeNs = mtimeNs;
    this.ctimeNs = ctimeNs;
    this.birthtimeNs = birthtimeNs;
  }

  isFile(): boolean { return (Number(this.mode) & S_IFMT) === S_IFREG; }
  isDirectory(): boolean { return (Number(this.mode) & S_IFMT) === S_IFDIR; }
  isSymbolicLink(): boolean { return (Number(this.mode) & S_IFMT) === S_IFLNK; }
  isCharacterDevice(): boolean { return (Number(this.mode) & S_IFMT) === S_IFCHR; }
  isBlockDevice(): boolean { return (Number(this.mode) & S_IFMT) === S_IFBLK; }
  isFIFO(): boolean { return (Number(this.mode) & S_IFMT) === S_IFIFO; }
  isSocket(): boolean { return (Number(this.mode) & S_IFMT) === S_IFSOCK; }
}
lazyDates(BigIntStats.prototype, (v) => Number(v as bigint));

const ms = (lo: number, hi: number, ns: number): number => (lo + hi * TWO32) * 1000 + ns / 1e6;

/** A Stats from the struct statx in statxBuf. */
export function newStats(): Stats {
  return new Stats(
    makedev(u32[34]!, u32[35]!), u32[7]! & 0xffff, u32[4]!, u32[5]!, u32[6]!, makedev(u32[32]!, u32[33]!),
    u32[1]!, u32[8]! + u32[9]! * TWO32, u32[10]! + u32[11]! * TWO32, u32[12]! + u32[13]! * TWO32,
    ms(u32[16]!, i32[17]!, u32[18]!), ms(u32[28]!, i32[29]!, u32[30]!),
    ms(u32[24]!, i32[25]!, u32[26]!), ms(u32[20]!, i32[21]!, u32[22]!));
}

const ns = (sec: bigint, nsec: number): bigint => sec * 1000000000n + BigInt(nsec);

/** A BigIntStats from the struct statx in statxBuf. */
export function newBigIntStats(): BigIntStats {
  return new BigIntStats(
    bigMakedev(u32[34]!, u32[35]!), BigInt(u32[7]! & 0xffff), BigInt(u32[4]!), BigInt(u32[5]!), BigInt(u32[6]!),
    bigMakedev(u32[32]!, u32[33]!), BigInt(u32[1]!), u64[4]!, u64[5]!, u64[6]!,
    ns(i64[8]!, u32[18]!), ns(i64[14]!, u32[30]!), ns(i64[12]!, u32[26]!), ns(i64[10]!, u32[22]!));
}

/** The mode field of the struct statx in statxBuf (for internal checks). */
export function statxMode(): number {
  return u32[7]! & 0xffff;
}

/** The size field of the struct statx in statxBuf. */
export function statxSize(): number {
  return u32[10]! + u32[11]! * TWO32;
}

export { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK };

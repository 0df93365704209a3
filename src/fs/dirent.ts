// Dirent as node:fs gives it from readdir({ withFileTypes }) and opendir.
import { native } from '../native.js';

const C = native.constants.fs;
const kType = Symbol('type');

/** A directory entry: its name, the directory it is in, and its type (DT_*). */
export class Dirent {
  name: string | Buffer;
  parentPath: string;
  /** The same as parentPath (node:fs keeps both). */
  path: string;
  [kType]: number;

  constructor(name: string | Buffer, type: number, parentPath: string) {
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
    this[kType] = type;
  }

  isFile(): boolean { return this[kType] === C.DT_REG; }
  isDirectory(): boolean { return this[kType] === C.DT_DIR; }
  isSymbolicLink(): boolean { return this[kType] === C.DT_LNK; }
  isCharacterDevice(): boolean { return this[kType] === C.DT_CHR; }
  isBlockDevice(): boolean { return this[kType] === C.DT_BLK; }
  isFIFO(): boolean { return this[kType] === C.DT_FIFO; }
  isSocket(): boolean { return this[kType] === C.DT_SOCK; }
}

/** The DT_* type for a file mode (S_IF* bits), for entries of unknown type. */
export function modeToType(mode: number): number {
  switch (mode & C.S_IFMT) {
    case C.S_IFREG: return C.DT_REG;
    case C.S_IFDIR: return C.DT_DIR;
    case C.S_IFLNK: return C.DT_LNK;
    case C.S_IFCHR: return C.DT_CHR;
    case C.S_IFBLK: return C.DT_BLK;
    case C.S_IFIFO: return C.DT_FIFO;
    case C.S_IFSOCK: return C.DT_SOCK;
    default: return C.DT_UNKNOWN;
  }
}

// The synchronous functions of k.fs, by their node:fs names.  Each takes
// its process as `this` (an FsCtx); index.ts binds them.
export {
  openSync, closeSync, readSync, writeSync, readFileSync, writeFileSync, appendFileSync,
  truncateSync, ftruncateSync, fsyncSync, fdatasyncSync, copyFileSync,
} from './files.js';
export {
  statSync, lstatSync, fstatSync, accessSync, existsSync, chmodSync, fchmodSync, chownSync, lchownSync,
  fchownSync, utimesSync, lutimesSync, futimesSync, unlinkSync, renameSync, linkSync, symlinkSync,
  readlinkSync,
} from './meta.js';
export { mkdirSync, readdirSync, rmSync, rmdirSync, mkdtempSync, realpathSync } from './dirs.js';
export { opendirSync } from './dir.js';
export { cpSync } from './cp.js';

// What every k.fs function shares: the process it acts as, the addon's raw
// system calls and control array, and errors shaped like node:fs's.
import { RumpError } from '../errors.js';
import { native } from '../native.js';
import { pathString, type KPath } from './args.js';

/** The process an fs object acts as: its slot in the addon's process table. */
export interface FsCtx {
  readonly slot: number;
}

/** The control array: [slot, result, arg0 … arg5] (see docs/architecture.md). */
export const ctl = native.ctl;
export const sys = native;

export const E = native.constants.errno;
export const AT_FDCWD = native.constants.at.AT_FDCWD;
export const AT_SYMLINK_NOFOLLOW = native.constants.at.AT_SYMLINK_NOFOLLOW;
export const AT_EMPTY_PATH = native.constants.at.AT_EMPTY_PATH;
export const AT_REMOVEDIR = native.constants.at.AT_REMOVEDIR;

/** A node:fs-shaped error for a negative errno r. */
export function uvError(r: number, syscall: string, path?: KPath, dest?: KPath): RumpError {
  return new RumpError(r, syscall, path === undefined ? undefined : pathString(path),
    dest === undefined ? undefined : pathString(dest));
}

/**
 * Node's SystemError, as node:fs throws for conditions its own JavaScript
 * detects (ERR_FS_EISDIR, ERR_FS_CP_*): the message names the syscall and
 * an errno, and info carries the details.
 */
export class FsSystemError extends Error {
  readonly code: string;
  readonly info: { code: string; message: string; path?: string; dest?: string; syscall: string; errno: number };
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string;
  readonly dest?: string;

  constructor(code: string, prefix: string,
    ctx: { code: string; message: string; path?: string; dest?: string; syscall: string; errno: number }) {
    let msg = `${prefix}: ${ctx.syscall} returned ${ctx.code} (${ctx.message})`;
    if (ctx.path !== undefined) msg += ` ${ctx.path}`;
    if (ctx.dest !== undefined) msg += ` => ${ctx.dest}`;
    super(msg);
    this.name = 'SystemError';
    this.code = code;
    this.info = ctx;
    this.errno = ctx.errno;
    this.syscall = ctx.syscall;
    if (ctx.path !== undefined) this.path = ctx.path;
    if (ctx.dest !== undefined) this.dest = ctx.dest;
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

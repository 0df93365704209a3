// The callback forms of k.fs (fs.stat(path, cb) …): the synchronous form
// runs at once and the callback is called on the next tick.  As in node:fs,
// a bad argument throws synchronously; a kernel error goes to the callback.
import { RumpError } from '../errors.js';
import { checkFunction } from './args.js';
import { FsSystemError, type FsCtx } from './context.js';

type Fn = (...args: unknown[]) => unknown;
type Cb = (...args: unknown[]) => void;

function isOperational(e: unknown): boolean {
  return e instanceof RumpError || e instanceof FsSystemError;
}

/** fs.<name>(…args, cb) from fs.<name>Sync(…args); spread picks the callback's result arguments. */
export function callbackForm(ctx: FsCtx, fn: Fn, spread?: (r: unknown, args: unknown[]) => unknown[]): Fn {
  return (...args: unknown[]) => {
    // The callback is the last argument; without one, node:fs reports it missing.
    const cb = (typeof args[args.length - 1] === 'function' ? args.pop() : undefined) as Cb;
    checkFunction(cb, 'cb');
    let r: unknown;
    try {
      r = fn.apply(ctx, args);
    } catch (e) {
      if (!isOperational(e)) throw e;
      process.nextTick(cb, e);
      return;
    }
    if (spread) process.nextTick(cb, null, ...spread(r, args));
    else process.nextTick(cb, null, r);
  };
}

/** fs.exists(path, cb): the callback gets only a boolean. */
export function existsForm(ctx: FsCtx, fn: Fn): Fn {
  return (path: unknown, cb: unknown) => {
    checkFunction(cb, 'cb');
    const r = fn.call(ctx, path);
    process.nextTick(cb as Cb, r);
  };
}

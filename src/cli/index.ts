// The image tools: coreutils-like commands on host paths and on IMAGE:PATH
// operands (paths inside disk images, through a rump kernel).
import { chmodCommand, chownCommand } from './attrs.js';
import { type Command, type Ctx, Fatal, ImageError, q, strerror, UsageError } from './common.js';
import { catCommand, cpCommand, mvCommand } from './copy.js';
import { lnCommand, mkdirCommand, rmCommand, rmdirCommand } from './files.js';
import { fsckCommand } from './fsck.js';
import { cliContext, ImageSession } from './image.js';
import { lsCommand } from './ls.js';
import { statCommand } from './stat.js';
import { duCommand, findCommand, treeCommand } from './walk.js';

export const commands: ReadonlyMap<string, Command> = new Map([
  lsCommand, catCommand, cpCommand, mvCommand, rmCommand, mkdirCommand, rmdirCommand, lnCommand,
  chmodCommand, chownCommand, statCommand, duCommand, findCommand, treeCommand, fsckCommand,
].map((c) => [c.name, c]));

/** Run one command in a context; usage errors and unexpected errors become messages and a status. */
export async function runCommand(cmd: Command, ctx: Ctx, argv: string[]): Promise<number> {
  const serious = cmd.name === 'ls' ? 2 : 1;
  try {
    return await cmd.run(ctx, argv);
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.err(`rumpkit ${cmd.name}: ${e.message}\nTry 'rumpkit ${cmd.name} --help' for more information.\n`);
      return serious;
    }
    if (e instanceof ImageError || e instanceof Fatal) {
      ctx.err(`rumpkit ${cmd.name}: ${e.message}\n`);
      return serious;
    }
    ctx.err(`rumpkit ${cmd.name}: ${strerror(e)}\n`);
    return serious;
  }
}

/** Take --fstype TYPE / --fstype=TYPE out of argv. */
function takeFstype(argv: string[]): { argv: string[]; fstype?: string } {
  const out: string[] = [];
  let fstype: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--fstype' && i + 1 < argv.length) fstype = argv[++i];
    else if (a.startsWith('--fstype=')) fstype = a.slice(9);
    else out.push(a);
  }
  return { argv: out, fstype };
}

/** The signals that stop a command cleanly, and their numbers (the status is 128 + the number). */
const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Die by sig, as a program that does not catch it would: the shell then
 * reports 128 + its number (130 for SIGINT, 143 for SIGTERM) and a script
 * running the command stops as it does for coreutils.
 */
function dieBy(sig: StopSignal): never {
  process.removeAllListeners(sig);
  process.kill(process.pid, sig);
  // Only if the signal is ignored (inherited SIG_IGN): exit with the same status.
  process.exit(128 + STOP_SIGNALS[sig]);
}

/**
 * `rumpkit CMD ARGS…` from the command line: one kernel for the images,
 * closed however the command ends.  SIGINT, SIGTERM and SIGHUP stop the
 * command at its next step (a copy between two chunks, or while it waits
 * for a FIFO's writer); the images are then unmounted, which writes back
 * everything, and the process dies by the signal after a message.  A
 * second signal while that happens halts the kernel at once (its halt still
 * unmounts cleanly) and dies.
 */
export async function runCli(cmd: Command, rawArgv: string[]): Promise<number> {
  const { argv, fstype } = takeFstype(rawArgv);
  const session = new ImageSession(fstype ?? (process.env.RUMPKIT_FSTYPE || 'ext2'));
  const ctx = cliContext(session);
  const abort = new AbortController();
  ctx.signal = abort.signal;
  let caught: StopSignal | undefined;
  const handlers = new Map<StopSignal, () => void>();
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const h = () => {
      if (caught !== undefined) {
        try {
          session.close();
        } catch {
          // dying anyway; halting unmounted what it could
        }
        dieBy(sig);
      }
      caught = sig;
      ctx.interrupted = true;
      abort.abort();
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  let status: number;
  try {
    status = await runCommand(cmd, ctx, argv);
  } finally {
    let closeError: unknown;
    try {
      session.close();
    } catch (e) {
      closeError = e;
    }
    for (const [sig, h] of handlers) process.off(sig, h);
    if (closeError !== undefined) {
      ctx.err(`rumpkit ${cmd.name}: closing the images: ${strerror(closeError)}\n`);
      status = 1;
    }
  }
  if (caught !== undefined) {
    const left = ctx.incomplete !== undefined ? `; ${q(ctx.incomplete)} is incomplete` : '';
    ctx.err(`rumpkit ${cmd.name}: interrupted by ${caught}${left}\n`);
    dieBy(caught);
  }
  return status!;
}

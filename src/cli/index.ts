// The image tools: coreutils-like commands on host paths and on IMAGE:PATH
// operands (paths inside disk images, through a rump kernel).
import { chmodCommand, chownCommand } from './attrs.js';
import { type Command, type Ctx, Fatal, ImageError, strerror, UsageError } from './common.js';
import { catCommand, cpCommand, mvCommand } from './copy.js';
import { lnCommand, mkdirCommand, rmCommand, rmdirCommand } from './files.js';
import { cliContext, ImageSession } from './image.js';
import { lsCommand } from './ls.js';
import { statCommand } from './stat.js';
import { duCommand, findCommand, treeCommand } from './walk.js';

export const commands: ReadonlyMap<string, Command> = new Map([
  lsCommand, catCommand, cpCommand, mvCommand, rmCommand, mkdirCommand, rmdirCommand, lnCommand,
  chmodCommand, chownCommand, statCommand, duCommand, findCommand, treeCommand,
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

/** `rumpkit CMD ARGS…` from the command line: one kernel for the images, closed however the command ends. */
export async function runCli(cmd: Command, rawArgv: string[]): Promise<number> {
  const { argv, fstype } = takeFstype(rawArgv);
  const session = new ImageSession(fstype ?? (process.env.RUMPKIT_FSTYPE || 'ext2'));
  const ctx = cliContext(session);
  let interrupts = 0;
  const onInt = () => {
    ctx.interrupted = true;
    if (++interrupts > 1) {
      try {
        session.close();
      } finally {
        process.exit(130);
      }
    }
  };
  process.on('SIGINT', onInt);
  let status: number;
  try {
    status = await runCommand(cmd, ctx, argv);
  } finally {
    process.off('SIGINT', onInt);
    try {
      session.close();
    } catch (e) {
      ctx.err(`rumpkit ${cmd.name}: closing the images: ${strerror(e)}\n`);
      status = 1;
    }
  }
  return ctx.interrupted ? 130 : status!;
}

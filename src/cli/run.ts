// `rumpkit run`: an unmodified program with its files and sockets in a
// kernel: one booted inside the program from --image/--net (local mode),
// or a server's (--server, remote mode).
import { spawn } from 'node:child_process';
import { hijackEnv } from '../hijack.js';

export const RUN_USAGE = `Usage: rumpkit run [OPTIONS] -- PROGRAM [ARGS...]
Run PROGRAM with its /rump paths (and its sockets) served by a rumpkit kernel.

Local mode (default): the program boots a kernel inside itself.
  --image FSTYPE:FILE:PATH[:ro]  attach disk image FILE and mount it at PATH
                                 in the kernel (PATH / : the image is the
                                 whole tree the program sees under /rump)
  --net tap:IF,addr=A/N[,gw=G]   a TAP interface with an address (and a
                                 default route)
Remote mode:
  --server URL                   use a server (unix:///path, tcp://host:port)
Both:
  --env K=V                      set a variable for the program
  --hijack SPEC                  RUMPHIJACK (default path=/rump,socket=all:nolocal)
The exit status is the program's (128 + N when signal N ended it).
`;

interface RunArgs {
  images: string[];
  nets: string[];
  env: Record<string, string>;
  server?: string;
  rumphijack?: string;
  cmd: string[];
}

export function parseRun(argv: string[]): RunArgs | string {
  const a: RunArgs = { images: [], nets: [], env: {}, cmd: [] };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i]!;
    const eq = s.indexOf('=');
    const [opt, inline] = s.startsWith('--') && eq > 0 ? [s.slice(0, eq), s.slice(eq + 1)] : [s, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${opt} needs a value`);
      return argv[++i]!;
    };
    try {
      switch (opt) {
        case '--': a.cmd = argv.slice(i + 1); i = argv.length; break;
        case '--image': a.images.push(value()); break;
        case '--net': a.nets.push(value()); break;
        case '--server': a.server = value(); break;
        case '--hijack': a.rumphijack = value(); break;
        case '--env': {
          const kv = value();
          const k = kv.indexOf('=');
          if (k <= 0) return `--env ${kv}: expected K=V`;
          a.env[kv.slice(0, k)] = kv.slice(k + 1);
          break;
        }
        default:
          if (s.startsWith('-')) return `unknown option ${s}`;
          a.cmd = argv.slice(i);
          i = argv.length;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (a.cmd.length === 0) return 'no program given';
  if (a.server && (a.images.length || a.nets.length)) return '--image and --net configure local mode; a server has its own';
  return a;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/** Run it; resolves to the program's exit status. */
export async function run(argv: string[], err: (s: string) => void): Promise<number> {
  const a = parseRun(argv);
  if (typeof a === 'string') {
    err(`rumpkit run: ${a}\n${RUN_USAGE}`);
    return 2;
  }
  let env: NodeJS.ProcessEnv;
  try {
    env = hijackEnv({ images: a.images, nets: a.nets, server: a.server, rumphijack: a.rumphijack, env: a.env });
  } catch (e) {
    err(`rumpkit run: ${(e as Error).message}\n`);
    return 2;
  }
  const child = spawn(a.cmd[0]!, a.cmd.slice(1), { stdio: 'inherit', env });
  // The terminal's signals reach the program itself; rumpkit waits for it.
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    return await new Promise<number>((res) => {
      child.on('error', (e) => {
        err(`rumpkit run: ${a.cmd[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found' : e.message}\n`);
        res(127);
      });
      child.on('exit', (code, sig) => res(code ?? 128 + (sig ? SIGNALS[sig] ?? 1 : 1)));
    });
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

// `rumpkit cc [CC ARGS...]`: link mode's compiler driver.  Runs the C
// compiler ($CC, else cc) with the given arguments and, when it links, the
// flags that make the program and a rumpkit kernel one executable (what
// `pkg-config --libs rumpkit-app` gives).  docs/link-mode.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CC_USAGE = `Usage: rumpkit cc [CC ARGUMENTS...]
Compile and link a C program with a rumpkit kernel (link mode): runs $CC
(default cc) with the arguments given and, when it links, with the flags of
pkg-config's rumpkit-app.  The program boots its kernel at start, configured
from its environment or PROGRAM.rumpkit (or $RUMPKIT_CONFIG).
  e.g. rumpkit cc -O2 -o copy copy.c
       RUMPKIT_IMAGE=ext2:disk.img:/ ./copy notes.txt /rump/notes.txt
`;

/** Where link mode's archive and dynamic list are. */
export interface AppLib {
  archive: string;
  dynlist: string;
}

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

function inDir(dir: string): AppLib | undefined {
  const lib = { archive: join(dir, 'librumpkit-app.a'), dynlist: join(dir, 'rumpkit-app.dynlist') };
  return existsSync(lib.archive) && existsSync(lib.dynlist) ? lib : undefined;
}

/** $RUMPKIT_APP_LIBDIR, else this package's own build, else where pkg-config says. */
export function findAppLib(env = process.env): AppLib | undefined {
  if (env.RUMPKIT_APP_LIBDIR) return inDir(env.RUMPKIT_APP_LIBDIR);
  const own = inDir(join(packageRoot, 'build', 'cmake'));
  if (own) return own;
  const r = spawnSync('pkg-config', ['--variable=libdir', 'rumpkit-app'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? inDir(r.stdout.trim()) : undefined;
}

/** The link flags, as rumpkit-app.pc's Libs spells them. */
export function appLinkFlags(lib: AppLib): string[] {
  return ['-Wl,--whole-archive', lib.archive, '-Wl,--no-whole-archive',
    `-Wl,--dynamic-list=${lib.dynlist}`, '-lpthread', '-ldl'];
}

/** Arguments that stop the compiler before it links. */
const NO_LINK = new Set(['-c', '-S', '-E', '-M', '-MM']);

export function cc(args: readonly string[]): number {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    process.stdout.write(CC_USAGE);
    return 0;
  }
  const links = !args.some((a) => NO_LINK.has(a)) && args.length > 0;
  const lib = links ? findAppLib() : undefined;
  if (links && !lib) {
    process.stderr.write('rumpkit cc: librumpkit-app.a not found: build rumpkit (npm run build:native), ' +
      'set RUMPKIT_APP_LIBDIR, or install it where pkg-config finds rumpkit-app\n');
    return 2;
  }
  const compiler = process.env.CC || 'cc';
  const r = spawnSync(compiler, lib ? [...args, ...appLinkFlags(lib)] : [...args], { stdio: 'inherit' });
  if (r.error) {
    process.stderr.write(`rumpkit cc: ${compiler}: ${r.error.message}\n`);
    return 127;
  }
  return r.status ?? 128;
}

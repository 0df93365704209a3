// rumpkit fsck: a check of an image by the kernel's own file-system driver.
// Each image is mounted read-only (nodev) in a kernel of its own and walked
// entirely: every entry is lstat'ed, every directory read, every regular
// file read to its end and every symbolic link read.  What the driver's
// validation refuses (EUCLEAN, "Structure needs cleaning", with its console
// line saying what is wrong) or cannot read (EIO) is reported.  It checks
// what the driver checks before it uses a structure (docs/ext2.md) — no
// bitmaps, free counts, link counts or orphans — and repairs nothing: it is
// no replacement for e2fsck.
import type { Stats } from 'node:fs';
import { Kernel, constants } from '../index.js';
import { type Command, type Ctx, isDir, isLink, parseArgs, sortedNames, strerror, UsageError } from './common.js';

const USAGE = `Usage: rumpkit fsck [OPTION]... IMAGE...
Check the file system on each IMAGE with rumpkit's own driver: mount it
read-only and walk all of it (every entry's attributes, every directory,
every regular file read to its end, every symbolic link), reporting what the
driver refuses as corrupt ("Structure needs cleaning", with the driver's
message saying what is wrong) or cannot read.  The image is not modified.

This checks what the driver validates before it uses a structure; it does
not check bitmaps, free counts, link counts or unreachable inodes, and it
repairs nothing.  It is no replacement for e2fsck.

  -v, --verbose        print each path as it is checked
      --fstype TYPE    the images' file system type (default ext2)
      --help           display this help and exit

Exit status, as e2fsck's: 0 no problem found, 4 problems found (left as they
are), 8 an image could not be checked (not there, or not a file system the
driver mounts), 16 usage error; the bits of several images are combined.
`;

const CHUNK = 1 << 20;
const tick = () => new Promise<void>((r) => setImmediate(r));

export const FSCK_OK = 0;
export const FSCK_PROBLEMS = 4;
export const FSCK_OPERATIONAL = 8;
export const FSCK_USAGE = 16;

interface Counts {
  dirs: number;
  files: number;
  links: number;
  other: number;
  problems: number;
}

/**
 * Let the kernel's console lines queued so far arrive: they come through the
 * event loop's poll phase.  The first tick reaches a check phase (which may
 * come before any poll); from there each tick spans a whole loop iteration,
 * and one that brings nothing new means the queue is empty.
 */
async function drainConsole(lines: string[]): Promise<void> {
  await tick();
  for (let seen = -1; seen !== lines.length;) {
    seen = lines.length;
    await tick();
  }
}

async function checkImage(ctx: Ctx, image: string, fstype: string, verbose: boolean): Promise<number> {
  const lines: string[] = [];
  const key = '/dev/ld0';
  const shownLine = (l: string) => l.split(`${key}: `).join('');
  const driverLines = () => lines.filter((l) => l.includes(key)).map(shownLine);
  const k = Kernel.bootSync({ hostname: 'rumpkit-fsck', console: (line) => lines.push(line) });
  try {
    try {
      k.disks.attach({ key, path: image, readOnly: true });
    } catch (e) {
      ctx.err(`rumpkit fsck: cannot open image '${image}': ${strerror(e)}\n`);
      return FSCK_OPERATIONAL;
    }
    k.fs.mkdirSync('/mnt');
    try {
      k.sys.mount(key, '/mnt', fstype, constants.mount.MS_RDONLY! | constants.mount.MS_NODEV!, null);
    } catch (e) {
      await drainConsole(lines);
      const code = (e as { code?: string }).code;
      const why = code === 'ENODEV' ? `this kernel has no ${fstype} file system` : strerror(e);
      if (code === 'EUCLEAN' || code === 'EIO') {
        // the superblock, the group descriptors or the root: a finding
        for (const l of driverLines()) ctx.out(`${image}: ${l}\n`);
        ctx.out(`${image}: cannot mount: ${why}\n`);
        return FSCK_PROBLEMS;
      }
      for (const l of driverLines()) ctx.err(`rumpkit fsck: ${l}\n`);
      ctx.err(`rumpkit fsck: cannot mount image '${image}' as ${fstype}: ${why}\n`);
      return FSCK_OPERATIONAL;
    }
    const n: Counts = { dirs: 0, files: 0, links: 0, other: 0, problems: 0 };
    const seen = new Set<number>();
    const buf = Buffer.allocUnsafe(CHUNK);
    let steps = 0;
    const problem = (path: string, what: string, e: unknown) => {
      n.problems++;
      ctx.out(`${image}:${path}: ${what}: ${typeof e === 'string' ? e : strerror(e)}\n`);
    };
    const step = async () => {
      if (++steps % 64 === 0) await tick(); // so that a signal is seen
    };
    const walk = async (path: string, real: string): Promise<void> => {
      if (ctx.interrupted) return;
      await step();
      if (verbose) ctx.out(`${image}:${path}\n`);
      let st: Stats;
      try {
        st = k.fs.lstatSync(real);
      } catch (e) {
        problem(path, 'lstat', e);
        return;
      }
      if (isDir(st.mode)) {
        n.dirs++;
        let names: string[];
        try {
          names = sortedNames(k.fs.readdirSync(real) as string[]);
        } catch (e) {
          problem(path, 'read directory', e);
          return;
        }
        for (const name of names) await walk(path === '/' ? `/${name}` : `${path}/${name}`, `${real}/${name}`);
      } else if (isLink(st.mode)) {
        n.links++;
        try {
          k.fs.readlinkSync(real);
        } catch (e) {
          problem(path, 'readlink', e);
        }
      } else if (st.isFile()) {
        n.files++;
        if (seen.has(st.ino)) return; // a hard link: read once
        seen.add(st.ino);
        let fd: number;
        try {
          fd = k.fs.openSync(real, 'r');
        } catch (e) {
          problem(path, 'open', e);
          return;
        }
        try {
          let total = 0;
          for (let r; (r = k.fs.readSync(fd, buf, 0, CHUNK, null)) > 0;) {
            total += r;
            if (ctx.interrupted) return;
            await step();
          }
          if (total !== st.size) problem(path, 'read', `${total} bytes where the size is ${st.size}`);
        } catch (e) {
          problem(path, 'read', e);
        } finally {
          k.fs.closeSync(fd);
        }
      } else {
        n.other++;
      }
    };
    await walk('/', '/mnt');
    try {
      k.sys.umount2('/mnt', 0);
    } catch (e) {
      ctx.err(`rumpkit fsck: unmounting '${image}': ${strerror(e)}\n`);
    }
    await drainConsole(lines);
    if (ctx.interrupted) return FSCK_OK;
    // what the driver said (what is corrupt, and where), after the paths it concerned
    const said = driverLines();
    for (const l of said) ctx.out(`${image}: ${l}\n`);
    const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    const counted = [plural(n.dirs, 'directory', 'directories'), plural(n.files, 'file', 'files'),
      plural(n.links, 'symbolic link', 'symbolic links'), plural(n.other, 'other file', 'other files')].join(', ');
    // a complaint of the driver's that no call returned as an error still counts
    const problems = n.problems || said.filter((l) => /corrupt|error/.test(l)).length;
    if (problems === 0) {
      ctx.out(`${image}: no problems found by the ${fstype} driver (${counted})\n`);
      return FSCK_OK;
    }
    ctx.out(`${image}: ${plural(problems, 'problem', 'problems')} found by the ${fstype} driver (${counted})\n`);
    return FSCK_PROBLEMS;
  } finally {
    k.haltSync();
  }
}

async function fsck(ctx: Ctx, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, { flags: 'v', long: { verbose: 'v', 'fstype=': 'fstype', help: 'help' } });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    ctx.err(`rumpkit fsck: ${e.message}\nTry 'rumpkit fsck --help' for more information.\n`);
    return FSCK_USAGE;
  }
  const { opts, operands } = parsed;
  if (opts.has('help')) {
    ctx.out(USAGE);
    return 0;
  }
  if (operands.length === 0) {
    ctx.err("rumpkit fsck: missing image operand\nTry 'rumpkit fsck --help' for more information.\n");
    return FSCK_USAGE;
  }
  const type = (opts.get('fstype') as string | undefined) ?? ctx.fstype ?? (process.env.RUMPKIT_FSTYPE || 'ext2');
  let status = 0;
  for (const image of operands) {
    if (ctx.interrupted) break;
    status |= await checkImage(ctx, image, type, opts.has('v'));
  }
  return status;
}

export const fsckCommand: Command = { name: 'fsck', usage: USAGE, run: fsck };

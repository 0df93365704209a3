// Helpers of the image-tool tests: the same tree built through node:fs or
// k.fs, the tools run in a context whose 'img:' operands name a test volume,
// real coreutils run on a host tree with the output normalized, and the
// rumpkit command run as a process on images made by the real mke2fs.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kernel, constants } from '../src/index.js';
import { commands, runCommand } from '../src/cli/index.js';
import type { Ctx } from '../src/cli/common.js';
import { hostMknod, hostVolume, idNames, locate, rootedVolume, type FsLike, type Volume } from '../src/cli/volume.js';

export type TreeFs = FsLike & Pick<typeof nodefs, 'writeFileSync' | 'truncateSync'>;

const OLD = new Date('2020-01-02T03:04:05Z');
const RECENT = new Date(Date.now() - 3600 * 1000);

/** The test tree: files of many sizes and modes, a hidden file, links, nested directories. */
export function buildTree(fs: TreeFs, base: string): void {
  const p = (s: string) => `${base}/${s}`;
  fs.mkdirSync(p('d/sub/deep'), { recursive: true });
  fs.mkdirSync(p('empty'));
  fs.mkdirSync(p('sticky'), 0o1777);
  fs.chmodSync(p('sticky'), 0o1777);
  fs.writeFileSync(p('f.txt'), 'hello\n');
  fs.writeFileSync(p('.hidden'), 'x');
  fs.writeFileSync(p('empty.txt'), '');
  fs.writeFileSync(p('d/a.txt'), 'alpha\n'.repeat(1000));
  fs.writeFileSync(p('d/b.bin'), Buffer.alloc(70000, 7));
  fs.writeFileSync(p('d/sub/c.txt'), 'c');
  fs.writeFileSync(p('d/sub/deep/z.TXT'), 'zz');
  fs.writeFileSync(p('run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  fs.chmodSync(p('run.sh'), 0o755);
  fs.writeFileSync(p('suid'), 's');
  fs.chmodSync(p('suid'), 0o4750);
  for (const [name, size] of [['s1023', 1023], ['s1024', 1024], ['s1025', 1025], ['s10239', 10239], ['s1m', 1 << 20], ['s1_5m', 1572864]] as const) {
    fs.writeFileSync(p(name), '');
    fs.truncateSync(p(name), size);
  }
  fs.symlinkSync('f.txt', p('link'));
  fs.symlinkSync('nowhere', p('dangling'));
  fs.symlinkSync('d/sub', p('dirlink'));
  fs.linkSync(p('f.txt'), p('hard'));
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const n of fs.readdirSync(dir) as string[]) {
      const c = `${dir}/${n}`;
      all.push(c);
      if (fs.lstatSync(c).isDirectory()) walk(c);
    }
  };
  walk(base);
  // Deepest first, so that setting a directory's times is the last change in it.
  for (const c of all.reverse()) {
    const t = c.includes('/d/') || c.endsWith('/d') ? RECENT : OLD;
    fs.lutimesSync(c, t, t);
  }
  fs.utimesSync(base, OLD, OLD);
}

export interface Result {
  out: string;
  err: string;
  status: number;
}

/** A context whose operands NAME:PATH are on vols[NAME] (others are host paths). */
export function testCtx(vols: Record<string, Volume>): Ctx & { result(): { out: string; err: string } } {
  let out = '';
  let err = '';
  const host = hostVolume();
  return {
    out: (s) => {
      out += typeof s === 'string' ? s : Buffer.from(s).toString();
    },
    err: (s) => {
      err += typeof s === 'string' ? s : Buffer.from(s).toString();
    },
    resolve: (ops) => ops.map((o) => {
      const m = /^(\w+):(.*)$/s.exec(o.arg);
      if (m && vols[m[1]!]) return locate(vols[m[1]!]!, m[2] || '/', o.arg);
      return locate(host, o.arg);
    }),
    tty: false,
    umask: 0o22,
    result: () => ({ out, err }),
  };
}

/** Run a tool on the test volumes. */
export async function tool(vols: Record<string, Volume>, name: string, ...args: string[]): Promise<Result> {
  const ctx = testCtx(vols);
  const status = await runCommand(commands.get(name)!, ctx, args);
  return { ...ctx.result(), status };
}

/** Run real coreutils with NAME:PATH operands meaning roots[NAME]+PATH, output with the roots turned back into NAME:. */
export function coreutils(roots: Record<string, string>, name: string, ...args: string[]): Result {
  const map = (a: string) => {
    const m = /^(\w+):(.*)$/s.exec(a);
    return m && roots[m[1]!] ? roots[m[1]!] + (m[2] || '/') : a;
  };
  const r = spawnSync(name, args.map(map), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const back = (s: string) => {
    for (const [k, root] of Object.entries(roots)) s = s.split(root).join(`${k}:`);
    return s.replace(new RegExp(`^${name}: `, 'gm'), `rumpkit ${name}: `).replace(/^Try '\w+ --help'/gm, `Try 'rumpkit ${name} --help'`);
  };
  return { out: back(r.stdout), err: back(r.stderr), status: r.status ?? -1 };
}

/** A volume rooted at a host directory, with the host's user and group names. */
export function hostRooted(dir: string, prefix = 'img:'): Volume {
  return rootedVolume(nodefs, dir, prefix, idNames(hostVolume()), { mknod: hostMknod, host: true });
}

/** Every entry below base: type, mode, size, links, owner, link target and contents. */
export function snapshot(fs: FsLike, base: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    const names = (fs.readdirSync(dir) as string[]).sort();
    for (const n of names) {
      const c = `${dir}/${n}`;
      const r = `${rel}/${n}`;
      const st = fs.lstatSync(c);
      let extra = '';
      if (st.isSymbolicLink()) extra = `-> ${String(fs.readlinkSync(c))}`;
      else if (st.isFile()) extra = `${st.size} ${String(fs.readFileSync(c)).slice(0, 40)}`;
      out.push(`${r} ${st.mode.toString(8)} ${st.nlink} ${st.uid}:${st.gid} ${extra}`);
      if (st.isDirectory()) walk(c, r);
    }
  };
  walk(base, '');
  return out;
}

/** The package root, where `node --import tsx src/cli.ts` runs the command. */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The arguments that run the rumpkit command from the sources. */
export const rumpkitArgv = (...args: string[]): string[] => ['--import', 'tsx', 'src/cli.ts', ...args];

/** Run `rumpkit ARGS…` as a command (C locale) and wait for it. */
export function rumpkit(...args: string[]): Result {
  const r = spawnSync(process.execPath, rumpkitArgv(...args),
    { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return { out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}

/** An 8 MiB ext2 image (1 KiB blocks) made by the real mke2fs, from the host tree `tree` when given. */
export function mkimage(dir: string, tree?: string, name = 'disk.img'): string {
  const img = `${dir}/${name}`;
  const r = spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-b', '1024', ...(tree ? ['-d', tree] : []), img, '8M'],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mke2fs: ${r.stderr}`);
  return img;
}

/** Whether this kernel mounts ext2 (ENODEV when the driver is absent). */
export function haveExt2(): boolean {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-ext2-probe-');
  try {
    const img = mkimage(dir);
    const k = Kernel.bootSync({ disks: [{ key: '/dev/ld0', path: img, readOnly: true }] });
    try {
      k.fs.mkdirSync('/mnt');
      k.sys.mount('/dev/ld0', '/mnt', 'ext2', constants.mount.MS_RDONLY!, null);
      k.sys.umount2('/mnt', 0);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENODEV') return false;
      throw e;
    } finally {
      k.haltSync();
    }
  } finally {
    nodefs.rmSync(dir, { recursive: true, force: true });
  }
}

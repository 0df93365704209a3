// Helpers of the hijack tests: Debian's own programs run under
// librumphijack.so (local mode: a kernel inside the program, on an ext2
// image made by mke2fs), and the kernel's view of the image read back
// afterwards by a Kernel booted here on the same image, plus e2fsck -fn.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { Kernel, constants } from '../src/index.js';
import { hijackEnv, hijackLibrary, type HijackOptions } from '../src/hijack.js';

export interface Ran {
  out: string;
  err: string;
  status: number;
}

/** Whether the library is built and the tools are here. */
export function missing(...tools: string[]): string | undefined {
  try {
    hijackLibrary();
  } catch (e) {
    return (e as Error).message;
  }
  for (const t of tools) {
    const r = spawnSync('sh', ['-c', `command -v ${t}`]);
    if (r.status !== 0) return `${t} is not installed`;
  }
  return undefined;
}

/** An empty ext2 image (1 KiB blocks) by the real mke2fs, in a fresh directory. */
export function mkimage(mb = 32, tree?: string): { dir: string; img: string } {
  const dir = fs.mkdtempSync('/tmp/rumpkit-hijack-');
  const img = join(dir, 'disk.img');
  const r = spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-b', '1024', ...(tree ? ['-d', tree] : []), img, `${mb}M`],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mke2fs: ${r.stderr}`);
  return { dir, img };
}

/** Run argv with the image as the kernel's whole tree under /rump (local mode). */
export function runOn(img: string, argv: string[], o: HijackOptions & { input?: string; cwd?: string } = {}): Ran {
  const env = hijackEnv({ images: [`ext2:${img}:/`], ...o, env: { LC_ALL: 'C', ...o.env } });
  const r: SpawnSyncReturns<string> = spawnSync(argv[0]!, argv.slice(1),
    { env, encoding: 'utf8', input: o.input, cwd: o.cwd ?? dirname(img), maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, err: r.stderr, status: r.status ?? 128 + 1 };
}

/** The kernel's view of the image afterwards: a Kernel here with it mounted (read-only) at /mnt. */
export function inspect<T>(img: string, fn: (k: Kernel) => T): T {
  const k = Kernel.bootSync({ disks: [{ key: '/dev/ld0', path: img, readOnly: true }] });
  try {
    k.fs.mkdirSync('/mnt');
    k.sys.mount('/dev/ld0', '/mnt', 'ext2', constants.mount.MS_RDONLY!, null);
    try {
      return fn(k);
    } finally {
      k.sys.umount2('/mnt', 0);
    }
  } finally {
    k.haltSync();
  }
}

/** e2fsck -fn: the status (0: nothing to fix) and what it said. */
export function fsck(img: string): { status: number; out: string } {
  const r = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

export interface Node {
  type: string;
  mode: number;
  size: number;
  content?: string;
  target?: string;
}

type StatLike = { mode: number; size: number; isDirectory(): boolean; isSymbolicLink(): boolean; isFile(): boolean };
interface TreeFs {
  readdirSync(p: string): unknown;
  lstatSync(p: string): StatLike;
  readFileSync(p: string): Uint8Array;
  readlinkSync(p: string): unknown;
}

/** A tree as path → type, mode, size, content digest, link target: to compare host and kernel views. */
export function snapshot(fsx: TreeFs, root: string): Map<string, Node> {
  const out = new Map<string, Node>();
  const walk = (dir: string, rel: string) => {
    for (const n of (fsx.readdirSync(dir) as string[]).map(String).sort()) {
      const p = `${dir}/${n}`;
      const r = rel ? `${rel}/${n}` : n;
      const st = fsx.lstatSync(p);
      const node: Node = { type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other',
        mode: st.mode & 0o7777, size: st.isDirectory() ? 0 : Number(st.size) };
      if (st.isFile()) node.content = Buffer.from(fsx.readFileSync(p)).toString('base64').slice(0, 64) + `:${st.size}`;
      if (st.isSymbolicLink()) node.target = String(fsx.readlinkSync(p));
      out.set(r, node);
      if (st.isDirectory()) walk(p, r);
    }
  };
  walk(root, '');
  return out;
}

/** A host tree with files of several sizes and modes, links and nested directories. */
export function makeTree(base: string): void {
  const p = (s: string) => join(base, s);
  fs.mkdirSync(p('d/sub/deep'), { recursive: true });
  fs.mkdirSync(p('empty'));
  fs.writeFileSync(p('f.txt'), 'hello\n');
  fs.writeFileSync(p('.hidden'), 'x');
  fs.writeFileSync(p('d/a.txt'), 'alpha\n'.repeat(1000));
  fs.writeFileSync(p('d/b.bin'), Buffer.alloc(70000, 7));
  fs.writeFileSync(p('d/sub/deep/z.txt'), 'zz');
  fs.writeFileSync(p('big'), Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7919) & 0xff)));
  fs.writeFileSync(p('run.sh'), '#!/bin/sh\n');
  fs.chmodSync(p('run.sh'), 0o755);
  fs.writeFileSync(p('secret'), 's');
  fs.chmodSync(p('secret'), 0o600);
  fs.symlinkSync('f.txt', p('link'));
  fs.symlinkSync('nowhere', p('dangling'));
  fs.linkSync(p('f.txt'), p('hard'));
}

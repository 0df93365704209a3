// k.fs against node:fs: the same scripts (test/fs-scenarios.ts) run on a
// fresh directory under /dev/shm with node:fs and on a kernel directory with
// k.fs, and every result and error must be the same (code, errno, syscall,
// message with the base directory normalized; comparable stat fields;
// directory listings; file contents).  Linux is the oracle.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { Kernel } from '../src/index.js';
import { Recorder, permsSetup, perms, rootScripts, type FsLike, type Record } from './fs-scenarios.js';

const host = nodefs as unknown as FsLike;
const isRoot = process.getuid?.() === 0;

function hostDir(): string {
  return nodefs.mkdtempSync('/dev/shm/rumpkit-fs-');
}

/** The leaves where a and b differ, as 'path: linux ≠ kernel' lines. */
function leafDiffs(a: unknown, b: unknown, at: string, out: string[]): void {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) leafDiffs((a as { [k: string]: unknown })[k], (b as { [k: string]: unknown })[k], `${at}.${k}`, out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  }
}

/** Every step whose results differ, with the leaves that differ (empty when the two agree). */
function compare(t: ExecutionContext, hostOut: Record[], kernOut: Record[]): void {
  t.deepEqual(kernOut.map((x) => x[0]), hostOut.map((x) => x[0]), 'the same steps ran');
  const diffs: string[] = [];
  hostOut.forEach(([name, h], i) => leafDiffs(h, kernOut[i]?.[1], name, diffs));
  t.deepEqual(diffs, [], 'linux ≠ kernel');
}

test('k.fs gives what node:fs gives on Linux (as root)', async (t) => {
  const old = process.umask(0o22);
  const hb = hostDir();
  const k = Kernel.bootSync();
  try {
    const hr = new Recorder(hb);
    await rootScripts(host, hb, hr);
    k.sys.umask(0o22);
    // The same path in the kernel, so that symbolic links to absolute paths have the same size.
    const kb = hb;
    k.fs.mkdirSync(kb, { recursive: true });
    const kr = new Recorder(kb);
    await rootScripts(k.fs as unknown as FsLike, kb, kr);
    t.true(hr.out.length > 250, String(hr.out.length));
    compare(t, hr.out, kr.out);
  } finally {
    process.umask(old);
    nodefs.rmSync(hb, { recursive: true, force: true });
    k.haltSync();
  }
});

test('p.fs has the process\'s credentials: permission errors as Linux gives them (uid 1000)', (t) => {
  if (!isRoot) {
    // Without root the host side cannot make root-owned files and run a
    // script as uid 1000; the kernel side alone is covered by fs-process.test.ts.
    t.pass('host comparison needs root');
    return;
  }
  const old = process.umask(0o22);
  const hb = hostDir();
  const k = Kernel.bootSync();
  try {
    permsSetup(host, hb);
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('fs-compare-child.ts', import.meta.url)), hb],
      { uid: 1000, gid: 1000, encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
    t.is(child.status, 0, child.stderr);
    const hostOut = JSON.parse(child.stdout) as Record[];

    k.sys.umask(0o22);
    const kb = hb;
    k.fs.mkdirSync(kb, { recursive: true });
    permsSetup(k.fs as unknown as FsLike, kb);
    const p = k.process({ uid: 1000, gid: 1000, groups: [] });
    const kr = new Recorder(kb);
    perms(p.fs as unknown as FsLike, kb, kr);
    t.true(hostOut.length > 30);
    compare(t, hostOut, kr.out);
  } finally {
    process.umask(old);
    nodefs.rmSync(hb, { recursive: true, force: true });
    k.haltSync();
  }
});

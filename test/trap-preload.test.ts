// The trap end to end: test/native/trap_rawprog (files reached by raw
// syscall(2) and inline `syscall` instructions only, from the main thread
// and three more) runs under LD_PRELOAD=librumphijack.so with a kernel in
// the process (local mode) on an ext2 image; the kernel's view is checked
// afterwards on the image. With trap=off the same calls go to the host,
// where /rump does not exist: it is the trap that carried them.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { haveExt2, mkimage, packageRoot, rumpkit } from './cli-helpers.js';

/** librumphijack.so: $RUMPKIT_HIJACK_LIB, or this checkout's build if it has been built. */
function findHijack(): string | undefined {
  if (process.env.RUMPKIT_HIJACK_LIB) return process.env.RUMPKIT_HIJACK_LIB;
  for (const d of ['build/Release', 'build/cmake/Release', 'build/cmake']) {
    const p = join(packageRoot, d, 'librumphijack.so');
    if (nodefs.existsSync(p)) return p;
  }
  return undefined;
}

const lib = findHijack();
const prog = join(packageRoot, 'build/cmake/trap_rawprog');
const ready = lib !== undefined && nodefs.existsSync(prog) && haveExt2();
const maybe = ready ? test : test.skip;
const title = (s: string) => (ready ? s : `${s} — SKIPPED: librumphijack.so or trap_rawprog is not built, or no ext2`);

maybe(title('raw system calls on /rump paths reach the kernel through the trap'), (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-trap-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const img = mkimage(dir);
  const env = { ...process.env, LD_PRELOAD: lib, RUMPKIT_IMAGE: `ext2:${img}:/` };
  const r = spawnSync(prog, ['/rump/raw'], { cwd: dir, encoding: 'utf8', env });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, '4 entries\n');
  t.false(nodefs.existsSync('/rump'));
  // the kernel's view, on its disk
  t.is(rumpkit('cat', `${img}:/raw/raw.txt`).out, 'raw syscalls\n');
  t.is(rumpkit('stat', '-c', '%a %s', `${img}:/raw/raw.txt`).out, '640 13\n');
  t.is(rumpkit('cat', `${img}:/raw/thread0`, `${img}:/raw/thread1`, `${img}:/raw/thread2`).out,
    'thread 0\nthread 1\nthread 2\n');
  t.is(spawnSync('e2fsck', ['-fn', img]).status, 0);

  // without the trap the raw calls are the host's
  const off = spawnSync(prog, ['/rump/raw2'], { cwd: dir, encoding: 'utf8',
    env: { ...env, RUMPHIJACK: 'path=/rump,socket=all:nolocal,trap=off' } });
  t.is(off.status, 1, off.stderr);
  t.false(rumpkit('ls', `${img}:/`).out.includes('raw2'));
});

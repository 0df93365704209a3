// Link mode end to end: examples/app/copy.c (an ordinary cp-like program,
// unchanged) is linked with a kernel into one executable, once with
// `cc ... $(pkg-config --cflags --libs rumpkit-app)` against an installed
// rumpkit and once with `rumpkit cc`, and run against an ext2 image made by
// the real mke2fs: configured from its environment, then from its
// PROGRAM.rumpkit file.  The result is checked from the kernel's view (the
// image read back through `rumpkit cat`, and e2fsck) and the host is checked
// to have no /rump.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import test from 'ava';
import { findAppLib } from '../src/cli/cc.js';
import { haveExt2, mkimage, packageRoot, rumpkit, rumpkitArgv } from './cli-helpers.js';

const lib = findAppLib({});
const ext2 = lib !== undefined && haveExt2();
const why = lib === undefined ? 'librumpkit-app.a is not built (the hijack layer is not in this tree)'
  : 'this kernel has no ext2 driver';
const maybe = ext2 ? test : test.skip;
const title = (s: string) => (ext2 ? s : `${s} — SKIPPED: ${why}`);
const example = `${packageRoot}/examples/app/copy.c`;

function sh(cmd: string, env: NodeJS.ProcessEnv = {}): { status: number; out: string; err: string } {
  const r = spawnSync('sh', ['-c', cmd], { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

maybe(title('an unchanged program linked with its kernel: pkg-config and rumpkit cc, environment and config file'), (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-link-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const tree = `${dir}/tree`;
  nodefs.mkdirSync(tree);
  nodefs.writeFileSync(`${tree}/in.txt`, 'the quick brown fox\n'.repeat(5000));
  nodefs.chmodSync(`${tree}/in.txt`, 0o640);
  const img = mkimage(dir, tree);
  nodefs.writeFileSync(`${dir}/host.txt`, 'from the host\n');

  // 1. pkg-config against an installed rumpkit
  const prefix = `${dir}/prefix`;
  const inst = sh(`cmake --install build/cmake --prefix "${prefix}"`);
  t.is(inst.status, 0, inst.err);
  const pc = sh(`cc -Wall -Wextra -Werror "${example}" $(pkg-config --cflags --libs rumpkit-app) -o "${dir}/copy-pc"`,
    { PKG_CONFIG_PATH: `${prefix}/lib/pkgconfig` });
  t.is(pc.status, 0, pc.err);
  const run1 = spawnSync(`${dir}/copy-pc`, ['-v', '/rump/in.txt', '/rump/out-env.txt'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, RUMPKIT_IMAGE: `ext2:${img}:/` } });
  t.is(run1.status, 0, run1.stderr);
  t.is(run1.stdout, "'/rump/in.txt' -> '/rump/out-env.txt'\n");

  // 2. rumpkit cc, configured by the file next to the executable
  const cc = spawnSync(process.execPath, rumpkitArgv('cc', '-O2', '-o', `${dir}/copy-cc`, example),
    { cwd: packageRoot, encoding: 'utf8' });
  t.is(cc.status, 0, cc.stderr);
  nodefs.writeFileSync(`${dir}/copy-cc.rumpkit`, `# the disk this program's kernel mounts\nRUMPKIT_IMAGE=ext2:${img}:/\n`);
  const run2 = spawnSync(`${dir}/copy-cc`, [`${dir}/host.txt`, '/rump'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, RUMPKIT_IMAGE: undefined } });
  t.is(run2.status, 0, run2.stderr);
  const run3 = spawnSync(`${dir}/copy-cc`, ['/rump/out-env.txt', `${dir}/back.txt`], { cwd: dir, encoding: 'utf8' });
  t.is(run3.status, 0, run3.stderr);

  // the kernel's view
  const input = nodefs.readFileSync(`${tree}/in.txt`, 'utf8');
  t.is(rumpkit('cat', `${img}:/out-env.txt`).out, input);
  t.is(rumpkit('cat', `${img}:/host.txt`).out, 'from the host\n');
  t.regex(rumpkit('stat', '-c', '%a', `${img}:/out-env.txt`).out, /^640\n$/);
  t.is(nodefs.readFileSync(`${dir}/back.txt`, 'utf8'), input);
  t.false(nodefs.existsSync('/rump'));
  t.is(spawnSync('e2fsck', ['-fn', img]).status, 0);
});

test('rumpkit cc without link mode\'s archive says where to get it', (t) => {
  const r = spawnSync(process.execPath, rumpkitArgv('cc', '-o', '/dev/null', example),
    { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, RUMPKIT_APP_LIBDIR: '/nonexistent' } });
  t.is(r.status, 2);
  t.regex(r.stderr, /^rumpkit cc: librumpkit-app\.a not found/);
  const c = spawnSync(process.execPath, rumpkitArgv('cc', '-c', '-o', '/dev/null', example),
    { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, RUMPKIT_APP_LIBDIR: '/nonexistent' } });
  t.is(c.status, 0, c.stderr);
});

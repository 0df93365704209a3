#!/usr/bin/env node
// Builds the native code through CMake (driven by cmake-js, which supplies
// the Node-API headers from the npm registry, no download):
//   node scripts/build-native.mjs [--out DIR]     addon, libraries, example, native tests
//   node scripts/build-native.mjs --sanitize      the same under ASan+UBSan, without the addon
// binding.gyp calls the first form, so node-gyp, prebuildify and
// node-gyp-build's install step all end up here.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const jobs = String(Math.max(1, Math.min(cpus().length, 4)));
const run = (cmd, argv) => execFileSync(cmd, argv, { cwd: root, stdio: 'inherit' });

run(process.execPath, [join(root, 'syscalls/gen.mjs')]);

if (args.includes('--sanitize')) {
  const dir = join(root, 'build/asan');
  run('cmake', ['-S', root, '-B', dir, '-DRUMPKIT_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=Debug']);
  run('cmake', ['--build', dir, '-j', jobs]);
} else {
  const out = resolve(opt('--out') ?? join(root, 'build/Release'));
  const require = createRequire(import.meta.url);
  const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin/cmake-js');
  run(process.execPath, [cmakeJs, 'build', '--log-level', 'warn', '-O', join(root, 'build/cmake'),
    '-p', jobs, '--CDRUMPKIT_ADDON=ON', `--CDRUMPKIT_ADDON_DIR=${out}`]);
}

#!/usr/bin/env node
// Every suite, in order, with one total at the end:
//   the build (incremental), type checks, the kernel rule checks, the native
//   tests, the native tests again under ASan+UBSan (LeakSanitizer included),
//   a C program built against the installed library with pkg-config, and
//   the ava tests.  The last line is "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
let passed = 0;
let failed = 0;
const failures = [];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0, out, status: r.status };
}

// A step that is one check: passes or fails as a whole.
function step(name, cmd, args, opts) {
  process.stdout.write(`\n== ${name}\n`);
  const r = run(cmd, args, opts);
  const tail = r.out.trim().split('\n').slice(r.ok ? -3 : -60).join('\n');
  if (tail) console.log(tail);
  if (r.ok) passed++;
  else { failed++; failures.push(name); }
  console.log(`${r.ok ? '✔' : '✘'} ${name}`);
  return r.ok;
}

// A step that runs a suite and reports its own counts.
function suite(name, cmd, args, parse, opts) {
  process.stdout.write(`\n== ${name}\n`);
  const r = run(cmd, args, opts);
  const counts = parse(r.out);
  console.log(r.out.trim().split('\n').filter((l) => /not ok|✘|^#\s+\S|failed|passed|SKIP/.test(l)).slice(-80).join('\n'));
  if (!counts) {
    failed++;
    failures.push(`${name} (no result; exit ${r.status})`);
    console.log(r.out.split('\n').slice(-60).join('\n'));
    return;
  }
  passed += counts.passed;
  failed += counts.failed;
  if (counts.failed || !r.ok) {
    failures.push(name);
    if (!counts.failed) failed++;
  }
}

const nativeCounts = (out) => {
  const m = /^native \(.*\): (\d+) passed, (\d+) failed$/m.exec(out);
  return m ? { passed: +m[1], failed: +m[2] } : null;
};
const tapCounts = (out) => {
  const p = /^# pass (\d+)$/m.exec(out);
  const f = /^# fail (\d+)$/m.exec(out);
  return p ? { passed: +p[1], failed: f ? +f[1] : 0 } : null;
};

step('build', node, ['scripts/build-native.mjs']);
step('typecheck (src and tests)', node, ['node_modules/typescript/bin/tsc', '-p', 'test/tsconfig.json']);
step('kernel rules: boundary and no globals', node, ['scripts/check-kernel.mjs', 'build/cmake/kernel-objects.txt']);
suite('native tests', node, ['test/native/run.mjs', 'build/cmake'], nativeCounts);
if (step('build under ASan+UBSan', node, ['scripts/build-native.mjs', '--sanitize'])) {
  suite('native tests under ASan+UBSan', node, ['test/native/run.mjs', 'build/asan'], nativeCounts);
}

// The C API as a C programmer gets it: install, pkg-config, cc, run.
const prefix = mkdtempSync(join(tmpdir(), 'rumpkit-prefix-'));
try {
  step('C program built with pkg-config against the installed library', 'sh', ['-c', `
    set -e
    cmake --install build/cmake --prefix "${prefix}" >/dev/null
    export PKG_CONFIG_PATH="${prefix}/lib/pkgconfig:${prefix}/lib/x86_64-linux-gnu/pkgconfig"
    cc -std=c11 -Wall -Wextra -Werror examples/hello.c $(pkg-config --cflags --libs rumpkit) -o "${prefix}/hello"
    LD_LIBRARY_PATH="$(pkg-config --variable=libdir rumpkit)" "${prefix}/hello"
  `]);
} finally {
  rmSync(prefix, { recursive: true, force: true });
}

suite('ava', node, ['node_modules/ava/entrypoints/cli.mjs', '--tap'], tapCounts);

if (failures.length) console.log(`\nfailed: ${failures.join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

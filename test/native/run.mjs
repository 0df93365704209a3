#!/usr/bin/env node
// Runs the native test programs (t_*) of one build directory and totals
// their TAP results.  A program that dies without its summary counts as a
// failure of the case it was in.  Usage: run.mjs BUILD-DIR
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? 'build/cmake');
const progs = readdirSync(dir).filter((f) => /^t_\w+$/.test(f) && statSync(join(dir, f)).mode & 0o111).sort();
if (progs.length === 0) {
  console.error(`native: no test programs in ${dir}`);
  process.exit(1);
}
// Sanitizer builds: leaks count, the first error stops the program, and a
// failed allocation returns NULL (the hypercall layer reports it as ENOMEM).
const env = {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1:allocator_may_return_null=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  ...process.env,
};
let passed = 0;
let failed = 0;
for (const p of progs) {
  const r = spawnSync(join(dir, p), [], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, env });
  const out = `${r.stdout ?? ''}`;
  let ok = 0;
  let bad = 0;
  for (const line of out.split('\n')) {
    if (/^ok \d+/.test(line)) ok++;
    else if (/^not ok \d+/.test(line)) bad++;
    if (/^not ok|^#|# SKIP/.test(line)) console.log(`${p}: ${line}`);
  }
  const planned = Number(/^1\.\.(\d+)/m.exec(out)?.[1] ?? 0);
  if (r.status !== 0 || r.signal || ok + bad < planned) {
    if (ok + bad < planned) bad += planned - ok - bad;
    else if (bad === 0) bad = 1;
    console.log(`${p}: exited with ${r.signal ?? r.status}${r.error ? ` (${r.error.message})` : ''}`);
    if (r.stderr) console.log(r.stderr.split('\n').slice(-40).join('\n'));
  }
  console.log(`${bad ? '✘' : '✔'} ${p}: ${ok} passed, ${bad} failed`);
  passed += ok;
  failed += bad;
}
console.log(`native (${dir}): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Coverage-guided fuzzing with libFuzzer: node scripts/fuzz.mjs NAME [seconds]
// builds test/fuzz/fuzz_NAME.c with clang (ASan+UBSan, coverage in the
// kernel too) in build/fuzz and runs it for the given time (default 60 s),
// keeping its corpus in build/fuzz/corpus/NAME.  A crash leaves its input in
// build/fuzz/; copy it into test/fuzz/regress/NAME/ once fixed, and the
// replay test (t_fuzz_NAME, run with the native tests) keeps it honest.
// Needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, seconds = '60'] = process.argv.slice(2);
if (!name || !/^\w+$/.test(name) || !/^\d+$/.test(seconds)) {
  console.error('usage: node scripts/fuzz.mjs NAME [seconds]   (NAME: test/fuzz/fuzz_NAME.c)');
  process.exit(2);
}
if (spawnSync('clang', ['--version']).status !== 0) {
  console.error('fuzz: clang is needed: apt-get install -y clang libclang-rt-14-dev');
  process.exit(2);
}
const dir = join(root, 'build/fuzz');
const run = (cmd, args, env) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
run(process.execPath, [join(root, 'syscalls/gen.mjs')]);
run('cmake', ['-S', root, '-B', dir, '-DRUMPKIT_FUZZ=ON', '-DRUMPKIT_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=Debug'],
  { CC: 'clang', CXX: 'clang++' });
run('cmake', ['--build', dir, '--target', `fuzz_${name}`, '-j', '2']);
const corpus = join(dir, 'corpus', name);
mkdirSync(corpus, { recursive: true });
// The seeds (test/fuzz/corpus/NAME) and the regression inputs start the run;
// the largest input may be as large as the largest seed.
const inputs = [join(root, 'test/fuzz/corpus', name), join(root, 'test/fuzz/regress', name)]
  .filter((d) => existsSync(d));
const maxLen = Math.max(4096, ...inputs.flatMap((d) => readdirSync(d).map((f) => statSync(join(d, f)).size)));
const r = spawnSync(join(dir, `fuzz_${name}`), [`-max_total_time=${seconds}`, `-max_len=${maxLen}`,
  '-print_final_stats=1', '-timeout=60', `-artifact_prefix=${dir}/`, corpus, ...inputs],
{ stdio: 'inherit', env: { ...process.env, ASAN_OPTIONS: 'allocator_may_return_null=1:detect_leaks=1' } });
process.exit(r.status ?? 1);

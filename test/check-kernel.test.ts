// The kernel rule checks catch what they exist to catch: a host call from
// kernel code, and writable global data.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = join(root, 'scripts/check-kernel.mjs');

function compile(dir: string, name: string, src: string): string {
  writeFileSync(join(dir, `${name}.c`), src);
  execFileSync('cc', ['-std=c11', '-O2', '-fPIC', '-c', join(dir, `${name}.c`), '-o', join(dir, `${name}.o`)]);
  return join(dir, `${name}.o`);
}

const runCheck = (objs: string[]) => spawnSync(process.execPath, [check, ...objs], { encoding: 'utf8' });

test('a kernel object calling malloc breaks the boundary rule', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rk-check-'));
  try {
    const o = compile(dir, 'bad', '#include <stdlib.h>\nvoid *k_alloc(unsigned long n);\nvoid *k_alloc(unsigned long n) { return malloc(n); }\n');
    const r = runCheck([o]);
    t.is(r.status, 1);
    t.regex(r.stderr, /boundary: malloc is called by bad\.o/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('writable globals break the no-globals rule; thread-locals and constants do not', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rk-check-'));
  try {
    const bad = compile(dir, 'glob', 'int counter;\nstatic int hidden = 3;\nint bump(void);\nint bump(void) { return ++counter + hidden++; }\n');
    const r = runCheck([bad]);
    t.is(r.status, 1);
    t.regex(r.stderr, /globals: .*glob\.o: writable section \.bss.*counter/);
    t.regex(r.stderr, /globals: .*glob\.o: writable section \.data.*hidden/);
    const ok = compile(dir, 'ok', [
      '#include <string.h>',
      '_Thread_local int cur;',
      'static const int table[4] = { 1, 2, 3, 4 };',
      'int look(int i, char *d, const char *s);',
      'int look(int i, char *d, const char *s) { memcpy(d, s, 8); return table[i & 3] + cur; }',
    ].join('\n'));
    const r2 = runCheck([ok]);
    t.is(r2.status, 0, r2.stderr);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the kernel as built obeys both rules', (t) => {
  const list = join(root, 'build/cmake/kernel-objects.txt');
  if (!existsSync(list)) {
    t.fail('build the native code first (npm run build:native)');
    return;
  }
  const r = runCheck([list]);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /boundary and no-globals rules hold/);
});

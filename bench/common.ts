// What the benchmark scripts share: the command line, progress notes, the C
// programs built on demand in the native build directory, targets, and the
// table they print.  These machines are shared and noisy: absolute figures
// drift, ratios within one run hold.  Targets are reported, never asserted.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
/** --json: one JSON document on stdout and nothing else there. */
export const json = args.includes('--json');
export function checkArgs(script: string): void {
  if (args.some((a) => a !== '--json')) {
    process.stderr.write(`usage: node --expose-gc --import tsx ${script} [--json]\n`);
    process.exit(2);
  }
}

/** Progress goes to stderr so that --json leaves stdout to the document. */
export function note(msg: string): void {
  if (!json) process.stderr.write(`bench: ${msg}\n`);
}

export function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(1);
}

export function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function buildDir(): string {
  const dir = resolve(root, process.env.RUMPKIT_BUILD_DIR ?? 'build/cmake');
  if (!existsSync(join(dir, 'CMakeCache.txt'))) {
    fail(`no configured native build in ${dir}: run \`npm install\` (or \`npm run build:native\`) ` +
      'first, or point RUMPKIT_BUILD_DIR at a configured CMake build directory of this tree');
  }
  return dir;
}

/** Bring a C benchmark program and the kernel library up to date. */
export function buildC(dir: string, target: string): void {
  note(`building ${target} in ${dir}`);
  try {
    execFileSync('cmake', ['--build', dir, '--target', target, 'rumpkit',
      '--parallel', String(Math.max(1, Math.min(cpus().length, 4)))],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    process.stderr.write(`${x.stdout ?? ''}${x.stderr ?? ''}`);
    fail(`building ${target} failed: ${x.message.split('\n')[0]}`);
  }
}

/** The newest of the files that exist among candidates. */
export function newest(candidates: string[]): string | undefined {
  return candidates.filter((f) => existsSync(f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** Run a C benchmark program that prints one JSON object. */
export function runC<T>(dir: string, target: string, argv: string[]): T {
  const exe = newest([join(dir, target), join(dir, 'Release', target)]);
  if (exe === undefined) fail(`${target} was not found in ${dir} after building it`);
  let out: string;
  try {
    out = execFileSync(exe, argv, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  } catch (e) {
    fail(`${exe} failed: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return JSON.parse(out) as T;
  } catch {
    fail(`${exe} printed no JSON: ${out.slice(0, 200)}`);
  }
}

export interface Target {
  description: string;
  figure: string;
  value: number;
  unit: string;
  op: '<=' | '>=';
  limit: number;
  met: boolean;
}

export function target(description: string, figure: string, value: number, unit: string,
  op: '<=' | '>=', limit: number): Target {
  return { description, figure, value, unit, op, limit, met: op === '<=' ? value <= limit : value >= limit };
}

export function fmt3(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
export function ns(x: number): string {
  if (x < 1e3) return `${fmt3(x)} ns`;
  if (x < 1e6) return `${fmt3(x / 1e3)} µs`;
  return `${fmt3(x / 1e6)} ms`;
}
export function bytes(x: number): string {
  if (x < 1024) return `${fmt3(x)} B`;
  if (x < 1024 * 1024) return `${fmt3(x / 1024)} KiB`;
  return `${fmt3(x / (1024 * 1024))} MiB`;
}
export function times(x: number): string {
  return `${fmt3(x)}×`;
}
export function met(t: Target): string {
  return t.met ? 'yes' : 'NO';
}

export type Row = string[];

/** A table: the header, a rule, the rows, columns padded to their widest cell. */
export function table(header: Row, rows: Row[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: Row): string => widths.map((w, i) => (r[i] ?? '').padEnd(w)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function hostLine(): string {
  return `node ${process.version}, ${process.platform}/${process.arch}, ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
}

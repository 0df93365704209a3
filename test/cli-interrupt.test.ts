// Interrupting `rumpkit cp` half-way into an ext2 image: the command stops,
// says so, unmounts the image cleanly (e2fsck -fn finds nothing, the
// superblock says clean) and dies by the signal, as a coreutils program
// killed by it would (the shell reports 128 + its number).  Nothing here
// waits a fixed time: the copy reads a FIFO whose writer is this test, so it
// is known to be under way (a file before it copied, megabytes of the FIFO
// read) and cannot end before the signal (the writer stays open).
import { spawn, spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import test from 'ava';
import { hostMknod } from '../src/cli/volume.js';
import { haveExt2, mkimage, packageRoot, rumpkit, rumpkitArgv } from './cli-helpers.js';

const S_IFIFO = 0o010000;
const ext2 = haveExt2();
const maybe = ext2 ? test : test.skip;
const title = (s: string) => (ext2 ? s : `${s} — SKIPPED: this kernel has no ext2 driver (mount gives ENODEV)`);

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = ((i + seed) * 2654435761) >>> 24;
  return b;
}

interface Run {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  out(): string;
  err(): string;
  kill(sig: NodeJS.Signals): void;
}

function start(...args: string[]): Run {
  const child = spawn(process.execPath, rumpkitArgv(...args),
    { cwd: packageRoot, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b;
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b;
  });
  return {
    exit: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
    out: () => out,
    err: () => err,
    kill: (sig) => child.kill(sig),
  };
}

/** Whether the image's superblock says it was unmounted cleanly. */
function cleanState(img: string): string {
  const r = spawnSync('dumpe2fs', ['-h', img], { encoding: 'utf8' });
  return /^Filesystem state:\s+(.*)$/m.exec(r.stdout)?.[1] ?? `dumpe2fs: ${r.stderr}`;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  maybe(title(`${sig} in the middle of rumpkit cp: a message, the image unmounted cleanly, death by ${sig}`), async (t) => {
    const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-interrupt-');
    t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
    const img = mkimage(dir);
    const first = pattern(2 << 20, 1);
    nodefs.writeFileSync(`${dir}/first.bin`, first);
    const fifo = `${dir}/stream`;
    hostMknod(fifo, S_IFIFO | 0o644, 0);
    const run = start('cp', '-v', `${dir}/first.bin`, fifo, `${img}:/`);
    // Opening the FIFO for writing returns once cp has opened it for reading,
    // which it does after copying first.bin.
    const writer = await nodefs.promises.open(fifo, 'w');
    t.teardown(() => writer.close().catch(() => {}));
    const stream = pattern(3 << 20, 2);
    // This write returns when cp has taken all but a pipe's worth (64 KiB) of it.
    await writer.write(stream);
    t.is(run.out(), `'${dir}/first.bin' -> '${img}:/first.bin'\n`);
    run.kill(sig);
    const { code, signal } = await run.exit;
    t.deepEqual({ code, signal }, { code: null, signal: sig });
    t.is(run.err(), `rumpkit cp: interrupted by ${sig}; '${img}:/stream' is incomplete\n`);
    await writer.close();
    t.is(cleanState(img), 'clean');
    const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
    t.is(fsck.status, 0, fsck.stdout + fsck.stderr);
    // What was copied is there: all of first.bin, and a good part of the stream (a prefix of it).
    const back = (p: string) => spawnSync(process.execPath, rumpkitArgv('cat', `${img}:${p}`),
      { cwd: packageRoot, maxBuffer: 64 << 20 }).stdout;
    t.true(Buffer.compare(back('/first.bin'), first) === 0);
    const part = back('/stream');
    t.true(part.length > 1 << 20 && part.length <= stream.length, `${part.length} bytes of the stream`);
    t.true(Buffer.compare(part, stream.subarray(0, part.length)) === 0);
  });
}

maybe(title('SIGINT while cp waits for a FIFO\'s first bytes: nothing made, the image clean, death by SIGINT'), async (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-interrupt-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const img = mkimage(dir);
  const fifo = `${dir}/stream`;
  hostMknod(fifo, S_IFIFO | 0o644, 0);
  const run = start('cp', fifo, `${img}:/`);
  const writer = await nodefs.promises.open(fifo, 'w');
  t.teardown(() => writer.close().catch(() => {}));
  run.kill('SIGINT');
  const { code, signal } = await run.exit;
  t.deepEqual({ code, signal }, { code: null, signal: 'SIGINT' });
  t.is(run.err(), 'rumpkit cp: interrupted by SIGINT\n');
  t.is(cleanState(img), 'clean');
  t.is(spawnSync('e2fsck', ['-fn', img]).status, 0);
  t.is(rumpkit('ls', `${img}:/`).out, 'lost+found\n');
});

maybe(title('through a shell, an interrupted rumpkit cp gives status 130 for SIGINT and 143 for SIGTERM'), async (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-interrupt-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const img = mkimage(dir);
  for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const fifo = `${dir}/stream-${sig}`;
    hostMknod(fifo, S_IFIFO | 0o644, 0);
    // The shell runs rumpkit in the background (so the signal reaches rumpkit
    // only) and prints its pid, then waits and prints the status.
    const cmd = `"$0" ${rumpkitArgv('cp', fifo, `${img}:/`).map((a) => `'${a}'`).join(' ')} & echo $!; wait $!; echo status $?`;
    const sh = spawn('/bin/sh', ['-c', cmd, process.execPath], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const pid = new Promise<number>((resolve) => sh.stdout.on('data', (b: Buffer) => {
      out += b;
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    }));
    const done = new Promise<void>((resolve) => sh.on('close', () => resolve()));
    const writer = await nodefs.promises.open(fifo, 'w');
    process.kill(await pid, sig);
    await done;
    await writer.close();
    t.regex(out, new RegExp(`\\nstatus ${status}\\n$`), sig);
    t.is(cleanState(img), 'clean', sig);
  }
});

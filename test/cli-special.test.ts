// Device files, FIFOs and sockets in rumpkit cp and mv, against GNU cp and mv:
// on a host directory and on a kernel's tmpfs (the tools in this process),
// and between the host and a real ext2 image made by mke2fs (the rumpkit
// command, checked by e2fsck).  A recursive copy makes the nodes anew; a
// plain one reads their contents (a host FIFO through the event loop, with
// the test as the writer).  Device nodes need root on the host: without it
// those parts are left out and the titles say so.
import { spawn, spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import test from 'ava';
import { Kernel } from '../src/index.js';
import { hostMknod, rootedVolume, type FsLike, type Volume } from '../src/cli/volume.js';
import {
  coreutils, haveExt2, hostRooted, mkimage, packageRoot, rumpkit, rumpkitArgv, tool, type Result,
} from './cli-helpers.js';

const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;

const root = process.getuid?.() === 0;
const noDevices = root ? '' : ' — device nodes SKIPPED: not root (mknod of devices needs root)';
const OLD = new Date('2021-03-04T05:06:07Z');

type Mknod = (path: string, mode: number, dev: number) => void;
type SpecialFs = FsLike & Pick<typeof nodefs, 'writeFileSync'>;

/** special/: a file, FIFOs (one hard-linked twice), a socket, and as root a character and a block device. */
function buildSpecial(fs: SpecialFs, mknod: Mknod, base: string): void {
  const p = (s: string) => `${base}/special/${s}`;
  fs.mkdirSync(p('sub'), { recursive: true });
  fs.writeFileSync(p('f'), 'data\n');
  mknod(p('p'), S_IFIFO | 0o640, 0);
  fs.linkSync(p('p'), p('p2'));
  mknod(p('s'), S_IFSOCK | 0o755, 0);
  mknod(p('sub/q'), S_IFIFO | 0o600, 0);
  if (root) {
    mknod(p('c'), S_IFCHR | 0o604, (1 << 8) | 3); // /dev/null's number
    mknod(p('b'), S_IFBLK | 0o600, (7 << 8) | 200);
    fs.chownSync(p('b'), 12, 34);
  }
  for (const n of ['f', 'p', 's', 'sub/q', ...(root ? ['c', 'b'] : []), 'sub', '']) fs.utimesSync(p(n), OLD, OLD);
}

/**
 * Every entry below base: type and mode, links, owner (as root only: otherwise the
 * kernel's files are root's and the host's the user's), device number, size, and
 * mtime seconds where asked.
 */
function specialSnapshot(fs: FsLike, base: string, times: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const n of (fs.readdirSync(dir) as string[]).sort()) {
      const c = `${dir}/${n}`;
      const r = `${rel}/${n}`;
      const st = fs.lstatSync(c);
      const dev = st.isCharacterDevice() || st.isBlockDevice() ? ` ${st.rdev >> 8}:${st.rdev & 0xff}` : '';
      const size = st.isFile() ? ` ${st.size}` : '';
      const time = times(r) ? ` t${Math.floor(st.mtimeMs / 1000)}` : '';
      const owner = root ? ` ${st.uid}:${st.gid}` : '';
      out.push(`${r} ${st.mode.toString(8)} ${st.isDirectory() ? '-' : st.nlink}${owner}${dev}${size}${time}`);
      if (st.isDirectory()) walk(c, r);
    }
  };
  walk(base, '');
  return out;
}

const sortLines = (r: Result): Result => ({ ...r, out: r.out.split('\n').sort().join('\n') });

const SCRIPT: string[][] = [
  ['cp', '-r', 'img:/special', 'img:/r1'],
  ['cp', '-a', 'img:/special', 'img:/a1'],
  ['cp', '-rv', 'img:/special/p', 'img:/special/s', 'img:/r1/'],
  ['cp', '-rn', 'img:/special/p', 'img:/r1/f'],
  ['cp', '-r', 'img:/special/p', 'img:/r1/f'],
  ['cp', '-r', '--copy-contents', 'img:/special/s', 'img:/cc'],
  ['cp', 'img:/special/s', 'img:/sockcopy'],
  ['cp', '-p', 'img:/special/s', 'img:/sockcopy'],
  ['mv', 'img:/special/sub', 'img:/moved'],
  ['mv', '-v', 'img:/a1/s', 'img:/moved/s'],
  ...(root ? [
    ['cp', 'img:/special/c', 'img:/nullcopy'],
    ['cp', '-R', '--copy-contents', 'img:/special/c', 'img:/nullcopy2'],
    ['cp', '-R', 'img:/special/c', 'img:/special/b', 'img:/moved'],
    ['cp', '-a', 'img:/special/b', 'img:/b-archived'],
  ] : []),
];

/** Run SCRIPT with the tools on `vols` and GNU cp/mv on a host copy of the tree; outputs, statuses and trees agree. */
async function compareSpecial(t: import('ava').ExecutionContext, vols: Record<string, Volume>, fs: FsLike,
  base: string): Promise<void> {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-gnu-special-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  buildSpecial(nodefs as unknown as SpecialFs, hostMknod, dir);
  for (const args of SCRIPT) {
    const [name, ...rest] = args;
    let mine = await tool(vols, name!, ...rest);
    let real = coreutils({ img: dir }, name!, ...rest);
    if (rest.some((a) => /^-\w*[rRa]/.test(a))) {
      mine = sortLines(mine);
      real = sortLines(real);
    }
    t.deepEqual(mine, real, args.join(' '));
  }
  // Times are kept by -a (and by mv, a rename here); -r and -R make new nodes now.
  const times = (rel: string) => rel.startsWith('/a1/') || rel.startsWith('/special/') || rel === '/b-archived';
  t.deepEqual(specialSnapshot(fs, base, times), specialSnapshot(nodefs, dir, times), 'the trees after the script');
}

test(`cp -r/-a/--copy-contents and mv of devices, FIFOs and sockets on a host directory do what GNU cp does${noDevices}`,
  async (t) => {
    const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-special-');
    t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
    buildSpecial(nodefs as unknown as SpecialFs, hostMknod, dir);
    await compareSpecial(t, { img: hostRooted(dir) }, nodefs, dir);
  });

test(`cp -r/-a/--copy-contents and mv of devices, FIFOs and sockets on a kernel directory do what GNU cp does on the host${noDevices}`,
  async (t) => {
    const k = Kernel.bootSync();
    t.teardown(() => k.haltSync());
    k.sys.umask(0o22);
    k.fs.mkdirSync('/t');
    const mknod: Mknod = (p, m, d) => {
      k.sys.mknod(p, m, d);
    };
    buildSpecial(k.fs as unknown as SpecialFs, mknod, '/t');
    const vol = rootedVolume(k.fs, '/t', 'img:', hostRooted('/').ids, { mknod });
    await compareSpecial(t, { img: vol }, k.fs, '/t');
  });

test('a volume that cannot make nodes says so, as cp does for an error of mknod', async (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-special-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  hostMknod(`${dir}/p`, S_IFIFO | 0o644, 0);
  const bare = rootedVolume(nodefs, dir, 'img:');
  t.deepEqual(await tool({ img: bare }, 'cp', '-r', 'img:/p', 'img:/p2'), {
    out: '', err: "rumpkit cp: cannot create fifo 'img:/p2': Operation not supported\n", status: 1,
  });
  const e = t.throws(() => hostMknod(`${dir}/p`, S_IFIFO | 0o644, 0));
  t.like(e, { code: 'EEXIST', syscall: 'mknod', path: `${dir}/p`, errno: -17 });
  t.regex(e!.message, /^EEXIST: file exists, mknod '/);
});

const ext2 = haveExt2();
const maybe = ext2 ? test : test.skip;
const title = (s: string) => (ext2 ? s : `${s} — SKIPPED: this kernel has no ext2 driver (mount gives ENODEV)`);

maybe(title(`rumpkit cp -a and mv carry devices, FIFOs and sockets into an ext2 image and back as GNU cp -a does${noDevices}`),
  (t) => {
    const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-special-ext2-');
    t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
    buildSpecial(nodefs as unknown as SpecialFs, hostMknod, dir);
    const tree = `${dir}/special`;
    const img = mkimage(dir);
    const I = `${img}:`;
    const ok = (r: Result) => t.deepEqual(r, { out: '', err: '', status: 0 }, r.err);
    ok(rumpkit('cp', '-a', tree, `${I}/t`));
    nodefs.mkdirSync(`${dir}/out`);
    ok(rumpkit('cp', '-a', `${I}/t`, `${dir}/out/t`));
    t.is(spawnSync('cp', ['-a', tree, `${dir}/gnu`]).status, 0);
    const all = () => true;
    t.deepEqual(specialSnapshot(nodefs, `${dir}/out/t`, all), specialSnapshot(nodefs, `${dir}/gnu`, all));
    // What the image holds, as stat shows it, is what the host tree holds.
    const names = ['p', 'p2', 's', 'sub/q', ...(root ? ['c', 'b'] : [])];
    const fmt = '%n %F %a %h %u %g %t %T';
    const st = rumpkit('stat', '-c', fmt, ...names.map((n) => `${I}/t/${n}`));
    const gnu = spawnSync('stat', ['-c', fmt, ...names.map((n) => `${tree}/${n}`)], { encoding: 'utf8' });
    t.is(st.out, gnu.stdout.split(tree).join(`${I}/t`));
    // mv in, within and out of the image: the nodes move, the sources go.
    ok(rumpkit('mv', `${dir}/gnu/p`, `${dir}/gnu/s`, `${I}/`));
    t.false(nodefs.existsSync(`${dir}/gnu/p`) || nodefs.existsSync(`${dir}/gnu/s`));
    ok(rumpkit('mv', `${I}/t/sub/q`, `${I}/q-renamed`));
    nodefs.mkdirSync(`${dir}/back`);
    ok(rumpkit('mv', `${I}/p`, `${I}/s`, `${I}/q-renamed`, `${dir}/back/`));
    t.deepEqual(rumpkit('ls', `${I}/`).out, 'lost+found\nt\n');
    t.deepEqual(specialSnapshot(nodefs, `${dir}/back`, all),
      ['/p 10640 1', '/q-renamed 10600 1', '/s 140755 1'].map((l) => `${l}${root ? ' 0:0' : ''} t${OLD.getTime() / 1000}`));
    // Contents of special files inside the image are not read: nodev, no writer, a socket.
    const deny = rumpkit('cp', ...(root ? [`${I}/t/c`] : []), `${I}/t/p`, `${I}/t/s`, `${dir}/out/`);
    t.is(deny.status, 1);
    t.is(deny.err, [
      ...(root ? [`rumpkit cp: cannot open '${I}/t/c' for reading: Permission denied`] : []),
      `rumpkit cp: cannot open '${I}/t/p' for reading: a FIFO inside an image has no writer (copy the FIFO itself with -R)`,
      `rumpkit cp: cannot open '${I}/t/s' for reading: No such device or address`, ''].join('\n'));
    const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
    t.is(fsck.status, 0, fsck.stdout);
  });

maybe(title('rumpkit cp of a host FIFO into an image reads what its writer writes, until the writer closes'), async (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-special-fifo-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const img = mkimage(dir);
  const fifo = `${dir}/fifo`;
  hostMknod(fifo, S_IFIFO | 0o644, 0);
  const data = Buffer.alloc(3 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const child = spawn(process.execPath, rumpkitArgv('cp', fifo, `${img}:/from-fifo`),
    { cwd: packageRoot, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The open returns once the copy has opened the FIFO for reading.
  const fh = await nodefs.promises.open(fifo, 'w');
  await fh.write(data);
  await fh.close();
  t.is(await exit, 0, err);
  const back = spawnSync(process.execPath, rumpkitArgv('cat', `${img}:/from-fifo`), { cwd: packageRoot, maxBuffer: 64 << 20 });
  t.true(Buffer.compare(back.stdout, data) === 0, `${back.stdout.length} bytes back`);
  t.like(rumpkit('stat', '-c', '%F %s', `${img}:/from-fifo`), { out: `regular file ${data.length}\n` });
  t.is(spawnSync('e2fsck', ['-fn', img]).status, 0);
});

// The image tools against real coreutils: the same tree on a host directory
// (read through node:fs) and on a kernel's tmpfs (read through k.fs), the
// tools' output compared with ls, stat, du, find, cat, cp, mv, rm, mkdir,
// rmdir, ln, chmod and chown run on an identical host tree (C locale; the
// tools sort entries in byte order, where du and find list them in directory
// order, so those lines are compared sorted).
import * as nodefs from 'node:fs';
import test from 'ava';
import { Kernel } from '../src/index.js';
import { parseMode } from '../src/cli/modes.js';
import { human } from '../src/cli/common.js';
import { rootedVolume, type Volume } from '../src/cli/volume.js';
import { buildTree, coreutils, hostRooted, snapshot, tool, type Result, type TreeFs } from './cli-helpers.js';

const hostIds = hostRooted('/').ids!;

function hostTree(t: { teardown(f: () => void): void }): string {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-cli-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const base = `${dir}/t`;
  nodefs.mkdirSync(base);
  buildTree(nodefs as unknown as TreeFs, base);
  return base;
}

function kernelTree(t: { teardown(f: () => void): void }, base = '/t'): { k: Kernel; vol: Volume } {
  const k = Kernel.bootSync();
  t.teardown(() => k.haltSync());
  k.sys.umask(0o22);
  k.fs.mkdirSync(base);
  buildTree(k.fs as unknown as TreeFs, base);
  return { k, vol: rootedVolume(k.fs, base, 'img:', hostIds) };
}

const sortLines = (r: Result): Result => ({ ...r, out: r.out.split('\n').sort().join('\n') });

/** What differs between Linux's tmpfs and the kernel's in ls -l: directory sizes and 'total' lines. */
function lsKernelNormal(r: Result): Result {
  return {
    ...r,
    out: r.out.replace(/^total .*$/gm, 'total N').replace(/^(d\S+\s+\d+\s+\S+\s+\S+\s+)\d+(\.\d)?[KM]?/gm, '$1N'),
  };
}

const READ_CASES: string[][] = [
  ['ls', 'img:/'], ['ls', '-l', 'img:/'], ['ls', '-la', 'img:/d'], ['ls', '-lA', 'img:/'], ['ls', '-lR', 'img:/d'],
  ['ls', '-R', 'img:/'], ['ls', '-ln', 'img:/'], ['ls', '-lh', 'img:/'], ['ls', '-1', 'img:/d', 'img:/f.txt', 'img:/empty'],
  ['ls', '-ld', 'img:/d', 'img:/f.txt', 'img:/link'], ['ls', '-d', 'img:/d'], ['ls', 'img:/dirlink'], ['ls', '-l', 'img:/dirlink'],
  ['ls', 'img:/nope'], ['ls', '-l', 'img:/f.txt', 'img:/nope', 'img:/d/sub'], ['ls', '-a', 'img:/empty'],
  ['ls', '-z', 'img:/'], ['ls', '--bogus', 'img:/'],
  ['stat', '-c', '%n|%s|%a|%A|%F|%h|%u|%g|%U|%G|%b|%B|%o|%f|%N|%Y|%X|%Z|%%', 'img:/f.txt', 'img:/link', 'img:/d', 'img:/run.sh',
    'img:/suid', 'img:/sticky', 'img:/empty.txt', 'img:/dangling'],
  ['stat', '-c', '%y %x', 'img:/f.txt'], ['stat', 'img:/nope'], ['stat', '-L', '-c', '%n %F', 'img:/link', 'img:/dangling'],
  ['stat', '-c', '[%-8s] [%8s] [%08s] [%.3A]', 'img:/f.txt'],
  ['du', '-sb', 'img:/'], ['du', '-b', 'img:/d'], ['du', '-ab', 'img:/d'], ['du', '-sbc', 'img:/d', 'img:/f.txt'],
  ['du', '-b', 'img:/nope'], ['du', '-sh', 'img:/s1_5m'],
  ['find', 'img:/', '-name', '*.txt'], ['find', 'img:/d'], ['find', 'img:/', '-type', 'd'], ['find', 'img:/', '-type', 'l'],
  ['find', 'img:/', '-maxdepth', '1', '-type', 'f', '-name', 's1*'], ['find', 'img:/', '-iname', '*.txt', '-print'],
  ['find', 'img:/', '-mindepth', '2', '-name', '[a-c]*'], ['find', 'img:/nope'],
  ['cat', 'img:/f.txt', 'img:/d/sub/c.txt'], ['cat', 'img:/nope', 'img:/d', 'img:/f.txt'],
];

const unordered = (args: string[]) => args[0] === 'find' || (args[0] === 'du' && !args[1]!.includes('s'));

test('read-only tools on a host directory (node:fs) print what coreutils print', async (t) => {
  const base = hostTree(t);
  const vols = { img: hostRooted(base) };
  for (const args of READ_CASES) {
    const [name, ...rest] = args;
    let mine = await tool(vols, name!, ...rest);
    let real = coreutils({ img: base }, name!, ...rest);
    if (name === 'ls' && rest[0]!.startsWith('-') && /[z-]/.test(rest[0]!.slice(1, 2))) {
      // Usage errors: the same first line and status (the help texts differ).
      real = { ...real, err: real.err.split('\n')[0]! };
      mine = { ...mine, err: mine.err.split('\n')[0]! };
    }
    if (unordered(args)) {
      mine = sortLines(mine);
      real = sortLines(real);
    }
    t.deepEqual(mine, real, args.join(' '));
  }
  // Inodes and the default stat format hold too, as both read the same files.
  for (const args of [['ls', '-li', 'img:/'], ['ls', '-i', 'img:/d'], ['stat', 'img:/f.txt', 'img:/link', 'img:/d', 'img:/suid']]) {
    t.deepEqual(await tool(vols, args[0]!, ...args.slice(1)), coreutils({ img: base }, args[0]!, ...args.slice(1)), args.join(' '));
  }
});

test('read-only tools on a kernel directory (k.fs) print what coreutils print on the same tree', async (t) => {
  const base = hostTree(t);
  const { vol } = kernelTree(t);
  const vols = { img: vol };
  for (const args of READ_CASES) {
    const [name, ...rest] = args;
    if (name === 'stat' && rest.includes('%y %x')) continue; // times of the two trees' last access differ
    let mine = await tool(vols, name!, ...rest);
    let real = coreutils({ img: base }, name!, ...rest);
    if (name === 'ls' && rest[0]!.startsWith('-') && /[z-]/.test(rest[0]!.slice(1, 2))) {
      real = { ...real, err: real.err.split('\n')[0]! };
      mine = { ...mine, err: mine.err.split('\n')[0]! };
    }
    if (name === 'ls') {
      mine = lsKernelNormal(mine);
      real = lsKernelNormal(real);
    }
    if (name === 'stat' || name === 'du') {
      // Directory sizes and blocks are the file system's own; ctime and atime are when each tree was made.
      const norm = (r: Result): Result => ({ ...r, out: r.out.replace(/\|\d+\|\d+\|\d+\|%$/gm, '|T|T|T|%') });
      mine = norm(mine);
      real = norm(real);
    }
    if (unordered(args)) {
      mine = sortLines(mine);
      real = sortLines(real);
    }
    if (name === 'du' && !args.includes('img:/f.txt') && !args.includes('img:/s1_5m') && !args.includes('img:/nope')) {
      // Directory sizes differ between the two tmpfs: compare the files' lines only.
      const files = (r: Result) => r.out.split('\n').filter((l) => /\.(txt|TXT|bin)$/.test(l)).join('\n');
      t.is(files(mine), files(real), args.join(' '));
      t.is(mine.status, real.status);
      continue;
    }
    if (name === 'stat' && rest[1]?.startsWith('%n|')) {
      // Directories' sizes and blocks are the file system's own.
      const dirs = (r: Result) => ({ ...r, out: r.out.replace(/^(img:\/(d|sticky))\|\d+\|(.*?)\|(\d+)\|512/gm, '$1|N|$3|N|512') });
      mine = dirs(mine);
      real = dirs(real);
    }
    t.deepEqual(mine, real, args.join(' '));
  }
});

interface Side {
  vols: Record<string, Volume>;
  fs: TreeFs;
  base: string;
}

/** Run the same writing commands with the tools on one side and coreutils on a host tree, and compare outputs and trees. */
async function compareWrites(t: import('ava').ExecutionContext, side: Side, script: string[][]): Promise<void> {
  const hostBase = hostTree(t);
  for (const args of script) {
    const [name, ...rest] = args;
    let mine = await tool(side.vols, name!, ...rest);
    let real = coreutils({ img: hostBase }, name!, ...rest);
    if (real.err.includes('--help')) {
      real = { ...real, err: real.err.split('\n')[0]! };
      mine = { ...mine, err: mine.err.split('\n')[0]! };
    }
    if (rest.some((a) => /^-\w*[rRa]/.test(a))) {
      // Recursive copies and removals go in directory order in coreutils, in byte order here.
      mine = sortLines(mine);
      real = sortLines(real);
    }
    t.deepEqual(mine, real, args.join(' '));
  }
  const dirSize = (l: string) => l.replace(/^(\S+ 4?[01]?[0-7]{4} \d+ \d+:\d+) $/, '$1 ').replace(/^(\S+ 4\d{4}) \d+ /, '$1 N ');
  t.deepEqual(snapshot(side.fs, side.base).map(dirSize), snapshot(nodefs as unknown as TreeFs, hostBase).map(dirSize), 'the trees after the script');
}

const WRITE_SCRIPT: string[][] = [
  ['cp', '-v', 'img:/f.txt', 'img:/copy.txt'], ['cp', 'img:/d', 'img:/dcopy'], ['cp', '-rv', 'img:/d', 'img:/dcopy'],
  ['cp', '-a', 'img:/d', 'img:/arch'], ['cp', 'img:/f.txt', 'img:/run.sh', 'img:/empty'], ['cp', 'img:/f.txt', 'img:/f.txt'],
  ['cp', 'img:/nope', 'img:/x'], ['cp', 'img:/f.txt'], ['cp'], ['cp', 'img:/f.txt', 'img:/run.sh', 'img:/suid'],
  ['cp', '-n', 'img:/run.sh', 'img:/copy.txt'], ['cp', 'img:/link', 'img:/deref'], ['cp', '-T', 'img:/f.txt', 'img:/t1'],
  ['cp', '-p', 'img:/suid', 'img:/suid2'],
  ['mv', '-v', 'img:/copy.txt', 'img:/moved.txt'], ['mv', 'img:/moved.txt', 'img:/d'], ['mv', 'img:/nope', 'img:/y'],
  ['mv', 'img:/dcopy', 'img:/dcopy/sub'], ['mv', '-n', 'img:/t1', 'img:/f.txt'],
  ['mkdir', '-v', 'img:/nd'], ['mkdir', 'img:/nd'], ['mkdir', '-pv', 'img:/p/q/r'], ['mkdir', '-m', '700', 'img:/m700'],
  ['mkdir', '-m', 'u=rwx,g=rx', 'img:/msym'], ['mkdir', 'img:/no/such'], ['mkdir'],
  ['rmdir', 'img:/d'], ['rmdir', 'img:/nope'], ['rmdir', 'img:/p/q/r'], ['rmdir', '-v', 'img:/p/q'], ['rmdir', 'img:/empty'],
  ['rm', 'img:/nope'], ['rm', '-f', 'img:/nope'], ['rm', 'img:/arch'], ['rm', '-d', 'img:/nd'], ['rm', '-d', 'img:/dcopy'],
  ['rm', '-v', 'img:/deref'], ['rm', '-rv', 'img:/dcopy'], ['rm'], ['rm', '-r', 'img:/.'],
  ['ln', '-s', 'f.txt', 'img:/sym'], ['ln', '-s', 'f.txt', 'img:/sym'], ['ln', '-sf', 'run.sh', 'img:/sym'],
  ['ln', 'img:/f.txt', 'img:/hard2'], ['ln', 'img:/f.txt', 'img:/hard2'], ['ln', 'img:/run.sh', 'img:/m700'],
  ['chmod', '640', 'img:/f.txt'], ['chmod', 'u+x,go-w', 'img:/run.sh', 'img:/suid2'], ['chmod', '-R', 'a+rX', 'img:/arch'],
  ['chmod', 'g=u', 'img:/s1023'], ['chmod', '+t', 'img:/m700'], ['chmod', '-w', 'img:/s1024'], ['chmod', '7777x', 'img:/s1024'],
  ['chmod', '755', 'img:/nope'], ['chmod', '-R', 'go-rwx', 'img:/d'], ['chmod', 'o=', 'img:/msym'],
  ['chown', '12:34', 'img:/f.txt'], ['chown', '-R', '5', 'img:/arch'], ['chown', ':7', 'img:/run.sh'], ['chown', '1', 'img:/nope'],
];

test('writing tools on a host directory (node:fs) do what coreutils do', async (t) => {
  const base = hostTree(t);
  await compareWrites(t, { vols: { img: hostRooted(base) }, fs: nodefs as unknown as TreeFs, base }, WRITE_SCRIPT);
});

test('writing tools on a kernel directory (k.fs) do what coreutils do', async (t) => {
  const { k, vol } = kernelTree(t);
  await compareWrites(t, { vols: { img: vol }, fs: k.fs as unknown as TreeFs, base: '/t' }, WRITE_SCRIPT);
});

test('copies between the host and a kernel, and between two kernel volumes, keep every byte', async (t) => {
  const host = hostTree(t);
  const { k, vol } = kernelTree(t);
  k.fs.mkdirSync('/other');
  const vols = { img: vol, two: rootedVolume(k.fs, '/other', 'two:', hostIds) };
  const out = nodefs.mkdtempSync('/dev/shm/rumpkit-cli-out-');
  t.teardown(() => nodefs.rmSync(out, { recursive: true, force: true }));
  // host -> image, image -> other image, image -> host
  t.like(await tool(vols, 'cp', '-a', `${host}/d`, 'img:/fromhost'), { status: 0, err: '' });
  t.like(await tool(vols, 'cp', '-a', 'img:/fromhost', 'two:/'), { status: 0, err: '' });
  t.like(await tool(vols, 'cp', '-a', 'two:/fromhost', `${out}/back`), { status: 0, err: '' });
  t.deepEqual(snapshot(nodefs as unknown as TreeFs, `${out}/back`), snapshot(nodefs as unknown as TreeFs, `${host}/d`));
  t.deepEqual(snapshot(k.fs as unknown as TreeFs, '/other/fromhost'), snapshot(nodefs as unknown as TreeFs, `${host}/d`));
  t.deepEqual(nodefs.readFileSync(`${out}/back/b.bin`), Buffer.alloc(70000, 7));
  t.true(Math.abs(nodefs.statSync(`${out}/back/a.txt`).mtimeMs - nodefs.statSync(`${host}/d/a.txt`).mtimeMs) < 0.01, 'cp -a keeps times');
  // mv across volumes copies and removes
  const r = await tool(vols, 'mv', '-v', 'img:/d', `${out}/moved`);
  t.is(r.status, 0, r.err);
  t.is(r.out, `renamed 'img:/d' -> '${out}/moved'\n`);
  t.false(k.fs.existsSync('/t/d'));
  t.deepEqual(snapshot(nodefs as unknown as TreeFs, `${out}/moved`), snapshot(nodefs as unknown as TreeFs, `${host}/d`));
  // a large file, in more than one chunk
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  nodefs.writeFileSync(`${out}/big`, big);
  t.is((await tool(vols, 'cp', `${out}/big`, 'two:/big')).status, 0);
  t.deepEqual(k.fs.readFileSync('/other/big'), big);
  t.is((await tool(vols, 'cat', 'two:/big')).out.length, big.toString().length);
});

test('chown looks names up in the volume\'s own /etc/passwd and /etc/group', async (t) => {
  const k = Kernel.bootSync();
  t.teardown(() => k.haltSync());
  k.fs.mkdirSync('/img/etc', { recursive: true });
  k.fs.writeFileSync('/img/etc/passwd', 'root:x:0:0::/root:/bin/sh\nalice:x:1001:1002::/home/alice:/bin/sh\n');
  k.fs.writeFileSync('/img/etc/group', 'root:x:0:\nstaff:x:50:\nalice:x:1002:\n');
  k.fs.writeFileSync('/img/f', 'x');
  const vols = { img: rootedVolume(k.fs, '/img', 'img:') };
  t.like(await tool(vols, 'chown', 'alice:staff', 'img:/f'), { status: 0 });
  t.like(k.fs.statSync('/img/f'), { uid: 1001, gid: 50 });
  t.like(await tool(vols, 'chown', 'root:', 'img:/f'), { status: 0 });
  t.like(k.fs.statSync('/img/f'), { uid: 0, gid: 0 });
  t.like(await tool(vols, 'chown', 'alice:', 'img:/f'), { status: 0 });
  t.like(k.fs.statSync('/img/f'), { uid: 1001, gid: 1002 });
  t.deepEqual(await tool(vols, 'chown', 'bob', 'img:/f'), { out: '', err: "rumpkit chown: invalid user: 'bob'\n", status: 1 });
  t.regex((await tool(vols, 'ls', '-l', 'img:/f')).out, /^-rw-r--r-- 1 alice alice 1 /);
  t.like(await tool(vols, 'stat', '-c', '%U %G', 'img:/f'), { out: 'alice alice\n' });
  // Without a passwd file names are numeric only.
  k.fs.mkdirSync('/bare');
  k.fs.writeFileSync('/bare/f', 'x');
  const bare = { img: rootedVolume(k.fs, '/bare', 'img:') };
  t.like(await tool(bare, 'chown', 'root', 'img:/f'), { status: 1 });
  t.like(await tool(bare, 'chown', '3:4', 'img:/f'), { status: 0 });
  t.regex((await tool(bare, 'ls', '-l', 'img:/f')).out, /^-rw-r--r-- 1 3 4 1 /);
});

test('rmdir -p stops at the root of the volume', async (t) => {
  const { k, vol } = kernelTree(t);
  k.fs.mkdirSync('/t/p/q/r', { recursive: true });
  t.deepEqual(await tool({ img: vol }, 'rmdir', '-pv', 'img:/p/q/r'), {
    out: "rumpkit rmdir: removing directory, 'img:/p/q/r'\nrumpkit rmdir: removing directory, 'img:/p/q'\n" +
      "rumpkit rmdir: removing directory, 'img:/p'\n",
    err: '', status: 0,
  });
  t.false(k.fs.existsSync('/t/p'));
  t.true(k.fs.existsSync('/t'));
});

test('tree draws the hierarchy and counts directories and files', async (t) => {
  const { vol } = kernelTree(t);
  const r = await tool({ img: vol }, 'tree', 'img:/d');
  t.deepEqual(r, {
    out: 'img:/d\n├── a.txt\n├── b.bin\n└── sub\n    ├── c.txt\n    └── deep\n        └── z.TXT\n\n2 directories, 4 files\n',
    err: '', status: 0,
  });
  t.like(await tool({ img: vol }, 'tree', '-L', '1', 'img:/d'), { out: 'img:/d\n├── a.txt\n├── b.bin\n└── sub\n\n1 directory, 2 files\n' });
  t.like(await tool({ img: vol }, 'tree', '-d', 'img:/d'), { out: 'img:/d\n└── sub\n    └── deep\n\n2 directories\n' });
  t.regex((await tool({ img: vol }, 'tree', 'img:/')).out, /├── link -> f\.txt\n/);
});

test('chmod modes mean what chmod makes of them', (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-cli-mode-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const modes = ['u+x', 'go-w', 'a=rX', 'g=u', 'o+t', 'u+s,g+s', '=r', '+w', '-x', 'a-rwx,u+rw', 'ug=rw,o=', '755', '0', '4711', 'u=rwx,g=rx,o=r', 'o=g', '+X'];
  for (const start of [0o644, 0o700, 0o4755, 0o1000, 0o2770]) {
    for (const isDir of [false, true]) {
      const p = `${dir}/x`;
      nodefs.rmSync(p, { recursive: true, force: true });
      if (isDir) nodefs.mkdirSync(p);
      else nodefs.writeFileSync(p, '');
      for (const m of modes) {
        nodefs.chmodSync(p, start);
        const r = coreutils({}, 'chmod', m, p);
        t.is(r.status, 0, r.err);
        const want = nodefs.statSync(p).mode & 0o7777;
        t.is(parseMode(m)!(start, isDir, 0o22).toString(8), want.toString(8), `chmod ${m} on ${start.toString(8)} ${isDir ? 'dir' : 'file'}`);
      }
    }
  }
  for (const bad of ['7777x', 'u+q', 'x+r', '', '77777']) t.is(parseMode(bad), undefined, bad);
});

test('human sizes are rounded up as ls -h rounds them', (t) => {
  const cases: Array<[number, string]> = [[0, '0'], [1023, '1023'], [1024, '1.0K'], [1025, '1.1K'], [10239, '10K'], [10240, '10K'],
    [10241, '11K'], [1048575, '1.0M'], [1572864, '1.5M'], [1048576 * 1023.5, '1.0G']];
  for (const [n, s] of cases) t.is(human(n), s, String(n));
});

test('--help of every tool', async (t) => {
  for (const name of ['ls', 'cat', 'cp', 'mv', 'rm', 'mkdir', 'rmdir', 'ln', 'chmod', 'chown', 'stat', 'du', 'find', 'tree']) {
    const r = await tool({}, name, '--help');
    t.is(r.status, 0, name);
    t.regex(r.out, new RegExp(`^Usage: rumpkit ${name} `), name);
  }
});

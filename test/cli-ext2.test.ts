// End to end: `rumpkit ls|cat|cp|stat|find|du|tree` run as a command on an
// ext2 image made by the real mke2fs -d from a host tree, compared with
// coreutils on that tree.  The kernel must have the ext2 driver: without it
// (mounting a fresh image fails with ENODEV) the test is skipped and says so.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { buildTree, haveExt2, mkimage, rumpkit, snapshot, type Result, type TreeFs } from './cli-helpers.js';

const ext2 = haveExt2();
const title = (s: string) => (ext2 ? s : `${s} — SKIPPED: this kernel has no ext2 driver (mount gives ENODEV)`);
const maybe = ext2 ? test : test.skip;

/** What an ext2 image has that a tmpfs tree has not: lost+found, its own directory sizes and block counts. */
function norm(r: Result): Result {
  return {
    ...r,
    out: r.out.split('\n').filter((l) => !l.includes('lost+found')).join('\n')
      .replace(/^total .*$/gm, 'total N')
      .replace(/^(d\S+\s+)\d+(\s+\S+\s+\S+)\s+\d+/gm, '$1L$2 N')
      // Column widths follow the directories' sizes.
      .replace(/ +/g, ' '),
  };
}

/** A fresh directory (removed after the test) holding a random tree t/ and an image made from it. */
function treeImage(t: ExecutionContext): { dir: string; tree: string; img: string } {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-cli-ext2-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const tree = `${dir}/t`;
  nodefs.mkdirSync(tree);
  buildTree(nodefs as unknown as TreeFs, tree);
  return { dir, tree, img: mkimage(dir, tree) };
}

maybe(title('rumpkit ls, cat, cp, stat, find, du and tree on an image made by mke2fs -d'), (t) => {
  const { dir, tree, img } = treeImage(t);
  const I = `${img}:`;
  // coreutils() maps NAME:PATH with NAME a word; the image path is not one, so map by hand.
  const cu = (name: string, ...args: string[]) => {
    const r = spawnSync(name, args.map((a) => (a.startsWith(I) ? tree + (a.slice(I.length) || '/') : a)),
      { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const back = (s: string) => s.split(tree).join(I.slice(0, -1) + ':').replace(new RegExp(`^${name}: `, 'gm'), `rumpkit ${name}: `);
    return { out: back(r.stdout), err: back(r.stderr), status: r.status ?? -1 };
  };
  const cmp = (args: string[], f: (r: Result) => Result = (r) => r) => {
    t.deepEqual(f(rumpkit(...args)), f(cu(args[0]!, ...args.slice(1))), args.join(' '));
  };
  const sorted = (r: Result): Result => ({ ...r, out: r.out.split('\n').sort().join('\n') });
  cmp(['ls', `${I}/`], norm);
  cmp(['ls', '-ln', `${I}/`], norm);
  cmp(['ls', '-lnR', `${I}/d`], norm);
  cmp(['ls', '-lna', `${I}/d/sub`], norm);
  cmp(['ls', '-lnd', `${I}/link`, `${I}/f.txt`, `${I}/suid`], norm);
  cmp(['ls', `${I}/nope`]);
  cmp(['cat', `${I}/f.txt`, `${I}/d/a.txt`]);
  cmp(['cat', `${I}/nope`]);
  cmp(['stat', '-c', '%n %s %a %A %F %h %u %g %Y', `${I}/f.txt`, `${I}/link`, `${I}/run.sh`, `${I}/suid`, `${I}/s1_5m`, `${I}/d/b.bin`]);
  cmp(['find', `${I}/`, '-name', '*.txt'], (r) => sorted(norm(r)));
  cmp(['find', `${I}/d`, '-type', 'f'], sorted);
  cmp(['du', '-ab', `${I}/d/a.txt`, `${I}/d/b.bin`, `${I}/s1m`]);
  // Out of the image: cp -a keeps contents, modes, owners and links.
  const out = `${dir}/out`;
  nodefs.mkdirSync(out);
  const r = rumpkit('cp', '-a', `${I}/d`, `${I}/f.txt`, `${I}/link`, `${I}/hard`, out);
  t.is(r.status, 0, r.err);
  t.deepEqual(snapshot(nodefs as unknown as TreeFs, `${out}/d`), snapshot(nodefs as unknown as TreeFs, `${tree}/d`));
  t.deepEqual(nodefs.readFileSync(`${out}/d/b.bin`), nodefs.readFileSync(`${tree}/d/b.bin`));
  t.is(nodefs.readlinkSync(`${out}/link`), 'f.txt');
  // (128-byte inodes keep whole seconds.)
  t.is(Math.floor(nodefs.statSync(`${out}/d/a.txt`).mtimeMs / 1000), Math.floor(nodefs.statSync(`${tree}/d/a.txt`).mtimeMs / 1000));
  const tr = rumpkit('tree', `${I}/d`);
  t.is(tr.out, `${I}/d\n├── a.txt\n├── b.bin\n└── sub\n    ├── c.txt\n    └── deep\n        └── z.TXT\n\n2 directories, 4 files\n`);
  // Two images in one command: copy from one into the other through one kernel.
  const img2 = mkimage(dir, `${tree}/d/sub`, 'two.img');
  const two = rumpkit('cp', `${img2}:/c.txt`, `${I}/from-two`);
  t.is(two.status, 0, two.err);
  t.is(rumpkit('cat', `${I}/from-two`).out, 'c');
  t.is(rumpkit('cat', `${img2}:/deep/z.TXT`, `${I}/d/sub/deep/z.TXT`).out, 'zzzz');
  // what the image holds after the write, e2fsck accepts
  t.is(spawnSync('e2fsck', ['-fn', img]).status, 0);
});

test('an image that is not there, or not ext2', (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-cli-ext2-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  nodefs.writeFileSync(`${dir}/zero.img`, Buffer.alloc(1 << 20));
  const r = rumpkit('ls', `${dir}/zero.img:/`);
  t.is(r.status, 2);
  t.regex(r.err, new RegExp(`^rumpkit ls: cannot mount image '${dir}/zero.img' as ext2: `));
  // An operand whose prefix is no host file is a host path.
  const h = rumpkit('ls', `${dir}/missing.img:/x`);
  t.deepEqual(h, { out: '', err: `rumpkit ls: cannot access '${dir}/missing.img:/x': No such file or directory\n`, status: 2 });
  const c = rumpkit('cat', '--fstype', 'tmpfs', `${dir}/zero.img:/nope`);
  t.deepEqual(c, { out: '', err: `rumpkit cat: ${dir}/zero.img:/nope: No such file or directory\n`, status: 1 });
  t.is(rumpkit('help', 'cp').out.split('\n')[0], 'Usage: rumpkit cp [OPTION]... [-T] SOURCE DEST');
  t.regex(rumpkit('help').out, /Image tools/);
});

maybe(title('an image named twice (another spelling, a hard link) is mounted once: mv between the names renames'), (t) => {
  const { dir, img } = treeImage(t);
  nodefs.linkSync(img, `${dir}/alias.img`);
  const ino = (p: string) => rumpkit('stat', '-c', '%i', p).out;
  const before = ino(`${img}:/d/a.txt`);
  // Two kernels' worth of ext2 on one file would each write their own bitmaps: e2fsck would object.
  const mv = rumpkit('mv', '-v', `${img}:/d`, `${dir}/./disk.img:/d-moved`);
  t.deepEqual(mv, { out: `renamed '${img}:/d' -> '${dir}/./disk.img:/d-moved'\n`, err: '', status: 0 });
  t.like(rumpkit('mv', `${dir}/alias.img:/f.txt`, `${img}:/d-moved/f.txt`), { status: 0, err: '' });
  t.is(ino(`${img}:/d-moved/a.txt`), before, 'renamed, not copied');
  t.is(rumpkit('cat', `${dir}/alias.img:/d-moved/f.txt`).out, 'hello\n');
  t.is(rumpkit('ls', `${img}:/`).out.split('\n').filter((l) => /^(d|d-moved|f\.txt)$/.test(l)).join(' '), 'd-moved');
  const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  t.is(fsck.status, 0, fsck.stdout);
});

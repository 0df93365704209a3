// rumpkit fsck: images made by mke2fs -d from a host tree walk clean (every
// entry counted, the image left unchanged); images damaged with debugfs -w
// give each damaged path, the driver's message and status 4 where e2fsck
// also objects; images that cannot be checked give 8; usage errors 16.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import test from 'ava';
import { buildTree, haveExt2, mkimage, rumpkit, type TreeFs } from './cli-helpers.js';

const ext2 = haveExt2();
const maybe = ext2 ? test : test.skip;
const title = (s: string) => (ext2 ? s : `${s} — SKIPPED: this kernel has no ext2 driver (mount gives ENODEV)`);

const sha = (p: string) => createHash('sha256').update(nodefs.readFileSync(p)).digest('hex');

function debugfs(img: string, script: string): void {
  const r = spawnSync('debugfs', ['-w', '-f', '-', img], { input: script, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`debugfs: ${r.stderr}`);
}

/** Directories, files, symbolic links and other files below (and with) a host directory. */
function count(dir: string): { dirs: number; files: number; links: number; other: number } {
  const n = { dirs: 1, files: 0, links: 0, other: 0 };
  for (const e of nodefs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      const c = count(`${dir}/${e.name}`);
      n.dirs += c.dirs;
      n.files += c.files;
      n.links += c.links;
      n.other += c.other;
    } else if (e.isSymbolicLink()) n.links++;
    else if (e.isFile()) n.files++;
    else n.other++;
  }
  return n;
}

maybe(title('an image made by mke2fs -d walks clean: status 0, every entry counted, the image unchanged'), (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-fsck-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const tree = `${dir}/t`;
  nodefs.mkdirSync(tree);
  buildTree(nodefs as unknown as TreeFs, tree);
  nodefs.mkdirSync(`${tree}/lost+found`); // as the image has it
  spawnSync('mkfifo', [`${tree}/fifo`]);
  const img = mkimage(dir, tree);
  const before = sha(img);
  const n = count(tree);
  const r = rumpkit('fsck', img);
  t.deepEqual(r, {
    out: `${img}: no problems found by the ext2 driver (${n.dirs} directories, ${n.files} files, ` +
      `${n.links} symbolic links, 1 other file)\n`,
    err: '', status: 0,
  });
  t.is(sha(img), before, 'read-only');
  const v = rumpkit('fsck', '-v', img);
  t.is(v.status, 0);
  t.true(v.out.includes(`${img}:/d/sub/deep/z.TXT\n`) && v.out.includes(`${img}:/fifo\n`), v.out);
});

maybe(title('damaged inodes and directories: each path, what the driver says, status 4 — e2fsck objects too'), (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-fsck-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const tree = `${dir}/t`;
  for (const d of ['d', 'e', 'ok']) nodefs.mkdirSync(`${tree}/${d}`, { recursive: true });
  nodefs.writeFileSync(`${tree}/f`, 'hello\n');
  nodefs.writeFileSync(`${tree}/g`, Buffer.alloc(20000));
  nodefs.writeFileSync(`${tree}/ok/good`, 'fine\n');
  const img = mkimage(dir, tree);
  t.is(rumpkit('fsck', img).status, 0, 'before the damage');
  debugfs(img, 'set_inode_field /f block[0] 99999999\nset_inode_field /g block[IND] 5000000\n' +
    'set_inode_field /d block[0] 0\nset_inode_field /e mode 0170000\n');
  const before = sha(img);
  const r = rumpkit('fsck', img);
  t.is(r.status, 4);
  t.is(r.err, '');
  const lines = r.out.split('\n');
  t.deepEqual(lines.filter((l) => l.startsWith(`${img}:/`)), [
    `${img}:/d: read directory: Structure needs cleaning`,
    `${img}:/e: lstat: Structure needs cleaning`,
    `${img}:/f: read: Structure needs cleaning`,
    `${img}:/g: read: Structure needs cleaning`,
  ]);
  for (const what of ['hole at block 0', 'bad mode 0xf000', 'block slot 0 points to block 99999999',
    'block slot 12 points to block 5000000']) {
    t.true(lines.some((l) => l.startsWith(`${img}: ext2fs: corrupt file system: `) && l.includes(what)), what);
  }
  t.regex(lines.at(-2)!, new RegExp(`^${img}: 4 problems found by the ext2 driver \\(`));
  t.is(sha(img), before, 'read-only');
  t.not(spawnSync('e2fsck', ['-fn', img]).status, 0, 'e2fsck agrees the image is damaged');
});

maybe(title('a damaged superblock is a finding (4); no image or no ext2 cannot be checked (8); usage errors 16'), (t) => {
  const dir = nodefs.mkdtempSync('/dev/shm/rumpkit-fsck-');
  t.teardown(() => nodefs.rmSync(dir, { recursive: true, force: true }));
  const img = mkimage(dir);
  debugfs(img, 'ssv inodes_count 7\n');
  const sb = rumpkit('fsck', img);
  t.is(sb.status, 4);
  t.regex(sb.out, new RegExp(`^${img}: ext2fs: corrupt file system: .*\\n${img}: cannot mount: Structure needs cleaning\\n$`));
  nodefs.writeFileSync(`${dir}/zero.img`, Buffer.alloc(1 << 20));
  t.deepEqual(rumpkit('fsck', `${dir}/zero.img`, `${dir}/none.img`), {
    out: '',
    err: `rumpkit fsck: ext2fs: no ext2 file system (bad magic 0x0)\n` +
      `rumpkit fsck: cannot mount image '${dir}/zero.img' as ext2: Invalid argument\n` +
      `rumpkit fsck: cannot open image '${dir}/none.img': No such file or directory\n`,
    status: 8,
  });
  t.is(rumpkit('fsck', img, `${dir}/zero.img`).status, 12, 'the bits combine');
  t.like(rumpkit('fsck'), { status: 16, err: "rumpkit fsck: missing image operand\nTry 'rumpkit fsck --help' for more information.\n" });
  t.like(rumpkit('fsck', '-q', img), { status: 16, err: "rumpkit fsck: invalid option -- 'q'\nTry 'rumpkit fsck --help' for more information.\n" });
  t.regex(rumpkit('fsck', '--help').out, /^Usage: rumpkit fsck .*\n[\s\S]*no replacement for e2fsck/);
});

#!/usr/bin/env node
// Makes link mode's archive, librumpkit-app.a: the kernel, the hypercall
// layer, the hijack layer and the link-mode start-up as ONE relocatable
// object in which only the interposed libc names (and the rump_* API) stay
// global.  An unchanged program can then define whatever names it likes
// (a function called panic, copyin or vfs_lookup) without clashing with the
// kernel's, and the program's libc calls bind to the hijack's definitions.
// Also writes the dynamic list that exports those names from the program,
// so that the shared libraries it loads reach them too.
//
// Usage: app-archive.mjs OUT.a OUT.dynlist KERNEL-OBJECTS.txt HIJACK-OBJECTS.txt
//   (each .txt: object paths, one a line, or ';'-separated)
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [outA, outList, kernList, hjList] = process.argv.slice(2);
if (!hjList) {
  console.error('usage: app-archive.mjs OUT.a OUT.dynlist KERNEL-OBJECTS.txt HIJACK-OBJECTS.txt');
  process.exit(2);
}
const objs = (f) => readFileSync(f, 'utf8').split(/[\n;]/).map((s) => s.trim()).filter(Boolean);
const kern = objs(kernList);
const hj = objs(hjList);
const tool = (name) => process.env[name.toUpperCase()] || name;
const run = (cmd, args) => execFileSync(tool(cmd), args, { encoding: 'utf8', maxBuffer: 64 << 20 });

// Globals the program must see: what the hijack layer defines (libc's names
// it interposes, minus its internal hj_* glue), and the kernel's C API.
const keep = new Set();
for (const line of run('nm', ['-g', '--defined-only', ...hj]).split('\n')) {
  const m = /^[0-9a-f]+ [A-Za-z] (\S+)$/.exec(line);
  if (m && !m[1].startsWith('hj_')) keep.add(m[1]);
}
for (const line of run('nm', ['-g', '--defined-only', ...kern]).split('\n')) {
  const m = /^[0-9a-f]+ [A-Za-z] (rump_\S+)$/.exec(line);
  if (m) keep.add(m[1]);
}

const dir = dirname(outA);
const obj = join(dir, 'rumpkit-app.o');
const keepFile = join(dir, 'rumpkit-app.keep');
writeFileSync(keepFile, `${[...keep].sort().join('\n')}\n`);
run('ld', ['-r', '-o', obj, ...kern, ...hj]);
run('objcopy', [`--keep-global-symbols=${keepFile}`, obj]);
rmSync(outA, { force: true });
run('ar', ['rcs', outA, obj]);
const interposed = [...keep].filter((s) => !s.startsWith('rump_')).sort();
writeFileSync(outList, `{\n${interposed.map((s) => `\t${s};`).join('\n')}\n};\n`);
rmSync(obj, { force: true });

#!/usr/bin/env node
// Checks the kernel's object files for the two rules that keep it a
// library of many kernels (DESIGN.md rules 1 and 2):
//   boundary: nothing undefined but rumpuser_*, other kernel symbols, and
//             freestanding helpers (mem*, str*, compiler support);
//   globals:  no writable data (.data, .bss); thread-locals are allowed.
// Usage: check-kernel.mjs OBJECT-LIST-FILE | OBJECT...
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ALLOWED = [
  /^rumpuser_/, /^mem(cpy|move|set|cmp|chr)$/, /^str(len|nlen|cmp|ncmp|chr|rchr)$/,
  /^__tls_get_addr$/, /^__stack_chk_fail$/, /^_GLOBAL_OFFSET_TABLE_$/,
  /^__(asan|ubsan|sanitizer|lsan)_/, /^__gcov_/, /^__udivti3$/, /^__umodti3$/,
];
const WRITABLE = /^\.(data|bss)(\.|$)/;
const READONLY_OK = /^\.data\.rel\.ro(\.|$)/;

let objects = process.argv.slice(2);
if (objects.length === 1 && objects[0].endsWith('.txt')) {
  objects = readFileSync(objects[0], 'utf8').split('\n').filter(Boolean);
}
if (objects.length === 0) {
  console.error('check-kernel: no objects given');
  process.exit(2);
}

const defined = new Set();
const undefinedBy = new Map();
const problems = [];
for (const obj of objects) {
  const syms = execFileSync('nm', ['-P', obj], { encoding: 'utf8' });
  for (const line of syms.split('\n').filter(Boolean)) {
    const [name, type] = line.split(/\s+/);
    if (type === 'U' || type === 'w') {
      if (!undefinedBy.has(name)) undefinedBy.set(name, []);
      undefinedBy.get(name).push(obj);
    } else {
      defined.add(name);
    }
  }
  // Sections: any writable data section with a non-zero size is a global.
  const sections = execFileSync('readelf', ['-SW', obj], { encoding: 'utf8' });
  for (const m of sections.matchAll(/\]\s+(\S+)\s+(PROGBITS|NOBITS)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)/g)) {
    const [, name, , size, flags] = m;
    if (WRITABLE.test(name) && !READONLY_OK.test(name) && parseInt(size, 16) > 0 &&
        !flags.includes('T')) {
      const symtab = execFileSync('readelf', ['-sW', obj], { encoding: 'utf8' });
      const objsyms = symtab.split('\n').filter((l) => /\bOBJECT\b/.test(l) && !/\bTLS\b/.test(l))
        .map((l) => l.trim().split(/\s+/).pop());
      problems.push(`globals: ${obj}: writable section ${name} (${parseInt(size, 16)} bytes)` +
        (objsyms.length ? `: ${objsyms.join(', ')}` : ''));
    }
  }
}
for (const [name, objs] of undefinedBy) {
  if (defined.has(name) || ALLOWED.some((re) => re.test(name))) continue;
  problems.push(`boundary: ${name} is called by ${objs.map((o) => o.split('/').pop()).join(', ')}`);
}
if (problems.length) {
  for (const p of problems) console.error(`check-kernel: ${p}`);
  console.error(`check-kernel: ${problems.length} problem(s) in ${objects.length} objects`);
  process.exit(1);
}
console.log(`check-kernel: ${objects.length} kernel objects: boundary and no-globals rules hold`);

// npm run bench: every benchmark script, one after the other (each measures
// its sides against each other within its own run).  With --json, one
// document holding each script's document.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { checkArgs, json, root } from './common.js';

checkArgs('bench/all.ts');
const scripts = {
  kernel: 'bench/run.ts', fs: 'bench/fs.ts', ext2: 'bench/ext2.ts', net: 'bench/net.ts', sysproxy: 'bench/sysproxy.ts',
  hijack: 'bench/hijack.ts',
};
const argv = (script: string) => ['--expose-gc', '--import', 'tsx', join(root, script), ...(json ? ['--json'] : [])];

if (json) {
  const doc: Record<string, unknown> = {};
  for (const [name, script] of Object.entries(scripts)) {
    doc[name] = JSON.parse(execFileSync(process.execPath, argv(script),
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 }));
  }
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
} else {
  for (const script of Object.values(scripts)) {
    execFileSync(process.execPath, argv(script), { cwd: root, stdio: 'inherit' });
    process.stdout.write('\n');
  }
}

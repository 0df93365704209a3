// The main job (npm start): the demo's kernels really act, and the two on
// the shmif bus really exchange an HTTP request and response.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('rumpkit demo: isolated kernels, then HTTP between two kernels on a bus', (t) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli.ts'), 'demo', '--kernels', '2'],
    { encoding: 'utf8' });
  t.regex(out, /uid 1001 may not become root: EPERM/);
  t.regex(out, /GET http:\/\/10\.0\.0\.1\/index\.html -> 200 hello from kernel \d+ \(GET \/index\.html\)/);
  t.regex(out, /tcp LISTEN +10\.0\.0\.1:80 \*/);
  t.regex(out, /rumpkit: halted 4 kernels; 0 still running/);
});

// The main job (npm start): the demo's kernels really act, and the two on
// the shmif bus really exchange an HTTP request and response, and Debian's
// sh pipeline writes into a served kernel's ext2 image what ls and cat
// then read back with a kernel inside themselves.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('rumpkit demo: isolated kernels, HTTP between two kernels on a bus, unmodified programs on an image', (t) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli.ts'), 'demo', '--kernels', '2'],
    { encoding: 'utf8' });
  t.regex(out, /uid 1001 may not become root: EPERM/);
  t.regex(out, /GET http:\/\/10\.0\.0\.1\/index\.html -> 200 hello from kernel \d+ \(GET \/index\.html\)/);
  t.regex(out, /tcp LISTEN +10\.0\.0\.1:80 \*/);
  t.regex(out, /rumpkit: halted 5 kernels; 0 still running/);
  // the pipeline's copy has the host file's digest, inside the kernel
  const sums = [...out.matchAll(/^sh\| ([0-9a-f]{64})  (\S+)$/gm)];
  t.deepEqual(sums.map((m) => m[2]), ['/etc/os-release', '/rump/etc/os-release']);
  t.is(sums[0]![1], sums[1]![1]);
  t.regex(out, /\/etc holds first-users, os-release; served \d+ system calls/);
  // local mode reads what the served kernel wrote: sort's first three lines of passwd
  const first = [...out.matchAll(/^cat\| (.*)$/gm)].map((m) => m[1]);
  const want = execFileSync('sh', ['-c', 'LC_ALL=C sort /etc/passwd | head -n 3'], { encoding: 'utf8' }).trimEnd().split('\n');
  t.deepEqual(first, want);
  t.regex(out, /^ls\| -rw-r--r-- 1 root root +\d+ .* os-release$/m);
  t.regex(out, /e2fsck -fn .*: clean/);
});

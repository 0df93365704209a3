// The demo's last part: Debian's own programs, unchanged, with their files
// in a kernel.  A kernel serves an ext2 image made on the fly to a shell
// pipeline (remote mode: every process of the pipeline is a process of
// that kernel); then, with the server halted, `ls` and `cat` boot a kernel
// inside themselves on the same image (local mode) and read what the
// pipeline left.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hijackEnv } from '../hijack.js';
import { Kernel } from '../kernel.js';

const PIPELINE = [
  'mkdir -p /rump/etc',
  'cp -p /etc/os-release /rump/etc/',
  'sort /etc/passwd | head -n 3 > /rump/etc/first-users',
  'ls -l /rump/etc',
  'sha256sum /etc/os-release /rump/etc/os-release',
].join(' && ');

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function show(out: (s: string) => void, who: string, r: ReturnType<typeof spawnSync>): void {
  for (const line of `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n')) out(`${who}| ${line}`);
  if (r.status !== 0) throw new Error(`${who} exited with status ${r.status}`);
}

export async function demoPrograms(out: (s: string) => void): Promise<void> {
  if (!have('mke2fs')) {
    out('rumpkit: mke2fs is not installed (e2fsprogs): skipping the unmodified programs');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rumpkit-demo-'));
  const img = join(dir, 'disk.img');
  try {
    spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', img, '8M'], { stdio: 'ignore' });
    const k = Kernel.bootSync({ hostname: 'served', disks: [{ key: '/dev/ld0', path: img }] });
    try {
      k.sys.mount('/dev/ld0', '/', 'ext2', 0, null);
      const srv = await k.serve(`unix://${join(dir, 'kernel.sock')}`);
      out(`kernel ${k.id}: ext2 image ${img} mounted on /, serving system calls on ${srv.url}`);
      out(`host: sh -c '${PIPELINE}'   (Debian's sh, mkdir, cp, sort, head, ls, sha256sum; /rump is the kernel's /)`);
      const env = hijackEnv({ server: srv.url, env: { LC_ALL: 'C' } });
      show(out, 'sh', spawnSync('sh', ['-c', PIPELINE], { env, encoding: 'utf8', timeout: 60_000 }));
      const st = srv.stats();
      out(`kernel ${k.id}: /etc holds ${k.fs.readdirSync('/etc').join(', ')}; served ${st.calls} system calls ` +
        `to ${st.accepted} connections`);
      await srv.close();
    } finally {
      await k.halt();
    }
    out('host: ls -l /rump/etc; cat /rump/etc/first-users   (each booting a kernel inside itself on the image)');
    const local = hijackEnv({ images: [`ext2:${img}:/`], env: { LC_ALL: 'C' } });
    show(out, 'ls', spawnSync('ls', ['-l', '/rump/etc'], { env: local, encoding: 'utf8', timeout: 60_000 }));
    show(out, 'cat', spawnSync('cat', ['/rump/etc/first-users'], { env: local, encoding: 'utf8', timeout: 60_000 }));
    if (have('e2fsck')) {
      const r = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
      out(`host: e2fsck -fn ${img}: ${r.status === 0 ? 'clean' : `status ${r.status}`}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

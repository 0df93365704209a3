// Running unmodified programs on a kernel: where librumphijack.so is, and
// the environment that makes a program boot a kernel inside itself (local
// mode) or use a server (remote mode).  docs/hijack.md tells the rules.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The hijack library: $RUMPKIT_HIJACK_LIB, or the one built next to the addon. */
export function hijackLibrary(): string {
  const env = process.env.RUMPKIT_HIJACK_LIB;
  if (env) return resolve(env);
  for (const p of [join(ROOT, 'build', 'Release', 'librumphijack.so'),
    join(ROOT, 'build', 'cmake', 'Release', 'librumphijack.so'),
    join(ROOT, 'build', 'cmake', 'librumphijack.so')]) {
    if (existsSync(p)) return p;
  }
  throw new Error('librumphijack.so is not built (npm run build:native), and RUMPKIT_HIJACK_LIB is not set');
}

export interface HijackOptions {
  /** Local mode: disk images, 'ext2:disk.img:/' (FSTYPE:HOSTPATH:KERNELPATH[:ro]). */
  images?: string[];
  /** Local mode: interfaces, 'tap:IF,addr=A/N[,gw=G]'. */
  nets?: string[];
  /** Remote mode: the server's URL (unix:///path, tcp://host:port). */
  server?: string;
  /** RUMPHIJACK (NetBSD's syntax); unset: path=/rump,socket=all:nolocal. */
  rumphijack?: string;
  /** More variables for the program. */
  env?: Record<string, string>;
}

/** The environment for a program run on a kernel, from the current one. */
export function hijackEnv(o: HijackOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of ['RUMPKIT_IMAGE', 'RUMPKIT_NET', 'RUMP_SERVER', 'RUMPHIJACK__FDMAP', 'RUMPHIJACK__KCWD']) delete env[k];
  const lib = hijackLibrary();
  env.LD_PRELOAD = base.LD_PRELOAD ? `${lib}:${base.LD_PRELOAD}` : lib;
  if (o.server) env.RUMP_SERVER = o.server;
  if (o.images?.length) env.RUMPKIT_IMAGE = o.images.map((i) => absImage(i)).join(';');
  if (o.nets?.length) env.RUMPKIT_NET = o.nets.join(';');
  if (o.rumphijack !== undefined) env.RUMPHIJACK = o.rumphijack;
  Object.assign(env, o.env);
  return env;
}

/** FSTYPE:HOSTPATH:KPATH with HOSTPATH made absolute (the program may chdir). */
function absImage(spec: string): string {
  const a = spec.indexOf(':');
  const b = spec.replace(/:ro$/, '').lastIndexOf(':');
  if (a < 0 || b <= a) throw new Error(`--image ${spec}: expected FSTYPE:HOSTPATH:KERNELPATH`);
  return `${spec.slice(0, a + 1)}${resolve(spec.slice(a + 1, b))}${spec.slice(b)}`;
}

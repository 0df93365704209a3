// A Volume is where a command's operand lives: a node:fs-shaped object (node:fs
// itself for host paths, k.fs for a mounted image) and the directory of that
// object which is the volume's '/'.  A Loc is one path on a volume, with the
// spelling the user gave it (for messages and output) and the path the fs
// object is called with.
import * as nodefs from 'node:fs';
import { posix } from 'node:path';
import { native } from '../native.js';

/** The synchronous node:fs functions the tools use; node:fs and k.fs both have them. */
export type FsLike = Pick<typeof nodefs,
  | 'statSync' | 'lstatSync' | 'fstatSync' | 'readdirSync' | 'openSync' | 'closeSync' | 'readSync' | 'writeSync'
  | 'mkdirSync' | 'rmdirSync' | 'unlinkSync' | 'renameSync' | 'linkSync' | 'symlinkSync' | 'readlinkSync'
  | 'chmodSync' | 'chownSync' | 'lchownSync' | 'utimesSync' | 'lutimesSync' | 'ftruncateSync' | 'readFileSync'>;

/** User and group names of a volume (its /etc/passwd and /etc/group). */
export interface IdNames {
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
  uid(name: string): number | undefined;
  gid(name: string): number | undefined;
}

export interface Volume {
  fs: FsLike;
  /** The fs path of the volume's root ('' for the host: paths are used as given). */
  root: string;
  /** What operands on this volume start with ('' for the host, 'disk.img:' for an image). */
  prefix: string;
  /** Loaded on first use from the volume's /etc/passwd and /etc/group. */
  ids?: IdNames;
  /** mknod(2) on this volume (path as fs takes it); without it special files cannot be made here. */
  mknod?: (path: string, mode: number, dev: number) => void;
  /**
   * Whether fs is node:fs on the host, where other processes may hold the other end of a FIFO
   * or a device may make a reader wait: such files are read and written through the event loop.
   */
  host?: boolean;
}

export interface Loc {
  vol: Volume;
  /** The path as the fs object takes it. */
  real: string;
  /** The path within the volume ('/etc/passwd' on an image, as given on the host). */
  path: string;
  /** The operand as the user spelled it, or a path below it. */
  shown: string;
}

/** The host's mknod(2) (Node has none), with node:fs-shaped errors. */
export function hostMknod(path: string, mode: number, dev: number): void {
  native.hostMknod(path, mode, dev);
}

export function hostVolume(): Volume {
  return { fs: nodefs, root: '', prefix: '', mknod: hostMknod, host: true };
}

/** A volume whose root is `root` in `fs` (a mounted image, or a test directory). */
export function rootedVolume(fs: FsLike, root: string, prefix: string, ids?: IdNames,
  more: Pick<Volume, 'mknod' | 'host'> = {}): Volume {
  return { fs, root: root.replace(/\/+$/, ''), prefix, ids, ...more };
}

/** The Loc of `path` on `vol` (path: the part of the operand after the prefix). */
export function locate(vol: Volume, path: string, shown = vol.prefix + path): Loc {
  if (vol.root === '' && vol.prefix === '') return { vol, real: path, path, shown };
  const inner = posix.normalize(`/${path}`);
  return { vol, real: vol.root === '' || inner !== '/' ? vol.root + inner : `${vol.root}/`, path: inner, shown };
}

/** The entry `name` of the directory at `loc`. */
export function child(loc: Loc, name: string): Loc {
  const join = (a: string, b: string) => (a.endsWith('/') ? a + b : `${a}/${b}`);
  return {
    vol: loc.vol,
    real: join(loc.real, name),
    path: join(loc.path, name),
    shown: join(loc.shown, name),
  };
}

/** The last component of a path (as basename, but '/' stays '/'). */
export function baseName(p: string): string {
  const b = posix.basename(p);
  return b === '' ? '/' : b;
}

function parseDb(text: string): Map<number, string> & { byName: Map<string, number> } {
  const m = new Map<number, string>() as Map<number, string> & { byName: Map<string, number> };
  m.byName = new Map();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || line.startsWith('#')) continue;
    const id = Number(f[2]);
    if (!Number.isInteger(id)) continue;
    if (!m.has(id)) m.set(id, f[0]!);
    if (!m.byName.has(f[0]!)) m.byName.set(f[0]!, id);
  }
  return m;
}

/** The user and group names of a volume (empty when it has no /etc/passwd or /etc/group). */
export function idNames(vol: Volume): IdNames {
  if (vol.ids) return vol.ids;
  const read = (p: string) => {
    try {
      return String(vol.fs.readFileSync(vol.root === '' ? p : vol.root + p));
    } catch {
      return '';
    }
  };
  const users = parseDb(read('/etc/passwd'));
  const groups = parseDb(read('/etc/group'));
  vol.ids = {
    user: (uid) => users.get(uid),
    group: (gid) => groups.get(gid),
    uid: (name) => users.byName.get(name),
    gid: (name) => groups.byName.get(name),
  };
  return vol.ids;
}

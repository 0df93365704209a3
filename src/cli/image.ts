// Opening disk images: an operand 'IMAGE:PATH' names PATH inside the file
// system on the host file IMAGE.  All images of one command are attached as
// disks of one kernel (read-only unless the command writes through them),
// mounted at /mnt/imgN (nodev: device nodes inside an image name the devices
// of the machine it was made for, so they are never opened), and unmounted
// (which writes everything back) and the kernel halted when the command ends,
// whether it succeeded, failed or was interrupted.  An image named twice
// (two spellings, a link) is the same host file and is mounted once.
import * as nodefs from 'node:fs';
import { Kernel, constants } from '../index.js';
import { type Ctx, ImageError, type Operand, q, strerror } from './common.js';
import { hostVolume, locate, rootedVolume, type Loc, type Volume } from './volume.js';

/** The image and path of an operand, or just a host path. */
export function splitOperand(arg: string): { image?: string; path: string } {
  for (let i = arg.indexOf(':'); i > 0; i = arg.indexOf(':', i + 1)) {
    const image = arg.slice(0, i);
    let st: nodefs.Stats | undefined;
    try {
      st = nodefs.statSync(image);
    } catch {
      continue;
    }
    if (st.isFile() || st.isBlockDevice()) return { image, path: arg.slice(i + 1) || '/' };
  }
  return { path: arg };
}

interface Mounted {
  vol: Volume;
  write: boolean;
  target: string;
}

/** The host file's identity, so that two names of one image mount it once. */
function imageId(image: string): string {
  try {
    const st = nodefs.statSync(image);
    return `${st.dev}:${st.ino}`;
  } catch {
    return image;
  }
}

/** The kernel of one command and the images it has mounted. */
export class ImageSession {
  readonly fstype: string;
  #k: Kernel | undefined;
  #images = new Map<string, Mounted>();
  #host = hostVolume();

  constructor(fstype = process.env.RUMPKIT_FSTYPE || 'ext2') {
    this.fstype = fstype;
  }

  /** Operands as Locs; each image is attached once, writable if any operand writes through it. */
  resolve(ops: readonly Operand[]): Loc[] {
    const split = ops.map((o) => {
      const s = splitOperand(o.arg);
      return { ...o, ...s, id: s.image === undefined ? undefined : imageId(s.image) };
    });
    const want = new Map<string, { image: string; write: boolean }>();
    for (const s of split) {
      if (s.id === undefined) continue;
      const w = want.get(s.id);
      want.set(s.id, { image: w?.image ?? s.image!, write: (w?.write ?? false) || s.write });
    }
    for (const [id, { image, write }] of want) this.#mount(id, image, write);
    return split.map((s) => (s.id === undefined ? locate(this.#host, s.path, s.arg)
      : locate(this.#images.get(s.id)!.vol, s.path, s.arg)));
  }

  #mount(id: string, image: string, write: boolean): void {
    const have = this.#images.get(id);
    if (have && (have.write || !write)) return;
    if (have) throw new Error(`${image}: opened read-only earlier in this command`);
    const k = (this.#k ??= Kernel.bootSync({ hostname: 'rumpkit' }));
    const n = this.#images.size;
    const key = `/dev/ld${n}`;
    const target = `/mnt/img${n}`;
    try {
      k.disks.attach({ key, path: image, readOnly: !write });
    } catch (e) {
      throw new ImageError(`cannot open image ${q(image)}: ${strerror(e)}`);
    }
    k.fs.mkdirSync(target, { recursive: true });
    try {
      k.sys.mount(key, target, this.fstype, constants.mount.MS_NODEV! | (write ? 0 : constants.mount.MS_RDONLY!), null);
    } catch (e) {
      const why = (e as { code?: string }).code === 'ENODEV' ? `this kernel has no ${this.fstype} file system`
        : strerror(e);
      throw new ImageError(`cannot mount image ${q(image)} as ${this.fstype}: ${why}`);
    }
    const vol = rootedVolume(k.fs, target, `${image}:`, undefined, {
      mknod: (path, mode, dev) => {
        k.sys.mknod(path, mode, dev);
      },
    });
    this.#images.set(id, { vol, write, target });
  }

  /** Unmount every image (writing back what is dirty) and halt the kernel; the first error is thrown. */
  close(): void {
    let first: unknown;
    for (const m of [...this.#images.values()].reverse()) {
      try {
        this.#k!.sys.umount2(m.target, 0);
      } catch (e) {
        first ??= e;
      }
    }
    this.#images.clear();
    try {
      this.#k?.haltSync();
    } catch (e) {
      first ??= e;
    }
    this.#k = undefined;
    if (first !== undefined) throw first;
  }
}

/** The context of a command run from the command line. */
export function cliContext(session: ImageSession): Ctx {
  return {
    out: (s) => writeAll(1, s),
    err: (s) => writeAll(2, s),
    resolve: (ops) => session.resolve(ops),
    tty: process.stderr.isTTY === true,
    umask: currentUmask(),
    fstype: session.fstype,
  };
}

function currentUmask(): number {
  const m = process.umask(0o22);
  process.umask(m);
  return m;
}

function writeAll(fd: number, s: string | Uint8Array): void {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  for (let off = 0; off < b.length;) {
    try {
      off += nodefs.writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as { code?: string }).code === 'EAGAIN') continue;
      if ((e as { code?: string }).code === 'EPIPE') return;
      throw e;
    }
  }
}

// k.serve(): a sysproxy server for a kernel (docs/sysproxy.md).  Programs
// linked with librumpclient (or run under librumphijack) then make their
// system calls in this kernel.  Requests are served by native threads; the
// JavaScript thread only starts, inspects and stops the server.
import { invalidArgType, invalidArgValue, translate } from './errors.js';
import { native, type ProcHandle } from './native.js';

export interface ServeOptions {
  /**
   * Clients' kernel processes stay root.  Otherwise a unix-socket client's
   * process gets the client's own uid and gids (SO_PEERCRED), and a tcp
   * client's, which carries no credentials, is nobody (65534).
   */
  keepRoot?: boolean;
}

export interface ServerStats {
  /** Connections open now (one per client thread). */
  clients: number;
  /** Connections accepted in all. */
  accepted: number;
  /** System calls served. */
  calls: number;
  /** Connections ended for malformed frames. */
  dropped: number;
}

export class SysproxyServer {
  readonly #handle: object;
  readonly #onClose: (s: SysproxyServer) => void;
  #closed = false;
  /** The address clients use as RUMP_SERVER (a tcp port 0 is resolved). */
  readonly url: string;

  /** @internal */
  constructor(handle: object, onClose: (s: SysproxyServer) => void) {
    this.#handle = handle;
    this.#onClose = onClose;
    this.url = native.serveUrl(handle);
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): ServerStats {
    if (this.#closed) return { clients: 0, accepted: 0, calls: 0, dropped: 0 };
    return native.serveStats(this.#handle);
  }

  /** @internal Stop now (the kernel halts). */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this);
    native.serveStop(this.#handle);
  }

  /**
   * Stop listening and end every client's connection: their kernel
   * processes exit, calls sleeping in the kernel are interrupted.
   */
  async close(): Promise<void> {
    this.closeSync();
  }
}

export function checkServeUrl(url: unknown): string {
  if (typeof url !== 'string') throw invalidArgType('url', 'of type string', url);
  if (!/^unix:\/\/./.test(url) && !/^tcp:\/\/[^/]*:\d+$/.test(url)) {
    throw invalidArgValue('url', url, "must be unix://PATH or tcp://HOST:PORT");
  }
  return url;
}

export function startServer(h: ProcHandle, url: unknown, options: ServeOptions | undefined,
  onClose: (s: SysproxyServer) => void): SysproxyServer {
  const u = checkServeUrl(url);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArgType('options', 'of type object', options);
  }
  const keepRoot = options?.keepRoot ?? false;
  if (typeof keepRoot !== 'boolean') throw invalidArgType('options.keepRoot', 'of type boolean', keepRoot);
  let handle: object;
  try {
    handle = native.serveStart(h, u, keepRoot);
  } catch (e) {
    throw translate(e);
  }
  return new SysproxyServer(handle, onClose);
}

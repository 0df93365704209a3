// Readiness of a process's descriptors on the event loop.  One kernel epoll
// instance per process holds every watched descriptor; when an entry gets
// ready the kernel posts one call to the loop (the addon's poller) and we
// collect with a zero-timeout epoll_wait.  No thread is parked anywhere.
import { native, type ProcHandle } from '../native.js';
import type { Sys } from '../gen/sys.js';

const constants = native.constants;
const { EPOLLIN, EPOLLOUT, EPOLLET, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL, EPOLL_CLOEXEC } =
  constants.epoll;

/** Called with the epoll events that fired. */
export type ReadyFn = (events: number) => void;

interface Watch {
  fn: ReadyFn;
  events: number;
  ref: boolean;
}

const BATCH = 256;
const EV_SIZE = 12;

/**
 * The watched descriptors of one process.  Entries are edge-triggered:
 * owners act until EAGAIN, then wait for the next edge.
 */
export class Poller {
  readonly #sys: Sys;
  readonly #epfd: number;
  readonly #handle: object;
  readonly #watches = new Map<number, Watch>();
  readonly #buf = new Uint8Array(BATCH * EV_SIZE);
  readonly #dv = new DataView(this.#buf.buffer);
  #refs = 0;
  #closed = false;

  constructor(h: ProcHandle, sys: Sys) {
    this.#sys = sys;
    this.#epfd = sys.epoll_create1(EPOLL_CLOEXEC);
    try {
      this.#handle = native.pollerCreate(h, this.#epfd, () => this.#collect());
    } catch (e) {
      sys.close(this.#epfd);
      throw e;
    }
  }

  /** Watch fd for events (EPOLLIN | EPOLLOUT …; edge-triggered). */
  add(fd: number, events: number, fn: ReadyFn, ref = true): void {
    this.#ctl(EPOLL_CTL_ADD, fd, events);
    this.#watches.set(fd, { fn, events, ref });
    if (ref) this.#ref(1);
  }

  /** Change the events fd is watched for. */
  modify(fd: number, events: number): void {
    const w = this.#watches.get(fd);
    if (w === undefined || w.events === events) return;
    this.#ctl(EPOLL_CTL_MOD, fd, events);
    w.events = events;
  }

  /** Whether fd's watch keeps the event loop alive. */
  setRef(fd: number, ref: boolean): void {
    const w = this.#watches.get(fd);
    if (w === undefined || w.ref === ref) return;
    w.ref = ref;
    this.#ref(ref ? 1 : -1);
  }

  /** Stop watching fd (before closing it). */
  remove(fd: number): void {
    const w = this.#watches.get(fd);
    if (w === undefined) return;
    this.#watches.delete(fd);
    if (w.ref) this.#ref(-1);
    if (!this.#closed) {
      try {
        this.#sys.epoll_ctl(this.#epfd, EPOLL_CTL_DEL, fd, null);
      } catch {
        // the kernel may be gone; the watch is dropped either way
      }
    }
  }

  get size(): number {
    return this.#watches.size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.clear();
    native.pollerClose(this.#handle);
    try {
      this.#sys.close(this.#epfd);
    } catch {
      // halted
    }
  }

  #ctl(op: number, fd: number, events: number): void {
    this.#sys.epoll_ctl(this.#epfd, op, fd, { events: (events | EPOLLET) >>> 0, data: fd });
  }

  #ref(delta: number): void {
    const before = this.#refs;
    this.#refs += delta;
    if ((before === 0) === (this.#refs === 0) || this.#closed) return;
    try {
      native.pollerRef(this.#handle, this.#refs > 0);
    } catch {
      this.#closed = true; // the kernel halted: its pollers were closed with it
    }
  }

  #collect(): void {
    for (;;) {
      if (this.#closed) return;
      let n: number;
      try {
        n = this.#sys.epoll_wait(this.#epfd, this.#buf, BATCH, 0);
      } catch {
        return; // the kernel halted under us
      }
      for (let i = 0; i < n; i++) {
        const events = this.#dv.getUint32(i * EV_SIZE, true);
        const fd = this.#dv.getUint32(i * EV_SIZE + 4, true);
        const w = this.#watches.get(fd);
        if (w !== undefined) w.fn(events);
      }
      if (n < BATCH) return;
    }
  }
}

export const POLLIN_EV = EPOLLIN;
export const POLLOUT_EV = EPOLLOUT;

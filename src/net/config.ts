// Network configuration of a kernel: interfaces, addresses, routes,
// impairments, capture and listings, on rump/rump_net.h.
import { invalidArgType, invalidArgValue, translate } from '../errors.js';
import { native, type ProcHandle } from '../native.js';

/** An interface to attach at boot or later. */
export type InterfaceOptions =
  | {
      kind: 'shmif';
      /** The bus: a path (with a '/') or a name under /dev/shm, shared by its members. */
      bus: string;
      address?: string;
      gateway?: string;
      mtu?: number;
      mac?: Uint8Array;
    }
  | {
      kind: 'tap';
      /** The host's TAP interface name (created when it does not exist). */
      device: string;
      address?: string;
      gateway?: string;
      mtu?: number;
      mac?: Uint8Array;
    };

export interface InterfaceInfo {
  name: string;
  index: number;
  flags: number;
  up: boolean;
  mtu: number;
  mac: string;
  addresses: { address: string; prefixLength: number; broadcast: string }[];
  counters: Record<string, number>;
}

export interface RouteInfo {
  destination: string;
  gateway: string;
  interface: string;
  flags: number;
  use: number;
}

export interface Impairments {
  /** Fractions of frames, 0 to 1. */
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** Added delay in milliseconds. */
  delay?: number;
  seed?: number;
}

export interface NetConfig {
  /** Attach an interface, configure and bring it up; returns its name (shmif0, virt0 …). */
  attach(options: InterfaceOptions): string;
  detach(name: string): void;
  /**
   * ifconfig: without arguments, the interfaces; with a name, change one:
   * { address, removeAddress, up, mtu }.
   */
  ifconfig(): InterfaceInfo[];
  ifconfig(name: string, change: { address?: string; removeAddress?: string; up?: boolean; mtu?: number }): void;
  /** The routing table; route.add/delete change it ('default' or 'a.b.c.d/len'). */
  readonly route: {
    (): RouteInfo[];
    add(destination: string, gateway?: string | null, iface?: string | null): void;
    delete(destination: string): void;
  };
  /** Capture what an interface sends and receives to a pcap file; stop with null. */
  capture(name: string, path: string | null): void;
  /** Impair the frames an interface sends (for shmif: every member of its bus). */
  impair(name: string, imp: Impairments): void;
  /** The ARP cache. */
  arp(): { interface: string; address: string; mac: string; state: string }[];
  /** Every socket of the kernel, like ss (TCP connections in TIME-WAIT included). */
  sockets(): SocketInfo[];
  /** Protocol counters by protocol (ip, icmp, udp, tcp, arp), like netstat -s. */
  stats(): Record<'ip' | 'icmp' | 'udp' | 'tcp' | 'arp', Record<string, number>>;
}

export interface SocketInfo {
  protocol: 'tcp' | 'udp' | 'unix' | 'raw' | 'icmp';
  type: number;
  /** TCP's state as ss names it (ESTAB, LISTEN, TIME-WAIT …); UNCONN otherwise. */
  state: string;
  /** { address, port } for inet, a path (abstract names start with a NUL) for unix. */
  local: { address: string; port: number } | string | undefined;
  peer: { address: string; port: number } | string | undefined;
  /** Bytes queued (listeners: connections waiting for accept, and the backlog). */
  recvQ: number;
  sendQ: number;
  /** The creating process; -1 for connections that outlived their socket. */
  pid: number;
  uid: number;
}

const KINDS = { shmif: 1, tap: 2 } as const;
const IFF_UP = 1;

export function attachInterface(h: ProcHandle, o: InterfaceOptions, at = 'options'): string {
  if (typeof o !== 'object' || o === null) throw invalidArgType(at, 'of type object', o);
  const kind = KINDS[o.kind as keyof typeof KINDS];
  if (kind === undefined) throw invalidArgValue(`${at}.kind`, o.kind, "must be 'shmif' or 'tap'");
  if (o.kind === 'shmif' && typeof o.bus !== 'string') throw invalidArgType(`${at}.bus`, 'of type string', o.bus);
  if (o.kind === 'tap' && typeof o.device !== 'string') throw invalidArgType(`${at}.device`, 'of type string', o.device);
  return call(() => native.netAttach(h, { ...o, kind }));
}

/** Run a configuration call, with its errno as a RumpError. */
function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translate(e);
  }
}

export function createNetConfig(h: ProcHandle): NetConfig {
  const route = Object.assign(() => call(() => native.netRoutes(h)), {
    add(destination: string, gateway?: string | null, iface?: string | null): void {
      call(() => native.netRoute(h, destination, gateway ?? null, iface ?? null, true));
    },
    delete(destination: string): void {
      call(() => native.netRoute(h, destination, null, null, false));
    },
  });
  return {
    attach: (o) => attachInterface(h, o),
    detach: (name) => call(() => native.netDetach(h, name)),
    ifconfig: ((name?: string, change?: { address?: string; removeAddress?: string; up?: boolean; mtu?: number }) => {
      if (name === undefined) {
        return call(() => native.netIfconfig(h)).map((i) => ({ ...i, up: (i.flags & IFF_UP) !== 0 }));
      }
      const c = change ?? {};
      call(() => {
        if (c.address !== undefined) native.netAddr(h, name, c.address, true);
        if (c.removeAddress !== undefined) native.netAddr(h, name, c.removeAddress, false);
        if (c.up !== undefined || c.mtu !== undefined) native.netSetup(h, name, c.up ?? true, c.mtu ?? 0);
      });
      return undefined;
    }) as NetConfig['ifconfig'],
    route,
    capture: (name, path) => call(() => native.netCapture(h, name, path)),
    impair: (name, imp) =>
      call(() => native.netImpair(h, name, {
        lossPpm: Math.round((imp.loss ?? 0) * 1e6),
        dupPpm: Math.round((imp.duplicate ?? 0) * 1e6),
        reorderPpm: Math.round((imp.reorder ?? 0) * 1e6),
        delayUs: Math.round((imp.delay ?? 0) * 1000),
        seed: imp.seed ?? 0,
      })),
    arp: () => call(() => native.netArp(h)),
    sockets: () => call(() => native.netSockets(h)),
    stats: () => call(() => native.netStats(h)) as ReturnType<NetConfig['stats']>,
  };
}

// rumpkit: rump kernels as a library, many per process.
export { Kernel, Process } from './kernel.js';
export type {
  BootOptions, ProcessOptions, MountOptions, KernelStats, DiskOptions, DiskInfo, EtfsType, KernelDisks, KernelEtfs,
} from './kernel.js';
export { Stats, BigIntStats, Dirent, Dir, ReadStream, WriteStream, FileHandle } from './fs/index.js';
export type { KernelFs, KernelFsPromises, ReadStreamOptions, WriteStreamOptions, CpOptions } from './fs/index.js';
export { RumpError, RumpStateError, errnoName } from './errors.js';
export { hijackEnv, hijackLibrary } from './hijack.js';
export type { HijackOptions } from './hijack.js';
export { SysproxyServer } from './serve.js';
export type { ServeOptions, ServerStats } from './serve.js';
export { Sys, syscallNames, decodeEpollEvent } from './gen/sys.js';
export type { Constants, Rlimit, RlimitInput, EpollEvent, EpollEventInput } from './gen/sys.js';
import { native } from './native.js';

/** The host ABI's constants as the kernel uses them: errno, fcntl, rlimit … (like os.constants). */
export const constants = native.constants;
/** The version of the native kernel library. */
export const version = native.version;

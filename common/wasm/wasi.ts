/**
 * @module A deterministic WASI preview1 subset (`wasi_snapshot_preview1`): stdin is the job's input,
 * stdout its output, stderr its log; no arguments or environment; the clock answers a fixed time and
 * random_get a stream derived from the input; any other WASI function answers ENOSYS.
 */
import {
  type HostCaller,
  type HostFn,
  type HostMemory,
  type HostMeter,
  type HostSignal,
  MAX_HOST_IO,
  MAX_IOVS,
} from "./host.js";
import type { HostState } from "./hostState.js";
import type { Machine } from "./machine.js";
import type { ImportDesc } from "./module.js";
import type { Extern } from "./runtime.js";
import { type FuncType, I32, I64, type Value } from "./types.js";

export const WASI_MODULE = "wasi_snapshot_preview1";

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;

const OOB: HostSignal = { trap: "out of bounds memory access (host call)" };

/** The caller's linear memory, or a trap when the module has none. */
export function callerMemory(caller: HostCaller | undefined): HostMemory | HostSignal {
  const m = caller?.memories[0];
  return m ?? { trap: "host call needs the module's linear memory" };
}
export function inBounds(m: HostMemory, ptr: number, len: number): boolean {
  return ptr >>> 0 === ptr && len >= 0 && ptr + len <= m.size;
}
function u32(v: Value): number {
  return (v as number) >>> 0;
}

export interface WasiOptions {
  /** What clock_time_get answers, in nanoseconds (deterministic; part of the job). */
  readonly clockNs: bigint;
}

type Sig = [number[], number[]];
const SIGS: Record<string, Sig> = {
  args_sizes_get: [[I32, I32], [I32]],
  args_get: [[I32, I32], [I32]],
  environ_sizes_get: [[I32, I32], [I32]],
  environ_get: [[I32, I32], [I32]],
  clock_res_get: [[I32, I32], [I32]],
  clock_time_get: [[I32, I64, I32], [I32]],
  random_get: [[I32, I32], [I32]],
  fd_write: [[I32, I32, I32, I32], [I32]],
  fd_read: [[I32, I32, I32, I32], [I32]],
  fd_close: [[I32], [I32]],
  fd_fdstat_get: [[I32, I32], [I32]],
  fd_seek: [[I32, I64, I32, I32], [I32]],
  fd_prestat_get: [[I32, I32], [I32]],
  proc_exit: [[I32], []],
  sched_yield: [[], [I32]],
};

/** What any WASI function the subset does not implement answers: ENOSYS. */
export const enosys: HostFn = () => [ENOSYS];

export function wasiFunctions(host: HostState, opts: WasiOptions = { clockNs: host.clockNs }): Record<string, HostFn> {
  const chargeBytes = (m: HostMeter, n: number): boolean => m.charge(Math.floor(n / m.costs.bytesPerFuel));
  const zeroPair: HostFn = (_m, caller, [a, b]) => {
    const mem = callerMemory(caller);
    if (!("size" in mem)) return mem;
    if (!inBounds(mem, u32(a), 4) || !inBounds(mem, u32(b), 4)) return OOB;
    mem.setU32(u32(a), 0, true);
    mem.setU32(u32(b), 0, true);
    return [ESUCCESS];
  };
  const nothing: HostFn = () => [ESUCCESS];
  /** Walks an iovec array, calling `each(ptr, len)`; stops early when it returns false. */
  const iovecs = (
    mem: HostMemory,
    iovs: number,
    n: number,
    each: (ptr: number, len: number) => boolean,
  ): HostSignal | undefined => {
    if (!inBounds(mem, iovs, n * 8)) return OOB;
    for (let i = 0; i < n; i++) {
      const ptr = mem.getU32(iovs + 8 * i);
      const len = mem.getU32(iovs + 8 * i + 4);
      if (!inBounds(mem, ptr, len)) return OOB;
      if (!each(ptr, len)) break;
    }
    return undefined;
  };
  return {
    args_sizes_get: zeroPair,
    args_get: nothing,
    environ_sizes_get: zeroPair,
    environ_get: nothing,
    clock_res_get: (_m, caller, [, ptr]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (!inBounds(mem, u32(ptr), 8)) return OOB;
      mem.setU64(u32(ptr), 1n, true);
      return [ESUCCESS];
    },
    clock_time_get: (_m, caller, [, , ptr]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (!inBounds(mem, u32(ptr), 8)) return OOB;
      mem.setU64(u32(ptr), opts.clockNs, true);
      return [ESUCCESS];
    },
    random_get: (m, caller, [buf, len]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (!inBounds(mem, u32(buf), u32(len))) return OOB;
      if (u32(len) > MAX_HOST_IO) return [EINVAL];
      if (!chargeBytes(m, u32(len))) return { trap: "out of fuel" };
      mem.write(host.randomBytes(u32(len)), u32(buf));
      return [ESUCCESS];
    },
    fd_write: (m, caller, [fd, iovs, n, nwritten]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      const f = fd as number;
      if (f !== 1 && f !== 2) return [EBADF];
      if (u32(n) > MAX_IOVS) return [EINVAL];
      if (!inBounds(mem, u32(nwritten), 4)) return OOB;
      let total = 0;
      let signal: HostSignal | undefined;
      const bad = iovecs(mem, u32(iovs), u32(n), (ptr, whole) => {
        // A short write past MAX_HOST_IO bytes per call (WASI callers loop on nwritten).
        const len = Math.min(whole, MAX_HOST_IO - total);
        if (!chargeBytes(m, len)) {
          signal = { trap: "out of fuel" };
          return false;
        }
        const bytes = mem.read(ptr, len);
        if (f === 1) {
          if (!host.writeOutput(bytes)) {
            signal = { trap: "output limit exceeded" };
            return false;
          }
        } else host.writeStderr(bytes);
        total += len;
        return len === whole;
      });
      if (bad) return bad;
      if (signal) return signal;
      host.fsOps++;
      mem.setU32(u32(nwritten), total, true);
      return [ESUCCESS];
    },
    fd_read: (m, caller, [fd, iovs, n, nread]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if ((fd as number) !== 0) return [EBADF];
      if (u32(n) > MAX_IOVS) return [EINVAL];
      if (!inBounds(mem, u32(nread), 4)) return OOB;
      let total = 0;
      let signal: HostSignal | undefined;
      const bad = iovecs(mem, u32(iovs), u32(n), (ptr, len) => {
        const take = Math.min(len, host.input.length - host.inputPos, MAX_HOST_IO - total);
        if (!chargeBytes(m, take)) {
          signal = { trap: "out of fuel" };
          return false;
        }
        mem.write(host.input.read(host.inputPos, take), ptr);
        host.inputPos += take;
        total += take;
        return take === len;
      });
      if (bad) return bad;
      if (signal) return signal;
      host.fsOps++;
      mem.setU32(u32(nread), total, true);
      return [ESUCCESS];
    },
    fd_close: (_m, _c, [fd]) => [(fd as number) >= 0 && (fd as number) <= 2 ? ESUCCESS : EBADF],
    fd_fdstat_get: (_m, caller, [fd, ptr]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      const f = fd as number;
      if (f < 0 || f > 2) return [EBADF];
      if (!inBounds(mem, u32(ptr), 24)) return OOB;
      mem.write(new Uint8Array(24), u32(ptr));
      mem.setU8(u32(ptr), 2); // character device
      const rights = f === 0 ? 0x2n : 0x40n; // fd_read or fd_write
      mem.setU64(u32(ptr) + 8, rights, true);
      return [ESUCCESS];
    },
    fd_seek: (_m, _c, [fd]) => [(fd as number) >= 0 && (fd as number) <= 2 ? ESPIPE : EBADF],
    fd_prestat_get: () => [EBADF],
    proc_exit: (_m, _c, [code]) => {
      host.exitCode = (code as number) >>> 0;
      return { exit: host.exitCode };
    },
    sched_yield: nothing,
  };
}

/** Builds the resolver entry for a WASI import; unknown WASI functions answer ENOSYS. */
export function resolveWasi(
  machine: Machine,
  fns: Record<string, HostFn>,
  name: string,
  desc: ImportDesc,
  types: readonly FuncType[],
): Extern | undefined {
  if (desc.kind !== "func") return undefined;
  const sig = SIGS[name];
  const fn = fns[name];
  if (sig && fn)
    return {
      kind: "func",
      value: machine.store.addHost({ params: sig[0], results: sig[1] }, fn, `${WASI_MODULE}.${name}`),
    };
  const t = types[desc.type] as FuncType;
  if (t.results.length === 1 && t.results[0] === I32) {
    // Linking succeeds; calling it reports "not supported" the way WASI does.
    return { kind: "func", value: machine.store.addHost(t, enosys, `${WASI_MODULE}.${name}`) };
  }
  return undefined;
}

/**
 * @module DSDN host ABI v1 (import module `dsdn_v1`): input, output, a key-value state and log lines.
 * Nothing else — no clock, no randomness, no network. Documented in common/wasm/README.md.
 */
import { type HostFn, type HostMeter, type HostSignal, MAX_HOST_IO } from "./host.js";
import type { HostState } from "./hostState.js";
import type { Machine } from "./machine.js";
import type { ImportDesc } from "./module.js";
import type { Extern } from "./runtime.js";
import { I32, type Value } from "./types.js";
import { callerMemory, inBounds } from "./wasi.js";

export const HOST_ABI_MODULE = "dsdn_v1";
export const HOST_ABI_VERSION = 1;

const OOB: HostSignal = { trap: "out of bounds memory access (host call)" };
const TOO_LARGE: HostSignal = { trap: `host call copies more than ${MAX_HOST_IO} bytes` };

function u32(v: Value): number {
  return (v as number) >>> 0;
}

const SIGS: Record<string, [number[], number[]]> = {
  input_len: [[], [I32]],
  input_read: [[I32, I32, I32], [I32]],
  output_write: [[I32, I32], []],
  log: [[I32, I32], []],
  state_get: [[I32, I32, I32, I32], [I32]],
  state_set: [[I32, I32, I32, I32], []],
  state_delete: [[I32, I32], []],
};

export function hostAbiFunctions(host: HostState): Record<string, HostFn> {
  const charge = (m: HostMeter, n: number) => m.charge(Math.floor(n / m.costs.bytesPerFuel));
  return {
    input_len: () => [host.input.length | 0],
    // input_read(dst, offset, len) -> bytes copied (0 past the end; at most MAX_HOST_IO per call)
    input_read: (m, caller, [dst, offset, len]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      const off = Math.min(u32(offset), host.input.length);
      const n = Math.min(u32(len), host.input.length - off, MAX_HOST_IO);
      if (!inBounds(mem, u32(dst), n)) return OOB;
      if (!charge(m, n)) return { trap: "out of fuel" };
      mem.write(host.input.read(off, n), u32(dst));
      host.fsOps++;
      return [n];
    },
    output_write: (m, caller, [ptr, len]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (!inBounds(mem, u32(ptr), u32(len))) return OOB;
      if (u32(len) > MAX_HOST_IO) return TOO_LARGE;
      if (!charge(m, u32(len))) return { trap: "out of fuel" };
      if (!host.writeOutput(mem.read(u32(ptr), u32(len)))) return { trap: "output limit exceeded" };
      host.fsOps++;
      return [];
    },
    log: (m, caller, [ptr, len]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      const n = Math.min(u32(len), host.limits.maxLogLine, MAX_HOST_IO);
      if (!inBounds(mem, u32(ptr), n)) return OOB;
      if (!charge(m, n)) return { trap: "out of fuel" };
      host.log(mem.read(u32(ptr), n));
      return [];
    },
    // state_get(key, key_len, dst, cap) -> value length, or -1 when absent; copies min(len, cap) bytes
    state_get: (m, caller, [k, kl, dst, cap]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (u32(kl) > host.limits.maxKeyBytes) return { trap: "state key too long" };
      if (!inBounds(mem, u32(k), u32(kl))) return OOB;
      const v = host.stateGet(mem.read(u32(k), u32(kl)));
      host.fsOps++;
      if (!v) return [-1];
      const n = Math.min(v.length, u32(cap));
      if (n > MAX_HOST_IO) return TOO_LARGE;
      if (!inBounds(mem, u32(dst), n)) return OOB;
      if (!charge(m, n)) return { trap: "out of fuel" };
      mem.write(v.subarray(0, n), u32(dst));
      return [v.length];
    },
    state_set: (m, caller, [k, kl, v, vl]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (!inBounds(mem, u32(k), u32(kl)) || !inBounds(mem, u32(v), u32(vl))) return OOB;
      // Limits before any byte is read, so a refused call touches no memory.
      if (u32(kl) > host.limits.maxKeyBytes) return { trap: "state key too long" };
      if (u32(vl) > host.limits.maxValueBytes) return { trap: "state value too long" };
      if (u32(vl) > MAX_HOST_IO) return TOO_LARGE;
      if (!charge(m, u32(kl) + u32(vl))) return { trap: "out of fuel" };
      const err = host.stateSet(mem.read(u32(k), u32(kl)), mem.read(u32(v), u32(vl)));
      if (err) return { trap: err };
      host.fsOps++;
      return [];
    },
    state_delete: (_m, caller, [k, kl]) => {
      const mem = callerMemory(caller);
      if (!("size" in mem)) return mem;
      if (u32(kl) > host.limits.maxKeyBytes) return { trap: "state key too long" };
      if (!inBounds(mem, u32(k), u32(kl))) return OOB;
      host.stateDelete(mem.read(u32(k), u32(kl)));
      host.fsOps++;
      return [];
    },
  };
}

export function resolveHostAbi(
  machine: Machine,
  fns: Record<string, HostFn>,
  name: string,
  desc: ImportDesc,
): Extern | undefined {
  const sig = SIGS[name];
  const fn = fns[name];
  if (desc.kind !== "func" || !sig || !fn) return undefined;
  return {
    kind: "func",
    value: machine.store.addHost({ params: sig[0], results: sig[1] }, fn, `${HOST_ABI_MODULE}.${name}`),
  };
}

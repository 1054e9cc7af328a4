/** @module The host-function calling convention: hosts return results or a signal, never throw. */
import type { FuelCosts } from "./params.js";
import type { Value } from "./types.js";

/** A host function asks the machine to stop with a trap or with a process exit (WASI proc_exit). */
export type HostSignal = { readonly trap: string } | { readonly exit: number };

/** What a host function may do to the engine: pay fuel. The interpreter's Machine and the V8 path both provide it. */
export interface HostMeter {
  readonly costs: FuelCosts;
  /** Charges fuel; false when exhausted. */
  charge(units: number): boolean;
}

/**
 * The caller's linear memory as host functions see it: the live `Memory` (interpreter and V8 shim),
 * or a one-step proof's view over witnessed 1 KiB chunks. Host code goes through nothing else.
 */
export interface HostMemory {
  /** Size in bytes. */
  readonly size: number;
  /** `len` bytes at `addr` (in bounds); a view that must be copied to be kept. */
  read(addr: number, len: number): Uint8Array;
  getU32(addr: number): number;
  write(src: Uint8Array, addr: number): void;
  setU8(addr: number, v: number): void;
  setU32(addr: number, v: number, le: boolean): void;
  setU64(addr: number, v: bigint, le: boolean): void;
}

/** The calling instance as host functions see it (only its memory). */
export interface HostCaller {
  readonly memories: readonly (HostMemory | undefined)[];
}

/**
 * A host function. `caller` is the instance whose code made the call (for its memory). Returning a
 * HostSignal stops the machine deterministically.
 */
export type HostFn = (meter: HostMeter, caller: HostCaller | undefined, args: Value[]) => Value[] | HostSignal;

/** Most bytes one host call copies between memory and input/output (a one-step proof carries them all). */
export const MAX_HOST_IO = 64 << 10;
/** Most iovecs one fd_read/fd_write takes (more: EINVAL). */
export const MAX_IOVS = 64;

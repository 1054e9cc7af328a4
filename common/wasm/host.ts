/** @module The host-function calling convention: hosts return results or a signal, never throw. */
import type { FuelCosts } from "./params.js";
import type { Instance } from "./runtime.js";
import type { Value } from "./types.js";

/** A host function asks the machine to stop with a trap or with a process exit (WASI proc_exit). */
export type HostSignal = { readonly trap: string } | { readonly exit: number };

/** What a host function may do to the engine: pay fuel. The interpreter's Machine and the V8 path both provide it. */
export interface HostMeter {
  readonly costs: FuelCosts;
  /** Charges fuel; false when exhausted. */
  charge(units: number): boolean;
}

/** The calling instance as host functions see it (only its memory). */
export type HostCaller = Pick<Instance, "memories">;

/**
 * A host function. `caller` is the instance whose code made the call (for its memory). Returning a
 * HostSignal stops the machine deterministically.
 */
export type HostFn = (meter: HostMeter, caller: HostCaller | undefined, args: Value[]) => Value[] | HostSignal;

/** @module The host-function calling convention: hosts return results or a signal, never throw. */
import type { Machine } from "./machine.js";
import type { Instance } from "./runtime.js";
import type { Value } from "./types.js";

/** A host function asks the machine to stop with a trap or with a process exit (WASI proc_exit). */
export type HostSignal = { readonly trap: string } | { readonly exit: number };

/**
 * A host function. `caller` is the instance whose code made the call (for its memory). Returning a
 * HostSignal stops the machine deterministically.
 */
export type HostFn = (machine: Machine, caller: Instance | undefined, args: Value[]) => Value[] | HostSignal;

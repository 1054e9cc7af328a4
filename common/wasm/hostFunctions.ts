/** @module The host function behind an import's qualified name ("module.name"), over a given host state: what the one-step prover and verifier run. */
import type { HostFn } from "./host.js";
import { HOST_ABI_MODULE, hostAbiFunctions } from "./hostAbi.js";
import type { HostState } from "./hostState.js";
import { enosys, WASI_MODULE, wasiFunctions } from "./wasi.js";

/** The same implementation the run linked (unknown WASI names are the ENOSYS stub); undefined for other modules. */
export function hostFunctionByName(qualified: string, host: HostState): HostFn | undefined {
  const dot = qualified.indexOf(".");
  const module = qualified.slice(0, dot);
  const name = qualified.slice(dot + 1);
  if (module === HOST_ABI_MODULE) {
    const fns = hostAbiFunctions(host);
    return Object.hasOwn(fns, name) ? fns[name] : undefined;
  }
  if (module === WASI_MODULE) {
    const fns = wasiFunctions(host);
    return Object.hasOwn(fns, name) ? fns[name] : enosys;
  }
  return undefined;
}

/** @module Picks the MicroVM backend from config (`microvm.backend`: mock | bwrap | auto), with a clear error when it cannot run here. */
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { BwrapVM, bwrapAvailable } from "./bwrapVM.js";
import { MockVM } from "./mockVM.js";
import { defaultMicroVMLimits, type MicroVM, type MicroVMLimits } from "./types.js";

export type MicroVMChoice = "mock" | "bwrap" | "qemu" | "auto";

/**
 * `auto` takes the strongest backend this machine supports (bwrap, else mock); naming a backend that
 * cannot run here is an error that says why, never a silent fallback to less isolation.
 */
export function createMicroVM(choice: MicroVMChoice, limits: Partial<MicroVMLimits> = {}): MicroVM {
  const l = { ...defaultMicroVMLimits, ...limits };
  for (const [k, v] of Object.entries(l))
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new BaseError(ErrorCode.InvalidConfig, `microvm.${k} must be a positive integer`);
  if (choice === "mock") return new MockVM(l);
  if (choice === "bwrap" || choice === "auto") {
    const ok = bwrapAvailable();
    if (typeof ok !== "string") return new BwrapVM(l);
    if (choice === "auto") return new MockVM(l);
    throw new BaseError(ErrorCode.Unavailable, "MicroVM backend bwrap is unavailable", { details: ok });
  }
  if (choice === "qemu")
    throw new BaseError(ErrorCode.Unavailable, "MicroVM backend qemu is not built yet", {
      details: "use microvm.backend = bwrap (namespaces + cgroups) or mock",
    });
  throw new BaseError(ErrorCode.InvalidConfig, `microvm.backend must be mock, bwrap, qemu or auto, got "${choice}"`);
}

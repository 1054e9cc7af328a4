/** @module A pointer checked for the chain: known kind, canonical value (common/pointer.ts). */
import { cidPointerProblem, routePointerProblem } from "../../common/pointer.js";
import { type Pointer, PointerKind } from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import { ComplianceErrors } from "./errors.js";

/** Throws compliance/2 naming what is wrong; returns the pointer (kind and value only). */
export function checkPointer(p: Pointer | undefined): Pointer {
  if (!p) throw ComplianceErrors.InvalidPointer.wrap("missing pointer");
  let problem: string | undefined;
  if (p.kind === PointerKind.POINTER_KIND_CID) problem = cidPointerProblem(p.value);
  else if (p.kind === PointerKind.POINTER_KIND_ROUTE) problem = routePointerProblem(p.value);
  else problem = `kind must be POINTER_KIND_CID or POINTER_KIND_ROUTE, got ${p.kind}`;
  if (problem) throw ComplianceErrors.InvalidPointer.wrap(problem);
  return { kind: p.kind, value: p.value };
}

/** @module compliance errors (codespace "compliance"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const ComplianceErrors = {
  InvalidPointer: registerError("compliance", 2, "invalid pointer"),
  InvalidAuthority: registerError("compliance", 3, "only a passed governance proposal may block or unblock"),
  AlreadyBlocked: registerError("compliance", 4, "pointer is already blocked"),
  NotBlocked: registerError("compliance", 5, "pointer is not blocked"),
  InvalidReason: registerError("compliance", 6, "invalid reason"),
  InvalidRequest: registerError("compliance", 7, "invalid request"),
} as const;

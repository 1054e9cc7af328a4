/** @module compliance params: bounds on what a block decision carries and on query pages. */
import { parseIntParams } from "../../common/params.js";

export interface ComplianceParams {
  /** Longest reason a block or unblock decision may carry (characters). */
  readonly maxReasonLength: bigint;
  /** Query page size when the request names none, and the largest page. */
  readonly defaultPage: bigint;
  readonly maxPage: bigint;
}

export const defaultComplianceParams: ComplianceParams = {
  maxReasonLength: 1_000n,
  defaultPage: 100n,
  maxPage: 1_000n,
};

/** Parses and validates (the shape gov's param-change hook calls); throws naming the field. */
export function parseComplianceParams(raw: unknown): ComplianceParams {
  const p = parseIntParams("compliance", raw, defaultComplianceParams, {
    maxReasonLength: [1n, 10_000n],
    defaultPage: [1n, 10_000n],
    maxPage: [1n, 10_000n],
  });
  if (p.defaultPage > p.maxPage) throw new Error("compliance.params.defaultPage: must not exceed maxPage");
  return p;
}

/**
 * @module The documented order in which a replayer merges the primary with the fallback layers, so that
 * reading a fallback layer first reaches the same digest as reading the primary after reconciliation.
 */
import type { DAHeightBlobs } from "../types.js";

/**
 * Order: primary heights up to `anchor` (the `primary_head` of the first FallbackActivated of the outage),
 * then each fallback layer in turn (validator-quorum, then emergency), its heights in order, each height
 * that holds blobs becoming one virtual height `anchor + 1, anchor + 2, …`; then the primary heights above
 * `anchor`, shifted up by the number of virtual heights used. Heights only ever grow, every envelope's
 * observed height (a primary height ≤ anchor during the outage) stays below the height it is applied at,
 * and the reconciled copies on the primary are dropped as duplicates by (publisher, sequence).
 */
export function mergeFallbackTimeline(
  primary: readonly DAHeightBlobs[],
  fallbacks: readonly (readonly DAHeightBlobs[])[],
  anchor: bigint,
): DAHeightBlobs[] {
  const out: DAHeightBlobs[] = primary.filter((h) => h.height <= anchor);
  let next = anchor + 1n;
  for (const layer of fallbacks)
    for (const h of layer) {
      if (h.blobs.length === 0) continue;
      out.push({ height: next, blobs: h.blobs });
      next++;
    }
  const shift = next - anchor - 1n;
  for (const h of primary) if (h.height > anchor) out.push({ height: h.height + shift, blobs: h.blobs });
  return out;
}

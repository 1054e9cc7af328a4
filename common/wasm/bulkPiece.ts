/**
 * @module The piece rule of bulk instructions (memory.fill/copy/init, table.fill/copy/init), shared by
 * the interpreter, the one-step semantics (prover and verifyStep) and the V8 fuel instrumentation.
 *
 * A bulk instruction of n bytes (or elements) runs as max(1, ceil(n / cap)) machine steps, cap being
 * ExecLimits.bulkBytes (bulkElems for tables), so that one step's proof stays bounded. Each step checks
 * the bounds of the whole remaining range first (a trap writes nothing), then moves one piece: the
 * first `cap` of the range, or the last `cap` for a copy with d > s (so an overlapping copy equals
 * memmove), or everything left when n ≤ cap. While work remains the pc stays on the instruction and its
 * operands are rewritten to the remaining range. Each step pays the instruction's base cost plus one
 * unit per FuelCosts.bytesPerFuel of its own piece, so the whole instruction costs
 *   steps · base + Σ floor(piece / bytesPerFuel)   (every piece but the last is exactly cap).
 */

export interface BulkPiece {
  /** Offset of this step's piece from the start of the remaining range. */
  readonly at: number;
  /** Bytes or elements this step moves. */
  readonly size: number;
  /** This piece finishes the instruction. */
  readonly last: boolean;
}

/** The piece one step moves of a remaining range of `n`; `backward` for a copy with d > s. */
export function bulkPiece(n: number, cap: number, backward: boolean): BulkPiece {
  const c = Math.max(1, cap);
  if (n <= c) return { at: 0, size: n, last: true };
  return { at: backward ? n - c : 0, size: c, last: false };
}

/**
 * The operands (d, s, n) left for the next step after piece `p` (not the last), as i32 stack values.
 * A backward copy only shortens the range; otherwise d (and s, unless it is fill's value) advance.
 */
export function bulkRest(
  d: number,
  s: number,
  n: number,
  p: BulkPiece,
  backward: boolean,
  advanceS: boolean,
): [number, number, number] {
  const left = (n - p.size) | 0;
  if (backward) return [d | 0, s | 0, left];
  return [(d + p.size) | 0, advanceS ? (s + p.size) | 0 : s | 0, left];
}

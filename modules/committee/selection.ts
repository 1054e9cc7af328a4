/**
 * @module Deterministic stake-weighted committee selection. Pure functions of (seed, candidates with weights), so
 * anyone holding the recorded seed (an ECVRF output, see epochSeed.ts) and the pool can recompute the committee.
 */
import { canonicalJson, concat, utf8 } from "../../chain-app/encoding.js";
import { sha256, toHex } from "../../common/hash.js";

export interface WeightedCandidate {
  readonly operator: string;
  readonly identityKey: Uint8Array;
  readonly endpoint: string;
  /** Validator tokens (unusa) — the selection weight. */
  readonly weight: bigint;
  /** ECVRF key for producing epoch seeds (epochSeed.ts). */
  readonly vrfPublicKey: Uint8Array;
}

const u32be = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

/**
 * Picks `n` distinct candidates, each draw proportional to weight among those not yet drawn:
 * draw i takes r = uint256(sha256(seed || i(u32 BE))) mod (remaining weight) and walks the remaining
 * candidates in operator-address order. The 256-bit draw makes the modulo bias negligible (< 2^-190 for
 * any realistic total stake). Candidates with zero weight are never drawn. Returns them in draw order:
 * that order is the FROST participant order (members[i] is participant i+1).
 */
export function selectCommittee(
  seed: Uint8Array,
  candidates: readonly WeightedCandidate[],
  n: number,
): WeightedCandidate[] {
  const pool = candidates
    .filter((c) => c.weight > 0n)
    .sort((a, b) => (a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0));
  if (n > pool.length) throw new RangeError(`cannot select ${n} of ${pool.length} candidates`);
  const out: WeightedCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const total = pool.reduce((s, c) => s + c.weight, 0n);
    let r = BigInt(`0x${toHex(sha256(concat(seed, u32be(i))))}`) % total;
    let k = 0;
    while (r >= pool[k]!.weight) {
      r -= pool[k]!.weight;
      k++;
    }
    out.push(pool[k]!);
    pool.splice(k, 1);
  }
  return out;
}

/** sha256 of the canonical JSON of (epoch, threshold, members, seed): the next epoch's seed chains to it. */
export function committeeHash(
  epoch: bigint,
  threshold: number,
  members: readonly WeightedCandidate[],
  seed: Uint8Array,
): Uint8Array {
  return sha256(
    utf8(
      canonicalJson({
        epoch,
        threshold,
        members: members.map((m) => ({
          operator: m.operator,
          identityKey: toHex(m.identityKey),
          endpoint: m.endpoint,
          weight: m.weight,
          vrfPublicKey: toHex(m.vrfPublicKey),
        })),
        seed: toHex(seed),
      }),
    ),
  );
}

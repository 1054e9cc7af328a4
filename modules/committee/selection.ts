/**
 * @module Deterministic stake-weighted committee selection. Pure functions of (epoch, anchor, previous
 * committee hash, candidates with weights), so anyone holding the block header and the candidate list at
 * that height can recompute the committee and check it.
 */
import { canonicalJson, concat, u64be, utf8 } from "../../chain-app/encoding.js";
import { sha256, toHex } from "../../common/hash.js";

export interface WeightedCandidate {
  readonly operator: string;
  readonly identityKey: Uint8Array;
  readonly endpoint: string;
  /** Validator tokens (unusa) — the selection weight. */
  readonly weight: bigint;
}

const u32be = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

/**
 * Digest of the selecting block's header fields the app sees (height, time, proposer) under the chain id.
 * The framework hands modules no block hash, so this header digest is the block-derived entropy; the
 * proposer's only freedom is the BFT-time tolerance and whether to propose at all.
 */
export function blockAnchor(
  chainId: string,
  height: bigint,
  timeSeconds: bigint,
  timeNanos: number,
  proposer: Uint8Array,
): Uint8Array {
  return sha256(
    concat(
      utf8("dsdn.committee.v1.anchor\0"),
      utf8(chainId),
      Uint8Array.of(0),
      u64be(height),
      u64be(timeSeconds),
      u32be(timeNanos),
      proposer,
    ),
  );
}

/** seed = sha256("dsdn.committee.v1.seed\0" || epoch(u64 BE) || anchor || prev_committee_hash). */
export function deriveEpochSeed(epoch: bigint, anchor: Uint8Array, prevCommitteeHash: Uint8Array): Uint8Array {
  return sha256(concat(utf8("dsdn.committee.v1.seed\0"), u64be(epoch), anchor, prevCommitteeHash));
}

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
        })),
        seed: toHex(seed),
      }),
    ),
  );
}

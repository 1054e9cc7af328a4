/**
 * @module committee params (roadmap 14A.2B): epoch and handoff lengths in blocks, committee size, threshold, dispute
 * slash; the epoch-seed slot and DKG deadline in block time, and the absence penalty.
 */

export interface CommitteeParams {
  /** Blocks per epoch: 6 h at 5 s blocks = 4320 (localnet/tests: a few blocks). */
  readonly epochBlocks: bigint;
  /** Blocks after a rotation during which the previous committee's receipts still verify: 15 min at 5 s = 180. */
  readonly handoffBlocks: bigint;
  /** Seats per committee (n = min(this, eligible candidates)). */
  readonly maxCommitteeSize: bigint;
  /** No committee is selected from fewer eligible candidates than this. */
  readonly minCommitteeSize: bigint;
  /** t = ceil(n · thresholdPpm / 10^6), at least 2: 666 667 gives 3-of-4 and 5-of-7. */
  readonly thresholdPpm: bigint;
  /** Share of a validator bond slashed per proven dispute (ppm; 50 000 = 5%). */
  readonly slashFractionDisputePpm: bigint;
  /** Gas per ed25519 signature checked (same cost as the nodes module's). */
  readonly sigVerifyCostEd25519: bigint;
  /** Block time each designated producer has to submit the epoch seed's ECVRF proof before the next one may. */
  readonly seedSlotSeconds: bigint;
  /** Block time a selected committee has to record its DKG result before it is re-selected without absentees. */
  readonly dkgTimeoutSeconds: bigint;
  /** Share of a validator bond slashed for withholding a seed or missing a DKG (ppm; 5 000 = 0.5%, as liveness). */
  readonly slashFractionAbsencePpm: bigint;
  /** Epochs an absentee (withheld seed, missed DKG) stays out of committee pools. */
  readonly absenceExclusionEpochs: bigint;
  /** Gas for one ECVRF verification (two double-scalar multiplications and a hash to the curve). */
  readonly vrfVerifyCost: bigint;
  /**
   * Dispute evidence against a committee is accepted until this much block time (seconds) after the committee
   * lost all authority to sign receipts that pay (keyRetentionSeconds after its term). 48 h, as the SDK's evidence
   * max_age_duration; keep keyRetentionSeconds + this below the stake unbonding period so the bond is still there
   * to slash.
   */
  readonly maxEvidenceAgeSeconds: bigint;
  /**
   * A retired committee's record (group key, members) stays on chain this much block time (seconds) after its
   * term ended, so receipts it signed during its term stay claimable and challengeable: at least the longest
   * compute challenge window (4 h) plus a claim grace. 7 days. The record is pruned in end block
   * maxEvidenceAgeSeconds later.
   */
  readonly keyRetentionSeconds: bigint;
}

export const defaultCommitteeParams: CommitteeParams = {
  epochBlocks: 4320n,
  handoffBlocks: 180n,
  maxCommitteeSize: 7n,
  minCommitteeSize: 4n,
  thresholdPpm: 666_667n,
  slashFractionDisputePpm: 50_000n,
  sigVerifyCostEd25519: 590n,
  seedSlotSeconds: 120n,
  dkgTimeoutSeconds: 600n,
  slashFractionAbsencePpm: 5_000n,
  absenceExclusionEpochs: 2n,
  vrfVerifyCost: 2_000n,
  maxEvidenceAgeSeconds: 172_800n,
  keyRetentionSeconds: 604_800n,
};

export function parseCommitteeParams(raw: unknown): CommitteeParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const int = (name: keyof CommitteeParams, min: bigint, max?: bigint): bigint => {
    const v = r[name] ?? defaultCommitteeParams[name];
    let n: bigint;
    try {
      if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number") throw new Error();
      n = BigInt(v);
    } catch {
      throw new Error(`committee.params.${name}: expected an integer, got "${String(v)}"`);
    }
    if (n < min || (max !== undefined && n > max))
      throw new Error(`committee.params.${name}: must be ${min}..${max ?? "∞"}`);
    return n;
  };
  const p: CommitteeParams = {
    epochBlocks: int("epochBlocks", 1n),
    handoffBlocks: int("handoffBlocks", 0n),
    maxCommitteeSize: int("maxCommitteeSize", 2n, 255n),
    minCommitteeSize: int("minCommitteeSize", 2n, 255n),
    thresholdPpm: int("thresholdPpm", 1n, 1_000_000n),
    slashFractionDisputePpm: int("slashFractionDisputePpm", 0n, 1_000_000n),
    sigVerifyCostEd25519: int("sigVerifyCostEd25519", 0n),
    seedSlotSeconds: int("seedSlotSeconds", 1n, 86_400n),
    dkgTimeoutSeconds: int("dkgTimeoutSeconds", 1n, 7n * 86_400n),
    slashFractionAbsencePpm: int("slashFractionAbsencePpm", 0n, 1_000_000n),
    absenceExclusionEpochs: int("absenceExclusionEpochs", 0n, 1_000n),
    vrfVerifyCost: int("vrfVerifyCost", 0n),
    maxEvidenceAgeSeconds: int("maxEvidenceAgeSeconds", 1n),
    keyRetentionSeconds: int("keyRetentionSeconds", 1n),
  };
  if (p.minCommitteeSize > p.maxCommitteeSize)
    throw new Error("committee.params.minCommitteeSize: must not exceed maxCommitteeSize");
  if (p.handoffBlocks >= p.epochBlocks)
    throw new Error("committee.params.handoffBlocks: must be shorter than an epoch");
  return p;
}

/** t for a committee of n: ceil(n · ppm / 10^6), clamped to 2..n (FROST needs t ≥ 2). */
export function thresholdFor(n: bigint, thresholdPpm: bigint): bigint {
  const t = (n * thresholdPpm + 999_999n) / 1_000_000n;
  if (t < 2n) return 2n;
  return t > n ? n : t;
}

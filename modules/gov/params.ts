/** @module gov params: bootstrap mode, the foundation authority, deposit, periods (block time) and tally ratios. */
import { isValidAddress } from "../../common/secp256k1.js";

export const PPM = 1_000_000n;

export interface GovParams {
  /** Bootstrap mode: passed proposals execute only with the foundation's approval, and it may veto. */
  readonly bootstrap: boolean;
  /** The foundation authority (a multisig account on mainnet); "" = none (nothing can be approved). */
  readonly foundation: string;
  readonly depositDenom: string;
  /** Deposit that moves a proposal into its voting period (refunded whatever the outcome: no gov slashing). */
  readonly minDeposit: bigint;
  readonly maxDepositPeriodSeconds: bigint;
  readonly votingPeriodSeconds: bigint;
  /** Voted power / total active power must reach this (ppm). */
  readonly quorumPpm: bigint;
  /** Yes / (voted − abstain) must exceed this (ppm). */
  readonly thresholdPpm: bigint;
  /** NoWithVeto / voted above this rejects (ppm). */
  readonly vetoThresholdPpm: bigint;
  readonly maxMessages: bigint;
  readonly maxTitleLength: bigint;
  readonly maxSummaryLength: bigint;
  readonly maxMetadataLength: bigint;
  readonly maxParamsJsonBytes: bigint;
  /** Proposals ended (tallied or expired) per end block; the rest wait, in queue order. */
  readonly maxEndingPerBlock: bigint;
  /** Distinct depositors per proposal: each is refunded at the end, so their number bounds that work. */
  readonly maxDepositors: bigint;
}

export const defaultGovParams: GovParams = {
  bootstrap: true,
  foundation: "",
  depositDenom: "unusa",
  minDeposit: 1_000_000n,
  maxDepositPeriodSeconds: 2n * 86_400n,
  votingPeriodSeconds: 2n * 86_400n,
  quorumPpm: 334_000n,
  thresholdPpm: 500_000n,
  vetoThresholdPpm: 334_000n,
  maxMessages: 8n,
  maxTitleLength: 140n,
  maxSummaryLength: 10_000n,
  maxMetadataLength: 255n,
  maxParamsJsonBytes: 4_096n,
  maxEndingPerBlock: 50n,
  maxDepositors: 100n,
};

/** Parses params from genesis/store/proposal JSON (integers as strings), naming the bad field. */
export function parseGovParams(raw: unknown): GovParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  type IntKey = Exclude<keyof GovParams, "bootstrap" | "foundation" | "depositDenom">;
  const int = (name: IntKey, min: bigint, max?: bigint): bigint => {
    const v = r[name] ?? defaultGovParams[name];
    let n: bigint;
    try {
      if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number") throw new Error();
      n = BigInt(v);
    } catch {
      throw new Error(`gov.params.${name}: expected an integer, got "${String(v)}"`);
    }
    if (n < min || (max !== undefined && n > max)) throw new Error(`gov.params.${name}: must be ${min}..${max ?? "∞"}`);
    return n;
  };
  const bootstrap = r.bootstrap ?? defaultGovParams.bootstrap;
  if (typeof bootstrap !== "boolean") throw new Error("gov.params.bootstrap: expected a boolean");
  const foundation = r.foundation ?? defaultGovParams.foundation;
  if (typeof foundation !== "string" || (foundation !== "" && !isValidAddress(foundation)))
    throw new Error(`gov.params.foundation: invalid address "${String(foundation)}"`);
  const depositDenom = r.depositDenom ?? defaultGovParams.depositDenom;
  if (typeof depositDenom !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(depositDenom))
    throw new Error(`gov.params.depositDenom: invalid denom "${String(depositDenom)}"`);
  const year = 366n * 86_400n;
  return {
    bootstrap,
    foundation,
    depositDenom,
    minDeposit: int("minDeposit", 0n),
    maxDepositPeriodSeconds: int("maxDepositPeriodSeconds", 1n, year),
    votingPeriodSeconds: int("votingPeriodSeconds", 1n, year),
    // A quorum or threshold of 0 would let one validator decide alone; the ratios are kept meaningful.
    quorumPpm: int("quorumPpm", 1n, PPM),
    thresholdPpm: int("thresholdPpm", 1n, PPM - 1n),
    vetoThresholdPpm: int("vetoThresholdPpm", 1n, PPM),
    maxMessages: int("maxMessages", 1n, 64n),
    maxTitleLength: int("maxTitleLength", 1n, 1_000n),
    maxSummaryLength: int("maxSummaryLength", 1n, 100_000n),
    maxMetadataLength: int("maxMetadataLength", 0n, 10_000n),
    maxParamsJsonBytes: int("maxParamsJsonBytes", 16n, 65_536n),
    maxEndingPerBlock: int("maxEndingPerBlock", 1n, 10_000n),
    maxDepositors: int("maxDepositors", 1n, 1_000n),
  };
}

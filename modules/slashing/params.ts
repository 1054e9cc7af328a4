/** @module slashing params (T25 amounts; SDK-like downtime window); fractions in parts per million. */
import { isValidAddress } from "../../common/secp256k1.js";

export interface SlashingParams {
  /** Blocks in the downtime sliding window. */
  readonly signedBlocksWindow: bigint;
  /** A validator must sign at least this share of the window (ppm; 500 000 = 50%). */
  readonly minSignedPerWindowPpm: bigint;
  readonly downtimeJailSeconds: bigint;
  readonly slashFractionDoubleSignPpm: bigint;
  readonly slashFractionDowntimePpm: bigint;
  /** Node faults (T25): liveness 0.5%, data corruption 5%, compute fraud 10%. */
  readonly slashFractionLivenessPpm: bigint;
  readonly slashFractionDataCorruptionPpm: bigint;
  readonly slashFractionComputeFraudPpm: bigint;
  /** A slashed node is quarantined this long (block time) before it may be Active again. */
  readonly nodeCooldownSeconds: bigint;
  /** Malicious node offences (data corruption, compute fraud) within the window that trigger a ban. */
  readonly maliceThreshold: bigint;
  readonly maliceWindowSeconds: bigint;
  /** Forced unbond + ban for this long (T25: 30 days). */
  readonly banSeconds: bigint;
  /**
   * TEMPORARY: the one address whose MsgReportNodeFault is accepted, until the coordinator
   * committee module attests node faults. Empty = node fault reports are refused.
   */
  readonly faultAuthority: string;
  /**
   * Evidence older than this many blocks (at the block that judges it) is ignored: CometBFT
   * misbehavior, and the infraction height of a node fault report.
   */
  readonly maxEvidenceAgeBlocks: bigint;
}

const DAY = 86_400n;

export const defaultSlashingParams: SlashingParams = {
  signedBlocksWindow: 100n,
  minSignedPerWindowPpm: 500_000n,
  downtimeJailSeconds: 600n,
  slashFractionDoubleSignPpm: 50_000n,
  slashFractionDowntimePpm: 100n,
  slashFractionLivenessPpm: 5_000n,
  slashFractionDataCorruptionPpm: 50_000n,
  slashFractionComputeFraudPpm: 100_000n,
  nodeCooldownSeconds: DAY,
  maliceThreshold: 3n,
  maliceWindowSeconds: 30n * DAY,
  banSeconds: 30n * DAY,
  faultAuthority: "",
  maxEvidenceAgeBlocks: 100_000n,
};

export function parseSlashingParams(raw: unknown): SlashingParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const int = (name: Exclude<keyof SlashingParams, "faultAuthority">, min: bigint, max?: bigint): bigint => {
    const v = r[name] ?? defaultSlashingParams[name];
    if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number")
      throw new Error(`slashing.params.${name}: expected an integer`);
    let n: bigint;
    try {
      n = BigInt(v);
    } catch {
      throw new Error(`slashing.params.${name}: expected an integer, got "${String(v)}"`);
    }
    if (n < min || (max !== undefined && n > max))
      throw new Error(`slashing.params.${name}: must be ${min}..${max ?? "∞"}`);
    return n;
  };
  const ppm = 1_000_000n;
  const authority = r.faultAuthority ?? "";
  if (typeof authority !== "string" || (authority !== "" && !isValidAddress(authority)))
    throw new Error(`slashing.params.faultAuthority: invalid address "${String(authority)}"`);
  return {
    signedBlocksWindow: int("signedBlocksWindow", 1n, 1_000_000n),
    minSignedPerWindowPpm: int("minSignedPerWindowPpm", 0n, ppm),
    downtimeJailSeconds: int("downtimeJailSeconds", 0n),
    slashFractionDoubleSignPpm: int("slashFractionDoubleSignPpm", 0n, ppm),
    slashFractionDowntimePpm: int("slashFractionDowntimePpm", 0n, ppm),
    slashFractionLivenessPpm: int("slashFractionLivenessPpm", 0n, ppm),
    slashFractionDataCorruptionPpm: int("slashFractionDataCorruptionPpm", 0n, ppm),
    slashFractionComputeFraudPpm: int("slashFractionComputeFraudPpm", 0n, ppm),
    nodeCooldownSeconds: int("nodeCooldownSeconds", 0n),
    maliceThreshold: int("maliceThreshold", 1n),
    maliceWindowSeconds: int("maliceWindowSeconds", 0n),
    banSeconds: int("banSeconds", 0n),
    faultAuthority: authority,
    maxEvidenceAgeBlocks: int("maxEvidenceAgeBlocks", 1n),
  };
}

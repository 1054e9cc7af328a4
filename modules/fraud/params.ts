/** @module fraud params (roadmap 18.8, 25): bond, per-move deadline, verdict shares, proof size and gas — genesis params. */

export interface FraudParams {
  readonly denom: string;
  /** Escrowed by every challenge (unusa): 100 NUSA. */
  readonly challengeBond: bigint;
  /** Block time each party has for its move; missing it loses the game. */
  readonly moveTimeoutSeconds: bigint;
  /** False accusation: this share of the bond (ppm) goes to the treasury, the rest back to the challenger. */
  readonly falseAccusationSlashPpm: bigint;
  /** Fraud: this share (ppm) of what the node was slashed is paid to the challenger from the treasury. */
  readonly challengerRewardPpm: bigint;
  /** Largest encoded one-step proof accepted (bytes). */
  readonly maxStepProofBytes: bigint;
  /** Gas for a one-step verification: flat + per proof byte (deterministic, charged before decoding). */
  readonly stepVerifyGas: bigint;
  readonly stepProofGasPerByte: bigint;
  /** Largest module + input a MsgPinStart may carry (bytes), and gas per byte hashed. */
  readonly maxPinBytes: bigint;
  readonly pinGasPerByte: bigint;
  /** End block resolves at most this many expired games (the rest next block, oldest deadline first). */
  readonly maxExpiriesPerBlock: bigint;
}

export const defaultFraudParams: FraudParams = {
  denom: "unusa",
  challengeBond: 100_000_000n,
  moveTimeoutSeconds: 1_800n,
  falseAccusationSlashPpm: 50_000n,
  challengerRewardPpm: 500_000n,
  // Host-call proofs reach ~340 KB binary in the worst case (common/wasm/README.md), about twice that as tagged
  // JSON; the cap stays under auth's 1 MiB maxTxBytes.
  maxStepProofBytes: 1_000_000n,
  stepVerifyGas: 100_000n,
  stepProofGasPerByte: 20n,
  maxPinBytes: 1_048_576n,
  pinGasPerByte: 2n,
  maxExpiriesPerBlock: 50n,
};

export function parseFraudParams(raw: unknown): FraudParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const int = (name: Exclude<keyof FraudParams, "denom">, min: bigint, max?: bigint): bigint => {
    const v = r[name] ?? defaultFraudParams[name];
    let n: bigint;
    try {
      if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number") throw new Error();
      n = BigInt(v);
    } catch {
      throw new Error(`fraud.params.${name}: expected an integer, got "${String(v)}"`);
    }
    if (n < min || (max !== undefined && n > max))
      throw new Error(`fraud.params.${name}: must be ${min}..${max ?? "∞"}`);
    return n;
  };
  const denom = r.denom ?? defaultFraudParams.denom;
  if (typeof denom !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(denom))
    throw new Error(`fraud.params.denom: invalid denom "${String(denom)}"`);
  return {
    denom,
    challengeBond: int("challengeBond", 1n),
    moveTimeoutSeconds: int("moveTimeoutSeconds", 1n, 7n * 86_400n),
    falseAccusationSlashPpm: int("falseAccusationSlashPpm", 0n, 1_000_000n),
    challengerRewardPpm: int("challengerRewardPpm", 0n, 1_000_000n),
    maxStepProofBytes: int("maxStepProofBytes", 1_024n, 4_194_304n),
    stepVerifyGas: int("stepVerifyGas", 0n),
    stepProofGasPerByte: int("stepProofGasPerByte", 0n),
    maxPinBytes: int("maxPinBytes", 0n, 16_777_216n),
    pinGasPerByte: int("pinGasPerByte", 0n),
    maxExpiriesPerBlock: int("maxExpiriesPerBlock", 1n, 10_000n),
  };
}

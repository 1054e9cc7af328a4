/** @module Deterministic gas metering: fixed costs per byte, signature and store access (SDK defaults). */
import { SdkErrors } from "./errors.js";
import type { KVStore } from "./store/index.js";

/** Costs as in cosmos-sdk store/types/gas.go KVGasConfig and x/auth defaults. */
export const GasCosts = {
  readFlat: 1000n,
  readPerByte: 3n,
  writeFlat: 2000n,
  writePerByte: 30n,
  has: 1000n,
  delete: 1000n,
  iterNextFlat: 30n,
  txSizePerByte: 10n,
  secp256k1Verify: 1000n,
} as const;

export class GasMeter {
  private used = 0n;
  /** `limit` of undefined means unlimited (InitChain, block hooks, simulation). */
  constructor(readonly limit: bigint | undefined) {}

  consume(amount: bigint, descriptor: string): void {
    this.used += amount;
    if (this.limit !== undefined && this.used > this.limit) {
      throw SdkErrors.OutOfGas.wrap(
        `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`,
      );
    }
  }

  get consumed(): bigint {
    return this.used;
  }
}

/** A KVStore wrapper that charges gas for every access, so gas depends only on what the tx touches. */
export function gasStore(inner: KVStore, meter: GasMeter): KVStore {
  return {
    get(key) {
      meter.consume(GasCosts.readFlat, "ReadFlat");
      const v = inner.get(key);
      meter.consume(GasCosts.readPerByte * BigInt(key.length + (v?.length ?? 0)), "ReadPerByte");
      return v;
    },
    has(key) {
      meter.consume(GasCosts.has, "Has");
      return inner.has(key);
    },
    set(key, value) {
      meter.consume(GasCosts.writeFlat, "WriteFlat");
      meter.consume(GasCosts.writePerByte * BigInt(key.length + value.length), "WritePerByte");
      inner.set(key, value);
    },
    delete(key) {
      meter.consume(GasCosts.delete, "Delete");
      inner.delete(key);
    },
    *iterate(range) {
      for (const [k, v] of inner.iterate(range)) {
        meter.consume(GasCosts.iterNextFlat + GasCosts.readPerByte * BigInt(k.length + v.length), "IterNext");
        yield [k, v];
      }
    },
  };
}

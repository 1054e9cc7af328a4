/**
 * @module The price feeder sidecar: reads NUSA/USD from a source and writes the validator's price file
 * (atomically) for its dsdnd to put in vote extensions. Sources: a deterministic simulated feed, or a file.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomicSync } from "../../common/atomicFile.js";
import { formatPriceFile, MAX_PRICE_FILE_BYTES, parseUsd } from "../../common/priceFile.js";

export interface SimulatedFeed {
  /** Centre price, nano-USD. */
  readonly baseNanoUsd: bigint;
  /** Peak deviation from the base (ppm). */
  readonly amplitudePpm: bigint;
  /** One full up-and-down cycle, seconds. */
  readonly periodSeconds: bigint;
}

/**
 * A triangle wave around the base, a pure function of the time: every validator running the simulated
 * feed reports (nearly) the same price at the same moment, so the localnet's median is predictable.
 */
export function simulatedPrice(f: SimulatedFeed, unixSeconds: bigint): bigint {
  const period = f.periodSeconds > 1n ? f.periodSeconds : 2n;
  const half = period / 2n;
  const phase = unixSeconds % period;
  // -1..+1 in ppm: rises over the first half, falls over the second.
  const tri =
    phase < half ? (phase * 2_000_000n) / half - 1_000_000n : 1_000_000n - ((phase - half) * 2_000_000n) / half;
  const delta = (f.baseNanoUsd * f.amplitudePpm * tri) / 1_000_000_000_000n;
  const p = f.baseNanoUsd + delta;
  return p > 0n ? p : 1n;
}

/** A file holding a decimal USD price ("0.05"), changeable by hand or by a test while the feeder runs. */
export async function filePrice(path: string): Promise<bigint> {
  const text = await readFile(path, "utf8");
  if (text.length > MAX_PRICE_FILE_BYTES) throw new Error(`${path}: too large`);
  return parseUsd(text);
}

export type PriceSource = () => Promise<bigint>;

export interface FeederOptions {
  readonly source: PriceSource;
  readonly out: string;
  readonly intervalMs: number;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

/** Writes one reading; a failing source writes nothing (the reading ages out and the validator reports no price). */
export async function feedOnce(o: FeederOptions): Promise<bigint | undefined> {
  try {
    const price = await o.source();
    const at = Math.floor((o.now ?? Date.now)() / 1000);
    writeFileAtomicSync(o.out, formatPriceFile({ priceNanoUsd: price, at }), { mode: 0o644 });
    return price;
  } catch (e) {
    o.log(`price-feeder: no price this round: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** Runs until `signal` aborts. */
export async function runFeeder(o: FeederOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await feedOnce(o);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.intervalMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}

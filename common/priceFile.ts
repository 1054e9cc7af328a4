/**
 * @module The price file a validator's price feeder writes and its dsdnd reads: NUSA/USD in nano-USD per NUSA
 * with the (wall-clock) time it was observed. Node-local input to the vote extension, never chain state.
 */

export interface PriceReading {
  readonly priceNanoUsd: bigint;
  /** Unix seconds the feeder observed the price; readers ignore readings that are too old. */
  readonly at: number;
}

/** Largest price file read (bounds a hostile or corrupt file). */
export const MAX_PRICE_FILE_BYTES = 4096;

/** "0.05" / "12" / "0.000000001" -> nano-USD; at most 9 decimals and 12 integer digits. */
export function parseUsd(text: string): bigint {
  const m = /^\s*([0-9]{1,12})(?:\.([0-9]{1,9}))?\s*$/.exec(text);
  if (!m) throw new Error(`not a USD amount with at most 9 decimals: "${text.slice(0, 40)}"`);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

export function formatPriceFile(r: PriceReading): string {
  return `${JSON.stringify({ priceNanoUsd: r.priceNanoUsd.toString(), at: r.at })}\n`;
}

export function parsePriceFile(text: string): PriceReading {
  if (text.length > MAX_PRICE_FILE_BYTES) throw new Error("price file too large");
  const j = JSON.parse(text) as { priceNanoUsd?: unknown; at?: unknown };
  if (typeof j.priceNanoUsd !== "string" || !/^[1-9][0-9]{0,19}$/.test(j.priceNanoUsd))
    throw new Error("price file: priceNanoUsd must be a positive integer string");
  if (typeof j.at !== "number" || !Number.isSafeInteger(j.at) || j.at < 0)
    throw new Error("price file: at must be unix seconds");
  return { priceNanoUsd: BigInt(j.priceNanoUsd), at: j.at };
}

/**
 * @module dsdnd's view of its price feeder: polls the price file in the background so ExtendVote answers
 * from memory at once; a missing, broken or old reading means "no price" (an empty vote extension).
 */
import { readFile } from "node:fs/promises";
import { type PriceReading, parsePriceFile } from "../../common/priceFile.js";

export interface PriceFilePoller {
  /** The latest reading if it is at most `maxAgeSeconds` old, else undefined. */
  latest(): bigint | undefined;
  stop(): void;
}

export function pollPriceFile(
  path: string,
  o: { intervalMs?: number; maxAgeSeconds?: number; now?: () => number; log?: (l: string) => void } = {},
): PriceFilePoller {
  let reading: PriceReading | undefined;
  let lastError = "";
  const now = o.now ?? Date.now;
  const maxAge = o.maxAgeSeconds ?? 30;
  const poll = async () => {
    try {
      reading = parsePriceFile(await readFile(path, "utf8"));
      lastError = "";
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // Log a changed problem once, not every poll.
      if (msg !== lastError) o.log?.(`dsdnd: price file ${path}: ${msg}`);
      lastError = msg;
      reading = undefined;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), o.intervalMs ?? 1000);
  timer.unref();
  return {
    latest() {
      if (!reading) return undefined;
      return Math.floor(now() / 1000) - reading.at <= maxAge ? reading.priceNanoUsd : undefined;
    },
    stop: () => clearInterval(timer),
  };
}

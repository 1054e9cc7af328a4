/** @module The chain's NUSA/USD oracle price for `dsdn` commands: a USD price (receipt v2) in unusa, saying when the price is stale. */
import type { connectComet } from "@cosmjs/tendermint-rpc";
import { formatUsd, UNUSA_PER_NUSA, usdToUnusa } from "../../modules/oracle/price.js";
import type { QueryPriceResponse } from "../../proto/gen/dsdn/oracle/v1/query.js";

/** The exports of a lazily imported CommonJS module, whether they come by name (Node) or as `default` (a bundle). */
const commonJs = <T>(m: T & { default?: T }): T => m.default ?? m;

/** How long a command waits for the chain before showing the estimate without USD. */
export const PRICE_TIMEOUT_MS = 5_000;

export type UsdEstimate =
  | {
      readonly usd: string;
      readonly usdNano: string;
      /** unusa the chain would pay for `usdNano` now (its own conversion: rounded up). */
      readonly unusa: string;
      /** nano-USD per NUSA the conversion used (the oracle's effective, floor/ceiling-bounded price). */
      readonly priceNanoUsd: string;
      readonly stale: boolean;
      /** block time (unix s) of the price's last accepted update */
      readonly updatedAt: string;
    }
  | { readonly unavailable: string };

/** nano-USD of `unusa` at `priceNanoUsd` per NUSA, rounded to the nearest nano-USD. */
export function unusaToUsdNano(unusa: bigint, priceNanoUsd: bigint): bigint {
  return (unusa * priceNanoUsd + UNUSA_PER_NUSA / 2n) / UNUSA_PER_NUSA;
}

/**
 * A receipt v2 price (`usdNano`) in unusa at the oracle's answer, through the chain's own conversion (the
 * effective price, rounded up), so the figure is what a claim made now would pay; a chain with no price yet
 * gives `unavailable`, never a made-up figure.
 */
export function nusaEstimate(usdNano: bigint, p: QueryPriceResponse): UsdEstimate {
  const price = /^[0-9]{1,30}$/.test(p.effectivePriceNanoUsd) ? BigInt(p.effectivePriceNanoUsd) : 0n;
  if (price <= 0n) return { unavailable: "the chain has no NUSA/USD price yet" };
  return {
    usd: formatUsd(usdNano),
    usdNano: usdNano.toString(),
    unusa: usdToUnusa(usdNano, price).toString(),
    priceNanoUsd: price.toString(),
    stale: p.stale,
    updatedAt: p.updatedAt.toString(),
  };
}

/** `unusa` in USD at the oracle's answer; a chain with no price yet gives `unavailable`, never a made-up figure. */
export function usdEstimate(unusa: bigint, p: QueryPriceResponse): UsdEstimate {
  const price = /^[0-9]{1,30}$/.test(p.effectivePriceNanoUsd) ? BigInt(p.effectivePriceNanoUsd) : 0n;
  if (price <= 0n) return { unavailable: "the chain has no NUSA/USD price yet" };
  const nano = unusaToUsdNano(unusa, price);
  return {
    usd: formatUsd(nano),
    usdNano: nano.toString(),
    unusa: unusa.toString(),
    priceNanoUsd: price.toString(),
    stale: p.stale,
    updatedAt: p.updatedAt.toString(),
  };
}

/** One line for people: "≈ 0.012500000 USD (at 0.050000000 USD/NUSA)", flagged when the price is stale. */
export function usdLine(e: UsdEstimate): string {
  if ("unavailable" in e) return `USD: unavailable (${e.unavailable})`;
  const stale = e.stale ? `; STALE: no oracle update since block time ${e.updatedAt}, the last good price` : "";
  return `≈ ${e.usd} USD (at ${formatUsd(BigInt(e.priceNanoUsd))} USD/NUSA${stale})`;
}

/** One line for people: "≈ 250000 unusa (at 0.050000000 USD/NUSA)", flagged when the price is stale. */
export function nusaLine(e: UsdEstimate): string {
  if ("unavailable" in e) return `NUSA: unavailable (${e.unavailable})`;
  const stale = e.stale ? `; STALE: no oracle update since block time ${e.updatedAt}, the last good price` : "";
  return `≈ ${e.unusa} unusa (at ${formatUsd(BigInt(e.priceNanoUsd))} USD/NUSA${stale})`;
}

/**
 * The oracle price from a CometBFT RPC, bounded by `timeoutMs`, applied by `convert` (`nusaEstimate` for a USD
 * price, `usdEstimate` for a unusa amount); any failure becomes `unavailable` with the reason.
 */
export async function chainEstimate(
  rpcUrl: string,
  amount: bigint,
  convert: (amount: bigint, p: QueryPriceResponse) => UsdEstimate,
  timeoutMs = PRICE_TIMEOUT_MS,
): Promise<UsdEstimate> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let comet: Awaited<ReturnType<typeof connectComet>> | undefined;
  try {
    const ask = (async () => {
      // The chain client (cosmjs stargate + tendermint-rpc) loads only when a price is asked for: importing
      // this module (every `dsdn --help`) stays cheap.
      // Both cosmjs packages are CommonJS: Node's import gives their exports by name, but the esbuild bundle bin/dsdn
      // runs gives them only as `default` (rpc.connectComet was undefined there) — take whichever holds them.
      const [stargate, rpc, { setupEconomyExtension }] = await Promise.all([
        import("@cosmjs/stargate").then(commonJs),
        import("@cosmjs/tendermint-rpc").then(commonJs),
        import("../sdk/economy.js"),
      ]);
      const { QueryClient } = stargate;
      comet = await rpc.connectComet(rpcUrl);
      return QueryClient.withExtensions(comet, setupEconomyExtension).oracle.price();
    })();
    return convert(amount, await Promise.race([ask, deadline]));
  } catch (e) {
    return { unavailable: `oracle price: ${String((e as Error).message ?? e).slice(0, 200)}` };
  } finally {
    clearTimeout(timer);
    comet?.disconnect();
  }
}

/**
 * @module `dsdn estimate`'s USD figure: converted at the chain's own oracle answer (a real oracle keeper), flagged
 * when stale, never invented when the chain has no price or does not answer, and bounded in time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { QueryPriceRequest, QueryPriceResponse } from "../../proto/gen/dsdn/oracle/v1/query.js";
import { oracleChain, priceBlock } from "../../test/support/oracleHarness.js";
import type { TestChain } from "../../test/support/testChain.js";
import { estimate } from "./commands/estimate.js";
import { chainEstimate, nusaEstimate, nusaLine, usdEstimate, usdLine } from "./oraclePrice.js";

const $ = (usd: number) => BigInt(Math.round(usd * 1e9)); // test literals only
const chains: TestChain[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const c of chains.splice(0)) c.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});
const price = (c: TestChain) => c.query("/dsdn.oracle.v1.Query/Price", QueryPriceRequest, {}, QueryPriceResponse);

describe("usdEstimate at the chain's oracle price", () => {
  it("converts at the effective price and says when that price is stale", () => {
    const c = oracleChain({ oracle: { params: { windowSeconds: "10" } } });
    chains.push(c);
    c.block();
    priceBlock(c, [$(0.08), $(0.08), $(0.08)], 10n); // a stake majority moves it at most +20%: 0.06
    priceBlock(c, ["empty", "empty", "empty"], 10n);
    const p = price(c);
    expect(p.stale).toBe(false);
    // 25 NUSA at the chain's effective price, computed here independently: 25 × price (nano-USD).
    const e = usdEstimate(25_000_000n, p);
    expect(e).toMatchObject({ usdNano: (25n * BigInt(p.effectivePriceNanoUsd)).toString(), stale: false });
    expect(e).toMatchObject({ priceNanoUsd: p.effectivePriceNanoUsd });
    expect(usdLine(e)).not.toContain("STALE");
    expect(usdLine(e)).toContain(" USD (at ");

    priceBlock(c, ["empty", "empty", "empty"], 3601n); // feeders gone past stale_seconds
    const old = usdEstimate(25_000_000n, price(c));
    expect(old).toMatchObject({ stale: true, usdNano: (e as { usdNano: string }).usdNano });
    expect(usdLine(old)).toContain("STALE");
  });

  it("a USD price in unusa: the chain's own conversion (effective price, rounded up), stale flagged", () => {
    const c = oracleChain({});
    chains.push(c);
    c.block();
    const p = price(c);
    const eff = BigInt(p.effectivePriceNanoUsd);
    // $0.15 at the effective price, computed here independently: ceil(0.15e9 · 10^6 / eff).
    const e = nusaEstimate($(0.15), p);
    expect(e).toMatchObject({ usdNano: $(0.15).toString(), priceNanoUsd: p.effectivePriceNanoUsd });
    expect(e).toMatchObject({ unusa: (($(0.15) * 1_000_000n + eff - 1n) / eff).toString() });
    expect(nusaLine(e)).toMatch(/^≈ [0-9]+ unusa \(at [0-9.]+ USD\/NUSA\)$/);
    const at3 = QueryPriceResponse.fromPartial({ effectivePriceNanoUsd: "3", stale: true, updatedAt: 7n });
    expect(nusaEstimate(1n, at3)).toMatchObject({ unusa: "333334", stale: true });
    expect(nusaLine(nusaEstimate(1n, at3))).toContain("STALE");
    expect(nusaEstimate(1n, QueryPriceResponse.fromPartial({ effectivePriceNanoUsd: "0" }))).toEqual({
      unavailable: "the chain has no NUSA/USD price yet",
    });
  });

  it("rounds to the nearest nano-USD: at 1 nano-USD per NUSA, 499 999 unusa is 0, 500 000 is 1; at $0.05, 1 unusa is 50", () => {
    const at1n = QueryPriceResponse.fromPartial({ effectivePriceNanoUsd: "1" });
    expect(usdEstimate(499_999n, at1n)).toMatchObject({ usdNano: "0" });
    expect(usdEstimate(500_000n, at1n)).toMatchObject({ usdNano: "1", usd: "0.000000001" });
    const at5c = QueryPriceResponse.fromPartial({ effectivePriceNanoUsd: $(0.05).toString() });
    expect(usdEstimate(1n, at5c)).toMatchObject({ usdNano: "50", usd: "0.000000050" });
  });

  it.each([
    ["no price yet (0)", "0"],
    ["a malformed price", "-5"],
    ["an absurdly long price", "9".repeat(31)],
  ])("gives no USD figure for %s", (_what, eff) => {
    const e = usdEstimate(1_000_000n, QueryPriceResponse.fromPartial({ effectivePriceNanoUsd: eff }));
    expect(e).toEqual({ unavailable: "the chain has no NUSA/USD price yet" });
    expect(usdLine(e)).toMatch(/^USD: unavailable/);
  });
});

describe("chainUsdEstimate and dsdn estimate without a usable chain", () => {
  it("a node that never answers is given up on: unavailable, not a hang", async () => {
    const s = createServer(() => {}); // accepts, never replies
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const e = await chainEstimate(url, 1n, usdEstimate, 300);
    expect(e).toEqual({ unavailable: "oracle price: no answer within 300 ms" });
    s.closeAllConnections();
  });

  it("dsdn estimate still prints the USD estimate, with why there is no NUSA figure", async () => {
    const wasm = new URL("../../node-agent/runtime/fixtures/wc.wasm", import.meta.url).pathname;
    const saved = process.env.RPC_URL;
    delete process.env.RPC_URL;
    try {
      const lines: string[] = [];
      expect(
        await estimate.run({
          positionals: [wasm],
          values: { json: false },
          out: (l: string) => lines.push(l),
        } as never),
      ).toBe(0);
      const priceLine = lines.find((l) => l.includes("price ≈"));
      expect(priceLine).toMatch(
        /price ≈ [0-9]+\.[0-9]{9} USD .*NUSA: unavailable \(no chain to ask: give --rpc URL or set RPC_URL\)/,
      );

      // A refused connection: the reason is shown, the JSON keeps the USD figure.
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      const port = (s.address() as AddressInfo).port;
      await new Promise((r) => s.close(r));
      const json: string[] = [];
      await estimate.run({
        positionals: [wasm],
        values: { json: true, rpc: `http://127.0.0.1:${port}` },
        out: (l: string) => json.push(l),
      } as never);
      const parsed = JSON.parse(json.join("\n"));
      expect(parsed.price.total).toMatch(/^[0-9]+$/);
      expect(parsed.price.unit).toBe("nano-USD");
      expect(parsed.price.nusa.unavailable).toMatch(/^oracle price: /);
    } finally {
      if (saved !== undefined) process.env.RPC_URL = saved;
    }
  });
});

// Adaptive economics in shadow mode: every period's Node Cost Index, adaptive fee (±20%) and treasury burn
// are recorded and evented but change nothing; with the switch on (genesis here, governance later) they apply.
import { afterEach, describe, expect, it } from "vitest";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { adaptiveBurn, adaptiveFee } from "../../../modules/economics/index.js";
import { QueryShadowRequest, QueryShadowResponse } from "../../../proto/gen/dsdn/economics/v1/economics.js";
import { oracleChain, priceBlock } from "../../support/oracleHarness.js";
import { NUSA, type TestChain } from "../../support/testChain.js";

const TREASURY = moduleAddress(ModuleAccount.Treasury);
const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

describe("adaptive arithmetic", () => {
  it("the fee follows the cost index within ±20% per period; the burn takes a capped share above the floor", () => {
    expect(adaptiveFee(1_000_000n, 500n, 400n, 200_000n)).toBe(1_200_000n); // wants +25%, gets +20%
    expect(adaptiveFee(1_000_000n, 440n, 400n, 200_000n)).toBe(1_100_000n);
    expect(adaptiveFee(1_000_000n, 100n, 400n, 200_000n)).toBe(800_000n);
    expect(adaptiveFee(1_000_000n, 400n, 0n, 200_000n)).toBe(1_000_000n);
    expect(adaptiveBurn(100n, 100n, 500_000n, 1000n)).toBe(0n);
    expect(adaptiveBurn(300n, 100n, 500_000n, 1000n)).toBe(100n);
    expect(adaptiveBurn(10_000n, 100n, 500_000n, 1000n)).toBe(1000n);
  });
});

/** `costBefore`: the node's USD cost of an imported earlier period (a governance change of the reference cost). */
function run(applyEnabled: "0" | "1", costBefore?: bigint) {
  const last = costBefore && {
    period: "0",
    time: "0",
    priceNanoUsd: "50000000",
    nodeCostIndex: "0",
    previousNodeCostIndex: "0",
    currentStoragePrice: "50000",
    adaptiveStoragePrice: "50000",
    adaptiveBurn: "0",
    referenceCostUsdNano: costBefore.toString(),
  };
  const c = oracleChain({
    balances: [{ address: TREASURY, amount: 200_000n * NUSA }],
    appState: { economics: { params: { periodSeconds: "20", applyEnabled }, ...(last ? { last } : {}) } },
  });
  chains.push(c);
  const shadow = () => c.query("/dsdn.economics.v1.Query/Shadow", QueryShadowRequest, {}, QueryShadowResponse);
  const events: string[] = [];
  const collect = (r: { events?: { type: string }[] }) => {
    for (const e of r.events ?? []) events.push(e.type);
  };
  collect(c.block()); // period 1 at the genesis price $0.05: a node costs $20 = 400 NUSA
  const p1 = shadow().last!;
  // NUSA falls to $0.04 (−20%, inside the oracle clamp): a node now costs 500 NUSA, the fee wants +25%.
  // Blocks every 5 s: the 10 s oracle window closes at +20, the 20 s economics period at +25.
  const blocks = (n: number) => {
    for (let i = 0; i < n; i++) collect(priceBlock(c, [40_000_000n, 40_000_000n, 40_000_000n]));
  };
  blocks(4);
  const p2 = shadow().last!;
  blocks(4);
  const p3 = shadow().last!;
  return { c, p1, p2, p3, events, applyEnabled: shadow().applyEnabled };
}

describe("shadow mode and the switch", () => {
  it("shadow: computed, recorded and evented every period, nothing applied", () => {
    const { c, p1, p2, p3, events, applyEnabled } = run("0");
    expect(applyEnabled).toBe(false);
    expect(p1).toMatchObject({
      period: 1n,
      nodeCostIndex: (400n * NUSA).toString(),
      adaptiveStoragePrice: "50000",
      applied: false,
    });
    expect(p2).toMatchObject({
      period: 2n,
      priceNanoUsd: "40000000",
      nodeCostIndex: (500n * NUSA).toString(),
      previousNodeCostIndex: (400n * NUSA).toString(),
      currentStoragePrice: "50000",
      // The storage price is in USD (receipt v2): the oracle's conversion already asks 25% more NUSA for it, so a
      // NUSA fall alone leaves the USD fee where it is — scaling it by the NUSA index too charged users 1.5×.
      adaptiveStoragePrice: "50000",
      referenceCostUsdNano: "20000000000",
      adaptiveBurn: (10_000n * NUSA).toString(),
      applied: false,
    });
    // The price in force did not move and the treasury burned nothing.
    expect(p3.currentStoragePrice).toBe("50000");
    expect(c.balance(TREASURY)).toBe(200_000n * NUSA);
    expect(events.filter((t) => t === "economics_period").length).toBe(3);
  });

  it("switched on: the adaptive fee becomes the storage price and the treasury burns", () => {
    // A node's USD cost went from $16 to $20 (+25%): the USD fee follows it, +20% at most per period.
    const { c, p1, p2, p3, applyEnabled } = run("1", 16_000_000_000n);
    expect(applyEnabled).toBe(true);
    expect([p1.applied, p2.applied, p3.applied]).toEqual([true, true, true]);
    expect(p1.adaptiveStoragePrice).toBe("60000");
    expect(p2.currentStoragePrice).toBe("60000"); // applied in period 1, in force in period 2
    expect(p2.adaptiveStoragePrice).toBe("60000"); // the NUSA fall since asks nothing more in USD
    expect(p3.currentStoragePrice).toBe("60000");
    const burned = [p1, p2, p3].reduce((s, p) => s + BigInt(p.adaptiveBurn), 0n);
    expect(burned).toBeGreaterThan(0n);
    expect(c.balance(TREASURY)).toBe(200_000n * NUSA - burned);
  });
});

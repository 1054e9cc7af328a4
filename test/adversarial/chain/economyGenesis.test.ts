// Genesis sections of oracle, subsidy and economics: defaults, validation naming the bad field, and an
// export → import round trip with equal app hashes (mid-window reports, running-month activity included).
import { afterEach, describe, expect, it } from "vitest";
import { validateAppState } from "../../../app/buildApp.js";
import { toHex } from "../../../common/hash.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { oracleChain, priceBlock } from "../../support/oracleHarness.js";
import { TestChain } from "../../support/testChain.js";
import { addressOf } from "../../support/txBuilder.js";

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});
const OP = addressOf(secp256k1KeyPair(new Uint8Array(32).fill(0x77)));
const VX = { abci: { voteExtensionsEnableHeight: 1n } };

describe("economy genesis sections", () => {
  it("refuses bad sections, naming the field", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [
        { oracle: { params: { floorPriceNanoUsd: "10", ceilingPriceNanoUsd: "5" } } },
        /oracle.params.floorPriceNanoUsd/,
      ],
      [{ oracle: { params: { maxChangePpm: "1000001" } } }, /oracle.params.maxChangePpm: must be 0..1000000/],
      [{ oracle: { params: { windowSecs: "1" } } }, /oracle.params.windowSecs: unknown field/],
      [{ oracle: { priceNanoUsd: "-1" } }, /oracle.priceNanoUsd/],
      [{ subsidy: { params: { schedule1Ppm: "2000000" } } }, /subsidy.params.schedule1Ppm/],
      [
        {
          subsidy: {
            activity: [
              {
                operator: OP,
                month: "1",
                challenges: "1",
                passed: "2",
                usedBytes: "0",
                capacityBytes: "0",
                selfDealing: false,
              },
            ],
          },
        },
        /passed: exceeds challenges/,
      ],
      [{ economics: { params: { applyEnabled: "2" } } }, /economics.params.applyEnabled: must be 0..1/],
      [{ economics: { params: { periodSeconds: "1.5" } } }, /economics.params.periodSeconds: expected an integer/],
    ];
    for (const [state, msg] of bad) expect(() => validateAppState(state)).toThrow(msg);
    expect(() => validateAppState({})).not.toThrow();
  });

  it("export → import reproduces the state and the app hash", () => {
    const a = oracleChain({
      appState: {
        economics: { params: { periodSeconds: "10" } },
        subsidy: {
          params: { monthSeconds: "1000" },
          activity: [
            {
              operator: OP,
              month: "1",
              challenges: "3",
              passed: "2",
              usedBytes: "10",
              capacityBytes: "20",
              selfDealing: false,
              organic: "123456",
            },
          ],
        },
      },
    });
    chains.push(a);
    a.block();
    priceBlock(a, [60_000_000n, 55_000_000n, 50_000_000n]);
    priceBlock(a, [60_000_000n, 55_000_000n, 50_000_000n]);
    priceBlock(a, [59_000_000n, 54_000_000n, 49_000_000n]); // reports in the open window
    const g1 = a.exportAppState();
    expect((g1.oracle as { reports: unknown[] }).reports).toHaveLength(3);
    expect((g1.oracle as { priceNanoUsd: string }).priceNanoUsd).toBe("60000000");
    expect((g1.economics as { last: unknown }).last).not.toBeNull();
    expect((g1.subsidy as { activity: { organic: string }[] }).activity).toMatchObject([{ organic: "123456" }]);

    const b = new TestChain(g1);
    chains.push(b);
    b.init([], VX);
    // One block at the exported block time, so no window or period closes and only the import is compared.
    b.time = a.time;
    b.block([], { dt: 0n });
    const g2 = b.exportAppState();
    for (const m of ["oracle", "subsidy", "economics"]) expect(g2[m], m).toEqual(g1[m]);
    const c = new TestChain(g2);
    chains.push(c);
    c.init([], VX);
    const b2 = new TestChain(g1);
    chains.push(b2);
    b2.init([], VX);
    expect(toHex(c.initHash)).toBe(toHex(b2.initHash));
    c.time = a.time;
    b2.time = a.time;
    expect(toHex(c.block([], { dt: 0n }).appHash as Uint8Array)).toBe(
      toHex(b2.block([], { dt: 0n }).appHash as Uint8Array),
    );
  });
});

// Crashes the differential fuzzer (test/support/fuzz/abciFuzz.ts) found, each replayed as a fixed case.
import { afterEach, describe, expect, it } from "vitest";
import { TestChain } from "../test/support/testChain.js";

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

describe("fuzz regressions", () => {
  // Seed 20261128, run 20: a commit vote with an empty validator address reached the stake lookup,
  // whose length-prefixed store key refuses 0-byte addresses, and the RangeError escaped
  // FinalizeBlock (CometBFT would have crashed). Consensus addresses that are not 20 bytes now
  // simply match no validator, in votes and in misbehavior alike.
  it("FinalizeBlock survives votes and misbehavior naming malformed validator addresses", () => {
    const c = TestChain.start({ balances: [] });
    chains.push(c);
    for (const address of [new Uint8Array(), Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(7)]) {
      expect(() =>
        c.block([], {
          votes: [{ validator: { address, power: 1n }, blockIdFlag: 3 }] as any,
          misbehavior: [
            {
              type: 1,
              validator: { address, power: 19n },
              height: 1n,
              time: { seconds: 0n, nanos: 0 },
              totalVotingPower: 88n,
            },
          ] as any,
        }),
      ).not.toThrow();
    }
  });
});

// Bounded differential fuzz of CheckTx / ProcessProposal / FinalizeBlock over two in-process apps
// (see test/support/fuzz/abciFuzz.ts). The full campaign: `npm run fuzz -- --runs 1000000`.
// FUZZ_RUNS / FUZZ_SEED replay a reported failure.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { AppPair, type FuzzFailure, fuzzProperty } from "../support/fuzz/abciFuzz.js";

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describe("ABCI differential fuzz", () => {
  const state = { pair: new AppPair(), runs: 0, failures: [] as FuzzFailure[] };
  afterAll(() => state.pair.close());

  it(`${runs} mutated blocks: no exception escapes, both apps agree byte for byte`, () => {
    const r = fc.check(fuzzProperty(state), {
      numRuns: runs,
      endOnFailure: true,
      ...(seed !== undefined ? { seed } : {}),
    });
    const f = state.failures[0];
    expect(
      f ? { seed: r.seed, step: f.step, a: f.a, b: f.b, input: fc.stringify(r.counterexample) } : undefined,
    ).toBeUndefined();
    expect(r.numRuns).toBe(runs);
    // The mutations must leave enough valid txs for state to move (else the fuzz only tests decoding).
    expect(state.pair.stats.deliverOk).toBeGreaterThan(0);
  });

  it("reports a divergence when the two apps are not alike (self-test)", () => {
    const odd = { pair: new AppPair("1000unusa"), runs: 0, failures: [] as FuzzFailure[] };
    try {
      fc.check(fuzzProperty(odd), { numRuns: 50, endOnFailure: true });
      expect(odd.failures[0]?.step).toBe("CheckTx");
    } finally {
      odd.pair.close();
    }
  });
});

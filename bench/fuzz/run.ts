/**
 * @module `npm run fuzz -- --runs N [--seed S] [--minutes M]`: the full differential ABCI fuzz campaign
 * (test/support/fuzz/abciFuzz.ts), with its count, seed and outcome recorded in BENCHMARKS.md ("fuzz").
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { AppPair, type FuzzFailure, fuzzProperty } from "../../test/support/fuzz/abciFuzz.js";
import { writeBenchSection } from "../report.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    seed: { type: "string" },
    minutes: { type: "string" },
    "no-record": { type: "boolean" },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() ^ (Math.random() * 2 ** 31);
const deadline = values.minutes !== undefined ? Date.now() + Number(values.minutes) * 60_000 : undefined;

const state = { pair: new AppPair(), runs: 0, failures: [] as FuzzFailure[] };
const started = Date.now();
// fc.check runs synchronously, so progress is reported from inside the property, every 1000 blocks.
function progress(): void {
  const s = (Date.now() - started) / 1000;
  console.log(`fuzz: ${state.runs} runs in ${s.toFixed(0)} s (${(state.runs / s).toFixed(1)}/s), seed ${seed}`);
}
const property = fuzzProperty(state, 500, (n) => {
  if (n % 1000 === 0) progress();
});
// A time budget stops the campaign early (interruptAfterTimeLimit counts as success for the runs done).
const r = fc.check(property, {
  numRuns: runs,
  seed,
  endOnFailure: true,
  ...(deadline ? { interruptAfterTimeLimit: deadline - Date.now(), markInterruptAsFailure: false } : {}),
});
const stats = state.pair.stats;
state.pair.close();
const seconds = (Date.now() - started) / 1000;
const failure = state.failures[0];
const summary = [
  `| runs (blocks) | seed | time | rate | exceptions / divergences |`,
  `| --- | --- | --- | --- | --- |`,
  `| ${state.runs.toLocaleString("en-US")} | ${seed} | ${seconds.toFixed(0)} s | ${(state.runs / seconds).toFixed(1)} blocks/s | ${failure ? `1 (${failure.step})` : "0"} |`,
].join("\n");
const mix = `Last app pair (of ${Math.ceil(state.runs / 500)}, one per 500 blocks): CheckTx accepted ${stats.checkOk} of ${stats.checkTotal} txs, FinalizeBlock executed ${stats.deliverOk} of ${stats.deliverTotal} txs successfully over ${stats.blocks} blocks.`;
console.log(summary);
console.log(mix);
if (failure) {
  const file = `fuzz-failure-${seed}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      { seed, run: state.runs, step: failure.step, a: failure.a, b: failure.b, input: fc.stringify(r.counterexample) },
      null,
      2,
    ),
  );
  console.error(`failure at run ${state.runs} (${failure.step}); details in ${file}`);
}
if (!values["no-record"]) {
  writeBenchSection(
    "fuzz",
    "fuzz",
    `Differential ABCI fuzzing (\`npm run fuzz -- --runs N\`, fast-check): each run is one block of 0–4 valid
txs mutated (bit flips, truncation, inserted bytes, swapped / duplicated fields, huge and overlong varints)
on the outer bytes or inside body / auth info / a message (then re-signed), plus mutated FinalizeBlock
requests (votes, misbehavior, proposer, hash, time jumps), sent through CheckTx (new and recheck),
ProcessProposal, FinalizeBlock and Commit of two apps built separately from one genesis. Pass = no
exception escapes and both apps answer byte for byte alike, app hash included.

${summary}

${mix}`,
  );
}
process.exitCode = failure ? 1 : 0;

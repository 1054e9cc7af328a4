/**
 * @module `npm run bench -- fraud`: the fraud games the unit tests play, on an in-process TestChain over real `wc.wasm`
 * runs — rounds against their bound, gas per move kind, one-step proof bytes, verdicts and exact slash/bond amounts.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { maxDescentRounds, maxRounds, treeDepth } from "../modules/fraud/game.js";
import { checkpointCount } from "../modules/fraud/index.js";
import { DisputeType, type Game, GameStatus, gameStatusToJSON } from "../proto/gen/dsdn/fraud/v1/fraud.js";
import {
  bisectMsg,
  computeReceipt,
  leftmostDiffering,
  type Move,
  nodeStake,
  openChallenge,
  openDescent,
  type Played,
  PROOF_GAS,
  pinStart,
  playDescent,
  playGame,
  queryGame,
} from "../test/support/fraudGame.js";
import { type Run, realRun } from "../test/support/fraudRun.js";
import { type Fixture, NUSA, setupFixture } from "../test/support/receiptFixture.js";
import { testChainFee } from "../test/support/testChain.js";
import { addressOf } from "../test/support/txBuilder.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
const WC = new Uint8Array(readFileSync(join(repo, "node-agent/runtime/fixtures/wc.wasm")));
const LINE = "the quick brown fox\njumps over the lazy dog\n"; // 44 bytes: the unit tests' input
const input = (copies: number) => new TextEncoder().encode(LINE.repeat(copies));
const K = 64n;

/** The unit tests' chain: 200 s moves, 64 KiB proof cap, 120 s compute window. */
const chain = () =>
  setupFixture({
    validators: 4,
    fraud: { moveTimeoutSeconds: "200", maxStepProofBytes: "65536" },
    receipts: { computeWindowBaseSeconds: "120", computeWindowMaxSeconds: "120" },
  });

interface Result {
  readonly name: string;
  readonly inputBytes: number;
  readonly steps: bigint;
  readonly checkpoints: bigint;
  /** Rounds played: descent picks + bisection rounds. */
  readonly rounds: number;
  readonly bound: number;
  readonly boundText: string;
  readonly moves: readonly Move[];
  readonly proofBytes?: number;
  readonly game: Game;
  readonly nodeLoss: bigint;
  /** The challenger's balance change net of its tx fees (what the verdict gave or took). */
  readonly challengerNet: bigint;
  readonly cpuMs: number;
}

/** What a game the players ran to its verdict shows: the run's size, rounds against `bound`, every move, the proof. */
function played(
  honest: Run,
  challengeGas: bigint,
  out: Played,
  before: readonly Move[] = [],
  bound = { rounds: maxRounds(honest.steps, K), text: "⌈log2(steps/K)⌉ + log2 K" },
): Omit<Result, "name" | "inputBytes" | "nodeLoss" | "challengerNet" | "cpuMs"> {
  return {
    steps: honest.steps,
    checkpoints: checkpointCount(honest.steps, K),
    rounds: out.rounds,
    bound: bound.rounds,
    boundText: bound.text,
    moves: [{ kind: "challenge", by: "challenger", gas: challengeGas }, ...before, ...out.moves],
    proofBytes: out.proofBytes,
    game: out.game,
  };
}

/** Runs `play` on a fresh chain, measuring the node's stake and the challenger's balance around it. */
async function measured(
  name: string,
  honest: Run,
  play: (fx: Fixture) => Promise<Omit<Result, "name" | "inputBytes" | "nodeLoss" | "challengerNet" | "cpuMs">>,
): Promise<Result> {
  const fx = await chain();
  try {
    const carol = addressOf(fx.carol);
    const stake0 = nodeStake(fx);
    const bal0 = fx.chain.balance(carol);
    const c0 = process.cpuUsage();
    const r = await play(fx);
    const c = process.cpuUsage(c0);
    const fees = r.moves.filter((m) => m.by === "challenger").reduce((a, m) => a + testChainFee(m.gasLimit), 0n);
    return {
      name,
      inputBytes: honest.input.length,
      ...r,
      nodeLoss: stake0 - nodeStake(fx),
      challengerNet: fx.chain.balance(carol) - bal0 + fees,
      cpuMs: (c.user + c.system) / 1000,
    };
  } finally {
    fx.dispose();
  }
}

/** The first flip from two thirds of the run that changes the output (a flip whose value is dropped changes nothing). */
function wrongStepLiar(honest: Run, inp: Uint8Array): Run {
  let flip = (honest.steps * 2n) / 3n;
  let liar = realRun(WC, inp, K, flip);
  while (liar.outputHash.equals(honest.outputHash)) liar = realRun(WC, inp, K, ++flip);
  return liar;
}

function wrongStep(copies: number): Promise<Result> {
  const inp = input(copies);
  const honest = realRun(WC, inp, K);
  const liar = wrongStepLiar(honest, inp);
  return measured(`wrong-step (${copies === 1 ? "unit test" : `×${copies} input`})`, honest, async (fx) => {
    const ch = openChallenge(
      fx,
      await computeReceipt(fx, liar),
      DisputeType.DISPUTE_TYPE_INVALID_OUTPUT,
      honest.outputHash,
    );
    return played(honest, ch.gas, playGame(fx, ch.id, liar, honest, honest));
  });
}

function wrongTrace(copies: number, at: number): Promise<Result> {
  const inp = input(copies);
  const honest = realRun(WC, inp, K);
  const liar = realRun(WC, inp, K, undefined, undefined, [at]);
  return measured(`wrong-trace@${at} (${copies === 1 ? "unit test" : `×${copies} input`})`, honest, async (fx) => {
    const ch = openDescent(fx, await computeReceipt(fx, liar));
    const d = playDescent(fx, ch.id, liar, leftmostDiffering(honest));
    return played(honest, ch.gas, playGame(fx, ch.id, liar, honest, honest), d.moves, {
      rounds: maxDescentRounds(honest.steps, K),
      text: `descent ⌈log2 checkpoints⌉ (${treeDepth(honest.steps, K)}) + log2 K`,
    });
  });
}

function madeUpStart(): Promise<Result> {
  const inp = input(1);
  const honest = realRun(WC, inp, K);
  const liar = realRun(WC, inp, K, 0n); // even its first state is made up
  return measured("made-up start (pin)", honest, async (fx) => {
    // Its output happens to be right: the challenger disputes checkpoint 1 (it does not follow from checkpoint 0).
    const claim = Buffer.alloc(8);
    claim.writeBigUInt64BE(1n);
    const p0 = await computeReceipt(fx, liar);
    const ch = openChallenge(fx, p0, DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, claim);
    const open = [liar.opening(0n), liar.opening(K), liar.opening(K / 2n)];
    const o = fx.chain.exec(fx.bob, [bisectMsg(addressOf(fx.bob), ch.id, open)]);
    if (o.code !== 0) throw new Error(`opening refused: ${o.log}`);
    const p = pinStart(fx, ch.id, liar.module, inp);
    if (p.code !== 0) throw new Error(`pin refused: ${p.log}`);
    return {
      steps: honest.steps,
      checkpoints: checkpointCount(honest.steps, K),
      rounds: queryGame(fx, ch.id).rounds,
      bound: maxRounds(honest.steps, K),
      boundText: "⌈log2(steps/K)⌉ + log2 K",
      moves: [
        { kind: "challenge", by: "challenger", gas: ch.gas },
        { kind: "opening", by: "node", gas: o.gasUsed },
        { kind: "pin", by: "challenger", gas: p.gasUsed, gasLimit: PROOF_GAS },
      ],
      game: queryGame(fx, ch.id),
    };
  });
}

function falseAccusation(): Promise<Result> {
  const inp = input(1);
  const honest = realRun(WC, inp, K);
  const lying = realRun(WC, inp, K, 5n); // the challenger's story diverges from step 5
  return measured("false accusation (honest node)", honest, async (fx) => {
    // Its story's output (or any other hash when that flip changed nothing the output shows).
    const claim = lying.outputHash.equals(honest.outputHash) ? Buffer.alloc(32, 0x77) : lying.outputHash;
    const ch = openChallenge(fx, await computeReceipt(fx, honest), DisputeType.DISPUTE_TYPE_INVALID_OUTPUT, claim);
    return played(honest, ch.gas, playGame(fx, ch.id, honest, lying, honest));
  });
}

const k = (gas: bigint) => `${(Number(gas) / 1000).toFixed(1)} k`;
/** Gas of one move kind: the single value, or min–max (×count). */
function gasOf(moves: readonly Move[], kind: Move["kind"]): string {
  const g = moves.filter((m) => m.kind === kind).map((m) => m.gas);
  if (g.length === 0) return "—";
  const lo = g.reduce((a, b) => (b < a ? b : a));
  const hi = g.reduce((a, b) => (b > a ? b : a));
  return lo === hi ? (g.length === 1 ? k(lo) : `${k(lo)} ×${g.length}`) : `${k(lo)}–${k(hi)} ×${g.length}`;
}
/** An amount (NUSA); `signed` marks a change. */
function nusa(u: bigint, signed = true): string {
  const a = u < 0n ? -u : u;
  const frac = (a % NUSA).toString().padStart(6, "0").replace(/0+$/, "");
  return `${signed ? (u < 0n ? "−" : u > 0n ? "+" : "") : ""}${a / NUSA}${frac ? `.${frac}` : ""} NUSA`;
}
const total = (moves: readonly Move[]) => moves.reduce((a, m) => a + m.gas, 0n);

export async function run(): Promise<void> {
  const load0 = loadavg()[0]?.toFixed(1) ?? "?";
  const c0 = process.cpuUsage();
  const games: Result[] = [];
  for (const g of [
    () => wrongStep(1),
    () => wrongTrace(1, 12),
    () => madeUpStart(),
    () => falseAccusation(),
    () => wrongStep(4),
    () => wrongTrace(4, 50),
    () => wrongStep(16),
    () => wrongTrace(16, 200),
  ]) {
    const r = await g();
    console.log(
      `${r.name}: ${r.steps} steps, ${r.checkpoints} checkpoints, ${r.rounds} rounds (bound ${r.bound}), ${gameStatusToJSON(r.game.status)}, proof ${r.proofBytes ?? "-"} B`,
    );
    games.push(r);
  }
  const cpu = process.cpuUsage(c0);
  const load1 = loadavg()[0]?.toFixed(1) ?? "?";
  const verdict = (r: Result) =>
    `${r.game.status === GameStatus.GAME_STATUS_FRAUD ? "FRAUD" : r.game.status === GameStatus.GAME_STATUS_FALSE_ACCUSATION ? "FALSE_ACCUSATION" : gameStatusToJSON(r.game.status)}: ${r.game.reason}`;
  const rows = games.map(
    (r) =>
      `| ${r.name} | ${r.inputBytes} | ${r.steps.toLocaleString("en-US")} | ${r.checkpoints} | **${r.rounds}** / ${r.bound} (${r.boundText}) | ${gasOf(r.moves, "challenge")} | ${gasOf(r.moves, "reveal")} | ${gasOf(r.moves, "pick")} | ${gasOf(r.moves, "opening")} | ${gasOf(r.moves, "bisect")} | ${gasOf(r.moves, "step-proof")} | ${gasOf(r.moves, "pin")} | ${r.moves.length} / ${k(total(r.moves))} | ${r.proofBytes?.toLocaleString("en-US") ?? "—"} |`,
  );
  const money = games.map(
    (r) =>
      `| ${r.name} | ${verdict(r)} | ${nusa(BigInt(r.game.bond), false)} | ${nusa(BigInt(r.game.slashed), false)} | ${nusa(BigInt(r.game.reward), false)} | ${nusa(-r.nodeLoss)} | ${nusa(r.challengerNet)} |`,
  );
  const body = `
In process on a 4-validator TestChain (the unit tests' \`setupFixture\`, fresh per game; 200 s moves, 64 KiB proof cap),
over real runs of \`wc.wasm\` (the unit tests' 44-byte input, repeated ×4 and ×16 for the larger jobs), K = ${K} steps per
checkpoint. The games are the ones \`modules/fraud/fraud.test.ts\` plays, through the same players
(\`test/support/fraudGame.ts\`, \`test/support/fraudRun.ts\`): **wrong-step** (the node's machine state flipped once from
two thirds of the run so its output differs; bisection to one instruction, then \`verifyStep\` on chain), **wrong-trace@N**
(honest run and output, checkpoint N made up in the trace root: Merkle descent to leaf N, then bisection of that
interval), **made-up start** (the node's first state is made up: opening, then the challenger's \`MsgPinStart\`), and a
**false accusation** (the challenger's story diverges from step 5; the honest node's step verifies). Gas is the
chain's deterministic gas meter (the same on any machine). Load average ${load0} at the start, ${load1} at the end;
the whole run took ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (mostly the per-step hashing of the off-chain runs).

| game | input B | steps | checkpoints | rounds / bound | challenge | descent reveal | descent pick | opening | bisect move | step proof | pin | txs / total gas | proof B |
| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Rounds grow with log2 of the work: ×16 the steps adds ${games[6]!.rounds - games[0]!.rounds} bisection rounds (and ${games[7]!.rounds - games[1]!.rounds} to the
descent game); the gas per move is flat (a midpoint post or answer checks one commitment, a descent move at most
three hashes), so a dispute's total gas grows as rounds × ~55 k plus one step proof. The one-step proof is the
runtime's canonical binary codec (\`common/wasm/proof/codec.ts\`, what \`MsgSubmitStepProof.proof\` carries since
2026-11-27; the same kind of step was 7.7 KB as tagged JSON, and a host-call step's proof reaches ~340 KB worst case);
its verifying tx costs 100 k flat + 20 per proof byte + signature and store costs. Time from fault to slash is a
localnet figure: see the hand-written e2e section below.

Verdicts and money (bond 100 NUSA; node stake 500 NUSA; fraud slashes 10 % of the node's stake, half of it to the
challenger; a false accusation slashes 5 % of the bond). "challenger net" is its balance change without its tx fees:

| game | verdict | bond | slashed | reward | node stake | challenger net |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
${money.join("\n")}`;
  writeBenchSection("fraud", "Fraud game: rounds, gas per move, one-step proof (in process)", body);
  const unit = games[0]!;
  const stepProofGas = unit.moves.find((m) => m.kind === "step-proof")!.gas;
  recordHeadlines("fraud", [
    {
      item: "Fraud proofs",
      figure: "one-step proof size, wrong-step game (binary codec)",
      value: unit.proofBytes ?? 0,
      unit: "bytes",
    },
    {
      item: "Fraud proofs",
      figure: "verifying step-proof tx gas, wrong-step game",
      value: Number(stepProofGas),
      unit: "gas",
    },
    {
      item: "Fraud proofs",
      figure: `rounds, wrong-step game over ${games[6]!.steps} steps, K = ${K}`,
      value: games[6]!.rounds,
      unit: "rounds",
      target: { max: games[6]!.bound, source: "issue 15: ⌈log2(steps/K)⌉ + log2 K" },
    },
  ]);
  console.log(body);
}

/**
 * @module Compute fraud end to end on one localnet (4 validators, DA, coordinator, ingress, a 4-member FROST
 * committee) with 5 storage nodes: node 0 honest, node 1 `--fault wrong-step@N`, node 2 `--fault skip-execution`,
 * node 3 `--fault wrong-output`, node 4 `--fault wrong-trace@0` (an honest run and output, a trace root over a made-up
 * start checkpoint: only the trace root differs, so the watcher opens a Merkle descent, which ends at leaf 0 and the
 * pin of step 0 convicts), each defending its receipts with its operator key; and one `dsdn-node watcher`
 * (carol's keyring key). Each submitter is wallet-affine with every operator but one, so its workload lands on the
 * node under test. Per fault: the watcher re-executes the receipt from DA, challenges it with the bond, plays the
 * game; the node loses exactly 10% of its stake; the challenger gets bond + reward. A false challenge against the
 * honest node (a lying challenger playing to the end) loses 5% of its bond and the node is paid after the window;
 * a challenge without the bond and one after the window are refused. The four fault games run in parallel.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { challengeMsg } from "../../clients/sdk/fraud.js";
import { readReceiptFile } from "../../clients/sdk/receipts.js";
import { dsdnRegistry } from "../../clients/sdk/registry.js";
import { sha256 } from "../../common/hash.js";
import { maxDescentRounds, maxRounds } from "../../modules/fraud/index.js";
import { runOptionsOf } from "../../node-agent/compute/execute.js";
import { connectFraudChain } from "../../node-agent/fraud/cosmosChain.js";
import { GamePlayer } from "../../node-agent/fraud/player.js";
import { Replay } from "../../node-agent/fraud/replay.js";
import { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { DisputeType } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { bins, type ComputeNet, root, startComputeNet } from "../support/computeNet.js";
import { rpc, waitFor } from "../support/localnet.js";

const { dsdn, dsdnNode } = bins;
const wcWasm = join(root, "node-agent", "runtime", "fixtures", "wc.wasm");
const words = join(root, "test", "e2e", "fixtures", "words.txt");
const BOND = 100_000_000n;
const MOVE_TIMEOUT_S = 30;
const WINDOW_S = 60;
const FIXED_FEE = { amount: [{ denom: "unusa", amount: "50000" }], gas: "2000000" };

/** The first flip from the middle of the run on that changes the output: a wrong step that matters. */
function wrongStep(): number {
  const module = new Uint8Array(readFileSync(wcWasm));
  const input = new Uint8Array(readFileSync(words));
  const job = (tamperAt?: number) =>
    new Replay({ module, opts: { invoke: "_start", input, traceEvery: 64 }, ...(tamperAt ? { tamperAt } : {}) });
  const honest = Buffer.from(job().summary().output);
  let n = Number(job().summary().steps / 2n);
  while (Buffer.from(job(n).summary().output).equals(honest)) n++;
  return n;
}

const N = wrongStep();
// wrong-trace@0: at the deploy default K (≥ 2^24) this job has two checkpoints, the start and the end.
const FAULTS: Record<number, string> = {
  1: `wrong-step@${N}`,
  2: "skip-execution",
  3: "wrong-output",
  4: "wrong-trace@0",
};
/** Who submits the workload meant for node n (wallet-affine with every other operator). */
const SUBMITTER = ["alice", "bob", "faucet", "dave", "operator3"] as const;

let c: ComputeNet;
let watcher: ChildProcess | undefined;
const watcherLog: string[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  c = await startComputeNet({
    storageNodes: SUBMITTER.length,
    keys: ["bob", "carol", "dave", "faucet"],
    env: {
      LOCALNET_STORAGE_FAULTS: Object.entries(FAULTS)
        .map(([n, f]) => `${n}=${f}`)
        .join(","),
      LOCALNET_COMPUTE_WINDOW_SECONDS: String(WINDOW_S),
      LOCALNET_FRAUD_MOVE_TIMEOUT_SECONDS: String(MOVE_TIMEOUT_S),
    },
  });
  watcher = spawn(
    "node",
    [
      dsdnNode,
      "watcher",
      "--data",
      join(c.net.dir, "watcher"),
      "--from",
      "carol",
      "--keyring-dir",
      c.keyringDir,
      "--keyring-backend",
      "test",
      "--rpc",
      c.rpc0,
      "--objects-url",
      c.net.env.INGRESS_URL!,
      "--da",
      c.net.env.DA_RPC_URL!,
      "--token-file",
      c.net.env.DA_AUTH_TOKEN_FILE!,
      "--namespace",
      c.net.env.DA_NAMESPACE!,
      "--poll-ms",
      "500",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  watcher.stdout!.on("data", (d: Buffer) => watcherLog.push(d.toString()));
  watcher.stderr!.on("data", (d: Buffer) => watcherLog.push(d.toString()));
}, 600_000);
afterAll(async () => {
  if (watcher && watcher.exitCode === null) {
    watcher.kill("SIGTERM");
    await new Promise((r) => watcher!.once("exit", r));
  }
  await c?.stop();
  console.log(`fraud e2e timings (s): ${JSON.stringify(timings)}`);
});

const addr = (name: string) => c.account(name).address;
async function nodeStake(operator: string): Promise<bigint> {
  return BigInt((await c.chainJson("query", "stake", "get-stake", addr(operator))).nodeStake);
}
async function games(receiptId: string): Promise<any[]> {
  return (await c.chainJson("query", "fraud", "games", receiptId)).games;
}
const FINAL = /GAME_STATUS_(FRAUD|FALSE_ACCUSATION|MOOT)/;

/** Deploys wc on words for storage node `n` (its submitter is affine with every other operator) → its receipt. */
async function jobOn(n: number): Promise<{ jobId: string; receiptId: string; file: string }> {
  const from = SUBMITTER[n]!;
  for (let j = 0; j < SUBMITTER.length; j++)
    if (j !== n) expect((await c.tx("bank", "send", from, addr(`storage${j}`), "1unusa")).code).toBe(0);
  // Once more, a few seconds later, on a transient coordinator error right after the sends ("internal error",
  // "cannot read node registrations from the chain": seen on the first deploy under load). Deploying again is
  // idempotent (the same spec is the same workload id).
  const deploy = () => c.cli(dsdn, "deploy", wcWasm, "--input", words, "--wait", "--json", ...c.keyArgs(from));
  const out = JSON.parse(
    await deploy().catch(async (e: Error) => {
      if (!/internal error|cannot read node registrations/.test(e.message)) throw e;
      console.log(`deploy for node ${n}: ${e.message.split("\n").at(-2)}; trying once more`);
      await new Promise((r) => setTimeout(r, 3000));
      return deploy();
    }),
  );
  expect(out.state, JSON.stringify(out)).toBe("completed");
  const { dir, operator } = await c.nodeDirOf(out.nodes[0]);
  expect(operator).toBe(`storage${n}`);
  const r = JSON.parse(
    await c.cli(
      dsdnNode,
      "compute",
      "receipt",
      out.jobId,
      "--data",
      dir,
      "--coordinator",
      c.net.env.DSDN_COORDINATOR_URL!,
      "--committee",
      c.members[n % 4]!.url,
      "--json",
    ),
  );
  return { jobId: out.jobId, receiptId: r.receiptId, file: r.file };
}

/** A tx's code and log, whether refused at CheckTx (CosmJS throws) or in its block. */
async function outcome(p: Promise<{ code: number; rawLog?: string }>): Promise<{ code: number; log: string }> {
  try {
    const r = await p;
    return { code: r.code, log: r.rawLog ?? "" };
  } catch (e) {
    const m = /code (\d+)/.exec((e as Error).message);
    if (!m) throw e;
    return { code: Number(m[1]), log: (e as Error).message };
  }
}

const signer = (w: DirectSecp256k1HdWallet) =>
  SigningStargateClient.connectWithSigner(c.rpc0, w, {
    registry: dsdnRegistry(),
    gasPrice: GasPrice.fromString("0.025unusa"),
  });

/** Sum of the fees `who` paid in fraud txs (its challenges and moves), from the chain's tx index. */
async function fraudFees(who: string): Promise<bigint> {
  let fees = 0n;
  for (const q of [`fraud_challenge.challenger='${who}'`, `fraud_move.by='${who}'`]) {
    const r = await rpc(c.rpc0, "tx_search", { query: `"${q}"`, per_page: "100" });
    for (const t of r.txs) fees += (await c.txCost(t.hash)).fee;
  }
  return fees;
}

describe("compute fraud on the localnet", () => {
  it("each faulty node is caught by the watcher, loses exactly 10%, and the challenger is repaid bond + reward", async () => {
    const carol0 = await c.balance(addr("carol"));
    const stakes0 = await Promise.all([1, 2, 3, 4].map((n) => nodeStake(`storage${n}`)));
    const jobs = [];
    for (const n of [1, 2, 3, 4]) jobs.push({ n, ...(await jobOn(n)), at: Date.now() });
    // The four games run at once; each ends in a verdict.
    const verdicts = await Promise.all(
      jobs.map((j) =>
        waitFor(
          async () => {
            const g = (await games(j.receiptId)).find((x) => x.challenger === addr("carol"));
            if (g && FINAL.test(g.status)) {
              timings[`receipt→verdict ${FAULTS[j.n]}`] = (Date.now() - j.at) / 1000;
              return g;
            }
            return undefined;
          },
          300_000,
          `a verdict on node ${j.n}'s receipt (${FAULTS[j.n]})`,
        ),
      ),
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\nwatcher: ${watcherLog.join("").slice(-4000)}`);
    });
    let rewards = 0n;
    for (const [i, g] of verdicts.entries()) {
      const n = jobs[i]!.n;
      expect(g.status, `${FAULTS[n]}: ${g.reason}`).toBe("GAME_STATUS_FRAUD");
      expect(g.defender).toBe(addr(`storage${n}`));
      const slashed = stakes0[i]! / 10n;
      expect(BigInt(g.slashed)).toBe(slashed);
      expect(BigInt(g.reward)).toBe(slashed / 2n);
      expect(await nodeStake(`storage${n}`)).toBe(stakes0[i]! - slashed);
      rewards += BigInt(g.reward);
    }
    // wrong-step@N: the game converged on step N and verifyStep on chain decided it, within the round bound.
    const ws = verdicts[0]!;
    expect(ws.reason).toMatch(/does not lead to the defender's commitment/);
    expect([ws.lo, ws.hi]).toEqual([String(N - 1), String(N)]);
    expect(ws.rounds).toBeLessThanOrEqual(maxRounds(BigInt(ws.steps), BigInt(ws.traceEvery)));
    // skip-execution and wrong-output: the node cannot open what it committed to, and loses at its deadline.
    for (const g of verdicts.slice(1, 3)) expect(g.reason).toMatch(/defender missed/);
    // wrong-trace@0: only the trace root differed; the Merkle descent (one level: two checkpoints) ended at leaf 0, the
    // game opened step 0 and the watcher's pin convicted the made-up start.
    const wt = verdicts[3]!;
    expect(wt.disputeType).toBe("DISPUTE_TYPE_INVALID_STATE_TRANSITION");
    expect(wt.reason).toMatch(/step 0 is not module/);
    expect(wt.rounds).toBeLessThanOrEqual(maxDescentRounds(BigInt(wt.steps), BigInt(wt.traceEvery)));
    const wtMoves = await rpc(c.rpc0, "tx_search", { query: `"fraud_move.game_id='${wt.id}'"`, per_page: "100" });
    const wtGas = await Promise.all(wtMoves.txs.map(async (t: { hash: string }) => (await c.txCost(t.hash)).gasUsed));
    console.log(
      `wrong-trace@0 game: ${wt.steps} steps, K=${wt.traceEvery}, ${wt.rounds} rounds, ${wtMoves.txs.length} move txs, gas per move ${wtGas.join(",")}`,
    );
    // The challenger: every bond back, plus half of each slash, minus the fees it paid.
    expect((await c.balance(addr("carol"))) - carol0).toBe(rewards - (await fraudFees(addr("carol"))));
    const moves = await rpc(c.rpc0, "tx_search", { query: `"fraud_move.game_id='${ws.id}'"`, per_page: "100" });
    const gas = await Promise.all(moves.txs.map(async (t: { hash: string }) => (await c.txCost(t.hash)).gasUsed));
    console.log(
      `wrong-step game: ${ws.steps} steps, K=${ws.traceEvery}, ${ws.rounds} rounds (bound ${maxRounds(BigInt(ws.steps), BigInt(ws.traceEvery))}), ${moves.txs.length} move txs, gas per move ${gas.join(",")}`,
    );
  }, 900_000);

  it("an honest node: the watcher agrees; a challenge without the bond is refused; a false challenge loses 5% of the bond; the node is paid after the window; a late challenge is refused", async () => {
    const j = await jobOn(0);
    const receipt = ThresholdReceipt.encode((await readReceiptFile(j.file)).receipt).finish();
    await waitFor(
      async () => watcherLog.join("").includes(`receipt ${j.receiptId.slice(0, 16)}… matches`),
      60_000,
      "the watcher's check of the honest receipt",
    );
    expect(await games(j.receiptId)).toEqual([]);

    // Without the bond: an account holding less than 100 NUSA.
    const poorWallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "nusa" });
    const [poor] = await poorWallet.getAccounts();
    expect((await c.tx("bank", "send", "faucet", poor!.address, "5000000unusa")).code).toBe(0);
    const poorChain = await connectFraudChain(c.rpc0, poorWallet);
    const claim = Buffer.alloc(32, 0x77);
    const challenge = (who: string) =>
      challengeMsg({ challenger: who, receipt, disputeType: DisputeType.DISPUTE_TYPE_INVALID_OUTPUT, claim });
    const poorClient = await signer(poorWallet);
    const nb = await outcome(poorClient.signAndBroadcast(poor!.address, [challenge(poor!.address)], FIXED_FEE));
    expect(nb.code, nb.log).toBe(17); // InsufficientBond
    expect(nb.log).toMatch(/100000000unusa needed/);
    poorClient.disconnect();
    poorChain.close();

    // A lying challenger (alice) plays to the end: its story diverges from step 5.
    const aliceWallet = await DirectSecp256k1HdWallet.fromMnemonic(c.account("alice").mnemonic, { prefix: "nusa" });
    const alice = await connectFraudChain(c.rpc0, aliceWallet);
    const alice0 = await c.balance(addr("alice"));
    const stake0 = await nodeStake("storage0");
    const opened = await alice.send(challenge(addr("alice")));
    expect(opened.code, opened.log).toBe(0);
    // The spec as the watcher keeps it (its state file), for the liar's own replay.
    const state = JSON.parse(readFileSync(join(c.net.dir, "watcher", "watcher-state.json"), "utf8"));
    const spec = WorkloadSpec.decode(Buffer.from(state.receipts[j.receiptId].spec, "base64"));
    const module = new Uint8Array(readFileSync(wcWasm));
    const input = new Uint8Array(readFileSync(words));
    expect(Buffer.from(sha256(input)).toString("hex")).toBe(Buffer.from(spec.inputHash).toString("hex"));
    const liar = new Replay({ module, opts: runOptionsOf(spec, input), tamperAt: 5 });
    let gasUsed = 0n;
    const player = new GamePlayer(alice, {
      party: "challenger",
      mine: () => true,
      replayFor: async () => liar,
      moveTimeoutSeconds: BigInt(MOVE_TIMEOUT_S),
      onMove: (_g, _k, gas) => {
        gasUsed += gas;
      },
    });
    const g = await waitFor(
      async () => {
        await player.tick();
        const x = (await games(j.receiptId)).find((y) => y.challenger === addr("alice"));
        return x && FINAL.test(x.status) ? x : undefined;
      },
      240_000,
      "the false challenge's verdict",
    );
    alice.close();
    expect(g.status, g.reason).toBe("GAME_STATUS_FALSE_ACCUSATION");
    console.log(`false challenge: ${g.rounds} rounds, the challenger's moves used ${gasUsed} gas in all`);
    expect(g.lo).toBe("4");
    expect(BigInt(g.slashed)).toBe(BOND / 20n);
    expect(await nodeStake("storage0")).toBe(stake0);
    expect((await c.balance(addr("alice"))) - alice0).toBe(-BOND / 20n - (await fraudFees(addr("alice"))));

    // The honest node is paid once the window has passed.
    const paid = await c.claimAfterWindow(j.file, "storage0", 180_000);
    expect(paid.code).toBe(0);
    expect((await c.chainJson("query", "receipts", "claim", j.receiptId)).status).toBe("CLAIM_STATUS_PAID");

    // After the window: refused (OutsideWindow, fraud code 3).
    const client = await signer(aliceWallet);
    const late = await outcome(client.signAndBroadcast(addr("alice"), [challenge(addr("alice"))], FIXED_FEE));
    client.disconnect();
    expect(late.code, late.log).toBe(3); // OutsideWindow
    expect(late.log).toMatch(/closed at block time/);
  }, 900_000);
});

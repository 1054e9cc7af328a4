/**
 * The watcher on an in-process chain and an in-memory DA: it reads the scheduled spec and the receipt from DA,
 * re-executes, challenges a node whose state was flipped at one step, and — restarted from its state file in the
 * middle of the game — neither challenges again nor loses the game: it plays it to the verdict (fraud, by
 * verifyStep); an honest receipt is checked and left alone.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dsdnRegistry } from "../../clients/sdk/registry.js";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { nativeSigner } from "../../common/ed25519Native.js";
import { sha256, toHex } from "../../common/hash.js";
import { receiptId } from "../../common/receipts/receiptBytes.js";
import type { Secp256k1KeyPair } from "../../common/secp256k1.js";
import { openFinalCommitment } from "../../common/wasm/proof/ends.js";
import { signedResultEvidenceId } from "../../modules/fraud/index.js";
import { WorkloadSpec, WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { DisputeType, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import {
  QueryGameRequest,
  QueryGameResponse,
  QueryGamesByReceiptRequest,
  QueryGamesByReceiptResponse,
} from "../../proto/gen/dsdn/fraud/v1/query.js";
import { ReceiptKind, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressOf, type Fixture, setupFixture, signReceipt } from "../../test/support/receiptFixture.js";
import { runOptionsOf } from "../compute/execute.js";
import { signResult } from "../compute/signed.js";
import { workloadId } from "../compute/workload.js";
import { encodeBatch } from "../da/events/batch.js";
import { signEnvelope } from "../da/events/envelope.js";
import type { DAEventInput } from "../da/events/event.js";
import { MemoryDA } from "../da/memoryDA.js";
import { type FraudChain, GamePlayer } from "../fraud/player.js";
import { Replay, type ReplayJob } from "../fraud/replay.js";
import { fixture } from "../runtime/testing.js";
import { Watcher } from "./watcher.js";

const TIMEOUT = 60n;
const WC = fixture("wc.wasm");
const INPUT = new TextEncoder().encode("the quick brown fox\njumps over the lazy dog\n");
const objects = new Map([
  [cidForBytes(WC), WC],
  [cidForBytes(INPUT), INPUT],
]);
const spec = (submitter: string, name: string) =>
  WorkloadSpec.fromPartial({
    version: 1,
    chainId: "dsdn-test",
    submitter,
    name,
    moduleCid: cidForBytes(WC),
    inputCid: cidForBytes(INPUT),
    workloadType: "batch",
    fuel: 10_000_000n,
    memoryPages: 16,
    traceEvery: 64n,
    timeoutSeconds: 60,
    replicas: 1,
    agreement: "majority",
    nodeClass: "regular",
    moduleSize: BigInt(WC.length),
    inputSize: BigInt(INPUT.length),
    moduleHash: Buffer.from(sha256(WC)),
    inputHash: Buffer.from(sha256(INPUT)),
  });

let fx: Fixture;
beforeAll(async () => {
  fx = await setupFixture({
    validators: 4,
    fraud: { moveTimeoutSeconds: TIMEOUT.toString(), maxStepProofBytes: "65536" },
    receipts: { computeWindowBaseSeconds: "120", computeWindowMaxSeconds: "120" },
  });
}, 60_000);
afterAll(() => fx?.dispose());

const registry = dsdnRegistry();
function chainOf(key: Secp256k1KeyPair): FraudChain {
  return {
    address: addressOf(key),
    async game(id) {
      try {
        return fx.chain.query("/dsdn.fraud.v1.Query/Game", QueryGameRequest, { id }, QueryGameResponse).game;
      } catch {
        return undefined;
      }
    },
    async send(msg: EncodeObject) {
      const gas = msg.typeUrl.endsWith("MsgSubmitStepProof") ? { gas: 4_000_000n } : {};
      const r = fx.chain.exec(key, [{ typeUrl: msg.typeUrl, value: registry.encode(msg) }], gas);
      return { code: r.code, log: r.log ?? "", gasUsed: r.gasUsed };
    },
    async blockTime() {
      return fx.chain.time;
    },
  };
}

const coordinator = ed25519KeyPair(new Uint8Array(32).fill(7));
let seq = 0n;
const envelope = (event: DAEventInput) =>
  signEnvelope(
    { publisher: coordinator.publicKey, sequence: ++seq, observedHeight: 0n, event },
    nativeSigner(coordinator.secretKey, coordinator.publicKey),
  );
async function height(da: MemoryDA, envs: Uint8Array[]): Promise<void> {
  const posted = da.postBlob(encodeBatch(envs));
  await new Promise((r) => setImmediate(r));
  da.seal();
  await posted;
}

/**
 * The scheduled spec and the node's receipt for a run (honest, flipped after `tamperAt` steps, or over a made-up
 * checkpoint `fakeCheckpoint`), on DA.
 */
async function publish(da: MemoryDA, name: string, tamper: Pick<ReplayJob, "tamperAt" | "fakeCheckpoint"> = {}) {
  const s = spec(addressOf(fx.alice), name);
  const id = Buffer.from(workloadId(s));
  const run = new Replay({ module: WC, opts: runOptionsOf(s, INPUT), ...tamper }).summary();
  const claims = openFinalCommitment(run.leaves.at(-1)!, run.finalOpening); // (a fake checkpoint is not the last)
  const p = await signReceipt(fx, {
    kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
    workloadId: id,
    executionCommitment: {
      workloadId: id,
      inputHash: Buffer.from(sha256(INPUT)),
      outputHash: Buffer.from(claims.outputHash, "hex"),
      stateRootBefore: Buffer.alloc(32),
      stateRootAfter: Buffer.from(claims.kvRoot, "hex"),
      executionTraceMerkleRoot: Buffer.from(run.root),
      steps: run.steps,
      traceEvery: run.k,
      outputSize: BigInt(run.output.length),
      moduleHash: Buffer.from(sha256(WC)),
      executionKind: 0,
      fuelLimit: s.fuel,
      memoryPages: s.memoryPages,
    },
    usage: { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 5_000_000n },
  });
  const receipt = Buffer.from(ThresholdReceipt.encode(p.receipt).finish());
  const submission = Buffer.from(
    WorkloadSubmission.encode({
      spec: s,
      signedAtMs: 1n,
      publicKey: Buffer.alloc(33, 2),
      signature: Buffer.alloc(64, 1),
    }).finish(),
  );
  await height(da, [
    envelope({
      type: "workloadScheduled",
      value: { workloadId: id, submission, nodeIds: [], chainHeight: 1n, heartbeats: [] },
    }),
    envelope({
      type: "receiptIssued",
      value: {
        receipt,
        receiptId: Buffer.from(receiptId(p.receipt.receiptData)),
        workloadId: id,
        nodeId: Buffer.from(fx.node.publicKey),
        epoch: p.receipt.epoch,
      },
    }),
  ]);
  return toHex(receiptId(p.receipt.receiptData));
}

const gamesOn = (rid: string) =>
  fx.chain.query(
    "/dsdn.fraud.v1.Query/GamesByReceipt",
    QueryGamesByReceiptRequest,
    { receiptId: Buffer.from(rid, "hex") },
    QueryGamesByReceiptResponse,
  ).games;

describe("dsdn-node watcher", () => {
  it("leaves an honest receipt alone, catches a flipped step, survives a restart mid-game, and plays to the verdict", async () => {
    const da = new MemoryDA({ autoSeal: false });
    const statePath = join(mkdtempSync(join(tmpdir(), "dsdn-watcher-")), "watcher-state.json");
    const options = {
      da,
      chain: chainOf(fx.carol),
      fetchObject: async (cid: string) => objects.get(cid)!,
      statePath,
      moveTimeoutSeconds: TIMEOUT,
    };
    const honest = await publish(da, "honest");
    // The first flip from the middle on that changes the output (as the player tests pick it).
    const outputOf = (n?: number) =>
      toHex(
        new Replay({ module: WC, opts: runOptionsOf(spec("", ""), INPUT), ...(n ? { tamperAt: n } : {}) }).summary()
          .output,
      );
    let flip = 930;
    while (outputOf(flip) === outputOf()) flip++;
    const lying = await publish(da, "lying", { tamperAt: flip });
    const first = new Watcher(options);
    await first.tick();
    expect(first.state.receipts[honest]?.outcome).toBe("matches");
    expect(first.state.receipts[lying]?.outcome).toBe("challenged");
    expect(gamesOn(honest)).toHaveLength(0);
    expect(gamesOn(lying)).toHaveLength(1);

    // The node defends its tampered run; the watcher restarts between moves.
    const s = spec(addressOf(fx.alice), "lying");
    const defender = new GamePlayer(chainOf(fx.bob), {
      party: "defender",
      mine: () => true,
      replayFor: async () => new Replay({ module: WC, opts: runOptionsOf(s, INPUT), tamperAt: flip }),
    });
    await defender.tick();
    fx.chain.block([], { dt: 2n });
    const second = new Watcher(options); // restarted: the same state file
    expect(second.state.daHeight).toBe(first.state.daHeight);
    for (let i = 0; i < 100 && gamesOn(lying)[0]!.status < GameStatus.GAME_STATUS_FRAUD; i++) {
      await second.tick();
      await defender.tick();
      fx.chain.block([], { dt: 2n });
    }
    await second.tick(); // it sees the verdict
    const [g, ...more] = gamesOn(lying);
    expect(more).toHaveLength(0); // no second challenge after the restart
    expect(g!.status, g!.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g!.reason).toMatch(/does not lead to the defender's commitment/);
    expect(second.player.finished.get(g!.id)?.status).toBe(GameStatus.GAME_STATUS_FRAUD);
  });

  it("replicas that disagree: with no sampling at all, it challenges the wrong replica's signed result (it has no receipt) and the game convicts it", async () => {
    const da = new MemoryDA({ autoSeal: false });
    const statePath = join(mkdtempSync(join(tmpdir(), "dsdn-watcher-")), "watcher-state.json");
    const watcher = new Watcher({
      da,
      chain: chainOf(fx.carol),
      fetchObject: async (cid: string) => objects.get(cid)!,
      statePath,
      moveTimeoutSeconds: TIMEOUT,
      samplePpm: 0, // it would re-execute no receipt: the disagreement alone makes it act
    });
    const s = WorkloadSpec.fromPartial({ ...spec(addressOf(fx.alice), "two-replicas"), replicas: 2 });
    const id = Buffer.from(workloadId(s));
    const other = ed25519KeyPair(new Uint8Array(32).fill(0x42)); // the honest replica
    let flip = 930;
    const out = (n?: number) =>
      toHex(new Replay({ module: WC, opts: runOptionsOf(s, INPUT), ...(n ? { tamperAt: n } : {}) }).summary().output);
    while (out(flip) === out()) flip++;
    const resultOf = (key: { publicKey: Uint8Array; secretKey: Uint8Array }, tamperAt?: number) => {
      const run = new Replay({ module: WC, opts: runOptionsOf(s, INPUT), ...(tamperAt ? { tamperAt } : {}) }).summary();
      const claims = openFinalCommitment(run.leaves.at(-1)!, run.finalOpening);
      return signResult(
        {
          workloadId: id,
          completed: true,
          reason: "",
          outputCid: "",
          commitment: {
            workloadId: id,
            inputHash: Buffer.from(sha256(INPUT)),
            outputHash: Buffer.from(claims.outputHash, "hex"),
            stateRootBefore: Buffer.alloc(32),
            stateRootAfter: Buffer.from(claims.kvRoot, "hex"),
            executionTraceMerkleRoot: Buffer.from(run.root),
            steps: run.steps,
            traceEvery: run.k,
            outputSize: BigInt(run.output.length),
            moduleHash: Buffer.from(sha256(WC)),
            executionKind: 0,
            fuelLimit: s.fuel,
            memoryPages: s.memoryPages,
          },
          computeCycles: 5_000_000n,
          logs: [],
          finishedAtMs: fx.chain.time * 1000n,
        },
        key,
      );
    };
    const good = resultOf(other);
    const bad = resultOf(fx.node, flip);
    const submission = Buffer.from(
      WorkloadSubmission.encode({
        spec: s,
        signedAtMs: 1n,
        publicKey: Buffer.alloc(33, 2),
        signature: Buffer.alloc(64, 1),
      }).finish(),
    );
    const reported = (r: Uint8Array, node: Uint8Array) =>
      envelope({
        type: "computeReported",
        value: { workloadId: id, nodeId: Buffer.from(node), result: Buffer.from(r) },
      });
    await height(da, [
      envelope({
        type: "workloadScheduled",
        value: {
          workloadId: id,
          submission,
          nodeIds: [other.publicKey, fx.node.publicKey].map((k) => Buffer.from(k)),
          chainHeight: 1n,
          heartbeats: [],
        },
      }),
      reported(good, other.publicKey),
      reported(bad, fx.node.publicKey),
    ]);
    await watcher.tick();
    const badId = toHex(signedResultEvidenceId(bad));
    expect(watcher.state.disputed?.[toHex(id)]).toBe(true);
    expect(watcher.state.receipts[badId]?.outcome).toBe("challenged");
    expect(watcher.state.receipts[toHex(signedResultEvidenceId(good))]?.outcome).toBe("matches");
    expect(gamesOn(toHex(signedResultEvidenceId(good)))).toHaveLength(0);
    expect(gamesOn(badId)).toHaveLength(1);

    // The wrong replica defends its tampered run; the watcher plays the challenger to the verdict.
    const defender = new GamePlayer(chainOf(fx.bob), {
      party: "defender",
      mine: () => true,
      replayFor: async () => new Replay({ module: WC, opts: runOptionsOf(s, INPUT), tamperAt: flip }),
    });
    for (let i = 0; i < 100 && gamesOn(badId)[0]!.status < GameStatus.GAME_STATUS_FRAUD; i++) {
      await watcher.tick();
      await defender.tick();
      fx.chain.block([], { dt: 2n });
    }
    const g = gamesOn(badId)[0]!;
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/does not lead to the defender's commitment/);
  });

  it("only the trace root differs (wrong-trace@N: right output, checkpoint N made up): it opens a Merkle descent and plays it to the verdict", async () => {
    const da = new MemoryDA({ autoSeal: false });
    const statePath = join(mkdtempSync(join(tmpdir(), "dsdn-watcher-")), "watcher-state.json");
    const watcher = new Watcher({
      da,
      chain: chainOf(fx.carol),
      fetchObject: async (cid: string) => objects.get(cid)!,
      statePath,
      moveTimeoutSeconds: TIMEOUT,
    });
    const N = 9;
    const faked = await publish(da, "wrong-trace", { fakeCheckpoint: N });
    await watcher.tick();
    expect(watcher.state.receipts[faked]?.outcome).toBe("challenged");
    expect(watcher.state.receipts[faked]?.detail).toMatch(/^trace_root differ/);
    const [opened] = gamesOn(faked);
    expect(opened!.disputeType).toBe(DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION);
    expect(opened!.descending).toBe(true);
    const s = spec(addressOf(fx.alice), "wrong-trace");
    const defender = new GamePlayer(chainOf(fx.bob), {
      party: "defender",
      mine: () => true,
      replayFor: async () => new Replay({ module: WC, opts: runOptionsOf(s, INPUT), fakeCheckpoint: N }),
    });
    for (let i = 0; i < 100 && gamesOn(faked)[0]!.status < GameStatus.GAME_STATUS_FRAUD; i++) {
      await watcher.tick();
      await defender.tick();
      fx.chain.block([], { dt: 2n });
    }
    const g = gamesOn(faked)[0]!;
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/does not lead to the defender's commitment/);
    expect(Buffer.from(g.claim).readBigUInt64BE(0)).toBe(BigInt(N));
  });
});

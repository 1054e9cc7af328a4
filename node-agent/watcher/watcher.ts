/**
 * @module `dsdn-node watcher`: anyone's check on compute receipts. Follows `WorkloadScheduled` (the user-signed
 * spec, authenticated by its workload id) and `ReceiptIssued` on DA; for each compute receipt (all of them, or a
 * sample by policy) fetches module and input from the object store (checked against the signed hashes), re-runs
 * the job under the spec's own fuel, memory and wall-clock limits, compares the commitment, and when it is wrong
 * opens a bonded challenge (MsgChallenge) and plays the challenger's side of the game to its verdict (GamePlayer),
 * including the one-step proof when the defender is silent. Restart-safe through its state file.
 */
import { randomInt } from "node:crypto";
import { challengeMsg } from "../../clients/sdk/fraud.js";
import { openResult } from "../../common/compute/signedResult.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { bytesEqual, sha256, toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  receiptId as receiptIdOf,
} from "../../common/receipts/receiptBytes.js";
import { signedResultEvidenceId } from "../../modules/fraud/index.js";
import { type ComputeResult, WorkloadSpec, WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { type Game, gameStatusToJSON } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { type ExecutionCommitment, type ReceiptData, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { commitmentHash, decideAgreement } from "../compute/agreement.js";
import { commitmentFromReport } from "../compute/commitment.js";
import { runOptionsOf, runTracedJob } from "../compute/execute.js";
import { workloadId } from "../compute/workload.js";
import { openedEvents } from "../da/events/openedEvents.js";
import type { DALayer } from "../da/types.js";
import { type FraudChain, GamePlayer } from "../fraud/player.js";
import { Replay } from "../fraud/replay.js";
import { loadState, type ReceiptOutcome, saveState, type WatcherState } from "./state.js";
import { disputeOf } from "./verdict.js";

export interface WatcherOptions {
  readonly da: Pick<DALayer, "head" | "getAll">;
  readonly chain: FraudChain;
  /** Reads an object by CID, at most `maxBytes` (the bytes are checked here). */
  readonly fetchObject: (cid: string, maxBytes: number) => Promise<Uint8Array>;
  readonly statePath: string;
  /** Receipts re-executed per million (1 000 000: every one, as on a localnet). */
  readonly samplePpm?: number;
  /** The chain's move timeout: the challenger proves the last step when half of it has passed. */
  readonly moveTimeoutSeconds: bigint;
  /** DA heights read per tick at most (default 500). */
  readonly heightsPerTick?: number;
  readonly log?: (line: string) => void;
  readonly onVerdict?: (g: Game) => void;
}

export class Watcher {
  readonly #o: WatcherOptions;
  readonly #log: (line: string) => void;
  readonly state: WatcherState;
  readonly player: GamePlayer;

  constructor(o: WatcherOptions) {
    this.#o = o;
    this.#log = o.log ?? (() => {});
    this.state = loadState(o.statePath);
    this.player = new GamePlayer(o.chain, {
      party: "challenger",
      mine: (g) => this.state.receipts[toHex(g.receiptId)]?.outcome === "challenged",
      replayFor: (g) => this.#replayFor(g),
      moveTimeoutSeconds: o.moveTimeoutSeconds,
      log: this.#log,
      ...(o.onVerdict ? { onVerdict: o.onVerdict } : {}),
    });
  }

  /** One round: new DA heights (specs, receipts checked and challenged), then every open game's move. */
  async tick(): Promise<void> {
    const head = await this.#o.da.head();
    let h = BigInt(this.state.daHeight);
    const last = h + BigInt(this.#o.heightsPerTick ?? 500) - 1n;
    for (; h <= head && h <= last; h++) {
      for (const env of openedEvents((await this.#o.da.getAll(h)).blobs)) {
        const e = env.event;
        if (e.type === "workloadScheduled") this.#recordSpec(e.value.workloadId, e.value.submission);
        else if (e.type === "receiptIssued") await this.#check(e.value.receipt);
        else if (e.type === "computeReported") await this.#replicaReported(e.value.workloadId, e.value.result);
      }
      this.state.daHeight = (h + 1n).toString();
      saveState(this.#o.statePath, this.state);
    }
    await this.player.tick();
  }

  /** A spec counts only when its workload id is the scheduled one (the id is a hash of the spec). */
  #recordSpec(id: Uint8Array, submission: Uint8Array): void {
    try {
      const sub = decodeCanonical(WorkloadSubmission, submission, "WorkloadSubmission");
      if (!sub.spec || !bytesEqual(workloadId(sub.spec), id)) return;
      this.state.specs[toHex(id)] = Buffer.from(WorkloadSpec.encode(sub.spec).finish()).toString("base64");
    } catch {
      /* not a well-formed submission: nothing to check receipts against */
    }
  }

  #note(receiptId: string, workload: string, spec: string, outcome: ReceiptOutcome, detail = ""): void {
    this.state.receipts[receiptId] = { workloadId: workload, spec, outcome, ...(detail ? { detail } : {}) };
    this.#log(`watcher: receipt ${receiptId.slice(0, 16)}… ${outcome}${detail ? `: ${detail}` : ""}`);
  }

  async #check(receiptBytes: Uint8Array): Promise<void> {
    let d: ReceiptData;
    let receiptId: string;
    try {
      const tr = decodeThresholdReceipt(receiptBytes);
      d = decodeReceiptData(tr.receiptData);
      receiptId = toHex(receiptIdOf(tr.receiptData));
    } catch {
      return;
    }
    if (d.kind !== ReceiptKind.RECEIPT_KIND_COMPUTE || !d.executionCommitment) return;
    if (this.state.receipts[receiptId]) return; // looked at before a restart
    const wid = toHex(d.workloadId);
    const specB64 = this.state.specs[wid];
    if (!specB64) return this.#note(receiptId, wid, "", "unavailable", "no WorkloadScheduled for it on DA");
    // Replicas that disagreed: every receipt of the workload is re-executed, sampled or not.
    const ppm = this.#o.samplePpm ?? 1_000_000;
    if (!this.state.disputed?.[wid] && ppm < 1_000_000 && randomInt(1_000_000) >= ppm)
      return this.#note(receiptId, wid, specB64, "skipped", "not sampled");
    const spec = WorkloadSpec.decode(Buffer.from(specB64, "base64"));
    let mine: ExecutionCommitment;
    try {
      mine = await this.#ownCommitment(spec, d.workloadId);
    } catch (e) {
      return this.#note(receiptId, wid, specB64, "unavailable", (e as Error).message);
    }
    await this.#challengeIfWrong(receiptId, wid, specB64, d.executionCommitment, mine, { receipt: receiptBytes });
  }

  /** Its own traced run of the workload under the spec's limits (bounded by the signed fuel and timeout). */
  async #ownCommitment(spec: WorkloadSpec, wid: Uint8Array): Promise<ExecutionCommitment> {
    const { module, input } = await this.#objects(spec);
    const out = await runTracedJob(module, runOptionsOf(spec, input), spec.timeoutSeconds * 1000);
    if (out.kind !== "report") throw new BaseError(ErrorCode.Unavailable, `re-execution: ${out.kind}`);
    return commitmentFromReport(wid, module, input, out.report, spec);
  }

  /** Opens the bonded challenge on `evidence` (a receipt or a replica's signed result) when `node` is not `mine`. */
  async #challengeIfWrong(
    id: string,
    wid: string,
    specB64: string,
    node: ExecutionCommitment,
    mine: ExecutionCommitment,
    evidence: { receipt: Uint8Array } | { signedResult: Uint8Array },
  ): Promise<void> {
    const dispute = disputeOf(node, mine);
    if (!dispute) return this.#note(id, wid, specB64, "matches");
    const r = await this.#o.chain.send(
      challengeMsg({
        challenger: this.#o.chain.address,
        ...evidence,
        disputeType: dispute.type,
        claim: dispute.claim,
      }),
    );
    if (r.code !== 0)
      return this.#note(id, wid, specB64, "challenge-refused", `${dispute.differs.join(", ")}: ${r.log}`);
    this.#note(id, wid, specB64, "challenged", `${dispute.differs.join(", ")} differ`);
  }

  /**
   * A replica's node-signed result (`ComputeReported`). Once every replica the spec asks for has reported and their
   * commitments differ, the replicas disagree: no sampling decision. The watcher re-executes the job and challenges
   * each replica whose commitment is not its own — by its signed result when that commitment is not the one the
   * spec's agreement rule picks (so no receipt will ever be issued for it), else by the receipt it will get (the
   * workload is marked disputed, so that receipt is checked unsampled): one game per lie, never two.
   */
  async #replicaReported(workloadId: Uint8Array, bytes: Uint8Array): Promise<void> {
    const wid = toHex(workloadId);
    const specB64 = this.state.specs[wid];
    if (!specB64) return;
    const spec = WorkloadSpec.decode(Buffer.from(specB64, "base64"));
    if (spec.replicas < 2 || spec.runtime !== "") return; // one replica: nothing to disagree; MicroVM: not provable
    this.state.results ??= {};
    const results = this.state.results;
    const seen = results[wid] ?? [];
    let opened: ComputeResult[];
    try {
      const r = openResult(bytes);
      if (!bytesEqual(r.workloadId, workloadId)) return;
      opened = seen.map((b) => openResult(Buffer.from(b, "base64")));
      if (opened.some((o) => bytesEqual(o.nodeId, r.nodeId)) || opened.length >= spec.replicas) return;
      opened.push(r);
    } catch {
      return; // not a well-formed, node-signed result: nothing to hold anyone to
    }
    results[wid] = [...seen, Buffer.from(bytes).toString("base64")];
    if (opened.length < spec.replicas) return;
    const hashes = new Set(opened.map((o) => (o.commitment ? commitmentHash(o.commitment) : "")));
    if (hashes.size < 2) return;
    this.state.disputed ??= {};
    this.state.disputed[wid] = true;
    this.#log(`watcher: the ${opened.length} replicas of workload ${wid.slice(0, 16)}… disagree`);
    const agreed = decideAgreement(
      opened.map((o) => ({ nodeId: toHex(o.nodeId), ...(o.commitment ? { commitment: o.commitment } : {}) })),
      spec.replicas,
      spec.agreement === "unanimous" ? "unanimous" : "majority",
    ).agreed;
    let mine: ExecutionCommitment;
    try {
      mine = await this.#ownCommitment(spec, workloadId);
    } catch (e) {
      return this.#log(`watcher: workload ${wid.slice(0, 16)}… cannot be re-executed: ${(e as Error).message}`);
    }
    for (const [i, o] of opened.entries()) {
      if (!o.commitment || commitmentHash(o.commitment) === agreed) continue; // failed run, or its receipt is checked
      const raw = Buffer.from(results[wid]![i]!, "base64");
      const id = toHex(signedResultEvidenceId(raw));
      if (this.state.receipts[id]) continue;
      await this.#challengeIfWrong(id, wid, specB64, o.commitment, mine, { signedResult: raw });
    }
  }

  async #objects(spec: WorkloadSpec): Promise<{ module: Uint8Array; input: Uint8Array }> {
    const get = async (cid: string, size: bigint, hash: Uint8Array, what: string) => {
      const bytes = cid === "" ? new Uint8Array(0) : await this.#o.fetchObject(cid, Number(size));
      if (bytes.length !== Number(size) || !bytesEqual(sha256(bytes), hash))
        throw new BaseError(ErrorCode.Integrity, `${what} ${cid}: bytes do not match the signed hash and size`);
      return bytes;
    };
    return {
      module: await get(spec.moduleCid, spec.moduleSize, spec.moduleHash, "module"),
      input: await get(spec.inputCid, spec.inputSize, spec.inputHash, "input"),
    };
  }

  async #replayFor(g: Game): Promise<Replay | undefined> {
    const w = this.state.receipts[toHex(g.receiptId)];
    if (!w?.spec) return undefined;
    const spec = WorkloadSpec.decode(Buffer.from(w.spec, "base64"));
    const { module, input } = await this.#objects(spec);
    this.#log(`watcher: playing game ${g.id} (${gameStatusToJSON(g.status)})`);
    return new Replay({ module, opts: runOptionsOf(spec, input) });
  }
}

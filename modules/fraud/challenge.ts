/**
 * @module MsgChallenge: opens a bisection game on a compute receipt. The receipt travels whole (threshold
 * receipt bytes) and is checked against the group key of its own epoch's committee, found by the same rule as
 * receipts' claim (committee keeper's committeeForReceipt: a retired committee only for a receipt timestamped
 * inside its term, while its record is retained), so a challenge can come
 * before the node claims; only inside the receipt's challenge window (block time); one open game per challenger
 * and receipt; the bond is escrowed in `fraud_escrow`. The defender (the node's operator) moves first.
 */
import type { Context } from "../../chain-app/context.js";
import type { MsgDef } from "../../chain-app/module.js";
import { MAX_RESULT_BYTES, openResult } from "../../common/compute/signedResult.js";
import { concatBytes as concat, sha256, toHex } from "../../common/hash.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  executionCommitmentProblem,
  receiptId,
  receiptProblem,
  receiptSigningMessage,
} from "../../common/receipts/receiptBytes.js";
import { DisputeType, type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgChallenge, MsgChallengeResponse } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { type ExecutionCommitment, ExecutionKind, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount } from "../auth/moduleAccounts.js";
import { computeWindowSeconds } from "../receipts/window.js";
import { FraudErrors } from "./errors.js";
import { challengeEvent } from "./events.js";
import type { BankKeeper, CommitteeKeeper, NodesKeeper, ReceiptsKeeper } from "./expectedKeepers.js";
import { initialRange, isDescentClaim } from "./game.js";
import type { FraudKeeper } from "./keeper.js";

export const MSG_CHALLENGE_TYPE_URL = "/dsdn.fraud.v1.MsgChallenge";
export const MAX_CHALLENGE_RECEIPT_BYTES = 16 * 1024;
export const MAX_CLAIM_BYTES = 64;

export function msgChallenge(
  keeper: FraudKeeper,
  bank: BankKeeper,
  committee: CommitteeKeeper,
  nodes: NodesKeeper,
  receipts: ReceiptsKeeper,
): MsgDef<MsgChallenge> {
  return {
    typeUrl: MSG_CHALLENGE_TYPE_URL,
    codec: MsgChallenge,
    signers: (m) => [m.challenger],
    validateBasic(m) {
      addressBytesOf(m.challenger);
      if (m.receipt.length > 0 === m.signedResult.length > 0)
        throw FraudErrors.InvalidReceipt.wrap("exactly one of receipt and signed_result");
      if (m.receipt.length > MAX_CHALLENGE_RECEIPT_BYTES)
        throw FraudErrors.InvalidReceipt.wrap(`receipt must be 1..${MAX_CHALLENGE_RECEIPT_BYTES} bytes`);
      if (m.signedResult.length > MAX_RESULT_BYTES)
        throw FraudErrors.InvalidReceipt.wrap(`signed_result must be 1..${MAX_RESULT_BYTES} bytes`);
      if (m.claim.length > MAX_CLAIM_BYTES) throw FraudErrors.InvalidClaim.wrap(`at most ${MAX_CLAIM_BYTES} bytes`);
      if (
        !(m.disputeType in DisputeType) ||
        m.disputeType === DisputeType.DISPUTE_TYPE_UNSPECIFIED ||
        m.disputeType < 0
      )
        throw FraudErrors.InvalidClaim.wrap("unknown dispute type");
    },
    handle(ctx, m) {
      const e = m.receipt.length > 0 ? receiptEvidence(ctx, m, committee) : resultEvidence(m);
      const ec = e.ec;
      // A MicroVM run has no trace to bisect; redundant execution (≥ 2 agreeing replicas) is its only check.
      if (ec.executionKind === ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT)
        throw FraudErrors.NotProvable.wrap("no step-proof dispute exists for a MicroVM compute result");

      // CheckTx carries no block time (0): the window is judged in FinalizeBlock then, as receipts' claim does.
      const now = ctx.block.timeSeconds;
      const timeKnown = now > 0n || ctx.mode === "finalize";
      const rp = receipts.getParams(ctx);
      const closes = e.timestamp + computeWindowSeconds(ec.outputSize, rp);
      if (timeKnown && e.timestamp > now + rp.maxTimestampSkewSeconds)
        throw FraudErrors.InvalidReceipt.wrap(`timestamp ${e.timestamp} is later than block time ${now} allows`);
      if (timeKnown && now >= closes)
        throw FraudErrors.OutsideWindow.wrap(`closed at block time ${closes} (now ${now})`);

      const id = e.id;
      if (keeper.isVoid(ctx, id)) throw FraudErrors.ReceiptVoid.wrap(toHex(id));
      if (keeper.openGameOf(ctx, id, m.challenger) !== undefined)
        throw FraudErrors.DuplicateChallenge.wrap(`game ${keeper.openGameOf(ctx, id, m.challenger)}`);
      const node = nodes.getNode(ctx, e.nodeId);
      if (!node) throw FraudErrors.InvalidReceipt.wrap(`node ${toHex(e.nodeId)} is not registered`);
      const range = initialRange(m.disputeType, m.claim, ec.steps, ec.traceEvery, ec.outputHash);
      if (typeof range === "string") throw FraudErrors.InvalidClaim.wrap(range);

      const p = keeper.getParams(ctx);
      const challenger = addressBytesOf(m.challenger);
      if (bank.getBalance(ctx, challenger, p.denom) < p.challengeBond)
        throw FraudErrors.InsufficientBond.wrap(`${p.challengeBond}${p.denom} needed`);
      bank.sendFromAccountToModule(ctx, challenger, ModuleAccount.FraudEscrow, [
        { denom: p.denom, amount: p.challengeBond },
      ]);

      const gameId = keeper.nextId(ctx);
      keeper.setNextId(ctx, gameId + 1n);
      const g: Game = {
        id: gameId,
        receiptId: Buffer.from(id),
        disputeType: m.disputeType,
        claim: Buffer.from(m.claim),
        challenger: m.challenger,
        defender: node.operator,
        nodeId: Buffer.from(e.nodeId),
        bond: p.challengeBond.toString(),
        steps: ec.steps,
        traceEvery: ec.traceEvery,
        traceRoot: Buffer.from(ec.executionTraceMerkleRoot),
        moduleHash: Buffer.from(ec.moduleHash),
        inputHash: Buffer.from(ec.inputHash),
        outputHash: Buffer.from(ec.outputHash),
        stateRootAfter: Buffer.from(ec.stateRootAfter),
        status: GameStatus.GAME_STATUS_AWAIT_DEFENDER,
        opened: false,
        lo: range.lo,
        loCommitment: Buffer.alloc(0),
        hi: range.hi,
        hiCommitment: Buffer.alloc(0),
        mid: 0n,
        midCommitment: Buffer.alloc(0),
        deadline: now + p.moveTimeoutSeconds,
        rounds: 0,
        openedAt: now,
        resolvedAt: 0n,
        reason: "",
        slashed: "0",
        reward: "0",
        startPinned: false,
        fuelLimit: ec.fuelLimit,
        memoryPages: ec.memoryPages,
        stateRootBefore: Buffer.from(ec.stateRootBefore),
        descending: isDescentClaim(m.disputeType, m.claim),
        descentDepth: 0,
        descentIndex: 0n,
        descentNode: Buffer.alloc(0),
        descentLeft: Buffer.alloc(0),
        descentRight: Buffer.alloc(0),
      };
      keeper.create(ctx, g);
      ctx.emit(challengeEvent(g));
      return {
        typeUrl: "/dsdn.fraud.v1.MsgChallengeResponse",
        value: MsgChallengeResponse.encode({ gameId }).finish(),
      };
    },
  };
}

/** What a challenge disputes: an execution commitment a node is bound to, when it was made, and the evidence's id. */
interface Evidence {
  readonly id: Uint8Array;
  readonly nodeId: Uint8Array;
  readonly ec: ExecutionCommitment;
  /** Unix seconds the window opens at. */
  readonly timestamp: bigint;
}

/** A committee-signed compute receipt, verified under its own epoch's committee (as receipts' claim does). */
function receiptEvidence(ctx: Context, m: MsgChallenge, committee: CommitteeKeeper): Evidence {
  let d: ReturnType<typeof decodeReceiptData>;
  let r: ReturnType<typeof decodeThresholdReceipt>;
  try {
    r = decodeThresholdReceipt(m.receipt);
    d = decodeReceiptData(r.receiptData);
  } catch (e) {
    throw FraudErrors.InvalidReceipt.wrap((e as Error).message);
  }
  const problem = receiptProblem(d, ctx.block.chainId);
  if (problem) throw FraudErrors.InvalidReceipt.wrap(problem);
  if (d.kind !== ReceiptKind.RECEIPT_KIND_COMPUTE) throw FraudErrors.InvalidReceipt.wrap("not a compute receipt");
  if (r.epoch !== d.epoch) throw FraudErrors.InvalidReceipt.wrap(`signed as epoch ${r.epoch}, receipt says ${d.epoch}`);
  if (d.executionCommitment!.executionKind === ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT)
    return { id: receiptId(r.receiptData), nodeId: d.nodeId, ec: d.executionCommitment!, timestamp: d.timestamp };
  const check = committee.committeeForReceipt(ctx, d.epoch, d.timestamp);
  if (!check.ok) throw FraudErrors.InvalidReceipt.wrap(check.reason);
  const c = check.committee;
  const signerIssue = committee.signerProblem(c, d.signers);
  if (signerIssue) throw FraudErrors.InvalidReceipt.wrap(signerIssue);
  if (!committee.verifyGroupSignature(ctx, c, receiptSigningMessage(r.receiptData), r.signature))
    throw FraudErrors.InvalidReceipt.wrap("threshold signature does not verify");
  return { id: receiptId(r.receiptData), nodeId: d.nodeId, ec: d.executionCommitment!, timestamp: d.timestamp };
}

const SIGNED_RESULT_DOMAIN = new TextEncoder().encode("dsdn.fraud.v1.SignedResult\0");
/** The id a game on a node-signed result records as its receipt_id (never a receipt's id: another domain). */
export const signedResultEvidenceId = (bytes: Uint8Array): Uint8Array => sha256(concat(SIGNED_RESULT_DOMAIN, bytes));

/**
 * A node-signed result: a redundant-execution replica whose commitment disagreed got no receipt, but its own signature
 * binds it to that commitment; a game on it can only convict a node whose signed trace is false (the same game).
 */
function resultEvidence(m: MsgChallenge): Evidence {
  let r: ReturnType<typeof openResult>;
  try {
    r = openResult(m.signedResult);
  } catch (e) {
    throw FraudErrors.InvalidReceipt.wrap(`signed result: ${(e as Error).message}`);
  }
  if (!r.completed || !r.commitment) throw FraudErrors.InvalidReceipt.wrap("the signed result is not a completed run");
  const problem = executionCommitmentProblem(r.commitment, r.workloadId, ReceiptKind.RECEIPT_KIND_COMPUTE);
  if (problem) throw FraudErrors.InvalidReceipt.wrap(`execution commitment: ${problem}`);
  if (r.finishedAtMs <= 0n) throw FraudErrors.InvalidReceipt.wrap("the signed result carries no finished_at_ms");
  return {
    id: signedResultEvidenceId(m.signedResult),
    nodeId: r.nodeId,
    ec: r.commitment,
    timestamp: r.finishedAtMs / 1000n,
  };
}

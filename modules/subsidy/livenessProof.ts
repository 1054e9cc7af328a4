/**
 * @module MsgLivenessProof: a storage node answers the open liveness challenge with its node key's signature over
 * the period's seed. Checks: the node is registered and Active; the period is the open challenge's; block time is
 * within its deadline; the node has not answered it yet; the signature verifies under the node id. Anyone may
 * submit it (the signature is the proof), so a node needs no funded key of its own to stay live.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { ed25519Verify } from "../../common/ed25519.js";
import { toHex } from "../../common/hash.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { MsgLivenessProof, MsgLivenessProofResponse } from "../../proto/gen/dsdn/subsidy/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { SubsidyErrors } from "./errors.js";
import type { NodesKeeper } from "./expectedKeepers.js";
import type { SubsidyKeeper } from "./keeper.js";
import { livenessSigningMessage } from "./liveness.js";

export const MSG_LIVENESS_PROOF_TYPE_URL = "/dsdn.subsidy.v1.MsgLivenessProof";
/** Gas for the ed25519 verification (the receipts module's figure). */
const SIG_VERIFY_GAS = 590n;

export function msgLivenessProof(keeper: SubsidyKeeper, nodes: NodesKeeper): MsgDef<MsgLivenessProof> {
  return {
    typeUrl: MSG_LIVENESS_PROOF_TYPE_URL,
    codec: MsgLivenessProof,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.nodeId.length !== 32) throw SubsidyErrors.MalformedLivenessProof.wrap("node_id must be 32 bytes");
      if (m.signature.length !== 64) throw SubsidyErrors.MalformedLivenessProof.wrap("signature must be 64 bytes");
      if (m.period <= 0n) throw SubsidyErrors.MalformedLivenessProof.wrap("period must be ≥ 1");
    },
    handle(ctx, m) {
      const node = nodes.getNode(ctx, m.nodeId);
      if (!node) throw SubsidyErrors.UnknownNode.wrap(toHex(m.nodeId));
      if (node.status !== NodeStatus.NODE_STATUS_ACTIVE)
        throw SubsidyErrors.NodeNotActive.wrap(node.statusReason || "inactive");
      const c = keeper.getChallenge(ctx);
      if (!c || c.period !== m.period)
        throw SubsidyErrors.NoOpenChallenge.wrap(`period ${m.period}; the open one is ${c?.period ?? "none"}`);
      // CheckTx carries no block time (0): the deadline is judged in FinalizeBlock.
      const now = ctx.block.timeSeconds;
      if (c.judged || ((now > 0n || ctx.mode === "finalize") && now > c.deadline))
        throw SubsidyErrors.ChallengeDeadlinePassed.wrap(`deadline was block time ${c.deadline}, now ${now}`);
      const op = addressBytesOf(node.operator);
      if (keeper.lastAnswered(ctx, op) >= c.period) throw SubsidyErrors.AlreadyAnswered.wrap(`period ${c.period}`);
      ctx.gas.consume(SIG_VERIFY_GAS, "liveness proof signature");
      if (!ed25519Verify(m.signature, livenessSigningMessage(ctx.block.chainId, m.nodeId, c.period, c.seed), m.nodeId))
        throw SubsidyErrors.InvalidLivenessSignature;
      keeper.answerChallenge(ctx, op, c.period);
      return {
        typeUrl: "/dsdn.subsidy.v1.MsgLivenessProofResponse",
        value: MsgLivenessProofResponse.encode({}).finish(),
      };
    },
  };
}

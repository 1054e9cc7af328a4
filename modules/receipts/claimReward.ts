/**
 * @module MsgClaimReward: the node's operator redeems a committee-signed receipt. Checks, in order: the
 * receipt is well formed (execution commitment included); its committee verifies it (committee keeper's
 * committeeForReceipt: current epoch, previous within the handoff, or a retained retired committee for a receipt
 * timestamped inside its term) and has a recorded group key; it names ≥ t valid signers; the aggregate
 * verifies as a plain Ed25519 signature under the group key; the node is registered, Active and staked, the
 * claimant is its operator and the node signed the receipt; no self-dealing (operator ≠ submitter, no wallet
 * affinity); never claimed before; the reward (receipt v2: nano-USD) equals the chain's USD price of the usage,
 * and is paid in unusa at the oracle's effective price at the claim's block time. Storage receipts pay at once; a compute receipt is refused inside its challenge window (window.ts), while a fraud game is open on it
 * and once fraud was proven, and pays at once after it.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { ed25519Verify } from "../../common/ed25519.js";
import { toHex } from "../../common/hash.js";
import { nodeSigningMessage, receiptId, replayKey } from "../../common/receipts/receiptBytes.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { ClaimStatus, ReceiptKind, receiptKindToJSON } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { MsgClaimReward, MsgClaimRewardResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { affinityBetween } from "./affinity.js";
import { ReceiptsErrors } from "./errors.js";
import { claimEvent } from "./events.js";
import type { CommitteeKeeper, NodesKeeper, PriceOracle, StakeKeeper } from "./expectedKeepers.js";
import type { ReceiptsKeeper } from "./keeper.js";
import { usdValueOf } from "./reward.js";
import { verifiedReceipt } from "./verifyReceipt.js";
import { computeWindow } from "./window.js";

export const MSG_CLAIM_REWARD_TYPE_URL = "/dsdn.receipts.v1.MsgClaimReward";
export const MAX_RECEIPT_DATA_BYTES = 8 * 1024;

export function msgClaimReward(
  keeper: ReceiptsKeeper,
  committee: CommitteeKeeper,
  nodes: NodesKeeper,
  stake: StakeKeeper,
  oracle: PriceOracle,
): MsgDef<MsgClaimReward> {
  return {
    typeUrl: MSG_CLAIM_REWARD_TYPE_URL,
    codec: MsgClaimReward,
    signers: (m) => [m.claimant],
    validateBasic(m) {
      addressBytesOf(m.claimant);
      const r = m.receipt;
      if (!r || r.receiptData.length === 0 || r.receiptData.length > MAX_RECEIPT_DATA_BYTES)
        throw ReceiptsErrors.MalformedReceipt.wrap(`receipt_data must be 1..${MAX_RECEIPT_DATA_BYTES} bytes`);
      if (r.signature.length !== 64) throw ReceiptsErrors.MalformedReceipt.wrap("signature must be 64 bytes");
      if (m.nodeSignature.length !== 64) throw ReceiptsErrors.MalformedReceipt.wrap("node_signature must be 64 bytes");
    },
    handle(ctx, m) {
      const r = m.receipt!;
      const d = verifiedReceipt(ctx, committee, r);

      const id = receiptId(r.receiptData);
      // A compute receipt pays only after its challenge window (block time from its signed timestamp), and
      // never while a fraud game is open on it or after fraud was proven (checked before the node: a voided
      // receipt's node is usually in cooldown, and the answer should name the receipt's state). CheckTx carries no block time (0):
      // the window is judged in FinalizeBlock then, as unjail does.
      if (d.kind === ReceiptKind.RECEIPT_KIND_COMPUTE) {
        const p = keeper.getParams(ctx);
        const now = ctx.block.timeSeconds;
        const timeKnown = now > 0n || ctx.mode === "finalize";
        if (timeKnown && d.timestamp > now + p.maxTimestampSkewSeconds)
          throw ReceiptsErrors.FutureTimestamp.wrap(`timestamp ${d.timestamp}, block time ${now}`);
        const w = computeWindow(d, p);
        if (timeKnown && now < w.closes)
          throw ReceiptsErrors.ChallengeWindowOpen.wrap(
            `claimable from block time ${w.closes} (now ${now}, ${w.closes - now} s to go)`,
          );
        if (keeper.isVoid(ctx, id)) throw ReceiptsErrors.ReceiptVoid.wrap(toHex(id));
        if (keeper.isDisputed(ctx, id))
          throw ReceiptsErrors.UnderDispute.wrap(`${toHex(id)}: claimable once its fraud game resolves`);
      }

      // The node: registered, Active, staked; the claimant operates it and the node accepted the receipt.
      const node = nodes.getNode(ctx, d.nodeId);
      if (!node) throw ReceiptsErrors.UnknownNode.wrap(toHex(d.nodeId));
      if (m.claimant !== node.operator)
        throw ReceiptsErrors.NotNodeOperator.wrap(`node is operated by ${node.operator}`);
      if (node.status !== NodeStatus.NODE_STATUS_ACTIVE)
        throw ReceiptsErrors.NodeNotActive.wrap(node.statusReason || "inactive");
      const op = addressBytesOf(node.operator);
      const ns = stake.getNodeStake(ctx, op);
      const min = ns ? stake.minNodeStake(ctx, ns.class) : 0n;
      if (!ns || min === 0n || BigInt(ns.amount) < min)
        throw ReceiptsErrors.InsufficientStake.wrap(`${ns?.amount ?? 0} < ${min}`);
      ctx.gas.consume(keeper.getParams(ctx).sigVerifyCostEd25519, "node receipt signature");
      if (!ed25519Verify(m.nodeSignature, nodeSigningMessage(r.receiptData), d.nodeId))
        throw ReceiptsErrors.InvalidNodeSignature;

      // No self-dealing.
      const submitter = addressBytesOf(d.submitter);
      const aff = affinityBetween(keeper, ctx, op, submitter);
      if (aff === "same_address") throw ReceiptsErrors.SelfDealing.wrap(d.submitter);
      if (aff) throw ReceiptsErrors.WalletAffinity.wrap(`${aff} between ${node.operator} and ${d.submitter}`);

      // Never used before: neither these bytes nor another receipt for the same slot.
      const rk = replayKey(d);
      if (keeper.getClaim(ctx, id) || keeper.replayUsed(ctx, rk)) throw ReceiptsErrors.AlreadyClaimed.wrap(toHex(id));

      const p = keeper.getParams(ctx);
      const usd = BigInt(d.reward);
      const value = usdValueOf(d.kind, d.usage!, p);
      if (usd !== value)
        throw ReceiptsErrors.WrongReward.wrap(`receipt says ${usd} nano-USD, usage prices at ${value} nano-USD`);
      if (usd === 0n) throw ReceiptsErrors.WrongReward.wrap("the usage is worth nothing at the chain's USD prices");
      // The price at the claim's block time, not the receipt's signed timestamp: the oracle keeps one price (the
      // last good one, held within floor and ceiling, stale or not), and the node is paid the USD value's worth
      // of NUSA at the moment it is paid. In CheckTx the committed price is used; FinalizeBlock decides.
      let priceNanoUsd: bigint;
      try {
        priceNanoUsd = oracle.effectivePrice(ctx);
      } catch (e) {
        throw ReceiptsErrors.NoPrice.wrap((e as Error).message);
      }
      const reward = oracle.usdToUnusa(ctx, usd);
      if (reward > p.maxRewardPerReceipt)
        throw ReceiptsErrors.WrongReward.wrap(
          `${usd} nano-USD is ${reward}${p.denom} at ${priceNanoUsd} nano-USD/NUSA, above ${p.maxRewardPerReceipt}${p.denom}`,
        );

      const claim = keeper.pay(ctx, {
        receiptId: Buffer.from(id),
        replayKey: Buffer.from(rk),
        kind: d.kind,
        workloadId: d.workloadId,
        nodeId: d.nodeId,
        operator: node.operator,
        submitter: d.submitter,
        epoch: d.epoch,
        reward: reward.toString(),
        nodeAmount: "0",
        validatorsAmount: "0",
        treasuryAmount: "0",
        status: ClaimStatus.CLAIM_STATUS_PAID,
        claimedHeight: ctx.block.height,
        payableHeight: ctx.block.height,
        paidHeight: 0n,
        rewardUsdNano: usd.toString(),
        priceNanoUsd: priceNanoUsd.toString(),
      });
      ctx.emit(claimEvent(id, d.nodeId, node.operator, receiptKindToJSON(d.kind), reward));
      return {
        typeUrl: "/dsdn.receipts.v1.MsgClaimRewardResponse",
        value: MsgClaimRewardResponse.encode({
          receiptId: Buffer.from(id),
          reward: claim.reward,
          nodeAmount: claim.nodeAmount,
          validatorsAmount: claim.validatorsAmount,
          treasuryAmount: claim.treasuryAmount,
          pending: false,
          payableHeight: claim.payableHeight,
          rewardUsdNano: claim.rewardUsdNano,
          priceNanoUsd: claim.priceNanoUsd,
        }).finish(),
      };
    },
  };
}

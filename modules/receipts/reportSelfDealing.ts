/**
 * @module MsgReportSelfDealing: anyone shows a committee-signed receipt (verified as a claim would verify it) whose
 * submitter is the node's operator or has wallet affinity with it; the operator is recorded as self-dealing for the
 * month through the hook app wiring fills (the subsidy's `recordSelfDealing`; receipts never imports subsidy). The
 * claim of such a receipt is refused, and a refused transaction keeps no state, hence a separate report. Only a
 * receipt its committee may still sign for is accepted (current, handoff or retained retired committee), so an old
 * receipt cannot be reported again month after month.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { toHex } from "../../common/hash.js";
import { MsgReportSelfDealing, MsgReportSelfDealingResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { affinityBetween } from "./affinity.js";
import { MAX_RECEIPT_DATA_BYTES } from "./claimReward.js";
import { ReceiptsErrors } from "./errors.js";
import type { CommitteeKeeper, NodesKeeper } from "./expectedKeepers.js";
import type { ReceiptsKeeper } from "./keeper.js";
import { verifiedReceipt } from "./verifyReceipt.js";

export const MSG_REPORT_SELF_DEALING_TYPE_URL = "/dsdn.receipts.v1.MsgReportSelfDealing";

export function msgReportSelfDealing(
  keeper: ReceiptsKeeper,
  committee: CommitteeKeeper,
  nodes: NodesKeeper,
): MsgDef<MsgReportSelfDealing> {
  return {
    typeUrl: MSG_REPORT_SELF_DEALING_TYPE_URL,
    codec: MsgReportSelfDealing,
    signers: (m) => [m.reporter],
    validateBasic(m) {
      addressBytesOf(m.reporter);
      const r = m.receipt;
      if (!r || r.receiptData.length === 0 || r.receiptData.length > MAX_RECEIPT_DATA_BYTES)
        throw ReceiptsErrors.MalformedReceipt.wrap(`receipt_data must be 1..${MAX_RECEIPT_DATA_BYTES} bytes`);
      if (r.signature.length !== 64) throw ReceiptsErrors.MalformedReceipt.wrap("signature must be 64 bytes");
    },
    handle(ctx, m) {
      const d = verifiedReceipt(ctx, committee, m.receipt!);
      const node = nodes.getNode(ctx, d.nodeId);
      if (!node) throw ReceiptsErrors.UnknownNode.wrap(toHex(d.nodeId));
      const op = addressBytesOf(node.operator);
      const aff = affinityBetween(keeper, ctx, op, addressBytesOf(d.submitter));
      if (!aff) throw ReceiptsErrors.NotSelfDealing.wrap(`${node.operator} and ${d.submitter} are unrelated on chain`);
      keeper.reportSelfDealing(ctx, op);
      return {
        typeUrl: "/dsdn.receipts.v1.MsgReportSelfDealingResponse",
        value: MsgReportSelfDealingResponse.encode({ operator: node.operator, affinity: aff }).finish(),
      };
    },
  };
}

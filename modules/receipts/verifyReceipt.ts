/**
 * @module A threshold receipt the chain can rely on: decoded canonically, well formed (receipt v2), signed by ≥ t
 * valid signers of the committee that may sign it now (committeeForReceipt). Shared by MsgClaimReward and
 * MsgReportSelfDealing, so a report is judged on exactly the evidence a claim would be.
 */
import type { Context } from "../../chain-app/context.js";
import {
  decodeReceiptData,
  RECEIPT_VERSION_V1,
  receiptProblem,
  receiptSigningMessage,
} from "../../common/receipts/receiptBytes.js";
import type { ReceiptData, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { ReceiptsErrors } from "./errors.js";
import type { CommitteeKeeper } from "./expectedKeepers.js";

export function verifiedReceipt(ctx: Context, committee: CommitteeKeeper, r: ThresholdReceipt): ReceiptData {
  let d: ReceiptData;
  try {
    d = decodeReceiptData(r.receiptData);
  } catch (e) {
    throw ReceiptsErrors.MalformedReceipt.wrap((e as Error).message);
  }
  // Refused by name, never re-priced: a v1 receipt's reward is unusa, which v2 would read as nano-USD.
  if (d.version === RECEIPT_VERSION_V1) throw ReceiptsErrors.ReceiptVersionRetired;
  const problem = receiptProblem(d, ctx.block.chainId);
  if (problem?.startsWith("execution commitment")) throw ReceiptsErrors.InvalidCommitment.wrap(problem);
  if (problem) throw ReceiptsErrors.MalformedReceipt.wrap(problem);
  if (r.epoch !== d.epoch)
    throw ReceiptsErrors.MalformedReceipt.wrap(`signed as epoch ${r.epoch}, receipt says ${d.epoch}`);

  // The threshold signature of the receipt's committee.
  const check = committee.committeeForReceipt(ctx, d.epoch, d.timestamp);
  if (!check.ok) throw ReceiptsErrors.CommitteeNotValid.wrap(check.reason);
  const signerIssue = committee.signerProblem(check.committee, d.signers);
  if (signerIssue) throw ReceiptsErrors.TooFewSigners.wrap(signerIssue);
  if (!committee.verifyGroupSignature(ctx, check.committee, receiptSigningMessage(r.receiptData), r.signature))
    throw ReceiptsErrors.InvalidThresholdSignature.wrap(`epoch ${d.epoch}`);
  return d;
}

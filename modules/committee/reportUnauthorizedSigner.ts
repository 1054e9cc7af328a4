/**
 * @module MsgReportUnauthorizedSigner: a receipt with a valid aggregate signature under committee C's group
 * key that C had no authority to sign — it names another epoch or chain, or its signer list is not t
 * distinct member indexes (so it hides who signed). When the signer list is well formed those members are
 * slashed; when it is not, any t members may have signed, so the whole committee answers for it.
 */
import type { MsgDef } from "../../chain-app/module.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  receiptId,
  receiptSigningMessage,
} from "../../common/receipts/receiptBytes.js";
import {
  MsgReportUnauthorizedSigner,
  MsgReportUnauthorizedSignerResponse,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import type { ReceiptData } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import type { CommitteeKeeper } from "./keeper.js";
import { MAX_RECEIPT_BYTES } from "./reportConflictingReceipts.js";

export const MSG_REPORT_UNAUTHORIZED_SIGNER_TYPE_URL = "/dsdn.committee.v1.MsgReportUnauthorizedSigner";

export function msgReportUnauthorizedSigner(keeper: CommitteeKeeper): MsgDef<MsgReportUnauthorizedSigner> {
  return {
    typeUrl: MSG_REPORT_UNAUTHORIZED_SIGNER_TYPE_URL,
    codec: MsgReportUnauthorizedSigner,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.receipt.length === 0 || m.receipt.length > MAX_RECEIPT_BYTES)
        throw CommitteeErrors.InvalidReceipt.wrap(`receipt must be 1..${MAX_RECEIPT_BYTES} bytes`);
    },
    handle(ctx, m) {
      let r: ReturnType<typeof decodeThresholdReceipt>;
      try {
        r = decodeThresholdReceipt(m.receipt);
      } catch (e) {
        throw CommitteeErrors.InvalidReceipt.wrap((e as Error).message);
      }
      const c = keeper.getCommittee(ctx, m.committeeEpoch);
      if (!c || c.groupPublicKey.length !== 32) throw CommitteeErrors.NoGroupKey.wrap(`epoch ${m.committeeEpoch}`);
      if (!keeper.verifyGroupSignature(ctx, c, receiptSigningMessage(r.receiptData), r.signature))
        throw CommitteeErrors.InvalidReceipt.wrap(
          `the aggregate signature does not verify under epoch ${c.epoch}'s key`,
        );
      let d: ReceiptData | undefined;
      try {
        d = decodeReceiptData(r.receiptData);
      } catch {
        d = undefined; // the committee signed bytes that are not a receipt at all
      }
      const signerIssue = d ? keeper.signerProblem(c, d.signers) : "not a canonical ReceiptData";
      const unauthorized =
        !d ||
        signerIssue !== undefined ||
        d.epoch !== c.epoch ||
        r.epoch !== c.epoch ||
        d.chainId !== ctx.block.chainId;
      if (!unauthorized) throw CommitteeErrors.ReceiptAuthorized;
      const evidence = receiptId(r.receiptData);
      if (keeper.hasDispute(ctx, evidence)) throw CommitteeErrors.DuplicateDispute;
      keeper.setDispute(ctx, evidence, ctx.block.height);
      const culprits = d && signerIssue === undefined ? d.signers : c.members.map((_, i) => i + 1);
      const { operators, total } = keeper.slashMembers(ctx, c, culprits, "unauthorized_signer");
      return {
        typeUrl: "/dsdn.committee.v1.MsgReportUnauthorizedSignerResponse",
        value: MsgReportUnauthorizedSignerResponse.encode({
          slashedOperators: operators,
          slashedTotal: total.toString(),
        }).finish(),
      };
    },
  };
}

/**
 * @module MsgReportUnauthorizedSigner: a receipt with a valid aggregate signature under committee C's group
 * key (C = `committee_epoch`, proven by the signature itself) whose *signed bytes* C had no authority to
 * sign: they name another epoch, their signer list is not t distinct member indexes (so it hides who signed),
 * or they are not a receipt at all. The wrapper's epoch is not signed and decides nothing: when it
 * disagrees with the signed epoch the evidence is refused (evidence.ts). When the signer list is well formed
 * those members are slashed; when it is not, any t members may have signed, so the whole committee answers.
 * Each signed byte string is evidence once; evidence older than the age limit is refused.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { receiptId, receiptSigningMessage } from "../../common/receipts/receiptBytes.js";
import {
  MsgReportUnauthorizedSigner,
  MsgReportUnauthorizedSignerResponse,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import { committeeForEvidence, MAX_RECEIPT_BYTES, parseEvidence } from "./evidence.js";
import type { CommitteeKeeper } from "./keeper.js";

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
      const { receipt: r, data: d } = parseEvidence(m.receipt, "receipt");
      const c = committeeForEvidence(keeper, ctx, m.committeeEpoch);
      if (!keeper.verifyGroupSignature(ctx, c, receiptSigningMessage(r.receiptData), r.signature))
        throw CommitteeErrors.InvalidReceipt.wrap(
          `the aggregate signature does not verify under epoch ${c.epoch}'s key`,
        );
      // From here on only the signed bytes (d) and the committee whose key verified them (c) count.
      const signerIssue = d ? keeper.signerProblem(c, d.signers) : "not a canonical ReceiptData";
      // A receipt naming another chain id is not counted: it cannot be claimed here, and the only way one
      // committee key serves two chain ids is an export/import fork, where it honestly signed for the old id.
      const unauthorized = !d || signerIssue !== undefined || d.epoch !== c.epoch;
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

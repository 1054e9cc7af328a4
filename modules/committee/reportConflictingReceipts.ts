/**
 * @module MsgReportConflictingReceipts: two receipts, each carrying a valid aggregate signature of the same
 * committee, for the same (kind, workload, node, epoch, sequence) but different *bodies* (the signed bytes
 * with the signer list left out). Everything is judged from the signed bytes (evidence.ts). Only a member
 * named in both signer lists signed both bodies, so only those members are slashed and jailed; two signings
 * of one body by different signer sets attest the same facts and are no conflict. Each member answers once
 * per slot, however many pairs of that slot are reported; evidence older than the age limit is refused.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { bytesEqual } from "../../common/hash.js";
import { receiptSigningMessage, replayKey } from "../../common/receipts/receiptBytes.js";
import {
  MsgReportConflictingReceipts,
  MsgReportConflictingReceiptsResponse,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import { ReceiptData } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import { committeeForEvidence, conflictRecord, type Evidence, MAX_RECEIPT_BYTES, parseEvidence } from "./evidence.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MSG_REPORT_CONFLICTING_RECEIPTS_TYPE_URL = "/dsdn.committee.v1.MsgReportConflictingReceipts";

/** The signed body without its signer list: what the committee attested. */
const body = (d: ReceiptData) => ReceiptData.encode({ ...d, signers: [] }).finish();

function receiptOf(e: Evidence, which: string): ReceiptData {
  if (!e.data)
    throw CommitteeErrors.InvalidReceipt.wrap(`${which}: not a canonical ReceiptData (report it as unauthorized)`);
  return e.data;
}

export function msgReportConflictingReceipts(keeper: CommitteeKeeper): MsgDef<MsgReportConflictingReceipts> {
  return {
    typeUrl: MSG_REPORT_CONFLICTING_RECEIPTS_TYPE_URL,
    codec: MsgReportConflictingReceipts,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      for (const b of [m.receiptA, m.receiptB])
        if (b.length === 0 || b.length > MAX_RECEIPT_BYTES)
          throw CommitteeErrors.InvalidReceipt.wrap(`receipts must be 1..${MAX_RECEIPT_BYTES} bytes`);
    },
    handle(ctx, m) {
      const a = parseEvidence(m.receiptA, "receipt_a");
      const b = parseEvidence(m.receiptB, "receipt_b");
      const da = receiptOf(a, "receipt_a");
      const db = receiptOf(b, "receipt_b");
      if (da.epoch !== db.epoch) throw CommitteeErrors.NoConflict.wrap("the receipts name different epochs");
      const c = committeeForEvidence(keeper, ctx, da.epoch);
      for (const [e, d, which] of [
        [a, da, "receipt_a"],
        [b, db, "receipt_b"],
      ] as const) {
        if (!keeper.verifyGroupSignature(ctx, c, receiptSigningMessage(e.receipt.receiptData), e.receipt.signature))
          throw CommitteeErrors.InvalidReceipt.wrap(
            `${which}: the aggregate signature does not verify under epoch ${c.epoch}'s key`,
          );
        if (d.chainId !== ctx.block.chainId)
          throw CommitteeErrors.InvalidReceipt.wrap(`${which}: names chain "${d.chainId}", not this one`);
        const issue = keeper.signerProblem(c, d.signers);
        if (issue) throw CommitteeErrors.InvalidReceipt.wrap(`${which}: ${issue} (report it as unauthorized)`);
      }
      const slot = replayKey(da);
      if (!bytesEqual(slot, replayKey(db)))
        throw CommitteeErrors.NoConflict.wrap("different (kind, workload, node, epoch, sequence)");
      if (bytesEqual(body(da), body(db)))
        throw CommitteeErrors.NoConflict.wrap("the same body: the receipts differ at most in who signed");
      const both = da.signers.filter((i) => db.signers.includes(i));
      if (both.length === 0) throw CommitteeErrors.NoConflict.wrap("no member signed both receipts");
      const culprits = both.filter((i) => !keeper.hasDispute(ctx, conflictRecord(c.epoch, slot, i)));
      if (culprits.length === 0) throw CommitteeErrors.DuplicateDispute;
      for (const i of culprits) keeper.setDispute(ctx, conflictRecord(c.epoch, slot, i), ctx.block.height);
      const { operators, total } = keeper.slashMembers(ctx, c, culprits, "conflicting_receipts");
      return {
        typeUrl: "/dsdn.committee.v1.MsgReportConflictingReceiptsResponse",
        value: MsgReportConflictingReceiptsResponse.encode({
          slashedOperators: operators,
          slashedTotal: total.toString(),
        }).finish(),
      };
    },
  };
}

/**
 * @module MsgReportConflictingReceipts: two receipts, each carrying a valid aggregate signature of the same
 * committee, for the same (kind, workload, node, epoch, sequence) but different bytes. The committee
 * equivocated: every member named as a signer in either receipt (the signer list is inside the signed
 * bytes) has its validator bond slashed and is jailed. Each pair is judged once.
 */
import { concat } from "../../chain-app/encoding.js";
import type { MsgDef } from "../../chain-app/module.js";
import { bytesEqual, sha256 } from "../../common/hash.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  receiptId,
  receiptSigningMessage,
  replayKey,
} from "../../common/receipts/receiptBytes.js";
import {
  MsgReportConflictingReceipts,
  MsgReportConflictingReceiptsResponse,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import type { ReceiptData, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MSG_REPORT_CONFLICTING_RECEIPTS_TYPE_URL = "/dsdn.committee.v1.MsgReportConflictingReceipts";
export const MAX_RECEIPT_BYTES = 16 * 1024;

function parse(bytes: Uint8Array, which: string): { r: ThresholdReceipt; d: ReceiptData } {
  try {
    const r = decodeThresholdReceipt(bytes);
    return { r, d: decodeReceiptData(r.receiptData) };
  } catch (e) {
    throw CommitteeErrors.InvalidReceipt.wrap(`${which}: ${(e as Error).message}`);
  }
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
      const a = parse(m.receiptA, "receipt_a");
      const b = parse(m.receiptB, "receipt_b");
      if (a.r.epoch !== b.r.epoch) throw CommitteeErrors.NoConflict.wrap("signed by different epochs' committees");
      const c = keeper.getCommittee(ctx, a.r.epoch);
      if (!c || c.groupPublicKey.length !== 32) throw CommitteeErrors.NoGroupKey.wrap(`epoch ${a.r.epoch}`);
      for (const [x, which] of [
        [a, "receipt_a"],
        [b, "receipt_b"],
      ] as const)
        if (!keeper.verifyGroupSignature(ctx, c, receiptSigningMessage(x.r.receiptData), x.r.signature))
          throw CommitteeErrors.InvalidReceipt.wrap(
            `${which}: the aggregate signature does not verify under epoch ${c.epoch}'s key`,
          );
      if (bytesEqual(a.r.receiptData, b.r.receiptData))
        throw CommitteeErrors.NoConflict.wrap("the receipts are identical");
      if (!bytesEqual(replayKey(a.d), replayKey(b.d)))
        throw CommitteeErrors.NoConflict.wrap("different (kind, workload, node, epoch, sequence)");
      const ids = [receiptId(a.r.receiptData), receiptId(b.r.receiptData)].sort((x, y) => Buffer.compare(x, y));
      const evidence = sha256(concat(...ids));
      if (keeper.hasDispute(ctx, evidence)) throw CommitteeErrors.DuplicateDispute;
      keeper.setDispute(ctx, evidence, ctx.block.height);
      const { operators, total } = keeper.slashMembers(
        ctx,
        c,
        [...a.d.signers, ...b.d.signers],
        "conflicting_receipts",
      );
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

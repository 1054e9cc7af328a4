/**
 * @module Dispute evidence: a threshold receipt judged only by the bytes the committee signed. The wrapper's
 * `epoch` is not covered by the signature, so it is never used to decide anything; evidence whose wrapper
 * disagrees with the signed epoch is refused outright (so one receipt cannot be dressed up as another).
 */
import type { Context } from "../../chain-app/context.js";
import { concat, u64be, utf8 } from "../../chain-app/encoding.js";
import { sha256 } from "../../common/hash.js";
import { decodeReceiptData, decodeThresholdReceipt } from "../../common/receipts/receiptBytes.js";
import type { Committee } from "../../proto/gen/dsdn/committee/v1/committee.js";
import type { ReceiptData, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { CommitteeErrors } from "./errors.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MAX_RECEIPT_BYTES = 16 * 1024;

export interface Evidence {
  readonly receipt: ThresholdReceipt;
  /** The signed bytes decoded as a canonical ReceiptData; undefined when the committee signed something else. */
  readonly data: ReceiptData | undefined;
}

/** Decodes a threshold receipt; when its signed bytes are a receipt, the wrapper's epoch must equal the signed one. */
export function parseEvidence(bytes: Uint8Array, which: string): Evidence {
  let receipt: ThresholdReceipt;
  try {
    receipt = decodeThresholdReceipt(bytes);
  } catch (e) {
    throw CommitteeErrors.InvalidReceipt.wrap(`${which}: ${(e as Error).message}`);
  }
  let data: ReceiptData | undefined;
  try {
    data = decodeReceiptData(receipt.receiptData);
  } catch {
    data = undefined;
  }
  if (data && receipt.epoch !== data.epoch)
    throw CommitteeErrors.InvalidReceipt.wrap(
      `${which}: the wrapper says epoch ${receipt.epoch}, the signed receipt says ${data.epoch}`,
    );
  return { receipt, data };
}

/** The committee that evidence is judged against: it must have a group key and the evidence must not be too old. */
export function committeeForEvidence(keeper: CommitteeKeeper, ctx: Context, epoch: bigint): Committee {
  const c = keeper.getCommittee(ctx, epoch);
  // A record pruned after its retention and evidence age (its selection time stays) is too old, not keyless.
  if (!c && epoch < keeper.currentEpoch(ctx) && keeper.selectedAt(ctx, epoch) !== undefined)
    throw CommitteeErrors.EvidenceTooOld.wrap(`epoch ${epoch}'s committee record was pruned after its evidence age`);
  if (!c || c.groupPublicKey.length !== 32) throw CommitteeErrors.NoGroupKey.wrap(`epoch ${epoch}`);
  const tooOld = keeper.evidenceAgeProblem(ctx, c);
  if (tooOld) throw CommitteeErrors.EvidenceTooOld.wrap(tooOld);
  return c;
}

/** The record that member `index` of `epoch`'s committee answered for equivocating on the slot `replayKey`. */
export function conflictRecord(epoch: bigint, replayKey: Uint8Array, index: number): Uint8Array {
  return sha256(concat(utf8("dsdn.committee.v1.conflict\0"), u64be(epoch), replayKey, u64be(BigInt(index))));
}

/**
 * @module MsgSubmitDkgResult: records a committee's FROST group key once every member has signed the same
 * DKG outcome for exactly the selected committee (members in selection order, the chain's threshold).
 */
import type { MsgDef } from "../../chain-app/module.js";
import { bytesEqual } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { verifyDkgResults } from "../../node-agent/coordinator/frost/verify.js";
import { CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { DkgResult } from "../../proto/gen/dsdn/committee/v1/frost.js";
import { MsgSubmitDkgResult, MsgSubmitDkgResultResponse } from "../../proto/gen/dsdn/committee/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import { dkgRecordedEvent } from "./events.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MSG_SUBMIT_DKG_RESULT_TYPE_URL = "/dsdn.committee.v1.MsgSubmitDkgResult";
const MAX_RESULT_BYTES = 64 * 1024;

export function msgSubmitDkgResult(keeper: CommitteeKeeper): MsgDef<MsgSubmitDkgResult> {
  return {
    typeUrl: MSG_SUBMIT_DKG_RESULT_TYPE_URL,
    codec: MsgSubmitDkgResult,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.results.length < 2 || m.results.length > 255)
        throw CommitteeErrors.InvalidDkgResult.wrap("between 2 and 255 results (one per member)");
      if (m.results.some((r) => r.length === 0 || r.length > MAX_RESULT_BYTES))
        throw CommitteeErrors.InvalidDkgResult.wrap(`each result 1..${MAX_RESULT_BYTES} bytes`);
    },
    handle(ctx, m) {
      const c = keeper.getCommittee(ctx, m.epoch);
      if (!c) throw CommitteeErrors.UnknownCommittee.wrap(`epoch ${m.epoch}`);
      if (!c.members.some((x) => x.operator === m.signer)) throw CommitteeErrors.NotMember.wrap(m.signer);
      if (c.status === CommitteeStatus.COMMITTEE_STATUS_ACTIVE) throw CommitteeErrors.DkgAlreadyRecorded;
      ctx.gas.consume(keeper.getParams(ctx).sigVerifyCostEd25519 * BigInt(m.results.length), "DKG result signatures");
      let group: ReturnType<typeof verifyDkgResults>;
      try {
        group = verifyDkgResults(m.results.map((r, i) => decodeCanonical(DkgResult, r, `results[${i}]`)));
      } catch (e) {
        throw CommitteeErrors.InvalidDkgResult.wrap((e as Error).message);
      }
      if (group.epoch !== c.epoch) throw CommitteeErrors.InvalidDkgResult.wrap(`result is for epoch ${group.epoch}`);
      if (group.threshold !== c.threshold)
        throw CommitteeErrors.InvalidDkgResult.wrap(`threshold ${group.threshold}, the committee's is ${c.threshold}`);
      const same =
        group.members.length === c.members.length &&
        group.members.every((k, i) => bytesEqual(k, c.members[i]!.identityKey));
      if (!same)
        throw CommitteeErrors.InvalidDkgResult.wrap("members differ from the selected committee (or its order)");
      keeper.setCommittee(ctx, {
        ...c,
        status: CommitteeStatus.COMMITTEE_STATUS_ACTIVE,
        groupPublicKey: Buffer.from(group.groupPublicKey),
        verifyingShares: group.verifyingShares.map((v) => Buffer.from(v)),
        commitments: group.commitments.map((v) => Buffer.from(v)),
        dkgHeight: ctx.block.height,
        dkgSessionId: decodeCanonical(DkgResult, m.results[0]!).sessionId,
        pool: [], // only re-selections needed it
      });
      ctx.emit(dkgRecordedEvent(c.epoch, group.groupPublicKey));
      return {
        typeUrl: "/dsdn.committee.v1.MsgSubmitDkgResultResponse",
        value: MsgSubmitDkgResultResponse.encode({ groupPublicKey: Buffer.from(group.groupPublicKey) }).finish(),
      };
    },
  };
}

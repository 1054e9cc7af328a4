/**
 * @module MsgSignalDkgPresence: a member of the pending committee says it takes part in the current DKG attempt.
 * At the DKG deadline, members that did not are the absentees (penalised, dropped from the re-selection).
 */
import type { MsgDef } from "../../chain-app/module.js";
import { CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { MsgSignalDkgPresence, MsgSignalDkgPresenceResponse } from "../../proto/gen/dsdn/committee/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import { dkgPresenceEvent } from "./events.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MSG_SIGNAL_DKG_PRESENCE_TYPE_URL = "/dsdn.committee.v1.MsgSignalDkgPresence";

export function msgSignalDkgPresence(keeper: CommitteeKeeper): MsgDef<MsgSignalDkgPresence> {
  return {
    typeUrl: MSG_SIGNAL_DKG_PRESENCE_TYPE_URL,
    codec: MsgSignalDkgPresence,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
    },
    handle(ctx, m) {
      const c = keeper.getCommittee(ctx, m.epoch);
      if (!c || m.epoch !== keeper.currentEpoch(ctx)) throw CommitteeErrors.UnknownCommittee.wrap(`epoch ${m.epoch}`);
      if (c.status !== CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG) throw CommitteeErrors.DkgAlreadyRecorded;
      if (c.dkgAttempt !== m.attempt)
        throw CommitteeErrors.StaleDkgAttempt.wrap(`the current attempt is ${c.dkgAttempt}`);
      if (!c.members.some((x) => x.operator === m.signer)) throw CommitteeErrors.NotMember.wrap(m.signer);
      if (!c.dkgPresent.includes(m.signer)) {
        keeper.setCommittee(ctx, { ...c, dkgPresent: [...c.dkgPresent, m.signer] });
        ctx.emit(dkgPresenceEvent(c.epoch, c.dkgAttempt, m.signer));
      }
      return {
        typeUrl: "/dsdn.committee.v1.MsgSignalDkgPresenceResponse",
        value: MsgSignalDkgPresenceResponse.encode({}).finish(),
      };
    },
  };
}

/**
 * @module MsgFoundationApprove / MsgFoundationVeto: bootstrap mode's foundation authority (a multisig account
 * on mainnet — its signatures are checked by the ordinary ante handler, like any account's) executes or
 * stops passed proposals. Anyone else is refused.
 */
import type { MsgDef } from "../../chain-app/module.js";
import {
  ExecutionStatus,
  MsgFoundationApprove,
  MsgFoundationApproveResponse,
  MsgFoundationVeto,
  MsgFoundationVetoResponse,
} from "../../proto/gen/dsdn/gov/v1/gov.js";
import { addressBytesOf } from "../auth/keeper.js";
import { GovErrors } from "./errors.js";
import { EventType, foundationEvent } from "./events.js";
import type { GovKeeper } from "./keeper.js";

export const MSG_FOUNDATION_APPROVE_TYPE_URL = "/dsdn.gov.v1.MsgFoundationApprove";
export const MSG_FOUNDATION_VETO_TYPE_URL = "/dsdn.gov.v1.MsgFoundationVeto";
const MAX_REASON = 1_000;

/**
 * Amino JSON forms (legacy sign mode: what a multisig foundation's co-signers sign with CosmJS). As the SDK's amino
 * JSON, empty fields are left out and uint64s are strings. Clients register the same in their AminoTypes.
 */
export const FOUNDATION_APPROVE_AMINO_TYPE = "dsdn/gov/MsgFoundationApprove";
export const FOUNDATION_VETO_AMINO_TYPE = "dsdn/gov/MsgFoundationVeto";
const omitEmpty = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== "0"));

export function msgFoundationApprove(keeper: GovKeeper): MsgDef<MsgFoundationApprove> {
  return {
    typeUrl: MSG_FOUNDATION_APPROVE_TYPE_URL,
    codec: MsgFoundationApprove,
    signers: (m) => [m.signer],
    amino: {
      type: FOUNDATION_APPROVE_AMINO_TYPE,
      toJson: (m) => omitEmpty({ signer: m.signer, proposal_id: m.proposalId.toString() }),
    },
    validateBasic: (m) => void addressBytesOf(m.signer),
    handle(ctx, m) {
      const e = keeper.foundationApprove(ctx, m.signer, m.proposalId);
      const executed = e.status === ExecutionStatus.EXECUTION_STATUS_EXECUTED;
      ctx.emit(foundationEvent(EventType.FoundationApprove, m.proposalId, m.signer, executed ? "executed" : e.reason));
      return {
        typeUrl: "/dsdn.gov.v1.MsgFoundationApproveResponse",
        value: MsgFoundationApproveResponse.encode({ executed, failedReason: e.reason }).finish(),
      };
    },
  };
}

export function msgFoundationVeto(keeper: GovKeeper): MsgDef<MsgFoundationVeto> {
  return {
    typeUrl: MSG_FOUNDATION_VETO_TYPE_URL,
    codec: MsgFoundationVeto,
    signers: (m) => [m.signer],
    amino: {
      type: FOUNDATION_VETO_AMINO_TYPE,
      toJson: (m) => omitEmpty({ signer: m.signer, proposal_id: m.proposalId.toString(), reason: m.reason }),
    },
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.reason.length > MAX_REASON) throw GovErrors.MetadataTooLong.wrap(`reason longer than ${MAX_REASON}`);
    },
    handle(ctx, m) {
      keeper.foundationVeto(ctx, m.signer, m.proposalId, m.reason);
      ctx.emit(foundationEvent(EventType.FoundationVeto, m.proposalId, m.signer, m.reason));
      return {
        typeUrl: "/dsdn.gov.v1.MsgFoundationVetoResponse",
        value: MsgFoundationVetoResponse.encode({}).finish(),
      };
    },
  };
}

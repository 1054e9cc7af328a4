/** @module MsgVote (v1 and v1beta1): a bonded validator's operator votes; its weight is its voting power at tally. */
import { type VoteOption, voteOptionToJSON } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgVote, MsgVoteResponse } from "cosmjs-types/cosmos/gov/v1/tx";
import {
  MsgVoteResponse as MsgVoteResponseV1beta1,
  MsgVote as MsgVoteV1beta1,
} from "cosmjs-types/cosmos/gov/v1beta1/tx";
import type { MsgDef } from "../../chain-app/module.js";
import { addressBytesOf } from "../auth/keeper.js";
import { voteEvent } from "./events.js";
import type { GovKeeper } from "./keeper.js";

export const MSG_VOTE_TYPE_URL = "/cosmos.gov.v1.MsgVote";
export const MSG_VOTE_V1BETA1_TYPE_URL = "/cosmos.gov.v1beta1.MsgVote";

export function msgVote(keeper: GovKeeper): MsgDef<MsgVote> {
  return {
    typeUrl: MSG_VOTE_TYPE_URL,
    codec: MsgVote,
    signers: (m) => [m.voter],
    validateBasic: (m) => void addressBytesOf(m.voter),
    handle(ctx, m) {
      keeper.vote(ctx, m.proposalId, m.voter, m.option, m.metadata);
      ctx.emit(voteEvent(m.proposalId, m.voter, voteOptionToJSON(m.option)));
      return { typeUrl: "/cosmos.gov.v1.MsgVoteResponse", value: MsgVoteResponse.encode({}).finish() };
    },
  };
}

export function msgVoteV1beta1(keeper: GovKeeper): MsgDef<MsgVoteV1beta1> {
  return {
    typeUrl: MSG_VOTE_V1BETA1_TYPE_URL,
    codec: MsgVoteV1beta1,
    signers: (m) => [m.voter],
    validateBasic: (m) => void addressBytesOf(m.voter),
    handle(ctx, m) {
      // v1beta1 and v1 number the options alike.
      keeper.vote(ctx, m.proposalId, m.voter, m.option as number as VoteOption, "");
      ctx.emit(voteEvent(m.proposalId, m.voter, voteOptionToJSON(m.option as number as VoteOption)));
      return { typeUrl: "/cosmos.gov.v1beta1.MsgVoteResponse", value: MsgVoteResponseV1beta1.encode({}).finish() };
    },
  };
}

/**
 * @module MsgSubmitProposal in both Cosmos wire forms. v1 carries messages (DSDN: MsgParamChange); v1beta1
 * carries one `content`: a TextProposal (advisory) or a params ParameterChangeProposal, whose
 * `{subspace, key, value}` changes become MsgParamChange{module: subspace, params_json: {key: value}}.
 */
import { MsgSubmitProposal, MsgSubmitProposalResponse } from "cosmjs-types/cosmos/gov/v1/tx";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import {
  MsgSubmitProposalResponse as MsgSubmitProposalResponseV1beta1,
  MsgSubmitProposal as MsgSubmitProposalV1beta1,
} from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { ParameterChangeProposal } from "cosmjs-types/cosmos/params/v1beta1/params";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { parseCoins } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import { ChainError } from "../../chain-app/errors.js";
import type { MsgDef } from "../../chain-app/module.js";
import { decodeMessage, packAny } from "../../common/protobuf.js";
import { MsgParamChange } from "../../proto/gen/dsdn/gov/v1/gov.js";
import { addressBytesOf } from "../auth/keeper.js";
import { GovErrors } from "./errors.js";
import { submitProposalEvent } from "./events.js";
import type { GovKeeper } from "./keeper.js";
import { govAuthority, MSG_PARAM_CHANGE_TYPE_URL } from "./paramChange.js";

export const MSG_SUBMIT_PROPOSAL_TYPE_URL = "/cosmos.gov.v1.MsgSubmitProposal";
export const MSG_SUBMIT_PROPOSAL_V1BETA1_TYPE_URL = "/cosmos.gov.v1beta1.MsgSubmitProposal";
export const TEXT_PROPOSAL_TYPE_URL = "/cosmos.gov.v1beta1.TextProposal";
export const PARAM_CHANGE_PROPOSAL_TYPE_URL = "/cosmos.params.v1beta1.ParameterChangeProposal";
const MAX_LEGACY_CHANGES = 64;

function checkDeposit(coins: MsgSubmitProposal["initialDeposit"]): void {
  try {
    parseCoins(coins, true);
  } catch (e) {
    throw GovErrors.InvalidDeposit.wrap((e as Error).message);
  }
}

/** Both wire forms end here: the proposal is stored (zero-amount deposit coins dropped) and evented. */
function submitAndEmit(
  keeper: GovKeeper,
  ctx: Context,
  content: Parameters<GovKeeper["submit"]>[1],
  deposit: MsgSubmitProposal["initialDeposit"],
): bigint {
  const p = keeper.submit(
    ctx,
    content,
    deposit.filter((c) => c.amount !== "0"),
  );
  ctx.emit(
    submitProposalEvent(
      p.id,
      p.messages.map((x) => x.typeUrl),
      p.votingStartTime !== undefined,
    ),
  );
  return p.id;
}

export function msgSubmitProposal(keeper: GovKeeper): MsgDef<MsgSubmitProposal> {
  return {
    typeUrl: MSG_SUBMIT_PROPOSAL_TYPE_URL,
    codec: MsgSubmitProposal,
    signers: (m) => [m.proposer],
    validateBasic(m) {
      addressBytesOf(m.proposer);
      checkDeposit(m.initialDeposit);
      if (m.expedited) throw GovErrors.InvalidProposalType.wrap("expedited proposals are not enabled");
    },
    handle(ctx, m) {
      const id = submitAndEmit(
        keeper,
        ctx,
        { messages: m.messages, title: m.title, summary: m.summary, metadata: m.metadata, proposer: m.proposer },
        m.initialDeposit,
      );
      return {
        typeUrl: "/cosmos.gov.v1.MsgSubmitProposalResponse",
        value: MsgSubmitProposalResponse.encode({ proposalId: id }).finish(),
      };
    },
  };
}

/** A v1beta1 content as v1 fields: title, summary and the messages to execute. */
export function fromLegacyContent(content: Any | undefined): { title: string; summary: string; messages: Any[] } {
  if (!content) throw GovErrors.InvalidProposalContent.wrap("missing content");
  try {
    return legacyContent(content);
  } catch (e) {
    throw e instanceof ChainError ? e : GovErrors.InvalidProposalContent.wrap((e as Error).message);
  }
}

function legacyContent(content: Any): { title: string; summary: string; messages: Any[] } {
  if (content.typeUrl === TEXT_PROPOSAL_TYPE_URL) {
    const t = decodeMessage(TextProposal, content.value, "TextProposal");
    return { title: t.title, summary: t.description, messages: [] };
  }
  if (content.typeUrl === PARAM_CHANGE_PROPOSAL_TYPE_URL) {
    const pc = decodeMessage(ParameterChangeProposal, content.value, "ParameterChangeProposal");
    if (pc.changes.length === 0 || pc.changes.length > MAX_LEGACY_CHANGES)
      throw GovErrors.InvalidProposalContent.wrap(`1..${MAX_LEGACY_CHANGES} changes`);
    const byModule = new Map<string, Record<string, unknown>>();
    for (const c of pc.changes) {
      let value: unknown;
      try {
        value = JSON.parse(c.value);
      } catch {
        throw GovErrors.InvalidProposalContent.wrap(`${c.subspace}.${c.key}: value is not JSON`);
      }
      const m = byModule.get(c.subspace) ?? {};
      m[c.key] = value;
      byModule.set(c.subspace, m);
    }
    const messages = [...byModule.entries()].map(([module, changes]) =>
      packAny(MSG_PARAM_CHANGE_TYPE_URL, MsgParamChange, {
        authority: govAuthority(),
        module,
        paramsJson: JSON.stringify(changes),
      }),
    );
    return { title: pc.title, summary: pc.description, messages };
  }
  throw GovErrors.InvalidProposalType.wrap(content.typeUrl);
}

export function msgSubmitProposalV1beta1(keeper: GovKeeper): MsgDef<MsgSubmitProposalV1beta1> {
  return {
    typeUrl: MSG_SUBMIT_PROPOSAL_V1BETA1_TYPE_URL,
    codec: MsgSubmitProposalV1beta1,
    signers: (m) => [m.proposer],
    validateBasic(m) {
      addressBytesOf(m.proposer);
      checkDeposit(m.initialDeposit);
    },
    handle(ctx, m) {
      const c = fromLegacyContent(m.content);
      const id = submitAndEmit(keeper, ctx, { ...c, metadata: "", proposer: m.proposer }, m.initialDeposit);
      return {
        typeUrl: "/cosmos.gov.v1beta1.MsgSubmitProposalResponse",
        value: MsgSubmitProposalResponseV1beta1.encode({ proposalId: id }).finish(),
      };
    },
  };
}

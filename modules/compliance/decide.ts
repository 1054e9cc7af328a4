/**
 * @module Block and unblock: the two state transitions, each run only as a message of a passed governance
 * proposal (gov's ProposalHandler with the gov module account as authority). Each records who (proposal and
 * proposer), what (the pointer) and why (the reason) as an appended Decision and emits an event serving nodes
 * follow. Nothing here reads, decrypts or deletes user data: a pointer is only a name.
 */
import type { Context } from "../../chain-app/context.js";
import { ChainError } from "../../chain-app/errors.js";
import { decodeCanonical, type MessageCodec } from "../../common/protobuf.js";
import { normalizeAddress } from "../../common/secp256k1.js";
import {
  Action,
  type Decision,
  MsgBlockPointer,
  MsgUnblockPointer,
  type Pointer,
} from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import type { ProposalHandler, ProposalOrigin } from "../gov/index.js";
import { ComplianceErrors } from "./errors.js";
import { decisionEvent, EventType } from "./events.js";
import type { ComplianceKeeper } from "./keeper.js";
import { checkPointer } from "./pointer.js";

export const MSG_BLOCK_POINTER_TYPE_URL = "/dsdn.compliance.v1.MsgBlockPointer";
export const MSG_UNBLOCK_POINTER_TYPE_URL = "/dsdn.compliance.v1.MsgUnblockPointer";

/** What the chain answers a blocked pointer's owner: the appeal path. */
export const APPEAL_PATH =
  "appeal by a governance proposal carrying /dsdn.compliance.v1.MsgUnblockPointer for this pointer " +
  "(submitted by a validator; in bootstrap mode executed after the foundation's approval)";

function checkAuthority(authority: string): void {
  let a = "";
  try {
    a = normalizeAddress(authority);
  } catch {}
  if (a !== moduleAddress(ModuleAccount.Gov)) throw ComplianceErrors.InvalidAuthority.wrap(authority);
}

function checkReason(keeper: ComplianceKeeper, ctx: Context, reason: string): void {
  const max = keeper.getParams(ctx).maxReasonLength;
  if (reason.trim() === "" || BigInt(reason.length) > max)
    throw ComplianceErrors.InvalidReason.wrap(`a reason of 1..${max} characters is required`);
}

function record(
  keeper: ComplianceKeeper,
  ctx: Context,
  action: Action,
  pointer: Pointer,
  reason: string,
  origin: ProposalOrigin,
): Decision {
  return keeper.addDecision(ctx, {
    action,
    pointer,
    reason,
    proposalId: origin.proposalId,
    proposer: origin.proposer,
    height: ctx.block.height,
    time: ctx.block.timeSeconds,
  });
}

export function blockPointer(
  keeper: ComplianceKeeper,
  ctx: Context,
  m: MsgBlockPointer,
  origin: ProposalOrigin,
): Decision {
  checkAuthority(m.authority);
  const pointer = checkPointer(m.pointer);
  checkReason(keeper, ctx, m.reason);
  if (keeper.getBlock(ctx, pointer)) throw ComplianceErrors.AlreadyBlocked.wrap(pointer.value);
  const d = record(keeper, ctx, Action.ACTION_BLOCK, pointer, m.reason, origin);
  keeper.setBlock(ctx, { pointer, decision: d });
  ctx.emit(decisionEvent(EventType.Block, d));
  return d;
}

/** The appeal path's end: a passed proposal lifts a block. */
export function unblockPointer(
  keeper: ComplianceKeeper,
  ctx: Context,
  m: MsgUnblockPointer,
  origin: ProposalOrigin,
): Decision {
  checkAuthority(m.authority);
  const pointer = checkPointer(m.pointer);
  checkReason(keeper, ctx, m.reason);
  if (!keeper.getBlock(ctx, pointer)) throw ComplianceErrors.NotBlocked.wrap(pointer.value);
  const d = record(keeper, ctx, Action.ACTION_UNBLOCK, pointer, m.reason, origin);
  keeper.deleteBlock(ctx, pointer);
  ctx.emit(decisionEvent(EventType.Unblock, d));
  return d;
}

const decode = <T>(codec: MessageCodec<T>, value: Uint8Array, what: string): T => {
  try {
    return decodeCanonical(codec, value, what);
  } catch (e) {
    throw e instanceof ChainError ? e : ComplianceErrors.InvalidRequest.wrap((e as Error).message);
  }
};

/** The two messages gov routes here when a proposal carrying them executes (or is dry-run at submission). */
export function complianceProposalHandlers(keeper: ComplianceKeeper): ProposalHandler[] {
  return [
    {
      typeUrl: MSG_BLOCK_POINTER_TYPE_URL,
      run: (ctx, value, origin) =>
        void blockPointer(keeper, ctx, decode(MsgBlockPointer, value, "MsgBlockPointer"), origin),
    },
    {
      typeUrl: MSG_UNBLOCK_POINTER_TYPE_URL,
      run: (ctx, value, origin) =>
        void unblockPointer(keeper, ctx, decode(MsgUnblockPointer, value, "MsgUnblockPointer"), origin),
    },
  ];
}

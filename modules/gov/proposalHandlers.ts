/**
 * @module Proposal messages other modules execute (as the SDK's gov routing a proposal's messages to their
 * module's msg server with the gov account as signer): a module registers a handler per type URL; gov runs a
 * proposal's messages in one nested store branch, so they apply all together or not at all, and dry-runs
 * them the same way at submission so a message that cannot apply never reaches a vote.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Context } from "../../chain-app/context.js";
import type { StoreBranch } from "../../chain-app/store/index.js";
import { GovErrors } from "./errors.js";
import type { ParamsRouter } from "./expectedKeepers.js";
import { applyParamChanges, planParamChanges } from "./paramChange.js";
import type { GovParams } from "./params.js";

/** What the executing proposal tells a handler: which proposal and who submitted it (the chain's record of "who"). */
export interface ProposalOrigin {
  readonly proposalId: bigint;
  readonly proposer: string;
}

/**
 * One proposal message type a module executes. `run` decodes the bytes, checks the message (its authority
 * must be the gov module account) and applies it; it throws a ChainError when it cannot.
 */
export interface ProposalHandler {
  readonly typeUrl: string;
  run(ctx: Context, value: Uint8Array, origin: ProposalOrigin): void;
}

export type ProposalHandlers = ReadonlyMap<string, ProposalHandler>;

function branchOf(ctx: Context): StoreBranch {
  const s = ctx.rawStore as Partial<StoreBranch>;
  if (typeof s.branch !== "function") throw new Error("proposal messages need a branchable store");
  return s.branch.call(ctx.rawStore);
}

/**
 * Runs a proposal's messages in order in a nested branch: param changes (planned and validated by their
 * modules) and handled messages. `commit` false is the submission-time dry run: nothing is written.
 */
export function runProposalMessages(
  ctx: Context,
  o: {
    readonly params: ParamsRouter;
    readonly handlers: ProposalHandlers;
    readonly messages: readonly Any[];
    readonly govParams: GovParams;
    readonly origin: ProposalOrigin;
    readonly commit: boolean;
  },
): void {
  const branch = branchOf(ctx);
  const sub = ctx.withStore(branch);
  const plan = planParamChanges(sub, o.params, o.messages, o.govParams, (t) => o.handlers.has(t));
  for (const [i, any] of o.messages.entries()) {
    const h = o.handlers.get(any.typeUrl);
    if (!h) continue;
    try {
      h.run(sub, any.value, o.origin);
    } catch (e) {
      throw GovErrors.InvalidProposalMsg.wrap(`message ${i} (${any.typeUrl}): ${(e as Error).message}`);
    }
  }
  applyParamChanges(sub, o.params, plan);
  if (!o.commit) return;
  branch.write();
  ctx.emit(...sub.events);
}

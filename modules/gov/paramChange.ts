/**
 * @module MsgParamChange{authority, module, params_json}: the proposal message gov itself executes (others: proposalHandlers.ts).
 * Each change is merged over the module's current params and validated by the module itself — when the
 * proposal is submitted (a bad change never reaches a vote) and again when it executes (params may have
 * changed since). A proposal's changes apply all or nothing.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Context } from "../../chain-app/context.js";
import { mergeParams } from "../../chain-app/params.js";
import { decodeMessage } from "../../common/protobuf.js";
import { normalizeAddress } from "../../common/secp256k1.js";
import { MsgParamChange } from "../../proto/gen/dsdn/gov/v1/gov.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { GovErrors } from "./errors.js";
import type { ParamsRouter } from "./expectedKeepers.js";
import type { GovParams } from "./params.js";

export const MSG_PARAM_CHANGE_TYPE_URL = "/dsdn.gov.v1.MsgParamChange";

export interface PlannedChange {
  readonly module: string;
  readonly params: Record<string, unknown>;
}

/** The gov module account: the authority a proposal's messages must name (as the SDK's MsgUpdateParams). */
export const govAuthority = (): string => moduleAddress(ModuleAccount.Gov);

/** Decodes and checks a proposal's messages against the current params; returns the full params to set. */
export function planParamChanges(
  ctx: Context,
  router: ParamsRouter,
  messages: readonly Any[],
  p: GovParams,
  /** Type URLs another module executes (proposalHandlers.ts): skipped here. */
  handled: (typeUrl: string) => boolean = () => false,
): PlannedChange[] {
  if (BigInt(messages.length) > p.maxMessages)
    throw GovErrors.InvalidProposalMsg.wrap(`${messages.length} messages, at most ${p.maxMessages}`);
  const pending = new Map<string, Record<string, unknown>>();
  for (const [i, any] of messages.entries()) {
    if (handled(any.typeUrl)) continue;
    if (any.typeUrl !== MSG_PARAM_CHANGE_TYPE_URL)
      throw GovErrors.InvalidProposalMsg.wrap(
        `message ${i}: ${any.typeUrl} is not a ${MSG_PARAM_CHANGE_TYPE_URL} nor a message a module executes`,
      );
    let m: MsgParamChange;
    try {
      m = decodeMessage(MsgParamChange, any.value, "MsgParamChange");
    } catch (e) {
      throw GovErrors.InvalidProposalMsg.wrap(`message ${i}: ${(e as Error).message}`);
    }
    let authority = "";
    try {
      authority = normalizeAddress(m.authority);
    } catch {}
    if (authority !== govAuthority()) throw GovErrors.InvalidSigner.wrap(`message ${i}: authority ${m.authority}`);
    const target = router.get(m.module);
    if (!target) throw GovErrors.InvalidProposalMsg.wrap(`message ${i}: module "${m.module}" has no params`);
    if (BigInt(Buffer.byteLength(m.paramsJson)) > p.maxParamsJsonBytes)
      throw GovErrors.InvalidProposalMsg.wrap(`message ${i}: params_json over ${p.maxParamsJsonBytes} bytes`);
    let changes: unknown;
    try {
      changes = JSON.parse(m.paramsJson);
    } catch {
      throw GovErrors.InvalidProposalMsg.wrap(`message ${i}: params_json is not JSON`);
    }
    try {
      const merged = mergeParams(m.module, pending.get(m.module) ?? target.get(ctx), changes, target.fixed);
      target.validate(merged);
      pending.set(m.module, merged);
    } catch (e) {
      throw GovErrors.InvalidProposalMsg.wrap(`message ${i}: ${(e as Error).message}`);
    }
  }
  return [...pending.entries()].map(([module, params]) => ({ module, params }));
}

/** Applies planned changes (validated just before, so `set` cannot fail half-way). */
export function applyParamChanges(ctx: Context, router: ParamsRouter, plan: readonly PlannedChange[]): void {
  for (const c of plan) router.get(c.module)!.set(ctx, c.params);
}

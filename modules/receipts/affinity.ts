/**
 * @module The wallet-affinity rule (anti self-dealing), in one place: what counts, how it is recorded, and
 * what it cannot see.
 *
 * Rule. A node operator O and a workload submitter S have affinity when
 *  - they are the same address ("same_address"), or
 *  - either has ever signed a successful `MsgSend` to the other ("direct_transfer"): O paying S (O funding the
 *    submitter it would deal with) or S paying O.
 * Every piece of evidence is a transaction signed by O or by S, so no third party can ever create affinity
 * between two accounts (a stranger's dust sends are recorded only as the stranger's own transfers).
 *
 * Recorded by wrapping bank's MsgSend (`observeTransfers`, wired in buildApp, so bank stays unaware of
 * receipts); only MsgSend counts — module payouts and genesis balances create no affinity.
 *
 * What it cannot catch (limits, by design). Anything through an address that is neither party: O → I → S
 * with one or more intermediate hops, two accounts funded from the same source, or funding off chain (an
 * exchange). Such a path is indistinguishable on chain from unrelated people paying a common third party,
 * and every rule that follows it lets that third party create affinity at will (the "first funder" rule this
 * replaces did: a 1-unusa send to an untouched address made the sender its funder). The rule is therefore a
 * cheap deterrent against the careless case, not a proof of independence; the economics (a receipt pays at
 * most the price of the usage, the submitter pays for the workload) bound what undetected self-dealing gains.
 */
import type { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Context } from "../../chain-app/context.js";
import type { AppModule, MsgDef } from "../../chain-app/module.js";
import { bytesEqual } from "../../common/hash.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { ReceiptsKeeper } from "./keeper.js";

export const MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend";

/** Why two addresses count as one economic party (undefined when they do not). */
export type Affinity = "same_address" | "direct_transfer" | undefined;

/** The rule: same address, or a MsgSend either of them signed to the other. */
export function affinityBetween(keeper: ReceiptsKeeper, ctx: Context, a: Uint8Array, b: Uint8Array): Affinity {
  if (bytesEqual(a, b)) return "same_address";
  if (keeper.hasTransfer(ctx, a, b)) return "direct_transfer";
  return undefined;
}

/** Bank with MsgSend wrapped: after every successful send, the (sender, recipient) pair is recorded. */
export function observeTransfers(bank: AppModule, keeper: ReceiptsKeeper): AppModule {
  const msgs = (bank.msgs ?? []).map((def): MsgDef => {
    if (def.typeUrl !== MSG_SEND_TYPE_URL) return def;
    const send = def as MsgDef<MsgSend>;
    return {
      ...send,
      handle(ctx, msg) {
        const res = send.handle(ctx, msg);
        keeper.recordTransfer(ctx, addressBytesOf(msg.fromAddress), addressBytesOf(msg.toAddress));
        return res;
      },
    };
  });
  return { ...bank, msgs };
}

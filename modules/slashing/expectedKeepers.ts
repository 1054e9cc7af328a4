/** @module What slashing needs from stake (slash, jail, forced unbond) and nodes (cooldown, ban). */
import type { Context } from "../../chain-app/context.js";
import type { Node } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import type { BondKind, UnbondingEntry, Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface StakeKeeper {
  getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  /** Slashes what was bonded at `infraction.height` (see stake's Infraction); now when omitted. */
  slash(
    ctx: Context,
    op: Uint8Array,
    kind: BondKind,
    fractionPpm: bigint,
    infraction?: { readonly height: bigint; readonly bonded?: bigint },
  ): bigint;
  /** unusa per unit of CometBFT power. */
  powerReduction(ctx: Context): bigint;
  jail(ctx: Context, op: Uint8Array): void;
  unjail(ctx: Context, op: Uint8Array): void;
  forceUnbondNode(ctx: Context, op: Uint8Array): UnbondingEntry | undefined;
}

export interface NodesKeeper {
  getNode(ctx: Context, nodeId: Uint8Array): Node | undefined;
  getNodeByOperator(ctx: Context, op: Uint8Array): Node | undefined;
  setCooldown(ctx: Context, op: Uint8Array, until: bigint): Node | undefined;
  ban(ctx: Context, op: Uint8Array, until: bigint): Node | undefined;
}

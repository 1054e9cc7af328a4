/** @module What nodes needs from stake: an operator's node bond and the minimum for a class. */
import type { Context } from "../../chain-app/context.js";
import type { NodeClass, NodeStake } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface StakeKeeper {
  getNodeStake(ctx: Context, op: Uint8Array): NodeStake | undefined;
  minNodeStake(ctx: Context, cls: NodeClass): bigint;
}

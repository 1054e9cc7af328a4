/** @module What subsidy needs from bank (pay from the pool), nodes (who is active, capacity) and slashing (offences). */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import type { Node } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import type { SlashingRecord } from "../../proto/gen/dsdn/slashing/v1/slashing.js";

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void;
}

export interface NodesKeeper {
  nodes(ctx: Context): Generator<Node>;
  getNodeByOperator(ctx: Context, op: Uint8Array): Node | undefined;
  getNode(ctx: Context, nodeId: Uint8Array): Node | undefined;
}

export interface SlashingKeeper {
  getRecord(ctx: Context, addr: Uint8Array): SlashingRecord | undefined;
}

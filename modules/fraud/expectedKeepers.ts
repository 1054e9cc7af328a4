/** @module What fraud needs from bank (bond escrow), committee (receipt signature), nodes, receipts and slashing. */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import type { Committee } from "../../proto/gen/dsdn/committee/v1/committee.js";
import type { Node } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import type { ReceiptsParams } from "../receipts/params.js";

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void;
  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void;
  sendFromModuleToModule(ctx: Context, fromModule: string, toModule: string, amounts: readonly Amount[]): void;
}

export interface CommitteeKeeper {
  /** The one rule receipts' claim uses too: which committee verifies a receipt of `epoch` signed at `timestamp`. */
  committeeForReceipt(
    ctx: Context,
    epoch: bigint,
    timestamp: bigint,
  ): { ok: true; committee: Committee } | { ok: false; reason: string };
  signerProblem(c: Committee, signers: readonly number[]): string | undefined;
  verifyGroupSignature(ctx: Context, c: Committee, message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NodesKeeper {
  getNode(ctx: Context, nodeId: Uint8Array): Node | undefined;
}

export interface ReceiptsKeeper {
  getParams(ctx: Context): ReceiptsParams;
}

/** Slashes a node for proven compute fraud (slashing's node-fault path); returns the amount taken (0 if gone). */
export interface NodeSlasher {
  slashComputeFraud(ctx: Context, nodeId: Uint8Array, evidenceHash: Uint8Array): bigint;
}

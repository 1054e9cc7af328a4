/** @module What receipts needs from bank (payouts), stake (node stake), nodes, committee, oracle and fraud. */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import type { Committee } from "../../proto/gen/dsdn/committee/v1/committee.js";
import type { Node } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import type { NodeClass, NodeStake } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void;
  sendFromModuleToModule(ctx: Context, fromModule: string, toModule: string, amounts: readonly Amount[]): void;
  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void;
  mintCoins(ctx: Context, module: string, amounts: readonly Amount[]): void;
}

export interface StakeKeeper {
  getNodeStake(ctx: Context, op: Uint8Array): NodeStake | undefined;
  minNodeStake(ctx: Context, cls: NodeClass): bigint;
}

/**
 * What the fraud module tells receipts about a compute receipt (filled by app wiring, so receipts never imports
 * fraud): a receipt with an open game is not paid yet; one whose game confirmed fraud is never paid.
 */
export interface ReceiptDisputes {
  isDisputed(ctx: Context, receiptId: Uint8Array): boolean;
  isVoid(ctx: Context, receiptId: Uint8Array): boolean;
}

export interface NodesKeeper {
  getNode(ctx: Context, nodeId: Uint8Array): Node | undefined;
}

/** A committee a receipt may be verified against right now, or why not (the committee keeper's answer). */
export type CommitteeCheck = { ok: true; committee: Committee } | { ok: false; reason: string };

export interface CommitteeKeeper {
  committeeForReceipt(ctx: Context, epoch: bigint, timestamp: bigint): CommitteeCheck;
  signerProblem(c: Committee, signers: readonly number[]): string | undefined;
  verifyGroupSignature(ctx: Context, c: Committee, message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * The oracle's conversion a v2 receipt is paid through (filled by app wiring): the last good NUSA/USD price held
 * within the floor and ceiling (stale prices fall back to it), and USD → unusa at that price, rounded up.
 */
export interface PriceOracle {
  /** nano-USD per NUSA; throws when the chain has no accepted price yet. */
  effectivePrice(ctx: Context): bigint;
  /** unusa for `usdNano` at the effective price, rounded up (≤ 1 unusa above the exact value). */
  usdToUnusa(ctx: Context, usdNano: bigint): bigint;
}

/** Who hears of a proven self-dealing receipt (filled by app wiring: the subsidy's eligibility record). */
export interface SelfDealingSink {
  recordSelfDealing(ctx: Context, operator: Uint8Array): void;
}

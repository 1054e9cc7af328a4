/** @module nodes keeper: node records, the status rule, cooldown/ban timers; the stake hook re-derives status. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readU64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { toHex } from "../../common/hash.js";
import { Node, NodeStatus, nodeStatusToJSON } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { addressBytesOf as addressBytes } from "../auth/keeper.js";
import { nodeStatusEvent } from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import { MODULE_NAME, nodeKey, operatorKey, Prefix, paramsKey, timerKey } from "./keys.js";
import { defaultNodesParams, type NodesParams, parseNodesParams } from "./params.js";

export const StatusReason = {
  None: "",
  NoStake: "no_stake",
  InsufficientStake: "insufficient_stake",
  ClassMismatch: "class_mismatch",
  Cooldown: "cooldown",
  Banned: "banned",
} as const;

/**
 * The lifecycle rule, in priority order: a ban, then a slashing cooldown, then stake — none bonded
 * → Pending, another class or below the class minimum → Quarantined, else Active.
 */
export function deriveStatus(
  node: Pick<Node, "class" | "cooldownUntil" | "bannedUntil">,
  now: bigint,
  stake: { amount: bigint; class: number; min: bigint },
): { status: NodeStatus; reason: string } {
  if (node.bannedUntil > now) return { status: NodeStatus.NODE_STATUS_BANNED, reason: StatusReason.Banned };
  if (node.cooldownUntil > now) return { status: NodeStatus.NODE_STATUS_QUARANTINED, reason: StatusReason.Cooldown };
  if (stake.amount === 0n) return { status: NodeStatus.NODE_STATUS_PENDING, reason: StatusReason.NoStake };
  if (stake.class !== node.class)
    return { status: NodeStatus.NODE_STATUS_QUARANTINED, reason: StatusReason.ClassMismatch };
  if (stake.amount < stake.min)
    return { status: NodeStatus.NODE_STATUS_QUARANTINED, reason: StatusReason.InsufficientStake };
  return { status: NodeStatus.NODE_STATUS_ACTIVE, reason: StatusReason.None };
}

export class NodesKeeper {
  constructor(private readonly stake: StakeKeeper) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): NodesParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseNodesParams(JSON.parse(fromUtf8(raw))) : defaultNodesParams;
  }

  setParams(ctx: Context, p: NodesParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getNode(ctx: Context, nodeId: Uint8Array): Node | undefined {
    const raw = this.store(ctx).get(nodeKey(nodeId));
    return raw ? Node.decode(raw) : undefined;
  }

  nodeIdOfOperator(ctx: Context, op: Uint8Array): Uint8Array | undefined {
    return this.store(ctx).get(operatorKey(op));
  }

  getNodeByOperator(ctx: Context, op: Uint8Array): Node | undefined {
    const id = this.nodeIdOfOperator(ctx, op);
    return id ? this.getNode(ctx, id) : undefined;
  }

  /** Writes the record as given (genesis import, registration before status derivation). */
  putNode(ctx: Context, op: Uint8Array, n: Node): void {
    const s = this.store(ctx);
    s.set(nodeKey(n.nodeId), Node.encode(n).finish());
    s.set(operatorKey(op), n.nodeId);
  }

  /** Nodes in node_id order starting at `from` (inclusive, a full store key) when given. */
  *nodes(ctx: Context, from?: Uint8Array): Generator<Node> {
    const start = from ?? Uint8Array.of(Prefix.Node);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Node + 1) })) yield Node.decode(v);
  }

  /** Re-derives a node's status from its bond, cooldown and ban at the current block time. */
  refreshStatus(ctx: Context, op: Uint8Array, node: Node): Node {
    const ns = this.stake.getNodeStake(ctx, op);
    const amount = ns ? BigInt(ns.amount) : 0n;
    const cls = ns?.class ?? 0;
    const { status, reason } = deriveStatus(node, ctx.block.timeSeconds, {
      amount,
      class: cls,
      min: this.stake.minNodeStake(ctx, node.class),
    });
    const next = { ...node, status, statusReason: reason };
    if (status !== node.status || reason !== node.statusReason)
      ctx.emit(nodeStatusEvent(toHex(node.nodeId), nodeStatusToJSON(node.status), nodeStatusToJSON(status), reason));
    this.putNode(ctx, op, next);
    return next;
  }

  /** The stake hook: an operator's bond changed (bond, unbond, slash). */
  afterNodeStakeChanged(ctx: Context, op: Uint8Array): void {
    const n = this.getNodeByOperator(ctx, op);
    if (n) this.refreshStatus(ctx, op, n);
  }

  /** Quarantines a node until `until` (block time); extends, never shortens, a running cooldown. */
  setCooldown(ctx: Context, op: Uint8Array, until: bigint): Node | undefined {
    const n = this.getNodeByOperator(ctx, op);
    if (!n) return undefined;
    const next = until > n.cooldownUntil ? until : n.cooldownUntil;
    if (next !== n.cooldownUntil) this.store(ctx).set(timerKey(next, n.nodeId), new Uint8Array());
    return this.refreshStatus(ctx, op, { ...n, cooldownUntil: next });
  }

  /** Bans a node until `until` (block time). */
  ban(ctx: Context, op: Uint8Array, until: bigint): Node | undefined {
    const n = this.getNodeByOperator(ctx, op);
    if (!n) return undefined;
    const next = until > n.bannedUntil ? until : n.bannedUntil;
    if (next !== n.bannedUntil) this.store(ctx).set(timerKey(next, n.nodeId), new Uint8Array());
    return this.refreshStatus(ctx, op, { ...n, bannedUntil: next });
  }

  /**
   * End block: nodes whose cooldown or ban ended by this block's time get their status re-derived,
   * at most `maxTimersPerBlock` per block (earliest first; the rest stay due for the next block).
   */
  processTimers(ctx: Context): void {
    const s = this.store(ctx);
    const limit = this.getParams(ctx).maxTimersPerBlock;
    const start = Uint8Array.of(Prefix.StatusTimer);
    const end = timerKey(ctx.block.timeSeconds + 1n, new Uint8Array());
    const due: Uint8Array[] = [];
    for (const [k] of s.iterate({ start, end })) {
      if (BigInt(due.length) >= limit) break;
      due.push(k.slice());
    }
    for (const k of due) {
      s.delete(k);
      const id = k.subarray(9);
      const n = this.getNode(ctx, id);
      if (n) this.refreshStatus(ctx, addressBytes(n.operator), n);
    }
  }

  *timers(ctx: Context): Generator<{ time: bigint; nodeId: Uint8Array }> {
    const start = Uint8Array.of(Prefix.StatusTimer);
    for (const [k] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.StatusTimer + 1) }))
      yield { time: readU64be(k.subarray(1, 9)), nodeId: k.slice(9) };
  }

  setTimer(ctx: Context, time: bigint, nodeId: Uint8Array): void {
    this.store(ctx).set(timerKey(time, nodeId), new Uint8Array());
  }
}

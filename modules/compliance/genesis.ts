/** @module compliance genesis: params, the blocked pointers and the whole decision record (export → import keeps the app hash). */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { Action, Block, Decision } from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import type { ComplianceKeeper } from "./keeper.js";
import { defaultComplianceParams, parseComplianceParams } from "./params.js";
import { checkPointer } from "./pointer.js";

export interface ComplianceGenesis {
  params: Record<string, string>;
  /** Block.toJSON each. */
  blocks: unknown[];
  /** Decision.toJSON each, in id order. */
  decisions: unknown[];
}

export function defaultComplianceGenesis(): ComplianceGenesis {
  return { params: JSON.parse(canonicalJson(defaultComplianceParams)), blocks: [], decisions: [] };
}

const pointerKey = (p: { kind: number; value: string }) => `${p.kind}/${p.value}`;

/** Throws naming the field: params, every pointer canonical, no duplicates, each block backed by its decision. */
export function validateComplianceGenesis(raw: unknown): {
  params: ReturnType<typeof parseComplianceParams>;
  blocks: Block[];
  decisions: Decision[];
} {
  const g = { ...defaultComplianceGenesis(), ...((raw ?? {}) as Partial<ComplianceGenesis>) };
  const params = parseComplianceParams(g.params);
  if (!Array.isArray(g.blocks) || !Array.isArray(g.decisions))
    throw new Error("compliance.blocks and compliance.decisions must be arrays");
  const decisions = g.decisions.map((d) => Decision.fromJSON(d));
  let prev = 0n;
  for (const [i, d] of decisions.entries()) {
    if (d.id <= prev) throw new Error(`compliance.decisions[${i}].id: ids must increase from 1`);
    prev = d.id;
    if (d.action !== Action.ACTION_BLOCK && d.action !== Action.ACTION_UNBLOCK)
      throw new Error(`compliance.decisions[${i}].action: must be ACTION_BLOCK or ACTION_UNBLOCK`);
    try {
      checkPointer(d.pointer);
    } catch (e) {
      throw new Error(`compliance.decisions[${i}].pointer: ${(e as Error).message}`);
    }
  }
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const seen = new Set<string>();
  const blocks = g.blocks.map((b) => Block.fromJSON(b));
  for (const [i, b] of blocks.entries()) {
    try {
      checkPointer(b.pointer);
    } catch (e) {
      throw new Error(`compliance.blocks[${i}].pointer: ${(e as Error).message}`);
    }
    const k = pointerKey(b.pointer!);
    if (seen.has(k)) throw new Error(`compliance.blocks[${i}]: pointer ${b.pointer!.value} listed twice`);
    seen.add(k);
    const d = b.decision && byId.get(b.decision.id);
    if (!d || d.action !== Action.ACTION_BLOCK || pointerKey(d.pointer!) !== k)
      throw new Error(`compliance.blocks[${i}].decision: not a block decision of this pointer in compliance.decisions`);
  }
  return { params, blocks, decisions };
}

export function initComplianceGenesis(ctx: Context, keeper: ComplianceKeeper, raw: unknown): void {
  const g = validateComplianceGenesis(raw);
  keeper.setParams(ctx, g.params);
  for (const d of g.decisions) keeper.importDecision(ctx, d);
  keeper.setNextDecisionId(ctx, (g.decisions.at(-1)?.id ?? 0n) + 1n);
  for (const b of g.blocks) keeper.setBlock(ctx, b);
}

export function exportComplianceGenesis(ctx: Context, keeper: ComplianceKeeper): ComplianceGenesis {
  const blocks: unknown[] = [];
  for (let after: Block["pointer"]; ; ) {
    const page = keeper.blocks(ctx, after, 1000);
    blocks.push(...page.map((b) => Block.toJSON(b)));
    if (page.length < 1000) break;
    after = page.at(-1)!.pointer;
  }
  const decisions: unknown[] = [];
  for (let start = 1n; start !== 0n; ) {
    const r = keeper.decisions(ctx, start, 1000);
    decisions.push(...r.decisions.map((d) => Decision.toJSON(d)));
    start = r.nextId;
  }
  return { params: JSON.parse(canonicalJson(keeper.getParams(ctx))), blocks, decisions };
}

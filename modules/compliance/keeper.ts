/** @module compliance keeper: the blocked pointers, the append-only decision record and its pointer index. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, concat, fromUtf8, prefixEnd, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { decodeMessage } from "../../common/protobuf.js";
import { Block, Decision, type Pointer } from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import {
  blockKey,
  decisionByPointerKey,
  decisionByPointerPrefix,
  decisionKey,
  MODULE_NAME,
  nextDecisionIdKey,
  Prefix,
  paramsKey,
} from "./keys.js";
import { type ComplianceParams, defaultComplianceParams, parseComplianceParams } from "./params.js";

export class ComplianceKeeper {
  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): ComplianceParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseComplianceParams(JSON.parse(fromUtf8(raw))) : defaultComplianceParams;
  }

  setParams(ctx: Context, p: ComplianceParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getBlock(ctx: Context, p: Pointer): Block | undefined {
    const raw = this.store(ctx).get(blockKey(p.kind, p.value));
    return raw ? decodeMessage(Block, raw, "Block") : undefined;
  }

  setBlock(ctx: Context, b: Block): void {
    this.store(ctx).set(blockKey(b.pointer!.kind, b.pointer!.value), Block.encode(b).finish());
  }

  deleteBlock(ctx: Context, p: Pointer): void {
    this.store(ctx).delete(blockKey(p.kind, p.value));
  }

  /** Blocked pointers in key order (kind, value) strictly after `after`, at most `limit`. */
  blocks(ctx: Context, after: Pointer | undefined, limit: number): Block[] {
    // The key right after `after`'s: `after` itself is excluded, everything longer it prefixes is not.
    const start = after ? concat(blockKey(after.kind, after.value), Uint8Array.of(0)) : Uint8Array.of(Prefix.Block);
    const out: Block[] = [];
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Block + 1) })) {
      if (out.length >= limit) break;
      out.push(Block.decode(v));
    }
    return out;
  }

  nextDecisionId(ctx: Context): bigint {
    const raw = this.store(ctx).get(nextDecisionIdKey);
    return raw ? readU64be(raw) : 1n;
  }

  setNextDecisionId(ctx: Context, id: bigint): void {
    this.store(ctx).set(nextDecisionIdKey, u64be(id));
  }

  /** Appends a decision (its id assigned here) and indexes it by pointer. */
  addDecision(ctx: Context, d: Omit<Decision, "id">): Decision {
    const id = this.nextDecisionId(ctx);
    this.setNextDecisionId(ctx, id + 1n);
    const full: Decision = { ...d, id };
    this.importDecision(ctx, full);
    return full;
  }

  importDecision(ctx: Context, d: Decision): void {
    this.store(ctx).set(decisionKey(d.id), Decision.encode(d).finish());
    this.store(ctx).set(decisionByPointerKey(d.pointer!.kind, d.pointer!.value, d.id), new Uint8Array());
  }

  getDecision(ctx: Context, id: bigint): Decision | undefined {
    const raw = this.store(ctx).get(decisionKey(id));
    return raw ? decodeMessage(Decision, raw, "Decision") : undefined;
  }

  /** Decisions with id ≥ `startId` (all, or one pointer's), at most `limit`, plus the id to continue from. */
  decisions(
    ctx: Context,
    startId: bigint,
    limit: number,
    pointer?: Pointer,
  ): { decisions: Decision[]; nextId: bigint } {
    const out: Decision[] = [];
    let nextId = 0n;
    if (pointer) {
      const prefix = decisionByPointerPrefix(pointer.kind, pointer.value);
      const start = decisionByPointerKey(pointer.kind, pointer.value, startId);
      for (const [k] of this.store(ctx).iterate({ start, end: prefixEnd(prefix) })) {
        const id = readU64be(k.subarray(k.length - 8));
        if (out.length >= limit) {
          nextId = id;
          break;
        }
        out.push(this.getDecision(ctx, id)!);
      }
    } else {
      const start = decisionKey(startId);
      for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Decision + 1) })) {
        const d = Decision.decode(v);
        if (out.length >= limit) {
          nextId = d.id;
          break;
        }
        out.push(d);
      }
    }
    return { decisions: out, nextId };
  }
}

/** @module da genesis: params, and the blob records (with retained bytes) of an exported chain. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { BlobRecord } from "../../proto/gen/dsdn/da/v1/query.js";
import { blobCommitment, namespaceProblem } from "./commitment.js";
import type { DAKeeper } from "./keeper.js";
import { defaultDAParams, validateParams } from "./params.js";

export interface DAGenesis {
  params: Record<string, string>;
  /** BlobRecord.toJSON plus the bytes (base64) while retained. */
  blobs: { record: unknown; data?: string }[];
}

export function defaultDAGenesis(): DAGenesis {
  return { params: JSON.parse(canonicalJson(defaultDAParams)), blobs: [] };
}

export function validateDAGenesis(raw: unknown): DAGenesis {
  const g = { ...defaultDAGenesis(), ...((raw ?? {}) as Partial<DAGenesis>) } as DAGenesis;
  validateParams(g.params);
  for (const [i, b] of g.blobs.entries()) {
    const r = BlobRecord.fromJSON(b.record);
    const problem = namespaceProblem(r.namespace);
    if (problem) throw new Error(`da.blobs[${i}].record.namespace: ${problem}`);
    if (b.data !== undefined) {
      const bytes = Buffer.from(b.data, "base64");
      if (!Buffer.from(blobCommitment(r.namespace, bytes)).equals(Buffer.from(r.commitment)))
        throw new Error(`da.blobs[${i}].data: does not match the record's commitment`);
    }
  }
  return g;
}

export function initDAGenesis(ctx: Context, keeper: DAKeeper, raw: unknown): void {
  const g = validateDAGenesis(raw);
  keeper.setParams(ctx, validateParams(g.params));
  for (const b of g.blobs)
    keeper.importBlob(ctx, BlobRecord.fromJSON(b.record), b.data ? Buffer.from(b.data, "base64") : undefined);
}

export function exportDAGenesis(ctx: Context, keeper: DAKeeper): DAGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    blobs: [...keeper.all(ctx)].map((b) => ({
      record: BlobRecord.toJSON(b.record),
      ...(b.data ? { data: Buffer.from(b.data).toString("base64") } : {}),
    })),
  };
}

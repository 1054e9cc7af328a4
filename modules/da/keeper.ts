/** @module da keeper: blob records, the bytes while retained, per-block counters, pruning by block time. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, concat, fromUtf8, prefixEnd, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { BlobRecord } from "../../proto/gen/dsdn/da/v1/query.js";
import {
  blockCountKey,
  dataKey,
  dataPrefix,
  MODULE_NAME,
  paramsKey,
  recordKey,
  recordPrefix,
  totalKey,
  u32be,
} from "./keys.js";
import { type DAParams, defaultDAParams, validateParams } from "./params.js";

const u32 = (b: Uint8Array | undefined) => (b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0) : 0);

export class DAKeeper {
  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): DAParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? validateParams(JSON.parse(fromUtf8(raw))) : defaultDAParams;
  }

  setParams(ctx: Context, p: DAParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  /** Blobs already in block `height` (the next index). */
  blockCount(ctx: Context, height: bigint): number {
    return u32(this.store(ctx).get(blockCountKey(height)));
  }

  total(ctx: Context): bigint {
    const raw = this.store(ctx).get(totalKey);
    return raw ? readU64be(raw) : 0n;
  }

  /** Stores a blob of the current block; returns its record. */
  addBlob(ctx: Context, record: Omit<BlobRecord, "index" | "height" | "timeUnix">, data: Uint8Array): BlobRecord {
    const s = this.store(ctx);
    const height = ctx.block.height;
    const index = this.blockCount(ctx, height);
    const full: BlobRecord = { ...record, height, index, timeUnix: ctx.block.timeSeconds };
    s.set(recordKey(height, index), BlobRecord.encode(full).finish());
    s.set(dataKey(height, index), data);
    s.set(blockCountKey(height), u32be(index + 1));
    s.set(totalKey, u64be(this.total(ctx) + 1n));
    return full;
  }

  /** Records of one height in index order, with their bytes (undefined once pruned). */
  blobsAt(ctx: Context, height: bigint): { record: BlobRecord; data: Uint8Array | undefined }[] {
    const s = this.store(ctx);
    const start = recordPrefix(height);
    const out: { record: BlobRecord; data: Uint8Array | undefined }[] = [];
    for (const [, v] of s.iterate({ start, end: prefixEnd(start) })) {
      const record = BlobRecord.decode(v);
      out.push({ record, data: s.get(dataKey(record.height, record.index)) });
    }
    return out;
  }

  /**
   * Deletes the bytes of blobs older than the retention period, oldest first, at most `maxPrunePerBlock`
   * per block; records stay. Returns the number pruned and the last height touched.
   */
  prune(ctx: Context): { count: number; throughHeight: bigint } {
    const p = this.getParams(ctx);
    const s = this.store(ctx);
    const due: Uint8Array[] = [];
    let through = 0n;
    for (const [k] of s.iterate({ start: dataPrefix, end: prefixEnd(dataPrefix) })) {
      if (BigInt(due.length) >= p.maxPrunePerBlock) break;
      const suffix = k.subarray(1);
      const rec = s.get(concat(Uint8Array.of(0x02), suffix));
      if (!rec) break;
      const r = BlobRecord.decode(rec);
      if (r.timeUnix + p.retentionSeconds > ctx.block.timeSeconds) break;
      due.push(k);
      through = r.height;
    }
    for (const k of due) s.delete(k);
    return { count: due.length, throughHeight: through };
  }

  /** Every record and retained blob (genesis export), in key order. */
  *all(ctx: Context): IterableIterator<{ record: BlobRecord; data: Uint8Array | undefined }> {
    const s = this.store(ctx);
    const start = Uint8Array.of(0x02);
    for (const [, v] of s.iterate({ start, end: prefixEnd(start) })) {
      const record = BlobRecord.decode(v);
      yield { record, data: s.get(dataKey(record.height, record.index)) };
    }
  }

  /** Genesis import: writes a record (and its bytes) as exported. */
  importBlob(ctx: Context, record: BlobRecord, data: Uint8Array | undefined): void {
    const s = this.store(ctx);
    s.set(recordKey(record.height, record.index), BlobRecord.encode(record).finish());
    if (data) s.set(dataKey(record.height, record.index), data);
    if (this.blockCount(ctx, record.height) <= record.index)
      s.set(blockCountKey(record.height), u32be(record.index + 1));
    s.set(totalKey, u64be(this.total(ctx) + 1n));
  }
}

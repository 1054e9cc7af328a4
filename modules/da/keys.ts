/** @module Store layout of the da module (keys under "da/"). Prefixes are never reused. */
import { concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "da";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | height(u64) | index(u32) -> dsdn.da.v1.BlobRecord (kept after the bytes are pruned) */
  Record: 0x02,
  /** 0x03 | height(u64) | index(u32) -> blob bytes, deleted once past params.retentionSeconds */
  Data: 0x03,
  /** 0x04 | height(u64) -> u32: blobs posted in that block (the next index) */
  BlockCount: 0x04,
  /** 0x05 -> u64: blobs ever posted */
  Total: 0x05,
} as const;

export const u32be = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

export const paramsKey = Uint8Array.of(Prefix.Params);
export const recordPrefix = (height: bigint) => concat(Uint8Array.of(Prefix.Record), u64be(height));
export const recordKey = (height: bigint, index: number) => concat(recordPrefix(height), u32be(index));
export const dataPrefix = Uint8Array.of(Prefix.Data);
export const dataKey = (height: bigint, index: number) => concat(dataPrefix, u64be(height), u32be(index));
export const blockCountKey = (height: bigint) => concat(Uint8Array.of(Prefix.BlockCount), u64be(height));
export const totalKey = Uint8Array.of(Prefix.Total);

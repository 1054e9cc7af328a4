/** @module Tests: splits a format 3 replay checkpoint into its records and puts one back together (for forged files). */
import { createHash } from "node:crypto";
import { COMPACT_MAGIC, RECORD_HEADER_BYTES } from "../../node-agent/da/replay/compactCheckpoint.js";

export interface CheckpointRecord {
  tag: number;
  body: Uint8Array;
}

export function splitCheckpoint(file: Uint8Array): CheckpointRecord[] {
  const b = Buffer.from(file);
  const out: CheckpointRecord[] = [];
  let pos = COMPACT_MAGIC.length;
  while (pos < b.length - 32) {
    const len = b.readUInt32BE(pos + 1);
    out.push({
      tag: b[pos]!,
      body: new Uint8Array(b.subarray(pos + RECORD_HEADER_BYTES, pos + RECORD_HEADER_BYTES + len)),
    });
    pos += RECORD_HEADER_BYTES + len;
  }
  return out;
}

/** The file for these records, with a correct checksum (what a forger who edits a checkpoint would produce). */
export function joinCheckpoint(records: readonly CheckpointRecord[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from(COMPACT_MAGIC)];
  for (const r of records) {
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    head[0] = r.tag;
    head.writeUInt32BE(r.body.length, 1);
    parts.push(head, Buffer.from(r.body));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

/** Unsigned LEB128 varints (the records' numbers). */
export function varints(values: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (let n of values) {
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
  }
  return new Uint8Array(out);
}

export function readVarints(b: Uint8Array): number[] {
  const out: number[] = [];
  let n = 0;
  let mul = 1;
  for (const x of b) {
    n += (x & 0x7f) * mul;
    if (x < 0x80) {
      out.push(n);
      n = 0;
      mul = 1;
    } else mul *= 0x80;
  }
  return out;
}

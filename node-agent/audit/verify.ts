/** @module Audit verification: the local hash chain, and that 100% of local records are on DA (and nothing more is). */
import type { DALayer } from "../da/types.js";
import { decodeMirrorBlob } from "./mirrorBlob.js";
import { type AuditRecord, decodeRecord, encodeRecord, GENESIS_HASH, recordHash } from "./record.js";

export interface ChainCheck {
  readonly ok: boolean;
  readonly records: readonly AuditRecord[];
  /** Human-readable description of the first problem (line number and sequence). */
  readonly firstMismatch?: string;
}

/** Checks every line: canonical form, sequence +1, `prev` = previous hash, `hash` recomputed. */
export function verifyChain(text: string): ChainCheck {
  const records: AuditRecord[] = [];
  if (text === "") return { ok: true, records };
  if (!text.endsWith("\n")) {
    const lines = text.split("\n").length;
    return { ok: false, records, firstMismatch: `line ${lines}: torn last record (no newline; truncated write?)` };
  }
  const lines = text.slice(0, -1).split("\n");
  let prev = { seq: 0n, hash: GENESIS_HASH };
  for (let i = 0; i < lines.length; i++) {
    const where = `line ${i + 1} (record ${prev.seq + 1n})`;
    let r: AuditRecord;
    try {
      r = decodeRecord(lines[i]!);
    } catch (e) {
      return { ok: false, records, firstMismatch: `${where}: unreadable: ${(e as Error).message}` };
    }
    if (r.seq !== prev.seq + 1n)
      return { ok: false, records, firstMismatch: `${where}: sequence ${r.seq} (a record is missing or reordered)` };
    if (r.prev !== prev.hash)
      return { ok: false, records, firstMismatch: `${where}: prev hash does not match record ${prev.seq}` };
    if (recordHash(r.seq, r.prev, r.at, r.kind, r.data) !== r.hash)
      return { ok: false, records, firstMismatch: `${where}: hash does not match its contents (altered)` };
    records.push(r);
    prev = { seq: r.seq, hash: r.hash };
  }
  return { ok: true, records };
}

export interface DACheck {
  readonly ok: boolean;
  readonly local: number;
  /** Local records found on DA with identical bytes. */
  readonly matched: number;
  readonly onDA: number;
  readonly firstMismatch?: string;
}

/**
 * Reads the mirror blobs signed by `writer` (ed25519 key) between `fromHeight` and the DA head and
 * compares record by record. Every local record must be there byte-identical; a record on DA beyond the
 * local end means the local log was truncated. Blobs of other writers and foreign blobs are ignored.
 */
export async function verifyAgainstDA(
  records: readonly AuditRecord[],
  da: DALayer,
  writer: Uint8Array,
  options: { fromHeight?: bigint; toHeight?: bigint } = {},
): Promise<DACheck> {
  const onDA = new Map<bigint, string>();
  const head = options.toHeight ?? (await da.head());
  for (let h = options.fromHeight ?? 1n; h <= head; h++) {
    for (const b of (await da.getAll(h)).blobs) {
      const m = decodeMirrorBlob(b.data, writer);
      if (!m) continue;
      for (const line of m.lines) {
        let r: AuditRecord;
        try {
          r = decodeRecord(line);
        } catch {
          continue;
        }
        if (!onDA.has(r.seq)) onDA.set(r.seq, line);
      }
    }
  }
  let matched = 0;
  for (const r of records) {
    const there = onDA.get(r.seq);
    if (there === undefined)
      return {
        ok: false,
        local: records.length,
        matched,
        onDA: onDA.size,
        firstMismatch: `record ${r.seq}: not on DA`,
      };
    if (there !== encodeRecord(r))
      return {
        ok: false,
        local: records.length,
        matched,
        onDA: onDA.size,
        firstMismatch: `record ${r.seq}: differs from the copy on DA`,
      };
    matched++;
  }
  const lastLocal = records.at(-1)?.seq ?? 0n;
  const beyond = [...onDA.keys()].filter((s) => s > lastLocal).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (beyond.length > 0)
    return {
      ok: false,
      local: records.length,
      matched,
      onDA: onDA.size,
      firstMismatch: `record ${beyond[0]}: on DA but missing locally (local log truncated after ${lastLocal})`,
    };
  return { ok: true, local: records.length, matched, onDA: onDA.size };
}

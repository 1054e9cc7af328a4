/** @module WORM audit records: the kinds, the canonical line format and the hash chain (each record commits to the previous). */
import { BaseError, ErrorCode } from "../../common/errors.js";
import { sha256Native, toHex } from "../../common/hash.js";

/** What the audit log records (roadmap T15). Only ever added to. */
export const AUDIT_KINDS = [
  "slashing",
  "stake_change",
  "self_dealing",
  "delete",
  "da_sequence",
  "governance",
  "committee_rotation",
  "fallback_activation",
  "challenge",
  "verdict",
  "compliance",
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** Flat string fields only: one canonical JSON form (sorted keys), nothing a parser could read two ways. */
export type AuditData = Readonly<Record<string, string>>;

export interface AuditRecord {
  readonly seq: bigint;
  /** Hash of the previous record (64 zero hex digits for the first). */
  readonly prev: string;
  /** Writer's wall clock, ms (informational; order is `seq`). */
  readonly at: number;
  readonly kind: AuditKind;
  readonly data: AuditData;
  readonly hash: string;
}

export const GENESIS_HASH = "0".repeat(64);
/** Bounds: a record line stays small so the log and its DA mirror stay bounded. */
export const MAX_FIELDS = 32;
export const MAX_FIELD_CHARS = 1024;
export const MAX_LINE_BYTES = 64 * 1024;

const DOMAIN = "dsdn.audit.v1.Record\0";

function canonicalData(data: AuditData): string {
  const keys = Object.keys(data).sort();
  if (keys.length > MAX_FIELDS)
    throw new BaseError(ErrorCode.TooLarge, `audit record has more than ${MAX_FIELDS} fields`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = data[k];
    if (typeof v !== "string") throw new BaseError(ErrorCode.InvalidArgument, `audit field "${k}" must be a string`);
    if (k.length > 64 || v.length > MAX_FIELD_CHARS)
      throw new BaseError(ErrorCode.TooLarge, `audit field "${k.slice(0, 64)}" is too long`);
    out[k] = v;
  }
  return JSON.stringify(out);
}

/** The bytes a record's hash covers: everything but the hash, in one fixed order. */
function body(seq: bigint, prev: string, at: number, kind: AuditKind, data: AuditData): string {
  return `{"seq":"${seq}","prev":"${prev}","at":${at},"kind":"${kind}","data":${canonicalData(data)}`;
}

export function recordHash(seq: bigint, prev: string, at: number, kind: AuditKind, data: AuditData): string {
  return toHex(sha256Native(new TextEncoder().encode(DOMAIN + body(seq, prev, at, kind, data))));
}

/** Builds the next record after `prev` (hash and sequence). */
export function makeRecord(
  prev: { seq: bigint; hash: string },
  at: number,
  kind: AuditKind,
  data: AuditData,
): AuditRecord {
  if (!AUDIT_KINDS.includes(kind)) throw new BaseError(ErrorCode.InvalidArgument, `unknown audit kind "${kind}"`);
  if (!Number.isSafeInteger(at) || at < 0) throw new BaseError(ErrorCode.InvalidArgument, "audit time must be ms ≥ 0");
  const seq = prev.seq + 1n;
  return { seq, prev: prev.hash, at, kind, data, hash: recordHash(seq, prev.hash, at, kind, data) };
}

/** One line, without the newline. */
export function encodeRecord(r: AuditRecord): string {
  return `${body(r.seq, r.prev, r.at, r.kind, r.data)},"hash":"${r.hash}"}`;
}

/** Parses one line strictly: the line must be exactly what `encodeRecord` makes of its contents. */
export function decodeRecord(line: string): AuditRecord {
  if (line.length > MAX_LINE_BYTES) throw new Error("line too long");
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error("not JSON");
  }
  if (typeof v.seq !== "string" || !/^[1-9]\d{0,19}$/.test(v.seq)) throw new Error("bad seq");
  if (typeof v.prev !== "string" || !/^[0-9a-f]{64}$/.test(v.prev)) throw new Error("bad prev");
  if (typeof v.hash !== "string" || !/^[0-9a-f]{64}$/.test(v.hash)) throw new Error("bad hash");
  if (typeof v.at !== "number") throw new Error("bad time");
  if (!AUDIT_KINDS.includes(v.kind as AuditKind)) throw new Error("unknown kind");
  if (typeof v.data !== "object" || v.data === null || Array.isArray(v.data)) throw new Error("bad data");
  const r: AuditRecord = {
    seq: BigInt(v.seq),
    prev: v.prev,
    at: v.at,
    kind: v.kind as AuditKind,
    data: v.data as AuditData,
    hash: v.hash,
  };
  if (encodeRecord(r) !== line) throw new Error("not in canonical form");
  return r;
}

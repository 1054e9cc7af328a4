/** @module Validation of every caller-controlled REST input (path and query parameters, POST bodies): clear 400s. */
import { BECH32_PREFIX, fromBech32Address } from "../../common/secp256k1.js";
import { RestError } from "./restError.js";

export const ACCOUNT_PREFIX = BECH32_PREFIX;
export const VALOPER_PREFIX = `${BECH32_PREFIX}valoper`;
export const VALCONS_PREFIX = `${BECH32_PREFIX}valcons`;

/** The SDK's default and largest page sizes (types/query/pagination.go: DefaultLimit 100; we cap at 1000). */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** CometBFT's tx_search caps per_page at 100. */
export const MAX_TX_PAGE = 100;
export const MAX_EVENT_QUERY_CHARS = 512;

function invalid(message: string): RestError {
  return new RestError(3, message);
}

/** A bech32 account address with the `nusa` prefix; returns its bytes. */
export function accountAddress(name: string, value: unknown): Uint8Array {
  return bech32Param(name, value, ACCOUNT_PREFIX);
}

export function valoperAddress(name: string, value: unknown): Uint8Array {
  return bech32Param(name, value, VALOPER_PREFIX);
}

function bech32Param(name: string, value: unknown, prefix: string): Uint8Array {
  if (typeof value !== "string" || value.length === 0 || value.length > 128)
    throw invalid(`${name}: expected a bech32 address with prefix "${prefix}"`);
  try {
    return fromBech32Address(value, prefix);
  } catch (e) {
    throw invalid(`${name}: ${(e as Error).message}`);
  }
}

/** A positive block height (int64). */
export function height(name: string, value: unknown): bigint {
  if (typeof value !== "string" || !/^[1-9][0-9]{0,18}$/.test(value))
    throw invalid(`${name}: expected a positive integer, got "${String(value).slice(0, 40)}"`);
  const h = BigInt(value);
  if (h > 9223372036854775807n) throw invalid(`${name}: larger than int64`);
  return h;
}

/** A tx hash: 64 hex characters (either case). */
export function txHash(name: string, value: unknown): string {
  if (typeof value !== "string" || !/^[0-9a-fA-F]{64}$/.test(value))
    throw invalid(`${name}: expected a 64-character hex tx hash`);
  return value.toUpperCase();
}

/** A denom as the chain accepts it (chain-app/coins.ts validateDenom's grammar). */
export function denom(name: string, value: unknown): string {
  if (typeof value !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(value))
    throw invalid(`${name}: expected a denom such as "unusa"`);
  return value;
}

/** An unsigned integer query parameter within [min, max]; `fallback` when absent. */
export function uintParam(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  if (typeof value !== "string" || !/^[0-9]{1,10}$/.test(value)) throw invalid(`${name}: expected an unsigned integer`);
  const n = Number(value);
  if (n < min || n > max) throw invalid(`${name}: must be between ${min} and ${max}`);
  return n;
}

export interface PageRequest {
  readonly key: Uint8Array | undefined;
  readonly offset: number;
  readonly limit: number;
  readonly countTotal: boolean;
  readonly reverse: boolean;
}

/** The SDK's `pagination.*` query parameters (cosmos/base/query/v1beta1/pagination.proto PageRequest). */
export function pageRequest(q: Record<string, unknown>): PageRequest {
  const keyText = q["pagination.key"];
  let key: Uint8Array | undefined;
  if (keyText !== undefined && keyText !== "") {
    if (typeof keyText !== "string" || keyText.length > 256 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(keyText))
      throw invalid("pagination.key: expected base64");
    key = Buffer.from(keyText, "base64");
  }
  const bool = (name: string): boolean => {
    const v = q[name];
    if (v === undefined || v === "" || v === "false") return false;
    if (v === "true") return true;
    throw invalid(`${name}: expected true or false`);
  };
  const offset = uintParam("pagination.offset", q["pagination.offset"], 0, 0, 1_000_000);
  if (key && offset > 0) throw invalid("pagination: either offset or key is expected, got both");
  return {
    key,
    offset,
    limit: uintParam("pagination.limit", q["pagination.limit"], DEFAULT_LIMIT, 1, MAX_LIMIT),
    countTotal: bool("pagination.count_total"),
    reverse: bool("pagination.reverse"),
  };
}

/**
 * One CometBFT event condition, `type.attr OP value`, as the SDK's `query`/`events` parameter carries it.
 * Only these shapes pass, so no arbitrary text reaches CometBFT's query parser.
 */
const CONDITION =
  /^[A-Za-z0-9_.-]{1,64}\s*(=|<|>|<=|>=|\s+CONTAINS\s+)\s*('[^'\\]{0,256}'|[0-9]{1,19})$|^[A-Za-z0-9_.-]{1,64}\s+EXISTS$/;

/** `events` (repeated, ANDed; SDK < 0.50) or `query` (SDK 0.50): returns the CometBFT tx_search query. */
export function eventQuery(q: Record<string, unknown>): string {
  const raw = q.query ?? q.events;
  const parts: string[] = [];
  const pushAll = (s: string) => {
    for (const p of s.split(/\s+AND\s+/)) parts.push(p.trim());
  };
  if (typeof raw === "string") pushAll(raw);
  else if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) for (const r of raw) pushAll(r);
  else throw invalid("query: expected an event query such as message.sender='nusa1…'");
  const total = parts.join(" AND ");
  if (parts.length === 0 || parts.length > 10 || total.length > MAX_EVENT_QUERY_CHARS)
    throw invalid(`query: 1 to 10 conditions, at most ${MAX_EVENT_QUERY_CHARS} characters`);
  for (const p of parts) if (!CONDITION.test(p)) throw invalid(`query: malformed condition "${p.slice(0, 80)}"`);
  return total;
}

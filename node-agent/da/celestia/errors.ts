/** @module DA transport errors: celestia-node error strings classified into kinds, transient or fatal. */
import { BaseError, type BaseErrorOptions, ErrorCode } from "../../../common/errors.js";

/**
 * What went wrong, from the node's error text (celestia-node returns `{code: 1, message}` for
 * almost everything, so the text is the only signal).
 */
export type DAErrorKind =
  | "not_found"
  | "future_height"
  | "syncing"
  | "pruned"
  | "permission"
  | "unauthorized"
  | "timeout"
  | "unavailable"
  | "too_large"
  | "sequence"
  | "mempool"
  | "funds"
  | "invalid"
  | "protocol"
  | "other";

/** Kinds that may succeed if the same call is tried again later. */
const TRANSIENT: ReadonlySet<DAErrorKind> = new Set([
  "future_height",
  "syncing",
  "timeout",
  "unavailable",
  "sequence",
  "mempool",
]);

const CODES: Record<DAErrorKind, ErrorCode> = {
  not_found: ErrorCode.NotFound,
  future_height: ErrorCode.Unavailable,
  syncing: ErrorCode.Unavailable,
  pruned: ErrorCode.NotFound,
  permission: ErrorCode.Unauthorized,
  unauthorized: ErrorCode.Unauthorized,
  timeout: ErrorCode.Timeout,
  unavailable: ErrorCode.Unavailable,
  too_large: ErrorCode.TooLarge,
  sequence: ErrorCode.Conflict,
  mempool: ErrorCode.Conflict,
  funds: ErrorCode.InvalidArgument,
  invalid: ErrorCode.InvalidArgument,
  protocol: ErrorCode.Decode,
  other: ErrorCode.Internal,
};

const RULES: readonly (readonly [RegExp, DAErrorKind])[] = [
  [/blob: not found|\bnot found\b/i, "not_found"],
  [/given height is from the future/i, "future_height"],
  [/syncing in progress/i, "syncing"],
  [/is below Tail|has been pruned|pruned/i, "pruned"],
  [/missing permission/i, "permission"],
  [/\b401\b|unauthori[sz]ed|invalid token|token is (expired|invalid)|signature is invalid/i, "unauthorized"],
  [/timed? ?out|deadline exceeded|ETIMEDOUT/i, "timeout"],
  [
    /ECONNREFUSED|connection refused|ECONNRESET|socket hang up|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN|\b50[234]\b|stream closed|fell behind/i,
    "unavailable",
  ],
  [/too large|bigger than maximum|exceeds max|max tx size|\b413\b/i, "too_large"],
  [/incorrect account sequence|account sequence mismatch/i, "sequence"],
  [/already (exists )?in (the )?mempool|tx already exists/i, "mempool"],
  [/insufficient (fee|funds)/i, "funds"],
  [
    /height is equal to 0|wrong param count|invalid|not supported|can not be empty|unsupported|method '.*' not found/i,
    "invalid",
  ],
];

/** Maps a node error text to a kind; the first matching rule wins. */
export function classifyDAError(message: string): DAErrorKind {
  for (const [re, kind] of RULES) if (re.test(message)) return kind;
  return "other";
}

export function isTransientKind(kind: DAErrorKind): boolean {
  return TRANSIENT.has(kind);
}

export interface DAErrorOptions extends BaseErrorOptions {
  /** JSON-RPC error code, when the node answered with one. */
  readonly rpcCode?: number;
  readonly httpStatus?: number;
  readonly method?: string;
}

/** Every failure of the DA transport. `kind` says what, `transient` whether retrying can help. */
export class DAError extends BaseError {
  override readonly name = "DAError";
  readonly kind: DAErrorKind;
  readonly transient: boolean;
  readonly rpcCode: number | undefined;
  readonly httpStatus: number | undefined;
  readonly method: string | undefined;
  constructor(kind: DAErrorKind, shortMessage: string, options: DAErrorOptions = {}) {
    super(CODES[kind], shortMessage, {
      ...options,
      meta: {
        kind,
        ...(options.method ? { method: options.method } : {}),
        ...(options.rpcCode !== undefined ? { rpcCode: options.rpcCode } : {}),
        ...(options.httpStatus !== undefined ? { httpStatus: options.httpStatus } : {}),
        ...(options.meta ?? {}),
      },
    });
    this.kind = kind;
    this.transient = isTransientKind(kind);
    this.rpcCode = options.rpcCode;
    this.httpStatus = options.httpStatus;
    this.method = options.method;
  }
}

export function isDAError(e: unknown): e is DAError {
  return e instanceof DAError;
}

/** Replaces every occurrence of the secret in a text, so error messages can be logged safely. */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join("<redacted>");
}

/** A URL safe to print: no userinfo, no `token` query parameter. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    if (u.searchParams.has("token")) u.searchParams.set("token", "<redacted>");
    return u.toString().replace(/\/$/, "");
  } catch {
    return "<invalid url>";
  }
}

/** @module The one off-chain error family: short message, stable code, details and cause. */

/** Stable error codes. Only ever add; never renumber or reuse. */
export const ErrorCode = {
  Internal: "DSDN_INTERNAL",
  InvalidArgument: "DSDN_INVALID_ARGUMENT",
  InvalidConfig: "DSDN_INVALID_CONFIG",
  NotFound: "DSDN_NOT_FOUND",
  Integrity: "DSDN_INTEGRITY",
  InvalidSignature: "DSDN_INVALID_SIGNATURE",
  Unavailable: "DSDN_UNAVAILABLE",
  Timeout: "DSDN_TIMEOUT",
  TooLarge: "DSDN_TOO_LARGE",
  Conflict: "DSDN_CONFLICT",
  Unauthorized: "DSDN_UNAUTHORIZED",
  Decode: "DSDN_DECODE",
  /** The node's disk (or its configured capacity) cannot take the bytes: HTTP 507. */
  InsufficientStorage: "DSDN_INSUFFICIENT_STORAGE",
  /** Too many requests from one client or uploader in a window: HTTP 429. */
  RateLimited: "DSDN_RATE_LIMITED",
  /** Governance blocked this content hash or route (the chain's compliance module): HTTP 451. */
  Blocked: "DSDN_BLOCKED",
  /** A workload ran and failed (trap, non-zero exit, limits) or its replicas disagreed: the job's reason says which. */
  JobFailed: "DSDN_JOB_FAILED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface BaseErrorOptions {
  /** Longer explanation for logs and `--details` output. */
  readonly details?: string;
  /** Machine-readable context (never secrets). */
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Every error DSDN throws off chain derives from this, so callers can switch on `code`. */
export class BaseError extends Error {
  override readonly name: string = "BaseError";
  readonly code: ErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, shortMessage: string, options: BaseErrorOptions = {}) {
    const causeText = options.cause instanceof Error ? options.cause.message : undefined;
    const full = [shortMessage, options.details, causeText ? `cause: ${causeText}` : undefined]
      .filter((s) => s !== undefined && s !== "")
      .join("\n");
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.meta = options.meta;
  }

  toJSON(): { code: ErrorCode; message: string; details?: string; meta?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.shortMessage,
      ...(this.details ? { details: this.details } : {}),
      ...(this.meta ? { meta: { ...this.meta } } : {}),
    };
  }
}

/** A configuration value is missing or malformed; `field` names it exactly. */
export class ConfigError extends BaseError {
  override readonly name = "ConfigError";
  readonly field: string;
  constructor(field: string, problem: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.InvalidConfig, `invalid config field "${field}": ${problem}`, {
      ...options,
      meta: { field, ...(options.meta ?? {}) },
    });
    this.field = field;
  }
}

/** Stored or received bytes do not match the hash or CID that names them. */
export class IntegrityError extends BaseError {
  override readonly name = "IntegrityError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.Integrity, shortMessage, options);
  }
}

/** Input from a user or peer that cannot be accepted as given. */
export class InvalidArgumentError extends BaseError {
  override readonly name = "InvalidArgumentError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.InvalidArgument, shortMessage, options);
  }
}

export function isBaseError(e: unknown): e is BaseError {
  return e instanceof BaseError;
}

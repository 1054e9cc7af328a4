/**
 * @module The gRPC-gateway error shape `{code, message, details}`: a gRPC status code and the HTTP
 * status grpc-gateway maps it to (runtime/errors.go HTTPStatusFromCode), and the mapping of chain
 * (ABCI) error codes to gRPC codes.
 */

/** gRPC status code → HTTP status, as grpc-gateway's HTTPStatusFromCode. */
const HTTP_STATUS: Record<number, number> = {
  0: 200,
  1: 499, // Canceled
  2: 500, // Unknown
  3: 400, // InvalidArgument
  4: 504, // DeadlineExceeded
  5: 404, // NotFound
  6: 409, // AlreadyExists
  7: 403, // PermissionDenied
  8: 429, // ResourceExhausted
  9: 400, // FailedPrecondition
  10: 409, // Aborted
  11: 400, // OutOfRange
  12: 501, // Unimplemented
  13: 500, // Internal
  14: 503, // Unavailable
  15: 500, // DataLoss
  16: 401, // Unauthenticated
};

export class RestError extends Error {
  constructor(
    /** gRPC status code. */
    readonly grpcCode: number,
    message: string,
    /** An HTTP status more precise than the gateway's default for the code (413 for a too-large body). */
    private readonly http?: number,
  ) {
    super(message);
    this.name = "RestError";
  }

  get httpStatus(): number {
    return this.http ?? HTTP_STATUS[this.grpcCode] ?? 500;
  }

  toJSON(): { code: number; message: string; details: unknown[] } {
    return { code: this.grpcCode, message: this.message, details: [] };
  }
}

/** Cosmos SDK (codespace "sdk") codes whose meaning is a bad request or a missing thing. */
const SDK_TO_GRPC: Record<number, number> = {
  2: 3, // tx parse error
  6: 12, // unknown request (no such query path) → Unimplemented
  7: 3, // invalid address
  8: 3, // invalid pubkey
  10: 3, // invalid coins
  18: 3, // invalid request
  22: 5, // key not found
};

/** A non-zero ABCI query answer as the gateway would report it. */
export function abciError(code: number, codespace: string, log: string): RestError {
  // The chain writes CosmJS's expected "rpc error: code = NotFound desc = …" text; keep only the description.
  const m = /^rpc error: code = \w+ desc = ([\s\S]*)$/.exec(log);
  const message = m ? (m[1] as string) : log;
  const grpc = codespace === "sdk" ? (SDK_TO_GRPC[code] ?? 2) : 2;
  return new RestError(grpc, message || `${codespace} error ${code}`);
}

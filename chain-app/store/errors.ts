/** @module Errors of the chain store that callers may want to tell apart (e.g. to answer a query with "pruned"). */
import { BaseError, ErrorCode } from "../../common/errors.js";

/** A height that is not (or no longer, or not yet) readable in the store. */
export class HeightUnavailableError extends BaseError {
  override readonly name = "HeightUnavailableError";
  readonly height: bigint;
  constructor(height: bigint, shortMessage: string) {
    super(ErrorCode.NotFound, shortMessage, { meta: { height: height.toString() } });
    this.height = height;
  }
}

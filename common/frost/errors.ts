/** @module Errors of FROST verification that the chain and the coordinators share: bad authentication, bad protocol data. */
import { BaseError, type BaseErrorOptions, ErrorCode } from "../errors.js";

/** A round message whose signature, sender, recipient, session or epoch does not check out. */
export class FrostAuthError extends BaseError {
  override readonly name = "FrostAuthError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.Unauthorized, shortMessage, options);
  }
}

/** A protocol step failed: inconsistent packages, bad proofs, results that disagree. */
export class FrostProtocolError extends BaseError {
  override readonly name = "FrostProtocolError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.Integrity, shortMessage, options);
  }
}

/** @module Errors of the FROST committee layer: who misbehaved, which session, and why — never key material. */
import { BaseError, type BaseErrorOptions, ErrorCode } from "../../../common/errors.js";

export { FrostAuthError, FrostProtocolError } from "../../../common/frost/errors.js";

/** A session id seen before (or a message for a finished or unknown session). */
export class FrostReplayError extends BaseError {
  override readonly name = "FrostReplayError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.Conflict, shortMessage, options);
  }
}

/** A signature share that does not verify against its signer's verifying share; names the signer. */
export class FrostInvalidShareError extends BaseError {
  override readonly name = "FrostInvalidShareError";
  /** 1-based participant index of the faulty signer. */
  readonly participantIndex: number;
  /** Hex of the faulty signer's identity key. */
  readonly participant: string;
  constructor(participantIndex: number, participant: string, options: BaseErrorOptions = {}) {
    super(
      ErrorCode.InvalidSignature,
      `invalid signature share from participant ${participantIndex} (${participant.slice(0, 16)}…)`,
      { ...options, meta: { participantIndex, participant, ...(options.meta ?? {}) } },
    );
    this.participantIndex = participantIndex;
    this.participant = participant;
  }
}

/** Too few participants answered in time; lists who did not. */
export class FrostUnavailableError extends BaseError {
  override readonly name = "FrostUnavailableError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.Unavailable, shortMessage, options);
  }
}

/** A key-share file that cannot be opened: wrong passphrase / key file, or modified. */
export class KeyShareDecryptError extends BaseError {
  override readonly name = "KeyShareDecryptError";
  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(ErrorCode.Unauthorized, shortMessage, options);
  }
}

/** @module Registered chain errors `{codespace, code}` — the SDK's codes plus each module's own. */

/** An error a state transition returns to the user as a result code; never an exception to CometBFT. */
export class ChainError extends Error {
  override readonly name = "ChainError";
  constructor(
    readonly codespace: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  /** A copy of this registered error with a more specific message. */
  wrap(detail: string): ChainError {
    return new ChainError(this.codespace, this.code, `${detail}: ${this.message}`);
  }
}

const REGISTERED: ChainError[] = [];

/** Registers an error; codes are per codespace, ≥ 2 for modules, and only ever added. */
export function registerError(codespace: string, code: number, message: string): ChainError {
  const e = new ChainError(codespace, code, message);
  REGISTERED.push(e);
  return e;
}

/** Every error registered so far (by the modules imported), for the user-facing translation table's test. */
export function registeredErrors(): readonly ChainError[] {
  return REGISTERED;
}

/** Cosmos SDK codes (codespace "sdk"), numbered exactly as types/errors/errors.go so clients read them alike. */
export const SdkErrors = {
  TxDecode: registerError("sdk", 2, "tx parse error"),
  InvalidSequence: registerError("sdk", 3, "invalid sequence"),
  Unauthorized: registerError("sdk", 4, "unauthorized"),
  InsufficientFunds: registerError("sdk", 5, "insufficient funds"),
  UnknownRequest: registerError("sdk", 6, "unknown request"),
  InvalidAddress: registerError("sdk", 7, "invalid address"),
  InvalidPubKey: registerError("sdk", 8, "invalid pubkey"),
  UnknownAddress: registerError("sdk", 9, "unknown address"),
  InvalidCoins: registerError("sdk", 10, "invalid coins"),
  OutOfGas: registerError("sdk", 11, "out of gas"),
  MemoTooLarge: registerError("sdk", 12, "memo too large"),
  InsufficientFee: registerError("sdk", 13, "insufficient fee"),
  TooManySignatures: registerError("sdk", 14, "maximum number of signatures exceeded"),
  NoSignatures: registerError("sdk", 15, "no signatures supplied"),
  InvalidRequest: registerError("sdk", 18, "invalid request"),
  TxInMempoolCache: registerError("sdk", 19, "tx already in mempool"),
  TxTooLarge: registerError("sdk", 21, "tx too large"),
  KeyNotFound: registerError("sdk", 22, "key not found"),
  WrongSequence: registerError("sdk", 32, "incorrect account sequence"),
  InvalidGasLimit: registerError("sdk", 41, "invalid gas limit"),
  TxTimeoutHeight: registerError("sdk", 30, "tx timeout height"),
  UnknownExtensionOptions: registerError("sdk", 31, "unknown extension options"),
  Panic: registerError("sdk", 111222, "panic"),
} as const;

/** Turns anything thrown inside a state transition into a result; unexpected errors keep their text. */
export function toChainError(e: unknown): ChainError {
  if (e instanceof ChainError) return e;
  return SdkErrors.Panic.wrap(e instanceof Error ? e.message : String(e));
}

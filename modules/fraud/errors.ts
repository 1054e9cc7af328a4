/** @module fraud errors (codespace "fraud"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const FraudErrors = {
  InvalidReceipt: registerError("fraud", 2, "receipt is not a valid compute receipt"),
  OutsideWindow: registerError("fraud", 3, "receipt's challenge window is closed"),
  InvalidClaim: registerError("fraud", 4, "claim does not fit the dispute type"),
  DuplicateChallenge: registerError("fraud", 5, "this challenger already has an open game on the receipt"),
  ReceiptVoid: registerError("fraud", 6, "receipt is already void"),
  UnknownGame: registerError("fraud", 7, "no such game"),
  GameOver: registerError("fraud", 8, "game is resolved"),
  NotYourMove: registerError("fraud", 9, "it is not this party's move"),
  DeadlinePassed: registerError("fraud", 10, "the move's deadline has passed"),
  InvalidMove: registerError("fraud", 11, "invalid move"),
  InvalidCheckpointProof: registerError("fraud", 12, "commitment does not open against the trace root"),
  ProofTooLarge: registerError("fraud", 13, "step proof exceeds the size cap"),
  InvalidStepProof: registerError("fraud", 14, "step proof does not match the agreed pre-state"),
  PinUnavailable: registerError("fraud", 15, "pinning is not available in this runtime version"),
  InvalidPin: registerError("fraud", 16, "module or input does not match the receipt"),
  InsufficientBond: registerError("fraud", 17, "challenger cannot escrow the bond"),
  NotAwaitingProof: registerError("fraud", 18, "game is not down to one step"),
  InvalidFinalOpening: registerError(
    "fraud",
    19,
    "final commitment does not open to the receipt's output and state root",
  ),
  NotProvable: registerError(
    "fraud",
    20,
    "receipt's execution is not provable step by step (a MicroVM run, trusted through agreeing replicas)",
  ),
  InvalidDescent: registerError("fraud", 21, "revealed hashes do not open the node of the defender's checkpoint tree"),
} as const;

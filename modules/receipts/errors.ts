/** @module receipts errors (codespace "receipts"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const ReceiptsErrors = {
  MalformedReceipt: registerError("receipts", 2, "malformed receipt"),
  InvalidCommitment: registerError("receipts", 3, "execution commitment is not well formed"),
  CommitteeNotValid: registerError("receipts", 4, "the receipt's committee cannot sign now"),
  InvalidThresholdSignature: registerError("receipts", 5, "threshold signature does not verify"),
  TooFewSigners: registerError("receipts", 6, "receipt names fewer than t valid signers"),
  UnknownNode: registerError("receipts", 7, "node not registered"),
  NodeNotActive: registerError("receipts", 8, "node is not Active"),
  InsufficientStake: registerError("receipts", 9, "node stake below its class minimum"),
  NotNodeOperator: registerError("receipts", 10, "claimant is not the node's operator"),
  InvalidNodeSignature: registerError("receipts", 11, "node signature does not verify"),
  SelfDealing: registerError("receipts", 12, "self-dealing: the node's operator is the workload's submitter"),
  WalletAffinity: registerError(
    "receipts",
    13,
    "self-dealing: the node's operator has wallet affinity with the submitter",
  ),
  AlreadyClaimed: registerError("receipts", 14, "receipt already claimed"),
  WrongReward: registerError("receipts", 15, "reward does not match the price of the usage"),
  RewardPoolEmpty: registerError("receipts", 16, "reward pool cannot pay this receipt"),
  UnknownClaim: registerError("receipts", 17, "no such claim"),
  NotPending: registerError("receipts", 18, "claim is not pending"),
  InvalidAmount: registerError("receipts", 19, "invalid amount"),
  ChallengeWindowOpen: registerError("receipts", 20, "compute receipt is inside its challenge window"),
  UnderDispute: registerError("receipts", 21, "compute receipt is under a fraud dispute"),
  ReceiptVoid: registerError("receipts", 22, "compute receipt is void: fraud was proven"),
  FutureTimestamp: registerError("receipts", 23, "receipt timestamp is later than block time allows"),
  ReceiptVersionRetired: registerError(
    "receipts",
    24,
    "receipt v1 (priced in unusa) is no longer claimable: receipts are v2, priced in USD",
  ),
  NoPrice: registerError("receipts", 25, "no NUSA/USD price to pay the receipt at"),
  NotSelfDealing: registerError("receipts", 26, "the receipt is not self-dealing"),
} as const;

/** @module subsidy errors (codespace "subsidy"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const SubsidyErrors = {
  InvalidAddress: registerError("subsidy", 2, "invalid address"),
  UnknownNode: registerError("subsidy", 3, "node not registered"),
  NodeNotActive: registerError("subsidy", 4, "node is not Active"),
  NoOpenChallenge: registerError("subsidy", 5, "not the open liveness challenge"),
  ChallengeDeadlinePassed: registerError("subsidy", 6, "the liveness challenge's deadline has passed"),
  AlreadyAnswered: registerError("subsidy", 7, "the node already answered this liveness challenge"),
  InvalidLivenessSignature: registerError("subsidy", 8, "liveness proof does not verify under the node's key"),
  MalformedLivenessProof: registerError("subsidy", 9, "malformed liveness proof"),
} as const;

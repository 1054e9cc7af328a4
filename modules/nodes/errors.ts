/** @module nodes errors (codespace "nodes"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const NodesErrors = {
  InvalidNodeId: registerError("nodes", 2, "invalid node id (need a 32-byte ed25519 public key)"),
  InvalidFingerprint: registerError("nodes", 3, "invalid TLS certificate fingerprint (need sha256, 32 bytes)"),
  InvalidSignature: registerError("nodes", 4, "node signature does not verify for this node key and binding"),
  NoStake: registerError("nodes", 5, "operator has no node stake bonded"),
  NodeIdTaken: registerError("nodes", 6, "node id is registered to another operator"),
  OperatorHasNode: registerError("nodes", 7, "operator already registered another node"),
  ClassMismatch: registerError("nodes", 8, "node class differs from the bonded stake class"),
  Banned: registerError("nodes", 9, "node is banned"),
  InvalidField: registerError("nodes", 10, "invalid node field"),
  NotFound: registerError("nodes", 11, "node not found"),
} as const;

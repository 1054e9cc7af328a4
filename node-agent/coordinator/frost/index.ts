/** @module FROST(Ed25519, SHA-512) threshold signing for the coordinator committee — the public surface. */
export {
  type SignedFields,
  SignedTypes,
  signingBytes,
  signMessage,
  verifyMessage,
} from "../../../common/frost/auth.js";
export { type Loose, makeMessage } from "../../../common/frost/bytes.js";
export {
  type CommitteeSpec,
  frostIdentifier,
  indexOfIdentifier,
  MAX_MEMBERS,
  MIN_THRESHOLD,
  memberIndex,
  validateCommittee,
} from "../../../common/frost/committee.js";
export {
  type FrostGroupInfo,
  groupInfoFromResult,
  groupKeyHex,
  toFrostPublic,
  toFrostSecret,
} from "../../../common/frost/group.js";
export { verifyDkgResults, verifySignedReceipt } from "../../../common/frost/verify.js";
export { frostCommand } from "./cli.js";
export {
  type DkgOutcome,
  FrostCoordinator,
  type FrostCoordinatorOptions,
  type SignOptions,
  type SignOutcome,
} from "./coordinator.js";
export {
  FrostAuthError,
  FrostInvalidShareError,
  FrostProtocolError,
  FrostReplayError,
  FrostUnavailableError,
  KeyShareDecryptError,
} from "./errors.js";
export { type CommitteeFile, committeeFileJson, readCommitteeFile, readGroupFile, writeGroupFile } from "./files.js";
export { createFrostServer, FROST_MAX_BODY, type FrostServerOptions } from "./httpServer.js";
export { HttpPeerTransport } from "./httpTransport.js";
export {
  createKeyFile,
  DEFAULT_SCRYPT,
  type KeyShareFile,
  type KeyShareSecret,
  KeyShareStore,
  loadKeyShareFile,
  openKeyShare,
  readKeyFile,
  saveKeyShareFile,
  sealKeyShare,
} from "./keyStore.js";
export { createLocalCommittee, type LocalCommittee } from "./localCommittee.js";
export { LocalTransport } from "./localTransport.js";
export { FrostParticipant, type FrostParticipantOptions, MAX_OPEN_SESSIONS } from "./participant.js";
export { type ClusterOptions, frostMainPath, type ProcessCluster, startProcessCluster } from "./processCluster.js";
export { dispatchFrostRpc, FROST_RPCS, type FrostRpc, isFrostRpc, type PeerTransport } from "./rpc.js";
export { DEFAULT_MAX_SESSION_MS, SessionGuard } from "./sessions.js";
export { decryptShare, encryptShare, newEncryptionKeyPair, type ShareContext } from "./shareCipher.js";

/** @module The coordinator: node admission through the chain, placement, chunk declarations, healing, challenges. */
export { type ChainNode, type ChainView, connectChainView } from "./chainView.js";
export { type ChallengeResult, challengeReplica } from "./challenge.js";
export { CoordinatorClient, type CoordinatorNode, type ObjectStatusAnswer, type PlacementAnswer } from "./client.js";
export {
  type ChunkStatus,
  Coordinator,
  type CoordinatorOptions,
  type DeclaredChunkInput,
  FAILURES_BEFORE_REMOVAL,
  MAX_ACK_AGE_MS,
  MAX_REGISTRATION_AGE,
  parseDeclaration,
  type ReplicaView,
} from "./coordinator.js";
export { HealthMonitor, type HealthMonitorOptions, type NodeHealth, type ProbeTarget } from "./healthMonitor.js";
export { loadOrCreateCoordinatorKey } from "./keyFile.js";
export { admitNode, REFUSAL_TEXT, type RegistrationRefusal, RegistrationRefused } from "./registration.js";
export { coordinatorRoutes } from "./routes.js";
export {
  type ChallengeRequest,
  challengeRequestBytes,
  REQUEST_WINDOW_MS,
  ReplayGuard,
  signChallengeRequest,
  verifyChallengeRequest,
} from "./signedRequest.js";
export { presentedCertificate } from "./tlsFingerprint.js";

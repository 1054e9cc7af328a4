/** @module Deterministic replay of the DA event log: state machine, state views, digest, checkpoints, follower. */
export { applyChunkDeclared } from "./applyChunkDeclared.js";
export { applyDeleteRequested } from "./applyDeleteRequested.js";
export { applyNodeRegistered } from "./applyNodeRegistered.js";
export { applyNodeStatusChanged } from "./applyNodeStatusChanged.js";
export { applyReplicaAdded } from "./applyReplicaAdded.js";
export { applyReplicaRemoved } from "./applyReplicaRemoved.js";
export {
  type CheckpointLoad,
  CheckpointStore,
  type CheckpointStoreOptions,
  decodeCheckpointFile,
  encodeCheckpointFile,
  readCheckpointFile,
  type SkippedCheckpoint,
} from "./checkpointStore.js";
export { parseCoordinatorList, type ReplayConfig, type ReplayConfigInput, replayConfig } from "./config.js";
export { type CreateDALayerOptions, createDALayer } from "./createDALayer.js";
export { type FollowerCheckpointEvent, ReplayFollower, type ReplayFollowerOptions } from "./follower.js";
export { CHECKPOINT_FORMAT_VERSION, type HeightResult, ReplayMachine, type ReplayStats } from "./machine.js";
export { nodeIdHex, principalKey } from "./principal.js";
export {
  type ChunkInfo,
  NODE_STATUS_NAMES,
  type NodeClassName,
  type NodeInfo,
  type NodeStatusName,
  ReplayState,
  type StateCounts,
} from "./state.js";
export type { ApplyContext, ApplyOutcome, StateChange } from "./transition.js";
export { compareWriteKeys, envelopeWriteKey, type WriteKey } from "./writeKey.js";

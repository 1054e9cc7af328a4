/** @module DA event log: schema helpers, envelope signing/verification, batching, and the durable publisher. */

export { type NativeSigner, nativeSigner, nativeVerify } from "../../../common/ed25519Native.js";
export { NodeClass, NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
export { batchEntrySize, type DecodedBlob, decodeBatch, encodeBatch, isEventBlob } from "./batch.js";
export {
  deleteRequestSignBytes,
  nodeRegistrationSignBytes,
  type OwnerKey,
  signDeleteRequest,
  signNodeRegistration,
  verifyDeleteRequest,
  verifyNodeRegistration,
} from "./bindings.js";
export {
  checkDeclarationFields,
  type DeclaredObject,
  declaredListTree,
  MAX_DECLARATION_LIFETIME,
  MAX_DECLARED_BYTES,
  MAX_DECLARED_OBJECTS,
  signUploadDeclaration,
  verifyDeclaredObject,
  verifyUploadDeclaration,
} from "./declaration.js";
export {
  EnvelopeError,
  type EnvelopeRejection,
  encodeUnsignedEnvelope,
  envelopeSignBytes,
  type OpenedEnvelope,
  openEnvelope,
  openSealedEnvelope,
  signEnvelope,
  type UnsignedEnvelope,
} from "./envelope.js";
export {
  DA_EVENT_TYPES,
  type DAEvent,
  type DAEventInput,
  type DAEventType,
  eventOfEnvelope,
  normalizeEvent,
} from "./event.js";
export * from "./format.js";
export { type DALogger, silentLogger, stderrLogger } from "./logger.js";
export { type OpenedBlob, openBlob, openedEvents } from "./openedEvents.js";
export { EventOutbox, type OutboxEntry } from "./outbox.js";
export { EventPublisher, type EventPublisherOptions, type PostedBatch, type PostFailure } from "./publisher.js";
export {
  type SampleActor,
  type SampleBlob,
  type SampleNetwork,
  SampleSigner,
  type SampleStep,
  type SampleWorkloadOptions,
  sampleActor,
  sampleBlobs,
  sampleCid,
  sampleDeclaredFile,
  sampleNetwork,
  sampleRegistration,
  sampleWorkload,
} from "./sampleWorkload.js";
export {
  batchSealSignBytes,
  type EventAuthorshipProof,
  encodeSealedBatch,
  eventAuthorshipProof,
  openSealedBatch,
  verifyEventAuthorship,
} from "./sealedBatch.js";

/** @module The WORM audit log (roadmap T15): records, the log file, verification, and its DA mirror. */
export { AuditLog } from "./log.js";
export { AuditMirror, type AuditMirrorOptions, type MirrorState } from "./mirror.js";
export { decodeMirrorBlob, encodeMirrorBlob } from "./mirrorBlob.js";
export {
  AUDIT_KINDS,
  type AuditData,
  type AuditKind,
  type AuditRecord,
  decodeRecord,
  encodeRecord,
  GENESIS_HASH,
} from "./record.js";
export { auditChainEvents, auditFallback, auditKindOfChainEvent, auditPublisher } from "./sources.js";
export { type ChainCheck, type DACheck, verifyAgainstDA, verifyChain } from "./verify.js";

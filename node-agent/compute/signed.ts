/**
 * @module Node-signed compute messages: the heartbeat (resources the scheduler reads) and the result of a run.
 * Each is signed by the node's ed25519 key over a domain tag and its encoding with the signature empty.
 */

import { MAX_LOG_LINE, MAX_LOG_LINES, resultSigningBytes } from "../../common/compute/signedResult.js";
import { type Ed25519KeyPair, ed25519Sign, ed25519Verify } from "../../common/ed25519.js";
import { utf8 } from "../../common/encoding.js";
import { concatBytes } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { ComputeResult, NodeHeartbeat } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { NodeResources } from "../scheduler/schedule.js";

const HEARTBEAT_DOMAIN = utf8("dsdn.compute.v1.NodeHeartbeat\0");
/** A heartbeat's at_ms may be this far from the chain's block time when the coordinator takes it. */
export const HEARTBEAT_SKEW_MS = 60_000;
/** Older than this (on the chain's clock) a heartbeat is not fresh: the scheduler does not use it. */
export const HEARTBEAT_MAX_AGE_MS = 120_000;

export { MAX_LOG_LINE, MAX_LOG_LINES, MAX_RESULT_BYTES, openResult } from "../../common/compute/signedResult.js";

export function signHeartbeat(
  h: Omit<NodeHeartbeat, "signature" | "nodeId" | "microvmBackend"> & { microvmBackend?: string },
  key: Ed25519KeyPair,
): NodeHeartbeat {
  const msg = NodeHeartbeat.fromPartial({ ...h, nodeId: Buffer.from(key.publicKey), signature: Buffer.alloc(0) });
  const sig = ed25519Sign(concatBytes(HEARTBEAT_DOMAIN, NodeHeartbeat.encode(msg).finish()), key.secretKey);
  return { ...msg, signature: Buffer.from(sig) };
}

/** Decodes and checks a heartbeat (canonical bytes, 32-byte node id, its own signature, sane ranges). */
export function openHeartbeat(bytes: Uint8Array): NodeHeartbeat {
  const h = decodeCanonical(NodeHeartbeat, bytes, "NodeHeartbeat");
  const unsigned = NodeHeartbeat.encode({ ...h, signature: Buffer.alloc(0) }).finish();
  if (h.nodeId.length !== 32 || !ed25519Verify(h.signature, concatBytes(HEARTBEAT_DOMAIN, unsigned), h.nodeId))
    throw new Error("heartbeat is not signed by its node");
  if (h.cpuFreePermille > 1000 || h.gpuFreePermille > 1000 || h.ioPressurePermille > 1000)
    throw new Error("heartbeat permille fields must be 0..1000");
  return h;
}

export function resourcesOf(h: NodeHeartbeat): NodeResources {
  return {
    cpuFreePermille: h.cpuFreePermille,
    ramFreeBytes: h.ramFreeBytes,
    gpuFreePermille: h.gpuFreePermille,
    latencyMs: h.latencyMs,
    ioPressurePermille: h.ioPressurePermille,
  };
}

export function signResult(
  r: Omit<ComputeResult, "signature" | "nodeId" | "commitment"> & Partial<Pick<ComputeResult, "commitment">>,
  key: Ed25519KeyPair,
): Uint8Array {
  const logs = r.logs.slice(-MAX_LOG_LINES).map((l) => l.slice(0, MAX_LOG_LINE));
  const msg = ComputeResult.fromPartial({ ...r, logs, nodeId: Buffer.from(key.publicKey), signature: Buffer.alloc(0) });
  const sig = ed25519Sign(resultSigningBytes(msg), key.secretKey);
  return ComputeResult.encode({ ...msg, signature: Buffer.from(sig) }).finish();
}

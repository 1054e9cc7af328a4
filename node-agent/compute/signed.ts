/**
 * @module Node-signed compute messages: the heartbeat (resources the scheduler reads) and the result of a run.
 * Each is signed by the node's ed25519 key over a domain tag and its encoding with the signature empty.
 */

import { type Ed25519KeyPair, ed25519Sign, ed25519Verify } from "../../common/ed25519.js";
import { utf8 } from "../../common/encoding.js";
import { concatBytes } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { ComputeResult, NodeHeartbeat } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { NodeResources } from "../scheduler/schedule.js";

const HEARTBEAT_DOMAIN = utf8("dsdn.compute.v1.NodeHeartbeat\0");
const RESULT_DOMAIN = utf8("dsdn.compute.v1.ComputeResult\0");
export const MAX_LOG_LINES = 64;
export const MAX_LOG_LINE = 512;
export const MAX_RESULT_BYTES = 64 * 1024;

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
  const sig = ed25519Sign(concatBytes(RESULT_DOMAIN, ComputeResult.encode(msg).finish()), key.secretKey);
  return ComputeResult.encode({ ...msg, signature: Buffer.from(sig) }).finish();
}

/** Decodes and checks a node's result: canonical, bounded, signed by the node it names. */
export function openResult(bytes: Uint8Array): ComputeResult {
  if (bytes.length > MAX_RESULT_BYTES) throw new Error(`a result is at most ${MAX_RESULT_BYTES} bytes`);
  const r = decodeCanonical(ComputeResult, bytes, "ComputeResult");
  const unsigned = ComputeResult.encode({ ...r, signature: Buffer.alloc(0) }).finish();
  if (r.nodeId.length !== 32 || !ed25519Verify(r.signature, concatBytes(RESULT_DOMAIN, unsigned), r.nodeId))
    throw new Error("result is not signed by its node");
  if (r.logs.length > MAX_LOG_LINES || r.logs.some((l) => l.length > MAX_LOG_LINE))
    throw new Error("too many log lines");
  if (r.completed !== (r.commitment !== undefined))
    throw new Error("a completed result carries a commitment, a failed one none");
  return r;
}

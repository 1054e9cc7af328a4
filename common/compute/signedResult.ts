/**
 * @module A node-signed compute result (`dsdn.compute.v1.ComputeResult`): the node's ed25519 signature over a domain
 * tag and the result's encoding with the signature empty. Shared by nodes, committee members, watchers and the chain
 * (fraud MsgChallenge takes one as evidence: a node is bound to the commitment it signed, receipt or not).
 */
import { ComputeResult } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { ed25519Verify } from "../ed25519.js";
import { utf8 } from "../encoding.js";
import { concatBytes } from "../hash.js";
import { decodeCanonical } from "../protobuf.js";

export const RESULT_DOMAIN = utf8("dsdn.compute.v1.ComputeResult\0");
export const MAX_LOG_LINES = 64;
export const MAX_LOG_LINE = 512;
export const MAX_RESULT_BYTES = 64 * 1024;

/** The bytes a node signs for `r` (its encoding with the signature empty, after the domain tag). */
export function resultSigningBytes(r: ComputeResult): Uint8Array {
  return concatBytes(RESULT_DOMAIN, ComputeResult.encode({ ...r, signature: Buffer.alloc(0) }).finish());
}

/** Decodes and checks a node's result: canonical, bounded, signed by the node it names. */
export function openResult(bytes: Uint8Array): ComputeResult {
  if (bytes.length > MAX_RESULT_BYTES) throw new Error(`a result is at most ${MAX_RESULT_BYTES} bytes`);
  const r = decodeCanonical(ComputeResult, bytes, "ComputeResult");
  if (r.nodeId.length !== 32 || !ed25519Verify(r.signature, resultSigningBytes(r), r.nodeId))
    throw new Error("result is not signed by its node");
  if (r.logs.length > MAX_LOG_LINES || r.logs.some((l) => l.length > MAX_LOG_LINE))
    throw new Error("too many log lines");
  if (r.completed !== (r.commitment !== undefined))
    throw new Error("a completed result carries a commitment, a failed one none");
  return r;
}

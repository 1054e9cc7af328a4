/**
 * @module Sealed event batches (blob format 2): one ed25519 signature per blob over the RFC 6962 Merkle root of
 * its envelopes, and per-event authorship proofs (seal + audit path) for whoever cites a single event.
 */

import { type NativeSigner, nativeVerify } from "../../../common/ed25519Native.js";
import { bytesEqual, concatBytes, toHex } from "../../../common/hash.js";
import { merkleRoot } from "../commitment/merkle.js";
import { type MerkleProof, merkleProof, merkleProofRoot } from "../commitment/merkleProof.js";
import { decodeBatch, frameBatch } from "./batch.js";
import { EnvelopeError, type OpenedEnvelope, openSealedEnvelope } from "./envelope.js";
import { BATCH_SEAL_SIGN_DOMAIN, SEALED_BATCH_FORMAT_VERSION } from "./format.js";

/** What the publisher signs: domain ‖ uint32be(envelope count) ‖ Merkle root of the envelopes' exact bytes. */
export function batchSealSignBytes(count: number, root: Uint8Array): Uint8Array {
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, count);
  return concatBytes(BATCH_SEAL_SIGN_DOMAIN, n, root);
}

/**
 * Seals version-2 envelopes (`encodeUnsignedEnvelope(u, 2)`) of the signer, consecutive sequences in order, as
 * one blob. Replay refuses a batch whose envelopes are not exactly that, so the publisher checks it first.
 */
export function encodeSealedBatch(envelopes: readonly Uint8Array[], signer: NativeSigner): Uint8Array {
  const opened = envelopes.map((e) => openSealedEnvelope(e));
  checkBatchOrder(signer.publicKey, opened);
  const signature = signer.sign(batchSealSignBytes(envelopes.length, merkleRoot(envelopes)));
  return frameBatch(SEALED_BATCH_FORMAT_VERSION, { publisher: signer.publicKey, signature }, envelopes);
}

/** Every envelope is the seal's publisher's, and their sequences run on by one (no gap, repeat or reorder). */
function checkBatchOrder(publisher: Uint8Array, opened: readonly OpenedEnvelope[]): void {
  const first = opened[0]?.sequence ?? 1n;
  for (let i = 0; i < opened.length; i++) {
    const e = opened[i]!;
    if (!bytesEqual(e.publisher, publisher))
      throw new EnvelopeError("bad-batch", `envelope ${i} is by ${e.publisherHex.slice(0, 16)}…, not the sealer`);
    if (e.sequence !== first + BigInt(i))
      throw new EnvelopeError("bad-batch", `envelope ${i} has sequence ${e.sequence}, expected ${first + BigInt(i)}`);
  }
}

/**
 * Verifies a sealed batch (one signature for all its envelopes) and opens its envelopes. All or nothing: a bad
 * seal, a malformed envelope, another publisher's envelope or a sequence out of line rejects the whole batch.
 */
export function openSealedBatch(
  publisher: Uint8Array,
  signature: Uint8Array,
  envelopes: readonly Uint8Array[],
): OpenedEnvelope[] {
  if (!nativeVerify(signature, batchSealSignBytes(envelopes.length, merkleRoot(envelopes)), publisher)) {
    throw new EnvelopeError("bad-signature", `batch seal of ${toHex(publisher).slice(0, 16)}…`);
  }
  // The publisher's hex id once for the batch: each envelope naming the same key takes it (checked below).
  const sealer = { publisher, hex: toHex(publisher) };
  const opened = envelopes.map((e) => openSealedEnvelope(e, sealer));
  checkBatchOrder(publisher, opened);
  return opened;
}

/** Proof that the batch's publisher wrote one event: its bytes, the seal, and its Merkle audit path. */
export interface EventAuthorshipProof {
  readonly envelope: Uint8Array;
  readonly publisher: Uint8Array;
  readonly signature: Uint8Array;
  /** Position in the batch and the batch's envelope count, with the audit path (CometBFT `merkle.Proof` form). */
  readonly path: MerkleProof;
}

/** The authorship proof of envelope `index` of a sealed blob (e.g. for a challenge or receipt citing it). */
export function eventAuthorshipProof(blob: Uint8Array, index: number): EventAuthorshipProof {
  const d = decodeBatch(blob);
  if (d.kind !== "sealed") throw new EnvelopeError("malformed", "not a sealed event batch");
  const envelope = d.envelopes[index];
  if (envelope === undefined) throw new EnvelopeError("malformed", `no envelope ${index} in the batch`);
  return {
    envelope: new Uint8Array(envelope),
    publisher: new Uint8Array(d.publisher),
    signature: new Uint8Array(d.signature),
    path: merkleProof(d.envelopes, index),
  };
}

/** Checks an authorship proof; returns the event it proves, by the proof's publisher. Throws EnvelopeError. */
export function verifyEventAuthorship(proof: EventAuthorshipProof): OpenedEnvelope {
  const { path } = proof;
  if (!Number.isSafeInteger(path.total) || path.total < 1 || path.total > 0xffffffff || path.aunts.length > 64)
    throw new EnvelopeError("malformed", "authorship path out of range");
  // Rebuild the root from the leaf and path; the seal signature over it is what ties the event to its publisher.
  const root = merkleProofRoot(path, proof.envelope);
  if (root === undefined) throw new EnvelopeError("bad-signature", "authorship path does not lead to a root");
  if (!nativeVerify(proof.signature, batchSealSignBytes(path.total, root), proof.publisher))
    throw new EnvelopeError("bad-signature", "the batch seal does not cover this event at this position");
  const e = openSealedEnvelope(proof.envelope);
  if (!bytesEqual(e.publisher, proof.publisher))
    throw new EnvelopeError("bad-batch", "the event names another publisher than the seal");
  return e;
}

import { describe, expect, it } from "vitest";
import { concatBytes, toHex } from "../../../common/hash.js";
import { NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
import { merkleRoot } from "../commitment/merkle.js";
import { decodeBatch, encodeBatch, frameBatch } from "./batch.js";
import { EnvelopeError, encodeUnsignedEnvelope, type OpenedEnvelope, openEnvelope, signEnvelope } from "./envelope.js";
import {
  BATCH_PREFIX_LENGTH,
  BATCH_SEAL_LENGTH,
  SEALED_BATCH_FORMAT_VERSION,
  SEALED_ENVELOPE_VERSION,
} from "./format.js";
import { openBlob } from "./openedEvents.js";
import { type SampleActor, sampleActor } from "./sampleWorkload.js";
import {
  batchSealSignBytes,
  encodeSealedBatch,
  eventAuthorshipProof,
  openSealedBatch,
  verifyEventAuthorship,
} from "./sealedBatch.js";

const alice = sampleActor("sealed-alice");
const mallory = sampleActor("sealed-mallory");

function body(actor: SampleActor, sequence: bigint, reason = "ok"): Uint8Array {
  return encodeUnsignedEnvelope(
    {
      publisher: actor.publicKey,
      sequence,
      observedHeight: 0n,
      event: {
        type: "nodeStatusChanged",
        value: { nodeId: Buffer.from(actor.publicKey), status: NodeStatus.NODE_STATUS_ACTIVE, reason },
      },
    },
    SEALED_ENVELOPE_VERSION,
  );
}

/** Seals whatever it is given, skipping the publisher-side order check: what a buggy or hostile publisher could post. */
function sealRaw(signer: SampleActor, sealPublisher: Uint8Array, envelopes: Uint8Array[]): Uint8Array {
  const signature = signer.signer.sign(batchSealSignBytes(envelopes.length, merkleRoot(envelopes)));
  return frameBatch(SEALED_BATCH_FORMAT_VERSION, { publisher: sealPublisher, signature }, envelopes);
}

/** Opens a blob; the common error reason when the batch was refused whole, or the sequences when opened. */
function outcome(blob: Uint8Array): string | bigint[] {
  const o = openBlob(blob);
  if (o.kind !== "events") return o.kind;
  const errs = o.envelopes.filter((e): e is EnvelopeError => e instanceof EnvelopeError);
  if (errs.length === o.envelopes.length) {
    expect(new Set(errs.map((e) => e.reason)).size).toBe(1);
    return errs[0]!.reason;
  }
  expect(errs).toEqual([]);
  return (o.envelopes as OpenedEnvelope[]).map((e) => e.sequence);
}

/** The envelopes of a sealed blob, copied. */
function split(blob: Uint8Array): Uint8Array[] {
  const d = decodeBatch(blob);
  if (d.kind !== "sealed") throw new Error(`not sealed: ${d.kind}`);
  return d.envelopes.map((e) => new Uint8Array(e));
}

describe("sealed event batches (one signature per blob)", () => {
  const a = [1n, 2n, 3n, 4n, 5n].map((s) => body(alice, s));
  const blob = encodeSealedBatch(a, alice.signer);

  it("carries one seal for the batch and no per-event signatures; replay opens every event", () => {
    expect(blob[7]).toBe(2);
    let framed = 0;
    for (const e of a) framed += 1 + 1 + e.length + (e.length >= 128 ? 1 : 0);
    expect(blob.length).toBe(BATCH_PREFIX_LENGTH + BATCH_SEAL_LENGTH + framed);
    expect(outcome(blob)).toEqual([1n, 2n, 3n, 4n, 5n]);
    const opened = openSealedBatch(alice.publicKey, blob.subarray(40, 104), a);
    expect(opened.map((e) => e.publisherHex)).toEqual(a.map(() => alice.hex));
  });

  it("refuses an event spliced in from another batch of the same publisher", () => {
    const other = encodeSealedBatch([body(alice, 3n, "spliced")], alice.signer);
    const envs = split(blob);
    envs[2] = split(other)[0]!; // same publisher, same sequence, signed — but under another seal
    expect(outcome(concatBytes(blob.subarray(0, 104), encodeBatch(envs).subarray(8)))).toBe("bad-signature");
  });

  it("refuses a batch sealed by anyone but the events' publisher", () => {
    // Mallory signs Alice's events and names Alice in the seal: the signature is not Alice's.
    expect(outcome(sealRaw(mallory, alice.publicKey, a))).toBe("bad-signature");
    // Mallory seals Alice's events under her own key: validly signed, but the events are not hers.
    expect(outcome(sealRaw(mallory, mallory.publicKey, a))).toBe("bad-batch");
    // One of Mallory's events slipped into Alice's otherwise honest batch.
    expect(outcome(sealRaw(alice, alice.publicKey, [a[0]!, body(mallory, 2n), a[2]!]))).toBe("bad-batch");
    expect(() => encodeSealedBatch(a, mallory.signer)).toThrow(/not the sealer/);
  });

  it("refuses reordered, duplicated or skipped sequences inside a batch, even when the publisher signed them", () => {
    expect(outcome(sealRaw(alice, alice.publicKey, [a[1]!, a[0]!, a[2]!]))).toBe("bad-batch");
    expect(outcome(sealRaw(alice, alice.publicKey, [a[0]!, a[0]!, a[1]!]))).toBe("bad-batch");
    expect(outcome(sealRaw(alice, alice.publicKey, [a[0]!, a[2]!]))).toBe("bad-batch");
    // Reordering an honest batch breaks its seal.
    const envs = split(blob);
    [envs[0], envs[1]] = [envs[1]!, envs[0]!];
    expect(outcome(concatBytes(blob.subarray(0, 104), encodeBatch(envs).subarray(8)))).toBe("bad-signature");
  });

  it("refuses a truncated batch, re-framed or cut", () => {
    const envs = split(blob).slice(0, 4);
    expect(outcome(concatBytes(blob.subarray(0, 104), encodeBatch(envs).subarray(8)))).toBe("bad-signature");
    expect(outcome(blob.subarray(0, blob.length - 3))).toBe("invalid");
    expect(outcome(blob.subarray(0, 100))).toBe("invalid");
  });

  it("does not accept a sealed envelope as a self-signed one, nor the other way round", () => {
    expect(() => openEnvelope(a[0]!)).toThrow(EnvelopeError);
    const v1 = signEnvelope(
      { publisher: alice.publicKey, sequence: 1n, observedHeight: 0n, event: { type: "fallbackActivated", value: {} } },
      alice.signer,
    );
    expect(outcome(sealRaw(alice, alice.publicKey, [v1]))).toBe("unsupported-version");
  });
});

describe("per-event authorship proofs", () => {
  const a = Array.from({ length: 7 }, (_, i) => body(alice, BigInt(i + 1), `event ${i}`));
  const blob = encodeSealedBatch(a, alice.signer);

  it("proves each event of a batch by the seal and its path", () => {
    for (let i = 0; i < a.length; i++) {
      const e = verifyEventAuthorship(eventAuthorshipProof(blob, i));
      expect(e.sequence).toBe(BigInt(i + 1));
      expect(toHex(e.bytes)).toBe(toHex(a[i]!));
    }
  });

  it("refuses a bad path, a moved index, a spliced event and another publisher's key", () => {
    const p = eventAuthorshipProof(blob, 3);
    const aunts = p.path.aunts.map((x) => new Uint8Array(x));
    aunts[1]![0]! ^= 1;
    expect(() => verifyEventAuthorship({ ...p, path: { ...p.path, aunts } })).toThrow(EnvelopeError);
    expect(() => verifyEventAuthorship({ ...p, path: { ...p.path, index: 2 } })).toThrow(EnvelopeError);
    expect(() => verifyEventAuthorship({ ...p, path: { ...p.path, total: 8 } })).toThrow(EnvelopeError);
    // Another batch's event with this batch's seal and path (leaf hash and all recomputed for it).
    const foreign = eventAuthorshipProof(encodeSealedBatch([body(alice, 4n, "other")], alice.signer), 0);
    expect(() =>
      verifyEventAuthorship({ ...p, envelope: foreign.envelope, path: { ...p.path, leafHash: foreign.path.leafHash } }),
    ).toThrow(/seal does not cover/);
    expect(() => verifyEventAuthorship({ ...p, publisher: mallory.publicKey })).toThrow(/seal does not cover/);
  });
});

import { describe, expect, it } from "vitest";
import { nativeSigner, nativeVerify } from "../../../common/ed25519Native.js";
import { concatBytes, fromHex, toHex } from "../../../common/hash.js";
import { EventBatch, EventEnvelope, NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
import { decodeBatch, encodeBatch } from "./batch.js";
import { EnvelopeError, encodeUnsignedEnvelope, envelopeSignBytes, openEnvelope, signEnvelope } from "./envelope.js";
import { sampleActor, sampleCid } from "./sampleWorkload.js";

// RFC 8032 §7.1, TEST 1–3 (Ed25519).
const RFC8032 = [
  {
    sk: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    sk: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    sk: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    msg: "af82",
    sig: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

describe("native ed25519", () => {
  it("matches the RFC 8032 test vectors", () => {
    for (const v of RFC8032) {
      const signer = nativeSigner(fromHex(v.sk), fromHex(v.pk));
      expect(toHex(signer.sign(fromHex(v.msg)))).toBe(v.sig);
      expect(nativeVerify(fromHex(v.sig), fromHex(v.msg), fromHex(v.pk))).toBe(true);
      const bad = fromHex(v.sig);
      bad[0]! ^= 1;
      expect(nativeVerify(bad, fromHex(v.msg), fromHex(v.pk))).toBe(false);
    }
    expect(nativeVerify(new Uint8Array(64), new Uint8Array(0), new Uint8Array(31))).toBe(false);
  });
});

describe("event envelopes", () => {
  const actor = sampleActor("envelope-test");
  const event = {
    type: "nodeStatusChanged" as const,
    value: { nodeId: Buffer.from(actor.publicKey), status: NodeStatus.NODE_STATUS_ACTIVE, reason: "ok" },
  };

  it("round-trips: signed bytes = canonical body || signature field; replay recovers every field", () => {
    const bytes = signEnvelope({ publisher: actor.publicKey, sequence: 7n, observedHeight: 41n, event }, actor.signer);
    const body = encodeUnsignedEnvelope({ publisher: actor.publicKey, sequence: 7n, observedHeight: 41n, event });
    expect(toHex(bytes.subarray(0, body.length))).toBe(toHex(body));
    // The same bytes decode with the generated schema, and the signature covers domain || body.
    const decoded = EventEnvelope.decode(bytes);
    expect(nativeVerify(decoded.signature, envelopeSignBytes(body), actor.publicKey)).toBe(true);
    const opened = openEnvelope(bytes);
    expect(opened.publisherHex).toBe(actor.hex);
    expect(opened.sequence).toBe(7n);
    expect(opened.observedHeight).toBe(41n);
    expect(opened.event.type).toBe("nodeStatusChanged");
    expect(opened.event.value).toMatchObject({ status: NodeStatus.NODE_STATUS_ACTIVE, reason: "ok" });
  });

  it("refuses tampering, a missing signature, two payloads, unknown versions and non-canonical bytes", () => {
    const good = signEnvelope({ publisher: actor.publicKey, sequence: 1n, observedHeight: 0n, event }, actor.signer);
    const reason = (b: Uint8Array) => {
      try {
        openEnvelope(b);
        return "ok";
      } catch (e) {
        expect(e).toBeInstanceOf(EnvelopeError);
        return (e as EnvelopeError).reason;
      }
    };
    expect(reason(good)).toBe("ok");
    const flipped = new Uint8Array(good);
    flipped[10]! ^= 1; // inside the signed body
    expect(reason(flipped)).not.toBe("ok");
    expect(reason(good.subarray(0, good.length - 67))).toBe("malformed");

    const resign = (env: Partial<EventEnvelope>) => {
      const body = EventEnvelope.encode(EventEnvelope.fromPartial(env)).finish();
      return concatBytes(body, new Uint8Array([0xfa, 0x03, 0x40]), actor.signer.sign(envelopeSignBytes(body)));
    };
    const base = { version: 1, publisher: Buffer.from(actor.publicKey), sequence: 1n };
    expect(reason(resign({ ...base, nodeStatusChanged: event.value }))).toBe("ok");
    expect(reason(resign({ ...base, version: 2, nodeStatusChanged: event.value }))).toBe("unsupported-version");
    expect(reason(resign({ ...base }))).toBe("malformed");
    expect(
      reason(
        resign({
          ...base,
          nodeStatusChanged: event.value,
          replicaRemoved: { cid: sampleCid("x"), nodeId: Buffer.from(actor.publicKey), reason: "" },
        }),
      ),
    ).toBe("malformed");
    // Correctly signed but not canonical: the version field written twice.
    const body = EventEnvelope.encode(EventEnvelope.fromPartial({ ...base, nodeStatusChanged: event.value })).finish();
    const dup = concatBytes(new Uint8Array([0x08, 0x01]), body);
    expect(
      reason(concatBytes(dup, new Uint8Array([0xfa, 0x03, 0x40]), actor.signer.sign(envelopeSignBytes(dup)))),
    ).toBe("non-canonical");
  });
});

describe("event batches", () => {
  const actor = sampleActor("batch-test");
  const envs = [1n, 2n, 3n].map((sequence) =>
    signEnvelope(
      {
        publisher: actor.publicKey,
        sequence,
        observedHeight: 0n,
        event: {
          type: "replicaRemoved",
          value: { cid: sampleCid(`c${sequence}`), nodeId: Buffer.from(actor.publicKey), reason: "x".repeat(200) },
        },
      },
      actor.signer,
    ),
  );

  it("is the prefix plus exactly EventBatch's protobuf encoding", () => {
    const blob = encodeBatch(envs);
    expect(new TextDecoder().decode(blob.subarray(0, 7))).toBe("DSDNEVT");
    expect(blob[7]).toBe(1);
    const viaSchema = EventBatch.decode(blob.subarray(8));
    expect(viaSchema.envelopes.map((e) => e.sequence)).toEqual([1n, 2n, 3n]);
    const reencoded = EventBatch.encode(viaSchema).finish();
    expect(toHex(reencoded)).toBe(toHex(blob.subarray(8)));
    const split = decodeBatch(blob);
    expect(split.kind).toBe("batch");
    if (split.kind === "batch") expect(split.envelopes.map(toHex)).toEqual(envs.map(toHex));
  });

  it("classifies foreign and broken blobs", () => {
    expect(decodeBatch(new TextEncoder().encode("hello")).kind).toBe("foreign");
    const blob = encodeBatch(envs);
    expect(decodeBatch(blob.subarray(0, blob.length - 5))).toMatchObject({ kind: "invalid" });
    const v2 = new Uint8Array(blob);
    v2[7] = 3;
    expect(decodeBatch(v2)).toEqual({ kind: "invalid", reason: "unsupported batch format version 3" });
    expect(() => encodeBatch([])).toThrow(/at least one/);
  });
});

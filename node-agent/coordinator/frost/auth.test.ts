/** Message authentication (domain separation, canonical bytes) and round-2 share encryption. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Verify } from "../../../common/ed25519.js";
import { SignedTypes, signingBytes, signMessage, verifyMessage } from "../../../common/frost/auth.js";
import { toHex } from "../../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import { SignCommitment } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { SessionGuard } from "./sessions.js";
import { decryptShare, encryptShare, newEncryptionKeyPair } from "./shareCipher.js";

describe("signed committee messages", () => {
  const id = ed25519KeyPair();
  const fields = {
    sessionId: randomBytes(32),
    epoch: 3n,
    participantIndex: 2,
    hiding: randomBytes(32),
    binding: randomBytes(32),
    messageHash: randomBytes(32),
  };

  it("signs '<type>\\0' || encoding-without-signature, and survives an encode/decode round trip", () => {
    const m = signMessage(SignedTypes.SignCommitment, fields, id);
    const bytes = signingBytes(SignedTypes.SignCommitment, m);
    expect(Buffer.from(bytes.subarray(0, 33)).toString()).toBe("dsdn.committee.v1.SignCommitment\0");
    expect(ed25519Verify(m.signature, bytes, id.publicKey)).toBe(true);
    const back = decodeMessage(SignCommitment, encodeMessage(SignCommitment, m));
    expect(() => verifyMessage(SignedTypes.SignCommitment, back, id.publicKey)).not.toThrow();
  });

  it("a signature for one message type does not verify as another (domain separation)", () => {
    const m = signMessage(SignedTypes.SignCommitment, fields, id);
    const asShare = { ...m, share: m.hiding, participantIndex: 2 } as any;
    expect(() => verifyMessage(SignedTypes.SignatureShare, asShare)).toThrow(/bad signature/);
  });

  it("any changed field, or another expected sender, is refused", () => {
    const m = signMessage(SignedTypes.SignCommitment, fields, id);
    expect(() => verifyMessage(SignedTypes.SignCommitment, { ...m, epoch: 4n })).toThrow(/bad signature/);
    expect(() => verifyMessage(SignedTypes.SignCommitment, { ...m, participantIndex: 3 })).toThrow(/bad signature/);
    expect(() => verifyMessage(SignedTypes.SignCommitment, m, ed25519KeyPair().publicKey)).toThrow(/expected/);
    const other = ed25519KeyPair();
    expect(() => verifyMessage(SignedTypes.SignCommitment, { ...m, sender: Buffer.from(other.publicKey) })).toThrow(
      /bad signature/,
    );
  });
});

describe("round-2 share encryption", () => {
  const a = newEncryptionKeyPair();
  const b = newEncryptionKeyPair();
  const ctx = { sessionId: randomBytes(32), epoch: 1n, senderIndex: 1, recipientIndex: 2 };

  it("only the recipient, in the same context, recovers the share", () => {
    const share = randomBytes(32);
    const enc = encryptShare(share, a.secretKey, b.publicKey, ctx);
    expect(toHex(enc.ciphertext)).not.toContain(toHex(share));
    expect(toHex(decryptShare(enc, b.secretKey, a.publicKey, ctx))).toBe(toHex(share));
    const eve = newEncryptionKeyPair();
    expect(() => decryptShare(enc, eve.secretKey, a.publicKey, ctx)).toThrow(/cannot decrypt/);
    expect(() => decryptShare(enc, b.secretKey, a.publicKey, { ...ctx, recipientIndex: 3 })).toThrow(/cannot decrypt/);
    expect(() => decryptShare(enc, b.secretKey, a.publicKey, { ...ctx, epoch: 2n })).toThrow(/cannot decrypt/);
    expect(() => decryptShare(enc, b.secretKey, a.publicKey, { ...ctx, sessionId: randomBytes(32) })).toThrow(
      /cannot decrypt/,
    );
  });

  it("refuses a low-order X25519 key", () => {
    expect(() => encryptShare(randomBytes(32), a.secretKey, new Uint8Array(32), ctx)).toThrow(/invalid X25519/);
  });
});

describe("session guard", () => {
  it("accepts a session id once, refuses expired and far-future deadlines", () => {
    let now = 1_000_000;
    const g = new SessionGuard(() => now, 60_000);
    const id = randomBytes(32);
    g.claim("sign", id, BigInt(now + 1000));
    expect(() => g.claim("sign", id, BigInt(now + 1000))).toThrow(/already used/);
    g.claim("dkg", id, BigInt(now + 1000)); // separate namespace per kind
    expect(() => g.claim("sign", randomBytes(32), BigInt(now))).toThrow(/expired/);
    expect(() => g.claim("sign", randomBytes(32), BigInt(now + 120_000))).toThrow(/more than/);
    expect(() => g.claim("sign", randomBytes(31), BigInt(now + 1000))).toThrow(/32 bytes/);
    now += 2000; // after expiry the id is forgotten, but a message carrying that deadline is now expired
    expect(() => g.claim("sign", id, BigInt(now - 1000))).toThrow(/expired/);
  });
});

import { describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { decodeMessage, encodeMessage } from "../../common/protobuf.js";
import { SignedStorageAck, StorageAck } from "../../proto/gen/dsdn/storage/v1/ack.js";
import { signAck, verifyAck } from "./ack.js";

const kp = ed25519KeyPair(new Uint8Array(32).fill(7));
const fields = {
  cid: "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am",
  size: 6,
  zone: "z1",
  receivedAtMs: 1_700_000_000_000,
};

describe("storage acks", () => {
  it("verify and carry the node's key and the chunk facts", () => {
    const ack = verifyAck(signAck(fields, kp.publicKey, kp.secretKey));
    expect(ack?.cid).toBe(fields.cid);
    expect(ack?.size).toBe(6n);
    expect(ack?.zone).toBe("z1");
    expect(Buffer.from(ack!.nodePubkey).equals(Buffer.from(kp.publicKey))).toBe(true);
  });
  it("are deterministic for the same fields", () => {
    expect(Buffer.from(signAck(fields, kp.publicKey, kp.secretKey))).toEqual(
      Buffer.from(signAck(fields, kp.publicKey, kp.secretKey)),
    );
  });
  it("with ticket rules: need a ticket, unexpired, and not longer-lived than a coordinator issues", () => {
    const ticket = { id: new Uint8Array(32).fill(1), expiresAtMs: 2_000, kind: "placement" as const };
    const signed = signAck({ ...fields, ticket }, kp.publicKey, kp.secretKey);
    expect(verifyAck(signed, { ticketValidAtMs: 1_999 })?.ticketExpiresAtMs).toBe(2_000n);
    expect(verifyAck(signed, { ticketValidAtMs: 2_000 })).toBeNull();
    expect(verifyAck(signed, { ticketValidAtMs: 1_000, maxTicketLifetimeMs: 999 })).toBeNull();
    expect(verifyAck(signed, { ticketValidAtMs: 1_000, maxTicketLifetimeMs: 1_000 })).not.toBeNull();
    expect(verifyAck(signAck(fields, kp.publicKey, kp.secretKey), { ticketValidAtMs: 0 })).toBeNull();
  });
  it("reject any altered field, a foreign signature and garbage", () => {
    const signed = decodeMessage(SignedStorageAck, signAck(fields, kp.publicKey, kp.secretKey));
    const inner = decodeMessage(StorageAck, signed.ack);
    const altered = encodeMessage(StorageAck, { ...inner, size: 7n });
    expect(
      verifyAck(encodeMessage(SignedStorageAck, { ack: Buffer.from(altered), signature: signed.signature })),
    ).toBeNull();
    const other = ed25519KeyPair(new Uint8Array(32).fill(9));
    const forged = signAck(fields, kp.publicKey, other.secretKey);
    expect(verifyAck(forged)).toBeNull();
    expect(verifyAck(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});

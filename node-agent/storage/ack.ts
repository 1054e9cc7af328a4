/** @module Signed storage acknowledgements: the node's ed25519 statement that it verified and holds a chunk. */
import { ed25519Sign, ed25519Verify } from "../../common/ed25519.js";
import { concatBytes } from "../../common/hash.js";
import { decodeCanonical, encodeMessage } from "../../common/protobuf.js";
import { SignedStorageAck, StorageAck } from "../../proto/gen/dsdn/storage/v1/ack.js";

/** Domain separation: an ack signature can never be replayed as a signature over another message type. */
const ACK_DOMAIN = new TextEncoder().encode("dsdn.storage.v1.StorageAck\0");

export interface AckFields {
  readonly cid: string;
  readonly size: number;
  readonly zone: string;
  readonly receivedAtMs: number;
}

export function signAck(fields: AckFields, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const ack = encodeMessage(StorageAck, {
    cid: fields.cid,
    size: BigInt(fields.size),
    nodePubkey: Buffer.from(publicKey),
    zone: fields.zone,
    receivedAtMs: BigInt(fields.receivedAtMs),
  });
  const signature = ed25519Sign(concatBytes(ACK_DOMAIN, ack), secretKey);
  return encodeMessage(SignedStorageAck, { ack: Buffer.from(ack), signature: Buffer.from(signature) });
}

/** Decodes and checks a signed ack; returns its fields or null when the signature or encoding is bad. */
export function verifyAck(signed: Uint8Array): StorageAck | null {
  try {
    const outer = decodeCanonical(SignedStorageAck, signed, "SignedStorageAck");
    const ack = decodeCanonical(StorageAck, outer.ack, "StorageAck");
    if (!ed25519Verify(outer.signature, concatBytes(ACK_DOMAIN, outer.ack), ack.nodePubkey)) return null;
    return ack;
  } catch {
    return null;
  }
}

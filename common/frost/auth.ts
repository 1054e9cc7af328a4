/** @module Per-sender authentication of committee messages: ed25519 over "<type>\0" || canonical bytes. */

import {
  DkgRequest,
  DkgResult,
  DkgRound1,
  DkgRound2,
  PreprocessRequest,
  SignatureShare,
  SignCommitment,
  SignPackage,
  SignRequest,
} from "../../proto/gen/dsdn/committee/v1/frost.js";
import { type Ed25519KeyPair, ed25519Sign, ed25519Verify } from "../ed25519.js";
import { concatBytes, toHex } from "../hash.js";
import type { MessageCodec } from "../protobuf.js";
import type { Loose } from "./bytes.js";
import { FrostAuthError } from "./errors.js";

/** Every signed message type, with the full proto name used as its domain separator. */
export interface SignedType<T> {
  readonly typeName: string;
  readonly codec: MessageCodec<T>;
}

export interface SignedFields {
  sender: Uint8Array;
  signature: Uint8Array;
}

/** Named with the module's own types, so declaration emit (the SDK's .d.ts) never needs ts-proto's internal `MessageFns`. */
export interface SignedTypeMap {
  readonly DkgRequest: SignedType<DkgRequest>;
  readonly DkgRound1: SignedType<DkgRound1>;
  readonly DkgRound2: SignedType<DkgRound2>;
  readonly DkgResult: SignedType<DkgResult>;
  readonly SignRequest: SignedType<SignRequest>;
  readonly SignCommitment: SignedType<SignCommitment>;
  readonly SignPackage: SignedType<SignPackage>;
  readonly SignatureShare: SignedType<SignatureShare>;
  readonly PreprocessRequest: SignedType<PreprocessRequest>;
}

export const SignedTypes: SignedTypeMap = {
  DkgRequest: { typeName: "dsdn.committee.v1.DkgRequest", codec: DkgRequest },
  DkgRound1: { typeName: "dsdn.committee.v1.DkgRound1", codec: DkgRound1 },
  DkgRound2: { typeName: "dsdn.committee.v1.DkgRound2", codec: DkgRound2 },
  DkgResult: { typeName: "dsdn.committee.v1.DkgResult", codec: DkgResult },
  SignRequest: { typeName: "dsdn.committee.v1.SignRequest", codec: SignRequest },
  SignCommitment: { typeName: "dsdn.committee.v1.SignCommitment", codec: SignCommitment },
  SignPackage: { typeName: "dsdn.committee.v1.SignPackage", codec: SignPackage },
  SignatureShare: { typeName: "dsdn.committee.v1.SignatureShare", codec: SignatureShare },
  PreprocessRequest: { typeName: "dsdn.committee.v1.PreprocessRequest", codec: PreprocessRequest },
};

const encoder = new TextEncoder();

/**
 * The bytes a sender signs: the type name and a NUL (so a DkgRound1 can never pass as a SignCommitment),
 * then the message encoded with an empty signature. ts-proto's encoding is canonical, so the receiver
 * rebuilds the same bytes from the decoded message.
 */
export function signingBytes<T extends SignedFields>(type: SignedType<T>, msg: T): Uint8Array {
  const body = type.codec.encode(type.codec.fromPartial({ ...msg, signature: new Uint8Array(0) })).finish();
  return concatBytes(encoder.encode(`${type.typeName}\0`), body);
}

/**
 * Fills in `sender` and `signature` with the identity key. `sign` may be another Ed25519 implementation (an
 * off-chain caller passes OpenSSL's); Ed25519 signatures are deterministic, so the bytes are the same.
 */
export function signMessage<T extends SignedFields>(
  type: SignedType<T>,
  msg: Omit<Loose<T>, "sender" | "signature">,
  identity: Ed25519KeyPair,
  sign: (message: Uint8Array, secretKey: Uint8Array) => Uint8Array = ed25519Sign,
): T {
  const unsigned = type.codec.fromPartial({ ...msg, sender: identity.publicKey, signature: new Uint8Array(0) });
  return { ...unsigned, signature: Buffer.from(sign(signingBytes(type, unsigned), identity.secretKey)) };
}

/**
 * Throws FrostAuthError unless `msg` is signed by its stated sender, and that sender is `expected` (if given).
 * `verify` may be a stricter Ed25519 verifier (off-chain callers pass OpenSSL's RFC 8032 check, which accepts a
 * subset of what noble's ZIP-215 rules accept); chain code keeps the default.
 */
export function verifyMessage<T extends SignedFields>(
  type: SignedType<T>,
  msg: T,
  expected?: Uint8Array,
  verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean = ed25519Verify,
): void {
  const short = type.typeName.split(".").pop();
  if (msg.sender.length !== 32) throw new FrostAuthError(`${short}: sender must be a 32-byte identity key`);
  if (expected && toHex(expected) !== toHex(msg.sender)) {
    throw new FrostAuthError(`${short}: sent by ${toHex(msg.sender)}, expected ${toHex(expected)}`);
  }
  if (!verify(msg.signature, signingBytes(type, msg), msg.sender)) {
    throw new FrostAuthError(`${short}: bad signature from ${toHex(msg.sender)}`);
  }
}

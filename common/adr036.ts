/** @module ADR-036 off-chain signatures (`signArbitrary`): the amino sign doc Keplr and CosmJS sign, and its check. */
import { makeSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { pubKeyToAddress, secp256k1Sign, secp256k1Verify } from "./secp256k1.js";

/**
 * The bytes an ADR-036 signer signs for `data`: the amino JSON StdSignDoc with an empty chain id, account
 * number and sequence 0, a zero fee and one `sign/MsgSignData{signer, data: base64}` message. Built with
 * CosmJS's own serializer, so a Keplr `signArbitrary(chainId, signer, data)` signature verifies here.
 */
export function adr036SignBytes(signer: string, data: Uint8Array): Uint8Array {
  const msg = { type: "sign/MsgSignData", value: { signer, data: Buffer.from(data).toString("base64") } };
  return serializeSignDoc(makeSignDoc([msg], { gas: "0", amount: [] }, "", "", 0, 0));
}

/** Signs `data` as ADR-036 with an account key; returns the 64-byte low-S signature. */
export function adr036Sign(data: Uint8Array, secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return secp256k1Sign(adr036SignBytes(pubKeyToAddress(publicKey), data), secretKey);
}

/** True when `signature` is `signer`'s ADR-036 signature over `data` and `publicKey` is that account's key. */
export function adr036Verify(signer: string, data: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 33 || signature.length !== 64) return false;
  try {
    if (pubKeyToAddress(publicKey) !== signer) return false;
  } catch {
    return false;
  }
  return secp256k1Verify(signature, adr036SignBytes(signer, data), publicKey);
}

/** An ADR-036 signature as JSON request fields: the signer's bech32 account, its key and the signature in base64. */
export interface Adr036Fields {
  readonly address: string;
  readonly publicKey: string;
  readonly signature: string;
}

/** Signs `data` with an account key and returns the request fields a verifier needs. */
export function adr036SignFields(
  data: Uint8Array,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
): Adr036Fields {
  return {
    address: pubKeyToAddress(key.publicKey),
    publicKey: Buffer.from(key.publicKey).toString("base64"),
    signature: Buffer.from(adr036Sign(data, key.secretKey, key.publicKey)).toString("base64"),
  };
}

/** adr036Verify on request fields as they arrive (any JSON value): false for anything not a well-formed signature. */
export function adr036VerifyFields(
  address: unknown,
  data: Uint8Array,
  publicKey: unknown,
  signature: unknown,
): boolean {
  if (typeof address !== "string" || typeof publicKey !== "string" || typeof signature !== "string") return false;
  return adr036Verify(address, data, Buffer.from(publicKey, "base64"), Buffer.from(signature, "base64"));
}

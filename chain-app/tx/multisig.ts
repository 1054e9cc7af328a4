/**
 * @module Decoding a Cosmos LegacyAminoPubKey signer (threshold multisig): its key, which co-signers signed (the
 * CompactBitArray), their sign modes and signatures, bounded; the address is the SDK's (sha256 of the amino key).
 */
import { type MultisigThresholdPubkey, pubkeyToAddress } from "@cosmjs/amino";
import { LegacyAminoPubKey } from "cosmjs-types/cosmos/crypto/multisig/keys";
import { MultiSignature } from "cosmjs-types/cosmos/crypto/multisig/v1beta1/multisig";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import type { ModeInfo_Multi } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { BECH32_PREFIX } from "../../common/secp256k1.js";
import { SdkErrors } from "../errors.js";

/** Most co-signer keys a multisig may have (bounds the work one signer entry can cost). */
export const MAX_MULTISIG_KEYS = 20;

export interface MultisigSigner {
  readonly threshold: number;
  readonly pubKeys: readonly Uint8Array[];
  /** The bech32 address of the threshold key. */
  readonly address: string;
  /** One entry per co-signer that signed, in key order. */
  readonly signed: readonly { readonly index: number; readonly mode: SignMode; readonly signature: Uint8Array }[];
}

export const LEGACY_AMINO_PUBKEY_TYPE_URL = "/cosmos.crypto.multisig.LegacyAminoPubKey";

export function decodeMultisigSigner(
  i: number,
  publicKey: Any,
  multi: ModeInfo_Multi,
  sigBytes: Uint8Array,
): MultisigSigner {
  const bad = (why: string) => SdkErrors.InvalidPubKey.wrap(`signer ${i}: ${why}`);
  let key: LegacyAminoPubKey;
  try {
    key = LegacyAminoPubKey.decode(publicKey.value);
  } catch {
    throw bad("cannot decode multisig public key");
  }
  const n = key.publicKeys.length;
  if (n === 0 || n > MAX_MULTISIG_KEYS) throw bad(`multisig must have 1..${MAX_MULTISIG_KEYS} keys, has ${n}`);
  if (key.threshold < 1 || key.threshold > n) throw bad(`multisig threshold ${key.threshold} outside 1..${n}`);
  const pubKeys = key.publicKeys.map((k, j) => {
    if (k.typeUrl !== "/cosmos.crypto.secp256k1.PubKey") throw bad(`multisig key ${j}: only secp256k1 keys`);
    const raw = PubKey.decode(k.value).key;
    if (raw.length !== 33) throw bad(`multisig key ${j}: secp256k1 key must be 33 bytes`);
    return raw;
  });
  const amino: MultisigThresholdPubkey = {
    type: "tendermint/PubKeyMultisigThreshold",
    value: {
      threshold: key.threshold.toString(),
      pubkeys: pubKeys.map((k) => ({ type: "tendermint/PubKeySecp256k1", value: Buffer.from(k).toString("base64") })),
    },
  };
  const bits = multi.bitarray;
  const elems = bits?.elems ?? new Uint8Array();
  const size = elems.length === 0 ? 0 : (elems.length - 1) * 8 + (bits!.extraBitsStored || 8);
  if (size !== n) throw SdkErrors.Unauthorized.wrap(`signer ${i}: bit array has ${size} bits for ${n} keys`);
  let sigs: Uint8Array[];
  try {
    sigs = MultiSignature.decode(sigBytes).signatures;
  } catch {
    throw SdkErrors.Unauthorized.wrap(`signer ${i}: cannot decode the multisignature`);
  }
  const signed: { index: number; mode: SignMode; signature: Uint8Array }[] = [];
  for (let j = 0; j < n; j++) {
    if ((elems[j >> 3]! & (1 << (7 - (j & 7)))) === 0) continue;
    const k = signed.length;
    const mode = multi.modeInfos[k]?.single?.mode;
    if (mode !== SignMode.SIGN_MODE_DIRECT && mode !== SignMode.SIGN_MODE_LEGACY_AMINO_JSON)
      throw SdkErrors.Unauthorized.wrap(
        `signer ${i}: co-signer ${j} must use SIGN_MODE_DIRECT or SIGN_MODE_LEGACY_AMINO_JSON`,
      );
    if (sigs[k] === undefined) throw SdkErrors.Unauthorized.wrap(`signer ${i}: co-signer ${j} has no signature`);
    signed.push({ index: j, mode, signature: sigs[k]! });
  }
  if (signed.length !== sigs.length || signed.length !== multi.modeInfos.length)
    throw SdkErrors.Unauthorized.wrap(
      `signer ${i}: ${sigs.length} signatures and ${multi.modeInfos.length} mode infos for ${signed.length} set bits`,
    );
  return { threshold: key.threshold, pubKeys, address: pubkeyToAddress(amino, BECH32_PREFIX), signed };
}

/** @module Decoding Cosmos SDK transactions (TxRaw → body, auth info, messages) with strict, canonical checks. */

import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ChainError, SdkErrors } from "../errors.js";
import type { MsgDef } from "../module.js";

export interface DecodedMsg {
  readonly def: MsgDef;
  readonly msg: unknown;
  readonly typeUrl: string;
}

export interface SignerEntry {
  readonly address: string;
  /** 33-byte key from SignerInfo, if the tx carries one. */
  readonly pubKey: Uint8Array | undefined;
  readonly sequence: bigint;
  readonly signature: Uint8Array;
}

export interface DecodedTx {
  readonly bytes: Uint8Array;
  readonly raw: TxRaw;
  readonly body: TxBody;
  readonly authInfo: AuthInfo;
  readonly msgs: readonly DecodedMsg[];
  readonly signers: readonly SignerEntry[];
  readonly gasLimit: bigint;
}

export type MsgLookup = (typeUrl: string) => MsgDef | undefined;

function canonical<T>(
  codec: { decode(b: Uint8Array): T; encode(m: T): { finish(): Uint8Array } },
  bytes: Uint8Array,
  what: string,
): T {
  let m: T;
  try {
    m = codec.decode(bytes);
  } catch (e) {
    throw SdkErrors.TxDecode.wrap(`cannot decode ${what}: ${(e as Error).message}`);
  }
  // ts-proto drops unknown fields; re-encoding exposes them (the SDK rejects unknown fields too).
  if (Buffer.compare(Buffer.from(codec.encode(m).finish()), Buffer.from(bytes)) !== 0) {
    throw SdkErrors.TxDecode.wrap(`${what} has unknown fields or a non-canonical encoding`);
  }
  return m;
}

/** Decodes and statelessly validates a tx. Throws a ChainError with an SDK code on any problem. */
export function decodeTx(bytes: Uint8Array, lookup: MsgLookup, maxTxBytes = 1_048_576, simulate = false): DecodedTx {
  if (bytes.length === 0) throw SdkErrors.TxDecode.wrap("empty tx");
  if (bytes.length > maxTxBytes) throw SdkErrors.TxTooLarge.wrap(`tx is ${bytes.length} bytes, max ${maxTxBytes}`);
  const raw = canonical(TxRaw, bytes, "TxRaw");
  const body = canonical(TxBody, raw.bodyBytes, "TxBody");
  const authInfo = canonical(AuthInfo, raw.authInfoBytes, "AuthInfo");
  if (body.extensionOptions.length > 0 || body.nonCriticalExtensionOptions.length > 0) {
    throw SdkErrors.UnknownRequest.wrap("extension options are not supported");
  }
  if (body.messages.length === 0) throw SdkErrors.InvalidRequest.wrap("must contain at least one message");

  const msgs: DecodedMsg[] = body.messages.map((any, i) => {
    const def = lookup(any.typeUrl);
    if (!def) throw SdkErrors.UnknownRequest.wrap(`unrecognized message type ${any.typeUrl} at index ${i}`);
    let msg: unknown;
    try {
      msg = def.codec.decode(any.value);
    } catch (e) {
      throw SdkErrors.TxDecode.wrap(`cannot decode message ${i} (${any.typeUrl}): ${(e as Error).message}`);
    }
    try {
      def.validateBasic?.(msg);
    } catch (e) {
      if (e instanceof ChainError) throw e.wrap(`message ${i}`);
      throw SdkErrors.InvalidRequest.wrap(`message ${i}: ${(e as Error).message}`);
    }
    return { def, msg, typeUrl: any.typeUrl };
  });

  // Unique signers in order of first appearance; signer_infos and signatures line up with them.
  const signerAddrs: string[] = [];
  for (const m of msgs) for (const s of m.def.signers(m.msg)) if (!signerAddrs.includes(s)) signerAddrs.push(s);
  if (raw.signatures.length === 0) throw SdkErrors.NoSignatures;
  if (authInfo.signerInfos.length !== signerAddrs.length || raw.signatures.length !== signerAddrs.length) {
    throw SdkErrors.Unauthorized.wrap(
      `wrong number of signers; expected ${signerAddrs.length}, got ${authInfo.signerInfos.length} signer infos and ${raw.signatures.length} signatures`,
    );
  }
  const signers: SignerEntry[] = signerAddrs.map((address, i) => {
    const info = authInfo.signerInfos[i]!;
    const mode = info.modeInfo?.single?.mode;
    // Simulation carries no real signature, so clients (CosmJS) leave the mode unspecified.
    const simulated = simulate && mode === SignMode.SIGN_MODE_UNSPECIFIED;
    if (mode !== SignMode.SIGN_MODE_DIRECT && !simulated)
      throw SdkErrors.Unauthorized.wrap(`signer ${i}: only SIGN_MODE_DIRECT is supported`);
    let pubKey: Uint8Array | undefined;
    if (info.publicKey) {
      if (info.publicKey.typeUrl !== "/cosmos.crypto.secp256k1.PubKey") {
        throw SdkErrors.InvalidPubKey.wrap(`signer ${i}: unsupported key type ${info.publicKey.typeUrl}`);
      }
      try {
        pubKey = PubKey.decode(info.publicKey.value).key;
      } catch {
        throw SdkErrors.InvalidPubKey.wrap(`signer ${i}: cannot decode public key`);
      }
      if (pubKey.length !== 33) throw SdkErrors.InvalidPubKey.wrap(`signer ${i}: secp256k1 key must be 33 bytes`);
    }
    return { address, pubKey, sequence: info.sequence, signature: raw.signatures[i]! };
  });
  const gasLimit = authInfo.fee?.gasLimit ?? 0n;
  return { bytes, raw, body, authInfo, msgs, signers, gasLimit };
}

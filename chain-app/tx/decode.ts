/** @module Decoding Cosmos SDK transactions (TxRaw → body, auth info, messages), refusing unknown fields as the SDK does. */

import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { isValidAddress, normalizeAddress } from "../../common/secp256k1.js";
import { dsdnWireSchemas } from "../../proto/gen/wireSchema.js";
import { ChainError, SdkErrors } from "../errors.js";
import type { MsgDef } from "../module.js";
import { decodeMultisigSigner, LEGACY_AMINO_PUBKEY_TYPE_URL, type MultisigSigner } from "./multisig.js";
import { cosmosWireSchemas } from "./txSchemas.js";
import { type MessageSchema, rejectUnknownFields, type SchemaResolver, UnknownFieldError } from "./unknownFields.js";

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
  /** Present when the signer is a threshold multisig (LegacyAminoPubKey); `pubKey` is then undefined. */
  readonly multisig?: MultisigSigner;
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

const TX_RAW = "cosmos.tx.v1beta1.TxRaw";
const TX_BODY = "cosmos.tx.v1beta1.TxBody";
const AUTH_INFO = "cosmos.tx.v1beta1.AuthInfo";
/** Where TxBody keeps its messages and its (critical / non-critical) extension options. */
const BODY_MESSAGES = `${TX_BODY}.1`;
const BODY_EXTENSIONS = new Set([`${TX_BODY}.1023`, `${TX_BODY}.2047`]);

/** The wire schema of a message type URL (`/pkg.Type`), from the Cosmos tables or the generated dsdn ones. */
export function wireSchemaOf(typeUrl: string): MessageSchema | undefined {
  if (!typeUrl.startsWith("/")) return undefined;
  const name = typeUrl.slice(1);
  return cosmosWireSchemas[name] ?? dsdnWireSchemas[name];
}

function resolver(lookup: MsgLookup): SchemaResolver {
  return {
    message: (name) => cosmosWireSchemas[name] ?? dsdnWireSchemas[name],
    any(typeUrl, path) {
      // Messages resolve only to registered message types (the SDK's interface registry for sdk.Msg).
      if (path === BODY_MESSAGES) return lookup(typeUrl) ? wireSchemaOf(typeUrl) : undefined;
      // No extension option type is registered: critical ones are refused by the ante handler
      // (ErrUnknownExtensionOptions), non-critical ones are ignored, so neither payload is read.
      if (BODY_EXTENSIONS.has(path)) return "opaque";
      return wireSchemaOf(typeUrl);
    },
  };
}

/** The SDK's unknownproto check, reported as the SDK reports it: ErrTxDecode (sdk/2). */
function checkFields(bytes: Uint8Array, name: string, allowNonCritical: boolean, lookup: MsgLookup): void {
  try {
    rejectUnknownFields(bytes, cosmosWireSchemas[name]!, name, allowNonCritical, resolver(lookup));
  } catch (e) {
    if (e instanceof UnknownFieldError) throw SdkErrors.TxDecode.wrap(e.message);
    throw e;
  }
}

function decodeWith<T>(codec: { decode(b: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  try {
    return codec.decode(bytes);
  } catch (e) {
    throw SdkErrors.TxDecode.wrap(`cannot decode ${what}: ${(e as Error).message}`);
  }
}

/**
 * Strings in a message that are addresses spelled in upper case (BIP-173 allows it) become the one
 * lowercase spelling here, at decode, so no handler ever compares two spellings of one account.
 * Only top-level string fields are touched: that is where every message keeps its addresses.
 */
function normalizeAddresses(msg: unknown): unknown {
  if (typeof msg !== "object" || msg === null) return msg;
  const out: Record<string, unknown> = { ...(msg as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === "string" && v.length > 0 && v === v.toUpperCase() && isValidAddress(v)) out[k] = v.toLowerCase();
  }
  return out;
}

/** Decodes and statelessly validates a tx. Throws a ChainError with an SDK code on any problem. */
export function decodeTx(bytes: Uint8Array, lookup: MsgLookup, maxTxBytes: bigint, simulate = false): DecodedTx {
  if (bytes.length === 0) throw SdkErrors.TxDecode.wrap("empty tx");
  if (BigInt(bytes.length) > maxTxBytes)
    throw SdkErrors.TxTooLarge.wrap(`tx is ${bytes.length} bytes, max ${maxTxBytes}`);
  // TxRaw: no unknown fields, and canonical (ADR-027: the SDK rejects reordered fields and long
  // varints there; re-encoding also refuses duplicates), so one tx has one hash.
  checkFields(bytes, TX_RAW, false, lookup);
  const raw = decodeWith(TxRaw, bytes, "TxRaw");
  if (Buffer.compare(TxRaw.encode(raw).finish(), bytes) !== 0) {
    throw SdkErrors.TxDecode.wrap("TxRaw must follow ADR-027 (canonical field order and lengths)");
  }
  // TxBody may carry non-critical unknown fields (numbers >= 1024), in the body and its messages.
  checkFields(raw.bodyBytes, TX_BODY, true, lookup);
  const body = decodeWith(TxBody, raw.bodyBytes, "TxBody");
  checkFields(raw.authInfoBytes, AUTH_INFO, false, lookup);
  const authInfo = decodeWith(AuthInfo, raw.authInfoBytes, "AuthInfo");
  if (body.messages.length === 0) throw SdkErrors.InvalidRequest.wrap("must contain at least one message");

  const msgs: DecodedMsg[] = body.messages.map((any, i) => {
    const def = lookup(any.typeUrl);
    if (!def) throw SdkErrors.UnknownRequest.wrap(`unrecognized message type ${any.typeUrl} at index ${i}`);
    let msg: unknown;
    try {
      msg = normalizeAddresses(def.codec.decode(any.value));
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
  for (const m of msgs) {
    for (const raw of m.def.signers(m.msg)) {
      let s: string;
      try {
        s = normalizeAddress(raw);
      } catch (e) {
        throw SdkErrors.InvalidAddress.wrap((e as Error).message);
      }
      if (!signerAddrs.includes(s)) signerAddrs.push(s);
    }
  }
  if (raw.signatures.length === 0) throw SdkErrors.NoSignatures;
  if (authInfo.signerInfos.length !== signerAddrs.length || raw.signatures.length !== signerAddrs.length) {
    throw SdkErrors.Unauthorized.wrap(
      `wrong number of signers; expected ${signerAddrs.length}, got ${authInfo.signerInfos.length} signer infos and ${raw.signatures.length} signatures`,
    );
  }
  const signers: SignerEntry[] = signerAddrs.map((address, i) => {
    const info = authInfo.signerInfos[i]!;
    if (info.modeInfo?.multi) {
      if (info.publicKey?.typeUrl !== LEGACY_AMINO_PUBKEY_TYPE_URL)
        throw SdkErrors.InvalidPubKey.wrap(`signer ${i}: multi-signature mode needs its LegacyAminoPubKey`);
      const multisig = decodeMultisigSigner(i, info.publicKey, info.modeInfo.multi, raw.signatures[i]!);
      if (multisig.address !== address)
        throw SdkErrors.InvalidPubKey.wrap(`pubKey does not match signer address ${address} with signer index: ${i}`);
      return { address, pubKey: undefined, sequence: info.sequence, signature: raw.signatures[i]!, multisig };
    }
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

/** @module Builds signed Cosmos SDK txs for tests and benchmarks, with knobs to break each part. */
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { pubKeyToAddress, type Secp256k1KeyPair, secp256k1Sign } from "../../common/secp256k1.js";

export interface TxParams {
  readonly key: Secp256k1KeyPair;
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly msgs: Any[];
  readonly fee?: { denom: string; amount: string }[];
  readonly gasLimit?: bigint;
  readonly memo?: string;
  readonly includePubKey?: boolean;
}

export function sendMsg(from: string, to: string, amount: bigint, denom = "unusa"): Any {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode({
      fromAddress: from,
      toAddress: to,
      amount: [{ denom, amount: amount.toString() }],
    }).finish(),
  };
}

export function addressOf(key: Secp256k1KeyPair): string {
  return pubKeyToAddress(key.publicKey);
}

/** Returns the parts so tests can tamper with any of them before encoding. */
export function buildTxParts(p: TxParams): { bodyBytes: Uint8Array; authInfoBytes: Uint8Array; signature: Uint8Array } {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: p.msgs, memo: p.memo ?? "" })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [
        {
          publicKey:
            p.includePubKey === false
              ? undefined
              : { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: p.key.publicKey }).finish() },
          modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
          sequence: p.sequence,
        },
      ],
      fee: { amount: p.fee ?? [{ denom: "unusa", amount: "5000" }], gasLimit: p.gasLimit ?? 200_000n },
    }),
  ).finish();
  const signBytes = SignDoc.encode({
    bodyBytes,
    authInfoBytes,
    chainId: p.chainId,
    accountNumber: p.accountNumber,
  }).finish();
  return { bodyBytes, authInfoBytes, signature: secp256k1Sign(signBytes, p.key.secretKey) };
}

export function encodeTx(parts: {
  bodyBytes: Uint8Array;
  authInfoBytes: Uint8Array;
  signature: Uint8Array;
}): Uint8Array {
  return TxRaw.encode({
    bodyBytes: parts.bodyBytes,
    authInfoBytes: parts.authInfoBytes,
    signatures: [parts.signature],
  }).finish();
}

export function buildTx(p: TxParams): Uint8Array {
  return encodeTx(buildTxParts(p));
}

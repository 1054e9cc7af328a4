/** @module Ante checks, in the SDK's order: extension options, limits, memo, size gas, fee, pubkeys, sequences, signatures. */
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { type Amount, coinsString, type GasPrice, parseCoins, requiredFee } from "../../../chain-app/coins.js";
import type { Context } from "../../../chain-app/context.js";
import { ChainError, SdkErrors } from "../../../chain-app/errors.js";
import { event } from "../../../chain-app/events.js";
import { aminoSignBytes } from "../../../chain-app/tx/aminoSignDoc.js";
import type { DecodedTx, SignerEntry } from "../../../chain-app/tx/decode.js";
import { normalizeAddress, pubKeyToAddress } from "../../../common/secp256k1.js";
import type { BankKeeper } from "../expectedKeepers.js";
import type { AuthKeeper } from "../keeper.js";
import { addressBytesOf } from "../keeper.js";
import { ModuleAccount } from "../moduleAccounts.js";
import type { SigVerifyCache } from "./sigCache.js";

export interface AnteDeps {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly sigCache: SigVerifyCache;
  /** This node's minimum gas price, enforced in CheckTx only (as in the SDK). */
  readonly minGasPrice: GasPrice | undefined;
  readonly chainId: string;
}

/**
 * A threshold multisig signer (the SDK's LegacyAminoPubKey): at least `threshold` distinct co-signers, each
 * verified over the sign bytes of its own mode (DIRECT's SignDoc or LEGACY_AMINO_JSON's StdSignDoc, which is
 * what CosmJS `makeMultisignedTx` collects). Every co-signature is paid for in gas before it is checked.
 */
function verifyMultisig(
  ctx: Context,
  tx: DecodedTx,
  deps: AnteDeps,
  s: SignerEntry,
  acc: { accountNumber: bigint; sequence: bigint },
  costPerSig: bigint,
): void {
  const m = s.multisig!;
  if (s.sequence !== acc.sequence)
    throw SdkErrors.WrongSequence.wrap(`account sequence mismatch, expected ${acc.sequence}, got ${s.sequence}`);
  ctx.gas.consume(costPerSig * BigInt(m.signed.length), "ante verify: multisig");
  if (m.signed.length < m.threshold)
    throw SdkErrors.Unauthorized.wrap(
      `signature verification failed; multisig ${s.address} has ${m.signed.length} of the ${m.threshold} signatures it needs`,
    );
  if (ctx.mode === "recheck" || ctx.mode === "simulate") return;
  // Each mode's sign bytes are built once, only if a co-signer used that mode.
  const byMode = new Map<SignMode, Uint8Array>();
  const signBytesFor = (mode: SignMode): Uint8Array => {
    let b = byMode.get(mode);
    if (!b) {
      b =
        mode === SignMode.SIGN_MODE_DIRECT
          ? SignDoc.encode({
              bodyBytes: tx.raw.bodyBytes,
              authInfoBytes: tx.raw.authInfoBytes,
              chainId: deps.chainId,
              accountNumber: acc.accountNumber,
            }).finish()
          : aminoSignBytes(tx, deps.chainId, acc.accountNumber, acc.sequence);
      byMode.set(mode, b);
    }
    return b;
  };
  for (const c of m.signed) {
    const bytes = signBytesFor(c.mode);
    if (!deps.sigCache.verify(c.signature, bytes, m.pubKeys[c.index]!))
      throw SdkErrors.Unauthorized.wrap(
        `signature verification failed; multisig ${s.address} co-signer ${c.index}: please verify account number (${acc.accountNumber}), sequence (${acc.sequence}) and chain-id (${deps.chainId})`,
      );
  }
}

/** Base64 of bytes without copying them first (Buffer.from(Uint8Array) copies). */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** The SDK's per-signer tx events. */
function emitSigner(ctx: Context, s: SignerEntry): void {
  ctx.emit(event("tx", [["acc_seq", `${s.address}/${s.sequence}`]]));
  ctx.emit(event("tx", [["signature", base64(s.signature)]]));
}

export function runAnte(ctx: Context, tx: DecodedTx, deps: AnteDeps): void {
  const params = deps.auth.getParams(ctx);
  const simulate = ctx.mode === "simulate";

  // The SDK's RejectExtensionOptionsDecorator: critical extension options need a handler, and none is
  // registered; non-critical ones may be ignored by design.
  if (tx.body.extensionOptions.length > 0) throw SdkErrors.UnknownExtensionOptions;
  if (BigInt(tx.bytes.length) > params.maxTxBytes) {
    throw SdkErrors.TxTooLarge.wrap(`tx is ${tx.bytes.length} bytes, max ${params.maxTxBytes}`);
  }

  if (tx.gasLimit > params.maxTxGas) {
    throw SdkErrors.InvalidGasLimit.wrap(`gas limit overflow: ${tx.gasLimit} exceeds the maximum ${params.maxTxGas}`);
  }
  if (!simulate && tx.gasLimit === 0n) throw SdkErrors.InvalidGasLimit.wrap("gas limit must be positive");
  const memoChars = [...tx.body.memo].length;
  if (BigInt(memoChars) > params.maxMemoCharacters) {
    throw SdkErrors.MemoTooLarge.wrap(
      `maximum number of characters is ${params.maxMemoCharacters} but received ${memoChars} characters`,
    );
  }
  if (tx.body.timeoutHeight > 0n && ctx.block.height > tx.body.timeoutHeight) {
    throw SdkErrors.TxTimeoutHeight.wrap(`block height: ${ctx.block.height}, timeout height: ${tx.body.timeoutHeight}`);
  }
  // As the SDK's ValidateSigCountDecorator: a multisig counts each of its keys.
  const sigCount = tx.signers.reduce((n, s) => n + (s.multisig ? s.multisig.pubKeys.length : 1), 0);
  if (BigInt(sigCount) > params.txSigLimit) {
    throw SdkErrors.TooManySignatures.wrap(`signatures: ${sigCount}, limit: ${params.txSigLimit}`);
  }
  ctx.gas.consume(params.txSizeCostPerByte * BigInt(tx.bytes.length), "txSize");
  if (simulate) {
    // Clients simulate with empty signatures; charge for the 64 bytes each real one will add.
    const missing = tx.signers.reduce((n, s) => n + Math.max(0, 64 - s.signature.length), 0);
    ctx.gas.consume(params.txSizeCostPerByte * BigInt(missing), "txSize: simulated signatures");
  }

  // Fee: checked against this node's minimum in CheckTx, then moved to the fee collector.
  let fee: Amount[];
  try {
    fee = parseCoins(tx.authInfo.fee?.amount ?? []);
  } catch (e) {
    throw SdkErrors.InsufficientFee.wrap(`invalid fee: ${(e as Error).message}`);
  }
  // Signer addresses are already in canonical form (decodeTx); the payer field is normalised here.
  let payer = tx.signers[0]!.address;
  try {
    if (tx.authInfo.fee?.payer) payer = normalizeAddress(tx.authInfo.fee.payer);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap(`fee payer: ${(e as Error).message}`);
  }
  if (!tx.signers.some((s) => s.address === payer))
    throw SdkErrors.Unauthorized.wrap(`fee payer ${payer} did not sign`);
  // The SDK without x/feegrant: a granter other than the payer would be a promise nobody keeps.
  if (tx.authInfo.fee?.granter) {
    let granter: string;
    try {
      granter = normalizeAddress(tx.authInfo.fee.granter);
    } catch (e) {
      throw SdkErrors.InvalidAddress.wrap(`fee granter: ${(e as Error).message}`);
    }
    if (granter !== payer) throw SdkErrors.InvalidRequest.wrap("fee grants are not enabled");
  }
  if (ctx.isCheck && !simulate && deps.minGasPrice) {
    const need = requiredFee(tx.gasLimit, deps.minGasPrice);
    const got = fee.find((c) => c.denom === deps.minGasPrice!.denom)?.amount ?? 0n;
    if (got < need) {
      throw SdkErrors.InsufficientFee.wrap(
        `insufficient fees; got: ${coinsString(fee) || "0" + deps.minGasPrice.denom} required: ${need}${deps.minGasPrice.denom}`,
      );
    }
  }
  const payerBytes = addressBytesOf(payer);
  if (!deps.auth.getAccount(ctx, payerBytes))
    throw SdkErrors.UnknownAddress.wrap(`fee payer address: ${payer} does not exist`);
  if (fee.length > 0) {
    try {
      deps.bank.sendFromAccountToModule(ctx, payerBytes, ModuleAccount.FeeCollector, fee);
    } catch (e) {
      throw e instanceof ChainError ? e.wrap(`${coinsString(fee)} fee`) : e;
    }
  } else if (simulate && deps.minGasPrice) {
    // Clients simulate with an empty fee (they do not know the gas yet); deduct a token fee on the
    // throwaway branch so the estimate includes what the real fee transfer will cost.
    try {
      deps.bank.sendFromAccountToModule(ctx, payerBytes, ModuleAccount.FeeCollector, [
        { denom: deps.minGasPrice.denom, amount: 1n },
      ]);
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
    }
  }
  if (ctx.recordsEvents)
    ctx.emit(
      event("tx", [
        ["fee", coinsString(fee)],
        ["fee_payer", payer],
      ]),
    );

  // Signatures: each signer's account must exist, its key match its address, its sequence be next.
  for (const [i, s] of tx.signers.entries()) {
    const addrBytes = addressBytesOf(s.address);
    const acc = deps.auth.getAccount(ctx, addrBytes);
    if (!acc) throw SdkErrors.UnknownAddress.wrap(`account ${s.address} does not exist`);
    if (s.multisig) {
      verifyMultisig(ctx, tx, deps, s, acc, params.sigVerifyCostSecp256k1);
      deps.auth.setAccount(ctx, { ...acc, sequence: acc.sequence + 1n });
      if (ctx.recordsEvents) emitSigner(ctx, s);
      continue;
    }
    let pubKey = acc.pubKey;
    if (s.pubKey) {
      if (pubKeyToAddress(s.pubKey) !== s.address)
        throw SdkErrors.InvalidPubKey.wrap(`pubKey does not match signer address ${s.address} with signer index: ${i}`);
      if (pubKey && Buffer.compare(pubKey, s.pubKey) !== 0) {
        throw SdkErrors.InvalidPubKey.wrap(`pubKey differs from the key on account ${s.address}`);
      }
      pubKey = s.pubKey;
    }
    if (!pubKey) throw SdkErrors.InvalidPubKey.wrap(`pubkey on account ${s.address} is not set`);
    if (s.sequence !== acc.sequence) {
      throw SdkErrors.WrongSequence.wrap(`account sequence mismatch, expected ${acc.sequence}, got ${s.sequence}`);
    }
    ctx.gas.consume(params.sigVerifyCostSecp256k1, "ante verify: secp256k1");
    if (ctx.mode !== "recheck" && !simulate) {
      const signBytes = SignDoc.encode({
        bodyBytes: tx.raw.bodyBytes,
        authInfoBytes: tx.raw.authInfoBytes,
        chainId: deps.chainId,
        accountNumber: acc.accountNumber,
      }).finish();
      if (!deps.sigCache.verify(s.signature, signBytes, pubKey)) {
        throw SdkErrors.Unauthorized.wrap(
          `signature verification failed; please verify account number (${acc.accountNumber}), sequence (${acc.sequence}) and chain-id (${deps.chainId})`,
        );
      }
    }
    deps.auth.setAccount(ctx, { ...acc, pubKey, sequence: acc.sequence + 1n });
    if (ctx.recordsEvents) emitSigner(ctx, s);
  }
}

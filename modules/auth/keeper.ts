/** @module auth keeper: accounts (number, sequence, pubkey), params and the chain id. */
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import { SdkErrors } from "../../chain-app/errors.js";
import { lastDecoded } from "../../chain-app/params.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { fromBech32Address, toBech32Address } from "../../common/secp256k1.js";
import { accountKey, chainIdKey, MODULE_NAME, nextAccountNumberKey, paramsKey } from "./keys.js";
import { type AuthParams, parseAuthParams } from "./params.js";

export const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";

export interface Account {
  readonly address: string;
  readonly addressBytes: Uint8Array;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  /** 33-byte compressed secp256k1 key, once the account has signed. */
  readonly pubKey: Uint8Array | undefined;
}

export function addressBytesOf(address: string): Uint8Array {
  try {
    return fromBech32Address(address);
  } catch (e) {
    throw SdkErrors.InvalidAddress.wrap((e as Error).message);
  }
}

const decodeParams = lastDecoded((raw) => parseAuthParams(raw ? JSON.parse(fromUtf8(raw)) : undefined));

export class AuthKeeper {
  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getAccount(ctx: Context, addr: Uint8Array): Account | undefined {
    const raw = this.store(ctx).get(accountKey(addr));
    if (!raw) return undefined;
    const acc = BaseAccount.decode(raw);
    return {
      address: acc.address,
      addressBytes: addr,
      accountNumber: acc.accountNumber,
      sequence: acc.sequence,
      pubKey: acc.pubKey ? PubKey.decode(acc.pubKey.value).key : undefined,
    };
  }

  /** Raw BaseAccount bytes for queries, exactly as stored. */
  getAccountProto(ctx: Context, addr: Uint8Array): BaseAccount | undefined {
    const raw = this.store(ctx).get(accountKey(addr));
    return raw ? BaseAccount.decode(raw) : undefined;
  }

  setAccount(ctx: Context, acc: Account): void {
    const pubKey: Any | undefined = acc.pubKey
      ? { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: acc.pubKey }).finish() }
      : undefined;
    const proto = BaseAccount.fromPartial({
      address: acc.address,
      accountNumber: acc.accountNumber,
      sequence: acc.sequence,
      ...(pubKey ? { pubKey } : {}),
    });
    this.store(ctx).set(accountKey(acc.addressBytes), BaseAccount.encode(proto).finish());
  }

  /** Creates the account with the next account number if it does not exist yet. */
  ensureAccount(ctx: Context, addr: Uint8Array): Account {
    const existing = this.getAccount(ctx, addr);
    if (existing) return existing;
    const store = this.store(ctx);
    const raw = store.get(nextAccountNumberKey);
    const number = raw ? readU64be(raw) : 0n;
    store.set(nextAccountNumberKey, u64be(number + 1n));
    const acc: Account = {
      address: toBech32Address(addr),
      addressBytes: addr,
      accountNumber: number,
      sequence: 0n,
      pubKey: undefined,
    };
    this.setAccount(ctx, acc);
    return acc;
  }

  getParams(ctx: Context): AuthParams {
    return decodeParams(this.store(ctx).get(paramsKey));
  }

  setParams(ctx: Context, params: AuthParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(params)));
  }

  getChainId(ctx: Context): string | undefined {
    const raw = this.store(ctx).get(chainIdKey);
    return raw ? fromUtf8(raw) : undefined;
  }

  setChainId(ctx: Context, chainId: string): void {
    this.store(ctx).set(chainIdKey, utf8(chainId));
  }

  /** Every account, in address order (deterministic; used by genesis export). */
  *accounts(ctx: Context): Generator<BaseAccount> {
    const start = Uint8Array.of(0x01);
    const end = Uint8Array.of(0x02);
    for (const [, v] of this.store(ctx).iterate({ start, end })) yield BaseAccount.decode(v);
  }
}

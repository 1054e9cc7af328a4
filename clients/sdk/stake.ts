/** @module CosmJS-style SDK for the stake module: `setupStakeExtension` queries and message composers. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import {
  QueryGetStakeRequest,
  QueryGetStakeResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "../../proto/gen/dsdn/stake/v1/query.js";
import type { BondKind, NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { MsgBondNode, MsgCreateValidator, MsgUnbond } from "../../proto/gen/dsdn/stake/v1/tx.js";

const SERVICE = "dsdn.stake.v1.Query";

export const stakeTypeUrls = {
  createValidator: "/dsdn.stake.v1.MsgCreateValidator",
  bondNode: "/dsdn.stake.v1.MsgBondNode",
  unbond: "/dsdn.stake.v1.MsgUnbond",
} as const;

// ts-proto's writer type comes from a newer @bufbuild/protobuf than CosmJS declares; at run time CosmJS
// only calls encode(…).finish(), decode and fromPartial, which these codecs provide.
export const stakeMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [stakeTypeUrls.createValidator, MsgCreateValidator as unknown as GeneratedType],
  [stakeTypeUrls.bondNode, MsgBondNode as unknown as GeneratedType],
  [stakeTypeUrls.unbond, MsgUnbond as unknown as GeneratedType],
];

export interface StakeExtension {
  readonly stake: {
    getStake(address: string): Promise<QueryGetStakeResponse>;
    /** One page of validators (sorted by operator address); pass the previous page's nextKey. */
    validators(paginationKey?: Uint8Array, limit?: bigint): Promise<QueryValidatorsResponse>;
    /** By operator (bech32) or consensus address (hex). */
    validator(address: string): Promise<QueryValidatorResponse>;
    params(): Promise<Record<string, string>>;
  };
}

export function setupStakeExtension(base: QueryClient): StakeExtension {
  const rpc = createProtobufRpcClient(base);
  const call = async <T>(method: string, req: Uint8Array, decode: (b: Uint8Array) => T) =>
    decode(await rpc.request(SERVICE, method, req));
  return {
    stake: {
      getStake: (address) =>
        call("GetStake", QueryGetStakeRequest.encode({ address }).finish(), QueryGetStakeResponse.decode),
      validators: (key, limit) =>
        call(
          "Validators",
          QueryValidatorsRequest.encode({
            pagination: { key: Buffer.from(key ?? new Uint8Array()), limit: limit ?? 0n },
          }).finish(),
          QueryValidatorsResponse.decode,
        ),
      validator: (address) =>
        call("Validator", QueryValidatorRequest.encode({ address }).finish(), QueryValidatorResponse.decode),
      params: async () =>
        JSON.parse(
          (await call("Params", QueryParamsRequest.encode({}).finish(), QueryParamsResponse.decode)).paramsJson,
        ),
    },
  };
}

export function createValidatorMsg(m: {
  signer: string;
  consensusPubkey: Uint8Array;
  moniker: string;
  amount: bigint | string;
}): EncodeObject {
  return {
    typeUrl: stakeTypeUrls.createValidator,
    value: MsgCreateValidator.fromPartial({
      signer: m.signer,
      consensusPubkey: Buffer.from(m.consensusPubkey),
      moniker: m.moniker,
      amount: m.amount.toString(),
    }),
  };
}

export function bondNodeMsg(m: { signer: string; class: NodeClass; amount: bigint | string }): EncodeObject {
  return {
    typeUrl: stakeTypeUrls.bondNode,
    value: MsgBondNode.fromPartial({ signer: m.signer, class: m.class, amount: m.amount.toString() }),
  };
}

export function unbondMsg(m: { signer: string; kind: BondKind; amount: bigint | string }): EncodeObject {
  return {
    typeUrl: stakeTypeUrls.unbond,
    value: MsgUnbond.fromPartial({ signer: m.signer, kind: m.kind, amount: m.amount.toString() }),
  };
}

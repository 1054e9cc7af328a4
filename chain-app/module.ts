/** @module The module contract: messages by type URL, queries by `/package.Service/Method`, genesis, block hooks. */
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Misbehavior, ValidatorUpdate, VoteInfo } from "cosmjs-types/tendermint/abci/types";
import type { MessageCodec } from "../common/protobuf.js";
import type { Context } from "./context.js";

/** One message type a module handles. `handle` is the thin msg server: authorize → apply → emit. */
export interface MsgDef<T = any> {
  readonly typeUrl: string;
  readonly codec: MessageCodec<T>;
  /** Addresses that must sign (bech32), in a deterministic order. */
  signers(msg: T): string[];
  /** Stateless checks (addresses, amounts); throw a ChainError. */
  validateBasic?(msg: T): void;
  /** Applies the message; returns the response to put in TxMsgData.msg_responses. */
  handle(ctx: Context, msg: T): Any;
}

/** One query; `data` is the protobuf request, the result the protobuf response. Read-only. */
export interface QueryDef {
  readonly path: string;
  handle(ctx: Context, data: Uint8Array): Uint8Array;
}

export interface BeginBlockInfo {
  readonly decidedLastCommit: readonly VoteInfo[];
  readonly misbehavior: readonly Misbehavior[];
}

export interface AppModule {
  readonly name: string;
  readonly msgs?: readonly MsgDef[];
  readonly queries?: readonly QueryDef[];
  /** Default genesis section for this module (JSON-compatible, bigints as strings). */
  defaultGenesis?(): unknown;
  /** Throws an Error naming the bad field when the section is invalid. */
  validateGenesis?(state: unknown): void;
  initGenesis?(ctx: Context, state: unknown): void;
  exportGenesis?(ctx: Context): unknown;
  beginBlock?(ctx: Context, info: BeginBlockInfo): void;
  /** Returns validator power changes to hand to CometBFT, if any. */
  endBlock?(ctx: Context): ValidatorUpdate[] | undefined;
}

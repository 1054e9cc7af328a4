/** @module The module contract: messages by type URL, queries by `/package.Service/Method`, genesis, block hooks. */
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExtendedVoteInfo, Misbehavior, ValidatorUpdate, VoteInfo } from "cosmjs-types/tendermint/abci/types";
import type { MessageCodec } from "../common/protobuf.js";
import type { GasPrice } from "./coins.js";
import type { Context } from "./context.js";
import type { DecodedTx } from "./tx/decode.js";

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
  /**
   * The message's legacy amino JSON form `{type, value}` (as the SDK's amino registration and CosmJS's AminoTypes),
   * for SIGN_MODE_LEGACY_AMINO_JSON: what multisig co-signers (CosmJS `makeMultisignedTx`) sign. Absent = that
   * message can be signed with SIGN_MODE_DIRECT only.
   */
  readonly amino?: { readonly type: string; toJson(msg: T): Record<string, unknown> };
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

/**
 * A module that reads ABCI 2.0 vote extensions (at most one per app). The framework verifies the
 * proposer's injected extended commit with `check` and `consensusPubkey` and hands the verified votes
 * to `apply` at the start of FinalizeBlock (as the SDK's PreBlocker). Answers must be deterministic.
 */
export interface VoteExtensionHooks {
  /** Why `ext` is not a well-formed extension, or undefined when it is (VerifyVoteExtension, ProcessProposal). */
  check(ctx: Context, ext: Uint8Array): string | undefined;
  /** The ed25519 consensus key of the validator with this CometBFT address, if known. */
  consensusPubkey(ctx: Context, address: Uint8Array): Uint8Array | undefined;
  /** Records the verified extensions of the previous height's commit. */
  apply(ctx: Context, votes: readonly ExtendedVoteInfo[]): void;
}

/**
 * A module's governable params. Params change after genesis only through governance (modules/gov): a
 * proposal carries `{module, params_json}` with the fields to change; gov merges them over `get`, refuses
 * fields `get` does not have, calls `validate` when the proposal is submitted (a bad change never reaches a
 * vote) and again with `set` when the proposal executes. `chain-app/params.ts` builds this from a keeper.
 */
export interface ModuleParams {
  /** The current params as plain JSON (integers as decimal strings). */
  get(ctx: Context): Record<string, unknown>;
  /** Pure: parses a full params object, throwing an Error that names the bad field. */
  validate(json: Record<string, unknown>): void;
  /** Validates and stores a full params object. */
  set(ctx: Context, json: Record<string, unknown>): void;
  /**
   * Fields set at genesis for good: state already recorded is numbered or denominated by them (a time grid
   * counted from the genesis time, the denom rewards are owed in), so a new value would re-interpret it.
   * Gov refuses a change to another value (re-stating the current one is allowed).
   */
  readonly fixed?: readonly string[];
}

export interface AppModule {
  readonly name: string;
  /** Present when the module has params; the only way to change them after genesis is a gov proposal. */
  readonly params?: ModuleParams;
  readonly voteExtensions?: VoteExtensionHooks;
  readonly msgs?: readonly MsgDef[];
  readonly queries?: readonly QueryDef[];
  /** Default genesis section for this module (JSON-compatible, bigints as strings). */
  defaultGenesis?(): unknown;
  /** Throws an Error naming the bad field when the section is invalid. */
  validateGenesis?(state: unknown): void;
  /**
   * Writes the section into state. The module that bonds validators (stake) returns the genesis
   * validator set, which the app checks against CometBFT's and hands back (as the SDK's InitGenesis).
   */
  initGenesis?(ctx: Context, state: unknown): ValidatorUpdate[] | undefined | void;
  exportGenesis?(ctx: Context): unknown;
  beginBlock?(ctx: Context, info: BeginBlockInfo): void;
  /** Returns validator power changes to hand to CometBFT, if any. */
  endBlock?(ctx: Context): ValidatorUpdate[] | undefined;
}

/** Node-local inputs of the ante chain; none of them may decide block validity. */
export interface AnteEnv {
  readonly chainId: string;
  /** This node's minimum gas price, enforced in CheckTx only (as in the SDK). */
  readonly minGasPrice: GasPrice | undefined;
}

/**
 * What the app runs before a tx's messages, supplied by the auth module (as the SDK's x/auth/ante is
 * handed to baseapp): the framework itself knows no accounts, fees or signatures.
 */
export interface AnteHandler {
  /** Extension options, limits, fee, sequences, signatures; charges gas; throws a ChainError. */
  run(ctx: Context, tx: DecodedTx, env: AnteEnv): void;
  /** Largest encoded tx, a consensus param read from state so every validator judges a block alike. */
  maxTxBytes(ctx: Context): bigint;
  /** The chain id recorded at genesis (signatures commit to it). */
  getChainId(ctx: Context): string | undefined;
  setChainId(ctx: Context, chainId: string): void;
  /** Signature-cache counters for the operator log. */
  stats?(): { hits: number; misses: number };
}

/** @module A TestChain with three ed25519 validators and vote extensions on, for oracle and economics tests. */
import type { ExtendedCommitInfo } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { AppOptions } from "../../chain-app/app/app.js";
import { encodeInjectedCommit, voteExtensionSignBytes } from "../../chain-app/voteExtensions.js";
import { ed25519KeyPair, ed25519Sign } from "../../common/ed25519.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { encodePriceVote } from "../../modules/oracle/index.js";
import { consensusAddress } from "../../modules/stake/keeper.js";
import { CHAIN_ID, NUSA, TestChain } from "./testChain.js";
import { addressOf } from "./txBuilder.js";

export const operators = [0x51, 0x52, 0x53].map((b) => secp256k1KeyPair(new Uint8Array(32).fill(b)));
export const consKeys = [0x61, 0x62, 0x63].map((b) => ed25519KeyPair(new Uint8Array(32).fill(b)));
/** Stake in NUSA (power = NUSA with the default power reduction): 60% / 25% / 15%. */
export const stakes = [60n, 25n, 15n];

export interface OracleChainOptions {
  readonly oracle?: Record<string, unknown>;
  readonly appState?: Record<string, unknown>;
  readonly balances?: { address: string; amount: bigint }[];
  readonly appOptions?: Partial<AppOptions>;
}

/** Genesis with the three validators; vote extensions enabled from height 1. */
export function oracleChain(o: OracleChainOptions = {}): TestChain {
  const c = new TestChain(
    TestChain.genesis({
      balances: [...operators.map((k) => ({ address: addressOf(k), amount: 1_000n * NUSA })), ...(o.balances ?? [])],
      bondedPool: stakes.reduce((a, b) => a + b, 0n) * NUSA,
      appState: {
        stake: {
          params: { minValidatorSelfBond: NUSA.toString() },
          validators: operators.map((k, i) => ({
            operator: addressOf(k),
            consensusPubkey: Buffer.from(consKeys[i]!.publicKey).toString("base64"),
            moniker: `v${i}`,
            tokens: (stakes[i]! * NUSA).toString(),
          })),
        },
        oracle: { params: { windowSeconds: "10" }, ...(o.oracle ?? {}) },
        ...(o.appState ?? {}),
      },
    }),
  );
  c.appOptions = o.appOptions ?? {};
  c.init([], { abci: { voteExtensionsEnableHeight: 1n } });
  return c;
}

export function validatorPower(c: TestChain, i: number): bigint {
  return c.initValidators.find(
    (v) => Buffer.compare(Buffer.from(v.pubKey!.ed25519!), Buffer.from(consKeys[i]!.publicKey)) === 0,
  )!.power;
}

/** The extended commit of `height - 1` as CometBFT hands it to the proposer of `height`; undefined price = no vote. */
export function extendedCommit(
  c: TestChain,
  height: bigint,
  prices: (bigint | undefined | "empty")[],
): ExtendedCommitInfo {
  return {
    round: 0,
    votes: consKeys.map((k, i) => {
      const p = prices[i];
      const commit = p !== undefined;
      const ext = typeof p === "bigint" ? encodePriceVote(p) : new Uint8Array();
      return {
        validator: { address: consensusAddress(k.publicKey), power: validatorPower(c, i) },
        voteExtension: ext,
        extensionSignature: commit
          ? ed25519Sign(voteExtensionSignBytes(CHAIN_ID, height - 1n, 0n, ext), k.secretKey)
          : new Uint8Array(),
        blockIdFlag: commit ? BlockIDFlag.BLOCK_ID_FLAG_COMMIT : BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
      };
    }),
  };
}

/** The block's own last commit (what CometBFT gives ProcessProposal as proposed_last_commit). */
export function lastCommitOf(info: ExtendedCommitInfo) {
  return {
    round: info.round,
    votes: info.votes.map((v) => ({ validator: v.validator, blockIdFlag: v.blockIdFlag })),
  };
}

/** Runs one block whose validators reported `prices` at the previous height (injected first, the honest way). */
export function priceBlock(c: TestChain, prices: (bigint | undefined | "empty")[], dt = 5n) {
  const info = extendedCommit(c, c.height + 1n, prices);
  return c.block([encodeInjectedCommit(info)], { dt, votes: lastCommitOf(info).votes as never });
}

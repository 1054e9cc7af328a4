/** @module A tiny kvstore ABCI application (txs `key=value`) used to drive the ABCI server against real CometBFT. */

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type * as abci from "cosmjs-types/tendermint/abci/types";
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication, DeepPartial } from "../../chain-app/abci/index.js";
import { encodeUvarint } from "../../chain-app/abci/index.js";
import { concatBytes, fromHex, sha256, toHex } from "../../common/hash.js";

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Test hooks: a tx with this prefix makes CheckTx throw; a query on THROW_PATH makes Query throw. */
export const THROW_TX_PREFIX = "throw:";
export const THROW_PATH = "/throw";

/** Parses `key=value` (non-empty key, no second `=` in the key); undefined if malformed. */
export function parseKvTx(tx: Uint8Array): { key: string; value: string } | undefined {
  let text: string;
  try {
    text = fromUtf8.decode(tx);
  } catch {
    return undefined;
  }
  const eq = text.indexOf("=");
  if (eq <= 0) return undefined;
  return { key: text.slice(0, eq), value: text.slice(eq + 1) };
}

/** Deterministic app hash: sha256 over the pairs sorted by key bytes, each as uvarint-length-prefixed key and value. */
export function kvAppHash(pairs: ReadonlyMap<string, string>): Uint8Array {
  const entries = [...pairs].map(([k, v]) => [utf8.encode(k), utf8.encode(v)] as const);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Uint8Array[] = [];
  for (const [k, v] of entries) parts.push(encodeUvarint(k.length), k, encodeUvarint(v.length), v);
  return sha256(concatBytes(...parts));
}

interface Committed {
  readonly height: bigint;
  readonly appHash: Uint8Array;
  readonly pairs: ReadonlyMap<string, string>;
}

/** JSON file written atomically (temp file, fsync, rename) so a crash leaves the old or the new state, never half. */
function persist(file: string, state: Committed): void {
  const json = JSON.stringify({
    height: state.height.toString(),
    appHash: toHex(state.appHash),
    pairs: [...state.pairs],
  });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, json);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function load(file: string): Committed {
  if (!existsSync(file)) return { height: 0n, appHash: new Uint8Array(), pairs: new Map() };
  const raw = JSON.parse(readFileSync(file, "utf8")) as { height: string; appHash: string; pairs: [string, string][] };
  return { height: BigInt(raw.height), appHash: fromHex(raw.appHash), pairs: new Map(raw.pairs) };
}

export class KvStoreApp implements AbciApplication {
  readonly #file: string;
  #committed: Committed;
  /** Consensus view: FinalizeBlock's result, made durable only by Commit. */
  #pending: Committed | undefined;
  /** What FinalizeBlock returned per height, so tests can compare with header H+1's app_hash. */
  readonly returnedAppHashes = new Map<bigint, Uint8Array>();
  initChainAppHash: Uint8Array | undefined;
  readonly calls = { info: 0, initChain: 0, finalizeBlock: 0, commit: 0, checkTx: 0 };

  constructor(stateFile: string) {
    this.#file = stateFile;
    this.#committed = load(stateFile);
  }

  get committedHeight(): bigint {
    return this.#committed.height;
  }

  info(_req: abci.RequestInfo): DeepPartial<abci.ResponseInfo> {
    this.calls.info++;
    return {
      data: "kvstore-test",
      version: "1.0.0",
      appVersion: 1n,
      lastBlockHeight: this.#committed.height,
      lastBlockAppHash: this.#committed.height > 0n ? this.#committed.appHash : new Uint8Array(),
    };
  }

  initChain(_req: abci.RequestInitChain): DeepPartial<abci.ResponseInitChain> {
    this.calls.initChain++;
    // CometBFT repeats InitChain on every start until block 1 commits: start from empty each time.
    this.#committed = { height: 0n, appHash: kvAppHash(new Map()), pairs: new Map() };
    this.initChainAppHash = this.#committed.appHash;
    return { appHash: this.#committed.appHash };
  }

  query(req: abci.RequestQuery): DeepPartial<abci.ResponseQuery> {
    if (req.path === THROW_PATH) throw new Error("query handler failed on purpose");
    const key = fromUtf8.decode(req.data);
    const value = this.#committed.pairs.get(key);
    const height = this.#committed.height;
    if (value === undefined) return { code: 1, codespace: "kvstore", log: "key not found", key: req.data, height };
    return { code: 0, key: req.data, value: utf8.encode(value), height };
  }

  checkTx(req: abci.RequestCheckTx): DeepPartial<abci.ResponseCheckTx> {
    this.calls.checkTx++;
    if (fromUtf8.decode(req.tx.subarray(0, THROW_TX_PREFIX.length)) === THROW_TX_PREFIX) {
      throw new Error("checkTx handler failed on purpose");
    }
    if (!parseKvTx(req.tx)) return { code: 2, codespace: "kvstore", log: "tx must be key=value" };
    return { code: 0, gasWanted: 1n };
  }

  prepareProposal(req: abci.RequestPrepareProposal): DeepPartial<abci.ResponsePrepareProposal> {
    const txs: Uint8Array[] = [];
    let bytes = 0n;
    for (const tx of req.txs) {
      if (!parseKvTx(tx)) continue;
      if (bytes + BigInt(tx.length) > req.maxTxBytes) break;
      bytes += BigInt(tx.length);
      txs.push(tx);
    }
    return { txs };
  }

  processProposal(req: abci.RequestProcessProposal): DeepPartial<abci.ResponseProcessProposal> {
    const ok = req.txs.every((tx) => parseKvTx(tx) !== undefined);
    return {
      status: ok ? ResponseProcessProposal_ProposalStatus.ACCEPT : ResponseProcessProposal_ProposalStatus.REJECT,
    };
  }

  finalizeBlock(req: abci.RequestFinalizeBlock): DeepPartial<abci.ResponseFinalizeBlock> {
    this.calls.finalizeBlock++;
    if (req.height !== this.#committed.height + 1n) {
      throw new Error(`finalizeBlock height ${req.height} after committed height ${this.#committed.height}`);
    }
    // Always start from the committed state: a replayed or re-proposed height must not see earlier pending work.
    const pairs = new Map(this.#committed.pairs);
    const txResults = req.txs.map((tx) => {
      const kv = parseKvTx(tx);
      if (!kv) return { code: 2, codespace: "kvstore", log: "tx must be key=value" };
      pairs.set(kv.key, kv.value);
      return {
        code: 0,
        events: [{ type: "kv", attributes: [{ key: "key", value: kv.key, index: true }] }],
      };
    });
    const appHash = kvAppHash(pairs);
    this.#pending = { height: req.height, appHash, pairs };
    this.returnedAppHashes.set(req.height, appHash);
    return { txResults, appHash };
  }

  commit(_req: abci.RequestCommit): DeepPartial<abci.ResponseCommit> {
    this.calls.commit++;
    if (!this.#pending) throw new Error("commit without finalizeBlock");
    persist(this.#file, this.#pending);
    this.#committed = this.#pending;
    this.#pending = undefined;
    return { retainHeight: 0n };
  }
}

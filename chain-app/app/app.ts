/** @module Chain Nusantara: the ABCI 2.0 application (three state views, tx execution, queries, commit). */

import "../../common/cosmjsReader.js";
import "../../common/cosmjsWriter.js";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import type { Any } from "cosmjs-types/google/protobuf/any";
import * as abci from "cosmjs-types/tendermint/abci/types";
import { ProofOps } from "cosmjs-types/tendermint/crypto/proof";
import type { AbciApplication } from "../abci/index.js";
import { type GasPrice, parseGasPrice } from "../coins.js";
import { type BlockInfo, Context, type ExecMode, unmeteredContext } from "../context.js";
import { fromUtf8, readU64be, u64be } from "../encoding.js";
import { ChainError, SdkErrors, toChainError } from "../errors.js";
import { event, withMsgIndex } from "../events.js";
import { GasMeter } from "../gas.js";
import type { AnteEnv, AnteHandler, AppModule, VoteExtensionHooks } from "../module.js";
import type { ChainStore, KVReader, StoreBranch } from "../store/index.js";
import { type DecodedTx, decodeTx, wireSchemaOf } from "../tx/decode.js";
import { DecodedTxCache, freezeDecodedTx } from "../tx/decodeCache.js";
import {
  type ExtensionVerifier,
  encodeInjectedCommit,
  extensionsEnabled,
  MAX_VOTE_EXTENSION_BYTES,
  verifyInjectedCommit,
} from "../voteExtensions.js";
import { reconcileGenesisValidators } from "./genesisValidators.js";
import { readOnlyStore } from "./readOnly.js";
import { Router } from "./router.js";

export const APP_NAME = "chain-nusantara";
export const APP_VERSION = 1n;
/** Proof op type of the sparse Merkle tree proofs returned by `/store/key` queries with prove=true. */
export const SMT_PROOF_OP = "dsdn:smt";
/** Framework-owned state (not a module): `consensus/` 0x01 -> vote_extensions_enable_height (u64) from InitChain. */
const CONSENSUS_STORE = "consensus";
const enableHeightKey = Uint8Array.of(0x01);

export interface AppOptions {
  /** This node's minimum gas price for CheckTx, e.g. "0.025unusa"; empty = no minimum. */
  readonly minGasPrice?: string;
  readonly log?: (line: string) => void;
  /**
   * This validator's vote extension for `height` (node-local, e.g. the price feeder's latest price).
   * Must answer at once from a cache: ExtendVote never waits on I/O. Undefined or a throw = empty extension.
   */
  readonly voteExtension?: (height: bigint) => Uint8Array | undefined;
}

export interface TxOutcome {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly data: Uint8Array;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly events: abci.Event[];
  readonly msgResponses: Any[];
}

function failure(e: unknown, gasWanted: bigint, gasUsed: bigint, events: abci.Event[] = []): TxOutcome {
  const err = toChainError(e);
  return {
    code: err.code,
    codespace: err.codespace,
    log: err.message,
    data: new Uint8Array(),
    gasWanted,
    gasUsed,
    events,
    msgResponses: [],
  };
}

export class NusantaraApp implements AbciApplication {
  private readonly router: Router;
  private readonly minGasPrice: GasPrice | undefined;
  private chainId = "";
  /**
   * InitChain's state changes and the first block's height: CometBFT commits the genesis state with
   * the first block, so until then every FinalizeBlock of that height starts from these changes.
   */
  private genesis: { changes: ReadonlyArray<[Uint8Array, Uint8Array | undefined]>; height: bigint } | undefined;
  /** The height finalized and awaiting Commit (its state is staged in the store). */
  private pendingHeight: bigint | undefined;
  /**
   * Header time of the last finalized block: CheckTx and simulation run "as of" it, as the SDK's
   * check state does. Unknown (zero) after a restart until the next block; modules treat zero as unknown.
   */
  private lastBlockTime: { seconds: bigint; nanos: number } | undefined;
  /** The check view: committed state plus txs accepted into the mempool since. */
  private check: StoreBranch;
  private readonly log: (line: string) => void;
  private readonly extensionHooks: VoteExtensionHooks | undefined;
  private readonly extensionSource: AppOptions["voteExtension"];
  /** Txs decoded in CheckTx or ProcessProposal, reused by FinalizeBlock (decoding is pure; see DecodedTxCache). */
  private readonly decoded = new DecodedTxCache();

  constructor(
    private readonly store: ChainStore,
    private readonly modules: readonly AppModule[],
    private readonly ante: AnteHandler,
    options: AppOptions = {},
  ) {
    this.router = new Router(modules);
    // Unknown-field rejection needs every message's field table (proto/gen/wireSchema.ts): fail at
    // start-up, not on the first tx, if a module registers a message without one.
    for (const t of this.router.messageTypes())
      if (!wireSchemaOf(t)) throw new Error(`message ${t} has no wire schema: run \`npm run proto\``);
    this.minGasPrice = options.minGasPrice ? parseGasPrice(options.minGasPrice) : undefined;
    this.log = options.log ?? ((l) => process.stderr.write(`${l}\n`));
    const withHooks = modules.filter((m) => m.voteExtensions);
    if (withHooks.length > 1) throw new Error("only one module may handle vote extensions");
    this.extensionHooks = withHooks[0]?.voteExtensions;
    this.extensionSource = options.voteExtension;
    this.check = store.branch();
    if (store.lastHeight > 0n) {
      const ctx = unmeteredContext(readOnlyStore(store.committed()), this.blockInfo(store.lastHeight), "query");
      this.chainId = this.ante.getChainId(ctx) ?? "";
    }
  }

  /** Decoded-tx cache counters (operator log, tests): hits are txs not decoded a second time. */
  get decodeCacheStats(): { hits: number; misses: number; size: number; bytes: number } {
    const d = this.decoded;
    return { hits: d.hits, misses: d.misses, size: d.size, bytes: d.heldBytes };
  }

  /** Signature-cache counters of the ante handler (tests, operator log): misses are secp256k1 verifies computed. */
  get sigVerifyStats(): { hits: number; misses: number } | undefined {
    return this.ante.stats?.();
  }

  get messageTypes(): string[] {
    return this.router.messageTypes();
  }

  private blockInfo(
    height: bigint,
    time?: { seconds: bigint; nanos: number },
    proposer?: Uint8Array,
    hash?: Uint8Array,
  ): BlockInfo {
    return {
      chainId: this.chainId,
      height,
      timeSeconds: time?.seconds ?? 0n,
      timeNanos: time?.nanos ?? 0,
      proposer: proposer ?? new Uint8Array(),
      hash: hash ?? new Uint8Array(),
    };
  }

  private anteEnv(): AnteEnv {
    return { minGasPrice: this.minGasPrice, chainId: this.chainId };
  }

  /** The tx size limit in force on `state` (a consensus param, never a node option). */
  private maxTxBytes(state: KVReader, height: bigint): bigint {
    return this.ante.maxTxBytes(unmeteredContext(readOnlyStore(state), this.blockInfo(height), "query"));
  }

  // ---- handshake -------------------------------------------------------------------------------

  info(_req: abci.RequestInfo): Partial<abci.ResponseInfo> {
    return {
      data: APP_NAME,
      version: APP_VERSION.toString(),
      appVersion: APP_VERSION,
      lastBlockHeight: this.store.lastHeight,
      lastBlockAppHash: this.store.lastHeight > 0n ? this.store.lastAppHash : new Uint8Array(),
    };
  }

  initChain(req: abci.RequestInitChain): Partial<abci.ResponseInitChain> {
    this.chainId = req.chainId;
    const appState = req.appStateBytes.length
      ? (JSON.parse(fromUtf8(req.appStateBytes)) as Record<string, unknown>)
      : {};
    const branch = this.store.branch();
    const ctx = unmeteredContext(branch, this.blockInfo(req.initialHeight, req.time), "genesis");
    this.ante.setChainId(ctx, req.chainId);
    const enable = req.consensusParams?.abci?.voteExtensionsEnableHeight ?? 0n;
    ctx.moduleStore(CONSENSUS_STORE).set(enableHeightKey, u64be(enable < 0n ? 0n : enable));
    let genesisValidators: abci.ValidatorUpdate[] | undefined;
    for (const m of this.modules) {
      const section = appState[m.name] ?? m.defaultGenesis?.();
      m.validateGenesis?.(section);
      const updates = m.initGenesis?.(ctx, section);
      if (updates && updates.length > 0) {
        if (genesisValidators) throw new Error(`genesis validators set by two modules (the second is ${m.name})`);
        genesisValidators = updates;
      }
    }
    const validators = reconcileGenesisValidators(req.validators ?? [], genesisValidators ?? []);
    this.genesis = { changes: branch.changes(), height: req.initialHeight };
    this.pendingHeight = undefined;
    const appHash = this.store.prepareCommit(req.initialHeight, branch);
    this.log(
      `init_chain chain_id=${req.chainId} initial_height=${req.initialHeight} app_hash=${Buffer.from(appHash).toString("hex")}`,
    );
    return { appHash, validators };
  }

  // ---- mempool ---------------------------------------------------------------------------------

  checkTx(req: abci.RequestCheckTx): Partial<abci.ResponseCheckTx> {
    const mode: ExecMode = req.type === abci.CheckTxType.RECHECK ? "recheck" : "check";
    const r = this.runTx(mode, req.tx, this.check, this.blockInfo(this.store.lastHeight + 1n, this.lastBlockTime));
    return {
      code: r.code,
      codespace: r.codespace,
      log: r.log,
      gasWanted: r.gasWanted,
      gasUsed: r.gasUsed,
      // No data, as the SDK: CometBFT's broadcast_tx_sync echoes it as hex while CosmJS decodes it
      // as base64, so an odd-length TxMsgData made signAndBroadcast throw.
    };
  }

  // ---- consensus -------------------------------------------------------------------------------

  prepareProposal(req: abci.RequestPrepareProposal): Partial<abci.ResponsePrepareProposal> {
    const txs: Uint8Array[] = [];
    let total = 0n;
    // Leave out what ProcessProposal would refuse (the limit may have changed since CheckTx).
    const state = this.nextBlockState();
    const maxTx = this.maxTxBytes(state, req.height);
    // The previous height's vote extensions go first, as the SDK injects them (CometBFT verified them).
    if (extensionsEnabled(this.enableHeight(state), req.height - 1n)) {
      const item = encodeInjectedCommit(req.localLastCommit ?? { round: 0, votes: [] });
      txs.push(item);
      total += BigInt(item.length + 8);
    }
    for (const tx of req.txs) {
      if (BigInt(tx.length) > maxTx) continue;
      // Each tx costs its bytes plus a small proto overhead in the block data.
      const size = BigInt(tx.length + 8);
      if (total + size > req.maxTxBytes) break;
      total += size;
      txs.push(tx);
    }
    return { txs };
  }

  processProposal(req: abci.RequestProcessProposal): Partial<abci.ResponseProcessProposal> {
    const state = this.nextBlockState();
    const maxTx = this.maxTxBytes(state, req.height);
    let txs = req.txs;
    if (extensionsEnabled(this.enableHeight(state), req.height - 1n)) {
      // The proposer may lie: re-verify every extension against the block's own (CometBFT-checked) last commit.
      const r = verifyInjectedCommit(txs[0], req.proposedLastCommit, this.chainId, req.height, this.verifier(state));
      if ("reason" in r) {
        this.log(`process_proposal height=${req.height} rejected: ${r.reason}`);
        return { status: abci.ResponseProcessProposal_ProposalStatus.REJECT };
      }
      txs = txs.slice(1);
    }
    for (const tx of txs) {
      try {
        // Remembered: FinalizeBlock of this proposal will not decode it again.
        this.decode("check", tx, maxTx, true);
      } catch {
        return { status: abci.ResponseProcessProposal_ProposalStatus.REJECT };
      }
    }
    return { status: abci.ResponseProcessProposal_ProposalStatus.ACCEPT };
  }

  /** `vote_extensions_enable_height` as InitChain recorded it (0 = never). */
  private enableHeight(state: KVReader): bigint {
    const raw = state.get(new Uint8Array([...new TextEncoder().encode(`${CONSENSUS_STORE}/`), ...enableHeightKey]));
    return raw ? readU64be(raw) : 0n;
  }

  private hooksContext(state: KVReader): Context {
    return unmeteredContext(readOnlyStore(state), this.blockInfo(this.store.lastHeight + 1n), "query");
  }

  private verifier(state: KVReader): ExtensionVerifier {
    const hooks = this.extensionHooks;
    const ctx = this.hooksContext(state);
    return {
      check: (ext) => (hooks ? hooks.check(ctx, ext) : undefined),
      consensusPubkey: (addr) => hooks?.consensusPubkey(ctx, addr),
    };
  }

  // ---- vote extensions -------------------------------------------------------------------------

  extendVote(req: abci.RequestExtendVote): Partial<abci.ResponseExtendVote> {
    if (!this.extensionSource || !this.extensionHooks) return {};
    let ext: Uint8Array | undefined;
    try {
      ext = this.extensionSource(req.height);
    } catch (e) {
      this.log(`extend_vote height=${req.height}: no extension (${e instanceof Error ? e.message : String(e)})`);
      return {};
    }
    // Never sign what the other validators would refuse: a missing or malformed value is an empty extension.
    if (!ext || ext.length > MAX_VOTE_EXTENSION_BYTES) return {};
    if (this.extensionHooks.check(this.hooksContext(this.nextBlockState()), ext) !== undefined) return {};
    return { voteExtension: ext };
  }

  verifyVoteExtension(req: abci.RequestVerifyVoteExtension): Partial<abci.ResponseVerifyVoteExtension> {
    const { ACCEPT, REJECT } = abci.ResponseVerifyVoteExtension_VerifyStatus;
    const ext = req.voteExtension ?? new Uint8Array();
    if (ext.length > MAX_VOTE_EXTENSION_BYTES) return { status: REJECT };
    if (!this.extensionHooks) return { status: ext.length === 0 ? ACCEPT : REJECT };
    return { status: this.verifier(this.nextBlockState()).check(ext) === undefined ? ACCEPT : REJECT };
  }

  /** The state the next block executes on: the last committed, plus the genesis changes before the first commit. */
  private nextBlockState(): KVReader {
    if (this.store.lastHeight > 0n || !this.genesis) return this.store.committed();
    const branch = this.store.branch();
    for (const [k, v] of this.genesis.changes) v === undefined ? branch.delete(k) : branch.set(k, v);
    return branch;
  }

  /**
   * The consensus view for block `height`: always a fresh branch over the last committed state (plus
   * the genesis changes before the first commit). A FinalizeBlock re-sent before Commit — CometBFT
   * crashed and its handshake replays the block to this still-running app — must not apply on top
   * of the pending block, so nothing of an earlier FinalizeBlock is ever reused.
   */
  private consensusBranch(height: bigint): StoreBranch {
    const last = this.store.lastHeight;
    const expected = last > 0n ? last + 1n : this.genesis?.height;
    if (expected === undefined)
      throw new Error(`cannot finalize block at height ${height}: no committed state and no InitChain yet`);
    if (height !== expected)
      throw new Error(
        `cannot finalize block at height ${height}: expected ${expected} (last committed height ${last})`,
      );
    const branch = this.store.branch();
    if (last === 0n && this.genesis)
      for (const [k, v] of this.genesis.changes) v === undefined ? branch.delete(k) : branch.set(k, v);
    return branch;
  }

  finalizeBlock(req: abci.RequestFinalizeBlock): Partial<abci.ResponseFinalizeBlock> {
    const branch = this.consensusBranch(req.height);
    const block = this.blockInfo(req.height, req.time, req.proposerAddress, req.hash);
    const hookCtx = unmeteredContext(branch, block, "finalize");
    // ProcessProposal (or the commit of a replayed block) vouched for the injected item.
    const injected = extensionsEnabled(this.enableHeight(branch), req.height - 1n);
    if (injected) {
      const info = abci.ExtendedCommitInfo.decode(req.txs[0] ?? new Uint8Array());
      this.extensionHooks?.apply(hookCtx, info.votes);
    }
    for (const m of this.modules)
      m.beginBlock?.(hookCtx, { decidedLastCommit: req.decidedLastCommit?.votes ?? [], misbehavior: req.misbehavior });

    const txResults: abci.ExecTxResult[] = req.txs.map((tx, i) => {
      if (injected && i === 0) return abci.ExecTxResult.fromPartial({ log: "vote extensions" });
      const r = this.runTx("finalize", tx, branch, block);
      return abci.ExecTxResult.fromPartial({
        code: r.code,
        codespace: r.codespace,
        log: r.log,
        data: r.data,
        gasWanted: r.gasWanted,
        gasUsed: r.gasUsed,
        events: r.events,
      });
    });

    const endCtx = unmeteredContext(branch, block, "finalize");
    const validatorUpdates: abci.ValidatorUpdate[] = [];
    for (const m of this.modules) validatorUpdates.push(...(m.endBlock?.(endCtx) ?? []));

    const appHash = this.store.prepareCommit(req.height, branch);
    this.pendingHeight = req.height;
    if (req.time) this.lastBlockTime = { seconds: req.time.seconds, nanos: req.time.nanos };
    return {
      events: [...hookCtx.events, ...endCtx.events],
      txResults,
      validatorUpdates,
      appHash,
    };
  }

  commit(_req: abci.RequestCommit): Partial<abci.ResponseCommit> {
    if (this.pendingHeight === undefined) throw new Error("Commit without a finalized block");
    const { height } = this.store.commit();
    this.pendingHeight = undefined;
    this.genesis = undefined;
    this.check = this.store.branch();
    if (height % 100n === 0n) {
      const c = this.ante.stats?.();
      const d = this.decoded;
      this.log(
        `committed height=${height}${c ? ` sigcache hits=${c.hits} misses=${c.misses}` : ""} decodecache hits=${d.hits} misses=${d.misses} size=${d.size}`,
      );
    }
    return { retainHeight: 0n };
  }

  // ---- queries ---------------------------------------------------------------------------------

  query(req: abci.RequestQuery): Partial<abci.ResponseQuery> {
    const height = req.height === 0n ? this.store.lastHeight : req.height;
    try {
      if (height > this.store.lastHeight)
        throw SdkErrors.InvalidRequest.wrap(`cannot query with height in the future; please provide a valid height`);
      if (req.path === "/store/key" || req.path === "store/key") return this.queryRawKey(req, height);
      if (req.path === "/cosmos.tx.v1beta1.Service/Simulate") return { value: this.simulate(req.data), height };
      const handler = this.router.query(req.path);
      if (!handler) throw SdkErrors.UnknownRequest.wrap(`unknown query path ${req.path}`);
      const reader = height === this.store.lastHeight ? this.store.committed() : this.store.readerAt(height);
      // The latest height's block time is known (zero = unknown, e.g. right after a restart): modules
      // judge "now" (staleness, the current month) by it; older heights get no time.
      const time = height === this.store.lastHeight ? this.lastBlockTime : undefined;
      const ctx = unmeteredContext(readOnlyStore(reader), this.blockInfo(height, time), "query");
      return { value: handler.handle(ctx, req.data), height };
    } catch (e) {
      const err =
        e instanceof ChainError ? e : SdkErrors.InvalidRequest.wrap(e instanceof Error ? e.message : String(e));
      return { code: err.code, codespace: err.codespace, log: err.message, height };
    }
  }

  /** Raw state read (`/store/key`, data = full key), with a sparse-Merkle proof when prove=true. */
  private queryRawKey(req: abci.RequestQuery, height: bigint): Partial<abci.ResponseQuery> {
    if (req.prove) {
      const { value, proof } = this.store.prove(height, req.data);
      return {
        key: req.data,
        value: value ?? new Uint8Array(),
        height,
        proofOps: ProofOps.fromPartial({ ops: [{ type: SMT_PROOF_OP, key: req.data, data: proof }] }),
      };
    }
    const reader = height === this.store.lastHeight ? this.store.committed() : this.store.readerAt(height);
    return { key: req.data, value: reader.get(req.data) ?? new Uint8Array(), height };
  }

  private simulate(data: Uint8Array): Uint8Array {
    const req = SimulateRequest.decode(data);
    if (req.txBytes.length === 0) throw SdkErrors.InvalidRequest.wrap("empty tx_bytes");
    const scratch = this.check.branch();
    const r = this.runTx(
      "simulate",
      req.txBytes,
      scratch,
      this.blockInfo(this.store.lastHeight + 1n, this.lastBlockTime),
    );
    if (r.code !== 0) throw new ChainError(r.codespace, r.code, r.log);
    return SimulateResponse.encode(
      SimulateResponse.fromPartial({
        gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
        result: { data: r.data, log: r.log, events: r.events, msgResponses: r.msgResponses },
      }),
    ).finish();
  }

  // ---- tx execution ----------------------------------------------------------------------------

  /**
   * Runs one tx on a branch of `parent`. Ante changes (fee, sequence) are kept even when the
   * messages fail, as in the SDK; message changes are all-or-nothing. In check/recheck the whole
   * tx must succeed to enter the check state. Simulation never writes.
   */
  /**
   * The decoded tx, from the cache when these exact bytes were decoded before (never for simulation,
   * whose decoding differs). The size limit is checked against the state in force before the cache is
   * asked: it is the one input of decoding that state can change. `remember` keeps a fresh decode.
   */
  private decode(mode: ExecMode, bytes: Uint8Array, maxTx: bigint, remember: boolean): DecodedTx {
    const cacheable = mode !== "simulate" && bytes.length > 0 && BigInt(bytes.length) <= maxTx;
    const hit = cacheable ? this.decoded.get(bytes) : undefined;
    if (hit) return hit;
    // A private copy: the request's bytes may be a view of a socket buffer, and the decoded tx keeps views of them.
    const own = cacheable ? bytes.slice() : bytes;
    const tx = freezeDecodedTx(decodeTx(own, (t) => this.router.msg(t), maxTx, mode === "simulate"));
    if (cacheable && remember) this.decoded.put(own, tx);
    return tx;
  }

  runTx(mode: ExecMode, bytes: Uint8Array, parent: StoreBranch, block: BlockInfo): TxOutcome {
    const outcome = this.execTx(mode, bytes, parent, block);
    // Keep what the mempool keeps: a tx accepted by CheckTx (or still valid at RECHECK) will be in a
    // proposal; one refused leaves the mempool, one finalized is done.
    if (mode === "finalize" || ((mode === "check" || mode === "recheck") && outcome.code !== 0))
      this.decoded.delete(bytes);
    return outcome;
  }

  private execTx(mode: ExecMode, bytes: Uint8Array, parent: StoreBranch, block: BlockInfo): TxOutcome {
    let tx: DecodedTx;
    try {
      tx = this.decode(mode, bytes, this.maxTxBytes(parent, block.height), mode === "check" || mode === "recheck");
    } catch (e) {
      return failure(e, 0n, 0n);
    }
    const gasWanted = tx.gasLimit;
    const meter = new GasMeter(mode === "simulate" ? undefined : gasWanted);
    const anteBranch = parent.branch();
    const anteCtx = new Context(anteBranch, meter, block, mode);
    try {
      this.ante.run(anteCtx, tx, this.anteEnv());
    } catch (e) {
      return failure(e, gasWanted, meter.consumed);
    }

    // RECHECK (after every block, for every tx still in the mempool) only re-runs the ante checks,
    // as the SDK does: sequence, fee and balance for the fee. Messages run in CheckTx and FinalizeBlock.
    if (mode === "recheck") {
      anteBranch.write();
      return {
        code: 0,
        codespace: "",
        log: "",
        data: new Uint8Array(),
        gasWanted,
        gasUsed: meter.consumed,
        events: [],
        msgResponses: [],
      };
    }
    const msgBranch = anteBranch.branch();
    const msgEvents: abci.Event[] = [];
    const msgResponses: Any[] = [];
    try {
      for (const [i, m] of tx.msgs.entries()) {
        const msgCtx = new Context(msgBranch, meter, block, mode);
        const response = m.def.handle(msgCtx, m.msg);
        msgResponses.push(response);
        if (!msgCtx.recordsEvents) continue;
        const header = event("message", [
          ["action", m.typeUrl],
          ["sender", m.def.signers(m.msg)[0] ?? ""],
          ["module", this.router.moduleOf(m.typeUrl)],
        ]);
        msgEvents.push(...withMsgIndex([header, ...msgCtx.events], i));
      }
    } catch (e) {
      if (mode === "finalize") anteBranch.write();
      return failure(e, gasWanted, meter.consumed, mode === "finalize" ? anteCtx.events : []);
    }
    if (mode !== "simulate") {
      msgBranch.write();
      anteBranch.write();
    }
    return {
      code: 0,
      codespace: "",
      log: "",
      // CheckTx answers carry no data (see checkTx).
      data: mode === "check" ? new Uint8Array() : TxMsgData.encode({ data: [], msgResponses }).finish(),
      gasWanted: mode === "simulate" ? meter.consumed : gasWanted,
      gasUsed: meter.consumed,
      events: [...anteCtx.events, ...msgEvents],
      msgResponses,
    };
  }
}

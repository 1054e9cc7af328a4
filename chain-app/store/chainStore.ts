/** @module The chain's versioned, authenticated state: SQLite values plus a sparse Merkle tree whose root is the app hash. */
import type Database from "better-sqlite3";
import { InvalidArgumentError } from "../../common/errors.js";
import { BranchStore } from "./branch.js";
import { asU8, checkKey } from "./bytes.js";
import { HeightUnavailableError } from "./errors.js";
import { NodeStore, type RetiredNode, storedRef } from "./nodeStore.js";
import { encodeProof } from "./proof.js";
import { HistoryQueries, LatestReader } from "./readers.js";
import { openDatabase } from "./schema.js";
import { hashBytes } from "./smt.js";
import {
  EMPTY_REF,
  type EmptyRef,
  KIND_EMPTY,
  KIND_INNER,
  KIND_LEAF,
  type NodeRef,
  type StoredRef,
} from "./treeNodes.js";
import { type TreeOp, updateTree } from "./treeUpdate.js";
import type { IterateRange, KVReader, StoreBranch } from "./types.js";

export interface ChainStoreOptions {
  /** Heights kept readable and provable, counting the latest (default 100; 0 = keep all). */
  retainHeights?: number;
  /** Tree pages (4 levels each) cached in memory as bytes (default 200,000: all pages of a ~2M-key state, ≤ ~150 MB). */
  pageCacheSize?: number;
  /** SQLite durability: "full" (default) fsyncs every commit; "normal" can lose (never corrupt) the last block on power loss. */
  synchronous?: "full" | "normal";
}

interface ValueOp {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
  readonly old: { value: Uint8Array; since: number } | undefined;
}

interface Staged {
  readonly version: number;
  readonly root: NodeRef;
  readonly valueOps: readonly ValueOp[];
  readonly retired: readonly RetiredNode[];
}

/** Retired-page sets pruned per commit at most: bounds commit time after the retention window shrinks. */
const PRUNE_BATCH = 8;

export class ChainStore {
  readonly #db: Database.Database;
  readonly #nodes: NodeStore;
  readonly #latest: LatestReader;
  readonly #history: HistoryQueries;
  readonly #retain: number;
  readonly #stmts;
  #lastVersion: number;
  #root: EmptyRef | StoredRef;
  #staged: Staged | undefined;
  /** Bumped at every commit so branches opened before it are refused by prepareCommit. */
  #generation = 0;
  #closed = false;
  /** Oldest height with a stored root (refreshed after every commit, which is when pruning happens). */
  #firstVersion: number;

  private constructor(db: Database.Database, options: ChainStoreOptions) {
    const retain = options.retainHeights ?? 100;
    if (!Number.isSafeInteger(retain) || retain < 0) {
      throw new InvalidArgumentError(`retainHeights must be a non-negative integer, got ${retain}`);
    }
    this.#db = db;
    this.#retain = retain;
    this.#nodes = new NodeStore(db, options.pageCacheSize ?? 200_000);
    this.#latest = new LatestReader(db);
    this.#history = new HistoryQueries(db);
    this.#stmts = {
      lastRoot: db.prepare("SELECT version, kind, node_version, hash FROM roots ORDER BY version DESC LIMIT 1"),
      rootAt: db.prepare("SELECT version, kind, node_version, hash FROM roots WHERE version = ?"),
      firstRoot: db.prepare("SELECT MIN(version) FROM roots").pluck(),
      insertRoot: db.prepare("INSERT INTO roots (version, kind, node_version, hash) VALUES (?, ?, ?, ?)"),
      upsertLatest: db.prepare(
        "INSERT INTO latest (key, value, since) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, since = excluded.since",
      ),
      deleteLatest: db.prepare("DELETE FROM latest WHERE key = ?"),
      insertHistory: db.prepare("INSERT INTO history (key, until, since, value) VALUES (?, ?, ?, ?)"),
      pruneHistory: db.prepare("DELETE FROM history WHERE until <= ?"),
      pruneRoots: db.prepare("DELETE FROM roots WHERE version < ?"),
    };
    const row = this.#stmts.lastRoot.get() as RootRow | undefined;
    this.#lastVersion = row?.version ?? 0;
    this.#root = row === undefined ? EMPTY_REF : rootRef(row);
    this.#firstVersion = (this.#stmts.firstRoot.get() as number | null) ?? 0;
  }

  /** Opens (creating if needed) the store at `path` (a file; ":memory:" for tests). */
  static open(path: string, options: ChainStoreOptions = {}): ChainStore {
    const db = openDatabase(path, options.synchronous === undefined ? {} : { synchronous: options.synchronous });
    try {
      return new ChainStore(db, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Last committed height, 0n when fresh. */
  get lastHeight(): bigint {
    return BigInt(this.#lastVersion);
  }

  /** App hash of lastHeight (the empty-tree root, 32 zero bytes, when fresh). */
  get lastAppHash(): Uint8Array {
    return this.#root.hash.slice();
  }

  /** Oldest height readerAt/prove/appHashAt still serve (lastHeight when nothing is committed). */
  get earliestHeight(): bigint {
    return BigInt(this.#earliest());
  }

  get retainHeights(): number {
    return this.#retain;
  }

  /** The latest committed state (follows later commits). */
  committed(): KVReader {
    this.#assertOpen();
    return this.#latest;
  }

  /** A branch over the latest committed state; only such a branch can be passed to prepareCommit. */
  branch(): StoreBranch {
    this.#assertOpen();
    return new BranchStore(this.#latest, undefined, { owner: this, generation: this.#generation });
  }

  /** Computes the app hash that committing `branch` at `height` yields, and stages it (nothing persisted). */
  prepareCommit(height: bigint, branch: StoreBranch): Uint8Array {
    this.#assertOpen();
    const version = toVersion(height);
    if (this.#lastVersion > 0 && version !== this.#lastVersion + 1) {
      throw new InvalidArgumentError(
        `cannot prepare height ${height}: the next height after ${this.#lastVersion} is ${this.#lastVersion + 1}`,
      );
    }
    if (!(branch instanceof BranchStore) || branch.origin?.owner !== this) {
      throw new InvalidArgumentError("prepareCommit needs a top-level branch from this store's branch()");
    }
    if (branch.origin.generation !== this.#generation) {
      throw new InvalidArgumentError(
        `this branch was opened before height ${this.#lastVersion} was committed; open a new one`,
      );
    }
    const valueOps: ValueOp[] = [];
    const treeOps: TreeOp[] = [];
    for (const [key, value] of branch.changes()) {
      const old = this.#latest.getRow(key);
      // Deleting an absent key or rewriting the same bytes changes neither state nor hash.
      if (value === undefined ? old === undefined : old !== undefined && Buffer.compare(old.value, value) === 0)
        continue;
      valueOps.push({ key, value, old });
      treeOps.push({ keyHash: hashBytes(key), valueHash: value === undefined ? undefined : hashBytes(value) });
    }
    treeOps.sort((a, b) => Buffer.compare(a.keyHash, b.keyHash));
    for (let i = 1; i < treeOps.length; i++) {
      if (Buffer.compare((treeOps[i - 1] as TreeOp).keyHash, (treeOps[i] as TreeOp).keyHash) === 0) {
        throw new Error("two distinct keys share a SHA-256 hash"); // never expected; the tree needs unique paths
      }
    }
    const retired: RetiredNode[] = [];
    const root = updateTree(this.#root, treeOps, this.#nodes.context(retired));
    this.#staged = { version, root, valueOps, retired };
    return root.hash.slice();
  }

  /** Persists the staged height atomically in one SQLite transaction. Throws if nothing is staged. */
  commit(): { height: bigint; appHash: Uint8Array } {
    this.#assertOpen();
    const s = this.#staged;
    if (s === undefined) throw new InvalidArgumentError("commit() without a staged height: call prepareCommit first");
    const v = s.version;
    const st = this.#stmts;
    const newRoot = storedRef(s.root, v);
    let cacheEntries: ReturnType<NodeStore["writeTree"]> = [];
    // Before the transaction: whether it commits or rolls back, no remembered value of these keys survives.
    this.#latest.forget(s.valueOps.map((op) => op.key));
    this.#db.transaction(() => {
      cacheEntries = this.#nodes.writeTree(s.root, v);
      this.#nodes.writeRetired(v, s.retired);
      for (const op of s.valueOps) {
        if (op.old !== undefined) st.insertHistory.run(op.key, v, op.old.since, op.old.value);
        if (op.value === undefined) st.deleteLatest.run(op.key);
        else st.upsertLatest.run(op.key, op.value, v);
      }
      st.insertRoot.run(v, newRoot.kind, newRoot.kind === KIND_EMPTY ? 0 : newRoot.version, newRoot.hash);
      if (this.#retain > 0) {
        // Heights ≥ keepFrom stay readable; pages retired at ≤ keepFrom belong only to older trees.
        const keepFrom = v - this.#retain + 1;
        if (keepFrom > 0) {
          this.#nodes.prune(keepFrom, PRUNE_BATCH);
          st.pruneHistory.run(keepFrom);
          st.pruneRoots.run(keepFrom);
        }
      }
    })();
    this.#nodes.installCache(cacheEntries);
    this.#lastVersion = v;
    this.#root = newRoot;
    this.#staged = undefined;
    this.#generation++;
    this.#firstVersion = (st.firstRoot.get() as number | null) ?? v;
    return { height: BigInt(v), appHash: newRoot.hash.slice() };
  }

  /** App hash committed at `height`, or undefined when not committed or no longer retained. */
  appHashAt(height: bigint): Uint8Array | undefined {
    this.#assertOpen();
    const v = toVersion(height, true);
    if (v === this.#lastVersion) return this.#root.hash.slice();
    if (v < this.#earliest() || v > this.#lastVersion) return undefined;
    const row = this.#stmts.rootAt.get(v) as RootRow | undefined;
    return row === undefined ? undefined : asU8(row.hash).slice();
  }

  /** Reads the state as of a committed height inside the retention window. */
  readerAt(height: bigint): KVReader {
    this.#assertOpen();
    const h = toVersion(height, true);
    this.#assertReadable(h);
    // Pinned to h: follows `latest` while h is the last height, then history once newer blocks exist.
    const get = (key: Uint8Array): Uint8Array | undefined => {
      this.#assertReadable(h);
      return h === this.#lastVersion ? this.#latest.get(key) : this.#history.get(key, h);
    };
    return {
      get,
      has: (key: Uint8Array): boolean => get(key) !== undefined,
      iterate: (range?: IterateRange): IterableIterator<[Uint8Array, Uint8Array]> => {
        this.#assertReadable(h);
        return h === this.#lastVersion ? this.#latest.iterate(range) : this.#history.iterate(range, h);
      },
    };
  }

  /** Value (or absence) of `key` at a committed height with a proof verifiable against appHashAt(height). */
  prove(height: bigint, key: Uint8Array): { value: Uint8Array | undefined; proof: Uint8Array } {
    this.#assertOpen();
    checkKey(key);
    const h = toVersion(height, true);
    this.#assertReadable(h);
    let root: EmptyRef | StoredRef = this.#root;
    if (h !== this.#lastVersion) {
      const row = this.#stmts.rootAt.get(h) as RootRow | undefined;
      if (row === undefined) throw notRetained(h, this.#earliest(), this.#lastVersion);
      root = rootRef(row);
    }
    const value = this.readerAt(height).get(key);
    const proof = encodeProof(this.#nodes.proof(root, hashBytes(key)));
    return { value, proof };
  }

  /** Tree pages read from SQLite (page-cache misses) since the last call; for benchmarks and diagnostics. */
  takePageLoads(): number {
    const n = this.#nodes.loads;
    this.#nodes.loads = 0;
    return n;
  }

  /** Closes the database; anything staged but not committed is discarded. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#staged = undefined;
    this.#db.close();
  }

  #earliest(): number {
    const first = this.#lastVersion === 0 ? 0 : this.#firstVersion;
    return this.#retain === 0 ? first : Math.max(first, this.#lastVersion - this.#retain + 1);
  }

  #assertReadable(h: number): void {
    if (h > this.#lastVersion) {
      throw new HeightUnavailableError(
        BigInt(h),
        `height ${h} is in the future: last committed height is ${this.#lastVersion}`,
      );
    }
    if (h === this.#lastVersion) return;
    const earliest = this.#earliest();
    if (h < earliest) throw notRetained(h, earliest, this.#lastVersion);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidArgumentError("chain store is closed");
  }
}

interface RootRow {
  version: number;
  kind: number;
  node_version: number;
  hash: Uint8Array;
}

function rootRef(row: RootRow): EmptyRef | StoredRef {
  if (row.kind === KIND_EMPTY) return EMPTY_REF;
  if (row.kind !== KIND_LEAF && row.kind !== KIND_INNER) throw new Error(`corrupt root row at ${row.version}`);
  return { kind: row.kind, version: row.node_version, hash: asU8(row.hash).slice() };
}

function notRetained(h: number, earliest: number, last: number): HeightUnavailableError {
  return new HeightUnavailableError(
    BigInt(h),
    `height ${h} is not retained: readable heights are ${earliest}..${last} (older heights are pruned)`,
  );
}

function toVersion(height: bigint, allowZero = false): number {
  if (typeof height !== "bigint") throw new InvalidArgumentError(`height must be a bigint, got ${typeof height}`);
  if (height < (allowZero ? 0n : 1n) || height > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError(`height out of range: ${height}`);
  }
  return Number(height);
}

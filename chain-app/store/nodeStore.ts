/** @module Persisted tree nodes: cached loads, writing a prepared tree, retiring and pruning old nodes, building proofs. */
import type Database from "better-sqlite3";
import type { DecodedProof } from "./proof.js";
import { EMPTY_HASH, pathBit } from "./smt.js";
import {
  decodeInner,
  decodeLeaf,
  EMPTY_REF,
  type EmptyRef,
  encodeInner,
  encodeLeaf,
  type InnerNode,
  KIND_EMPTY,
  KIND_INNER,
  KIND_LEAF,
  type LeafNode,
  type NodeRef,
  pathKey,
  type StoredRef,
} from "./treeNodes.js";
import type { TreeContext } from "./treeUpdate.js";

interface CacheEntry {
  version: number;
  node: LeafNode | InnerNode;
}

/** A node the tree stopped using at some version: (path, version it was written at). */
export type RetiredNode = readonly [path: Uint8Array, version: number];

export class NodeStore {
  readonly #cache = new Map<string, CacheEntry>();
  readonly #cacheLimit: number;
  readonly #select: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #insertRetired: Database.Statement;
  readonly #selectRetired: Database.Statement;
  readonly #deleteRetired: Database.Statement;
  /** Nodes read from the database since the last reset (for benchmarks). */
  loads = 0;

  constructor(db: Database.Database, cacheLimit: number) {
    this.#cacheLimit = cacheLimit;
    this.#select = db.prepare("SELECT data FROM nodes WHERE path = ? AND version = ?").pluck();
    this.#insert = db.prepare("INSERT INTO nodes (path, version, data) VALUES (?, ?, ?)");
    this.#delete = db.prepare("DELETE FROM nodes WHERE path = ? AND version = ?");
    this.#insertRetired = db.prepare("INSERT INTO retired (version, nodes) VALUES (?, ?)");
    this.#selectRetired = db.prepare("SELECT version, nodes FROM retired WHERE version <= ? ORDER BY version LIMIT ?");
    this.#deleteRetired = db.prepare("DELETE FROM retired WHERE version = ?");
  }

  /** A TreeContext for one update that records retired nodes into `retired`. */
  context(retired: RetiredNode[]): TreeContext {
    return {
      loadLeaf: (path, version) => this.loadLeaf(path, version),
      loadInner: (path, version) => this.loadInner(path, version),
      retire: (path, version) => {
        retired.push([path, version]);
      },
    };
  }

  loadLeaf(path: Uint8Array, version: number): LeafNode {
    return this.#load(path, version, decodeLeaf) as LeafNode;
  }

  loadInner(path: Uint8Array, version: number): InnerNode {
    return this.#load(path, version, decodeInner) as InnerNode;
  }

  #load(path: Uint8Array, version: number, decode: (d: Uint8Array) => LeafNode | InnerNode): LeafNode | InnerNode {
    const k = cacheKey(path);
    const hit = this.#cache.get(k);
    if (hit !== undefined && hit.version === version) return hit.node;
    const data = this.#select.get(path, version) as Uint8Array | undefined;
    if (data === undefined) {
      throw new Error(`chain store is missing tree node at depth ${path[0]} version ${version} (pruned or corrupt)`);
    }
    this.loads++;
    const node = decode(data);
    // Keep the newest version per path: older ones are only read for historical proofs.
    if (hit === undefined || hit.version < version) this.#remember(k, version, node);
    return node;
  }

  #remember(k: string, version: number, node: LeafNode | InnerNode): void {
    if (!this.#cache.has(k) && this.#cache.size >= this.#cacheLimit) {
      // Drop the oldest tenth (Map keeps insertion order); cheaper than strict LRU bookkeeping.
      let n = Math.max(1, this.#cacheLimit >>> 3);
      for (const key of this.#cache.keys()) {
        this.#cache.delete(key);
        if (--n === 0) break;
      }
    }
    this.#cache.set(k, { version, node });
  }

  /**
   * Inserts every pending node under `root` at `version` (call inside the commit transaction) and
   * returns the cache entries to install once that transaction has committed.
   */
  writeTree(root: NodeRef, version: number): Array<[string, CacheEntry]> {
    const entries: Array<[string, CacheEntry]> = [];
    const bits = new Uint8Array(32);
    const walk = (ref: NodeRef, depth: number): void => {
      if (!ref.pending) return;
      if (ref.kind === KIND_LEAF) {
        const path = pathKey(ref.keyHash, depth);
        this.#insert.run(path, version, encodeLeaf(ref.keyHash, ref.valueHash));
        entries.push([cacheKey(path), { version, node: { keyHash: ref.keyHash, valueHash: ref.valueHash } }]);
        return;
      }
      const path = pathKey(bits, depth);
      this.#insert.run(path, version, encodeInner(ref.left, ref.right, version));
      const node: InnerNode = { left: storedRef(ref.left, version), right: storedRef(ref.right, version) };
      entries.push([cacheKey(path), { version, node }]);
      const byte = depth >>> 3;
      const mask = 0x80 >>> (depth & 7);
      bits[byte] = (bits[byte] as number) & ~mask;
      walk(ref.left, depth + 1);
      bits[byte] = (bits[byte] as number) | mask;
      walk(ref.right, depth + 1);
    };
    walk(root, 0);
    return entries;
  }

  installCache(entries: Array<[string, CacheEntry]>): void {
    for (const [k, e] of entries) this.#remember(k, e.version, e.node);
  }

  writeRetired(version: number, retired: readonly RetiredNode[]): void {
    if (retired.length === 0) return;
    let size = 0;
    for (const [path] of retired) size += path.length + 8;
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    let o = 0;
    for (const [path, v] of retired) {
      out.set(path, o);
      o += path.length;
      dv.setUint32(o, Math.floor(v / 0x1_0000_0000));
      dv.setUint32(o + 4, v >>> 0);
      o += 8;
    }
    this.#insertRetired.run(version, out);
  }

  /**
   * Deletes nodes retired at versions ≤ `upTo` (no retained tree uses them), at most `maxVersions`
   * retired sets per call so one commit never does an unbounded amount of pruning. Returns how
   * many retired sets remain ≤ upTo is unknown; returns the number of sets processed.
   */
  prune(upTo: number, maxVersions: number): number {
    const rows = this.#selectRetired.all(upTo, maxVersions) as Array<{ version: number; nodes: Uint8Array }>;
    for (const row of rows) {
      const data = row.nodes;
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let o = 0;
      while (o < data.length) {
        const len = 1 + (((data[o] as number) + 7) >>> 3);
        const path = data.subarray(o, o + len);
        o += len;
        const v = dv.getUint32(o) * 0x1_0000_0000 + dv.getUint32(o + 4);
        o += 8;
        this.#delete.run(path, v);
        const k = cacheKey(path);
        if (this.#cache.get(k)?.version === v) this.#cache.delete(k);
      }
      this.#deleteRetired.run(row.version);
    }
    return rows.length;
  }

  /** The path from `root` towards keyHash, as a proof (root must be a committed root). */
  proof(root: EmptyRef | StoredRef, keyHash: Uint8Array): DecodedProof {
    const siblings: Uint8Array[] = [];
    let ref: EmptyRef | StoredRef = root;
    for (let depth = 0; ; depth++) {
      if (ref.kind === KIND_EMPTY) return { terminal: { kind: "empty" }, depth, siblings };
      const path = pathKey(keyHash, depth);
      if (ref.kind === KIND_LEAF) {
        const leaf = this.loadLeaf(path, ref.version);
        return { terminal: { kind: "leaf", keyHash: leaf.keyHash, valueHash: leaf.valueHash }, depth, siblings };
      }
      const node = this.loadInner(path, ref.version);
      if (pathBit(keyHash, depth) === 0) {
        siblings.push(node.right.kind === KIND_EMPTY ? EMPTY_HASH : node.right.hash);
        ref = node.left;
      } else {
        siblings.push(node.left.kind === KIND_EMPTY ? EMPTY_HASH : node.left.hash);
        ref = node.right;
      }
    }
  }

  clearCache(): void {
    this.#cache.clear();
  }
}

/** The committed form of a reference once the tree containing it is written at `version`. */
export function storedRef(ref: NodeRef, version: number): EmptyRef | StoredRef {
  if (ref.kind === KIND_EMPTY) return EMPTY_REF;
  if (!ref.pending) return ref;
  return { kind: ref.kind === KIND_LEAF ? KIND_LEAF : KIND_INNER, version, hash: ref.hash };
}

function cacheKey(path: Uint8Array): string {
  return Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString("latin1");
}

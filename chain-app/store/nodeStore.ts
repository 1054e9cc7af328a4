/** @module Persisted tree pages: cached loads, writing a prepared tree, retiring and pruning old pages, building proofs. */
import type Database from "better-sqlite3";
import { latin1String } from "../../common/latin1.js";
import {
  type DecodedChild,
  type DecodedInner,
  type DecodedLeaf,
  decodePage,
  PAGE_LEVELS,
  PageWriter,
  pageDepthOf,
} from "./pages.js";
import type { DecodedProof } from "./proof.js";
import { EMPTY_HASH, pathBit } from "./smt.js";
import {
  EMPTY_REF,
  type EmptyRef,
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

/**
 * Pages are cached as their encoded bytes and decoded on each use: decoding is a few µs, while
 * keeping decoded node objects alive would put ~30 objects per page into the old generation and
 * make every block's page turnover a major-GC cost.
 */
interface CachedPage {
  readonly version: number;
  readonly data: Uint8Array;
}

/** A page the tree stopped using at some version: (page path key, version it was written at). */
export type RetiredNode = readonly [path: Uint8Array, version: number];

export class NodeStore {
  readonly #cache = new Map<string, CachedPage>();
  readonly #cacheLimit: number;
  readonly #select: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #insertRetired: Database.Statement;
  readonly #selectRetired: Database.Statement;
  readonly #deleteRetired: Database.Statement;
  readonly #writer = new PageWriter();
  /** Pages read from SQLite (cache misses) since the counter was last reset. */
  loads = 0;

  constructor(db: Database.Database, cacheLimit: number) {
    this.#cacheLimit = cacheLimit;
    this.#select = db.prepare("SELECT data FROM nodes WHERE version = ? AND path = ?").pluck();
    this.#insert = db.prepare("INSERT INTO nodes (version, path, data) VALUES (?, ?, ?)");
    this.#delete = db.prepare("DELETE FROM nodes WHERE version = ? AND path = ?");
    this.#insertRetired = db.prepare("INSERT INTO retired (version, nodes) VALUES (?, ?)");
    this.#selectRetired = db.prepare("SELECT version, nodes FROM retired WHERE version <= ? ORDER BY version LIMIT ?");
    this.#deleteRetired = db.prepare("DELETE FROM retired WHERE version = ?");
  }

  /** A TreeContext for one update that records the pages it replaces into `retired`. */
  context(retired: RetiredNode[]): TreeContext {
    return {
      // References handed out by decoded pages carry their node, so most loads are free.
      loadLeaf: (ref, probe, depth) =>
        ref instanceof Object && "keyHash" in ref
          ? (ref as DecodedLeaf)
          : this.loadLeaf(pathKey(probe, depth), ref.version),
      loadInner: (ref, probe, depth) =>
        (ref as { left?: unknown }).left !== undefined
          ? (ref as DecodedInner)
          : this.loadInner(pathKey(probe, depth), ref.version),
      retire: (ref, probe, depth) => {
        // Every changed node also changes its page's root, so retiring page roots covers each page once.
        if (depth % PAGE_LEVELS !== 0 || (ref.kind === KIND_LEAF && depth > 0)) return;
        retired.push([pathKey(probe, depth), ref.version]);
      },
    };
  }

  loadLeaf(path: Uint8Array, version: number): DecodedLeaf & LeafNode {
    const n = this.#find(path, version, KIND_LEAF);
    return n as DecodedLeaf;
  }

  loadInner(path: Uint8Array, version: number): DecodedInner & InnerNode {
    const n = this.#find(path, version, KIND_INNER);
    return n as DecodedInner;
  }

  /** The node at `path` (a pathKey) inside the page of `version` that holds it. */
  #find(path: Uint8Array, version: number, kind: number): DecodedChild {
    const depth = path[0] as number;
    const bits = path.subarray(1);
    const pageDepth = pageDepthOf(depth, kind);
    let node: DecodedChild = this.#page(pathKey(bits, pageDepth), pageDepth, version);
    for (let d = pageDepth; d < depth; d++) {
      if (node.kind !== KIND_INNER || node.left === undefined) break;
      node = pathBit(bits, d) === 0 ? node.left : node.right;
    }
    if (node.kind !== kind || (node.kind === KIND_INNER && node.left === undefined)) {
      throw new Error(`chain store tree page at depth ${pageDepth} version ${version} has no node at depth ${depth}`);
    }
    return node;
  }

  #page(pageKey: Uint8Array, pageDepth: number, version: number): DecodedLeaf | DecodedInner {
    const k = cacheKey(pageKey);
    const hit = this.#cache.get(k);
    if (hit !== undefined && hit.version === version) return decodePage(hit.data, pageDepth, version);
    const data = this.#select.get(version, pageKey) as Uint8Array | undefined;
    if (data === undefined) {
      throw new Error(
        `chain store is missing the tree page at depth ${pageDepth} version ${version} (pruned or corrupt)`,
      );
    }
    this.loads++;
    // Keep the newest version per path: older ones are only read for historical proofs.
    if (hit === undefined || hit.version < version) this.#remember(k, { version, data });
    return decodePage(data, pageDepth, version);
  }

  #remember(k: string, page: CachedPage): void {
    if (!this.#cache.has(k) && this.#cache.size >= this.#cacheLimit) {
      // Drop the oldest eighth (Map keeps insertion order); the top pages are rewritten, and so
      // re-inserted, at almost every block, so they stay.
      let n = Math.max(1, this.#cacheLimit >>> 3);
      for (const key of this.#cache.keys()) {
        this.#cache.delete(key);
        if (--n === 0) break;
      }
    }
    this.#cache.set(k, page);
  }

  /**
   * Inserts every page under `root` that contains new nodes, at `version` (call inside the commit
   * transaction); returns the pages to cache once that transaction has committed.
   */
  writeTree(root: NodeRef, version: number): Array<[string, CachedPage]> {
    const out: Array<[string, CachedPage]> = [];
    if (!root.pending) return out;
    const todo: Array<[NodeRef, number, Uint8Array]> = [[root, 0, new Uint8Array(32)]];
    const resolve = (ref: StoredRef, d: number, bits: Uint8Array) =>
      ref.kind === KIND_LEAF
        ? this.loadLeaf(pathKey(bits, d), ref.version)
        : this.loadInner(pathKey(bits, d), ref.version);
    // Breadth-first, children left to right: exactly the (version, path) key order, so every insert
    // appends to the B-tree instead of splitting pages in the middle.
    for (let next = 0; next < todo.length; next++) {
      const [ref, pageDepth, bits] = todo[next] as [NodeRef, number, Uint8Array];
      const key = pathKey(bits, pageDepth);
      const data = this.#writer.encode(ref, pageDepth, bits, version, resolve, (child, childBits) => {
        todo.push([child, pageDepth + PAGE_LEVELS, childBits]);
      });
      this.#insert.run(version, key, data);
      out.push([cacheKey(key), { version, data }]);
    }
    return out;
  }

  installCache(pages: Array<[string, CachedPage]>): void {
    for (const [k, p] of pages) this.#remember(k, p);
  }

  writeRetired(version: number, retired: readonly RetiredNode[]): void {
    if (retired.length === 0) return;
    let size = 0;
    for (const [path] of retired) size += path.length + 8;
    const out = new Uint8Array(size);
    let o = 0;
    for (const [path, v] of retired) {
      out.set(path, o);
      o += path.length;
      let x = v;
      for (let i = 7; i >= 0; i--) {
        out[o + i] = x % 256;
        x = Math.floor(x / 256);
      }
      o += 8;
    }
    this.#insertRetired.run(version, out);
  }

  /**
   * Deletes pages retired at versions ≤ upTo (no retained tree uses them), handling at most
   * `maxVersions` retired sets per call so one commit never does an unbounded amount of pruning.
   */
  prune(upTo: number, maxVersions: number): void {
    const rows = this.#selectRetired.all(upTo, maxVersions) as Array<{ version: number; nodes: Uint8Array }>;
    for (const row of rows) {
      const data = row.nodes;
      let o = 0;
      while (o < data.length) {
        const len = 1 + (((data[o] as number) + 7) >>> 3);
        const path = data.subarray(o, o + len);
        o += len;
        let v = 0;
        for (let i = 0; i < 8; i++) v = v * 256 + (data[o + i] as number);
        o += 8;
        this.#delete.run(v, path);
        const k = cacheKey(path);
        if (this.#cache.get(k)?.version === v) this.#cache.delete(k);
      }
      this.#deleteRetired.run(row.version);
    }
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
}

/** The committed form of a reference once the tree containing it is written at `version`. */
export function storedRef(ref: NodeRef, version: number): EmptyRef | StoredRef {
  if (ref.kind === KIND_EMPTY) return EMPTY_REF;
  if (!ref.pending) return { kind: ref.kind, version: ref.version, hash: ref.hash };
  return { kind: ref.kind === KIND_LEAF ? KIND_LEAF : KIND_INNER, version, hash: ref.hash };
}

function cacheKey(path: Uint8Array): string {
  return latin1String(path);
}

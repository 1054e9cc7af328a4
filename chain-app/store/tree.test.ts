/** @module The incremental app hash equals a from-scratch recomputation of the documented tree rules. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { ChainStore } from "./chainStore.js";
import { type DecodedChild, decodePage } from "./pages.js";
import { verifyProof } from "./proof.js";
import { KIND_INNER, pathKey } from "./treeNodes.js";

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tree rules of smt.ts, written independently (noble SHA-256, plain recursion over the whole set). */
function referenceRoot(state: Map<string, Uint8Array>): Uint8Array {
  const leaves = [...state].map(([k, v]) => ({ kh: sha256(unhex(k)), vh: sha256(v) }));
  leaves.sort((a, b) => Buffer.compare(a.kh, b.kh));
  const h = (prefix: number, a: Uint8Array, b: Uint8Array) => sha256(Uint8Array.from([prefix, ...a, ...b]));
  const bit = (kh: Uint8Array, i: number) => ((kh[i >> 3] as number) >> (7 - (i % 8))) & 1;
  const rec = (set: typeof leaves, d: number): Uint8Array => {
    if (set.length === 0) return new Uint8Array(32);
    if (set.length === 1) return h(0, (set[0] as (typeof leaves)[0]).kh, (set[0] as (typeof leaves)[0]).vh);
    return h(
      1,
      rec(
        set.filter((l) => bit(l.kh, d) === 0),
        d + 1,
      ),
      rec(
        set.filter((l) => bit(l.kh, d) === 1),
        d + 1,
      ),
    );
  };
  return rec(leaves, 0);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), "chainstore-"));
  dirs.push(d);
  return join(d, "state.db");
}

describe("app hash", () => {
  it("is 32 zero bytes for the empty state and leafHash for a single entry", () => {
    const store = ChainStore.open(":memory:");
    expect(store.lastAppHash).toEqual(new Uint8Array(32));
    const br = store.branch();
    br.set(Uint8Array.of(1, 2, 3), Uint8Array.of(9));
    const got = store.prepareCommit(1n, br);
    const expected = sha256(Uint8Array.from([0, ...sha256(Uint8Array.of(1, 2, 3)), ...sha256(Uint8Array.of(9))]));
    expect(hex(got)).toBe(hex(expected));
    store.close();
  });

  it("matches the reference over a random history, keeps exactly the tree pages retained heights need, and serves old heights", () => {
    const rnd = prng(2024);
    const path = tempDb();
    const retain = 4;
    let store = ChainStore.open(path, { retainHeights: retain, pageCacheSize: 64 });
    const state = new Map<string, Uint8Array>();
    const snapshots = new Map<number, Map<string, Uint8Array>>();
    const keySpace = 500;
    const keyOf = (i: number) => Uint8Array.from(Buffer.from(`key/${i}`));
    const blocks = 70;
    for (let h = 1; h <= blocks; h++) {
      const br = store.branch();
      let ops = Math.floor(rnd() * 60);
      let delProb = 0.3;
      if (h % 17 === 5) ops = 1500; // a large block: many inserts at once
      if (h % 23 === 11) delProb = 0.95; // mostly deletions: lone leaves get lifted
      for (let i = 0; i < ops; i++) {
        const k = keyOf(Math.floor(rnd() * (h % 17 === 5 ? 5000 : keySpace)));
        if (rnd() < delProb) {
          br.delete(k);
          state.delete(hex(k));
        } else {
          const v = Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
          br.set(k, v);
          state.set(hex(k), v);
        }
      }
      if (h === 40) {
        // Delete everything: the root goes back to EMPTY.
        for (const k of state.keys()) br.delete(unhex(k));
        state.clear();
      }
      const prepared = store.prepareCommit(BigInt(h), br);
      expect(hex(prepared), `height ${h}`).toBe(hex(referenceRoot(state)));
      expect(hex(store.commit().appHash)).toBe(hex(prepared));
      snapshots.set(h, new Map(state));
      if (h === 40) expect(store.lastAppHash).toEqual(new Uint8Array(32));
      if (h % 13 === 0) {
        // Reopen now and then: the cache starts cold, everything must come from SQLite.
        store.close();
        store = ChainStore.open(path, { retainHeights: retain, pageCacheSize: 64 });
        expect(store.lastHeight).toBe(BigInt(h));
      }
    }

    // Every retained height: reads, iteration and proofs match that height's snapshot.
    for (let h = blocks - retain + 1; h <= blocks; h++) {
      const snap = snapshots.get(h) as Map<string, Uint8Array>;
      const reader = store.readerAt(BigInt(h));
      const all = [...reader.iterate()].map(([k, v]) => `${hex(k)}=${hex(v)}`);
      const want = [...snap.keys()].sort().map((k) => `${k}=${hex(snap.get(k) as Uint8Array)}`);
      expect(all, `iterate at ${h}`).toEqual(want);
      const root = store.appHashAt(BigInt(h)) as Uint8Array;
      expect(hex(root)).toBe(hex(referenceRoot(snap)));
      for (let i = 0; i < 60; i++) {
        const k = keyOf(Math.floor(rnd() * keySpace));
        expect(reader.get(k)).toEqual(snap.get(hex(k)));
        const { value, proof } = store.prove(BigInt(h), k);
        expect(value).toEqual(snap.get(hex(k)));
        expect(verifyProof(root, k, value, proof), `proof ${i} at ${h}`).toBe(true);
      }
    }
    expect(() => store.readerAt(BigInt(blocks - retain))).toThrow(/not retained/);
    expect(store.appHashAt(BigInt(blocks - retain))).toBeUndefined();
    store.close();

    // Pruning is exact: the stored pages are precisely those reachable from the retained roots.
    const db = new Database(path, { readonly: true });
    const roots = db.prepare("SELECT version, kind, node_version FROM roots ORDER BY version").all() as Array<{
      version: number;
      kind: number;
      node_version: number;
    }>;
    expect(roots.map((r) => r.version)).toEqual([67, 68, 69, 70]);
    const reachable = new Set<string>();
    const getPage = db.prepare("SELECT data FROM nodes WHERE version = ? AND path = ?").pluck();
    const walkPage = (version: number, bits: Uint8Array, depth: number) => {
      const p = pathKey(bits, depth);
      const data = getPage.get(version, p) as Uint8Array | undefined;
      expect(data, `page at depth ${depth} v${version}`).toBeDefined();
      reachable.add(`${hex(p)}@${version}`);
      // Follow references to the pages below this one.
      const visit = (n: DecodedChild, d: number, b: Uint8Array) => {
        if (n.kind !== KIND_INNER) return;
        if (n.left === undefined) return walkPage(n.version, b, d);
        const l = b.slice();
        l[d >> 3] = (l[d >> 3] as number) & ~(0x80 >> (d % 8));
        const r = b.slice();
        r[d >> 3] = (r[d >> 3] as number) | (0x80 >> (d % 8));
        visit(n.left, d + 1, l);
        visit(n.right, d + 1, r);
      };
      const root = decodePage(data as Uint8Array, depth, version);
      if (root.kind === KIND_INNER) {
        const l = bits.slice();
        l[depth >> 3] = (l[depth >> 3] as number) & ~(0x80 >> (depth % 8));
        const r = bits.slice();
        r[depth >> 3] = (r[depth >> 3] as number) | (0x80 >> (depth % 8));
        visit(root.left, depth + 1, l);
        visit(root.right, depth + 1, r);
      }
    };
    for (const r of roots) if (r.kind !== 0) walkPage(r.node_version, new Uint8Array(32), 0);
    const stored = (
      db.prepare("SELECT path, version FROM nodes").all() as Array<{ path: Uint8Array; version: number }>
    ).map((r) => `${hex(r.path)}@${r.version}`);
    expect(new Set(stored)).toEqual(reachable);
    expect(stored.length).toBe(reachable.size);
    // Old values leave history once no retained height can see them.
    const oldHistory = db
      .prepare("SELECT COUNT(*) FROM history WHERE until <= ?")
      .pluck()
      .get(blocks - retain + 1);
    expect(oldHistory).toBe(0);
    db.close();
  });

  it("depends only on the final set of entries, not on insertion order or history", () => {
    const rnd = prng(99);
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 700; i++) {
      entries.push([Uint8Array.from(Buffer.from(`acct/${i}`)), Uint8Array.from(Buffer.from(`bal ${i * 7}`))]);
    }
    // Store A: all at once in order.
    const a = ChainStore.open(":memory:");
    const ba = a.branch();
    for (const [k, v] of entries) ba.set(k, v);
    const rootA = a.prepareCommit(1n, ba);

    // Store B: shuffled, across many blocks, with detours (temporary values and deletions).
    const b = ChainStore.open(":memory:");
    const shuffled = [...entries].map((e, i, arr) => arr[(i * 389) % arr.length] as typeof e);
    let h = 1n;
    for (let i = 0; i < shuffled.length; i += 50) {
      const br = b.branch();
      for (const [k, v] of shuffled.slice(i, i + 50)) {
        br.set(k, Uint8Array.of(1, 2, 3));
        if (rnd() < 0.5) br.set(k, v);
      }
      br.set(Uint8Array.of(0xee, Math.floor(rnd() * 256)), Uint8Array.of(0)); // junk removed later
      b.prepareCommit(h, br);
      b.commit();
      h++;
    }
    const fix = b.branch();
    for (const [k, v] of entries) fix.set(k, v);
    for (let i = 0; i < 256; i++) fix.delete(Uint8Array.of(0xee, i));
    const rootB = b.prepareCommit(h, fix);
    expect(hex(rootB)).toBe(hex(rootA));
    a.close();
    b.close();
  });
});

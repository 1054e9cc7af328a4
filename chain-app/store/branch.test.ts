/** @module Branch and prefix-store semantics against a plain sorted-map model. */
import { afterEach, describe, expect, it } from "vitest";
import { ChainStore } from "./chainStore.js";
import { prefixStore } from "./prefixStore.js";
import type { KVReader, StoreBranch } from "./types.js";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

/** Deterministic PRNG for the tests only (mulberry32). */
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

function entries(r: KVReader, range?: Parameters<KVReader["iterate"]>[0]): string[] {
  return [...r.iterate(range)].map(([k, v]) => `${hex(k)}=${hex(v)}`);
}

function modelEntries(
  m: Map<string, string>,
  range: { start?: Uint8Array; end?: Uint8Array; reverse?: boolean } = {},
): string[] {
  const s = range.start ? hex(range.start) : undefined;
  const e = range.end ? hex(range.end) : undefined;
  // Hex strings of equal-prefix bytes compare like the bytes (hex is order-preserving per byte).
  const keys = [...m.keys()].filter((k) => (s === undefined || k >= s) && (e === undefined || k < e)).sort();
  if (range.reverse) keys.reverse();
  return keys.map((k) => `${k}=${m.get(k)}`);
}

const stores: ChainStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
function open(): ChainStore {
  const s = ChainStore.open(":memory:");
  stores.push(s);
  return s;
}

function commitAll(store: ChainStore, kv: Record<string, string>): void {
  const br = store.branch();
  for (const [k, v] of Object.entries(kv)) br.set(b(k), b(v));
  store.prepareCommit(store.lastHeight + 1n, br);
  store.commit();
}

describe("StoreBranch", () => {
  it("reads through to the parent and shadows it with its own writes and deletes", () => {
    const store = open();
    commitAll(store, { a: "1", b: "2", c: "3" });
    const br = store.branch();
    expect(br.get(b("a"))).toEqual(b("1"));
    br.set(b("a"), b("10"));
    br.delete(b("b"));
    br.set(b("d"), b("4"));
    expect(br.get(b("a"))).toEqual(b("10"));
    expect(br.get(b("b"))).toBeUndefined();
    expect(br.has(b("b"))).toBe(false);
    expect(br.has(b("d"))).toBe(true);
    expect(store.committed().get(b("a"))).toEqual(b("1"));
    expect(entries(br)).toEqual(
      modelEntries(
        new Map([
          ["61", "3130"],
          ["63", "33"],
          ["64", "34"],
        ]),
      ),
    );
  });

  it("nested branches stay invisible to the parent until write(), and write() merges net changes", () => {
    const store = open();
    commitAll(store, { a: "1", b: "2" });
    const block = store.branch();
    block.set(b("x"), b("blk"));
    const tx = block.branch();
    tx.set(b("a"), b("tx"));
    tx.delete(b("x"));
    tx.set(b("y"), b("new"));
    expect(block.get(b("a"))).toEqual(b("1"));
    expect(block.get(b("x"))).toEqual(b("blk"));
    expect(tx.get(b("x"))).toBeUndefined();

    // A failed tx: its branch is dropped, nothing reaches the block.
    const failed = block.branch();
    failed.set(b("a"), b("lost"));
    expect(block.get(b("a"))).toEqual(b("1"));

    const deeper = tx.branch();
    deeper.set(b("z"), b("deep"));
    deeper.write();
    expect(tx.get(b("z"))).toEqual(b("deep"));
    expect(deeper.changes()).toEqual([]);

    tx.write();
    expect(block.get(b("a"))).toEqual(b("tx"));
    expect(block.get(b("x"))).toBeUndefined();
    expect(block.get(b("z"))).toEqual(b("deep"));
    expect(block.changes()).toEqual([
      [b("a"), b("tx")],
      [b("x"), undefined],
      [b("y"), b("new")],
      [b("z"), b("deep")],
    ]);
    expect(() => block.write()).toThrow(/prepareCommit/);
  });

  it("delete then set, and set then delete, keep only the last operation", () => {
    const store = open();
    commitAll(store, { k: "old" });
    const br = store.branch();
    br.delete(b("k"));
    br.set(b("k"), b("again"));
    expect(br.get(b("k"))).toEqual(b("again"));
    br.set(b("n"), b("1"));
    br.delete(b("n"));
    expect(br.get(b("n"))).toBeUndefined();
    expect(br.changes()).toEqual([
      [b("k"), b("again")],
      [b("n"), undefined],
    ]);
    const child = br.branch();
    child.delete(b("k"));
    child.set(b("k"), b("child"));
    child.write();
    expect(br.get(b("k"))).toEqual(b("child"));
  });

  it("copies keys and values so caller mutation cannot leak in", () => {
    const store = open();
    const br = store.branch();
    const k = b("key");
    const v = b("val");
    br.set(k, v);
    v[0] = 0;
    k[0] = 0;
    expect(br.get(b("key"))).toEqual(b("val"));
  });

  it("rejects bad keys and values with clear errors", () => {
    const store = open();
    const br = store.branch();
    expect(() => br.set(new Uint8Array(0), b("v"))).toThrow(/empty/);
    expect(() => br.set("k" as unknown as Uint8Array, b("v"))).toThrow(/Uint8Array/);
    expect(() => br.set(b("k"), "v" as unknown as Uint8Array)).toThrow(/Uint8Array/);
    expect(() => br.get(new Uint8Array(5000))).toThrow(/too long/);
  });

  it("iteration merges the layers in unsigned byte order, with ranges and reverse, matching a model", () => {
    const rnd = prng(7);
    const store = open();
    const model = new Map<string, string>();
    const randKey = (): Uint8Array => {
      // Short keys over a small alphabet incl. 0x00 and 0xff force shared prefixes and edge bytes.
      const len = 1 + Math.floor(rnd() * 3);
      const alphabet = [0x00, 0x01, 0x41, 0x7f, 0x80, 0xfe, 0xff];
      return Uint8Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)] as number);
    };
    const randVal = (): Uint8Array =>
      Uint8Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Math.floor(rnd() * 256));
    // Committed base with > 256 keys (the page size) in the 2-byte space.
    const base = store.branch();
    for (let i = 0; i < 400; i++) {
      const k = Uint8Array.of(Math.floor(rnd() * 256), Math.floor(rnd() * 256));
      const v = randVal();
      base.set(k, v);
      model.set(hex(k), hex(v));
    }
    store.prepareCommit(1n, base);
    store.commit();

    const block = store.branch();
    const apply = (br: StoreBranch, m: Map<string, string>, n: number) => {
      for (let i = 0; i < n; i++) {
        const k = rnd() < 0.5 ? randKey() : Uint8Array.of(Math.floor(rnd() * 256), Math.floor(rnd() * 256));
        if (rnd() < 0.35) {
          br.delete(k);
          m.delete(hex(k));
        } else {
          const v = randVal();
          br.set(k, v);
          m.set(hex(k), hex(v));
        }
      }
    };
    apply(block, model, 300);
    const txModel = new Map(model);
    const tx = block.branch();
    apply(tx, txModel, 200);

    const bounds = (): { start?: Uint8Array; end?: Uint8Array; reverse?: boolean } => {
      const r: { start?: Uint8Array; end?: Uint8Array; reverse?: boolean } = {};
      if (rnd() < 0.6) r.start = randKey();
      if (rnd() < 0.6) r.end = randKey();
      if (rnd() < 0.5) r.reverse = true;
      return r;
    };
    expect(entries(block)).toEqual(modelEntries(model));
    expect(entries(tx, { reverse: true })).toEqual(modelEntries(txModel, { reverse: true }));
    for (let i = 0; i < 200; i++) {
      const r = bounds();
      expect(entries(block, r)).toEqual(modelEntries(model, r));
      expect(entries(tx, r)).toEqual(modelEntries(txModel, r));
    }
    tx.write();
    expect(entries(block)).toEqual(modelEntries(txModel));
    // Committing the block and reading the committed state gives the same view.
    store.prepareCommit(2n, block);
    store.commit();
    for (let i = 0; i < 50; i++) {
      const r = bounds();
      expect(entries(store.committed(), r)).toEqual(modelEntries(txModel, r));
    }
  });

  it("allows reads and writes while iterating", () => {
    const store = open();
    const kv: Record<string, string> = {};
    for (let i = 0; i < 600; i++) kv[`k${String(i).padStart(4, "0")}`] = `${i}`;
    commitAll(store, kv);
    const br = store.branch();
    let n = 0;
    for (const [k] of br.iterate()) {
      br.delete(k); // e.g. pruning expired entries while walking them
      expect(store.committed().has(k)).toBe(true);
      n++;
    }
    expect(n).toBe(600);
    expect([...br.iterate()]).toEqual([]);
  });
});

describe("prefixStore", () => {
  it("prefixes keys transparently and iterates only its own slice with the prefix stripped", () => {
    const store = open();
    commitAll(store, { "a/1": "x", "b/1": "y", "b/2": "z", b0: "other", c: "w" });
    const br = store.branch();
    const p = prefixStore(br, b("b/"));
    expect(p.get(b("1"))).toEqual(b("y"));
    p.set(b("3"), b("new"));
    p.delete(b("2"));
    expect(br.get(b("b/3"))).toEqual(b("new"));
    expect(br.has(b("b/2"))).toBe(false);
    expect([...p.iterate()].map(([k, v]) => `${Buffer.from(k)}=${Buffer.from(v)}`)).toEqual(["1=y", "3=new"]);
    expect([...p.iterate({ reverse: true })].map(([k]) => Buffer.from(k).toString())).toEqual(["3", "1"]);
    expect([...p.iterate({ start: b("2") })].map(([k]) => Buffer.from(k).toString())).toEqual(["3"]);
    expect([...p.iterate({ end: b("3") })].map(([k]) => Buffer.from(k).toString())).toEqual(["1"]);
    // Nested prefixes compose.
    const pp = prefixStore(prefixStore(br, b("b")), b("/"));
    expect([...pp.iterate()].length).toBe(2);
    // The empty sub-key is the prefix itself.
    p.set(new Uint8Array(0), b("self"));
    expect(br.get(b("b/"))).toEqual(b("self"));
  });

  it("handles 0xff prefixes, whose range has no upper bound", () => {
    const store = open();
    const br = store.branch();
    br.set(Uint8Array.of(0xff, 0xff, 1), b("a"));
    br.set(Uint8Array.of(0xff, 0xfe), b("outside"));
    br.set(Uint8Array.of(0xff, 0xff), b("self"));
    const p = prefixStore(br, Uint8Array.of(0xff, 0xff));
    expect([...p.iterate()].map(([k]) => hex(k))).toEqual(["", "01"]);
    expect(() => prefixStore(br, new Uint8Array(0))).toThrow(/non-empty/);
  });
});

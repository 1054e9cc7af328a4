/** @module ChainStore lifecycle: persistence across reopen, crash between prepare and commit, and API misuse. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChainStore } from "./chainStore.js";
import { verifyProof } from "./proof.js";
import type { StoreBranch } from "./types.js";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), "chainstore-"));
  dirs.push(d);
  return join(d, "state.db");
}

/** Deterministic block contents: the same height always produces the same writes. */
function fillBlock(br: StoreBranch, h: number): void {
  for (let i = 0; i < 200; i++) br.set(b(`acct/${(h * 37 + i * 11) % 900}`), b(`bal ${h}:${i}`));
  br.delete(b(`acct/${(h * 13) % 900}`));
  br.set(b("height"), b(String(h)));
}

describe("ChainStore", () => {
  it("persists height, app hash and values across reopen", () => {
    const path = tempDb();
    const s = ChainStore.open(path);
    expect(s.lastHeight).toBe(0n);
    expect(s.lastAppHash).toEqual(new Uint8Array(32));
    const hashes: string[] = [];
    for (let h = 1; h <= 5; h++) {
      const br = s.branch();
      fillBlock(br, h);
      s.prepareCommit(BigInt(h), br);
      const r = s.commit();
      expect(r.height).toBe(BigInt(h));
      hashes.push(hex(r.appHash));
    }
    const before = [...s.committed().iterate()].map(([k, v]) => `${hex(k)}=${hex(v)}`);
    s.close();

    const r = ChainStore.open(path);
    expect(r.lastHeight).toBe(5n);
    expect(hex(r.lastAppHash)).toBe(hashes[4]);
    expect(hex(r.appHashAt(3n) as Uint8Array)).toBe(hashes[2]);
    expect(r.committed().get(b("height"))).toEqual(b("5"));
    expect(r.readerAt(2n).get(b("height"))).toEqual(b("2"));
    expect([...r.committed().iterate()].map(([k, v]) => `${hex(k)}=${hex(v)}`)).toEqual(before);
    const p = r.prove(5n, b("height"));
    expect(verifyProof(r.lastAppHash, b("height"), p.value, p.proof)).toBe(true);
    // And it keeps going from there.
    const br = r.branch();
    fillBlock(br, 6);
    r.prepareCommit(6n, br);
    expect(r.commit().height).toBe(6n);
    r.close();
  });

  it("a crash between prepareCommit and commit leaves the previous height; replaying gives the same hash", () => {
    const path = tempDb();
    const s = ChainStore.open(path);
    for (let h = 1; h <= 3; h++) {
      const br = s.branch();
      fillBlock(br, h);
      s.prepareCommit(BigInt(h), br);
      s.commit();
    }
    const hash3 = hex(s.lastAppHash);
    const br = s.branch();
    fillBlock(br, 4);
    const prepared4 = hex(s.prepareCommit(4n, br));
    expect(hash3).not.toBe(prepared4);
    s.close(); // the process "dies" here: nothing staged is persisted

    const r = ChainStore.open(path);
    expect(r.lastHeight).toBe(3n);
    expect(hex(r.lastAppHash)).toBe(hash3);
    expect(r.committed().get(b("height"))).toEqual(b("3"));
    const again = r.branch();
    fillBlock(again, 4);
    expect(hex(r.prepareCommit(4n, again))).toBe(prepared4);
    expect(hex(r.commit().appHash)).toBe(prepared4);
    r.close();
  });

  it("prepareCommit again for the same height replaces the staged result", () => {
    const s = ChainStore.open(":memory:");
    const first = s.branch();
    first.set(b("a"), b("1"));
    const h1 = hex(s.prepareCommit(1n, first));
    const second = s.branch();
    second.set(b("a"), b("2"));
    const h2 = hex(s.prepareCommit(1n, second));
    expect(h2).not.toBe(h1);
    expect(hex(s.commit().appHash)).toBe(h2);
    expect(s.committed().get(b("a"))).toEqual(b("2"));
    s.close();
  });

  it("an unchanged block keeps the app hash, and no-op writes are not history", () => {
    const s = ChainStore.open(":memory:");
    const br = s.branch();
    br.set(b("a"), b("1"));
    s.prepareCommit(1n, br);
    const h1 = hex(s.commit().appHash);
    const same = s.branch();
    same.set(b("a"), b("1"));
    same.delete(b("never-existed"));
    s.prepareCommit(2n, same);
    expect(hex(s.commit().appHash)).toBe(h1);
    expect(hex(s.appHashAt(1n) as Uint8Array)).toBe(h1);
    s.prepareCommit(3n, s.branch());
    expect(hex(s.commit().appHash)).toBe(h1);
    s.close();
  });

  it("refuses misuse with clear errors", () => {
    const s = ChainStore.open(":memory:");
    expect(() => s.commit()).toThrow(/prepareCommit first/);
    const br = s.branch();
    expect(() => s.prepareCommit(0n, br)).toThrow(/out of range/);
    expect(() => s.prepareCommit(1n, br.branch())).toThrow(/top-level branch/);
    const other = ChainStore.open(":memory:");
    expect(() => s.prepareCommit(1n, other.branch())).toThrow(/top-level branch/);
    s.prepareCommit(1n, br);
    s.commit();
    expect(() => s.commit()).toThrow(/prepareCommit first/);
    expect(() => s.prepareCommit(2n, br)).toThrow(/opened before height 1 was committed/);
    expect(() => s.prepareCommit(3n, s.branch())).toThrow(/next height after 1 is 2/);
    expect(() => s.prepareCommit(1 as unknown as bigint, s.branch())).toThrow(/bigint/);
    expect(() => ChainStore.open(":memory:", { retainHeights: -1 })).toThrow(/retainHeights/);
    s.close();
    expect(() => s.branch()).toThrow(/closed/);
    other.close();
  });

  it("the first commit may start at any height (CometBFT initial_height)", () => {
    const s = ChainStore.open(":memory:");
    const br = s.branch();
    br.set(b("g"), b("genesis"));
    s.prepareCommit(100n, br);
    s.commit();
    expect(s.lastHeight).toBe(100n);
    expect(s.readerAt(100n).get(b("g"))).toEqual(b("genesis"));
    expect(() => s.readerAt(99n)).toThrow(/not retained/);
    s.close();
  });

  it("a reader pinned at a height keeps reading that height after later commits", () => {
    const s = ChainStore.open(":memory:", { retainHeights: 0 });
    const br = s.branch();
    br.set(b("x"), b("1"));
    s.prepareCommit(1n, br);
    s.commit();
    const at1 = s.readerAt(1n);
    const live = s.committed();
    for (let h = 2; h <= 150; h++) {
      const n = s.branch();
      n.set(b("x"), b(String(h)));
      if (h === 50) n.delete(b("x"));
      s.prepareCommit(BigInt(h), n);
      s.commit();
    }
    expect(at1.get(b("x"))).toEqual(b("1"));
    expect(live.get(b("x"))).toEqual(b("150"));
    expect(s.readerAt(50n).get(b("x"))).toBeUndefined();
    expect(s.readerAt(49n).get(b("x"))).toEqual(b("49"));
    expect(s.earliestHeight).toBe(1n); // retainHeights 0 keeps everything
    s.close();
  });

  it("iterates old heights with ranges and reverse, across more rows than one page", () => {
    const s = ChainStore.open(":memory:", { retainHeights: 10 });
    const snaps: Array<Map<string, string>> = [];
    const state = new Map<string, string>();
    let seed = 17;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let h = 1; h <= 6; h++) {
      const br = s.branch();
      for (let i = 0; i < 400; i++) {
        const k = Uint8Array.of(Math.floor(rnd() * 4), Math.floor(rnd() * 256), 0);
        if (rnd() < 0.3) {
          br.delete(k);
          state.delete(hex(k));
        } else {
          br.set(k, Uint8Array.of(h, i & 0xff));
          state.set(hex(k), hex(Uint8Array.of(h, i & 0xff)));
        }
      }
      s.prepareCommit(BigInt(h), br);
      s.commit();
      snaps.push(new Map(state));
    }
    const ranges = [
      {},
      { reverse: true },
      { start: Uint8Array.of(1), end: Uint8Array.of(3) },
      { start: Uint8Array.of(1, 128), end: Uint8Array.of(2, 7, 0), reverse: true },
      { end: Uint8Array.of(0, 200) },
      { start: Uint8Array.of(3, 250, 0, 0), reverse: true },
    ];
    for (let h = 1; h <= 6; h++) {
      const snap = snaps[h - 1] as Map<string, string>;
      for (const r of ranges) {
        const lo = r.start ? hex(r.start) : "";
        const hi = r.end ? hex(r.end) : undefined;
        const want = [...snap.keys()].filter((k) => k >= lo && (hi === undefined || k < hi)).sort();
        if (r.reverse) want.reverse();
        const got = [...s.readerAt(BigInt(h)).iterate(r)].map(([k, v]) => `${hex(k)}=${hex(v)}`);
        expect(got, `height ${h} ${JSON.stringify(r)}`).toEqual(want.map((k) => `${k}=${snap.get(k)}`));
      }
    }
    s.close();
  });

  it("committed reads are remembered but never stale: commits that change, delete or re-add a key are seen at once", () => {
    const store = ChainStore.open(tempDb());
    const c = store.committed();
    let br = store.branch();
    br.set(b("k"), b("one"));
    br.set(b("gone"), b("soon"));
    store.prepareCommit(1n, br);
    store.commit();
    expect(c.get(b("k"))).toEqual(b("one"));
    expect(c.get(b("gone"))).toEqual(b("soon"));
    expect(c.get(b("absent"))).toBeUndefined();
    expect(c.has(b("absent"))).toBe(false);
    // A caller that scribbles on what it was given changes nothing for the next reader.
    const v = c.get(b("k")) as Uint8Array;
    v.fill(0x58);
    expect(c.get(b("k"))).toEqual(b("one"));
    br = store.branch();
    br.set(b("k"), b("two"));
    br.delete(b("gone"));
    br.set(b("absent"), b("now here"));
    store.prepareCommit(2n, br);
    // Staged but not committed: readers still see height 1.
    expect(c.get(b("k"))).toEqual(b("one"));
    store.commit();
    expect(c.get(b("k"))).toEqual(b("two"));
    expect(c.get(b("gone"))).toBeUndefined();
    expect(c.has(b("gone"))).toBe(false);
    expect(c.get(b("absent"))).toEqual(b("now here"));
    expect(c.has(b("absent"))).toBe(true);
    expect(store.readerAt(2n).get(b("k"))).toEqual(b("two"));
    expect(store.readerAt(1n).get(b("k"))).toEqual(b("one"));
    // A branch opened after the commit reads through the same reader.
    expect(store.branch().get(b("k"))).toEqual(b("two"));
    // Absence asked only through has (remembered too, through a branch's read walk) is forgotten by the commit that adds the key.
    expect(store.branch().has(b("has-only"))).toBe(false);
    expect(c.has(b("has-only"))).toBe(false);
    br = store.branch();
    br.set(b("has-only"), b("x"));
    store.prepareCommit(3n, br);
    store.commit();
    expect(store.branch().has(b("has-only"))).toBe(true);
    expect(store.branch().get(b("has-only"))).toEqual(b("x"));
    br = store.branch();
    br.delete(b("has-only"));
    store.prepareCommit(4n, br);
    store.commit();
    expect(store.branch().has(b("has-only"))).toBe(false);
    expect(c.has(b("has-only"))).toBe(false);
    store.close();
  });

  it("stores large values and binary keys", () => {
    const path = tempDb();
    const s = ChainStore.open(path);
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
    const key = Uint8Array.of(0, 0xff, 0, 1);
    const br = s.branch();
    br.set(key, big);
    br.set(Uint8Array.of(0), new Uint8Array(0)); // empty values are values
    s.prepareCommit(1n, br);
    s.commit();
    s.close();
    const r = ChainStore.open(path);
    // Buffer.compare: vitest's deep equality walks 1 MiB element by element.
    expect(Buffer.compare(r.committed().get(key) as Uint8Array, big)).toBe(0);
    expect(r.committed().get(Uint8Array.of(0))).toEqual(new Uint8Array(0));
    expect(r.committed().has(Uint8Array.of(0))).toBe(true);
    const p = r.prove(1n, key);
    expect(verifyProof(r.lastAppHash, key, big, p.proof)).toBe(true);
    r.close();
  });
});

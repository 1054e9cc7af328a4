/** @module Copy-on-write branches over the committed state or over another branch (block- and tx-level caches). */
import { InvalidArgumentError } from "../../common/errors.js";
import { checkKey, checkValue, compareBytes, keyString } from "./bytes.js";
import { LatestReader } from "./readers.js";
import type { IterateRange, KVReader, StoreBranch } from "./types.js";

interface Entry {
  readonly key: Uint8Array;
  /** undefined marks a deletion that hides the parent's value. */
  readonly value: Uint8Array | undefined;
}

/** Identifies the store a top-level branch was opened on, and the committed height it saw. */
export interface BranchOrigin {
  readonly owner: object;
  readonly generation: number;
}

export class BranchStore implements StoreBranch {
  readonly #parent: KVReader;
  readonly #parentBranch: BranchStore | undefined;
  readonly #writes = new Map<string, Entry>();
  /** Sorted keys of #writes, rebuilt lazily after a new key is added. */
  #sorted: string[] | undefined = [];
  /** Set on top-level branches only (opened by ChainStore.branch()). */
  readonly origin: BranchOrigin | undefined;

  constructor(parent: KVReader, parentBranch: BranchStore | undefined, origin?: BranchOrigin) {
    this.#parent = parent;
    this.#parentBranch = parentBranch;
    this.origin = origin;
  }

  /*
   * Reads walk down the chain of branches (message → ante → tx → block → committed) with one key
   * check and one map key for the whole walk, instead of one per layer.
   */
  get(key: Uint8Array): Uint8Array | undefined {
    checkKey(key);
    const k = keyString(key);
    let b: BranchStore = this;
    for (;;) {
      const e = b.#writes.get(k);
      if (e !== undefined) return e.value;
      const p = b.#parent;
      if (!(p instanceof BranchStore)) return p instanceof LatestReader ? p.getKeyed(key, k) : p.get(key);
      b = p;
    }
  }

  has(key: Uint8Array): boolean {
    checkKey(key);
    const k = keyString(key);
    let b: BranchStore = this;
    for (;;) {
      const e = b.#writes.get(k);
      if (e !== undefined) return e.value !== undefined;
      const p = b.#parent;
      if (!(p instanceof BranchStore)) return p instanceof LatestReader ? p.hasKeyed(key, k) : p.has(key);
      b = p;
    }
  }

  set(key: Uint8Array, value: Uint8Array): void {
    checkKey(key);
    checkValue(value);
    // Copies so later mutation of the caller's buffers cannot change what gets committed.
    this.#put(key.slice(), value.slice());
  }

  delete(key: Uint8Array): void {
    checkKey(key);
    this.#put(key.slice(), undefined);
  }

  #put(key: Uint8Array, value: Uint8Array | undefined): void {
    const k = keyString(key);
    if (this.#sorted !== undefined && !this.#writes.has(k)) this.#sorted = undefined;
    this.#writes.set(k, { key, value });
  }

  branch(): StoreBranch {
    return new BranchStore(this, this);
  }

  write(): void {
    const parent = this.#parentBranch;
    if (parent === undefined) {
      throw new InvalidArgumentError("a top-level branch cannot write(): commit it with ChainStore.prepareCommit");
    }
    for (const k of this.#sortedKeys()) {
      const e = this.#writes.get(k) as Entry;
      parent.#put(e.key, e.value);
    }
    this.#writes.clear();
    this.#sorted = [];
  }

  changes(): Array<[Uint8Array, Uint8Array | undefined]> {
    return this.#sortedKeys().map((k) => {
      const e = this.#writes.get(k) as Entry;
      return [e.key, e.value];
    });
  }

  /** Number of keys written or deleted in this layer. */
  get size(): number {
    return this.#writes.size;
  }

  #sortedKeys(): string[] {
    if (this.#sorted === undefined) {
      // Default sort compares UTF-16 code units; latin1 keys make that unsigned byte order.
      this.#sorted = [...this.#writes.keys()].sort();
    }
    return this.#sorted;
  }

  /**
   * Merges this layer with the parent in key order. This layer's keys are fixed when iteration
   * starts (keys added during iteration are not visited); values are read as they are reached.
   */
  *iterate(range?: IterateRange): IterableIterator<[Uint8Array, Uint8Array]> {
    const start = range?.start;
    const end = range?.end;
    if (start !== undefined && end !== undefined && compareBytes(start, end) >= 0) return;
    const reverse = range?.reverse === true;
    const sorted = this.#sortedKeys();
    const lo = start === undefined ? 0 : lowerBound(sorted, keyString(start));
    const hi = end === undefined ? sorted.length : lowerBound(sorted, keyString(end));
    const own = sorted.slice(lo, hi);
    if (reverse) own.reverse();
    const dir = reverse ? -1 : 1;
    const parentIt = this.#parent.iterate(range);
    let p = parentIt.next();
    let pk = p.done ? undefined : keyString(p.value[0]);
    let i = 0;
    while (pk !== undefined || i < own.length) {
      const ok = i < own.length ? (own[i] as string) : undefined;
      if (ok === undefined || (pk !== undefined && (pk < ok ? -1 : pk > ok ? 1 : 0) * dir < 0)) {
        yield (p as IteratorYieldResult<[Uint8Array, Uint8Array]>).value;
        p = parentIt.next();
        pk = p.done ? undefined : keyString(p.value[0]);
        continue;
      }
      if (pk === ok) {
        p = parentIt.next();
        pk = p.done ? undefined : keyString(p.value[0]);
      }
      i++;
      const e = this.#writes.get(ok);
      if (e !== undefined && e.value !== undefined) yield [e.key, e.value];
    }
  }
}

function lowerBound(sorted: readonly string[], k: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

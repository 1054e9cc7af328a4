/** @module The key-value interfaces every part of the chain app reads and writes state through. */

/** Read access to a key-value state. Returned byte arrays must be treated as read-only. */
export interface KVReader {
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  /** Entries with start <= key < end (either bound optional), ascending by unsigned bytes (or descending with reverse). */
  iterate(range?: IterateRange): IterableIterator<[Uint8Array, Uint8Array]>;
}

export interface IterateRange {
  start?: Uint8Array;
  end?: Uint8Array;
  reverse?: boolean;
}

export interface KVStore extends KVReader {
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}

/** A copy-on-write layer over a parent (the committed state or another branch). Iteration merges the layer's writes/deletes with the parent in key order. */
export interface StoreBranch extends KVStore {
  /** Nested branch: used for tx-level all-or-nothing. */
  branch(): StoreBranch;
  /** Merge this branch's changes into its parent, then start empty again. Throws on a top-level branch (commit those with ChainStore.prepareCommit). */
  write(): void;
  /** Net changes of this layer, sorted by key (undefined = delete). */
  changes(): Array<[Uint8Array, Uint8Array | undefined]>;
}

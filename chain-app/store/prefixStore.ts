/** @module A view of a KVStore where every key carries a fixed prefix (one module's slice of state). */
import { InvalidArgumentError } from "../../common/errors.js";
import { prefixEnd } from "./bytes.js";
import type { IterateRange, KVStore } from "./types.js";

/** Keys are transparently prefixed; iteration covers only the prefix and strips it. */
export function prefixStore(parent: KVStore, prefix: Uint8Array): KVStore {
  if (!(prefix instanceof Uint8Array) || prefix.length === 0) {
    throw new InvalidArgumentError("prefixStore needs a non-empty Uint8Array prefix");
  }
  const pre = prefix.slice();
  const full = (key: Uint8Array): Uint8Array => {
    if (!(key instanceof Uint8Array)) throw new InvalidArgumentError("store key must be a Uint8Array");
    const out = new Uint8Array(pre.length + key.length);
    out.set(pre);
    out.set(key, pre.length);
    return out;
  };
  return {
    get: (key) => parent.get(full(key)),
    has: (key) => parent.has(full(key)),
    set: (key, value) => parent.set(full(key), value),
    delete: (key) => parent.delete(full(key)),
    *iterate(range?: IterateRange): IterableIterator<[Uint8Array, Uint8Array]> {
      const start = range?.start === undefined ? pre : full(range.start);
      const end = range?.end === undefined ? prefixEnd(pre) : full(range.end);
      const inner: IterateRange = { start, reverse: range?.reverse === true };
      if (end !== undefined) inner.end = end;
      for (const [k, v] of parent.iterate(inner)) yield [k.subarray(pre.length), v];
    },
  };
}

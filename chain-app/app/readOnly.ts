/** @module A KVStore view over committed state that refuses writes (queries must never mutate). */
import type { KVReader, KVStore } from "../store/index.js";

export function readOnlyStore(reader: KVReader): KVStore {
  return {
    get: (k) => reader.get(k),
    has: (k) => reader.has(k),
    iterate: (r) => reader.iterate(r),
    set() {
      throw new Error("write attempted in a read-only (query) context");
    },
    delete() {
      throw new Error("delete attempted in a read-only (query) context");
    },
  };
}

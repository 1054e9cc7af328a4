/** @module The chain state store: branches, prefix views, the versioned SQLite store and its Merkle proofs. */
export { BranchStore } from "./branch.js";
export { MAX_KEY_BYTES, MAX_VALUE_BYTES } from "./bytes.js";
export { ChainStore, type ChainStoreOptions } from "./chainStore.js";
export { HeightUnavailableError } from "./errors.js";
export { prefixStore } from "./prefixStore.js";
export { type DecodedProof, decodeProof, encodeProof, verifyProof } from "./proof.js";
export { EMPTY_HASH, innerHash, leafHash } from "./smt.js";
export type { IterateRange, KVReader, KVStore, StoreBranch } from "./types.js";

/** @module The storage data plane of a node: chunker, chunk store, manifests, signed acks and the chunk server. */

export { signAck, verifyAck } from "./ack.js";
export {
  ChunkBufferPool,
  chunkCids,
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  parseSize,
  readFileChunks,
} from "./chunker.js";
export { loadOrCreateIdentity, type NodeIdentity } from "./identity.js";
export { LocalFsStorage, TooLargeError } from "./localfs.js";
export { decodeManifest, encodeManifest, MANIFEST_VERSION, manifestCid } from "./manifest.js";
export { Metrics } from "./metrics.js";
export { type ChunkServer, type ChunkServerOptions, createChunkServer, DEFAULT_MAX_BODY } from "./server.js";
export type { ByteRange, ChunkInfo, ChunkRead, PutChunkOptions, PutChunkResult, Storage } from "./storage.js";

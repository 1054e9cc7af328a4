/** @module The HTTP ingress: objects by CID from the nearest healthy replica, every byte verified. */
export { ChunkCache } from "./chunkCache.js";
export { ChunkFetcher, type FetchAttempt, type ReplicaChoice } from "./chunkFetcher.js";
export { createIngress, type Ingress, type IngressOptions } from "./ingress.js";

/** @module The local Celestia-compatible DA server (`dsdn-node da`). */
export {
  type AuthTokens,
  issueTokens,
  loadOrCreateSecret,
  type Permission,
  signJwt,
  TOKEN_FILE,
  verifyJwt,
} from "./auth.js";
export { buildBlock, extendedHeaderJson, type PendingBlob } from "./block.js";
export {
  DEFAULT_LOCAL_DA_PORT,
  LocalDAServer,
  type LocalDAServerOptions,
  MAX_BODY_BYTES,
  MAX_SUBMIT_BYTES,
} from "./server.js";
export { LocalDAStore, type StoredBlob, type StoredHeader } from "./store.js";

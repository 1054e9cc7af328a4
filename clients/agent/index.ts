/**
 * @module The agent SDK: upload/get files to storage nodes, client-side encryption, keystore, Shamir key recovery.
 * The pipeline (`uploadFile`, `uploadViaCoordinator`, `getFile`) is the stable entry point for gateways: replicated by
 * default, Reed–Solomon erasure-coded with `erasure: {k, m}` (manifest v2; `getFile` decodes either kind).
 */

export { type ErasureParams, parseErasure } from "../../node-agent/storage/erasure/codec.js";
export { type GetParameters, type GetReturnType, getFile } from "./get.js";
export { dsdnHome, Keystore, readKeyFile } from "./keystore.js";
export { NodeClient } from "./nodeClient.js";
export { parseRecovery, readShareFile, recoverKey, splitKey, writeShareFiles } from "./shamir.js";
export {
  type ShardInfo,
  type UploadParameters,
  type UploadReturnType,
  type UploadRoute,
  uploadFile,
} from "./upload.js";

/** @module The agent SDK: upload/get files to storage nodes, client-side encryption, keystore, Shamir key recovery. */

export { type GetParameters, type GetReturnType, getFile } from "./get.js";
export { dsdnHome, Keystore, readKeyFile } from "./keystore.js";
export { NodeClient } from "./nodeClient.js";
export { parseRecovery, readShareFile, recoverKey, splitKey, writeShareFiles } from "./shamir.js";
export { type UploadParameters, type UploadReturnType, uploadFile } from "./upload.js";

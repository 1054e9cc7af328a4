/**
 * @module The DSDN TypeScript SDK: one import for applications.
 *
 * ```ts
 * import { connect } from "dsdn/sdk";
 * const dsdn = await connect({ coordinator: "http://127.0.0.1:7070", rpc: "http://127.0.0.1:26657" });
 * const { manifest } = await dsdn.upload("photo.jpg", { onProgress: (done, total) => console.log(done, total) });
 * await dsdn.get(manifest, "copy.jpg");
 * ```
 *
 * Errors are `BaseError`s with a stable `code`; `toUserFacing(e, "id" | "en")` turns any of them (and chain
 * results) into the title, what happened and what to do a person should read.
 */

// A block's first item is the injected vote-extension commit, indexed like a tx but none: skip it before
// decodeTxRaw (which throws on it) when reading blocks or searchTx results.
export { INJECTED_COMMIT_LABEL, isInjectedCommit } from "../../chain-app/voteExtensions.js";
export { BaseError, type BaseErrorOptions, ErrorCode, isBaseError } from "../../common/errors.js";
export { type Lang, resolveLang } from "../../common/ux/lang.js";
export {
  chainResultToUserFacing,
  formatUserFacing,
  toUserFacing,
  type UserFacingError,
} from "../../common/ux/userFacingError.js";
export type { JobStatus } from "../../node-agent/compute/service.js";
export type { ObjectStatusAnswer } from "../../node-agent/coordinator/client.js";
export type { ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
export type { JobLogs } from "../agent/computeClient.js";
export type { DeleteReturnType } from "../agent/deleteFile.js";
export type { EstimateParameters, EstimateReturnType } from "../agent/estimate.js";
export type { GetReturnType } from "../agent/get.js";
export type { NetworkUploadReturnType } from "../agent/networkUpload.js";
export type { UploaderKey, UploaderKeyOptions } from "../agent/uploaderKey.js";
export {
  BECH32_PREFIX,
  connectClient,
  connectQueryClient,
  connectSigningClient,
  DEFAULT_GAS_PRICE,
  type DsdnQueryClient,
} from "./client.js";
export {
  type ConnectOptions,
  connect,
  type DeployHook,
  type DeployParameters,
  type DeployReturnType,
  type DsdnClient,
  type GetOptions,
  type ProgressCallback,
  type UploadOptions,
} from "./connect.js";
export { type ClaimOutcome, claimReceipt, type ReceiptFile, readReceiptFile } from "./receipts.js";
export { dsdnRegistry } from "./registry.js";
export { type VerifiedValue, verifiedRawKey } from "./verifiedQuery.js";

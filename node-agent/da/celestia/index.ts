/** @module The Celestia light-node client (CelestiaDA) and its transport pieces. */
export { backoffDelay, sleep } from "./backoff.js";
export { type BlobJson, decodeAndVerifyBlob, encodeBlobJson, type VerifiedBlob } from "./blobJson.js";
export {
  type CelestiaConnectInfo,
  CelestiaDA,
  type CelestiaDAOptions,
  type HeaderInfo,
  type TxConfigJson,
} from "./celestiaDA.js";
export {
  classifyDAError,
  DAError,
  type DAErrorKind,
  displayUrl,
  isDAError,
  isTransientKind,
  redactSecret,
} from "./errors.js";
export { DAMetrics, type DAMetricsSnapshot, type HistogramSnapshot, LatencyHistogram } from "./metrics.js";
export { JsonRpcHttp } from "./rpcHttp.js";
export { BlobSubscriptionStream, parseHeight, type SubscriptionEvent } from "./subscription.js";

/** @module ABCI 2.0 socket server for CometBFT v0.38: public exports. */

export type { AbciApplication, DeepPartial, R } from "./application.js";
export { type AppRequestKind, dispatchRequest, type RequestKind, requestKind } from "./dispatch.js";
export {
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  encodeUvarint,
  FrameDecoder,
  type FrameDecoderOptions,
  FrameError,
} from "./framing.js";
export {
  type AbciLogFields,
  type AbciLogger,
  type AbciLogLevel,
  createStderrLogger,
  type StderrLoggerOptions,
  silentLogger,
} from "./logger.js";
export { type AbciServer, type AbciServerOptions, parseListenAddress, startAbciServer } from "./server.js";

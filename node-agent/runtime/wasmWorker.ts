/** @module Worker-thread entry: runs one job with the pure engine and posts the report back. */
import { parentPort, workerData } from "node:worker_threads";
import { type RunOptions, runModule } from "../../common/wasm/run.js";
import { useNativeTraceHash } from "./nativeHash.js";

useNativeTraceHash();
const { bytes, opts } = workerData as { bytes: Uint8Array; opts: RunOptions };
parentPort?.postMessage(runModule(bytes, opts));

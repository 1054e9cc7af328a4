/** @module Worker-thread entry: runs one job with the pure engine and posts the report back. */
import { parentPort, workerData } from "node:worker_threads";
import type { RunOptions } from "../../common/wasm/run.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { type Engine, runEngine } from "./runJob.js";

useNativeTraceHash();
const { bytes, opts, engine } = workerData as { bytes: Uint8Array; opts: RunOptions; engine: Engine };
parentPort?.postMessage(runEngine(bytes, opts, engine));

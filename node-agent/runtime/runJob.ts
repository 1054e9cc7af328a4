/**
 * @module Runs a WASM job off the main thread with a wall-clock limit: the worker is terminated when
 * time runs out. The time limit protects the node; it is not part of the deterministic result (fuel is).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type RunOptions, type RunRefusal, type RunReport, runModule } from "../../common/wasm/run.js";
import { useNativeTraceHash } from "./nativeHash.js";

export type JobOutcome =
  | { readonly kind: "report"; readonly report: RunReport }
  | { readonly kind: "refused"; readonly refusal: RunRefusal }
  | { readonly kind: "timeout"; readonly elapsedMs: number }
  | { readonly kind: "crashed"; readonly message: string };

const WORKER_URL = new URL("./wasmWorker.js", import.meta.url);

/** True when the compiled worker script exists (running from dist/, not from TypeScript sources). */
export function workerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/** Runs in the calling thread: no wall-clock limit (tests, or when fuel alone bounds the run). */
export function runJobInline(bytes: Uint8Array, opts: RunOptions): JobOutcome {
  useNativeTraceHash();
  const r = runModule(bytes, opts);
  return r.ok ? { kind: "report", report: r.report } : { kind: "refused", refusal: r.refusal };
}

export function runJobInWorker(bytes: Uint8Array, opts: RunOptions, timeoutMs: number): Promise<JobOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_URL, {
      workerData: { bytes, opts },
      // Worker heap bounded too, so a job cannot exhaust the node's memory through the engine.
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    let settled = false;
    const done = (o: JobOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(o);
    };
    const timer = setTimeout(
      () => done({ kind: "timeout", elapsedMs: Math.round(performance.now() - started) }),
      timeoutMs,
    );
    worker.once("message", (m: ReturnType<typeof runModule>) =>
      done(m.ok ? { kind: "report", report: m.report } : { kind: "refused", refusal: m.refusal }),
    );
    worker.once("error", (e) => done({ kind: "crashed", message: e.message }));
    worker.once("exit", (code) => done({ kind: "crashed", message: `worker exited with code ${code}` }));
  });
}

/**
 * @module The watcher's memory across restarts (one JSON file, written atomically): the next DA height to read,
 * the workload specs DA has scheduled (by workload id, bounded), and every compute receipt it looked at with what
 * it concluded — so a restarted watcher neither re-checks a receipt nor forgets the games it opened (it finds them
 * again on chain by challenger; this file gives it the job to replay for each).
 */
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../../common/atomicFile.js";

export type ReceiptOutcome = "matches" | "challenged" | "challenge-refused" | "skipped" | "unavailable";

export interface WatchedReceipt {
  readonly workloadId: string;
  /** The WorkloadSpec (protobuf, base64) the receipt's run used. */
  readonly spec: string;
  readonly outcome: ReceiptOutcome;
  readonly detail?: string;
}

export interface WatcherState {
  daHeight: string;
  specs: Record<string, string>;
  /** By receipt id, or by a signed result's evidence id when the watcher challenged a replica's result. */
  receipts: Record<string, WatchedReceipt>;
  /** Replicas' node-signed results seen on DA (`ComputeReported`, base64), by workload id: at most 3 each. */
  results?: Record<string, string[]>;
  /** Workloads whose replicas disagreed: their receipts are re-executed whatever the sampling policy. */
  disputed?: Record<string, true>;
}

const MAX_SPECS = 10_000;
const MAX_RECEIPTS = 100_000;

export function loadState(path: string): WatcherState {
  try {
    const j = JSON.parse(readFileSync(path, "utf8")) as WatcherState;
    if (typeof j.daHeight !== "string" || typeof j.specs !== "object" || typeof j.receipts !== "object")
      throw new Error(`${path} is not a watcher state file`);
    return j;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { daHeight: "1", specs: {}, receipts: {} };
    throw e;
  }
}

/** Writes the state, dropping the oldest specs and receipts past their caps (insertion order). */
export function saveState(path: string, s: WatcherState): void {
  const trim = <T>(r: Record<string, T>, max: number) => {
    const keys = Object.keys(r);
    for (const k of keys.slice(0, Math.max(0, keys.length - max))) delete r[k];
  };
  trim(s.specs, MAX_SPECS);
  trim(s.receipts, MAX_RECEIPTS);
  s.results ??= {};
  s.disputed ??= {};
  trim(s.results, MAX_SPECS);
  trim(s.disputed, MAX_SPECS);
  writeFileAtomicSync(path, new TextEncoder().encode(JSON.stringify(s)), { mode: 0o600 });
}

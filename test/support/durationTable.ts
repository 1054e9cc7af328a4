/** @module test/durations.json: read it, and build it from a vitest JSON report or vitest's results cache. */
import { readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { DurationTable } from "./testOrder.js";

/** Where the measured seconds live, from the repo root; `npm run test:durations` refreshes it. */
export const DURATIONS_FILE = "test/durations.json";

const toPath = (root: string, file: string): string =>
  (isAbsolute(file) ? relative(root, file) : file).split("\\").join("/");

const validSeconds = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** Reads the table; a missing or unreadable one means "nothing measured" (order by size), never a failed run. */
export function readDurations(root: string): DurationTable {
  try {
    return parseTable(JSON.parse(readFileSync(join(root, DURATIONS_FILE), "utf8")));
  } catch {
    return {};
  }
}

/** Keeps only `path: seconds` entries with a finite, non-negative number. */
export function parseTable(parsed: unknown): DurationTable {
  const table: DurationTable = {};
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [k, v] of Object.entries(parsed)) if (validSeconds(v)) table[k] = v;
  }
  return table;
}

/**
 * Seconds per file from either vitest's JSON reporter output (`testResults[]` with absolute `name`, `startTime`,
 * `endTime` in ms) or vitest's results cache (`results: [["project:path", { duration }]]`, ms). Anything else is an
 * error: a refresh from the wrong file must not silently empty the table.
 */
export function durationsFromReport(report: unknown, root: string): DurationTable {
  const out: DurationTable = {};
  const r = report as { testResults?: unknown; results?: unknown } | null;
  if (r && Array.isArray(r.testResults)) {
    for (const t of r.testResults as Array<{ name?: unknown; startTime?: unknown; endTime?: unknown }>) {
      if (typeof t?.name !== "string" || !validSeconds(t.startTime) || !validSeconds(t.endTime)) continue;
      if (t.endTime < t.startTime) continue;
      out[toPath(root, t.name)] = round1((t.endTime - t.startTime) / 1000);
    }
    return out;
  }
  if (r && Array.isArray(r.results)) {
    for (const entry of r.results as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== "string") continue;
      const ms = (entry[1] as { duration?: unknown } | undefined)?.duration;
      if (!validSeconds(ms)) continue;
      const key = entry[0];
      out[toPath(root, key.slice(key.indexOf(":") + 1))] = round1(ms / 1000);
    }
    return out;
  }
  throw new Error("not a vitest JSON report (testResults) nor a vitest results cache (results)");
}

const round1 = (s: number): number => Math.round(s * 10) / 10;

/** The old table updated by the fresh figures, without files that no longer exist, keys sorted (stable diffs). */
export function mergeDurations(
  old: DurationTable,
  fresh: DurationTable,
  exists: (path: string) => boolean,
): DurationTable {
  const merged: DurationTable = { ...old, ...fresh };
  const out: DurationTable = {};
  for (const k of Object.keys(merged).sort()) if (exists(k)) out[k] = merged[k] as number;
  return out;
}

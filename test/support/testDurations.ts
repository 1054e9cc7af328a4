/** @module `npm run test:durations`: refresh test/durations.json from a vitest run and print the schedule it gives. */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DURATIONS_FILE, durationsFromReport, mergeDurations, readDurations } from "./durationTable.js";
import { longestFirst, makespan, type TestFile, vitestCleanCloneOrder } from "./testOrder.js";

// Usage: npm run test:durations [-- <vitest JSON report>...]
// With no report, vitest's own results cache (node_modules/.vite/vitest/*/results.json, written by every
// `vitest run`) is read. A JSON report comes from `npx vitest run --reporter=json --outputFile=report.json`.
const root = process.cwd();
const WORKERS = 2; // vitest.config.ts: both projects share one pool of 2 workers

function cacheReports(): string[] {
  const dir = join(root, "node_modules/.vite/vitest");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((d) => join(dir, d, "results.json"))
    .filter((f) => existsSync(f));
}

const args = process.argv.slice(2);
const reports = args.length > 0 ? args : cacheReports();
if (reports.length === 0) {
  console.error("no report given and no vitest results cache found: run the tests first");
  process.exit(1);
}
let fresh = {};
for (const r of reports) fresh = { ...fresh, ...durationsFromReport(JSON.parse(readFileSync(r, "utf8")), root) };
const table = mergeDurations(readDurations(root), fresh, (p) => existsSync(join(root, p)));
writeFileSync(join(root, DURATIONS_FILE), `${JSON.stringify(table, null, 2)}\n`);

// The model: files under test/ are the e2e project, the rest unit (vitest.config.ts's include lists).
const files: TestFile[] = Object.keys(table).map((path) => ({
  path,
  project: path.startsWith("test/") ? "e2e" : "unit",
  bytes: statSync(join(root, path)).size,
}));
const secs = (order: TestFile[]): number[] => order.map((f) => table[f.path] as number);
const total = secs(files).reduce((a, b) => a + b, 0);
const fmt = (s: number): string => `${Math.round(s)} s`;
console.log(`${files.length} files, ${fmt(total)} of test time (from ${reports.length} report(s))`);
console.log(`  lower bound (sum / ${WORKERS}, or the longest file): ${fmt(Math.max(total / WORKERS, ...secs(files)))}`);
console.log(`  vitest's clean-clone order (by size):  ${fmt(makespan(secs(vitestCleanCloneOrder(files)), WORKERS))}`);
console.log(`  longest first (this table):            ${fmt(makespan(secs(longestFirst(files, table)), WORKERS))}`);

/** @module Each benchmark's headline figures (bench/results/<name>.json) and the Tahap 27 report built from them. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { machineDescription, writeBenchSection } from "./report.js";

/** One figure next to the target it is judged against (roadmap Tahap 27 or issue 21), if it has one. */
export interface Headline {
  /** The Tahap 27 item it belongs to; one of ITEMS below. */
  readonly item: (typeof ITEMS)[number];
  /** What was measured, in a few words. */
  readonly figure: string;
  readonly value: number;
  /** Unit written after the value ("ms", "%", "× simd"). */
  readonly unit: string;
  /** Met when value ≤ max (or ≥ min); `source` says where the target comes from. */
  readonly target?: { readonly max?: number; readonly min?: number; readonly source: string };
}

interface Recorded {
  readonly bench: string;
  readonly date: string;
  readonly machine: string;
  readonly load1: number;
  readonly headlines: readonly Headline[];
}

/** Report order: roadmap Tahap 27's list, then issue 21's side-by-side goals. */
export const ITEMS = [
  "DA cost (post to Celestia)",
  "State reconstruction from DA",
  "End-to-end cost: storage",
  "End-to-end cost: compute job",
  "DA fallback",
  "TSS signing (FROST)",
  "Fraud proofs",
  "Oracle",
  "Chain vs Cosmos SDK simd",
  "Data plane vs kubo",
  "Erasure coding",
] as const;

const resultsDir = (root: string) => join(root, "bench", "results");

/** Records `bench`'s headline figures (replacing its previous ones) and rewrites the Tahap 27 report. */
export function recordHeadlines(bench: string, headlines: readonly Headline[], root = process.cwd()): void {
  for (const h of headlines)
    if (!Number.isFinite(h.value)) throw new Error(`${bench}: headline "${h.figure}" is not a finite number`);
  mkdirSync(resultsDir(root), { recursive: true });
  const rec: Recorded = {
    bench,
    date: new Date().toISOString().slice(0, 10),
    machine: machineDescription(),
    load1: Math.round(loadavg()[0]! * 10) / 10,
    headlines,
  };
  writeFileSync(join(resultsDir(root), `${bench}.json`), `${JSON.stringify(rec, null, 2)}\n`);
  writeTahap27Report(root);
}

function readRecorded(root: string): Recorded[] {
  const dir = resultsDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Recorded);
}

function fmt(v: number): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return v.toLocaleString("en", { maximumFractionDigits: digits });
}

export function verdict(h: Headline): string {
  if (!h.target) return "";
  const ok =
    (h.target.max === undefined || h.value <= h.target.max) && (h.target.min === undefined || h.value >= h.target.min);
  return ok ? "met" : "**not met**";
}

function targetText(h: Headline): string {
  if (!h.target) return "—";
  const parts = [];
  if (h.target.max !== undefined) parts.push(`≤ ${fmt(h.target.max)} ${h.unit}`);
  if (h.target.min !== undefined) parts.push(`≥ ${fmt(h.target.min)} ${h.unit}`);
  return `${parts.join(", ")} (${h.target.source})`;
}

/** The report: every recorded headline by Tahap 27 item, with its target, verdict and the run it came from. */
export function tahap27Markdown(recorded: readonly Recorded[]): string {
  const rows: string[] = [];
  const missing: string[] = [];
  for (const item of ITEMS) {
    const hits = recorded.flatMap((r) => r.headlines.filter((h) => h.item === item).map((h) => ({ r, h })));
    if (hits.length === 0) missing.push(item);
    for (const { r, h } of hits)
      rows.push(
        `| ${item} | ${h.figure} | ${fmt(h.value)} ${h.unit} | ${targetText(h)} | ${verdict(h)} | \`${r.bench}\`, ${r.date}, load ${r.load1} |`,
      );
  }
  return [
    "Built by `npm run bench -- all` (and refreshed whenever one benchmark runs) from the headline figures each benchmark",
    "records in `bench/results/<name>.json`; the benchmark's own section below has the details and the method. Targets are",
    "roadmap Tahap 27's (DA failover < 5 min, TSS < 500 ms, trace < 10 % overhead, oracle update < 1 min) and issue 21's",
    "(FROST < 50 ms, DA replay ≥ 100,000 events/s and restart < 10 s, ratios against simd and kubo). The load column is the",
    "1-minute load average when the figure was recorded on this 2-core machine: under load every time is pessimistic.",
    "",
    "| item | figure | measured | target | verdict | from (bench, date, load) |",
    "| --- | --- | ---: | --- | --- | --- |",
    ...rows,
    ...(missing.length ? ["", `No figure recorded yet for: ${missing.join("; ")}.`] : []),
  ].join("\n");
}

export function writeTahap27Report(root = process.cwd()): void {
  writeBenchSection(
    "tahap27",
    "Tahap 27 report: every headline figure next to its target",
    tahap27Markdown(readRecorded(root)),
    root,
  );
}

/**
 * @module Smart defaults (roadmap 18.2): an Intent plus, optionally, a dry-run Classification becomes a
 * ResolvedWorkloadSpec in which every value says where it came from. The rules are the tables below (README).
 */
import type { Classification } from "./classify.js";
import type { Intent } from "./intent.js";

/** A resolved value and its origin: "intent", "default: <rule>" or "classification: <measurement>". */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

export interface ResolvedWorkloadSpec {
  readonly name: Sourced<string>;
  readonly type: Sourced<Intent["type"]>;
  readonly priority: Sourced<"low" | "normal" | "high">;
  readonly visibility: Sourced<"private" | "public">;
  readonly runtime: Sourced<"wasm" | "microvm">;
  readonly entry: Sourced<string | null>;
  /** microvm: the image directory or CID, and the argv run in it. */
  readonly image: Sourced<string | null>;
  readonly command: Sourced<readonly string[] | null>;
  readonly input: Sourced<string | null>;
  readonly replicas: Sourced<number>;
  readonly agreement: Sourced<"majority" | "unanimous">;
  readonly zones: Sourced<readonly string[]>;
  readonly class: Sourced<"regular" | "datacenter">;
  /** Fuel the run may use (the deterministic limit). */
  readonly fuel: Sourced<number>;
  readonly memoryPages: Sourced<number>;
  /** Wall-clock limit on the node (protects the node; not part of the result). */
  readonly timeoutSeconds: Sourced<number>;
  /** A trace checkpoint every this many instructions. */
  readonly traceEvery: Sourced<number>;
  /** Expected challenge window (s) by the roadmap's rule for the estimated output; the chain's params decide. */
  readonly challengeWindowSeconds: Sourced<number>;
}

/** Per-type defaults (roadmap 18.2). */
export const TYPE_DEFAULTS = {
  web_app: { priority: "high", visibility: "public", replicas: 2, class: "regular", timeoutSeconds: 30, fuel: 1e9 },
  batch: { priority: "normal", visibility: "private", replicas: 1, class: "regular", timeoutSeconds: 600, fuel: 1e10 },
  ai: { priority: "normal", visibility: "private", replicas: 1, class: "datacenter", timeoutSeconds: 3600, fuel: 1e11 },
  static: { priority: "normal", visibility: "public", replicas: 1, class: "regular", timeoutSeconds: 30, fuel: 1e6 },
} as const;

/** A measured run gets this many times its fuel as its limit, so an input-dependent wobble still finishes. */
export const FUEL_HEADROOM = 2;
/**
 * Checkpoints do not shorten a dispute: the bisection continues inside a K-range over the same step commitments,
 * so a game takes about log2(steps) rounds whatever K is. What a checkpoint costs is hashing the memory dirtied
 * since the previous one (a memory-heavy kernel paid +19% at K = 10^6, +211% at K = 10^4), and what it buys is a
 * coarse trace root; the defender answers moves inside a range from its own kept snapshots (runtime/stepAt.ts).
 * So K is large: at most 64 checkpoints per run and at least 2^24 instructions between two (BENCHMARKS.md).
 */
export const MAX_CHECKPOINTS = 64;
export const MIN_TRACE_EVERY = 1 << 24;
export const DEFAULT_MEMORY_PAGES = 1024;
const PAGE = 65_536;

/** Roadmap 18.8: 1 h + 10 min per started MB of output, at most 4 h. */
export function challengeWindowFor(outputBytes: number): number {
  return Math.min(3600 + 600 * Math.ceil(outputBytes / 1e6), 4 * 3600);
}

/** K such that a run of `fuel` makes at most MAX_CHECKPOINTS checkpoints (every instruction costs ≥ 1 fuel). */
export function traceEveryFor(fuel: number): number {
  return Math.max(MIN_TRACE_EVERY, Math.ceil(fuel / MAX_CHECKPOINTS));
}

const fromIntent = <T>(value: T): Sourced<T> => ({ value, source: "intent" });
const byDefault = <T>(value: T, rule: string): Sourced<T> => ({ value, source: `default: ${rule}` });

export function resolveIntent(intent: Intent, cls?: Classification): ResolvedWorkloadSpec {
  const d = TYPE_DEFAULTS[intent.type];
  const t = `type ${intent.type}`;
  const pick = <T>(v: T | undefined, def: T, rule: string): Sourced<T> =>
    v !== undefined ? fromIntent(v) : byDefault(def, rule);
  const microvm = intent.runtime === "microvm";
  const replicas = microvm
    ? pick(intent.replicas, 2, "runtime microvm is not provable step by step: 2 replicas must agree")
    : pick(intent.replicas, d.replicas, `${t} runs on ${d.replicas} node(s)`);
  const fuel: Sourced<number> =
    intent.resources?.fuel !== undefined
      ? fromIntent(intent.resources.fuel)
      : cls
        ? {
            value: Math.max(1_000_000, Number(cls.fuelUsed) * FUEL_HEADROOM),
            source: `classification: dry run used ${cls.fuelUsed} fuel, ×${FUEL_HEADROOM} headroom (≥ 10^6)`,
          }
        : byDefault(d.fuel, `${t} without a dry run`);
  const memoryPages: Sourced<number> =
    intent.resources?.memoryMiB !== undefined
      ? fromIntent(intent.resources.memoryMiB * 16)
      : cls
        ? {
            value: Math.min(DEFAULT_MEMORY_PAGES * 4, Math.max(16, Math.ceil((cls.memoryBytes * 2) / PAGE))),
            source: `classification: peak memory ${cls.memoryBytes} bytes ×2, in 64 KiB pages (16..4096)`,
          }
        : byDefault(DEFAULT_MEMORY_PAGES, "64 MiB");
  return {
    name: pick(
      intent.name,
      (intent.entry?.replace(/\.wasm$/, "") ?? intent.image)?.replace(/\/+$/, "").replace(/^.*\//, "") ?? "site",
      "the entry's name",
    ),
    type: fromIntent(intent.type),
    runtime: pick(intent.runtime, "wasm", "the traced WASM engine (provable step by step)"),
    priority: pick(intent.priority, d.priority, t),
    visibility: pick(intent.visibility, d.visibility, t),
    entry:
      intent.entry !== undefined
        ? fromIntent(intent.entry)
        : byDefault(null, microvm ? "runtime microvm runs no module" : "static sites run no module"),
    image: intent.image !== undefined ? fromIntent(intent.image) : byDefault(null, "runtime wasm has no image"),
    command: intent.command !== undefined ? fromIntent(intent.command) : byDefault(null, "runtime wasm has no command"),
    input: intent.input !== undefined ? fromIntent(intent.input) : byDefault(null, "empty stdin"),
    replicas,
    agreement: pick(
      intent.agreement,
      "majority",
      replicas.value === 1 ? "one replica has nothing to compare" : "a majority of replicas decides",
    ),
    zones: pick(intent.zones, [], "any zone"),
    class: pick(intent.class, d.class, t),
    fuel,
    memoryPages,
    timeoutSeconds: pick(intent.resources?.timeoutSeconds, d.timeoutSeconds, t),
    traceEvery: byDefault(
      traceEveryFor(fuel.value),
      `fuel / ${MAX_CHECKPOINTS} checkpoints, at least ${MIN_TRACE_EVERY}`,
    ),
    challengeWindowSeconds: cls
      ? {
          value: challengeWindowFor(cls.outputBytes),
          source: `classification: ${cls.outputBytes} output bytes → 1 h + 10 min/MB, ≤ 4 h`,
        }
      : byDefault(3600, "1 h for outputs under 1 MB"),
  };
}

/** The plain values of a resolved spec (what is signed and scheduled). */
export function specValues(s: ResolvedWorkloadSpec): {
  [K in keyof ResolvedWorkloadSpec]: ResolvedWorkloadSpec[K]["value"];
} {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, (v as Sourced<unknown>).value])) as never;
}

/** @module Splits a V8 `.cpuprofile` of dsdnd into the chain's stages (ABCI codec, tx decode, signature verify, ante, msg execution, events, store, Merkle, SQLite, GC). */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A stage rule: the deepest frame of a sample that matches one decides its stage. */
const RULES: { stage: string; match: (fn: string, url: string) => boolean }[] = [
  { stage: "GC", match: (fn) => fn === "(garbage collector)" },
  { stage: "startup (module loading)", match: (_fn, url) => /^node:internal\/(modules|bootstrap)/.test(url) },
  // common/secp256k1 also holds the bech32 address helpers: they are address work, not signature work.
  {
    stage: "addresses (bech32)",
    match: (fn, url) => /common\/secp256k1/.test(url) && /bech32|address|bytesKey/i.test(fn),
  },
  {
    stage: "signature verify",
    match: (fn, url) => /secp256k1|@noble\/curves/.test(url) || (/^verify/i.test(fn) && /sigCache/.test(url)),
  },
  {
    stage: "SQLite commit / reads",
    match: (_fn, url) => /better-sqlite3|chain-app\/store\/(nodeStore|pages|schema)/.test(url),
  },
  { stage: "Merkle update", match: (_fn, url) => /dist\/chain-app\/store\/(smt|treeUpdate|treeNodes|proof)/.test(url) },
  { stage: "store reads/writes (branch, prefix)", match: (_fn, url) => /dist\/chain-app\/store\//.test(url) },
  { stage: "events", match: (_fn, url) => /dist\/chain-app\/events/.test(url) },
  { stage: "tx decode", match: (_fn, url) => /dist\/chain-app\/tx\//.test(url) },
  { stage: "ante", match: (_fn, url) => /dist\/modules\/auth\/ante\//.test(url) },
  { stage: "msg execution (modules)", match: (_fn, url) => /dist\/modules\//.test(url) },
  {
    stage: "ABCI decode/encode + socket",
    match: (_fn, url) => /dist\/chain-app\/abci\/|cosmjs-types\/tendermint|node:net|node:stream/.test(url),
  },
  { stage: "app (runTx, block, commit glue)", match: (_fn, url) => /dist\/chain-app\//.test(url) },
  { stage: "protobuf (cosmjs-types, other)", match: (_fn, url) => /cosmjs-types|protobufjs/.test(url) },
];

export interface StageRow {
  readonly stage: string;
  readonly ms: number;
  readonly share: number;
}

/** Stage totals (self time of every sample, attributed by its deepest matching frame) and the hottest functions. */
export function analyseProfile(path: string): { rows: StageRow[]; totalMs: number; top: string[] } {
  const p = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const fn = n.callFrame.functionName;
    const url = n.callFrame.url;
    let s = fn === "(idle)" ? "idle" : fn === "(program)" ? "V8 (program, compile)" : undefined;
    if (!s) s = RULES.find((r) => r.match(fn, url))?.stage;
    if (!s) {
      const up = parent.get(id);
      s = up === undefined ? "other" : resolve(up);
    }
    stageOf.set(id, s);
    return s;
  };
  const ms = new Map<string, number>();
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const s = resolve(id);
    ms.set(s, (ms.get(s) ?? 0) + dt);
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  ms.delete("idle");
  const totalMs = [...ms.values()].reduce((a, b) => a + b, 0);
  const rows = [...ms.entries()]
    .map(([stage, v]) => ({ stage, ms: v, share: v / totalMs }))
    .sort((a, b) => b.ms - a.ms);
  const fnSelf = new Map<string, number>();
  for (const [id, v] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") continue;
    const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|dist)\//, "")}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + v);
  }
  const top = [...fnSelf.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([k, v]) => `${((100 * v) / totalMs).toFixed(1)}% ${k}`);
  return { rows, totalMs, top };
}

/** @module Where a 4-validator block's time goes: the app's per-call trace (DSDND_ABCI_TRACE), CometBFT's Prometheus timings and the block sizes, for one DSDN load run. */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Native } from "../common/hash.js";
import { secp256k1KeyPair } from "../common/secp256k1.js";
import { rpc, startLocalnet } from "../test/support/localnet.js";
import { fundAndLoadLocalnet } from "./chainLoad.js";

interface TraceLine {
  height: string;
  txs: number;
  intervalMs: number;
  busyMs: number;
  finalizeToCommitEndMs: number;
  endMs: number;
  kinds: Record<string, { n: number; ms: number }>;
}

/** Prometheus text → sum of every sample whose name (with labels) starts with one of `prefixes`. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    const i = line.lastIndexOf(" ");
    const key = line
      .slice(0, i)
      .replace(/chain_id="[^"]*",?/, "")
      .replace(/\{\}/, "");
    out.set(key, Number(line.slice(i + 1)));
  }
  return out;
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor(p * s.length))] as number) : Number.NaN;
};

/** Runs the load once on a fresh DSDN localnet and prints the per-block breakdown. */
export async function chainPace(o: { validators: number; total: number; env?: Record<string, string> }): Promise<void> {
  const traceDir = mkdtempSync(join(tmpdir(), "dsdn-pace-"));
  const net = await startLocalnet({
    validators: o.validators,
    timeoutCommit: "1s",
    services: "chain",
    env: { DSDND_ABCI_TRACE: traceDir, ...o.env },
  });
  try {
    const promUrls = net.rpcUrls.map((_, i) => `http://127.0.0.1:${net.basePort + 10 * i + 3}/metrics`);
    const before = await Promise.all(promUrls.map(scrape));
    const h0 = Number((await rpc(net.rpcUrls[0]!, "status", {})).sync_info.latest_block_height);
    const senders = Array.from({ length: 200 }, (_, i) =>
      secp256k1KeyPair(sha256Native(new TextEncoder().encode(`pace-${Date.now()}-${i}`))),
    );
    const load0 = loadavg()[0]!;
    const r = await fundAndLoadLocalnet(net, {
      senders,
      total: o.total,
      fee: [{ denom: "unusa", amount: "5000" }],
      appRole: "app",
    });
    const h1 = Number((await rpc(net.rpcUrls[0]!, "status", {})).sync_info.latest_block_height);
    const after = await Promise.all(promUrls.map(scrape));
    console.log(
      `load ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}; ${r.committed}/${r.sent} committed, ${r.tps.toFixed(0)} tx/s (broadcast ${r.broadcastTps.toFixed(0)} tx/s, round trip p50 ${r.broadcastP50Ms.toFixed(0)} ms p99 ${r.broadcastP99Ms.toFixed(0)} ms), p50 ${r.p50Ms.toFixed(0)} ms; CPU s: ${JSON.stringify(r.cpu)}`,
    );
    // Block sizes and header times (validator 0's chain).
    const blocks: { h: number; n: number; t: number }[] = [];
    for (let h = h0 + 1; h <= h1; h++) {
      const b = await rpc(net.rpcUrls[0]!, "block", { height: String(h) });
      blocks.push({ h, n: (b.block.data.txs ?? []).length, t: Date.parse(b.block.header.time) });
    }
    const loaded = blocks.filter((b) => b.n > 1);
    console.log(
      `blocks ${h0 + 1}..${h1}: ${loaded.length} with txs; sizes ${loaded.map((b) => b.n).join(" ")}; header-time gaps ms ${loaded
        .slice(1)
        .map((b, i) => b.t - loaded[i]!.t)
        .join(" ")}`,
    );
    // CometBFT's view, node by node: how long it waited for each ABCI method, per block.
    const keys = [...after[0]!.keys()].filter((k) =>
      /abci_connection_method_timing_seconds_(sum|count)|block_processing_time_(sum|count)|consensus_block_interval_seconds_(sum|count)|recheck|step_duration_seconds_(sum|count)|round_duration_seconds_(sum|count)|proposal_receive_count|block_gossip|late_votes|duplicate/.test(
        k,
      ),
    );
    for (const k of keys) {
      const ds = after.map((a, i) => (a.get(k) ?? 0) - (before[i]!.get(k) ?? 0));
      if (ds.every((d) => d === 0)) continue;
      console.log(`prom ${k}: ${ds.map((d) => +d.toFixed(3)).join(" / ")}`);
    }
    // The app's own view.
    for (const f of readdirSync(traceDir)) {
      const lines = readFileSync(join(traceDir, f), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as TraceLine)
        .filter((l) => Number(l.height) > h0 && Number(l.height) <= h1);
      const withTx = lines.filter((l) => l.txs > 1);
      const sum = (k: string, field: "n" | "ms") => withTx.reduce((a, l) => a + (l.kinds[k]?.[field] ?? 0), 0);
      const interval = withTx.reduce((a, l) => a + l.intervalMs, 0);
      const kinds = ["checkTx", "recheckTx", "prepareProposal", "processProposal", "finalizeBlock", "commit", "other"];
      console.log(
        `app ${f}: ${withTx.length} loaded blocks, interval sum ${interval.toFixed(0)} ms, busy ${((100 * withTx.reduce((a, l) => a + l.busyMs, 0)) / interval).toFixed(0)}%; ` +
          kinds.map((k) => `${k} n=${sum(k, "n")} ${sum(k, "ms").toFixed(0)} ms`).join(", "),
      );
      console.log(
        `   per block: interval p50 ${q(
          withTx.map((l) => l.intervalMs),
          0.5,
        ).toFixed(0)} ms; finalize→commit end p50 ${q(
          withTx.map((l) => l.finalizeToCommitEndMs),
          0.5,
        ).toFixed(0)} ms; rows: ${withTx
          .map(
            (l) =>
              `${l.height}:${l.txs}tx/${l.intervalMs.toFixed(0)}ms[fb ${(l.kinds.finalizeBlock?.ms ?? 0).toFixed(0)} c ${(l.kinds.commit?.ms ?? 0).toFixed(0)} chk ${l.kinds.checkTx?.n ?? 0}/${(l.kinds.checkTx?.ms ?? 0).toFixed(0)} re ${l.kinds.recheckTx?.n ?? 0}/${(l.kinds.recheckTx?.ms ?? 0).toFixed(0)}]`,
          )
          .join(" ")}`,
      );
    }
  } finally {
    await net.stop();
  }
}

if (process.argv[1]?.endsWith("chainPace.js")) {
  const total = Number(process.argv.find((a) => a.startsWith("--txs="))?.slice(6) ?? 10000);
  const validators = Number(process.argv.find((a) => a.startsWith("--validators="))?.slice(13) ?? 4);
  await chainPace({ validators, total });
}

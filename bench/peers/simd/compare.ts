/** @module `npm run bench -- chain --vs simd`: DSDN's chain and the Cosmos SDK v0.50 simd under the same MsgSend load, side by side. */
import { mkdtempSync, readdirSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sha256Native } from "../../../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../../common/secp256k1.js";
import { startLocalnet } from "../../../test/support/localnet.js";
import { fundAndLoadLocalnet, type LoadResult, runLoad } from "../../chainLoad.js";
import { type Headline, recordHeadlines } from "../../headlines.js";
import { analyseProfile } from "../../profile/stages.js";
import { writeBenchSection } from "../../report.js";
import { buildSimd, SIMD_DENOM, SIMD_PREFIX, startSimdNet } from "./net.js";

const here = dirname(fileURLToPath(import.meta.url));
const SENDERS = 200;
const TIMEOUT_COMMIT = "1s";
const FEE_AMOUNT = "5000";

function senderKeys(tag: string) {
  return Array.from({ length: SENDERS }, (_, i) =>
    secp256k1KeyPair(sha256Native(new TextEncoder().encode(`vs-simd-${tag}-${i}`))),
  );
}

export async function dsdnRun(
  validators: number,
  total: number,
  tag: string,
  profileDir?: string,
): Promise<LoadResult> {
  // Profiling: every node process of the localnet writes a V8 CPU profile when it exits (SIGTERM → exit).
  const env = profileDir
    ? {
        NODE_OPTIONS: `--import=${pathToFileURL(join(here, "..", "..", "profile", "exitOnSignal.js")).href}`,
        DSDN_CPU_PROF_DIR: profileDir,
        // The stage table classifies samples by source file (dist/chain-app/…), which the bundle would hide.
        DSDN_UNBUNDLED: "1",
      }
    : undefined;
  const net = await startLocalnet({ validators, timeoutCommit: TIMEOUT_COMMIT, services: "chain", env });
  let appPids: number[] = [];
  try {
    appPids = net.rpcUrls.map((_, i) => net.pid("dsdnd", i));
    const r = await fundAndLoadLocalnet(net, {
      senders: senderKeys(tag),
      total,
      fee: [{ denom: "unusa", amount: FEE_AMOUNT }],
      appRole: "app",
    });
    lastAppPids = appPids;
    return r;
  } finally {
    await net.stop();
  }
}

export let lastAppPids: number[] = [];

/** Per-stage CPU of the dsdnd processes of one profiled run, in µs per committed tx (all validators summed). */
export function profileTable(dir: string, pids: number[], committed: number): string {
  const files = readdirSync(dir).filter((f) => pids.some((pid) => f === `${pid}.cpuprofile`));
  const sum = new Map<string, number>();
  let total = 0;
  let top: string[] = [];
  for (const f of files) {
    const a = analyseProfile(join(dir, f));
    for (const r of a.rows) sum.set(r.stage, (sum.get(r.stage) ?? 0) + r.ms);
    total += a.totalMs;
    if (top.length === 0) top = a.top;
  }
  const rows = [...sum.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(
      ([stage, ms]) =>
        `| ${stage} | ${((ms * 1000) / Math.max(1, committed)).toFixed(0)} µs | ${((100 * ms) / total).toFixed(1)}% |`,
    );
  return `Profile of ${files.length} dsdnd process(es) (\`node --cpu-prof\`, one extra run not counted above; ${committed} txs committed):

| stage | CPU per committed tx (all validators) | share |
| --- | ---: | ---: |
${rows.join("\n")}

Hottest functions (self time, validator 0): ${top.map((t) => `\`${t}\``).join("; ")}.`;
}

export async function simdRun(simd: string, validators: number, total: number, tag: string): Promise<LoadResult> {
  const senders = senderKeys(tag);
  const addrs = senders.map((k) => pubKeyToAddress(k.publicKey, SIMD_PREFIX));
  const net = await startSimdNet({
    simd,
    validators,
    timeoutCommit: TIMEOUT_COMMIT,
    funded: addrs,
    balance: 1_000_000_000n,
    minGasPrice: `0.025${SIMD_DENOM}`,
  });
  try {
    return await runLoad({
      urls: net.rpcUrls,
      chainId: net.chainId,
      senders,
      prefix: SIMD_PREFIX,
      denom: SIMD_DENOM,
      recipient: addrs[0]!,
      total,
      fee: [{ denom: SIMD_DENOM, amount: FEE_AMOUNT }],
      processes: net.rpcUrls.flatMap((_, i) => [
        { role: "cometbft", pid: net.pid("cometbft", i) },
        { role: "app", pid: net.pid("simd", i) },
      ]),
    });
  } finally {
    await net.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Summary {
  tps: number;
  appMsPerTx: number;
  cometMsPerTx: number;
  p50Ms: number;
  broadcastP50Ms: number;
  committed: string;
}

function summarise(rs: LoadResult[]): Summary {
  return {
    tps: median(rs.map((r) => r.tps)),
    appMsPerTx: median(rs.map((r) => ((r.cpu.app ?? 0) * 1000) / Math.max(1, r.committed))),
    cometMsPerTx: median(rs.map((r) => ((r.cpu.cometbft ?? 0) * 1000) / Math.max(1, r.committed))),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    broadcastP50Ms: median(rs.map((r) => r.broadcastP50Ms)),
    committed: rs.map((r) => `${r.committed}/${r.sent}`).join(", "),
  };
}

export async function runVsSimd(args: string[]): Promise<void> {
  const total = Number(args.find((a) => a.startsWith("--txs="))?.slice(6) ?? 10_000);
  const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 3);
  const setups = (args.find((a) => a.startsWith("--validators="))?.slice(13) ?? "4,1").split(",").map(Number);
  console.log("building simd (cached after the first time)…");
  const simd = buildSimd();
  const load0 = loadavg()[0]!;
  const rows: string[] = [];
  const headlines: Headline[] = [];
  const profiles: string[] = [];
  const profile = args.includes("--profile");
  // Written after every setup, so a run cut short still leaves its figures.
  const write = () => {
    const load1 = loadavg()[0]!;
    const body = `
Load: ${total} MsgSend pre-signed from ${SENDERS} senders, broadcast round-robin (\`broadcast_tx_sync\`, 32 client
workers, each sender always to the same validator); CometBFT v0.38 from \`.tools\` for both, the localnet's
CometBFT settings for both (\`localNodeConfig\`: timeout_commit ${TIMEOUT_COMMIT}, mempool 20,000, kv indexer), one
cometbft + one app process per validator over the ABCI socket (\`simd start --with-comet=false --transport socket\`).
simd: ibc-go v8.8.0 \`testing/simapp\` on cosmos-sdk v0.50.15 with its IBC wiring removed (\`bench/peers/simd/strip-ibc.sh\`:
the SDK's own modules and ante decorators only), built by \`bench/peers/simd/build.sh\`; fee 5000 of
the gas-price 0.025 denom on both. Load average (1 min) ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end
(the machine is shared: absolute figures move with it, the ratios less).

| setup | DSDN (TypeScript app) | Cosmos SDK v0.50 \`simd\` (Go) | ratio DSDN/simd |
| --- | ---: | ---: | ---: |
${rows.join("\n")}

${profiles.join("\n\n")}`;
    writeBenchSection("chain-vs-simd", "Chain Nusantara vs Cosmos SDK simd: MsgSend side by side", body);
    console.log(body);
  };
  for (const v of setups) {
    const d: LoadResult[] = [];
    const s: LoadResult[] = [];
    for (let r = 0; r < runs; r++) {
      console.log(`${v} validator(s), run ${r + 1}/${runs}: DSDN…`);
      d.push(await dsdnRun(v, total, `${v}-${r}`));
      console.log(JSON.stringify(d.at(-1)));
      console.log(`${v} validator(s), run ${r + 1}/${runs}: simd…`);
      s.push(await simdRun(simd, v, total, `${v}-${r}`));
      console.log(JSON.stringify(s.at(-1)));
    }
    if (profile) {
      const dir = mkdtempSync(join(tmpdir(), "dsdn-prof-"));
      console.log(`${v} validator(s): one profiled DSDN run (profiles in ${dir})…`);
      const pr = await dsdnRun(v, total, `${v}-prof`, dir);
      profiles.push(`**${v} validator${v > 1 ? "s" : ""}.** ${profileTable(dir, lastAppPids, pr.committed)}`);
    }
    const a = summarise(d);
    const b = summarise(s);
    const tag = `${v} validator${v > 1 ? "s" : ""}`;
    rows.push(
      `| ${tag}, tx/s (median of ${runs}) | ${a.tps.toFixed(0)} | ${b.tps.toFixed(0)} | ${(a.tps / b.tps).toFixed(2)}× |`,
      `| ${tag}, app CPU per committed tx (all ${v}) | ${a.appMsPerTx.toFixed(2)} ms | ${b.appMsPerTx.toFixed(2)} ms | ${(a.appMsPerTx / b.appMsPerTx).toFixed(2)}× the CPU |`,
      `| ${tag}, CometBFT CPU per tx (all ${v}) | ${a.cometMsPerTx.toFixed(2)} ms | ${b.cometMsPerTx.toFixed(2)} ms | ${(a.cometMsPerTx / b.cometMsPerTx).toFixed(2)}× |`,
      `| ${tag}, broadcast → commit p50 | ${(a.p50Ms / 1000).toFixed(2)} s | ${(b.p50Ms / 1000).toFixed(2)} s | |`,
      // The 32 client workers each wait for CheckTx's answer: tx/s cannot pass 32 ÷ this round trip.
      `| ${tag}, broadcast_tx_sync round trip p50 (32 workers) | ${a.broadcastP50Ms.toFixed(0)} ms | ${b.broadcastP50Ms.toFixed(0)} ms | |`,
      `| ${tag}, committed / sent per run | ${a.committed} | ${b.committed} | |`,
    );
    const item = "Chain vs Cosmos SDK simd" as const;
    headlines.push(
      {
        item,
        figure: `${tag}: tx/s, DSDN ÷ simd (median of ${runs})`,
        value: a.tps / b.tps,
        unit: "×",
        target: { min: 1, source: "issue 21: ≥ simd" },
      },
      {
        item,
        figure: `${tag}: app CPU per committed tx, DSDN ÷ simd`,
        value: a.appMsPerTx / b.appMsPerTx,
        unit: "×",
        target: { max: 1, source: "issue 21: ≤ simd" },
      },
    );
    write();
    recordHeadlines("chain-vs-simd", headlines);
  }
}

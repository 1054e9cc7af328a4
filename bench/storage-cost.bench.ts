/**
 * @module `npm run bench -- storage-cost`: the storage side of Tahap 27's end-to-end cost on the compute localnet
 * (4 validators, DA, coordinator, 3 storage nodes, FROST committee): upload → chunks on 3 nodes → the upload's events
 * on DA → a node's storage receipt, threshold-signed → `dsdnd tx receipt claim` → reward. Reports what each step
 * costs and how long the whole takes.
 */
import { execFile } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeBatch } from "../node-agent/da/events/batch.js";
import { openEnvelope } from "../node-agent/da/events/envelope.js";
import { createDALayer } from "../node-agent/da/replay/createDALayer.js";
import { bins, root, startComputeNet } from "../test/support/computeNet.js";
import { pfbGas } from "./da-cost.bench.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Celestia's default minimum gas price, 0.004 utia per gas (as in the da-cost benchmark). */
const utiaFor = (gas: bigint) => Number((gas * 4n + 999n) / 1000n);
const nodeReceiptMain = join(root, "dist", "node-agent", "storage", "receipts", "main.js");

function writeRandomFile(path: string, size: number): void {
  const fd = openSync(path, "w");
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (let left = size; left > 0; left -= buf.length) {
    const n = Math.min(left, buf.length);
    randomFillSync(buf, 0, n);
    writeSync(fd, buf, 0, n);
  }
  closeSync(fd);
}

export async function run(args: string[]): Promise<void> {
  const mib = Number(args.find((a) => a.startsWith("--mib="))?.split("=")[1] ?? 64);
  const load0 = loadavg()[0]!;
  const c = await startComputeNet();
  const work = mkdtempSync(join(tmpdir(), "dsdn-bench-storage-cost-"));
  try {
    const file = join(work, "data.bin");
    writeRandomFile(file, mib * MiB);
    const alice = c.account("alice").address;
    // 1. Upload through the coordinator: 3 replicas in 3 zones, each chunk fsynced and acknowledged.
    const t0 = performance.now();
    const up = JSON.parse(await c.cli(bins.dsdn, "upload", file, "--json", ...c.keyArgs("alice"))) as {
      manifest: string;
      size: number;
      placements: { cid: string; replicas: string[] }[];
    };
    const uploadMs = performance.now() - t0;
    // 2. The upload's events on DA: every envelope naming one of its chunks (declarations and replica acks).
    const cids = new Set(up.placements.map((p) => p.cid));
    const da = await createDALayer({
      url: c.net.env.DA_RPC_URL!,
      tokenFile: c.net.env.DA_AUTH_TOKEN_FILE!,
      namespace: c.net.env.DA_NAMESPACE!,
    });
    const daBytes: Record<string, number> = {};
    let events = 0;
    try {
      const head = await da.head();
      for (let h = 1n; h <= head; h++)
        for (const b of (await da.getAll(h)).blobs) {
          const batch = decodeBatch(b.data);
          if (batch.kind !== "batch") continue;
          for (const env of batch.envelopes) {
            const e = openEnvelope(env).event;
            const cid = "cid" in e.value ? (e.value.cid as string) : "";
            if (!cids.has(cid)) continue;
            daBytes[e.type] = (daBytes[e.type] ?? 0) + env.length;
            events++;
          }
        }
    } finally {
      await da.close();
    }
    const eventBytes = Object.values(daBytes).reduce((a, b) => a + b, 0);
    // Posted to Celestia in 512 KiB blobs (the EventPublisher's limit): the fee of that many blobs.
    const blobs = Math.max(1, Math.ceil(eventBytes / (512 * 1024)));
    const daUtia = blobs * utiaFor(pfbGas(Math.ceil(eventBytes / blobs)));
    // 3. One node's storage receipt for the chunks it holds, signed by the 3-of-4 committee.
    const nodeId = up.placements[0]!.replicas[0]!;
    const { dir, operator } = await c.nodeDirOf(nodeId);
    const held = up.placements.filter((p) => p.replicas.includes(nodeId)).map((p) => p.cid);
    const t1 = performance.now();
    const { stdout } = await exec(
      "node",
      [
        nodeReceiptMain,
        "request",
        "--data",
        dir,
        "--rpc",
        c.rpc0,
        "--coordinator",
        c.members[0]!.url,
        "--manifest",
        up.manifest,
        "--submitter",
        alice,
        "--cids",
        held.join(","),
        "--period-seconds",
        "3600",
        "-o",
        "json",
      ],
      { cwd: root, maxBuffer: 1 << 22 },
    );
    const receiptMs = performance.now() - t1;
    const got = JSON.parse(stdout) as { file: string };
    // 4. The claim: the operator's balance change plus the fee it paid is its reward share.
    const operatorAddr = c.account(operator).address;
    const before = await c.balance(operatorAddr);
    const t2 = performance.now();
    const claim = await c.tx("receipt", "claim", got.file, "--from", operator);
    if (claim.code !== 0) throw new Error(`claim refused: ${claim.rawLog}`);
    const claimMs = performance.now() - t2;
    const cost = await c.txCost(claim.txhash);
    const reward = (await c.balance(operatorAddr)) - before + cost.fee;
    const heldBytes = held.length === up.placements.length ? up.size : undefined;
    const perGiB = (x: number) => (x * GiB) / up.size;
    const load1 = loadavg()[0]!;
    const body = `One ${mib} MiB file of random bytes uploaded by a dev account with \`dsdn upload\` (coordinator placement,
3 replicas in 3 zones, every chunk fsynced and acknowledged), then one node's storage receipt for the chunks it holds
(${held.length} of ${up.placements.length}${heldBytes ? `, the whole ${mib} MiB` : ""}; \`node-agent/storage/receipts\` \`request\`:
usage proof, committee re-check, FROST 3-of-4) and its claim by the node's operator. Load average ${load0.toFixed(1)} at
start, ${load1.toFixed(1)} at end (2 shared cores).

| step | figure |
| --- | --- |
| upload (client → 3 nodes, acknowledged, on DA) | ${(uploadMs / 1000).toFixed(2)} s, ${(up.size / 1e6 / (uploadMs / 1000)).toFixed(1)} MB/s |
| the upload's events on DA | ${events} envelopes, ${eventBytes.toLocaleString("en")} B (${Object.entries(daBytes)
      .map(([k, v]) => `${k} ${v.toLocaleString("en")} B`)
      .join(", ")}) |
| per GiB uploaded | ${Math.round(perGiB(eventBytes)).toLocaleString("en")} B of events, ${(perGiB(daUtia) / 1e6).toFixed(4)} TIA to post on Celestia (${blobs} blob(s) of ≤ 512 KiB here, 0.004 utia/gas) |
| storage receipt (request → threshold-signed) | ${(receiptMs / 1000).toFixed(2)} s |
| claim (\`dsdnd tx receipt claim\`, to commit) | ${(claimMs / 1000).toFixed(2)} s, ${cost.gasUsed} gas, fee ${cost.fee} unusa |
| operator's reward for this receipt | ${reward} unusa (${(Number(reward) / 1e6).toFixed(6)} NUSA) |
| whole path, upload → reward paid | ${((uploadMs + receiptMs + claimMs) / 1000).toFixed(2)} s |

The claim's fee is what a node pays per receipt whatever its size; the reward grows with the bytes held, so a node
batches its chunks into one receipt per period (this receipt covers one period of 3600 s).`;
    console.log(body);
    writeBenchSection("storage-cost", "End-to-end storage cost: upload → DA → receipt → claim → reward", body, root);
    recordHeadlines(
      "storage-cost",
      [
        {
          item: "End-to-end cost: storage",
          figure: "DA fee to post the metadata of 1 GiB uploaded",
          value: perGiB(daUtia) / 1e6,
          unit: "TIA",
        },
        {
          item: "End-to-end cost: storage",
          figure: "chain gas of one storage receipt claim",
          value: Number(cost.gasUsed),
          unit: "gas",
        },
        {
          item: "End-to-end cost: storage",
          figure: `upload → reward paid, ${mib} MiB`,
          value: (uploadMs + receiptMs + claimMs) / 1000,
          unit: "s",
        },
      ],
      root,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await c.stop();
  }
}

/**
 * @module `npm run bench -- compute`: on the compute localnet (4 validators, DA, coordinator, 3 storage nodes, FROST
 * committee), deploy → output latency of a real WASI workload (word count, distinct inputs so each is a new job), and
 * the end-to-end cost per job: DA bytes of its records (WorkloadScheduled, ComputeReported, ReceiptIssued envelopes)
 * and the gas of the node's claim.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../common/hash.js";
import { openedEvents } from "../node-agent/da/events/openedEvents.js";
import { createDALayer } from "../node-agent/da/replay/createDALayer.js";
import { bins, root, startComputeNet } from "../test/support/computeNet.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(args: string[]): Promise<void> {
  const jobs = Number(args.find((a) => a.startsWith("--jobs="))?.split("=")[1] ?? 5);
  const c = await startComputeNet();
  const work = mkdtempSync(join(tmpdir(), "dsdn-bench-compute-"));
  const wc = join(root, "node-agent", "runtime", "fixtures", "wc.wasm");
  try {
    const latencies: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const input = join(work, `in-${i}.txt`);
      writeFileSync(input, `job ${i}: ${"lorem ipsum dolor sit amet ".repeat(200 + i)}\n`);
      const t0 = performance.now();
      const d = JSON.parse(
        await c.cli(bins.dsdn, "deploy", wc, "--input", input, "--wait", "--json", ...c.keyArgs("alice")),
      );
      if (d.state !== "completed") throw new Error(`job ${i}: ${JSON.stringify(d)}`);
      await c.cli(bins.dsdn, "job", "output", d.jobId, "-o", join(work, `out-${i}.txt`), ...c.keyArgs("alice"));
      latencies.push(performance.now() - t0);
      ids.push(d.jobId);
    }
    // One compute receipt and its claim (after the challenge window) for the chain side of the cost.
    const status = JSON.parse(await c.cli(bins.dsdn, "job", "status", ids[0]!, "--json"));
    const { dir, operator } = await c.nodeDirOf(status.nodes[0]);
    const r = JSON.parse(
      await c.cli(
        bins.dsdnNode,
        "compute",
        "receipt",
        ids[0]!,
        "--data",
        dir,
        "--coordinator",
        c.net.env.DSDN_COORDINATOR_URL!,
        "--committee",
        c.members[0]!.url,
        "--json",
      ),
    );
    const claim = await c.claimAfterWindow(r.file, operator, 300_000);
    const cost = await c.txCost(claim.txhash);
    // DA bytes per job: every compute envelope of the first job, as posted.
    const da = await createDALayer({
      url: c.net.env.DA_RPC_URL!,
      tokenFile: c.net.env.DA_AUTH_TOKEN_FILE!,
      namespace: c.net.env.DA_NAMESPACE!,
    });
    const bytes: Record<string, number> = { workloadScheduled: 0, computeReported: 0, receiptIssued: 0 };
    try {
      const head = await da.head();
      for (let h = 1n; h <= head; h++)
        for (const env of openedEvents((await da.getAll(h)).blobs)) {
          const e = env.event;
          const wid = "workloadId" in e.value ? toHex(e.value.workloadId as Uint8Array) : "";
          if (wid === ids[0] && e.type in bytes) bytes[e.type] = (bytes[e.type] ?? 0) + env.bytes.length;
        }
    } finally {
      await da.close();
    }
    const daTotal = Object.values(bytes).reduce((a, b) => a + b, 0);
    const body = `
| figure | value |
| --- | --- |
| jobs (word count, ~5–6 KB input each, 1 replica) | ${jobs} |
| deploy → output latency, median | ${(median(latencies) / 1000).toFixed(2)} s |
| deploy → output latency, max | ${(Math.max(...latencies) / 1000).toFixed(2)} s |
| DA bytes per job: WorkloadScheduled / ComputeReported / ReceiptIssued | ${bytes.workloadScheduled} / ${bytes.computeReported} / ${bytes.receiptIssued} (total ${daTotal}) |
| chain gas per job (the node's MsgClaimReward) | ${cost.gasUsed} gas, fee ${cost.fee} unusa |
| deploy itself | no chain transaction: uploads are DA declarations, the submission is ADR-036 signed |

Latency covers \`dsdn deploy --wait\` (dry run, two uploads through the coordinator, signed submission, scheduling,
the node's fetch through the ingress, the traced interpreter run, the signed report) plus \`dsdn job output\`.
The challenge window is not in it (the claim waits it out separately). Not counted in the DA bytes: the module's
and input's upload records (ChunkDeclared / ReplicaAdded, as for any upload; a module deployed again is only pinned).
At the localnet's prices a word count (~5 k cycles, reward ≈ 5 unusa) earns less than its claim's fee: small jobs
should be batched into one receipt per period, as storage receipts are.`;
    writeBenchSection("compute", "Compute workloads: deploy → output latency and cost per job", body, root);
    recordHeadlines(
      "compute",
      [
        {
          item: "End-to-end cost: compute job",
          figure: "deploy → output latency, median (word count)",
          value: median(latencies) / 1000,
          unit: "s",
        },
        {
          item: "End-to-end cost: compute job",
          figure: "chain gas of the job's claim (MsgClaimReward)",
          value: Number(cost.gasUsed),
          unit: "gas",
        },
        {
          item: "End-to-end cost: compute job",
          figure: "DA bytes per job (scheduled + reported + receipt)",
          value: daTotal,
          unit: "B",
        },
      ],
      root,
    );
    console.log(body);
  } finally {
    await c.stop();
  }
}

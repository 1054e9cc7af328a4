/**
 * @module End to end on the localnet (4 validators, local DA, coordinator, 3 storage nodes with compute agents,
 * ingress) plus a 4-member FROST committee: `dsdn deploy` of a real WASI workload (word count) → scheduled on a node
 * not the submitter's (and `dsdn-node schedule` recomputes the same choice) → `dsdn job output` equals a local
 * `dsdn-node wasm run` → a COMPUTE receipt on DA whose trace root is the local run's → `dsdnd tx receipt claim`
 * refused inside the challenge window, paid after it exactly 70/20/10 → deploying again gives the same commitment →
 * a submitter owning (or wallet-affine with) every candidate node is refused with a clear message → a `type: static`
 * project deployed as a signed site and served path by path through the ingress; a forged site manifest refused.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReceiptFile } from "../../clients/sdk/receipts.js";
import { decodeReceiptData } from "../../common/receipts/receiptBytes.js";
import { openedEvents } from "../../node-agent/da/events/openedEvents.js";
import { createDALayer } from "../../node-agent/da/replay/createDALayer.js";
import { bins, type ComputeNet, root, startComputeNet } from "../support/computeNet.js";
import { waitFor } from "../support/localnet.js";
import { expectPaidAtOraclePrice } from "../support/receiptFixture.js";

const { dsdn, dsdnNode } = bins;
const wcWasm = join(root, "node-agent", "runtime", "fixtures", "wc.wasm");
const words = join(root, "test", "e2e", "fixtures", "words.txt");

let c: ComputeNet;
beforeAll(async () => {
  c = await startComputeNet();
}, 300_000);
afterAll(() => c?.stop());

let job: { jobId: string; nodes: string[]; executionCommitment: Record<string, string> };

describe("compute workloads on the localnet", () => {
  it("dsdn deploy → scheduled on a node not the submitter's → output equals a local run; dsdn-node schedule agrees", async () => {
    const alice = c.account("alice").address;
    const out = JSON.parse(
      await c.cli(dsdn, "deploy", wcWasm, "--input", words, "--wait", "--json", ...c.keyArgs("alice")),
    );
    expect(out.state, JSON.stringify(out)).toBe("completed");
    expect(out.jobId).toMatch(/^[0-9a-f]{64}$/);
    expect(out.nodes).toHaveLength(1);
    const { operator } = await c.nodeDirOf(out.nodes[0]);
    expect(c.account(operator).address).not.toBe(alice);

    const status = JSON.parse(await c.cli(dsdn, "job", "status", out.jobId, "--json"));
    expect(status.state).toBe("completed");
    job = { jobId: out.jobId, nodes: out.nodes, executionCommitment: status.executionCommitment };
    // The local run uses the signed limits: fuel left is part of every checkpoint's state hash.
    const limits = ["--fuel", status.spec.fuel, "--memory-pages", String(status.spec.memoryPages)];
    expect(job.executionCommitment.workloadId).toBe(out.jobId);

    // The output through `dsdn job output` equals a local run of the same module on the same input …
    const got = join(c.net.dir, "job-output.txt");
    // A batch job is private by default (signed in its spec): its output goes to its submitter's signed request only.
    expect(status.spec.visibility).toBe("private");
    expect(status.outputEndpoints.length).toBeGreaterThan(0);
    for (const ep of status.outputEndpoints as string[])
      expect((await fetch(`${ep}/outputs/${status.outputCid}`)).status).toBe(403);
    const refused = await c.cli(dsdn, "job", "output", out.jobId, "-o", got, ...c.keyArgs("storage0")).then(
      () => "",
      (e: Error & { stderr?: string }) => e.stderr ?? e.message,
    );
    expect(refused).toMatch(/private output is served to the account that submitted its job only/);
    await c.cli(dsdn, "job", "output", out.jobId, "-o", got, ...c.keyArgs("alice"));
    const local = join(c.net.dir, "local-output.txt");
    const report = JSON.parse(
      await c.cli(
        dsdnNode,
        "wasm",
        "run",
        wcWasm,
        "--invoke",
        "_start",
        "--input",
        words,
        "--output",
        local,
        "--json",
        "--trace-every",
        job.executionCommitment.traceEvery!,
        ...limits,
      ),
    );
    expect(readFileSync(got)).toEqual(readFileSync(local));
    expect(readFileSync(got, "utf8")).toMatch(/^3 \d+ \d+\n$/);
    // … and the commitment is that run's: output hash, state roots, trace root, steps.
    expect(job.executionCommitment).toMatchObject({
      outputHash: report.outputHash,
      stateRootBefore: report.stateRootBefore,
      stateRootAfter: report.stateRootAfter,
      executionTraceMerkleRoot: report.traceRoot,
      steps: String(report.steps),
    });

    const recomputed = JSON.parse(
      await c.cli(
        dsdnNode,
        "schedule",
        out.jobId,
        "--da",
        c.net.env.DA_RPC_URL!,
        "--token-file",
        c.net.env.DA_AUTH_TOKEN_FILE!,
        "--namespace",
        c.net.env.DA_NAMESPACE!,
        "--rpc",
        c.rpc0,
        "--json",
      ),
    );
    expect(recomputed.matches).toBe(true);
    expect(recomputed.recomputed).toEqual(out.nodes);
  }, 180_000);

  it("compute receipt on DA with the trace root; claim refused inside the window, paid after it exactly 70/20/10", async () => {
    const { dir, operator } = await c.nodeDirOf(job.nodes[0]!);
    const r = JSON.parse(
      await c.cli(
        dsdnNode,
        "compute",
        "receipt",
        job.jobId,
        "--data",
        dir,
        "--coordinator",
        c.net.env.DSDN_COORDINATOR_URL!,
        "--committee",
        c.members[1]!.url,
        "--json",
      ),
    );
    expect(r.executionTraceMerkleRoot).toBe(job.executionCommitment.executionTraceMerkleRoot);
    const file = await readReceiptFile(r.file);
    const d = decodeReceiptData(file.receipt.receiptData);
    expect(d.signers).toHaveLength(3);

    const da = await createDALayer({
      url: c.net.env.DA_RPC_URL!,
      tokenFile: c.net.env.DA_AUTH_TOKEN_FILE!,
      namespace: c.net.env.DA_NAMESPACE!,
    });
    try {
      const onDa = await waitFor(
        async () => {
          const head = await da.head();
          for (let h = 1n; h <= head; h++)
            for (const e of openedEvents((await da.getAll(h)).blobs))
              if (
                e.event.type === "receiptIssued" &&
                Buffer.from(e.event.value.receiptId).toString("hex") === r.receiptId
              )
                return e.event.value;
          return undefined;
        },
        30_000,
        "ReceiptIssued on DA",
      );
      expect(Buffer.from(onDa.workloadId).toString("hex")).toBe(job.jobId);
    } finally {
      await da.close();
    }

    // Inside the challenge window (block time from the receipt's timestamp): refused, nothing paid.
    await expect(c.tx("receipt", "claim", r.file, "--from", operator)).rejects.toThrow(/challenge window/i);
    // After it: paid at once, exactly 70 / 20 / 10.
    const addr = c.account(operator).address;
    const before = await c.balance(addr);
    const claim = await c.claimAfterWindow(r.file, operator);
    const { fee } = await c.txCost(claim.txhash);
    const reward = BigInt(d.reward);
    expect(reward).toBeGreaterThan(0n);
    const recorded = await c.chainJson("query", "receipts", "claim", r.receiptId);
    expect((await c.balance(addr)) - before + fee).toBe(expectPaidAtOraclePrice(recorded, reward));
  }, 240_000);

  it("the same workload deployed twice gives the same job and the same commitment", async () => {
    const again = JSON.parse(
      await c.cli(dsdn, "deploy", wcWasm, "--input", words, "--wait", "--json", ...c.keyArgs("alice")),
    );
    expect(again.jobId).toBe(job.jobId);
    expect(again.existing).toBe(true);
    expect(again.executionCommitment).toEqual(job.executionCommitment);
  }, 120_000);

  it("a submitter owning or wallet-affine with every candidate node is refused with a clear message", async () => {
    // storage0 operates node 0 and pays storage1 and storage2: wallet affinity with every other operator.
    for (const to of ["storage1", "storage2"])
      expect((await c.tx("bank", "send", "storage0", c.account(to).address, "1unusa")).code).toBe(0);
    const err = await c.cli(dsdn, "deploy", wcWasm, "--input", words, "--json", ...c.keyArgs("storage0")).then(
      () => "",
      (e: Error & { stderr?: string }) => e.stderr ?? e.message,
    );
    expect(err).toMatch(/no fair node can run this workload: every candidate node is operated by the submitter/);
  }, 120_000);

  it("dsdn deploy of a type: static project publishes a signed site the ingress serves path by path; a forged manifest is refused", async () => {
    const dir = join(c.net.dir, "static-site");
    mkdirSync(join(dir, "public", "docs"), { recursive: true });
    writeFileSync(join(dir, "dsdn.yaml"), "type: static\npublish: public\n");
    const pages: Record<string, string> = {
      "index.html": "<!doctype html><h1>DSDN static</h1>",
      "style.css": "h1 { color: teal }",
      "docs/index.html": "<p>docs page</p>",
    };
    for (const [p, text] of Object.entries(pages)) writeFileSync(join(dir, "public", p), text);
    const ingress = c.net.env.INGRESS_URL!;
    const out = JSON.parse(await c.cli(dsdn, "deploy", dir, "--json", "--ingress", ingress, ...c.keyArgs("alice")));
    expect(out.url).toBe(`${ingress}/site/${out.siteCid}/`);
    expect(out.owner).toBe(c.account("alice").address);
    expect(out.files.map((f: { path: string }) => f.path)).toEqual(["docs/index.html", "index.html", "style.css"]);
    // The ingress serves the site once DA has the declarations.
    const root = await waitFor(
      async () => {
        const r = await fetch(out.url);
        return r.ok ? r : undefined;
      },
      60_000,
      "the site through the ingress",
    );
    expect(root.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await root.text()).toBe(pages["index.html"]);
    const css = await fetch(`${out.url}style.css`);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect(await css.text()).toBe(pages["style.css"]);
    for (const path of ["docs/", "docs", "docs/index.html"])
      expect(await (await fetch(`${out.url}${path}`)).text()).toBe(pages["docs/index.html"]);
    expect((await fetch(`${out.url}missing.html`)).status).toBe(404);

    // A copy of the manifest with index.html pointed at another object, uploaded by mallory-in-the-middle: refused.
    const site = JSON.parse(await (await fetch(`${ingress}/object/${out.siteCid}`)).text());
    const css2 = site.files.find((f: { path: string }) => f.path === "style.css").cid;
    site.files = site.files.map((f: { path: string; cid: string }) =>
      f.path === "index.html" ? { ...f, cid: css2 } : f,
    );
    const forgedPath = join(c.net.dir, "forged-site.json");
    writeFileSync(forgedPath, JSON.stringify(site));
    const forged = JSON.parse(await c.cli(dsdn, "upload", forgedPath, "--json", ...c.keyArgs("storage1"))).manifest;
    const refused = await waitFor(
      async () => {
        const r = await fetch(`${ingress}/site/${forged}/`);
        return r.status === 404 ? undefined : r;
      },
      60_000,
      "the forged site's declaration on the ingress",
    );
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toMatch(/not a valid signed site manifest/);
  }, 180_000);
});

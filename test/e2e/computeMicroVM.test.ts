/**
 * @module End to end on the localnet, MicroVM workloads: storage nodes 0 and 1 offer bwrap, node 2 none
 * (LOCALNET_MICROVM). `dsdn deploy` of a 2-replica `runtime: microvm` batch job whose image is a local directory (and
 * again, given as the uploaded tar's CID) →
 * packed and uploaded by the CLI → both replicas run it in bwrap (unprivileged uid, image at /image) → `dsdn job
 * output` is the expected bytes → a committee-signed COMPUTE receipt of the MicroVM kind → `dsdnd tx receipt claim`
 * refused inside the challenge window, paid after it (70/20/10). Bad cases: an image with a symlink is refused by the
 * CLI before anything is uploaded; the node without a MicroVM backend is never scheduled (3 replicas cannot be met).
 */
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReceiptFile } from "../../clients/sdk/receipts.js";
import { decodeReceiptData } from "../../common/receipts/receiptBytes.js";
import { ExecutionKind, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { bins, type ComputeNet, startComputeNet } from "../support/computeNet.js";
import { expectPaidAtOraclePrice } from "../support/receiptFixture.js";

const { dsdn, dsdnNode } = bins;

let c: ComputeNet;
beforeAll(async () => {
  c = await startComputeNet({ env: { LOCALNET_MICROVM: "0=bwrap,1=bwrap,2=none" } });
}, 300_000);
afterAll(() => c?.stop());

const INPUT = "the quick brown fox\njumps over the lazy dog\n";
/** A project: dsdn.yaml, an image directory with a script, an input file. */
function project(name: string, o: { replicas?: number; symlink?: boolean; image?: string } = {}): string {
  const dir = join(c.net.dir, name);
  mkdirSync(join(dir, "image", "bin"), { recursive: true });
  writeFileSync(
    join(dir, "dsdn.yaml"),
    [
      `name: ${name}`,
      "type: batch",
      "runtime: microvm",
      `image: ${o.image ?? "image"}`,
      "command: [/bin/sh, bin/run.sh]",
      "input: input.txt",
      `replicas: ${o.replicas ?? 2}`,
      "resources:",
      "  memoryMiB: 128",
      "  timeoutSeconds: 60",
      "",
    ].join("\n"),
  );
  // The output names the sandbox: bwrap runs it as uid 65534 with the image read-only at /image.
  writeFileSync(
    join(dir, "image", "bin", "run.sh"),
    '#!/bin/sh\nsha256sum | cut -d" " -f1\necho "$(id -u) $(pwd)"\necho "replica ran" >&2\n',
  );
  chmodSync(join(dir, "image", "bin", "run.sh"), 0o755);
  writeFileSync(join(dir, "image", "README"), "a MicroVM image\n");
  if (o.symlink) symlinkSync("/etc/passwd", join(dir, "image", "bin", "passwd"));
  writeFileSync(join(dir, "input.txt"), INPUT);
  return dir;
}

const stderrOf = (p: Promise<string>) =>
  p.then(
    (out) => `(succeeded: ${out})`,
    (e: Error & { stderr?: string }) => `${e.stderr ?? ""}${e.message}`,
  );

let job: { jobId: string; nodes: string[]; moduleCid: string };

describe("MicroVM workloads on the localnet", () => {
  it("dsdn deploy of a directory image → 2 replicas in bwrap on the nodes that offer it → dsdn job output", async () => {
    const out = JSON.parse(await c.cli(dsdn, "deploy", project("mv-sha"), "--wait", "--json", ...c.keyArgs("alice")));
    expect(out.state, JSON.stringify(out)).toBe("completed");
    expect(out.runtime).toBe("microvm");
    expect(out.nodes).toHaveLength(2);
    const dirs = await Promise.all(out.nodes.map((n: string) => c.nodeDirOf(n)));
    // Only nodes 0 and 1 offer a MicroVM backend; node 2 (none) is never chosen.
    expect(dirs.map((d) => d.operator).sort()).toEqual(["storage0", "storage1"]);
    job = { jobId: out.jobId, nodes: out.nodes, moduleCid: out.moduleCid };

    const status = JSON.parse(await c.cli(dsdn, "job", "status", out.jobId, "--json"));
    expect(status.state).toBe("completed");
    expect(status.results).toHaveLength(2);
    expect(status.results.every((r: { completed: boolean }) => r.completed)).toBe(true);
    expect(status.disagreement).toBe(false);
    expect(status.executionCommitment).toMatchObject({
      executionKind: "microvm_redundant",
      steps: "0",
      executionTraceMerkleRoot: "",
      workloadId: out.jobId,
    });

    const got = join(c.net.dir, "mv-output.txt");
    await c.cli(dsdn, "job", "output", out.jobId, "-o", got, ...c.keyArgs("alice"));
    const expected = `${createHash("sha256").update(INPUT).digest("hex")}\n65534 /image\n`;
    expect(readFileSync(got, "utf8")).toBe(expected);
  }, 240_000);

  it("dsdn deploy with image: <CID> (the tar already uploaded) runs the same image without uploading it again", async () => {
    const out = JSON.parse(
      await c.cli(
        dsdn,
        "deploy",
        project("mv-by-cid", { image: job.moduleCid }),
        "--wait",
        "--json",
        ...c.keyArgs("alice"),
      ),
    );
    expect(out.state, JSON.stringify(out)).toBe("completed");
    expect(out.moduleCid).toBe(job.moduleCid);
    expect(out.jobId).not.toBe(job.jobId);
    const got = join(c.net.dir, "mv-by-cid-output.txt");
    await c.cli(dsdn, "job", "output", out.jobId, "-o", got, ...c.keyArgs("alice"));
    expect(readFileSync(got, "utf8")).toBe(`${createHash("sha256").update(INPUT).digest("hex")}\n65534 /image\n`);
    // A CID that names no tar the node would unpack (the input text) is refused before anything is signed.
    const err = await stderrOf(
      c.cli(dsdn, "deploy", project("mv-bad-cid", { image: out.inputCid }), ...c.keyArgs("alice")),
    );
    expect(err).toMatch(/intent field "image".*image refused/);
  }, 240_000);

  it("a committee-signed MicroVM compute receipt; the claim is refused inside the window and paid after it", async () => {
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
    const file = await readReceiptFile(r.file);
    const d = decodeReceiptData(file.receipt.receiptData);
    expect(d.kind).toBe(ReceiptKind.RECEIPT_KIND_COMPUTE);
    expect(d.signers).toHaveLength(3);
    expect(d.executionCommitment!.executionKind).toBe(ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT);
    expect(d.executionCommitment!.executionTraceMerkleRoot).toHaveLength(0);
    expect(Buffer.from(d.workloadId).toString("hex")).toBe(job.jobId);

    await expect(c.tx("receipt", "claim", r.file, "--from", operator)).rejects.toThrow(/challenge window/i);
    const addr = c.account(operator).address;
    const before = await c.balance(addr);
    const claim = await c.claimAfterWindow(r.file, operator);
    const { fee } = await c.txCost(claim.txhash);
    const reward = BigInt(d.reward);
    expect(reward).toBeGreaterThan(0n);
    const recorded = await c.chainJson("query", "receipts", "claim", r.receiptId);
    expect((await c.balance(addr)) - before + fee).toBe(expectPaidAtOraclePrice(recorded, reward));
  }, 240_000);

  it("an image with a symlink is refused by the CLI, naming the file, before anything is submitted", async () => {
    const err = await stderrOf(c.cli(dsdn, "deploy", project("mv-link", { symlink: true }), ...c.keyArgs("alice")));
    expect(err).toMatch(/"bin\/passwd" is a symbolic link/);
    expect(err).not.toMatch(/succeeded/);
  }, 120_000);

  it("the node without a MicroVM backend is never scheduled: 3 replicas cannot be met by the 2 that offer one", async () => {
    const err = await stderrOf(
      c.cli(dsdn, "deploy", project("mv-three", { replicas: 3 }), "--json", ...c.keyArgs("alice")),
    );
    expect(err).toMatch(/only 2 of 3 required nodes are eligible/);
  }, 120_000);
});

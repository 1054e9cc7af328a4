/**
 * @module End to end on the localnet (4 validators, local DA, coordinator, 3 storage nodes with compute agents,
 * ingress) plus a 4-member FROST committee: `dsdn deploy` of a real WASI workload (word count) → scheduled on a node
 * not the submitter's (and `dsdn-node schedule` recomputes the same choice) → `dsdn job output` equals a local
 * `dsdn-node wasm run` → a COMPUTE receipt on DA whose trace root is the local run's → `dsdnd tx receipt claim`
 * refused inside the challenge window, paid after it exactly 70/20/10 → deploying again gives the same commitment →
 * a submitter owning (or wallet-affine with) every candidate node is refused with a clear message.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReceiptFile } from "../../clients/sdk/receipts.js";
import { projectRoot } from "../../common/paths.js";
import { decodeReceiptData } from "../../common/receipts/receiptBytes.js";
import { decodeBatch } from "../../node-agent/da/events/batch.js";
import { openEnvelope } from "../../node-agent/da/events/envelope.js";
import { createDALayer } from "../../node-agent/da/replay/createDALayer.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const dsdnd = join(root, "bin", "dsdnd.js");
const dsdn = join(root, "bin", "dsdn.js");
const dsdnNode = join(root, "bin", "dsdn-node.js");
const memberMain = join(root, "dist", "node-agent", "coordinator", "receipts", "main.js");
const wcWasm = join(root, "node-agent", "runtime", "fixtures", "wc.wasm");
const words = join(root, "test", "e2e", "fixtures", "words.txt");

let net: Localnet;
let rpc0: string;
let keyringDir: string;
const children: ChildProcess[] = [];
const members: { dir: string; url: string; log: string[] }[] = [];

const account = (name: string) => {
  const a = net.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no dev account ${name}`);
  return a;
};
const env = () => ({ ...process.env, ...net.env, DSDND_KEYRING_BACKEND: "test" });
async function cli(bin: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("node", [bin, ...args], { cwd: root, env: env(), maxBuffer: 1 << 24 });
  return stdout.trim();
}
const chainJson = async (...args: string[]) => JSON.parse(await cli(dsdnd, ...args, "--node", rpc0, "-o", "json"));
const tx = (...args: string[]) => chainJson("tx", ...args, "--keyring-dir", keyringDir, "--keyring-backend", "test");
const keyArgs = (name: string) => ["--from", name, "--keyring-dir", keyringDir, "--keyring-backend", "test"];

function startProcess(args: string[], marker: RegExp, log: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn("node", args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      log.push(d.toString());
      const m = marker.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.stderr!.on("data", (d: Buffer) => log.push(d.toString()));
    proc.once("exit", (c) => reject(new Error(`${args[0]} exited ${c}: ${log.join("")}`)));
  });
}

async function balance(address: string): Promise<bigint> {
  const r = await chainJson("query", "bank", "balances", address);
  return BigInt(r.balances.find((b: { denom: string }) => b.denom === "unusa")?.amount ?? "0");
}
async function feePaid(txhash: string): Promise<bigint> {
  const client = await StargateClient.connect(rpc0);
  try {
    const t = await client.getTx(txhash);
    return BigInt(decodeTxRaw(t!.tx).authInfo.fee!.amount.find((c) => c.denom === "unusa")?.amount ?? "0");
  } finally {
    client.disconnect();
  }
}

/** storage/<n> of the localnet whose node key is `nodeId`. */
async function nodeDirOf(nodeId: string): Promise<{ dir: string; operator: string }> {
  for (let n = 0; n < 3; n++) {
    const dir = join(net.dir, "storage", String(n));
    if ((await loadOrCreateIdentity(dir)).nodeId === nodeId) return { dir, operator: `storage${n}` };
  }
  throw new Error(`no localnet storage node ${nodeId}`);
}

beforeAll(async () => {
  net = await startLocalnet({ validators: 4, storageNodes: 3 });
  rpc0 = net.rpcUrls[0] as string;
  keyringDir = join(net.dir, "e2e-keyring");
  for (const name of [
    "alice",
    "storage0",
    "storage1",
    "storage2",
    "operator0",
    "operator1",
    "operator2",
    "operator3",
  ]) {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(
        "node",
        [dsdnd, "keys", "add", name, "--recover", "--keyring-dir", keyringDir, "--keyring-backend", "test"],
        { cwd: root },
      );
      p.stdin.end(account(name).mnemonic);
      p.on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`keys add ${name} exited ${c}`))));
    });
  }
  const da = [
    "--da",
    net.env.DA_RPC_URL!,
    "--token-file",
    net.env.DA_WRITE_TOKEN_FILE!,
    "--namespace",
    net.env.DA_NAMESPACE!,
  ];
  await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const dir = join(net.dir, `committee-${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "operator.mnemonic"), account(`operator${i}`).mnemonic, { mode: 0o600 });
      const log: string[] = [];
      const { url } = await startProcess(
        [
          memberMain,
          "serve",
          "--data",
          dir,
          "--rpc",
          rpc0,
          "--port",
          "0",
          "--key-file",
          join(dir, "frost.key"),
          "--operator-mnemonic-file",
          join(dir, "operator.mnemonic"),
          "--poll-ms",
          "300",
          ...da,
        ],
        /listening on (http:\/\/\S+)/,
        log,
      );
      members[i] = { dir, url, log };
    }),
  );
  for (const [i, m] of members.entries())
    expect(
      (await tx("committee", "register-coordinator", `operator${i}`, "--identity", m.dir, "--endpoint", m.url)).code,
    ).toBe(0);
  await waitFor(
    async () => (await chainJson("query", "committee", "show")).status === "COMMITTEE_STATUS_ACTIVE" || undefined,
    90_000,
    "the committee's DKG",
  );
  // Every storage node's compute agent has posted a heartbeat.
  await waitFor(
    async () => {
      const r = await fetch(`${net.env.DSDN_COORDINATOR_URL}/compute/info`);
      return r.ok && ((await r.json()) as { heartbeats: number }).heartbeats >= 3 ? true : undefined;
    },
    60_000,
    "compute heartbeats from the storage nodes",
  );
}, 300_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined,
    ),
  );
  await net?.stop();
});

let job: { jobId: string; nodes: string[]; executionCommitment: Record<string, string> };

describe("compute workloads on the localnet", () => {
  it("dsdn deploy → scheduled on a node not the submitter's → output equals a local run; dsdn-node schedule agrees", async () => {
    const alice = account("alice").address;
    const out = JSON.parse(
      await cli(dsdn, "deploy", wcWasm, "--input", words, "--wait", "--json", ...keyArgs("alice")),
    );
    expect(out.state, JSON.stringify(out)).toBe("completed");
    expect(out.jobId).toMatch(/^[0-9a-f]{64}$/);
    expect(out.nodes).toHaveLength(1);
    const { operator } = await nodeDirOf(out.nodes[0]);
    expect(account(operator).address).not.toBe(alice);

    const status = JSON.parse(await cli(dsdn, "job", "status", out.jobId, "--json"));
    expect(status.state).toBe("completed");
    job = { jobId: out.jobId, nodes: out.nodes, executionCommitment: status.executionCommitment };
    // The local run uses the signed limits: fuel left is part of every checkpoint's state hash.
    const limits = ["--fuel", status.spec.fuel, "--memory-pages", String(status.spec.memoryPages)];
    expect(job.executionCommitment.workloadId).toBe(out.jobId);

    // The output through `dsdn job output` equals a local run of the same module on the same input …
    const got = join(net.dir, "job-output.txt");
    await cli(dsdn, "job", "output", out.jobId, "-o", got);
    const local = join(net.dir, "local-output.txt");
    const report = JSON.parse(
      await cli(
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
      await cli(
        dsdnNode,
        "schedule",
        out.jobId,
        "--da",
        net.env.DA_RPC_URL!,
        "--token-file",
        net.env.DA_AUTH_TOKEN_FILE!,
        "--namespace",
        net.env.DA_NAMESPACE!,
        "--rpc",
        rpc0,
        "--json",
      ),
    );
    expect(recomputed.matches).toBe(true);
    expect(recomputed.recomputed).toEqual(out.nodes);
  }, 180_000);

  it("compute receipt on DA with the trace root; claim refused inside the window, paid after it exactly 70/20/10", async () => {
    const { dir, operator } = await nodeDirOf(job.nodes[0]!);
    const r = JSON.parse(
      await cli(
        dsdnNode,
        "compute",
        "receipt",
        job.jobId,
        "--data",
        dir,
        "--coordinator",
        net.env.DSDN_COORDINATOR_URL!,
        "--committee",
        members[1]!.url,
        "--json",
      ),
    );
    expect(r.executionTraceMerkleRoot).toBe(job.executionCommitment.executionTraceMerkleRoot);
    const file = await readReceiptFile(r.file);
    const d = decodeReceiptData(file.receipt.receiptData);
    expect(d.signers).toHaveLength(3);

    const da = await createDALayer({
      url: net.env.DA_RPC_URL!,
      tokenFile: net.env.DA_AUTH_TOKEN_FILE!,
      namespace: net.env.DA_NAMESPACE!,
    });
    try {
      const onDa = await waitFor(
        async () => {
          const head = await da.head();
          for (let h = 1n; h <= head; h++)
            for (const b of (await da.getAll(h)).blobs) {
              const batch = decodeBatch(b.data);
              if (batch.kind !== "batch") continue;
              for (const env of batch.envelopes) {
                const e = openEnvelope(env);
                if (
                  e.event.type === "receiptIssued" &&
                  Buffer.from(e.event.value.receiptId).toString("hex") === r.receiptId
                )
                  return e.event.value;
              }
            }
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
    await expect(tx("receipt", "claim", r.file, "--from", operator)).rejects.toThrow(/challenge window/i);
    // After it: paid at once, exactly 70 / 20 / 10.
    const addr = account(operator).address;
    const before = await balance(addr);
    const claim = await waitFor(
      async () => {
        try {
          const c = await tx("receipt", "claim", r.file, "--from", operator);
          return c.code === 0 ? c : undefined;
        } catch (e) {
          if (/challenge window/i.test((e as Error).message)) return undefined;
          throw e;
        }
      },
      120_000,
      "the end of the challenge window",
    );
    const fee = await feePaid(claim.txhash);
    const reward = BigInt(d.reward);
    expect(reward).toBeGreaterThan(0n);
    expect((await balance(addr)) - before + fee).toBe((reward * 70n) / 100n);
    const recorded = await chainJson("query", "receipts", "claim", r.receiptId);
    expect(recorded).toMatchObject({
      status: "CLAIM_STATUS_PAID",
      nodeAmount: ((reward * 70n) / 100n).toString(),
      validatorsAmount: ((reward * 20n) / 100n).toString(),
      treasuryAmount: (reward - (reward * 70n) / 100n - (reward * 20n) / 100n).toString(),
    });
  }, 240_000);

  it("the same workload deployed twice gives the same job and the same commitment", async () => {
    const again = JSON.parse(
      await cli(dsdn, "deploy", wcWasm, "--input", words, "--wait", "--json", ...keyArgs("alice")),
    );
    expect(again.jobId).toBe(job.jobId);
    expect(again.existing).toBe(true);
    expect(again.executionCommitment).toEqual(job.executionCommitment);
  }, 120_000);

  it("a submitter owning or wallet-affine with every candidate node is refused with a clear message", async () => {
    // storage0 operates node 0 and pays storage1 and storage2: wallet affinity with every other operator.
    for (const to of ["storage1", "storage2"])
      expect((await tx("bank", "send", "storage0", account(to).address, "1unusa")).code).toBe(0);
    const err = await cli(dsdn, "deploy", wcWasm, "--input", words, "--json", ...keyArgs("storage0")).then(
      () => "",
      (e: Error & { stderr?: string }) => e.stderr ?? e.message,
    );
    expect(err).toMatch(/no fair node can run this workload: every candidate node is operated by the submitter/);
  }, 120_000);
});

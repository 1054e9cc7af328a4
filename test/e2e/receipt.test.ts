/**
 * @module End to end on the localnet (validators + local DA): four coordinator processes register as the
 * committee, run the DKG and record it on chain; a storage node stores chunks; the node proves them and the
 * 3-of-4 committee threshold-signs a storage receipt that lands on DA as ReceiptIssued; `dsdnd tx receipt
 * claim` pays the node's operator exactly its 70%. With one coordinator killed, receipts still come.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReceiptFile } from "../../clients/sdk/receipts.js";
import { cidForBytes } from "../../common/cid.js";
import { projectRoot } from "../../common/paths.js";
import { decodeReceiptData } from "../../common/receipts/receiptBytes.js";
import { openedEvents } from "../../node-agent/da/events/openedEvents.js";
import { createDALayer } from "../../node-agent/da/replay/createDALayer.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";
import { startUrlProcess } from "../support/process.js";
import { expectPaidAtOraclePrice } from "../support/receiptFixture.js";

const run = promisify(execFile);
const root = projectRoot();
const dsdnd = join(root, "bin", "dsdnd.js");
const memberMain = join(root, "dist", "node-agent", "coordinator", "receipts", "main.js");
const nodeReceiptMain = join(root, "dist", "node-agent", "storage", "receipts", "main.js");
const dsdnNode = join(root, "bin", "dsdn-node.js");

let net: Localnet;
let rpc0: string;
let keyringDir: string;
const children: ChildProcess[] = [];
const members: { dir: string; url: string; proc: ChildProcess; log: string[] }[] = [];
let nodeUrl = "";
let nodeDir = "";

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run("node", [dsdnd, ...args], { cwd: root, maxBuffer: 1 << 22 });
  return stdout.trim();
}
const cliJson = async (...args: string[]) => JSON.parse(await cli(...args, "--node", rpc0, "-o", "json"));
const tx = (...args: string[]) => cliJson("tx", ...args, "--keyring-dir", keyringDir, "--keyring-backend", "test");
const account = (name: string) => {
  const a = net.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no dev account ${name}`);
  return a;
};

/** Starts a long-running process and resolves with the URL it prints after `marker`. */
const startProcess = (args: string[], marker: RegExp, log: string[]) =>
  startUrlProcess(args, marker, { cwd: root, log, children });

async function balance(address: string): Promise<bigint> {
  const r = await cliJson("query", "bank", "balances", address);
  return BigInt(r.balances.find((b: { denom: string }) => b.denom === "unusa")?.amount ?? "0");
}

async function feePaid(txhash: string): Promise<bigint> {
  const client = await StargateClient.connect(rpc0);
  try {
    const t = await client.getTx(txhash);
    const fee = decodeTxRaw(t!.tx).authInfo.fee!.amount.find((c) => c.denom === "unusa");
    return BigInt(fee?.amount ?? "0");
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  net = await startLocalnet({ validators: 4, services: "chain" });
  rpc0 = net.rpcUrls[0] as string;
  keyringDir = join(net.dir, "e2e-keyring");
  for (const name of ["bob", "alice", "operator0", "operator1", "operator2", "operator3"]) {
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
  // Four committee members, each run by a validator operator (its mnemonic records the DKG on chain).
  // Committee members publish receipts: the write token, from its file (never on the command line).
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
      const { proc, url } = await startProcess(
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
      members[i] = { dir, url, proc, log };
    }),
  );
  // A storage node with its chunk server.
  nodeDir = join(net.dir, "storage-bob");
  await loadOrCreateIdentity(nodeDir);
  nodeUrl = (
    await startProcess(
      [dsdnNode, "storage", "--data", nodeDir, "--port", "0", "--zone", "id-jkt-1", "--open-uploads"],
      /listening on (http:\/\/\S+)/,
      [],
    )
  ).url;
}, 150_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined,
    ),
  );
  await net?.stop();
});

describe("storage receipts on the localnet", () => {
  it("committee registered, selected and its DKG recorded by the coordinator processes", async () => {
    const regs = await Promise.all(
      members.map((m, i) =>
        tx("committee", "register-coordinator", `operator${i}`, "--identity", m.dir, "--endpoint", m.url),
      ),
    );
    for (const r of regs) expect(r.code).toBe(0);
    const c = await waitFor(
      async () => {
        const j = await cliJson("query", "committee", "show");
        return j.status === "COMMITTEE_STATUS_ACTIVE" ? j : undefined;
      },
      60_000,
      `the committee's DKG (logs: ${members.map((m) => m.log.join("")).join(" | ")})`,
    );
    expect(c.threshold).toBe(3);
    expect(c.members).toHaveLength(4);
    expect(c.groupPublicKey).toMatch(/^[0-9a-f]{64}$/);
  }, 90_000);

  it("chunks stored → usage proof → 3-of-4 receipt → ReceiptIssued on DA → dsdnd tx receipt claim pays exactly 70%", async () => {
    const bob = account("bob").address;
    const alice = account("alice").address;
    const keyFile = join(nodeDir, "node-key.json");
    expect((await tx("stake", "bond-node", "bob", "regular", "600000000unusa")).code).toBe(0);
    const reg = await tx(
      "nodes",
      "register",
      "bob",
      "--node-key",
      keyFile,
      "--tls-fingerprint",
      "ab".repeat(32),
      "--zone",
      "id-jkt-1",
      "--class",
      "regular",
      "--capacity",
      "1099511627776",
      "--endpoint",
      nodeUrl,
    );
    expect(reg.code).toBe(0);

    // Upload: three chunks PUT to the node's chunk server (what the client agent does per chunk).
    const cids: string[] = [];
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const bytes = new Uint8Array(300_000 + i * 50_000).map((_, k) => (k * 7 + i * 13) & 0xff);
      const cid = cidForBytes(bytes);
      const res = await fetch(`${nodeUrl}/chunks/${cid}`, {
        method: "PUT",
        body: bytes,
        headers: { "content-type": "application/octet-stream" },
      });
      expect(res.status).toBe(201);
      cids.push(cid);
      total += bytes.length;
    }

    const daStart = BigInt(
      await (
        await createDALayer({
          url: net.env.DA_RPC_URL!,
          tokenFile: net.env.DA_AUTH_TOKEN_FILE!,
          namespace: net.env.DA_NAMESPACE!,
        })
      ).head(),
    );
    const { stdout } = await run(
      "node",
      [
        nodeReceiptMain,
        "request",
        "--data",
        nodeDir,
        "--rpc",
        rpc0,
        "--coordinator",
        members[1]!.url,
        "--manifest",
        "bafkreie2ereceiptmanifest",
        "--submitter",
        alice,
        "--cids",
        cids.join(","),
        "--period-seconds",
        "3600",
        "-o",
        "json",
      ],
      { cwd: root },
    );
    const got = JSON.parse(stdout);
    const file = await readReceiptFile(got.file);
    const d = decodeReceiptData(file.receipt.receiptData);
    expect(d.signers).toHaveLength(3);
    expect(d.usage!.bytes).toBe(BigInt(total));
    expect(d.submitter).toBe(alice);

    // The receipt is on DA as ReceiptIssued, published by the member that aggregated it.
    const da = await createDALayer({
      url: net.env.DA_RPC_URL!,
      tokenFile: net.env.DA_AUTH_TOKEN_FILE!,
      namespace: net.env.DA_NAMESPACE!,
    });
    try {
      await waitFor(
        async () => {
          const head = await da.head();
          for (let h = daStart; h <= head; h++)
            for (const e of openedEvents((await da.getAll(h)).blobs))
              if (
                e.event.type === "receiptIssued" &&
                Buffer.from(e.event.value.receiptId).toString("hex") === got.receiptId
              )
                return true;
          return false;
        },
        20_000,
        "ReceiptIssued on DA",
      );
    } finally {
      await da.close();
    }

    const before = await balance(bob);
    const claim = await tx("receipt", "claim", got.file, "--from", "bob");
    expect(claim.code, claim.rawLog).toBe(0);
    const fee = await feePaid(claim.txhash);
    const after = await balance(bob);
    // Receipt v2: the usage's value in nano-USD at the chain's storage price, paid in unusa at the oracle price.
    const price = BigInt((await cliJson("query", "receipts", "params")).storagePriceMicroUsdPerGib);
    const reward = BigInt(d.reward);
    expect(reward).toBe((BigInt(total) * price * 1000n) / (1n << 30n));
    const recorded = await cliJson("query", "receipts", "claim", got.receiptId);
    expect(recorded).toMatchObject({ status: "CLAIM_STATUS_PAID", operator: bob });
    expect(after - before + fee).toBe(expectPaidAtOraclePrice(recorded, reward));

    // The same receipt again: refused.
    await expect(tx("receipt", "claim", got.file, "--from", "bob")).rejects.toThrow(/already claimed/);
  }, 120_000);

  it("with one of the four coordinators killed, a receipt still comes", async () => {
    const committee = await cliJson("query", "committee", "show");
    const lastUrl = committee.members[3].endpoint as string;
    const victim = members.find((m) => m.url === lastUrl)!;
    victim.proc.kill("SIGKILL");
    await new Promise((r) => victim.proc.once("exit", r));
    const proposer = members.find((m) => m !== victim)!;
    const bytes = new Uint8Array(64_000).map((_, k) => (k * 3) & 0xff);
    const cid = cidForBytes(bytes);
    await fetch(`${nodeUrl}/chunks/${cid}`, { method: "PUT", body: bytes });
    const { stdout } = await run(
      "node",
      [
        nodeReceiptMain,
        "request",
        "--data",
        nodeDir,
        "--rpc",
        rpc0,
        "--coordinator",
        proposer.url,
        "--manifest",
        "bafkreie2esecondmanifest",
        "--submitter",
        account("alice").address,
        "--cids",
        cid,
        "-o",
        "json",
      ],
      { cwd: root },
    );
    const d = decodeReceiptData((await readReceiptFile(JSON.parse(stdout).file)).receipt.receiptData);
    expect(d.signers).toEqual([1, 2, 3]);
  }, 60_000);
});

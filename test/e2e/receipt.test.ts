/**
 * @module End to end on the localnet (validators + local DA): four coordinator processes register as the
 * committee, run the DKG and record it on chain; a storage node stores chunks; the node proves them and the
 * 3-of-4 committee threshold-signs a storage receipt that lands on DA as ReceiptIssued; `dsdnd tx receipt
 * claim` pays the node's operator exactly its 70% of the receipt's USD value converted at the oracle's price; the
 * validators' price feeders read files this test edits, and a second receipt claimed after the on-chain price
 * followed a new feed pays at the new price (receipt v2). With one coordinator killed, receipts still come.
 */
import { type ChildProcess, execFile } from "node:child_process";
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
import { usdToUnusa } from "../../modules/oracle/price.js";
import { parseReceiptsParams } from "../../modules/receipts/params.js";
import { splitReward, usdValueOf } from "../../modules/receipts/reward.js";
import { openedEvents } from "../../node-agent/da/events/openedEvents.js";
import { createDALayer } from "../../node-agent/da/replay/createDALayer.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addDevKeys } from "../support/devKeys.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";
import { startUrlProcess } from "../support/process.js";

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

/** Sets every validator's price feed file to `usd` (a decimal USD price). */
const feed = (usd: string) => {
  for (let i = 0; i < 4; i++) writeFileSync(join(net.dir, "prices", `node${i}.txt`), `${usd}\n`);
};

/** PUTs `n` distinct chunks (seeded by `seed`) to the storage node; their CIDs and total size. */
async function upload(n: number, seed: number): Promise<{ cids: string[]; total: number }> {
  const cids: string[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const bytes = new Uint8Array(300_000 + i * 50_000).map((_, k) => (k * 7 + i * 13 + seed) & 0xff);
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
  return { cids, total };
}

/** The storage node asks `coordinatorUrl` for a committee-signed receipt over `cids`: the CLI's JSON answer. */
async function requestReceipt(
  coordinatorUrl: string,
  manifest: string,
  cids: string[],
  extra: string[] = [],
): Promise<{ file: string; receiptId: string }> {
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
      coordinatorUrl,
      "--manifest",
      manifest,
      "--submitter",
      account("alice").address,
      "--cids",
      cids.join(","),
      ...extra,
      "-o",
      "json",
    ],
    { cwd: root },
  );
  return JSON.parse(stdout);
}

/**
 * Claims the receipt in `file` as bob and checks receipt v2's payment from the chain's own figures: the claim
 * converts the receipt's USD value at the oracle's effective price `priceNanoUsd` (queried before the claim), and
 * bob's balance change plus the fee is the node's share of that unusa amount.
 */
async function claimAndCheck(file: string, receiptId: string, priceNanoUsd: bigint) {
  const bob = account("bob").address;
  const d = decodeReceiptData((await readReceiptFile(file)).receipt.receiptData);
  const params = parseReceiptsParams(await cliJson("query", "receipts", "params"));
  const usd = usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, d.usage!, params);
  expect(BigInt(d.reward)).toBe(usd);
  const paid = usdToUnusa(usd, priceNanoUsd);
  const before = await balance(bob);
  const claim = await tx("receipt", "claim", file, "--from", "bob");
  expect(claim.code, claim.rawLog).toBe(0);
  const fee = await feePaid(claim.txhash);
  const after = await balance(bob);
  expect(after - before + fee).toBe(splitReward(paid, params).node);
  const recorded = await cliJson("query", "receipts", "claim", receiptId);
  expect(recorded).toMatchObject({
    status: "CLAIM_STATUS_PAID",
    operator: bob,
    reward: paid.toString(),
    rewardUsdNano: usd.toString(),
    priceNanoUsd: priceNanoUsd.toString(),
  });
  return { usd, paid, d };
}

/** The oracle's effective price once it equals `nanoUsd` (the feeds settled there). */
const priceSettledAt = (nanoUsd: bigint) =>
  waitFor(
    async () => {
      const p = await cliJson("query", "oracle", "price");
      return BigInt(p.effectivePriceNanoUsd) === nanoUsd ? nanoUsd : undefined;
    },
    90_000,
    `on-chain price ${nanoUsd} nano-USD`,
  );

beforeAll(async () => {
  // File-fed price feeders (start at $0.05): the test moves the NUSA/USD price by editing the files.
  net = await startLocalnet({ validators: 4, services: "chain", env: { LOCALNET_PRICE_SOURCE: "file" } });
  rpc0 = net.rpcUrls[0] as string;
  keyringDir = join(net.dir, "e2e-keyring");
  await addDevKeys(net, keyringDir, ["bob", "alice", "operator0", "operator1", "operator2", "operator3"]);
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
}, 300_000); // the e2e hookTimeout: starting a localnet took over 150 s on a heavily loaded machine

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
    const { cids, total } = await upload(3, 0);

    const daStart = BigInt(
      await (
        await createDALayer({
          url: net.env.DA_RPC_URL!,
          tokenFile: net.env.DA_AUTH_TOKEN_FILE!,
          namespace: net.env.DA_NAMESPACE!,
        })
      ).head(),
    );
    const got = await requestReceipt(members[1]!.url, "bafkreie2ereceiptmanifest", cids, ["--period-seconds", "3600"]);
    const d = decodeReceiptData((await readReceiptFile(got.file)).receipt.receiptData);
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

    // Paid at P1 = $0.05, the feed files' starting price.
    const p1 = await priceSettledAt(50_000_000n);
    const first = await claimAndCheck(got.file, got.receiptId, p1);
    expect(first.usd).toBe((BigInt(total) * 50_000n * 1_000n) / (1n << 30n)); // $0.05 per GiB, in nano-USD

    // The same receipt again: refused.
    await expect(tx("receipt", "claim", got.file, "--from", "bob")).rejects.toThrow(/already claimed/);
  }, 120_000);

  it("after the feeds move to P2 and the on-chain price follows, a second receipt pays at P2", async () => {
    // $0.058: +16% from $0.05, inside the oracle's ±20% per window, so the price lands there in one step.
    const P2 = 58_000_000n;
    feed("0.058");
    const p2 = await priceSettledAt(P2);
    const { cids } = await upload(2, 101);
    const got = await requestReceipt(members[0]!.url, "bafkreie2eusdsecondprice", cids, ["--period-seconds", "3600"]);
    const second = await claimAndCheck(got.file, got.receiptId, p2);
    // The same USD value buys fewer NUSA at the higher price.
    expect(second.paid).toBe(usdToUnusa(second.usd, P2));
    expect(second.paid).toBeLessThan(usdToUnusa(second.usd, 50_000_000n));
  }, 150_000);

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
    const got = await requestReceipt(proposer.url, "bafkreie2esecondmanifest", [cid]);
    const d = decodeReceiptData((await readReceiptFile(got.file)).receipt.receiptData);
    expect(d.signers).toEqual([1, 2, 3]);
  }, 60_000);
});

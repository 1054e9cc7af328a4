/**
 * @module End to end on a localnet with a 3-minute subsidy month and 8 s liveness challenges (7 s to answer): a storage node that
 * answers every challenge and is used (a claimed storage receipt over half its capacity) earns its month-1 subsidy
 * from the funded pool; a node that stops answering (its process stopped) is settled ineligible, and
 * `dsdnd query subsidy node <operator>` shows why.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { projectRoot } from "../../common/paths.js";
import { defaultSubsidyParams } from "../../modules/subsidy/params.js";
import { amountFor } from "../../modules/subsidy/schedule.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { addDevKeys } from "../support/devKeys.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";
import { startUrlProcess } from "../support/process.js";

const run = promisify(execFile);
const root = projectRoot();
const dsdnd = join(root, "bin", "dsdnd.js");
const dsdnNode = join(root, "bin", "dsdn-node.js");
const memberMain = join(root, "dist", "node-agent", "coordinator", "receipts", "main.js");
const nodeReceiptMain = join(root, "dist", "node-agent", "storage", "receipts", "main.js");
const MONTH_SECONDS = 180;
const CAPACITY = 1_000_000;

let net: Localnet;
let rpc0: string;
let keyringDir: string;
const children: ChildProcess[] = [];
const members: { dir: string; url: string }[] = [];
const nodes: Record<string, { dir: string; url: string; proc: ChildProcess; log: string[] }> = {};

const cliJson = async (...args: string[]) => {
  const { stdout } = await run("node", [dsdnd, ...args, "--node", rpc0, "-o", "json"], {
    cwd: root,
    maxBuffer: 1 << 22,
  });
  return JSON.parse(stdout.trim());
};
const tx = (...args: string[]) => cliJson("tx", ...args, "--keyring-dir", keyringDir, "--keyring-backend", "test");
const account = (name: string) => {
  const a = net.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no dev account ${name}`);
  return a;
};

/** A storage node run by `operator` that answers liveness challenges with the operator's key. */
async function startStorageNode(operator: string) {
  const dir = join(net.dir, `storage-${operator}`);
  mkdirSync(dir, { recursive: true });
  await loadOrCreateIdentity(dir);
  writeFileSync(join(dir, "operator.mnemonic"), account(operator).mnemonic, { mode: 0o600 });
  const log: string[] = [];
  const { proc, url } = await startUrlProcess(
    [
      dsdnNode,
      "storage",
      "--data",
      dir,
      "--port",
      "0",
      "--zone",
      "id-jkt-1",
      "--open-uploads",
      "--rpc",
      rpc0,
      "--operator-mnemonic-file",
      join(dir, "operator.mnemonic"),
      "--liveness-interval-ms",
      "500",
    ],
    /listening on (http:\/\/\S+)/,
    { cwd: root, log, children },
  );
  nodes[operator] = { dir, url, proc, log };
  expect((await tx("stake", "bond-node", operator, "regular", "600000000unusa")).code).toBe(0);
  const reg = await tx(
    "nodes",
    "register",
    operator,
    "--node-key",
    join(dir, "node-key.json"),
    "--tls-fingerprint",
    "ab".repeat(32),
    "--zone",
    "id-jkt-1",
    "--class",
    "regular",
    "--capacity",
    String(CAPACITY),
    "--endpoint",
    url,
  );
  expect(reg.code, reg.rawLog).toBe(0);
}

const subsidyOf = (operator: string) => cliJson("query", "subsidy", "node", account(operator).address);

beforeAll(async () => {
  net = await startLocalnet({
    validators: 4,
    services: "chain",
    env: {
      LOCALNET_SUBSIDY_MONTH_SECONDS: String(MONTH_SECONDS),
      LOCALNET_SUBSIDY_CHALLENGE_PERIOD_SECONDS: "8",
      LOCALNET_SUBSIDY_CHALLENGE_DEADLINE_SECONDS: "7",
      LOCALNET_SUBSIDY_POOL_UNUSA: "10000000000",
    },
  });
  rpc0 = net.rpcUrls[0] as string;
  keyringDir = join(net.dir, "e2e-keyring");
  await addDevKeys(net, keyringDir, ["bob", "carol", "alice", "operator0", "operator1", "operator2", "operator3"]);
  // The receipt committee (bob's utilisation comes from a claimed storage receipt).
  const da = ["--da", net.env.DA_RPC_URL!, "--token-file", net.env.DA_WRITE_TOKEN_FILE!];
  await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const dir = join(net.dir, `committee-${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "operator.mnemonic"), account(`operator${i}`).mnemonic, { mode: 0o600 });
      const { url } = await startUrlProcess(
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
          "--namespace",
          net.env.DA_NAMESPACE!,
        ],
        /listening on (http:\/\/\S+)/,
        { cwd: root, log: [], children },
      );
      members[i] = { dir, url };
    }),
  );
  const regs = await Promise.all(
    members.map((m, i) =>
      tx("committee", "register-coordinator", `operator${i}`, "--identity", m.dir, "--endpoint", m.url),
    ),
  );
  for (const r of regs) expect(r.code).toBe(0);
  await waitFor(
    async () => (await cliJson("query", "committee", "show")).status === "COMMITTEE_STATUS_ACTIVE",
    60_000,
    "the committee's DKG",
  );
  await startStorageNode("bob");
  await startStorageNode("carol");
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined,
    ),
  );
  await net?.stop();
});

describe("bootstrap subsidy on the localnet (3-minute month)", () => {
  it("an answering, used node earns month 1's subsidy; one that stops answering is ineligible, with the reason", async () => {
    // bob's node is used: a claimed storage receipt over more than half its registered capacity.
    const cids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const bytes = new Uint8Array(300_000 + i * 50_000).map((_, k) => (k * 5 + i * 17) & 0xff);
      const cid = cidForBytes(bytes);
      const res = await fetch(`${nodes.bob!.url}/chunks/${cid}`, { method: "PUT", body: bytes });
      expect(res.status).toBe(201);
      cids.push(cid);
    }
    const { stdout } = await run(
      "node",
      [
        nodeReceiptMain,
        "request",
        "--data",
        nodes.bob!.dir,
        "--rpc",
        rpc0,
        "--coordinator",
        members[0]!.url,
        "--manifest",
        "bafkreie2esubsidymanifest",
        "--submitter",
        account("alice").address,
        "--cids",
        cids.join(","),
        "-o",
        "json",
      ],
      { cwd: root },
    );
    const claim = await tx("receipt", "claim", JSON.parse(stdout).file, "--from", "bob");
    expect(claim.code, claim.rawLog).toBe(0);

    // carol's node answers a challenge, then stops (its process ends) and misses the next ones.
    await waitFor(
      async () => nodes.carol!.log.join("").includes("liveness: answered challenge"),
      30_000,
      `carol's node answering (log: ${nodes.carol!.log.join("").slice(-500)})`,
    );
    const during = await subsidyOf("bob");
    expect(during.current.month).toBe("1");
    nodes.carol!.proc.kill("SIGTERM");

    // Month 1 settles at the first block of month 2.
    const settled = await waitFor(
      async () => {
        const [b, c] = [await subsidyOf("bob"), await subsidyOf("carol")];
        return b.lastPaid?.month === "1" && c.lastPaid?.month === "1" ? { b, c } : undefined;
      },
      (MONTH_SECONDS + 60) * 1000,
      "month 1 settled",
    );
    // Eligible at ≥ 95% uptime: a busy machine may delay one answer past its 7 s deadline without changing that.
    // bob's node joined after the committee's DKG, part-way through month 1: paid the share of the month's
    // challenges it was judged in (in full only if that is ≥ 95% of them).
    expect(settled.b.lastPaid, JSON.stringify(settled.b)).toMatchObject({ eligible: true });
    // The subsidy covers the shortfall target − organic: bob's storage claim above paid his node organic income.
    const organic = BigInt(settled.b.lastPaid.organic ?? "0");
    expect(organic).toBeGreaterThan(0n);
    const full = amountFor(defaultSubsidyParams, 1n, organic);
    const share = /^pro-rated: judged in (\d+) of the month's (\d+) liveness challenges$/.exec(
      settled.b.lastPaid.reason ?? "",
    );
    const expected = share ? (full * BigInt(share[1]!)) / BigInt(share[2]!) : full;
    if (!share) expect(settled.b.lastPaid.reason ?? "").toBe("");
    expect(BigInt(settled.b.lastPaid.amount)).toBe(expected);
    expect(expected).toBeGreaterThan(0n);
    expect(BigInt(settled.b.lastPaid.uptimePpm)).toBeGreaterThanOrEqual(950_000n);
    expect(settled.c.lastPaid.eligible ?? false).toBe(false); // proto JSON omits false
    expect(settled.c.lastPaid.reason).toMatch(/^uptime .*% < 95\.00%/);
    expect(BigInt(settled.c.lastPaid.uptimePpm)).toBeGreaterThan(0n);
    const text = await run("node", [dsdnd, "query", "subsidy", "node", account("carol").address, "--node", rpc0], {
      cwd: root,
    });
    expect(text.stdout).toMatch(/last settled month 1: not eligible: uptime .*% < 95\.00%/);
  }, 400_000);
});

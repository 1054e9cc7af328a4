/**
 * @module End to end on a real localnet (1 validator, 3 storage nodes, coordinator, ingress): governance blocks a
 * content hash → the ingress and the storage nodes stop serving it by the next block and the coordinator refuses
 * to take it again (a forbidden hash refused at deploy) → an appeal proposal unblocks it → served again. The
 * chain records who/what/why; the ingress's audit log records each decision it applied.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { verifyChain } from "../../node-agent/audit/verify.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
let net: Localnet;
let env: NodeJS.ProcessEnv;
let keyringDir: string;

async function cli(bin: "dsdn" | "dsdnd", ...args: string[]): Promise<string> {
  const { stdout } = await run("node", [join(root, "bin", `${bin}.js`), ...args], {
    cwd: root,
    env,
    maxBuffer: 1 << 22,
  });
  return stdout.trim();
}
const q = async (...args: string[]) =>
  JSON.parse(await cli("dsdnd", "query", ...args, "--node", env.RPC_URL!, "-o", "json"));
const tx = async (...args: string[]) =>
  JSON.parse(
    await cli(
      "dsdnd",
      "tx",
      ...args,
      "--keyring-dir",
      keyringDir,
      "--keyring-backend",
      "test",
      "--node",
      env.RPC_URL!,
      "-o",
      "json",
    ),
  );
const height = async () =>
  BigInt(((await (await fetch(`${env.RPC_URL}/status`)).json()) as any).result.sync_info.latest_block_height);

/** Proposes and votes yes (the only validator); resolves once the proposal passed (awaiting the foundation). */
async function pass(flags: string[]): Promise<string> {
  const s = await tx(
    "gov",
    "submit-proposal",
    "operator0",
    ...flags,
    "--title",
    "compliance",
    "--deposit",
    "1000000unusa",
  );
  expect(s.code, s.rawLog).toBe(0);
  const list = (await q("gov", "proposals", "--status", "voting")) as { id: string }[];
  const id = list.at(-1)!.id;
  expect((await tx("gov", "vote", "operator0", id, "yes")).code).toBe(0);
  await waitFor(
    async () => (await q("gov", "proposal", id)).status === "PROPOSAL_STATUS_PASSED",
    60_000,
    `proposal ${id}`,
  );
  return id;
}

/**
 * The foundation approves proposal `id` while `url` is sampled (chain height read before each request); returns
 * the approval's height and the first height at which `url` answered `status`.
 */
async function approveWatching(id: string, url: string, status: number): Promise<{ decided: bigint; seen: bigint }> {
  let seen: bigint | undefined;
  let stop = false;
  const sampler = (async () => {
    while (!stop && seen === undefined) {
      const h = await height();
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === status) seen = h;
      else await new Promise((res) => setTimeout(res, 50));
    }
  })();
  try {
    const a = await tx("gov", "foundation-approve", "foundation", id);
    expect(a.code, a.rawLog).toBe(0);
    expect((await q("gov", "proposal", id)).execution.status).toBe("EXECUTION_STATUS_EXECUTED");
    await waitFor(async () => seen !== undefined, 30_000, `${url} to answer ${status}`);
    return { decided: BigInt(a.height), seen: seen! };
  } finally {
    stop = true;
    await sampler;
  }
}

beforeAll(async () => {
  net = await startLocalnet({ validators: 1, storageNodes: 3 });
  env = { ...process.env, ...net.env, DSDN_HOME: join(net.dir, "dsdn-home") };
  keyringDir = join(net.dir, "compliance-keyring");
  for (const name of ["operator0", "foundation"]) {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(
        "node",
        [
          join(root, "bin", "dsdnd.js"),
          "keys",
          "add",
          name,
          "--recover",
          "--keyring-dir",
          keyringDir,
          "--keyring-backend",
          "test",
        ],
        { cwd: root },
      );
      p.stdin.end(net.accounts.find((a) => a.name === name)!.mnemonic);
      p.on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`keys add ${name} exited ${c}`))));
    });
  }
}, 300_000);

afterAll(async () => {
  await net?.stop();
});

describe("compliance on a real localnet", () => {
  it("block → not served (ingress and storage) and refused at upload → appeal → served again", async () => {
    const file = randomBytes(300 * 1024);
    const path = join(net.dir, "forbidden.bin");
    writeFileSync(path, file);
    const up = JSON.parse(await cli("dsdn", "upload", path, "--chunk-size", "128KiB", "--json"));
    const cid: string = up.manifest;
    const obj = `${env.INGRESS_URL}/object/${cid}`;
    expect((await fetch(obj)).status).toBe(200);
    const status = JSON.parse(await cli("dsdn", "status", cid, "--json")) as {
      chunks: { cid: string; replicas: { endpoint: string }[] }[];
    };
    const manifestReplica = status.chunks.find((c) => c.cid === cid)!.replicas[0]!.endpoint;

    // Block the file's content hash by governance (bootstrap: validators vote, the foundation approves).
    const blockId = await pass(["--block-cid", cid, "--reason", "court order 12/2026"]);
    expect((await fetch(obj)).status).toBe(200); // passed, but not yet approved by the foundation
    const blocked = await approveWatching(blockId, obj, 451);
    expect(blocked.seen).toBeLessThanOrEqual(blocked.decided + 1n); // stopped within one block of the decision
    const body = (await (await fetch(`${obj}?details=1`)).json()) as { summary: string; details: { code: string } };
    expect(body.details.code).toBe("DSDN_BLOCKED");
    expect(body.summary).toMatch(/court order 12\/2026/);
    expect((await fetch(`${env.INGRESS_URL}/ipfs/${cid}?format=car`)).status).toBe(451);
    // The storage node itself refuses it too.
    await waitFor(async () => (await fetch(`${manifestReplica}/chunks/${cid}`)).status === 451, 10_000, "storage 451");
    // The chain's record: who (proposal, proposer), what, why; how to appeal.
    const rec = await q("compliance", "blocked", cid);
    expect(rec).toMatchObject({ blocked: true, block: { decision: { reason: "court order 12/2026" } } });
    expect(rec.appeal).toMatch(/MsgUnblockPointer/);

    // A forbidden hash is refused at deploy: uploading the same content again gets no ticket.
    await expect(cli("dsdn", "upload", path, "--chunk-size", "128KiB", "--json")).rejects.toThrow(/blocked/);

    // The appeal: an unblock proposal passes and is approved → served again, byte for byte.
    const appeal = await pass(["--unblock-cid", cid, "--reason", "appeal upheld"]);
    const unblocked = await approveWatching(appeal, obj, 200);
    expect(unblocked.seen).toBeLessThanOrEqual(unblocked.decided + 1n);
    const back = await fetch(obj);
    expect(Buffer.from(await back.arrayBuffer()).equals(file)).toBe(true);
    const hist = await q("compliance", "decisions", cid);
    expect(hist.decisions.map((d: { action: string; reason: string }) => [d.action, d.reason])).toEqual([
      ["ACTION_BLOCK", "court order 12/2026"],
      ["ACTION_UNBLOCK", "appeal upheld"],
    ]);

    // Every decision the ingress applied is in its WORM audit log, hash chain intact.
    const audit = verifyChain(readFileSync(join(net.dir, "logs", "ingress-0-audit.log"), "utf8"));
    expect(audit.ok).toBe(true);
    const mine = audit.records.filter((r) => r.kind === "compliance" && r.data.value === cid).map((r) => r.data.action);
    expect(mine).toEqual(["block", "unblock"]);
  }, 240_000);
});

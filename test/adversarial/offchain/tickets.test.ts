/**
 * @module Placement tickets end to end on a real localnet (1 validator, local DA, 3 storage nodes, the
 * coordinator, the ingress — all real processes from localnet/start.sh): honest `dsdn upload` carries the
 * coordinator's tickets, nobody stores without one, an ack is useless once its ticket expired, heal tickets
 * only for placed nodes, and rate limits on the coordinator and the ingress. Needs `npm run build` first.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../../common/cid.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../../common/secp256k1.js";
import { CoordinatorClient } from "../../../node-agent/coordinator/client.js";
import { signUploadDeclaration } from "../../../node-agent/da/events/declaration.js";
import { LocalFsStorage } from "../../../node-agent/storage/localfs.js";
import { decodeTicket } from "../../../node-agent/storage/ticket.js";
import { UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { type Localnet, startLocalnet, waitFor } from "../../support/localnet.js";
import { put, repo } from "./support/storageNode.js";

const run = promisify(execFile);
const TTL_MS = 8000;
const uploaderKey = (() => {
  const kp = secp256k1KeyPair();
  return { ...kp, address: pubKeyToAddress(kp.publicKey) };
})();
let net: Localnet;
let env: NodeJS.ProcessEnv;
let coord: CoordinatorClient;
const extra: ChildProcess[] = [];

async function dsdn(...args: string[]): Promise<string> {
  const { stdout } = await run("node", [join(repo, "bin/dsdn.js"), ...args], { cwd: repo, env, maxBuffer: 1 << 24 });
  return stdout.trim();
}
const storageDir = (n: number) => join(net.dir, "storage", String(n));
const nodeIdOf = (n: number) =>
  (JSON.parse(readFileSync(join(storageDir(n), "node-key.json"), "utf8")) as { publicKey: string }).publicKey;

function startService(args: string[]): Promise<string> {
  const p = spawn(process.execPath, [join(repo, "bin/dsdn-node.js"), ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  extra.push(p);
  let out = "";
  return new Promise((ok, fail) => {
    const on = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    };
    p.stdout!.on("data", on);
    p.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    p.once("exit", (c) => fail(new Error(`${args[0]} exited with ${c}: ${out}`)));
  });
}

beforeAll(async () => {
  net = await startLocalnet({
    validators: 1,
    storageNodes: 3,
    root: repo,
    env: { LOCALNET_TICKET_TTL_MS: String(TTL_MS) },
  });
  env = { ...process.env, ...net.env, DSDN_HOME: join(net.dir, "dsdn-home") };
  coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
}, 300_000);

afterAll(async () => {
  for (const p of extra) p.kill("SIGTERM");
  await net?.stop();
});

describe("placement tickets on the localnet", () => {
  let manifest: string;
  let file: Buffer;

  it("honest: dsdn upload carries the coordinator's tickets and reaches 3 replicas; get returns the bytes", async () => {
    file = randomBytes(200 * 1024 + 17);
    const path = join(net.dir, "honest.bin");
    writeFileSync(path, file);
    const up = JSON.parse(await dsdn("upload", path, "--chunk-size", "64KiB", "--json"));
    manifest = up.manifest;
    for (const p of up.placements) expect(p.replicas).toHaveLength(3);
    const out = join(net.dir, "honest.out");
    await dsdn("get", manifest, "-o", out);
    expect(readFileSync(out).equals(file)).toBe(true);
  });

  it("nobody stores on a node without its own ticket: none is 401, another node's is 403", async () => {
    const { nodes } = await coord.nodes();
    const bytes = randomBytes(64 * 1024);
    const cid = cidForBytes(bytes);
    for (const n of nodes) {
      const r = await put(n.endpoint, cid, bytes);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("DSDN_UNAUTHORIZED");
    }
    const { tickets } = await coord.tickets(cid, bytes.length, uploaderKey);
    expect(tickets.length).toBe(3);
    // Each ticket names one node: presented anywhere else it is refused.
    const [a, b] = tickets;
    const wrong = await put(b!.endpoint, cid, bytes, a!.ticket);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toMatch(/not this node/);
    // A ticket for one size cannot store another.
    const other = randomBytes(70 * 1024);
    const mis = await put(a!.endpoint, cidForBytes(other), other, a!.ticket);
    expect(mis.status).toBe(403);
  });

  it("an ack is useless after its ticket expired: the coordinator refuses to declare it", async () => {
    const bytes = randomBytes(32 * 1024);
    const cid = cidForBytes(bytes);
    const { tickets } = await coord.tickets(cid, bytes.length, uploaderKey);
    const acks: string[] = [];
    for (const t of tickets) {
      const r = await put(t.endpoint, cid, bytes, t.ticket);
      expect(r.status).toBe(201);
      acks.push(r.body.ack);
    }
    const expires = decodeTicket(tickets[0]!.ticket).expiresAtMs;
    expect(expires - Date.now()).toBeLessThanOrEqual(TTL_MS);
    await new Promise((r) => setTimeout(r, Math.max(0, expires - Date.now()) + 500));
    // A valid signed declaration: only the expired tickets behind its acks are wrong.
    const head = BigInt((await coord.health()).daHeight);
    const { declaration, proofs } = signUploadDeclaration(
      {
        manifestCid: cid,
        objects: [{ cid, size: BigInt(bytes.length) }],
        signedAtHeight: head,
        expiresAtHeight: head + 1000n,
      },
      uploaderKey,
    );
    const refused = await coord
      .declare({
        declaration: Buffer.from(UploadDeclaration.encode(declaration).finish()).toString("base64"),
        chunks: [
          {
            cid,
            size: bytes.length,
            index: 0,
            proof: proofs[0]!.map((x) => Buffer.from(x).toString("base64")),
            acks,
          },
        ],
      })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(refused).not.toBeNull();
    expect(refused!.message).toMatch(/ticket has expired/);
    await expect(coord.status(cid)).rejects.toThrow(/not declared/);
  }, 60_000);

  it("heal tickets only for a node DA places the chunk on; a lost chunk file is healed under one", async () => {
    const status = await coord.status(manifest);
    const chunk = status.chunks[1]!;
    // Any node id outside the chunk's placement (an attacker's own node, say) gets no heal ticket.
    const outsider = "ab".repeat(32);
    expect(chunk.placement).not.toContain(outsider);
    await expect(coord.healTicket(chunk.cid, outsider)).rejects.toThrow(/not placed on node/);
    const grant = await coord.healTicket(chunk.cid, chunk.placement[0]!);
    expect(decodeTicket(grant.ticket)).toMatchObject({
      kind: "heal",
      nodeId: chunk.placement[0],
      size: Number(chunk.size),
    });

    // Lose the file on one holder: the node fetches it back (under a heal ticket) and serves it again.
    const holder = chunk.replicas[0]!;
    const n = [0, 1, 2].find((i) => nodeIdOf(i) === holder.node)!;
    const store = await LocalFsStorage.open(storageDir(n));
    unlinkSync(store.pathFor(chunk.cid));
    await waitFor(async () => (await store.hasChunk(chunk.cid)) || undefined, 30_000, "the node to re-fetch the chunk");
    const res = await fetch(`${holder.endpoint}/chunks/${chunk.cid}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(Number(chunk.size));
  });

  it("the coordinator and the ingress rate-limit each client with a clear 429", async () => {
    const coordKey = net.env.DSDN_COORDINATOR_KEYS!.split(",")[0]!;
    const coordinatorUrl = await startService([
      "coordinator",
      "run",
      "--data",
      join(net.dir, "coordinator-limited"),
      "--port",
      "0",
      "--rpc",
      net.env.RPC_URL!,
      "--challenge-ms",
      "0",
      "--rate-limit",
      "4",
      "--rate-window-ms",
      "600000",
    ]);
    const ingressUrl = await startService([
      "ingress",
      "--port",
      "0",
      "--coordinator",
      coordKey,
      "--rate-limit",
      "4",
      "--rate-window-ms",
      "600000",
    ]);
    for (const url of [coordinatorUrl, ingressUrl]) {
      const statuses: number[] = [];
      let body: any;
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${url}/health`);
        statuses.push(r.status);
        body = await r.json();
      }
      expect(statuses, url).toEqual([200, 200, 200, 200, 429, 429]);
      expect(JSON.stringify(body)).toMatch(/rate limit/);
    }
  }, 120_000);
});

/**
 * @module End to end on a real localnet (4 validators, local DA, 5 storage nodes in 3 zones bonded and
 * registered on chain, coordinator, ingress — all real processes started by localnet/start.sh): placement,
 * upload through the network, self-healing after SIGKILL and after a lost chunk file, ingress with a replica
 * down, independent placement replay, a lying node caught by a challenge, and chain gatekeeping.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex } from "../../common/hash.js";
import { projectRoot } from "../../common/paths.js";
import { CoordinatorClient, type ObjectStatusAnswer } from "../../node-agent/coordinator/client.js";
import { loadOrCreateCoordinatorKey } from "../../node-agent/coordinator/keyFile.js";
import { signChallengeRequest } from "../../node-agent/coordinator/signedRequest.js";
import { signedRegistration } from "../../node-agent/storage/follower/register.js";
import { loadOrCreateIdentity, type NodeIdentity } from "../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { listenOnFreedPort } from "../support/listenOnFreedPort.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
let net: Localnet;
let env: NodeJS.ProcessEnv;
let coord: CoordinatorClient;
let manifest: string;
let file: Buffer;
let keyringDir: string;
const liars: Server[] = [];

async function cli(bin: "dsdn" | "dsdn-node" | "dsdnd", ...args: string[]): Promise<string> {
  const { stdout } = await run("node", [join(root, "bin", `${bin}.js`), ...args], {
    cwd: root,
    env,
    maxBuffer: 1 << 24,
  });
  return stdout.trim();
}
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
const account = (name: string) => net.accounts.find((a) => a.name === name)!;
const storageDir = (n: number) => join(net.dir, "storage", String(n));
const nodeIdOf = (n: number) =>
  (JSON.parse(readFileSync(join(storageDir(n), "node-key.json"), "utf8")) as { publicKey: string }).publicKey;

/** Healthy replicas per chunk, and the zones they cover. */
function healthyZones(s: ObjectStatusAnswer): { count: number; zones: number }[] {
  return s.chunks.map((c) => {
    const h = c.replicas.filter((r) => r.healthy);
    return { count: h.length, zones: new Set(h.map((r) => r.zone)).size };
  });
}
const fullyReplicated = (s: ObjectStatusAnswer) => healthyZones(s).every((c) => c.count >= 3 && c.zones === 3);

beforeAll(async () => {
  net = await startLocalnet({ validators: 4 });
  env = { ...process.env, ...net.env, DSDN_HOME: join(net.dir, "dsdn-home") };
  delete env.DSDN_COORDINATOR_URL; // the dsdn config file written by start.sh must be enough
  delete env.DSDN_NODES;
  coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
  keyringDir = join(net.dir, "network-keyring");
  for (const name of ["alice", "bob", "carol", "dave", "fault-authority"]) {
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
        {
          cwd: root,
        },
      );
      p.stdin.end(account(name).mnemonic);
      p.on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`keys add ${name} exited ${c}`))));
    });
  }
}, 300_000); // the e2e hookTimeout: starting a localnet took over 150 s on a heavily loaded machine

afterAll(async () => {
  for (const s of liars) s.close();
  await net?.stop();
});

describe("storage network on the localnet", () => {
  it("5 storage nodes in 3 zones are bonded, registered on chain and Active on DA", async () => {
    const { nodes } = await coord.nodes();
    expect(nodes).toHaveLength(5);
    expect(nodes.every((n) => n.status === "active" && n.healthy)).toBe(true);
    expect(new Set(nodes.map((n) => n.zone))).toEqual(new Set(["zone-a", "zone-b", "zone-c"]));
    for (let n = 0; n < 5; n++) {
      const st = JSON.parse(
        await cli(
          "dsdnd",
          "query",
          "nodes",
          "get-node-class",
          account(`storage${n}`).address,
          "--node",
          env.RPC_URL!,
          "-o",
          "json",
        ),
      );
      expect(st.node).toMatchObject({ nodeId: nodeIdOf(n), status: "NODE_STATUS_ACTIVE" });
    }
  });

  it("dsdn upload (coordinator from the dsdn config) reaches 3 replicas in 3 zones for every chunk", async () => {
    file = randomBytes(5 * 1024 * 1024 + 12345);
    const path = join(net.dir, "upload.bin");
    writeFileSync(path, file);
    const up = JSON.parse(await cli("dsdn", "upload", path, "--chunk-size", "1MiB", "--json"));
    manifest = up.manifest;
    expect(up.chunks).toBe(6);
    expect(up.placements).toHaveLength(7);
    for (const p of up.placements) expect(p.replicas).toHaveLength(3);
    const status = JSON.parse(await cli("dsdn", "status", manifest, "--json")) as ObjectStatusAnswer;
    expect(status.chunks).toHaveLength(7);
    expect(fullyReplicated(status)).toBe(true);
    // The replicas really hold the bytes (not just DA records): read each chunk from every node named.
    for (const c of status.chunks)
      for (const r of c.replicas) {
        const res = await fetch(`${r.endpoint}/chunks/${c.cid}`, { method: "HEAD" });
        expect(res.status).toBe(200);
      }
    const out = join(net.dir, "got.bin");
    await cli("dsdn", "get", manifest, "-o", out);
    expect(readFileSync(out).equals(file)).toBe(true);
  });

  it("placement from an independent replay equals the coordinator's (and what DA declares)", async () => {
    const status = await coord.status(manifest);
    for (const c of status.chunks.slice(0, 3)) {
      // An independent replay of DA (its own process, its own chain queries for stake weights).
      const mine = JSON.parse(await cli("dsdn-node", "placement", c.cid, "--json"));
      const theirs = await coord.placement(c.cid);
      expect(mine.nodes).toEqual(theirs.nodes);
      expect(mine.stateDigest).toBe((await coord.health()).stateDigest);
      expect(mine.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(c.placement);
      expect(mine.declared).toEqual(c.placement);
    }
  });

  it("a chunk file deleted on one node is fetched back from another replica", async () => {
    const status = await coord.status(manifest);
    const chunk = status.chunks[2]!;
    const holder = chunk.replicas[0]!;
    const n = [0, 1, 2, 3, 4].find((i) => nodeIdOf(i) === holder.node)!;
    const store = await LocalFsStorage.open(storageDir(n));
    const path = store.pathFor(chunk.cid);
    unlinkSync(path);
    await waitFor(async () => (await store.hasChunk(chunk.cid)) || undefined, 30_000, "the node to re-fetch the chunk");
    const res = await fetch(`${holder.endpoint}/chunks/${chunk.cid}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(Number(chunk.size));
  });

  it("a SIGKILLed node: ingress still serves the file, and its chunks return to 3 healthy replicas in 3 zones", async () => {
    // storage-3 is in zone-a, which has a second node: a full 3-zone placement stays possible.
    const victim = nodeIdOf(3);
    process.kill(net.pid("storage", 3), "SIGKILL");
    // While the replica is down (before any heal), the ingress serves every byte, verified.
    const res = await fetch(`${net.env.INGRESS_URL}/object/${manifest}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    const ranged = await fetch(`${net.env.INGRESS_URL}/object/${manifest}`, {
      headers: { range: "bytes=1048000-2100000" },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(file.subarray(1048000, 2100001))).toBe(true);
    // Healing: dead after the health window, re-placed on DA, fetched by the newly placed nodes.
    const healed = await waitFor(
      async () => {
        const s = await coord.status(manifest);
        return fullyReplicated(s) && s.chunks.every((c) => !c.placement.includes(victim)) && s;
      },
      60_000,
      "every chunk back at 3 healthy replicas in 3 zones",
    );
    for (const c of healed.chunks) expect(c.replicas.filter((r) => r.healthy).map((r) => r.node)).not.toContain(victim);
    const nodes = (await coord.nodes()).nodes;
    expect(nodes.find((n) => n.nodeId === victim)?.status).toBe("offline");
  });

  it("a node that lies about holding a chunk is caught when asked for it", async () => {
    // storage-1 is replaced by an impostor on its port: it has the node's key file, answers health checks
    // as that node and claims every chunk (HEAD 200), but serves bytes it does not have.
    const n = 1;
    const identity: NodeIdentity = await loadOrCreateIdentity(storageDir(n));
    const endpoint = (await coord.nodes()).nodes.find((x) => x.nodeId === identity.nodeId)!.endpoint;
    const held = (await coord.status(manifest)).chunks.find((c) => c.replicas.some((r) => r.node === identity.nodeId))!;
    process.kill(net.pid("storage", n), "SIGKILL");
    const liar = createServer((req, res) => {
      if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", nodeId: identity.nodeId }));
      const size = Number(held.size);
      res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
      res.end(req.method === "HEAD" ? undefined : randomBytes(size));
    });
    liars.push(liar);
    // On the killed node's port as soon as it is free (not after a fixed 300 ms a loaded machine can overrun).
    await listenOnFreedPort(liar, Number(new URL(endpoint).port));
    const head = await fetch(`${endpoint}/chunks/${held.cid}`, { method: "HEAD" });
    expect(head.status).toBe(200); // it claims the chunk
    // Only a committee member may ask for a challenge: signed with the coordinator's own key here.
    const member = await loadOrCreateCoordinatorKey(join(net.dir, "coordinator"));
    const verdict = await coord.challenge(signChallengeRequest(held.cid, identity.nodeId, member));
    expect(verdict.outcome).toBe("failed");
    expect(verdict.reason).toMatch(/do not hash to the CID/);
    const after = await coord.status(manifest);
    expect(after.chunks.find((c) => c.cid === held.cid)!.replicas.map((r) => r.node)).not.toContain(identity.nodeId);
    expect((await coord.nodes()).nodes.find((x) => x.nodeId === identity.nodeId)!.challengeFailures).toBeGreaterThan(0);
    // And the ingress never passes the impostor's bytes on.
    const res = await fetch(`${net.env.INGRESS_URL}/object/${manifest}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    // The wrong bytes are proof: the coordinator reports data corruption, the chain slashes and quarantines
    // the operator, and the DA registry follows — the node is never placed again.
    const op = account(`storage${n}`).address;
    const slashing = await waitFor(
      async () => {
        const st = JSON.parse(
          await cli("dsdnd", "query", "slashing", "get-slashing-status", op, "--node", env.RPC_URL!, "-o", "json"),
        );
        return st.inCooldown && st;
      },
      30_000,
      "the chain to record the reported fault",
    );
    expect(slashing.offences.map((o: { kind: string }) => o.kind)).toContain("data_corruption");
    await waitFor(
      async () => (await coord.nodes()).nodes.find((x) => x.nodeId === identity.nodeId && x.status === "quarantined"),
      30_000,
      "the DA registry to quarantine the lying node",
    );
  });

  it("gatekeeping: no stake, too little stake, a cooldown and a spoofed identity are refused", async () => {
    const key = async (name: string) => loadOrCreateIdentity(join(net.dir, `gate-${name}`));
    const [carolNode, bobNode, daveNode] = await Promise.all([key("carol"), key("bob"), key("dave")]);
    const reg = (id: NodeIdentity, operator: string, over: { fp?: string } = {}) =>
      signedRegistration({
        identity: id,
        operator,
        zone: "zone-a",
        class: "regular",
        capacityBytes: 1n << 40n,
        endpoint: "http://127.0.0.1:1",
        tlsFingerprint: fromHex(over.fp ?? "ab".repeat(32)),
        daHeight: 1n,
      });
    const register = (who: string, id: NodeIdentity) =>
      tx(
        "nodes",
        "register",
        who,
        "--node-key",
        join(net.dir, `gate-${who}`, "node-key.json"),
        "--tls-fingerprint",
        "ab".repeat(32),
        "--zone",
        "zone-a",
        "--class",
        "regular",
        "--capacity",
        "1099511627776",
        "--endpoint",
        "http://127.0.0.1:1",
      ).then((r) => {
        expect(r.code).toBe(0);
        return id;
      });
    const refusals = async (bytes: Uint8Array) => {
      try {
        await coord.register(bytes);
      } catch (e) {
        return (e as { meta?: { refusals?: string[] } }).meta?.refusals ?? [];
      }
      throw new Error("registration was accepted");
    };
    // Not on chain at all (no stake can even register it).
    expect(await refusals(reg(carolNode, account("alice").address))).toEqual(["not_registered"]);
    await Promise.all([
      // bob: 400 NUSA < 500 minimum.
      tx("stake", "bond-node", "bob", "regular", "400000000unusa").then(() => register("bob", bobNode)),
      // carol: bonds, registers, then unbonds everything: no stake.
      tx("stake", "bond-node", "carol", "regular", "600000000unusa")
        .then(() => register("carol", carolNode))
        .then(() => tx("stake", "unbond", "carol", "node", "600000000unusa")),
      // dave: fully staked, then slashed for a fault: cooldown.
      tx("stake", "bond-node", "dave", "regular", "600000000unusa").then(() => register("dave", daveNode)),
    ]);
    expect(await refusals(reg(bobNode, account("bob").address))).toEqual(
      expect.arrayContaining(["insufficient_stake"]),
    );
    expect(await refusals(reg(carolNode, account("carol").address))).toEqual(expect.arrayContaining(["no_stake"]));
    const fault = await tx(
      "slashing",
      "report-node-fault",
      "fault-authority",
      daveNode.nodeId,
      "liveness",
      "--evidence",
      "e2e",
    );
    expect(fault.code).toBe(0);
    expect(await refusals(reg(daveNode, account("dave").address))).toEqual(expect.arrayContaining(["cooldown"]));
    // Spoofing: dave's node claimed for another operator; a registration for it not signed by its key;
    // and a certificate fingerprint other than the one pinned on chain.
    expect(await refusals(reg(daveNode, account("alice").address))).toEqual(
      expect.arrayContaining(["operator_mismatch"]),
    );
    const forged = Buffer.from(reg(daveNode, account("dave").address));
    forged[forged.length - 3]! ^= 0x40;
    expect(await refusals(forged)).toEqual(["bad_signature"]);
    const storage0 = await loadOrCreateIdentity(storageDir(0));
    expect(await refusals(reg(storage0, account("storage0").address, { fp: "cd".repeat(32) }))).toEqual(
      expect.arrayContaining(["tls_fingerprint_mismatch"]),
    );
    // None of them reached the DA registry.
    const ids = new Set((await coord.nodes()).nodes.map((x) => x.nodeId));
    for (const id of [carolNode, bobNode, daveNode]) expect(ids.has(id.nodeId)).toBe(false);
  });

  it("the DA registry follows the chain: a slashed node is quarantined on DA and never placed again", async () => {
    const slashed = nodeIdOf(0);
    const fault = await tx(
      "slashing",
      "report-node-fault",
      "fault-authority",
      slashed,
      "liveness",
      "--evidence",
      "e2e-2",
    );
    expect(fault.code).toBe(0);
    const node = await waitFor(
      async () => (await coord.nodes()).nodes.find((n) => n.nodeId === slashed && n.status === "quarantined"),
      30_000,
      "the coordinator to publish the chain's quarantine to DA",
    );
    expect(node.statusReason).toMatch(/cooldown/);
    // An independent replay sees it too, and no placement names it.
    for (const c of (await coord.status(manifest)).chunks.slice(0, 3).map((x) => x.cid)) {
      const p = JSON.parse(await cli("dsdn-node", "placement", c, "--json"));
      expect(p.nodes.map((n: { nodeId: string }) => n.nodeId)).not.toContain(slashed);
    }
    await waitFor(
      async () => (await coord.status(manifest)).chunks.every((c) => !c.placement.includes(slashed)),
      30_000,
      "chunks re-placed away from the quarantined node",
    );
  });
});

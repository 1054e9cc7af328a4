import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFile } from "../../clients/agent/get.js";
import { uploadViaCoordinator } from "../../clients/agent/networkUpload.js";
import { NodeClient } from "../../clients/agent/nodeClient.js";
import { loadUploaderKey } from "../../clients/agent/uploaderKey.js";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { toHex } from "../../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { silentLogger, stderrLogger } from "../da/events/logger.js";
import { MemoryDA } from "../da/memoryDA.js";
import { replayConfig } from "../da/replay/config.js";
import { ReplayFollower } from "../da/replay/follower.js";
import { DEFAULT_LIMITS } from "../http/serviceLimits.js";
import { createIngress } from "../ingress/ingress.js";
import { shardObjectSize } from "../storage/erasure/codec.js";
import { signedRegistration } from "../storage/follower/register.js";
import { SelfHealer } from "../storage/follower/selfHeal.js";
import { loadOrCreateIdentity, type NodeIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { decodeManifest } from "../storage/manifest.js";
import { createChunkServer } from "../storage/server.js";
import { decodeTicket } from "../storage/ticket.js";
import type { AdmissionRefusal, ChainNode, ChainView } from "./chainView.js";
import { CoordinatorClient } from "./client.js";
import { Coordinator, FAILURES_BEFORE_REMOVAL } from "./coordinator.js";
import { coordinatorRoutes } from "./routes.js";
import { signTicketRequest } from "./ticketRequest.js";

/** A chain stand-in with the same refusal rules as checkNodeAdmission. */
class FakeChain implements ChainView {
  readonly nodes = new Map<string, ChainNode & { stake: bigint; cooldown: boolean }>();
  async admission(claim: { nodeId: Uint8Array; operator: string; tlsCertFingerprint: Uint8Array }) {
    const n = this.nodes.get(toHex(claim.nodeId));
    if (!n) return { admitted: false, refusals: ["not_registered" as AdmissionRefusal] };
    const r: AdmissionRefusal[] = [];
    if (n.operator !== claim.operator) r.push("operator_mismatch");
    if (toHex(n.tlsCertFingerprint) !== toHex(claim.tlsCertFingerprint)) r.push("tls_fingerprint_mismatch");
    if (n.stake === 0n) r.push("no_stake");
    else if (n.stake < 500n) r.push("insufficient_stake");
    if (n.cooldown) r.push("cooldown");
    if (n.status !== "active") r.push("not_active");
    return { admitted: r.length === 0, refusals: r };
  }
  async height() {
    return 7n;
  }
  async node(id: Uint8Array) {
    return this.nodes.get(toHex(id));
  }
  async stakeWeight() {
    return 0n;
  }
  close() {}
}

interface TestNode {
  id: NodeIdentity;
  operator: string;
  zone: string;
  url: string;
  dir: string;
  healer: SelfHealer;
  close: () => Promise<void>;
}

const zones = ["zone-a", "zone-b", "zone-c", "zone-a", "zone-b"];
const fp = new Uint8Array(32).fill(7);
let tmp: string;
let da: MemoryDA;
let chain: FakeChain;
let coordinator: Coordinator;
let api: CoordinatorClient;
let closeApi: () => Promise<void>;
const nodes: TestNode[] = [];

async function startNode(i: number, coordinatorKey: string): Promise<TestNode> {
  const dir = join(tmp, `node${i}`);
  const id = await loadOrCreateIdentity(dir);
  const storage = await LocalFsStorage.open(dir);
  const { app } = createChunkServer({
    authority: new Set([coordinatorKey]),
    storage,
    identity: id,
    zone: zones[i]!,
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const follower = new ReplayFollower({
    da,
    config: replayConfig({ coordinators: [coordinatorKey] }),
    logger: silentLogger,
  });
  follower.start();
  const healer = new SelfHealer({
    follower,
    storage,
    identity: id,
    zone: zones[i]!,
    coordinator: api,
    trustedCoordinators: new Set([coordinatorKey]),
    intervalMs: 100,
    logger: process.env.DEBUG_HEAL ? stderrLogger : silentLogger,
  });
  healer.start();
  const operator = pubKeyToAddress(secp256k1KeyPair().publicKey);
  return {
    id,
    operator,
    zone: zones[i]!,
    url,
    dir,
    healer,
    close: async () => {
      await healer.stop();
      await follower.stop();
      await app.close();
    },
  };
}

const registration = (n: TestNode, over: Partial<{ operator: string; fp: Uint8Array }> = {}) =>
  signedRegistration({
    identity: n.id,
    operator: over.operator ?? n.operator,
    zone: n.zone,
    class: "regular",
    capacityBytes: 1n << 40n,
    endpoint: n.url,
    tlsFingerprint: over.fp ?? fp,
    daHeight: coordinator.follower.height,
  });

async function until<T>(
  f: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
  what: string,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dsdn-coord-"));
  process.env.DSDN_HOME = join(tmp, "home");
  da = new MemoryDA();
  chain = new FakeChain();
  const seed = ed25519KeyPair().secretKey;
  const key = toHex(ed25519KeyPair(seed).publicKey);
  coordinator = new Coordinator({
    da,
    secretKey: seed,
    dataDir: join(tmp, "coord"),
    replay: replayConfig({ coordinators: [key] }),
    chain,
    healthIntervalMs: 100,
    deadAfterMs: 500,
    reconcileIntervalMs: 100,
    challengeIntervalMs: 0,
    maxMovesPerRound: 4,
    allowPrivateEndpoints: true,
    logger: silentLogger,
  });
  await coordinator.start();
  const app = coordinatorRoutes(coordinator);
  api = new CoordinatorClient(await app.listen({ port: 0, host: "127.0.0.1" }));
  closeApi = () => app.close();
  for (let i = 0; i < 5; i++) nodes.push(await startNode(i, key));
});

afterAll(async () => {
  for (const n of nodes) await n.close().catch(() => {});
  await closeApi?.();
  await coordinator?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("coordinator (in process, memory DA, fake chain)", () => {
  it("rate-limits every route per client, with a clear error", async () => {
    const app = coordinatorRoutes(coordinator, { limits: { ...DEFAULT_LIMITS, requestsPerWindow: 3 } });
    await app.ready();
    const codes: number[] = [];
    for (const url of ["/health", "/nodes", "/health", "/nodes"]) codes.push((await app.inject({ url })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const refused = await app.inject({ method: "POST", url: "/chunks", payload: {} });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.message).toMatch(/rate limit: more than 3 requests per 60 s/);
    await app.close();
  });

  it("refuses nodes the chain does not admit, with every reason", async () => {
    const n = nodes[0]!;
    await expect(api.register(registration(n))).rejects.toMatchObject({ meta: { refusals: ["not_registered"] } });
    chain.nodes.set(n.id.nodeId, {
      operator: n.operator,
      zone: n.zone,
      nodeClass: "regular",
      endpoint: n.url,
      capacityBytes: 1n << 40n,
      tlsCertFingerprint: fp,
      status: "quarantined",
      statusReason: "no_stake",
      stake: 0n,
      cooldown: false,
    });
    await expect(api.register(registration(n))).rejects.toMatchObject({
      meta: { refusals: ["no_stake", "not_active"] },
    });
    chain.nodes.get(n.id.nodeId)!.stake = 100n;
    await expect(api.register(registration(n))).rejects.toMatchObject({
      meta: { refusals: ["insufficient_stake", "not_active"] },
    });
    Object.assign(chain.nodes.get(n.id.nodeId)!, { stake: 600n, cooldown: true });
    await expect(api.register(registration(n))).rejects.toMatchObject({
      meta: { refusals: ["cooldown", "not_active"] },
    });
    Object.assign(chain.nodes.get(n.id.nodeId)!, { cooldown: false, status: "active", statusReason: "" });
    const other = pubKeyToAddress(secp256k1KeyPair().publicKey);
    await expect(api.register(registration(n, { operator: other }))).rejects.toMatchObject({
      meta: { refusals: ["operator_mismatch"] },
    });
    await expect(api.register(registration(n, { fp: new Uint8Array(32) }))).rejects.toMatchObject({
      meta: { refusals: ["tls_fingerprint_mismatch"] },
    });
    // Spoofing: a registration naming this node id but signed by another key.
    const forged = Buffer.from(registration(n));
    forged[forged.length - 1]! ^= 1;
    await expect(api.register(forged)).rejects.toMatchObject({ meta: { refusals: ["bad_signature"] } });
    expect(coordinator.state.listNodes()).toHaveLength(0);
  });

  it("admits staked nodes; an upload lands on 3 nodes in 3 zones, recorded on DA", async () => {
    for (const n of nodes) {
      chain.nodes.set(n.id.nodeId, {
        operator: n.operator,
        zone: n.zone,
        nodeClass: "regular",
        endpoint: n.url,
        capacityBytes: 1n << 40n,
        tlsCertFingerprint: fp,
        status: "active",
        statusReason: "",
        stake: 600n,
        cooldown: false,
      });
      expect((await api.register(registration(n))).status).toBe("active");
    }
    const file = join(tmp, "file.bin");
    writeFileSync(
      file,
      Buffer.alloc(300_000, 0).map((_, i) => (i * 7919) % 251),
    );
    const r = await uploadViaCoordinator({
      path: file,
      coordinator: api.url,
      chunkSize: 64 * 1024,
      key: await loadUploaderKey({ backend: "test" }),
    });
    const status = await api.status(r.manifest);
    expect(status.manifest).toBe(true);
    expect(status.chunks).toHaveLength(r.chunks + 1);
    for (const c of status.chunks) {
      expect(c.replicas).toHaveLength(3);
      expect(new Set(c.replicas.map((x) => x.zone)).size).toBe(3);
    }
  });

  it("tickets only for a request the uploader signed: a forged uploader, a bad signature, a replay are refused", async () => {
    const victim = secp256k1KeyPair();
    const attacker = secp256k1KeyPair();
    const cid = cidForBytes(Buffer.from("hello world"));
    const post = (body: unknown) =>
      fetch(`${api.url}/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    // Honest: the signer's own address is named in every ticket.
    const honest = await api.tickets(cid, 11, victim);
    expect(honest.tickets).toHaveLength(3);
    for (const t of honest.tickets)
      expect(decodeTicket(t.ticket).ticket.uploader).toBe(pubKeyToAddress(victim.publicKey));
    // The attacker names the victim (to spend the victim's quota) but can only sign with its own key.
    const forged = { ...signTicketRequest(cid, 11, attacker), uploader: pubKeyToAddress(victim.publicKey) };
    const r1 = await post(forged);
    expect(r1.status).toBe(401);
    expect(((await r1.json()) as any).error.message).toMatch(/not signed .* by the uploader/);
    // The victim's key with a signature over another size.
    const resized = { ...signTicketRequest(cid, 11, victim), size: 12 };
    expect((await post(resized)).status).toBe(401);
    // Unsigned (the old form): refused by the schema.
    expect((await post({ cid, size: 11, uploader: pubKeyToAddress(victim.publicKey) })).status).toBe(400);
    // A captured request cannot be sent again, nor one signed long ago.
    const once = signTicketRequest(cid, 11, victim);
    expect((await post(once)).status).toBe(200);
    const again = await post(once);
    expect(again.status).toBe(403);
    expect(((await again.json()) as any).error.message).toMatch(/replay/);
    expect((await post(signTicketRequest(cid, 11, victim, Date.now() - 120_000))).status).toBe(403);
  });

  it("a dead node's chunks are re-placed and fetched back to 3 replicas; a lying replica is caught", async () => {
    const victim = nodes[4]!;
    await victim.close();
    await until(
      () => {
        for (const cid of coordinator.state.listChunkCids()) {
          const s = coordinator.chunkStatus(cid)!;
          if (s.replicas.some((x) => x.node === victim.id.nodeId)) return false;
          if (s.healthyReplicas < 3 || new Set(s.replicas.map((x) => x.zone)).size < 3) return false;
        }
        return true;
      },
      20_000,
      "chunks back to 3 healthy replicas",
    );
    expect(coordinator.state.getNode(victim.id.nodeId)?.status).toBe("offline");
    // A chunk file deleted behind the node's back: the challenge notices, the node re-fetches.
    const cid = coordinator.state.listChunkCids()[0]!;
    const holder = nodes.find((n) => coordinator.state.replicasOf(cid).includes(n.id.nodeId))!;
    const storage = await LocalFsStorage.open(holder.dir);
    await storage.deleteChunk(cid);
    // A missing chunk is a failure with evidence; the replica is removed only after repeated failures.
    for (let i = 1; i <= FAILURES_BEFORE_REMOVAL; i++) {
      const res = await coordinator.challenge(cid, holder.id.nodeId);
      if (res.outcome === "passed") break; // the node already fetched it back by itself
      expect(res.outcome).toBe("failed");
      if (i < FAILURES_BEFORE_REMOVAL) expect(coordinator.state.replicasOf(cid)).toContain(holder.id.nodeId);
    }
    await until(
      () => coordinator.state.replicasOf(cid).includes(holder.id.nodeId),
      10_000,
      "re-fetched and re-recorded",
    );
    expect((await coordinator.challenge(cid, holder.id.nodeId)).outcome).toBe("passed");
  }, 40_000);
});

describe("erasure-coded files through the coordinator (4+2, in process)", () => {
  const addNode = async (i: number, zone: string) => {
    zones[i] = zone;
    const key = coordinator.publisherKeyHex();
    const n = await startNode(i, key);
    nodes[i] = n;
    chain.nodes.set(n.id.nodeId, {
      operator: n.operator,
      zone: n.zone,
      nodeClass: "regular",
      endpoint: n.url,
      capacityBytes: 1n << 40n,
      tlsCertFingerprint: fp,
      status: "active",
      statusReason: "",
      stake: 600n,
      cooldown: false,
    });
    expect((await api.register(registration(n))).status).toBe("active");
    return n;
  };
  let manifest = "";
  let data: Buffer;
  const readFromAny = async (cid: string) => {
    for (const n of live()) {
      const c = new NodeClient(n.url, { retries: 0 });
      try {
        return await c.get(cid);
      } catch {
        // next node
      } finally {
        c.close();
      }
    }
    return undefined;
  };
  const live = () => nodes.filter((n) => coordinator.state.getNode(n.id.nodeId)?.status === "active");
  const shardsOf = () => coordinator.state.listChunkCids().filter((c) => coordinator.state.getChunk(c)?.shard);

  it("places the 6 shards of each chunk on 6 distinct nodes, at most 2 per zone, recorded on DA with their stripe", async () => {
    // Node 4 died above: 4 live nodes + 3 new ones = 7 in 3 zones.
    await addNode(5, "zone-c");
    await addNode(6, "zone-b");
    await addNode(7, "zone-c");
    expect(live()).toHaveLength(7);
    data = randomBytes(200_000);
    const file = join(tmp, "ec.bin");
    writeFileSync(file, data);
    const r = await uploadViaCoordinator({
      path: file,
      coordinator: api.url,
      chunkSize: 64 * 1024,
      erasure: { k: 4, m: 2 },
      key: await loadUploaderKey({ backend: "test" }),
    });
    manifest = r.manifest;
    const m = decodeManifest((await readFromAny(manifest))!, manifest);
    expect(m.erasure).toEqual({ dataShards: 4, parityShards: 2 });
    for (const ref of m.chunks) {
      const placed = ref.shards.map((s) => coordinator.state.getChunk(s)!);
      for (const [i, p] of placed.entries()) {
        expect(p.replicationFactor).toBe(1);
        expect(p.shard).toMatchObject({ chunkCid: ref.cid, index: i, dataShards: 4, parityShards: 2 });
        expect(p.replicas).toEqual(p.placement);
      }
      const holders = placed.map((p) => p.placement[0]!);
      expect(new Set(holders).size).toBe(6);
      const perZone = new Map<string, number>();
      for (const h of holders) {
        const z = coordinator.state.getNode(h)!.zone;
        perZone.set(z, (perZone.get(z) ?? 0) + 1);
      }
      expect(Math.max(...perZone.values())).toBeLessThanOrEqual(2);
    }
    const out = join(tmp, "ec.out");
    await getFile({ manifest, nodes: live().map((n) => n.url), out });
    expect(readFileSync(out).equals(data)).toBe(true);
    // The ingress rebuilds each chunk from k shards too, ranges included.
    const follower = new ReplayFollower({
      da,
      config: replayConfig({ coordinators: [coordinator.publisherKeyHex()] }),
      logger: silentLogger,
    });
    await follower.syncToHead();
    follower.start();
    const ingress = createIngress({ da, follower, probeIntervalMs: 100 });
    try {
      const url = await ingress.app.listen({ port: 0, host: "127.0.0.1" });
      await ingress.health.probeAll();
      const whole = await fetch(`${url}/object/${manifest}`);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
      const part = await fetch(`${url}/object/${manifest}`, { headers: { range: "bytes=70000-140000" } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(70000, 140001))).toBe(true);
    } finally {
      await ingress.stop();
      await follower.stop();
    }
  });

  it("refuses a ticket or declaration whose stripe does not hold the object, or whose size is not a shard's", async () => {
    const key = secp256k1KeyPair();
    const stripe = Array.from({ length: 6 }, (_, i) => cidForBytes(Buffer.from(`stripe shard ${i}`)));
    const chunkCid = cidForBytes(Buffer.from("the chunk"));
    const good = { chunkCid, chunkSize: 1000, k: 4, m: 2, index: 2, stripe };
    const size = shardObjectSize(1000, 4);
    expect((await api.tickets(stripe[2]!, size, key, good)).tickets).toHaveLength(1);
    await expect(api.tickets(stripe[2]!, size, key, { ...good, index: 3 })).rejects.toThrow(
      /stripe position 3 is not this shard/,
    );
    await expect(api.tickets(stripe[2]!, size + 1, key, good)).rejects.toThrow(/is not a shard of a 1000-byte chunk/);
    await expect(
      api.tickets(stripe[2]!, size, key, { ...good, stripe: [...stripe.slice(0, 5), stripe[0]!] }),
    ).rejects.toThrow(/lists a shard twice/);
    await expect(api.tickets(stripe[2]!, size, key, { ...good, m: 3 })).rejects.toThrow(/lists 6 shards, not k\+m/);
  });

  it("survives the loss of m = 2 nodes and is repaired back; repair work and bytes grow with what was lost", async () => {
    const before = coordinator.repairPlanner.stats;
    const totalShards = shardsOf().length;
    // Kill the two nodes holding the most shards of this file.
    const load = new Map<string, number>();
    for (const s of shardsOf()) {
      const n = coordinator.state.getChunk(s)!.placement[0]!;
      load.set(n, (load.get(n) ?? 0) + 1);
    }
    const victims = [...load.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2);
    const lostShards = victims.reduce((a, [, c]) => a + c, 0);
    const lostSet = new Set(victims.map(([id]) => id));
    const onVictims = new Set(
      [...lostSet].flatMap((id) => [...coordinator.state.chunksPlacedOn(id), ...coordinator.state.chunksHeldBy(id)]),
    );
    const fetchedBefore = nodes.reduce((a, n) => a + n.healer.stats.rebuildBytesFetched, 0);
    const shardBytes = shardObjectSize(64 * 1024, 4);
    for (const id of lostSet) await nodes.find((n) => n.id.nodeId === id)!.close();
    // Still readable from the survivors before any repair.
    const early = join(tmp, "ec.early");
    await getFile({ manifest, nodes: nodes.filter((n) => !lostSet.has(n.id.nodeId)).map((n) => n.url), out: early });
    expect(readFileSync(early).equals(data)).toBe(true);
    await until(
      () =>
        shardsOf().every((s) => {
          const c = coordinator.state.getChunk(s)!;
          return !lostSet.has(c.placement[0]!) && c.replicas.includes(c.placement[0]!);
        }),
      30_000,
      "every shard back on a live node",
    );
    const after = coordinator.repairPlanner.stats;
    // Work: the chunks on the dead nodes (and their stripes' siblings), never every chunk.
    expect(after.examined - before.examined).toBeGreaterThan(0);
    expect(after.examined - before.examined).toBeLessThanOrEqual(onVictims.size * 6);
    // Re-placed: at least every lost shard (a shard re-placed onto the second victim before its death was
    // detected moves twice), plus replicated chunks (the earlier file, this manifest) the victims held.
    expect(after.replaced - before.replaced).toBeGreaterThanOrEqual(lostShards);
    expect(totalShards).toBeGreaterThan(0);
    // Bytes moved: each lost shard rebuilt from at most k = 4 others (fewer when the node already held one).
    const moved = nodes.reduce((a, n) => a + n.healer.stats.rebuildBytesFetched, 0) - fetchedBefore;
    const lostBytes = lostShards * shardBytes; // the last chunk's shards are smaller: an upper bound
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(4 * lostBytes);
    console.log(
      `EC 4+2 repair: ${lostShards} shards lost, ${moved} bytes moved, ${(moved / lostBytes).toFixed(2)}× the lost bytes`,
    );
    const out = join(tmp, "ec.after");
    await getFile({ manifest, nodes: nodes.filter((n) => !lostSet.has(n.id.nodeId)).map((n) => n.url), out });
    expect(readFileSync(out).equals(data)).toBe(true);
    // Nothing lost since: another round examines nothing.
    const quiet = coordinator.repairPlanner.stats.examined;
    await coordinator.repair();
    expect(coordinator.repairPlanner.stats.examined).toBe(quiet);
  }, 60_000);

  it("a node that joins receives a fair share by rate-limited moves; old holders are dropped from the record", async () => {
    await until(() => coordinator.rebalancer.stats.pending === 0, 20_000, "no rebalance walk in progress");
    const movesBefore = coordinator.rebalancer.stats.moves;
    const n = await addNode(8, "zone-a");
    const placedOn = () => coordinator.state.chunksPlacedOn(n.id.nodeId);
    await until(
      () =>
        coordinator.rebalancer.stats.pending === 0 &&
        placedOn().length > 0 &&
        placedOn().every((c) => coordinator.state.replicasOf(c).includes(n.id.nodeId)),
      30_000,
      "the new node holds what moved to it",
    );
    const moves = coordinator.rebalancer.stats.moves - movesBefore;
    // Each chunk now on the new node got there by one move; stripes repaired earlier may also move back to
    // their fresh placement on other nodes.
    expect(moves).toBeGreaterThanOrEqual(placedOn().length);
    // Fair share: its part of all placements (replicas and shards) among the live nodes, within sampling noise.
    const cids = coordinator.state.listChunkCids();
    const placements = cids.reduce((a, c) => a + coordinator.state.getChunk(c)!.placement.length, 0);
    const fair = placements / live().length;
    expect(placedOn().length).toBeGreaterThanOrEqual(Math.floor(fair / 3));
    console.log(
      `rebalance: new node received ${placedOn().length} of ${placements} placements (fair share ${fair.toFixed(1)})`,
    );
    // Every moved chunk is recorded only on its placement once the new node holds it (GC frees the rest).
    await until(
      () =>
        placedOn().every((c) =>
          coordinator.state.replicasOf(c).every((h) => coordinator.state.getChunk(c)!.placement.includes(h)),
        ),
      20_000,
      "old holders dropped",
    );
    const out = join(tmp, "ec.rebalanced");
    await getFile({ manifest, nodes: live().map((x) => x.url), out });
    expect(readFileSync(out).equals(data)).toBe(true);
  }, 60_000);
});

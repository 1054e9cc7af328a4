import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CarReader } from "@ipld/car/reader";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { NodeRegistered, NodeStatus } from "../../proto/gen/dsdn/da/v1/events.js";
import { BlockList, type ComplianceGate } from "../compliance/blockList.js";
import { silentLogger } from "../da/events/logger.js";
import { EventPublisher } from "../da/events/publisher.js";
import { sampleDeclaredFile } from "../da/events/sampleWorkload.js";
import { MemoryDA } from "../da/memoryDA.js";
import { replayConfig } from "../da/replay/config.js";
import { ReplayFollower } from "../da/replay/follower.js";
import { signedRegistration } from "../storage/follower/register.js";
import { loadOrCreateIdentity, type NodeIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { MANIFEST_VERSION, manifestCid } from "../storage/manifest.js";
import { createChunkServer } from "../storage/server.js";
import { createIngress, type Ingress } from "./ingress.js";

const CHUNK = 64 * 1024;
let tmp: string;
let da: MemoryDA;
let publisher: EventPublisher;
let coordinators: string[];
let file: Buffer;
let manifest: string;
let chunks: Buffer[];
const closers: (() => Promise<void>)[] = [];
/** The preferred replica (same zone as the ingress): serves `goodRequests` chunks, then garbage or a cut. */
let flaky: {
  id: NodeIdentity;
  server: Server;
  url: string;
  goodRequests: number;
  mode: "garbage" | "cut";
  served: number;
};

async function startIngress(
  compliance?: ComplianceGate,
): Promise<{ ingress: Ingress; url: string; follower: ReplayFollower }> {
  const follower = new ReplayFollower({ da, config: replayConfig({ coordinators }), logger: silentLogger });
  await follower.syncToHead();
  follower.start();
  const ingress = createIngress({
    da,
    follower,
    zone: "zone-a",
    probeIntervalMs: 100,
    ...(compliance ? { compliance } : {}),
  });
  const url = await ingress.app.listen({ port: 0, host: "127.0.0.1" });
  await ingress.health.probeAll();
  closers.push(async () => {
    await ingress.stop();
    await follower.stop();
  });
  return { ingress, url, follower };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dsdn-ingress-"));
  da = new MemoryDA();
  const seed = ed25519KeyPair().secretKey;
  coordinators = [toHex(ed25519KeyPair(seed).publicKey)];
  publisher = await EventPublisher.open({
    da,
    secretKey: seed,
    outboxPath: join(tmp, "outbox.sqlite"),
    logger: silentLogger,
  });
  file = randomBytes(5 * CHUNK + 123);
  chunks = [];
  for (let off = 0; off < file.length; off += CHUNK) chunks.push(file.subarray(off, off + CHUNK));
  const refs = chunks.map((c) => ({
    cid: cidForBytes(c),
    size: BigInt(c.length),
    plainSize: BigInt(c.length),
    shards: [],
  }));
  const m = manifestCid({
    version: MANIFEST_VERSION,
    totalSize: BigInt(file.length),
    chunkSize: BigInt(CHUNK),
    chunks: refs,
    encryption: undefined,
    name: "",
    erasure: undefined,
  });
  manifest = m.cid;
  const objects = [
    ...chunks.map((c, i) => ({ cid: refs[i]!.cid, bytes: c })),
    { cid: m.cid, bytes: Buffer.from(m.bytes) },
  ];
  const allObjects = objects;

  // Two honest nodes (zones b, c) holding everything, and the flaky preferred one (zone a).
  const nodes: { id: NodeIdentity; url: string; zone: string }[] = [];
  for (const zone of ["zone-b", "zone-c"]) {
    const dir = join(tmp, zone);
    const id = await loadOrCreateIdentity(dir);
    const storage = await LocalFsStorage.open(dir);
    for (const o of allObjects) await storage.putChunk(o.cid, o.bytes);
    const { app } = createChunkServer({ authority: "open", storage, identity: id, zone });
    nodes.push({ id, url: await app.listen({ port: 0, host: "127.0.0.1" }), zone });
    closers.push(() => app.close());
  }
  const byCid = new Map(allObjects.map((o) => [o.cid, o.bytes]));
  const flakyId = await loadOrCreateIdentity(join(tmp, "zone-a"));
  flaky = { id: flakyId, server: undefined as never, url: "", goodRequests: 0, mode: "garbage", served: 0 };
  flaky.server = createServer((req, res) => {
    if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", nodeId: flakyId.nodeId }));
    const bytes = byCid.get(req.url!.split("/").pop()!)!;
    flaky.served++;
    if (flaky.served <= flaky.goodRequests) return res.end(bytes);
    if (flaky.mode === "cut") {
      res.writeHead(200, { "content-length": bytes.length });
      res.write(bytes.subarray(0, 10));
      return res.destroy();
    }
    return res.end(randomBytes(bytes.length));
  });
  await new Promise<void>((r) => flaky.server.listen(0, "127.0.0.1", r));
  flaky.url = `http://127.0.0.1:${(flaky.server.address() as { port: number }).port}`;
  closers.push(async () => void flaky.server.close());
  nodes.push({ id: flakyId, url: flaky.url, zone: "zone-a" });

  const events = [];
  for (const n of nodes) {
    const reg = NodeRegistered.decode(
      signedRegistration({
        identity: n.id,
        operator: pubKeyToAddress(secp256k1KeyPair().publicKey),
        zone: n.zone,
        class: "regular",
        capacityBytes: 1n << 30n,
        endpoint: n.url,
        tlsFingerprint: new Uint8Array(32),
        daHeight: 0n,
      }),
    );
    events.push({ type: "nodeRegistered" as const, value: reg });
    events.push({
      type: "nodeStatusChanged" as const,
      value: { nodeId: Buffer.from(n.id.publicKey), status: NodeStatus.NODE_STATUS_ACTIVE },
    });
  }
  const declared = sampleDeclaredFile({
    manifestCid: m.cid,
    objects: objects.map((o) => ({ cid: o.cid, size: BigInt(o.bytes.length) })),
    owner: secp256k1KeyPair(),
    placement: nodes.map((n) => n.id.publicKey),
    replicationFactor: 3,
  });
  for (const [i, o] of objects.entries()) {
    events.push({ type: "chunkDeclared" as const, value: declared[i]! });
    for (const n of nodes)
      events.push({ type: "replicaAdded" as const, value: { cid: o.cid, nodeId: Buffer.from(fromHex(n.id.nodeId)) } });
  }
  await publisher.publishMany(events);
  await publisher.flush();
});

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
  await publisher?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("ingress", () => {
  it("streams a file from the nearest replica and fails over mid-file when it starts serving garbage", async () => {
    const { url } = await startIngress();
    flaky.served = 0;
    flaky.goodRequests = 3; // the manifest and two chunks, then lies
    flaky.mode = "garbage";
    const res = await fetch(`${url}/object/${manifest}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    expect(flaky.served).toBeGreaterThan(3); // it was asked (nearest), and its bad bytes were never passed on
  });

  it("fails over when the nearest replica cuts a chunk short; ranges span chunk boundaries", async () => {
    const { url } = await startIngress(); // fresh process-like instance: empty cache
    flaky.served = 0;
    flaky.goodRequests = 1;
    flaky.mode = "cut";
    const res = await fetch(`${url}/object/${manifest}`, { headers: { range: `bytes=${CHUNK - 5}-${3 * CHUNK + 7}` } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes ${CHUNK - 5}-${3 * CHUNK + 7}/${file.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(file.subarray(CHUNK - 5, 3 * CHUNK + 8))).toBe(true);
  });

  it("answers JSON in {summary, details, audit}; a restarted ingress answers the same (no state of its own)", async () => {
    const a = await startIngress();
    const b = await startIngress();
    const missing = cidForBytes(Buffer.from("nope"));
    const r404 = await fetch(`${a.url}/object/${missing}?details=1`);
    expect(r404.status).toBe(404);
    const body = (await r404.json()) as { summary: string; details: { code: string }; audit: { daHeight: string } };
    expect(body.summary).toMatch(/not declared/);
    expect(body.details.code).toBe("DSDN_NOT_FOUND");
    const d1 = (await (await fetch(`${a.url}/object/${manifest}?details=1`)).json()) as any;
    const d2 = (await (await fetch(`${b.url}/object/${manifest}?details=1`)).json()) as any;
    const strip = (x: any) => ({
      ...x,
      audit: { ...x.audit, at: "" },
      details: {
        ...x.details,
        chunks: x.details.chunks.map((c: any) => ({ ...c, replicas: c.replicas.map((r: any) => r.nodeId).sort() })),
      },
    });
    expect(strip(d2)).toEqual(strip(d1));
    expect(d1.details).toMatchObject({ kind: "manifest", size: file.length, chunkCount: 6, offset: 0 });
    // The chunk list is paginated: each page says where the next one starts.
    const p1 = (await (await fetch(`${a.url}/object/${manifest}?details=1&limit=4`)).json()) as any;
    expect(p1.details.chunks).toHaveLength(4);
    expect(p1.details.nextOffset).toBe(4);
    const p2 = (await (await fetch(`${a.url}/object/${manifest}?details=1&offset=4&limit=4`)).json()) as any;
    expect(p2.details.chunks.map((c: any) => c.cid)).toEqual(d1.details.chunks.slice(4).map((c: any) => c.cid));
    expect(p2.details.nextOffset).toBeUndefined();
    expect((await fetch(`${a.url}/object/${manifest}?details=1&limit=100000`)).status).toBe(400);
    const h = (await (await fetch(`${a.url}/health`)).json()) as { summary: string; audit: unknown };
    expect(h.summary).toMatch(/3\/3 Active storage nodes healthy/);
    expect(h.audit).toBeDefined();
  });

  it("a 5xx answer carries no internal message (addresses, errno text): a fixed summary and a log reference", async () => {
    // A chunk whose only replica is a node whose endpoint refuses connections.
    const dead = await loadOrCreateIdentity(join(tmp, "dead"));
    const lonely = randomBytes(100);
    const cid = cidForBytes(lonely);
    await publisher.publishMany([
      {
        type: "nodeRegistered",
        value: NodeRegistered.decode(
          signedRegistration({
            identity: dead,
            operator: pubKeyToAddress(secp256k1KeyPair().publicKey),
            zone: "zone-d",
            class: "regular",
            capacityBytes: 1n << 30n,
            endpoint: "http://127.0.0.1:9",
            tlsFingerprint: new Uint8Array(32),
            daHeight: 0n,
          }),
        ),
      },
      {
        type: "nodeStatusChanged",
        value: { nodeId: Buffer.from(dead.publicKey), status: NodeStatus.NODE_STATUS_ACTIVE },
      },
      {
        type: "chunkDeclared",
        value: sampleDeclaredFile({
          manifestCid: cid,
          objects: [{ cid, size: BigInt(lonely.length) }],
          owner: secp256k1KeyPair(),
          placement: [dead.publicKey],
        })[0]!,
      },
      { type: "replicaAdded", value: { cid, nodeId: Buffer.from(dead.publicKey) } },
    ]);
    await publisher.flush();
    const logged: string[] = [];
    const follower = new ReplayFollower({ da, config: replayConfig({ coordinators }), logger: silentLogger });
    await follower.syncToHead();
    const ingress = createIngress({ da, follower, zone: "zone-a", probeIntervalMs: 100, log: (l) => logged.push(l) });
    const url = await ingress.app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(async () => {
      await ingress.stop();
      await follower.stop();
    });
    const res = await fetch(`${url}/object/${cid}?details=1`);
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect |fetch failed/);
    const body = JSON.parse(text) as { summary: string; details: { ref: string } };
    expect(body.summary).toBe("no replica could serve this object right now; try again later");
    expect(logged.join("\n")).toContain(body.details.ref);
  });
});

describe("IPFS trustless gateway", () => {
  /** What an IPFS client does: every block's bytes must hash to its CID. */
  const verifies = async (cid: CID, bytes: Uint8Array) =>
    Buffer.from((await sha256.digest(bytes)).digest).equals(Buffer.from(cid.multihash.digest));

  it("serves a single block as application/vnd.ipld.raw (by ?format and by Accept), verifiable against its CID", async () => {
    const { url } = await startIngress();
    flaky.goodRequests = 0; // the nearest replica lies: the gateway must not pass its bytes on
    flaky.mode = "garbage";
    const chunk0 = CID.parse(
      ((await (await fetch(`${url}/object/${manifest}?details=1`)).json()) as any).details.chunks[0].cid,
    );
    for (const init of [
      { q: "?format=raw", h: {} as Record<string, string> },
      { q: "", h: { accept: "application/vnd.ipld.raw" } },
    ]) {
      const res = await fetch(`${url}/ipfs/${chunk0}${init.q}`, { headers: init.h });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.ipld.raw");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(await verifies(chunk0, bytes)).toBe(true);
      expect(Buffer.from(bytes).equals(file.subarray(0, CHUNK))).toBe(true);
    }
  });

  it("serves a file as a CARv1 (manifest root, then every chunk once) that @ipld/car reads and every block verifies", async () => {
    const { url } = await startIngress();
    const res = await fetch(`${url}/ipfs/${manifest}`, { headers: { accept: "application/vnd.ipld.car; version=1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/vnd\.ipld\.car; version=1/);
    const car = await CarReader.fromBytes(new Uint8Array(await res.arrayBuffer()));
    expect((await car.getRoots()).map(String)).toEqual([manifest]);
    const blocks = [];
    for await (const b of car.blocks()) blocks.push(b);
    expect(blocks).toHaveLength(7);
    for (const b of blocks) expect(await verifies(b.cid, b.bytes)).toBe(true);
    expect(String(blocks[0]!.cid)).toBe(manifest);
    expect(Buffer.concat(blocks.slice(1).map((b) => b.bytes)).equals(file)).toBe(true);
    // dag-scope=block: the root block alone.
    const one = await CarReader.fromBytes(
      new Uint8Array(await (await fetch(`${url}/ipfs/${manifest}?format=car&dag-scope=block`)).arrayBuffer()),
    );
    const only = [];
    for await (const b of one.blocks()) only.push(String(b.cid));
    expect(only).toEqual([manifest]);
  });

  it("refuses what it cannot answer verifiably: no format (406), unknown format, paths, undeclared CIDs, foreign CIDs", async () => {
    const { url } = await startIngress();
    expect((await fetch(`${url}/ipfs/${manifest}`)).status).toBe(406);
    expect((await fetch(`${url}/ipfs/${manifest}`, { headers: { accept: "text/html" } })).status).toBe(406);
    expect(
      (await fetch(`${url}/ipfs/${manifest}`, { headers: { accept: "application/vnd.ipld.car; version=2" } })).status,
    ).toBe(406);
    expect((await fetch(`${url}/ipfs/${manifest}?format=dag-json`)).status).toBe(400);
    expect((await fetch(`${url}/ipfs/${manifest}/a/b?format=raw`)).status).toBe(400);
    expect((await fetch(`${url}/ipfs/${manifest}?format=car&dag-scope=everything`)).status).toBe(400);
    expect((await fetch(`${url}/ipfs/${cidForBytes(Buffer.from("never declared"))}?format=raw`)).status).toBe(404);
    // A dag-pb (CIDv0) root is another system's: refused before any lookup.
    expect((await fetch(`${url}/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG?format=raw`)).status).toBe(400);
  });
});

describe("ingress: governance blocks (compliance)", () => {
  const block = (kind: "cid" | "route", value: string) => ({
    kind,
    value,
    reason: "court order 7",
    proposalId: "3",
    decisionId: "1",
    height: "10",
  });

  it("a blocked CID, a file with a blocked chunk and a blocked route get 451 with the decision; unblocking restores them", async () => {
    const list = new BlockList();
    const { url } = await startIngress(list);
    flaky.goodRequests = 1e9;
    const chunk2 = cidForBytes(chunks[2]!);
    expect((await fetch(`${url}/object/${manifest}`)).status).toBe(200);
    list.add(block("cid", chunk2));
    for (const path of [
      `/object/${chunk2}`,
      `/object/${manifest}`, // its manifest lists the blocked chunk
      `/ipfs/${chunk2}?format=raw`,
      `/ipfs/${manifest}?format=car`,
    ]) {
      const r = await fetch(`${url}${path}`);
      expect(r.status, path).toBe(451);
      const body = (await r.json()) as { summary: string };
      expect(body.summary, path).toMatch(/blocked by governance \(proposal 3\): court order 7; appeal/);
    }
    const detailed = (await (await fetch(`${url}/object/${manifest}?details=1`)).json()) as {
      details: { code: string; blocked: { value: string; decisionId: string }; appeal: string };
    };
    expect(detailed.details).toMatchObject({ code: "DSDN_BLOCKED", blocked: { value: chunk2, decisionId: "1" } });
    expect(detailed.details.appeal).toMatch(/governance proposal/);
    // Other chunks of other files are not affected.
    expect((await fetch(`${url}/object/${cidForBytes(chunks[1]!)}`)).status).toBe(200);
    list.remove("cid", chunk2);
    const back = await fetch(`${url}/object/${manifest}`);
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(file)).toBe(true);

    // A route: every spelling of a path under it is refused; a sibling route with the same prefix is not.
    list.add(block("route", `/object/${manifest}`));
    for (const path of [
      `/object/${manifest}`,
      `//object//${manifest}`,
      `/object/./${manifest}`,
      `/%6Fbject/${manifest}`,
      `/ipfs/../object/${manifest}`,
    ]) {
      const r = await fetch(`${url}${path}`);
      expect(r.status, path).toBe(451);
    }
    expect((await fetch(`${url}/object/${cidForBytes(chunks[1]!)}`)).status).toBe(200);
    list.remove("route", `/object/${manifest}`);
    expect((await fetch(`${url}/object/${manifest}`)).status).toBe(200);
  });
});

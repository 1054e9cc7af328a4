/**
 * @module Attacks on ownership, the coordinator and replay, against real processes (localnet/start.sh: a
 * validator, the local DA server, 3 storage nodes, coordinator, ingress): a stranger taking over and deleting
 * another user's file, replayed and unsigned coordinator requests, throwaway DA publishers, nodes claiming
 * chunks they were never given, an oversized manifest, 5xx/cut answers treated as proof — each refused while
 * the honest upload, get, delete and garbage collection keep working.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeClient } from "../../../clients/agent/nodeClient.js";
import { cidForBytes } from "../../../common/cid.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { nativeSigner } from "../../../common/ed25519Native.js";
import { projectRoot } from "../../../common/paths.js";
import { readSecretFile } from "../../../common/privateFile.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../../common/secp256k1.js";
import { CoordinatorClient, type ObjectStatusAnswer } from "../../../node-agent/coordinator/client.js";
import { loadOrCreateCoordinatorKey } from "../../../node-agent/coordinator/keyFile.js";
import { signChallengeRequest } from "../../../node-agent/coordinator/signedRequest.js";
import { encodeBatch } from "../../../node-agent/da/events/batch.js";
import { signDeleteRequest } from "../../../node-agent/da/events/bindings.js";
import { signUploadDeclaration } from "../../../node-agent/da/events/declaration.js";
import { signEnvelope } from "../../../node-agent/da/events/envelope.js";
import type { DAEventInput } from "../../../node-agent/da/events/event.js";
import { silentLogger } from "../../../node-agent/da/events/logger.js";
import { sampleCid } from "../../../node-agent/da/events/sampleWorkload.js";
import { replayConfig } from "../../../node-agent/da/replay/config.js";
import { createDALayer } from "../../../node-agent/da/replay/createDALayer.js";
import { ReplayFollower } from "../../../node-agent/da/replay/follower.js";
import type { DALayer } from "../../../node-agent/da/types.js";
import { signAck } from "../../../node-agent/storage/ack.js";
import { signedRegistration } from "../../../node-agent/storage/follower/register.js";
import { loadOrCreateIdentity } from "../../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../../node-agent/storage/localfs.js";
import { MANIFEST_VERSION, manifestCid } from "../../../node-agent/storage/manifest.js";
import { decodeTicket } from "../../../node-agent/storage/ticket.js";
import { DeleteRequested, UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { listenOnFreedPort } from "../../support/listenOnFreedPort.js";
import { type Localnet, startLocalnet, waitFor } from "../../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const NODES = 3;
let net: Localnet;
let env: NodeJS.ProcessEnv;
let coord: CoordinatorClient;
let da: DALayer;
let coordinatorKey: string;
let file: Buffer;
let manifest: string;
let victimAddress: string;
const attacker = secp256k1KeyPair();
const attackerAddress = pubKeyToAddress(attacker.publicKey);
const liars: Server[] = [];

const storageDir = (n: number) => join(net.dir, "storage", String(n));

async function dsdn(...args: string[]): Promise<string> {
  const { stdout } = await run("node", [join(root, "bin", "dsdn.js"), ...args], { cwd: root, env, maxBuffer: 1 << 24 });
  return stdout.trim();
}

/** An independent replay of the real DA server, as any third party would run it. */
async function replay(): Promise<ReplayFollower> {
  const f = new ReplayFollower({ da, config: replayConfig({ coordinators: [coordinatorKey] }), logger: silentLogger });
  await f.syncToHead();
  return f;
}

/** Posts raw signed envelopes straight to DA (what anyone with a DA account can do) and waits for them. */
async function postToDA(envelopes: Uint8Array[]): Promise<bigint> {
  const ref = await da.postBlob(encodeBatch(envelopes));
  await waitFor(
    async () => BigInt((await coord.health()).daHeight) >= ref.height,
    30_000,
    "the coordinator to replay the posted blob",
  );
  return ref.height;
}

const head = async () => BigInt((await coord.health()).daHeight);
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

beforeAll(async () => {
  process.env.LOCALNET_GC_GRACE_MS = "3000";
  net = await startLocalnet({ validators: 1, storageNodes: NODES });
  env = { ...process.env, ...net.env, DSDN_HOME: join(net.dir, "victim-home") };
  coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
  coordinatorKey = net.env.DSDN_COORDINATOR_KEYS!;
  // The attacker posts its own blobs to DA: that needs a write token (DA posting is not what is attacked here).
  da = await createDALayer({
    url: net.env.DA_RPC_URL,
    token: readSecretFile(net.env.DA_WRITE_TOKEN_FILE!, "DA write token"),
    namespace: net.env.DA_NAMESPACE,
  });
  // The victim: an ordinary `dsdn upload` with the key dsdn creates for them.
  file = randomBytes(1024 * 1024 + 4321);
  const path = join(net.dir, "victim.bin");
  writeFileSync(path, file);
  const up = JSON.parse(await dsdn("upload", path, "--chunk-size", "256KiB", "--json"));
  manifest = up.manifest;
  victimAddress = up.uploader;
}, 300_000);

afterAll(async () => {
  for (const s of liars) s.close();
  await da?.close();
  await net?.stop();
});

describe("ownership attacks (real storage nodes, coordinator, ingress, DA server)", () => {
  it("the repro: a stranger re-acks the victim's manifest, declares itself uploader and deletes — the file stays", async () => {
    const before = await coord.status(manifest);
    expect(before.chunks).toHaveLength(6);
    expect(before.chunks.every((c) => c.owners.length === 1 && c.owners[0] === victimAddress)).toBe(true);
    // 1. GET the victim's manifest bytes from a node and PUT them back for a fresh, valid ack.
    const m = before.chunks.find((c) => c.cid === manifest)!;
    const holder = m.replicas[0]!;
    const bytes = new Uint8Array(await (await fetch(`${holder.endpoint}/chunks/${manifest}`)).arrayBuffer());
    expect(cidForBytes(bytes)).toBe(manifest);
    const acks: string[] = [];
    try {
      // With a placement ticket of its own (signed ticket request): the node stores and acks.
      const { tickets } = await coord.tickets(manifest, bytes.length, attacker);
      const ticket = tickets.find((t) => t.nodeId === holder.node)?.ticket;
      acks.push(
        (await new NodeClient(holder.endpoint, { retries: 0 }).put(manifest, bytes, ticket ? { ticket } : {})).ack,
      );
    } catch {
      // A node that refuses an unauthorized PUT stops the attack even earlier.
    }
    // 2. POST /chunks naming itself uploader (the old unsigned form): refused.
    const unsigned = await fetch(`${net.env.DSDN_COORDINATOR_URL}/chunks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        manifestCid: manifest,
        uploader: attackerAddress,
        chunks: [{ cid: manifest, size: bytes.length, acks }],
      }),
    });
    expect(unsigned.status).toBe(400);
    // 3. Its own signed declaration of the same content: allowed, but it only adds the attacker's own pin.
    const objects = before.chunks.map((c) => ({ cid: c.cid, size: BigInt(c.size) }));
    objects.sort((a, b) => Number(b.cid === manifest) - Number(a.cid === manifest));
    const h = await head();
    const { declaration, proofs } = signUploadDeclaration(
      { manifestCid: manifest, objects, signedAtHeight: h, expiresAtHeight: h + 500n },
      attacker,
    );
    const body = {
      declaration: b64(UploadDeclaration.encode(declaration).finish()),
      chunks: objects.map((o, i) => ({
        cid: o.cid,
        size: Number(o.size),
        index: i,
        proof: proofs[i]!.map(b64),
        acks: o.cid === manifest ? acks : [],
      })),
    };
    const pinned = await coord.declare(body);
    expect(pinned.published).toBeGreaterThan(0);
    const both = await coord.status(manifest);
    for (const c of both.chunks) expect(c.owners).toEqual([attackerAddress, victimAddress].sort());
    // The placement did not move and the manifest is still the victim's.
    expect(both.chunks.map((c) => c.placement)).toEqual(before.chunks.map((c) => c.placement));
    // 4. A DeleteRequested signed by the attacker — relayed by the coordinator, and posted straight to DA
    //    by the attacker's own publisher key, with a forged ChunkDeclared beside it.
    const del = signDeleteRequest(manifest, await head(), { kind: "account", ...attacker });
    const relayed = await coord.requestDelete(b64(DeleteRequested.encode(del).finish()));
    expect(relayed.removed).toHaveLength(6);
    const rogue = ed25519KeyPair();
    const signer = nativeSigner(rogue.secretKey, rogue.publicKey);
    const h2 = await head();
    const delAgain = signDeleteRequest(manifest, h2, { kind: "account", ...attacker });
    const forged: DAEventInput = {
      type: "chunkDeclared",
      value: { cid: manifest, size: BigInt(bytes.length), manifestCid: manifest, replicationFactor: 1 },
    };
    await postToDA([
      signEnvelope({ publisher: rogue.publicKey, sequence: 1n, observedHeight: h2, event: forged }, signer),
      signEnvelope(
        {
          publisher: rogue.publicKey,
          sequence: 2n,
          observedHeight: h2,
          event: { type: "deleteRequested", value: delAgain },
        },
        signer,
      ),
    ]);
    // The victim's file: still in status (only the victim's pin left) and served whole by the ingress.
    const after = JSON.parse(await dsdn("status", manifest, "--json")) as ObjectStatusAnswer;
    expect(after.chunks).toHaveLength(6);
    for (const c of after.chunks) expect(c.owners).toEqual([victimAddress]);
    const res = await fetch(`${net.env.INGRESS_URL}/object/${manifest}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    const out = join(net.dir, "victim-got.bin");
    await dsdn("get", manifest, "-o", out);
    expect(readFileSync(out).equals(file)).toBe(true);
  });

  it("an identical declaration or a replayed registration publishes nothing", async () => {
    const status = await coord.status(manifest);
    const objects = status.chunks.map((c) => ({ cid: c.cid, size: BigInt(c.size) }));
    const h = await head();
    const second = secp256k1KeyPair();
    const { declaration, proofs } = signUploadDeclaration(
      { manifestCid: manifest, objects, signedAtHeight: h, expiresAtHeight: h + 500n },
      second,
    );
    const body = {
      declaration: b64(UploadDeclaration.encode(declaration).finish()),
      chunks: objects.map((o, i) => ({
        cid: o.cid,
        size: Number(o.size),
        index: i,
        proof: proofs[i]!.map(b64),
        acks: [],
      })),
    };
    expect((await coord.declare(body)).published).toBe(objects.length);
    const seqBefore = (await replay()).machine.appliedSequence(coordinatorKey);
    for (let i = 0; i < 5; i++) expect((await coord.declare(body)).published).toBe(0);
    // A storage node's registration, sent five times (as a replaying attacker would).
    const id = await loadOrCreateIdentity(storageDir(0));
    const node = (await coord.nodes()).nodes.find((n) => n.nodeId === id.nodeId)!;
    const reg = signedRegistration({
      identity: id,
      operator: node.operator,
      zone: node.zone,
      class: "regular",
      capacityBytes: 1099511627776n,
      endpoint: node.endpoint,
      tlsFingerprint: Buffer.from(readFileSync(join(storageDir(0), "tls-fingerprint"), "utf8").trim(), "hex"),
      daHeight: await head(),
    });
    for (let i = 0; i < 5; i++) expect((await coord.register(reg)).status).toBe("active");
    // Settle: anything the coordinator published would be on DA within a few blocks.
    const settle = (await head()) + 4n;
    await waitFor(async () => (await head()) >= settle, 30_000, "a few DA heights");
    expect((await replay()).machine.appliedSequence(coordinatorKey)).toBe(seqBefore);
    // The second uploader's pin is real: deleting it leaves the victim's.
    const del = signDeleteRequest(manifest, await head(), { kind: "account", ...second });
    expect((await coord.requestDelete(b64(DeleteRequested.encode(del).finish()))).published).toBe(true);
    expect((await coord.requestDelete(b64(DeleteRequested.encode(del).finish()))).published).toBe(false);
    for (const c of (await coord.status(manifest)).chunks) expect(c.owners).toEqual([victimAddress]);
    // A node's old storage ack cannot be replayed to (re-)add a replica.
    // It names the node's current heal ticket, so what refuses it is its age (an ack naming no ticket is 401).
    const mine = status.chunks.find((c) => c.placement.includes(id.nodeId))!;
    const t = decodeTicket((await coord.healTicket(mine.cid, id.nodeId)).ticket);
    const old = signAck(
      {
        cid: mine.cid,
        size: Number(mine.size),
        zone: node.zone,
        receivedAtMs: Date.now() - 20 * 60_000,
        ticket: { id: t.id, expiresAtMs: t.expiresAtMs, kind: t.kind },
      },
      id.publicKey,
      id.secretKey,
    );
    await expect(coord.reportReplica(b64(old))).rejects.toMatchObject({ meta: { status: 400 } });
  });

  it("POST /challenge is for committee members only: unsigned, stranger-signed and replayed requests are refused", async () => {
    const s = await coord.status(manifest);
    const cid = s.chunks[1]!.cid;
    const node = s.chunks[1]!.replicas[0]!.node;
    const post = (body: unknown) =>
      fetch(`${net.env.DSDN_COORDINATOR_URL}/challenge`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ cid, node })).status).toBe(400);
    const stranger = await post(signChallengeRequest(cid, node, ed25519KeyPair()));
    expect(stranger.status).toBe(403);
    expect(((await stranger.json()) as { error: { message: string } }).error.message).toMatch(/committee members only/);
    const member = await loadOrCreateCoordinatorKey(join(net.dir, "coordinator"));
    const req = signChallengeRequest(cid, node, member);
    expect((await coord.challenge(req)).outcome).toBe("passed");
    const replayed = await post(req);
    expect(replayed.status).toBe(403);
    expect(((await replayed.json()) as { error: { message: string } }).error.message).toMatch(/replay/);
    const stale = await post(signChallengeRequest(cid, node, member, Date.now() - 10 * 60_000));
    expect(stale.status).toBe(403);
  });

  it("replay ignores throwaway publishers (bounded buffer) and a node claiming a chunk not placed on it", async () => {
    const h = await head();
    const throwaway = Array.from({ length: 300 }, () => {
      const k = ed25519KeyPair();
      return signEnvelope(
        {
          publisher: k.publicKey,
          sequence: 2n, // ahead of itself: a naive replayer holds it forever, waiting for sequence 1
          observedHeight: h,
          event: {
            type: "replicaAdded",
            value: { cid: sampleCid(`junk-${k.publicKey[0]}`), nodeId: Buffer.from(k.publicKey) },
          },
        },
        nativeSigner(k.secretKey, k.publicKey),
      );
    });
    // A registered storage node (its real key) records itself as holding a chunk nobody placed on it.
    const id = await loadOrCreateIdentity(storageDir(1));
    const fake = sampleCid("never-declared");
    const claim = signEnvelope(
      {
        publisher: id.publicKey,
        sequence: 1n,
        observedHeight: h,
        event: { type: "replicaAdded", value: { cid: fake, nodeId: Buffer.from(id.publicKey) } },
      },
      nativeSigner(id.secretKey, id.publicKey),
    );
    await postToDA([...throwaway, claim]);
    const f = await replay();
    const st = f.machine.stats();
    expect(st.pending).toBeLessThanOrEqual(256);
    expect(st.invalid["unknown-publisher"]).toBeGreaterThanOrEqual(300 - 256);
    expect(f.state.replicasOf(fake)).toEqual([]);
    expect(st.rejected["unauthorized: chunk is not placed on this node"]).toBe(1);
    expect(f.machine.toCheckpoint(false).pending.length).toBeLessThanOrEqual(256);
  });

  it("a manifest of 70,000 references (a claimed 4.4 TiB file) is refused by the ingress with a clear error", async () => {
    // Otherwise well-formed: 64 MiB chunks (the largest allowed), sizes adding up.
    const refs = Array.from({ length: 70_000 }, (_, i) => ({
      cid: sampleCid(`bogus-${i}`),
      size: 64n << 20n,
      plainSize: 64n << 20n,
      shards: [],
    }));
    const m = manifestCid({
      version: MANIFEST_VERSION,
      totalSize: 70_000n * (64n << 20n),
      chunkSize: 64n << 20n,
      chunks: refs,
      encryption: undefined,
      name: "",
      erasure: undefined,
    });
    expect(m.bytes.length).toBeGreaterThan(4 << 20);
    const { tickets } = await coord.tickets(m.cid, m.bytes.length, attacker);
    const acks = await Promise.all(
      tickets.map(
        async (t) => (await new NodeClient(t.endpoint, { retries: 0 }).put(m.cid, m.bytes, { ticket: t.ticket })).ack,
      ),
    );
    const h = await head();
    const { declaration, proofs } = signUploadDeclaration(
      { manifestCid: m.cid, objects: [{ cid: m.cid, size: BigInt(m.bytes.length) }], signedAtHeight: h },
      attacker,
    );
    await coord.declare({
      declaration: b64(UploadDeclaration.encode(declaration).finish()),
      chunks: [{ cid: m.cid, size: m.bytes.length, index: 0, proof: proofs[0]!.map(b64), acks }],
    });
    await waitFor(
      async () => (await fetch(`${net.env.INGRESS_URL}/object/${m.cid}?details=1`)).status !== 404,
      30_000,
      "the ingress to replay the declaration",
    );
    for (const q of ["?details=1", ""]) {
      const res = await fetch(`${net.env.INGRESS_URL}/object/${m.cid}${q}`);
      expect(res.status).toBe(422);
      const answer = (await res.json()) as { summary: string };
      expect(answer.summary).toMatch(/70000 chunks \(at most 65535\)/);
    }
    // Honest traffic is unaffected.
    expect((await fetch(`${net.env.INGRESS_URL}/object/${manifest}`)).status).toBe(200);
  });

  it("dsdn delete removes the owner's pin; the ingress stops serving it and nodes garbage-collect its chunks", async () => {
    const s = await coord.status(manifest);
    const cids = s.chunks.map((c) => c.cid);
    // A stranger cannot delete it through the coordinator either: it holds no pin.
    const stranger = signDeleteRequest(manifest, await head(), { kind: "account", ...secp256k1KeyPair() });
    await expect(coord.requestDelete(b64(DeleteRequested.encode(stranger).finish()))).rejects.toMatchObject({
      meta: { status: 404 },
    });
    const out = JSON.parse(await dsdn("delete", manifest, "--json"));
    expect(out).toMatchObject({ owner: victimAddress, published: true });
    await expect(coord.status(manifest)).rejects.toMatchObject({ meta: { status: 404 } });
    await waitFor(
      async () => (await fetch(`${net.env.INGRESS_URL}/object/${manifest}`)).status === 404,
      30_000,
      "the ingress to stop serving the deleted file",
    );
    await waitFor(
      async () => {
        for (let n = 0; n < NODES; n++) {
          const store = await LocalFsStorage.open(storageDir(n));
          for (const cid of cids) if (await store.hasChunk(cid)) return false;
        }
        return true;
      },
      60_000,
      "every node to garbage-collect the deleted file's chunks",
    );
  });

  it("a 5xx, a cut or a stalled body makes a replica unreachable, not failed; repeated 404s remove it with evidence", async () => {
    // A fresh honest upload (by another user) still works end to end.
    const path = join(net.dir, "honest.bin");
    const honest = randomBytes(300_000);
    writeFileSync(path, honest);
    const up = JSON.parse(
      await dsdn("upload", path, "--chunk-size", "256KiB", "--json", "--keyring-dir", join(net.dir, "honest-keyring")),
    );
    expect(up.uploader).not.toBe(victimAddress);
    const s = await coord.status(up.manifest);
    const id = await loadOrCreateIdentity(storageDir(2));
    const chunk = s.chunks.find((c) => c.replicas.some((r) => r.node === id.nodeId))!;
    const endpoint = chunk.replicas.find((r) => r.node === id.nodeId)!.endpoint;
    process.kill(net.pid("storage", 2), "SIGKILL");
    let mode: "500" | "cut" | "stall" | "404" = "500";
    const liar = createServer((req, res) => {
      if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", nodeId: id.nodeId }));
      if (mode === "500" || mode === "404") {
        res.writeHead(Number(mode));
        return res.end("no");
      }
      res.writeHead(200, { "content-length": Number(chunk.size) });
      res.write(Buffer.alloc(100));
      if (mode === "cut") res.destroy();
      // "stall": the body never finishes; the challenge gives up after its 30 s timeout.
    });
    liars.push(liar);
    // On the killed node's port as soon as it is free (not after a fixed 300 ms a loaded machine can overrun).
    await listenOnFreedPort(liar, Number(new URL(endpoint).port));
    const member = await loadOrCreateCoordinatorKey(join(net.dir, "coordinator"));
    for (const m of ["500", "cut"] as const) {
      mode = m;
      for (let i = 0; i < 3; i++) {
        const v = await coord.challenge(signChallengeRequest(chunk.cid, id.nodeId, member));
        expect(v.outcome).toBe("unreachable");
      }
    }
    mode = "stall";
    expect((await coord.challenge(signChallengeRequest(chunk.cid, id.nodeId, member))).outcome).toBe("unreachable");
    const after = await coord.status(up.manifest);
    expect(after.chunks.find((c) => c.cid === chunk.cid)!.replicas.map((r) => r.node)).toContain(id.nodeId);
    expect((await coord.nodes()).nodes.find((n) => n.nodeId === id.nodeId)!.challengeFailures).toBe(0);
    // A node that says it lacks the chunk: a failure, recorded; the replica goes only at the third.
    mode = "404";
    for (let i = 1; i <= 3; i++) {
      expect((await coord.challenge(signChallengeRequest(chunk.cid, id.nodeId, member))).outcome).toBe("failed");
      const holders = (await coord.status(up.manifest)).chunks.find((c) => c.cid === chunk.cid)!.replicas;
      if (i < 3) expect(holders.map((r) => r.node)).toContain(id.nodeId);
      else expect(holders.map((r) => r.node)).not.toContain(id.nodeId);
    }
    const removal = (await replay()).state.replicas.get(chunk.cid)?.get(id.nodeId);
    expect(removal?.present).toBe(false);
    expect(removal?.reason).toMatch(/failed storage challenge: 3 failures, last: node answered HTTP 404/);
  });
});

import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../common/hash.js";
import { NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
import { ReplayCheckpoint, ReplayStateSnapshot } from "../../../proto/gen/dsdn/da/v1/state.js";
import { shardObjectSize } from "../../storage/erasure/codec.js";
import { encodeBatch } from "../events/batch.js";
import { signDeleteRequest, signNodeRegistration } from "../events/bindings.js";
import { signUploadDeclaration } from "../events/declaration.js";
import { signEnvelope } from "../events/envelope.js";
import type { DAEventInput } from "../events/event.js";
import {
  type SampleActor,
  type SampleBlob,
  sampleActor,
  sampleBlobs,
  sampleCid,
  sampleNetwork,
  sampleRegistration,
  sampleWorkload,
} from "../events/sampleWorkload.js";
import type { DABlob, DAHeightBlobs } from "../types.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(6, 3);
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const steps = [...sampleWorkload(net, { files: 12, chunksPerFile: 5, deleteEvery: 4, healEvery: 7 })];
const blobs = sampleBlobs(net, steps, 7);

function heightOf(height: bigint, datas: readonly Uint8Array[]): DAHeightBlobs {
  const list: DABlob[] = datas.map((data, index) => ({
    ref: { layer: "memory", height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
    index,
    data,
  }));
  return { height, blobs: list };
}

/** Applies blobs placed at the given heights (several per height allowed, in the given order). */
function replay(placed: readonly { height: bigint; data: Uint8Array }[], m = new ReplayMachine(config)): ReplayMachine {
  const byHeight = new Map<bigint, Uint8Array[]>();
  for (const p of placed) {
    const list = byHeight.get(p.height) ?? [];
    list.push(p.data);
    byHeight.set(p.height, list);
  }
  for (const h of [...byHeight.keys()].sort((a, b) => (a < b ? -1 : 1))) {
    if (h > m.height) m.applyHeight(heightOf(h, byHeight.get(h)!));
  }
  return m;
}

/** Small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function delayed(list: readonly SampleBlob[], seed: number, maxDelay: number): { height: bigint; data: Uint8Array }[] {
  const r = rng(seed);
  let seen = 0n;
  const placed = list.map((b) => {
    let height = b.height + BigInt(Math.floor(r() * (maxDelay + 1)));
    // A node publishes only what it saw placed on it: its blob lands after everything before it.
    if (b.publisher !== net.coordinator.hex && height <= seen) height = seen + 1n;
    if (height > seen) seen = height;
    return { height, data: b.data, k: r() };
  });
  // Within one height, inclusion order is arbitrary too.
  placed.sort((a, b) => (a.height < b.height ? -1 : a.height > b.height ? 1 : a.k - b.k));
  return placed;
}

/** A ChunkDeclared of a one-object file `manifest` = [cid], signed by `owner` at `signedAt`. */
function declared(
  manifest: string,
  cid: string,
  size: bigint,
  owner: { secretKey: Uint8Array; publicKey: Uint8Array },
  signedAt: bigint,
  over: { placement?: Uint8Array[]; expiresAt?: bigint } = {},
) {
  const { declaration, proofs } = signUploadDeclaration(
    {
      manifestCid: manifest,
      objects: [{ cid, size }],
      signedAtHeight: signedAt,
      expiresAtHeight: over.expiresAt ?? signedAt + 1000n,
    },
    owner,
  );
  return {
    cid,
    size,
    manifestCid: manifest,
    declaration,
    index: 0,
    proof: proofs[0]!.map((p) => Buffer.from(p)),
    placement: (over.placement ?? []).map((p) => Buffer.from(p)),
    replicationFactor: 1,
  };
}

function signed(actor: SampleActor, sequence: bigint, event: DAEventInput, observedHeight = 0n): Uint8Array {
  return signEnvelope({ publisher: actor.publicKey, sequence, observedHeight, event }, actor.signer);
}

describe("ReplayMachine", () => {
  const inOrder = replay(blobs);

  it("builds the registry, chunk, replica and zone maps from the events", () => {
    const s = inOrder.state;
    expect(s.counts().nodes).toBe(6);
    expect([...s.zones().keys()]).toEqual(["zone-0", "zone-1", "zone-2"]);
    expect(s.zones().get("zone-0")).toHaveLength(2);
    expect(s.listNodes({ status: "active" })).toHaveLength(6);
    const node0 = s.getNode(net.nodes[0]!.actor.hex)!;
    expect(node0).toMatchObject({
      zone: "zone-0",
      status: "active",
      operator: net.owner.address,
      endpoint: "http://127.0.0.1:9100",
    });
    // 12 files × 5 chunks, every 4th file deleted → 9 live files.
    expect(s.counts().chunks).toBe(45);
    expect(s.getChunk(sampleCid("chunk-3-0"))).toBeUndefined();
    const c = s.getChunk(sampleCid("chunk-0-1"))!;
    expect(c.replicationFactor).toBe(3);
    expect(c.placement).toHaveLength(3);
    expect(c.replicas).toHaveLength(3);
    expect(c.uploader).toBe(net.owner.address);
    // chunk number 6 (file 1, chunk 1) was healed: first placed node removed, another added.
    const healed = s.getChunk(sampleCid("chunk-1-1"))!;
    expect(healed.placement).not.toContain(net.nodes[0]!.actor.hex);
    expect(healed.replicas).not.toContain(net.nodes[0]!.actor.hex);
    expect(healed.replicas).toEqual([...healed.placement].sort());
    expect(s.chunksPlacedOn(net.nodes[0]!.actor.hex).length).toBeGreaterThan(0);
    const st = inOrder.stats();
    expect(st.rejected).toEqual({});
    expect(st.invalid).toEqual({});
    expect(st.duplicates).toBe(0);
    expect(st.pending).toBe(0);
    expect(st.applied).toBe(steps.length);
  });

  it("converges to the same digest under random delays and reorderings across heights", () => {
    const want = inOrder.digestHex();
    for (let seed = 1; seed <= 25; seed++) {
      const m = replay(delayed(blobs, seed, 1 + (seed % 12)));
      expect(m.stats().pending).toBe(0);
      expect(m.digestHex(), `seed ${seed}`).toBe(want);
    }
  });

  it("a different log gives a different digest (the comparison can fail)", () => {
    const dropped = blobs.filter((_, i) => i !== 20);
    const m = replay(dropped);
    expect(m.digestHex()).not.toBe(inOrder.digestHex());
  });

  it("ignores blobs posted twice (retries after a lost reply) and counts them", () => {
    const twice = blobs.flatMap((b) => (Number(b.height) % 3 === 0 ? [b, { ...b, height: b.height + 2n }] : [b]));
    const m = replay(twice.sort((a, b) => (a.height < b.height ? -1 : a.height > b.height ? 1 : 0)));
    expect(m.digestHex()).toBe(inOrder.digestHex());
    expect(m.stats().duplicates).toBeGreaterThan(0);
  });

  it("holds a sequence gap until the missing envelope arrives", () => {
    const c = net.coordinator;
    const nodeId = Buffer.from(net.nodes[0]!.actor.publicKey);
    const ev = (status: NodeStatus): DAEventInput => ({ type: "nodeStatusChanged", value: { nodeId, status } });
    const m = new ReplayMachine(config);
    m.applyHeight(heightOf(5n, [encodeBatch([signed(c, 2n, ev(NodeStatus.NODE_STATUS_BANNED), 3n)])]));
    expect(m.stats().pending).toBe(1);
    expect(m.state.statuses.size).toBe(0);
    m.applyHeight(heightOf(6n, [encodeBatch([signed(c, 1n, ev(NodeStatus.NODE_STATUS_ACTIVE), 2n)])]));
    expect(m.stats().pending).toBe(0);
    expect(m.state.statuses.get(nodeId.toString("hex"))?.status).toBe(NodeStatus.NODE_STATUS_BANNED);
    expect(m.appliedSequence(c.publicKey)).toBe(2n);
  });

  it("skips forged, unauthorized and malformed input without changing the digest", () => {
    // A registered node that misbehaves (unregistered keys are not even sequenced: see below).
    const rogue = sampleActor("rogue");
    const rogueReg = signNodeRegistration(
      {
        nodeId: Buffer.from(rogue.publicKey),
        operator: net.owner.address,
        zone: "zone-0",
        class: 1,
        capacityBytes: 1n << 40n,
        endpoint: "http://127.0.0.1:9999",
      },
      rogue.secretKey,
    );
    const node1 = net.nodes[1]!.actor;
    const cid = sampleCid("chunk-0-0");
    const forgedSig = signed(
      net.coordinator,
      999n,
      {
        type: "nodeStatusChanged",
        value: { nodeId: Buffer.from(node1.publicKey), status: NodeStatus.NODE_STATUS_BANNED },
      },
      1n,
    );
    forgedSig[forgedSig.length - 1]! ^= 1;
    const badRegistration = signNodeRegistration(
      {
        nodeId: Buffer.from(rogue.publicKey),
        operator: net.owner.address,
        zone: "zone-9",
        class: 1,
        capacityBytes: 1n,
        endpoint: "http://x",
      },
      sampleActor("someone-else").secretKey,
    );
    // A registration for node 1 signed by node 1 but altered afterwards (zone changed) by a relay.
    const tampered = { ...(sampleRegistration(net, 1, 1n).value as object), zone: "zone-evil" };
    // Validly signed, but the rogue owns nothing under manifest-0: it must not delete or change the digest.
    const notOwner = signDeleteRequest(sampleCid("manifest-0"), 1n, {
      kind: "node",
      secretKey: rogue.secretKey,
      publicKey: rogue.publicKey,
    });
    const forgedDelete = {
      ...signDeleteRequest(sampleCid("manifest-1"), 1n, { kind: "account", ...net.owner }),
      requestedAtHeight: 2n,
    };
    const junk = [
      encodeBatch([
        forgedSig,
        // a node may not declare chunks, change status, or speak for another node's replicas
        signed(rogue, 1n, {
          type: "chunkDeclared",
          value: {
            cid,
            size: 1n,
            manifestCid: cid,
            replicationFactor: 1,
          },
        }),
        signed(rogue, 2n, {
          type: "nodeStatusChanged",
          value: { nodeId: Buffer.from(node1.publicKey), status: NodeStatus.NODE_STATUS_BANNED },
        }),
        signed(rogue, 3n, { type: "replicaRemoved", value: { cid, nodeId: Buffer.from(node1.publicKey) } }),
        signed(rogue, 4n, { type: "nodeRegistered", value: badRegistration }),
        signed(rogue, 5n, { type: "nodeRegistered", value: tampered }),
        signed(rogue, 6n, { type: "deleteRequested", value: notOwner }),
        signed(rogue, 7n, { type: "deleteRequested", value: forgedDelete }),
        // a future observed height would win every later conflict
        signed(rogue, 8n, { type: "replicaAdded", value: { cid, nodeId: Buffer.from(rogue.publicKey) } }, 10n ** 12n),
        // far ahead of the coordinator's sequence: held back, never applied
        signed(
          net.coordinator,
          1000n,
          {
            type: "nodeStatusChanged",
            value: { nodeId: Buffer.from(node1.publicKey), status: NodeStatus.NODE_STATUS_BANNED },
          },
          1n,
        ),
        new Uint8Array([1, 2, 3]),
      ]),
      new TextEncoder().encode("a foreign application's blob"),
      new Uint8Array([0x44, 0x53, 0x44, 0x4e, 0x45, 0x56, 0x54, 9, 1, 2]), // our magic, unknown format version
      new Uint8Array([0x44, 0x53, 0x44, 0x4e, 0x45, 0x56, 0x54, 1, 0x0a, 0x7f]), // truncated framing
    ];
    const m = replay(blobs);
    const regSeq = m.appliedSequence(net.coordinator.publicKey) + 1n;
    m.applyHeight(
      heightOf(m.height + 1n, [
        encodeBatch([signed(net.coordinator, regSeq, { type: "nodeRegistered", value: rogueReg }, m.height)]),
      ]),
    );
    const before = m.digestHex();
    expect(before).not.toBe(inOrder.digestHex());
    m.applyHeight(heightOf(m.height + 1n, junk));
    expect(m.digestHex()).toBe(before);
    const st = m.stats();
    expect(st.invalid["bad-signature"]).toBe(1);
    expect(st.invalid.malformed).toBe(1);
    expect(st.foreignBlobs).toBe(1);
    expect(st.invalidBlobs).toBe(2);
    const reasons = Object.keys(st.rejected).join("|");
    expect(reasons).toContain("only coordinators declare chunks");
    expect(reasons).toContain("only coordinators change node status");
    expect(reasons).toContain("not a coordinator");
    expect(reasons).toContain("a node's own registration takes effect only when a coordinator relays it");
    expect(reasons).toContain("owner_signature does not verify");
    expect(reasons).toContain("observed_height is not before");
    expect(st.pending).toBe(1);
    expect(m.appliedSequence(rogue.publicKey)).toBe(8n); // rejected but signed events consume their sequence
  });

  it("a node cannot rewrite its own zone, capacity or endpoint by posting a registration to DA", () => {
    const m = replay(blobs);
    const node = net.nodes[1]!.actor;
    const id = Buffer.from(node.publicKey).toString("hex");
    const before = m.state.getNode(id)!;
    expect(before.status).toBe("active");
    const evil = signNodeRegistration(
      {
        ...(sampleRegistration(net, 1, 1n).value as object),
        zone: "zone-evil",
        capacityBytes: 1n << 62n,
        endpoint: "http://169.254.169.254",
        registeredAtHeight: m.height,
      },
      node.secretKey,
    );
    const seq = m.appliedSequence(node.publicKey) + 1n;
    // Validly signed by the node, relayed by the coordinator, but altered afterwards: the signature fails.
    const relayedTampered = { ...evil, capacityBytes: 1n << 40n };
    const coordSeq = m.appliedSequence(net.coordinator.publicKey) + 1n;
    m.applyHeight(
      heightOf(m.height + 1n, [
        encodeBatch([signed(node, seq, { type: "nodeRegistered", value: evil })]),
        encodeBatch([signed(net.coordinator, coordSeq, { type: "nodeRegistered", value: relayedTampered })]),
      ]),
    );
    const after = m.state.getNode(id)!;
    expect({ zone: after.zone, capacity: after.capacityBytes, endpoint: after.endpoint, status: after.status }).toEqual(
      {
        zone: before.zone,
        capacity: before.capacityBytes,
        endpoint: before.endpoint,
        status: "active",
      },
    );
    const reasons = Object.keys(m.stats().rejected).join("|");
    expect(reasons).toContain("a node's own registration takes effect only when a coordinator relays it");
    expect(reasons).toContain("node_signature does not verify");
  });

  it("an owner-signed delete covers only the owner's chunks declared before it; a later re-upload survives", () => {
    const manifest = sampleCid("manifest-x");
    const cid = sampleCid("chunk-x");
    const c = net.coordinator;
    const declare = (seq: bigint, observed: bigint) =>
      signed(c, seq, { type: "chunkDeclared", value: declared(manifest, cid, 10n, net.owner, observed) }, observed);
    const del = signDeleteRequest(manifest, 4n, { kind: "account", ...net.owner });
    const a = declare(1n, 2n);
    const d = signed(c, 2n, { type: "deleteRequested", value: del }, 5n);
    const b = declare(3n, 7n); // re-upload after the delete
    const orders = [
      [a, d, b],
      [b, d, a],
      [d, b, a],
    ];
    const digests = orders.map((order) => {
      const m = new ReplayMachine(config);
      for (const [i, env] of order.entries()) {
        m.applyHeight(heightOf(BigInt(10 + i), [encodeBatch([env])]));
        // The incremental digest follows a delete going from dormant to covering (and back) exactly.
        expect(m.digestHex()).toBe(toHex(m.state.digestFromScratch()));
      }
      expect(m.state.getChunk(cid)?.cid).toBe(cid);
      return m.digestHex();
    });
    expect(new Set(digests).size).toBe(1);
    const m = new ReplayMachine(config);
    m.applyHeight(heightOf(10n, [encodeBatch([a, d])]));
    expect(m.state.getChunk(cid)).toBeUndefined();
    expect(m.state.counts().chunks).toBe(0);
  });

  it("a shard's stripe is recorded and survives a checkpoint; a malformed stripe is rejected", () => {
    const manifest = sampleCid("manifest-ec");
    const stripe = Array.from({ length: 6 }, (_, i) => sampleCid(`ec-shard-${i}`));
    const size = BigInt(shardObjectSize(1000, 4));
    const shard = {
      chunkCid: sampleCid("ec-chunk"),
      chunkSize: 1000n,
      dataShards: 4,
      parityShards: 2,
      index: 1,
      stripe,
    };
    const c = net.coordinator;
    const ev = (seq: bigint, cid: string, sh: typeof shard, rf = 1) =>
      signed(
        c,
        seq,
        {
          type: "chunkDeclared",
          value: { ...declared(manifest, cid, size, net.owner, 2n), replicationFactor: rf, shard: sh },
        },
        2n,
      );
    const m = new ReplayMachine(config);
    m.applyHeight(
      heightOf(10n, [
        encodeBatch([
          ev(1n, stripe[1]!, shard),
          ev(2n, stripe[2]!, shard), // stripe position 1 is not this object
          ev(3n, stripe[3]!, { ...shard, index: 3, stripe: [...stripe.slice(0, 5), stripe[0]!] }),
          ev(4n, stripe[4]!, { ...shard, index: 4 }, 3), // a shard is never replicated
        ]),
      ]),
    );
    expect(m.state.getChunk(stripe[1]!)?.shard).toEqual(shard);
    for (const i of [2, 3, 4]) expect(m.state.getChunk(stripe[i]!)).toBeUndefined();
    const reasons = Object.keys(m.stats().rejected).join("|");
    expect(reasons).toContain("stripe position 1 is not this shard");
    expect(reasons).toContain("stripe lists a shard twice");
    expect(reasons).toContain("an erasure-coded shard has replication_factor 1");
    const restored = ReplayMachine.fromCheckpoint(m.toCheckpoint(), config);
    expect(restored.state.getChunk(stripe[1]!)?.shard).toEqual(shard);
    expect(restored.digestHex()).toBe(m.digestHex());
  });

  it("round-trips through a checkpoint, including envelopes held back by a gap", () => {
    const placed = delayed(blobs, 7, 6);
    const half = Math.floor(placed.length / 2);
    const cutHeight = placed[half]!.height;
    const first = replay(placed.filter((p) => p.height < cutHeight));
    const restored = ReplayMachine.fromCheckpoint(first.toCheckpoint(), config);
    expect(restored.digestHex()).toBe(first.digestHex());
    expect(restored.stats().pending).toBe(first.stats().pending);
    replay(
      placed.filter((p) => p.height >= cutHeight),
      restored,
    );
    expect(restored.digestHex()).toBe(inOrder.digestHex());
  });

  it("refuses a checkpoint made under other rules or whose state does not match its digest", () => {
    const cp = inOrder.toCheckpoint();
    expect(() => ReplayMachine.fromCheckpoint(cp, replayConfig({ coordinators: [] }))).toThrow(
      /different replay rules/,
    );
    const bad = { ...cp, state: { ...cp.state!, chunks: cp.state!.chunks.slice(1) } };
    expect(() => ReplayMachine.fromCheckpoint(bad, config)).toThrow(/does not match its digest/);
  });

  it("the digest kept incrementally equals the LtHash of every entry recomputed from scratch", () => {
    const bytes = ReplayStateSnapshot.encode(inOrder.state.toSnapshot()).finish();
    expect(toHex(inOrder.state.encodeCanonical())).toBe(toHex(bytes));
    expect(inOrder.digestHex()).toBe(toHex(inOrder.state.digestFromScratch()));
    expect(toHex(inOrder.state.encodeCanonicalParts().checksum)).toBe(toHex(sha256(bytes)));
    // The streamed checkpoint puts the state last; it decodes to the same message.
    const streamed = ReplayCheckpoint.decode(inOrder.encodeCheckpoint());
    expect(toHex(ReplayCheckpoint.encode(streamed).finish())).toBe(
      toHex(ReplayCheckpoint.encode(inOrder.toCheckpoint()).finish()),
    );
  });

  it("refuses heights that do not increase", () => {
    const m = replay(blobs.slice(0, 3));
    expect(() => m.applyHeight(heightOf(2n, []))).toThrow(/already applied/);
  });
});

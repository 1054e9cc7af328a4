import { describe, expect, it } from "vitest";
import { pubKeyToAddress, secp256k1KeyPair } from "../../../common/secp256k1.js";
import type { UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { encodeBatch } from "../events/batch.js";
import { signDeleteRequest, signNodeRegistration } from "../events/bindings.js";
import { signUploadDeclaration } from "../events/declaration.js";
import { signEnvelope } from "../events/envelope.js";
import type { DAEventInput } from "../events/event.js";
import { type SampleActor, sampleActor, sampleCid, sampleNetwork } from "../events/sampleWorkload.js";
import type { DAHeightBlobs } from "../types.js";
import { replayConfig } from "./config.js";
import { MAX_PENDING_UNKNOWN, ReplayMachine } from "./machine.js";

const net = sampleNetwork(3, 3, "ownership");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const victim = { ...secp256k1KeyPair(new Uint8Array(32).fill(7)) };
const attacker = { ...secp256k1KeyPair(new Uint8Array(32).fill(9)) };

function at(height: bigint, envs: Uint8Array[]): DAHeightBlobs {
  return {
    height,
    blobs: [
      {
        ref: { layer: "memory", height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
        index: 0,
        data: encodeBatch(envs),
      },
    ],
  };
}

class Publisher {
  private seq = 0n;
  constructor(readonly actor: SampleActor) {}
  env(event: DAEventInput, observed: bigint): Uint8Array {
    this.seq++;
    return signEnvelope(
      { publisher: this.actor.publicKey, sequence: this.seq, observedHeight: observed, event },
      this.actor.signer,
    );
  }
}

/** ChunkDeclared events for a file (manifest + chunks) declared by `owner`, signed at `signedAt`. */
function declareFile(
  objects: { cid: string; size: bigint }[],
  owner: { secretKey: Uint8Array; publicKey: Uint8Array },
  signedAt: bigint,
  placement: Uint8Array[] = [net.nodes[0]!.actor.publicKey],
  expiresAt = signedAt + 100n,
): DAEventInput[] {
  const manifestCid = objects[0]!.cid;
  const { declaration, proofs } = signUploadDeclaration(
    { manifestCid, objects, signedAtHeight: signedAt, expiresAtHeight: expiresAt },
    owner,
  );
  return objects.map((o, i) => ({
    type: "chunkDeclared",
    value: {
      cid: o.cid,
      size: o.size,
      manifestCid,
      declaration,
      index: i,
      proof: proofs[i]!.map((p) => Buffer.from(p)),
      placement: placement.map((p) => Buffer.from(p)),
      replicationFactor: 1,
    },
  }));
}

function setup(): { m: ReplayMachine; coord: Publisher; h: bigint } {
  const m = new ReplayMachine(config);
  const coord = new Publisher(net.coordinator);
  const regs = net.nodes.map(
    (n, i): DAEventInput => ({
      type: "nodeRegistered",
      value: signNodeRegistration(
        {
          nodeId: Buffer.from(n.actor.publicKey),
          operator: net.owner.address,
          zone: n.zone,
          class: 1,
          capacityBytes: 1n << 40n,
          endpoint: `http://127.0.0.1:${9000 + i}`,
        },
        n.actor.secretKey,
      ),
    }),
  );
  m.applyHeight(
    at(
      1n,
      regs.map((e) => coord.env(e, 0n)),
    ),
  );
  return { m, coord, h: 1n };
}

const file = [
  { cid: sampleCid("victim-manifest"), size: 100n },
  { cid: sampleCid("victim-chunk-0"), size: 1000n },
  { cid: sampleCid("victim-chunk-1"), size: 500n },
];

describe("ownership is a set of signed pins", () => {
  it("an attacker re-declaring the victim's manifest adds its own pin; its delete removes only that pin", () => {
    const { m, coord } = setup();
    m.applyHeight(
      at(
        2n,
        declareFile(file, victim, 1n).map((e) => coord.env(e, 1n)),
      ),
    );
    expect(m.state.getChunk(file[0]!.cid)?.owners).toEqual([pubKeyToAddress(victim.publicKey)]);
    // The attacker declares the same manifest (its own signed declaration), then deletes "it".
    m.applyHeight(
      at(
        3n,
        declareFile(file, attacker, 2n).map((e) => coord.env(e, 2n)),
      ),
    );
    const both = m.state.getChunk(file[1]!.cid)!;
    expect(both.owners).toEqual([pubKeyToAddress(attacker.publicKey), pubKeyToAddress(victim.publicKey)].sort());
    expect(both.uploader).toBe(pubKeyToAddress(victim.publicKey)); // the oldest pin: a later one changes nothing
    expect(both.manifestCid).toBe(file[0]!.cid);
    const del = signDeleteRequest(file[0]!.cid, 3n, { kind: "account", ...attacker });
    const r = m.applyHeight(at(4n, [coord.env({ type: "deleteRequested", value: del }, 3n)]));
    expect(r.changes).toEqual([]);
    for (const o of file) expect(m.state.getChunk(o.cid)?.owners).toEqual([pubKeyToAddress(victim.publicKey)]);
    expect(m.state.chunksOfManifest(file[0]!.cid)).toHaveLength(3);
    // The victim's own delete removes the last pin: the file is gone and no node should hold it.
    const mine = signDeleteRequest(file[0]!.cid, 4n, { kind: "account", ...victim });
    const gone = m.applyHeight(at(5n, [coord.env({ type: "deleteRequested", value: mine }, 4n)]));
    expect(gone.changes.filter((c) => c.type === "chunkDeleted")).toHaveLength(3);
    expect(m.state.getChunk(file[0]!.cid)).toBeUndefined();
    expect(m.state.chunksPlacedOn(net.nodes[0]!.actor.hex)).toEqual([]);
  });

  it("refuses declarations that are unsigned, forged, expired, for a chunk not in the list, or with another size", () => {
    const { m, coord } = setup();
    const good = declareFile(file, victim, 1n);
    const v = (e: DAEventInput) => e.value as Record<string, unknown>;
    const noDecl: DAEventInput = { type: "chunkDeclared", value: { ...v(good[1]!), declaration: undefined } };
    const forged: DAEventInput = {
      type: "chunkDeclared",
      value: {
        ...v(good[1]!),
        declaration: {
          ...(v(good[1]!).declaration as UploadDeclaration),
          uploader: pubKeyToAddress(attacker.publicKey),
        },
      },
    };
    const wrongIndex: DAEventInput = { type: "chunkDeclared", value: { ...v(good[1]!), index: 2 } };
    const outsider: DAEventInput = { type: "chunkDeclared", value: { ...v(good[1]!), cid: sampleCid("other") } };
    const expired = declareFile(file, victim, 1n, undefined, 2n)[0]!;
    m.applyHeight(
      at(
        5n,
        [noDecl, forged, wrongIndex, outsider, expired].map((e) => coord.env(e, 4n)),
      ),
    );
    expect(m.state.counts().chunks).toBe(0);
    expect(Object.keys(m.stats().rejected).sort()).toEqual(
      [
        "declaration missing: an upload must be signed by its uploader",
        "declaration signature does not verify",
        "chunk is not in the signed declaration (index/proof)",
        "declaration expired",
      ].sort(),
    );
    m.applyHeight(
      at(
        6n,
        good.map((e) => coord.env(e, 5n)),
      ),
    );
    expect(m.state.counts().chunks).toBe(3);
    const lie = declareFile([file[0]!, { cid: file[1]!.cid, size: 999n }], attacker, 6n);
    m.applyHeight(
      at(
        7n,
        lie.map((e) => coord.env(e, 6n)),
      ),
    );
    expect(m.state.getChunk(file[1]!.cid)?.size).toBe(1000n);
    expect(m.stats().rejected["size differs from the chunk's live declaration"]).toBe(1);
  });

  it("a node may record replicas only of chunks placed on it; unregistered publishers are held, bounded", () => {
    const { m, coord } = setup();
    m.applyHeight(
      at(
        2n,
        declareFile(file, victim, 1n).map((e) => coord.env(e, 1n)),
      ),
    );
    const placed = new Publisher(net.nodes[0]!.actor);
    const other = new Publisher(net.nodes[1]!.actor);
    const add = (p: Publisher, cid: string): Uint8Array =>
      p.env({ type: "replicaAdded", value: { cid, nodeId: Buffer.from(p.actor.publicKey) } }, 2n);
    m.applyHeight(at(3n, [add(placed, file[1]!.cid), add(other, file[1]!.cid)]));
    expect(m.state.replicasOf(file[1]!.cid)).toEqual([net.nodes[0]!.actor.hex]);
    expect(m.stats().rejected["unauthorized: chunk is not placed on this node"]).toBe(1);
    // 2,000 throwaway keys, each far ahead in its own sequence: the buffer stays bounded, nothing applies.
    const before = m.digestHex();
    for (let round = 0; round < 4; round++) {
      const envs = Array.from({ length: 500 }, (_, i) => {
        const a = sampleActor(`throwaway-${round}-${i}`);
        return signEnvelope(
          {
            publisher: a.publicKey,
            sequence: 5n,
            observedHeight: 3n,
            event: { type: "replicaAdded", value: { cid: file[1]!.cid, nodeId: Buffer.from(a.publicKey) } },
          },
          a.signer,
        );
      });
      m.applyHeight(at(BigInt(4 + round), envs));
      expect(m.stats().pending).toBeLessThanOrEqual(MAX_PENDING_UNKNOWN);
    }
    expect(m.stats().invalid["unknown-publisher"]).toBe(2000 - MAX_PENDING_UNKNOWN);
    expect(m.digestHex()).toBe(before);
    expect(m.toCheckpoint().pending.length).toBeLessThanOrEqual(MAX_PENDING_UNKNOWN);
  });

  it("a registered node's events that arrive before its relayed registration are applied once it is registered", () => {
    const m = new ReplayMachine(config);
    const coord = new Publisher(net.coordinator);
    const node = new Publisher(net.nodes[2]!.actor);
    const ev = node.env(
      {
        type: "replicaRemoved",
        value: { cid: file[1]!.cid, nodeId: Buffer.from(net.nodes[2]!.actor.publicKey), reason: "gc" },
      },
      0n,
    );
    m.applyHeight(at(1n, [ev]));
    expect(m.stats().pending).toBe(1);
    const reg = signNodeRegistration(
      {
        nodeId: Buffer.from(net.nodes[2]!.actor.publicKey),
        operator: net.owner.address,
        zone: "z",
        class: 1,
        capacityBytes: 1n,
        endpoint: "http://127.0.0.1:1",
      },
      net.nodes[2]!.actor.secretKey,
    );
    m.applyHeight(at(2n, [coord.env({ type: "nodeRegistered", value: reg }, 1n)]));
    expect(m.stats().pending).toBe(0);
    expect(m.appliedSequence(net.nodes[2]!.actor.publicKey)).toBe(1n);
  });
});

/** @module Deterministic synthetic DA workloads (nodes in zones, uploads, replicas, deletes) for tests, benchmarks and demos. */

import { cidFromSha256 } from "../../../common/cid.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { type NativeSigner, nativeSigner } from "../../../common/ed25519Native.js";
import { sha256Native, toHex } from "../../../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../../common/secp256k1.js";
import { type ChunkDeclared, NodeClass, NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
import type { DAHeightBlobs } from "../types.js";
import { encodeBatch } from "./batch.js";
import { signDeleteRequest, signNodeRegistration } from "./bindings.js";
import { MAX_DECLARATION_LIFETIME, signUploadDeclaration } from "./declaration.js";
import { encodeUnsignedEnvelope, signEnvelope } from "./envelope.js";
import type { DAEventInput } from "./event.js";
import { SEALED_ENVELOPE_VERSION } from "./format.js";
import { encodeSealedBatch } from "./sealedBatch.js";

const enc = new TextEncoder();

/** A key holder that publishes events (coordinator or node); keys derive from `label`, so runs repeat exactly. */
export interface SampleActor {
  readonly label: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly hex: string;
  readonly signer: NativeSigner;
}

export function sampleActor(label: string): SampleActor {
  const kp = ed25519KeyPair(sha256Native(enc.encode(`dsdn-sample-key:${label}`)));
  return { label, ...kp, hex: toHex(kp.publicKey), signer: nativeSigner(kp.secretKey, kp.publicKey) };
}

export interface SampleNetwork {
  readonly coordinator: SampleActor;
  readonly nodes: readonly { readonly actor: SampleActor; readonly zone: string }[];
  /** An account that uploads and deletes files (secp256k1, nusa address). */
  readonly owner: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array; readonly address: string };
}

export function sampleNetwork(nodeCount = 5, zoneCount = 3, label = "net"): SampleNetwork {
  const ownerKp = secp256k1KeyPair(sha256Native(enc.encode(`dsdn-sample-owner:${label}`)));
  return {
    coordinator: sampleActor(`${label}/coordinator`),
    nodes: Array.from({ length: nodeCount }, (_, i) => ({
      actor: sampleActor(`${label}/node-${i}`),
      zone: `zone-${i % zoneCount}`,
    })),
    owner: { ...ownerKp, address: pubKeyToAddress(ownerKp.publicKey) },
  };
}

export function sampleCid(label: string): string {
  return cidFromSha256(sha256Native(enc.encode(label)));
}

/** The node's own signed registration event. */
export function sampleRegistration(net: SampleNetwork, i: number, registeredAtHeight = 0n): DAEventInput {
  const { actor, zone } = net.nodes[i]!;
  const value = signNodeRegistration(
    {
      nodeId: Buffer.from(actor.publicKey),
      operator: net.owner.address,
      zone,
      class: i % 4 === 3 ? NodeClass.NODE_CLASS_DATACENTER : NodeClass.NODE_CLASS_REGULAR,
      capacityBytes: 4n * 2n ** 40n,
      endpoint: `http://127.0.0.1:${9100 + i}`,
      tlsFingerprint: Buffer.from(sha256Native(enc.encode(`tls:${actor.label}`))),
      registeredAtHeight,
    },
    actor.secretKey,
  );
  return { type: "nodeRegistered", value };
}

/** ChunkDeclared values for every object of a file, under one declaration signed by `owner` (tests, demos). */
export function sampleDeclaredFile(o: {
  readonly manifestCid: string;
  readonly objects: readonly { readonly cid: string; readonly size: bigint }[];
  readonly owner: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
  readonly signedAtHeight?: bigint;
  readonly placement?: readonly Uint8Array[];
  readonly replicationFactor?: number;
}): Partial<ChunkDeclared>[] {
  const signedAtHeight = o.signedAtHeight ?? 0n;
  const { declaration, proofs } = signUploadDeclaration(
    { manifestCid: o.manifestCid, objects: o.objects, signedAtHeight, expiresAtHeight: signedAtHeight + 10_000n },
    o.owner,
  );
  return o.objects.map((x, i) => ({
    cid: x.cid,
    size: x.size,
    manifestCid: o.manifestCid,
    declaration,
    index: i,
    proof: proofs[i]!.map((p) => Buffer.from(p)),
    placement: (o.placement ?? []).map((p) => Buffer.from(p)),
    replicationFactor: o.replicationFactor ?? 1,
  }));
}

export interface SampleStep {
  /** Who publishes it: "coordinator" or a node index. */
  readonly by: "coordinator" | number;
  /** The event, or a function of the DA height the publisher has seen (for payloads that sign a height). */
  readonly event: DAEventInput | ((observedHeight: bigint) => DAEventInput);
  /**
   * Published only after the previous steps were seen on DA: it waits for the blob being filled to be posted and
   * goes into its publisher's next blob (that blob is not cut short for it: the publisher keeps batching).
   */
  readonly afterInclusion?: boolean;
}

export interface SampleWorkloadOptions {
  readonly files: number;
  readonly chunksPerFile: number;
  readonly replicationFactor?: number;
  /** Every n-th file is deleted by its owner after upload (0: never). */
  readonly deleteEvery?: number;
  /** Every n-th chunk loses a replica and is healed onto another node (0: never). */
  readonly healEvery?: number;
  /** Bytes of the opaque storage ack in ReplicaAdded (a real ack is a signed message of ~150 bytes). */
  readonly ackBytes?: number;
}

/** A stand-in for a node's signed storage ack of `cid` (`ackBytes` long, derived from chunk and node). */
function sampleAck(cid: string, node: Uint8Array, ackBytes: number): Buffer {
  const ack = sha256Native(enc.encode(`ack:${cid}:${toHex(node)}`));
  const fullAck = Buffer.alloc(ackBytes);
  for (let o = 0; o < ackBytes; o += 32) fullAck.set(ack.subarray(0, Math.min(32, ackBytes - o)), o);
  return fullAck;
}

/**
 * A realistic event stream: every node registers itself, the coordinator activates it, then each file's
 * chunks are declared with a zone-spread placement and their replicas added (with acks); some chunks are
 * healed (replica removed by the coordinator, added elsewhere by the node itself) and some files deleted.
 */
export function* sampleWorkload(net: SampleNetwork, options: SampleWorkloadOptions): Generator<SampleStep> {
  const rf = options.replicationFactor ?? 3;
  const ackBytes = options.ackBytes ?? 150;
  const n = net.nodes.length;
  for (let i = 0; i < n; i++) {
    // Admission: the coordinator relays the node's own signed registration (replay ignores unknown publishers).
    yield { by: "coordinator", event: sampleRegistration(net, i) };
    yield {
      by: "coordinator",
      event: {
        type: "nodeStatusChanged",
        value: {
          nodeId: Buffer.from(net.nodes[i]!.actor.publicKey),
          status: NodeStatus.NODE_STATUS_ACTIVE,
          reason: "registered",
        },
      },
    };
  }
  let chunkNo = 0;
  for (let f = 0; f < options.files; f++) {
    const manifestCid = sampleCid(`manifest-${f}`);
    const objects = Array.from({ length: options.chunksPerFile }, (_, c) => ({
      cid: sampleCid(`chunk-${f}-${c}`),
      size: BigInt(16 * 2 ** 20 - ((chunkNo + c) % 1000)),
    }));
    // The owner signs the file's declaration once (ADR-036); every ChunkDeclared carries it and its audit path.
    const { declaration, proofs } = signUploadDeclaration(
      { manifestCid, objects, signedAtHeight: 0n, expiresAtHeight: MAX_DECLARATION_LIFETIME },
      net.owner,
    );
    for (let c = 0; c < options.chunksPerFile; c++, chunkNo++) {
      const { cid, size } = objects[c]!;
      const placement = Array.from(
        { length: Math.min(rf, n) },
        (_, k) => net.nodes[(chunkNo + k) % n]!.actor.publicKey,
      );
      const declared = {
        cid,
        size,
        manifestCid,
        declaration,
        index: c,
        proof: proofs[c]!.map((x) => Buffer.from(x)),
        placement: placement.map((p) => Buffer.from(p)),
        replicationFactor: rf,
      };
      yield { by: "coordinator", event: { type: "chunkDeclared", value: declared } };
      for (const p of placement) {
        yield {
          by: "coordinator",
          event: { type: "replicaAdded", value: { cid, nodeId: Buffer.from(p), ack: sampleAck(cid, p, ackBytes) } },
        };
      }
      if (options.healEvery && chunkNo % options.healEvery === options.healEvery - 1 && n > rf) {
        const lost = placement[0]!;
        const target = (chunkNo + rf) % n;
        yield {
          by: "coordinator",
          event: { type: "replicaRemoved", value: { cid, nodeId: Buffer.from(lost), reason: "node offline" } },
        };
        // Re-placed on the target first: a node may only record replicas of chunks placed on it.
        const healed = [...placement.slice(1), net.nodes[target]!.actor.publicKey].map((p) => Buffer.from(p));
        yield { by: "coordinator", event: { type: "chunkDeclared", value: { ...declared, placement: healed } } };
        // The node fetches the chunk once it saw the new placement on DA and reports its signed ack to the
        // coordinator, which publishes the ReplicaAdded (Coordinator.reportReplica): one of the coordinator's events,
        // in a blob after the one that carried the placement.
        const targetKey = net.nodes[target]!.actor.publicKey;
        yield {
          by: "coordinator",
          afterInclusion: true,
          event: {
            type: "replicaAdded",
            value: { cid, nodeId: Buffer.from(targetKey), ack: sampleAck(cid, targetKey, ackBytes) },
          },
        };
      }
    }
    if (options.deleteEvery && f % options.deleteEvery === options.deleteEvery - 1) {
      // The owner signs after seeing the upload on DA, i.e. at the height the relay has observed.
      const owner = net.owner;
      yield {
        by: "coordinator",
        afterInclusion: true,
        event: (h) => ({
          type: "deleteRequested",
          value: signDeleteRequest(manifestCid, h, { kind: "account", ...owner }),
        }),
      };
    }
  }
}

/** Signs steps as their publishers would, numbering each publisher's events from `startSequences` (default 1). */
export class SampleSigner {
  private readonly next = new Map<string, bigint>();
  constructor(private readonly net: SampleNetwork) {}

  actorOf(by: SampleStep["by"]): SampleActor {
    return by === "coordinator" ? this.net.coordinator : this.net.nodes[by]!.actor;
  }

  /** Format 2 (default): the unsigned envelope, to be sealed with its batch; format 1: a self-signed envelope. */
  sign(
    step: SampleStep,
    observedHeight: bigint,
    format: 1 | 2 = 2,
  ): { actor: SampleActor; sequence: bigint; envelope: Uint8Array } {
    const actor = this.actorOf(step.by);
    const sequence = this.next.get(actor.hex) ?? 1n;
    this.next.set(actor.hex, sequence + 1n);
    const event = typeof step.event === "function" ? step.event(observedHeight) : step.event;
    const u = { publisher: actor.publicKey, sequence, observedHeight, event };
    const envelope = format === 2 ? encodeUnsignedEnvelope(u, SEALED_ENVELOPE_VERSION) : signEnvelope(u, actor.signer);
    return { actor, sequence, envelope };
  }
}

export interface SampleBlob {
  /** Height the blob lands at when DA delivers everything in order (one blob per height). */
  readonly height: bigint;
  readonly publisher: string;
  readonly data: Uint8Array;
  readonly events: number;
}

/**
 * Packs a workload into blobs as publishers would post them: consecutive events of one publisher share a
 * blob (up to `eventsPerBlob`, as `EventPublisher` batches its outbox); a step `afterInclusion` waits for the
 * blob being filled and starts the next one. Blob i is meant for height i+1 and its events say they saw height i.
 * `reshape` (format 2, tests) changes each envelope's bytes before sealing, e.g. to an equivalent layout.
 */
export function sampleBlobs(
  net: SampleNetwork,
  steps: Iterable<SampleStep>,
  eventsPerBlob = 50,
  format: 1 | 2 = 2,
  reshape: (envelope: Uint8Array) => Uint8Array = (e) => e,
): SampleBlob[] {
  const signer = new SampleSigner(net);
  const out: SampleBlob[] = [];
  let current: { by: SampleStep["by"]; steps: SampleStep[] } | undefined;
  /** Steps waiting for the blob being filled to be posted (they saw its events on DA first). */
  let waiting: SampleStep[] = [];
  const add = (step: SampleStep) => {
    if (current && (current.by !== step.by || current.steps.length >= eventsPerBlob)) flush();
    current ??= { by: step.by, steps: [] };
    current.steps.push(step);
  };
  const flush = () => {
    if (!current) return;
    const height = BigInt(out.length + 1);
    const envs = current.steps.map((s) => reshape(signer.sign(s, height - 1n, format).envelope));
    const actor = signer.actorOf(current.by);
    const data = format === 2 ? encodeSealedBatch(envs, actor.signer) : encodeBatch(envs);
    out.push({ height, publisher: actor.hex, data, events: envs.length });
    current = undefined;
    const released = waiting;
    waiting = [];
    for (const s of released) add(s);
  };
  for (const step of steps) {
    if (step.afterInclusion && current) waiting.push(step);
    else add(step);
  }
  while (current) flush();
  return out;
}

/** A sample blob as the one blob of its DA height (in-memory layer), what a replay machine is fed. */
export function sampleHeight(b: { readonly height: bigint; readonly data: Uint8Array }): DAHeightBlobs {
  return {
    height: b.height,
    blobs: [
      {
        ref: { layer: "memory", height: b.height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
        index: 0,
        data: b.data,
      },
    ],
  };
}

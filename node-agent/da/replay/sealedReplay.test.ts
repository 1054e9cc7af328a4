import { describe, expect, it } from "vitest";
import { merkleRoot } from "../commitment/merkle.js";
import { frameBatch } from "../events/batch.js";
import { encodeUnsignedEnvelope } from "../events/envelope.js";
import { SEALED_BATCH_FORMAT_VERSION, SEALED_ENVELOPE_VERSION } from "../events/format.js";
import { type SampleActor, sampleActor, sampleBlobs, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { batchSealSignBytes, encodeSealedBatch } from "../events/sealedBatch.js";
import type { DAHeightBlobs } from "../types.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(4, 2, "sealed-replay");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const coordinator = net.coordinator;

function at(height: bigint, ...datas: Uint8Array[]): DAHeightBlobs {
  return {
    height,
    blobs: datas.map((data, index) => ({
      ref: { layer: "memory", height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
      index,
      data,
    })),
  };
}

/** Sealed envelopes carrying no state (FallbackActivated), so only sequencing is observed. */
function bodies(actor: SampleActor, from: bigint, to: bigint): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let s = from; s <= to; s++)
    out.push(
      encodeUnsignedEnvelope(
        {
          publisher: actor.publicKey,
          sequence: s,
          observedHeight: 0n,
          event: { type: "fallbackActivated", value: {} },
        },
        SEALED_ENVELOPE_VERSION,
      ),
    );
  return out;
}

describe("replay of sealed batches", () => {
  it("replays a log of sealed batches to the same state and digest as the same log self-signed (format 1)", () => {
    const steps = [...sampleWorkload(net, { files: 6, chunksPerFile: 3, deleteEvery: 3, healEvery: 4 })];
    const run = (format: 1 | 2) => {
      const m = new ReplayMachine(config);
      for (const b of sampleBlobs(net, steps, 5, format)) m.applyHeight(at(b.height, b.data));
      return m;
    };
    const v1 = run(1);
    const v2 = run(2);
    expect(v2.stats().applied).toBe(steps.length);
    expect(v2.stats().invalid).toEqual({});
    expect(v1.stats().applied).toBe(steps.length);
    expect(v2.digestHex()).toBe(v1.digestHex());
    // An old (format 1) log continued by sealed batches: one publisher, both formats, one sequence.
    const mixed = new ReplayMachine(config);
    const old = sampleBlobs(net, steps, 5, 1);
    const fresh = sampleBlobs(net, steps, 5, 2);
    const half = Math.floor(old.length / 2);
    for (const b of [...old.slice(0, half), ...fresh.slice(half)]) mixed.applyHeight(at(b.height, b.data));
    expect(mixed.digestHex()).toBe(v1.digestHex());
  });

  it("holds a batch after a sequence gap until the gap is filled, across batches and heights", () => {
    const m = new ReplayMachine(config);
    m.applyHeight(at(1n, encodeSealedBatch(bodies(coordinator, 1n, 3n), coordinator.signer)));
    m.applyHeight(at(2n, encodeSealedBatch(bodies(coordinator, 7n, 9n), coordinator.signer)));
    expect(m.appliedSequence(coordinator.publicKey)).toBe(3n);
    expect(m.stats().pending).toBe(3);
    // The held sealed envelopes survive a checkpoint (they carry no signature of their own).
    const restored = ReplayMachine.decodeCheckpoint(m.encodeCheckpoint(), config);
    for (const r of [m, restored]) {
      r.applyHeight(at(3n, encodeSealedBatch(bodies(coordinator, 4n, 6n), coordinator.signer)));
      expect(r.appliedSequence(coordinator.publicKey)).toBe(9n);
      expect(r.stats().pending).toBe(0);
    }
  });

  it("a refused batch consumes no sequence: the honest batch with the same numbers still applies", () => {
    const mallory = sampleActor("sealed-replay-mallory");
    const envs = bodies(coordinator, 1n, 3n);
    const forged = frameBatch(
      SEALED_BATCH_FORMAT_VERSION,
      {
        publisher: coordinator.publicKey,
        signature: mallory.signer.sign(batchSealSignBytes(envs.length, merkleRoot(envs))),
      },
      envs,
    );
    const m = new ReplayMachine(config);
    m.applyHeight(at(1n, forged));
    expect(m.stats().invalid).toEqual({ "bad-signature": 3 });
    expect(m.appliedSequence(coordinator.publicKey)).toBe(0n);
    m.applyHeight(at(2n, encodeSealedBatch(envs, coordinator.signer)));
    expect(m.appliedSequence(coordinator.publicKey)).toBe(3n);
    expect(m.stats().applied).toBe(3);
  });
});

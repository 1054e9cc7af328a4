/** @module CommitteeRotated in replay: who may announce it, members becoming coordinators, epochs, checkpoints. */
import { describe, expect, it } from "vitest";
import { NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
import { encodeBatch } from "../events/batch.js";
import { signEnvelope } from "../events/envelope.js";
import type { DAEventInput } from "../events/event.js";
import { type SampleActor, sampleActor, sampleNetwork, sampleRegistration } from "../events/sampleWorkload.js";
import type { DAHeightBlobs } from "../types.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(2, 1, "rot");
const trusted = net.coordinator;
const m1 = sampleActor("rot/member-1");
const m2 = sampleActor("rot/member-2");
const outsider = sampleActor("rot/outsider");
const config = replayConfig({ coordinators: [trusted.publicKey] });

const seqs = new Map<string, bigint>();
function env(actor: SampleActor, event: DAEventInput): Uint8Array {
  const sequence = (seqs.get(actor.hex) ?? 0n) + 1n;
  seqs.set(actor.hex, sequence);
  return signEnvelope({ publisher: actor.publicKey, sequence, observedHeight: 0n, event }, actor.signer);
}
let height = 0n;
function at(...envelopes: Uint8Array[]): DAHeightBlobs {
  height++;
  return {
    height,
    blobs: [
      {
        ref: { layer: "memory", height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
        index: 0,
        data: encodeBatch(envelopes),
      },
    ],
  };
}
const rotation = (epoch: bigint, members: SampleActor[]): DAEventInput => ({
  type: "committeeRotated",
  value: {
    epoch,
    members: members.map((m) => Buffer.from(m.publicKey)),
    groupKey: Buffer.alloc(32, 7),
    seed: Buffer.alloc(32, Number(epoch)),
    chainHeight: 100n * epoch,
  },
});
const activate = (i: number): DAEventInput => ({
  type: "nodeStatusChanged",
  value: { nodeId: Buffer.from(net.nodes[i]!.actor.publicKey), status: NodeStatus.NODE_STATUS_ACTIVE, reason: "ok" },
});

describe("CommitteeRotated in replay", () => {
  it("members act as coordinators after the rotation (held events drain), old members lose it at the next one", () => {
    seqs.clear();
    height = 0n;
    const m = new ReplayMachine(config);
    m.applyHeight(at(env(trusted, sampleRegistration(net, 0)), env(trusted, sampleRegistration(net, 1))));
    // m1 speaks before anyone authorized it: held, not applied.
    m.applyHeight(at(env(m1, activate(0))));
    expect(m.state.counts().nodes).toBe(2);
    expect(m.stats().pending).toBe(1);
    // A registered node (a known publisher, not a coordinator) naming itself is refused; an unknown key is
    // only held; the trusted coordinator's rotation is applied.
    const node1 = net.nodes[1]!.actor;
    m.applyHeight(at(env(node1, rotation(1n, [node1]))));
    expect(m.committee).toBeUndefined();
    expect(m.stats().rejected["unauthorized: only coordinators announce committee rotations"]).toBe(1);
    m.applyHeight(at(env(trusted, rotation(1n, [m1]))));
    expect(m.committee?.epoch).toBe(1n);
    expect(m.stats().pending).toBe(0); // m1's held event drained and applied
    const afterM1 = m.digestHex();
    // m1 (a member) rotates to epoch 2 with m2; then m1 is no longer a coordinator.
    m.applyHeight(at(env(m1, rotation(2n, [m2]))));
    expect(m.committee?.epoch).toBe(2n);
    m.applyHeight(at(env(m1, activate(1))));
    // m1 is now an unknown key: its event is only held (bounded), never applied.
    expect(m.stats().pending).toBe(1);
    expect(m.digestHex()).toBe(afterM1);
    m.applyHeight(at(env(m2, activate(1))));
    expect(m.digestHex()).not.toBe(afterM1);
    // A stale epoch changes nothing.
    m.applyHeight(at(env(trusted, rotation(1n, [outsider]))));
    expect(m.committee?.epoch).toBe(2n);
    expect(m.stats().superseded).toBeGreaterThanOrEqual(1);
  });

  it("malformed rotations are refused: no members, duplicates, wrong key size", () => {
    seqs.clear();
    height = 0n;
    const m = new ReplayMachine(config);
    m.applyHeight(at(env(trusted, rotation(1n, []))));
    m.applyHeight(at(env(trusted, rotation(1n, [m1, m1]))));
    m.applyHeight(at(env(trusted, { type: "committeeRotated", value: { epoch: 1n, members: [Buffer.alloc(31)] } })));
    expect(m.committee).toBeUndefined();
    expect(Object.values(m.stats().rejected).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("the committee survives a checkpoint: a restored replayer still accepts the members", () => {
    seqs.clear();
    height = 0n;
    const m = new ReplayMachine(config);
    m.applyHeight(at(env(trusted, sampleRegistration(net, 0)), env(trusted, rotation(3n, [m1]))));
    const restored = ReplayMachine.decodeCheckpoint(m.encodeCheckpoint(), config);
    expect(restored.committee?.epoch).toBe(3n);
    const next = at(env(m1, activate(0)));
    m.applyHeight(next);
    restored.applyHeight(next);
    expect(restored.digestHex()).toBe(m.digestHex());
    expect(restored.stats().rejected).toEqual({});
  });
});

import { describe, expect, it } from "vitest";
import { sampleBlobs, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { readSealedEnvelope } from "../events/sealedEnvelopeReader.js";
import type { DAHeightBlobs } from "../types.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(8, 3, "fast-decode");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });

function at(height: bigint, data: Uint8Array): DAHeightBlobs {
  const ref = { layer: "memory" as const, height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) };
  return { height, blobs: [{ ref, index: 0, data }] };
}

/** An unknown varint field (31 = 0) appended: the generated decoder skips it, the fast reader declines the envelope. */
const offCanonical = (e: Uint8Array) => Uint8Array.from([...e, 0xf8, 0x01, 0x00]);

describe("replay through the hand-written reader", () => {
  it("reaches the same state, digest and counters as the same log read by the generated decoder only", () => {
    const steps = [...sampleWorkload(net, { files: 12, chunksPerFile: 16, deleteEvery: 4, healEvery: 7 })];
    const run = (reshape?: (e: Uint8Array) => Uint8Array) => {
      const blobs = sampleBlobs(net, steps, 40, 2, reshape);
      const m = new ReplayMachine(config);
      for (const b of blobs) m.applyHeight(at(b.height, b.data));
      return { m, blobs };
    };
    const fast = run();
    const slow = run(offCanonical);
    // (The second test below checks the premise: the first log's hot events take the fast reader, the second's never.)
    expect(fast.blobs.length).toBe(slow.blobs.length);
    expect(fast.m.stats().applied).toBe(steps.length);
    expect(slow.m.stats()).toEqual(fast.m.stats());
    expect(fast.m.digestHex()).toBe(slow.m.digestHex());
    expect(Buffer.from(fast.m.state.digestFromScratch()).toString("hex")).toBe(fast.m.digestHex());
    expect(fast.m.state.encodeCanonical()).toEqual(slow.m.state.encodeCanonical());
  });

  it("the premise holds: canonical hot envelopes are read by the fast reader, reshaped ones are not", () => {
    const steps = [...sampleWorkload(net, { files: 1, chunksPerFile: 2 })];
    let fast = 0;
    let declined = 0;
    sampleBlobs(net, steps, 50, 2, (e) => {
      if (readSealedEnvelope(e)) fast++;
      if (readSealedEnvelope(offCanonical(e)) === undefined) declined++;
      return e;
    });
    expect(fast).toBeGreaterThan(0);
    expect(declined).toBe(steps.length);
  });
});

/** The placement and holding indexes are built on first query and kept current after: whenever they are first
 * asked for (before a replay, midway, after a restore), they answer what the chunk and replica maps say. */
import { describe, expect, it } from "vitest";
import { sampleBlobs, sampleHeight, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";
import type { ReplayState } from "./state.js";

const net = sampleNetwork(6, 3, "lazy-index");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const blobs = sampleBlobs(net, sampleWorkload(net, { files: 16, chunksPerFile: 4, deleteEvery: 3, healEvery: 5 }), 5);
const nodeIds = net.nodes.map((n) => n.actor.hex);

/** Both indexes' answers for every node. */
function answers(s: ReplayState): string[][] {
  return nodeIds.flatMap((n) => [s.chunksPlacedOn(n), s.chunksHeldBy(n)]);
}

/** The same answers derived by scanning every live chunk and every replica (no index). */
function scanned(s: ReplayState): string[][] {
  const live = s.listChunkCids().map((cid) => s.getChunk(cid)!);
  return nodeIds.flatMap((n) => [
    live.filter((c) => c.placement.includes(n)).map((c) => c.cid),
    [...s.replicas.keys()].filter((cid) => s.replicasOf(cid).includes(n)).sort(),
  ]);
}

describe("lazily built placement and holding indexes", () => {
  it("give the same answers whether first queried early, late or after a restore", () => {
    const early = new ReplayMachine(config);
    const late = new ReplayMachine(config);
    answers(early.state); // built now, on an empty state, then kept current through every change
    let restored: ReplayMachine | undefined;
    for (const [i, b] of blobs.entries()) {
      early.applyHeight(sampleHeight(b));
      late.applyHeight(sampleHeight(b));
      expect(answers(early.state)).toEqual(scanned(early.state));
      if (i === Math.floor(blobs.length / 2))
        restored = ReplayMachine.decodeCheckpoint(late.encodeCheckpoint(), config);
      else if (restored) restored.applyHeight(sampleHeight(b));
    }
    const expected = scanned(late.state);
    expect(expected.some((a) => a.length > 0)).toBe(true);
    expect(answers(late.state)).toEqual(expected);
    expect(answers(early.state)).toEqual(expected);
    expect(answers(restored!.state)).toEqual(expected);
  });
});

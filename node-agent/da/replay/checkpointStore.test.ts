import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleBlobs, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { CheckpointStore, decodeCheckpointFile, encodeCheckpointFile } from "./checkpointStore.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(3, 2, "cpstore");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const blobs = sampleBlobs(net, sampleWorkload(net, { files: 3, chunksPerFile: 2 }), 4);

describe("CheckpointStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dsdn-cp-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the newest N checkpoints and loads the newest", () => {
    const store = new CheckpointStore(dir, { keep: 2 });
    const m = new ReplayMachine(config);
    for (const b of blobs) {
      m.applyHeight({
        height: b.height,
        blobs: [
          {
            ref: { layer: "memory", height: b.height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
            index: 0,
            data: b.data,
          },
        ],
      });
      store.write(m);
    }
    expect(store.list().map((c) => c.height)).toEqual([BigInt(blobs.length), BigInt(blobs.length - 1)]);
    writeFileSync(join(dir, "unrelated.txt"), "x");
    const load = store.loadLatest(config);
    expect(load.loaded?.height).toBe(BigInt(blobs.length));
    expect(load.loaded?.machine.digestHex()).toBe(m.digestHex());
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("detects a file whose name and content disagree, and files that are not checkpoints", () => {
    const store = new CheckpointStore(dir);
    const m = new ReplayMachine(config);
    const b = blobs[0]!;
    m.applyHeight({
      height: b.height,
      blobs: [
        {
          ref: { layer: "memory", height: b.height, commitment: new Uint8Array(32), namespace: new Uint8Array(29) },
          index: 0,
          data: b.data,
        },
      ],
    });
    const cp = m.toCheckpoint();
    writeFileSync(join(dir, `checkpoint-${"9".padStart(20, "0")}.bin`), encodeCheckpointFile(cp));
    writeFileSync(join(dir, `checkpoint-${"8".padStart(20, "0")}.bin`), "garbage");
    const load = store.loadLatest(config);
    expect(load.loaded).toBeUndefined();
    expect(load.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/file name says height 9/),
      expect.stringMatching(/not a DSDN replay checkpoint/),
    ]);
    expect(() => decodeCheckpointFile(new Uint8Array(10))).toThrow(/not a DSDN replay checkpoint/);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleBlobs, sampleHeight, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
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
      m.applyHeight(sampleHeight(b));
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
    m.applyHeight(sampleHeight(b));
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

  it("refuses a truncated or corrupted checkpoint: the next intact one is used, or none and replay starts from the log", () => {
    const store = new CheckpointStore(dir, { keep: 3 });
    const m = new ReplayMachine(config);
    const feed = (x: ReplayMachine, b: (typeof blobs)[number]) => x.applyHeight(sampleHeight(b));
    const digests: string[] = [];
    for (const b of blobs) {
      feed(m, b);
      digests.push(m.digestHex());
      if (b.height >= BigInt(blobs.length - 1)) store.write(m);
    }
    const [newest, older] = store.list();
    // Truncated mid-file (a crash of a non-atomic copy, a full disk): refused, the older checkpoint is used.
    const whole = readFileSync(newest!.path);
    writeFileSync(newest!.path, whole.subarray(0, Math.floor(whole.length / 2)));
    let load = store.loadLatest(config);
    expect(load.skipped).toEqual([{ path: newest!.path, reason: expect.stringMatching(/truncated/) }]);
    expect(load.loaded?.height).toBe(older!.height);
    expect(load.loaded?.machine.digestHex()).toBe(digests[Number(older!.height) - 1]);
    // One flipped bit in the state part of the older one too: nothing loads, replay starts from the first height.
    const bytes = readFileSync(older!.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(older!.path, bytes);
    load = store.loadLatest(config);
    expect(load.loaded).toBeUndefined();
    expect(load.skipped.map((x) => x.reason)).toEqual([
      expect.stringMatching(/truncated/),
      expect.stringMatching(/checksum mismatch/),
    ]);
    const fresh = new ReplayMachine(config);
    for (const b of blobs) feed(fresh, b);
    expect(fresh.digestHex()).toBe(m.digestHex());
  });
});

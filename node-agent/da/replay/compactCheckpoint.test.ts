/** Checkpoint format 3: a restore equals a full replay (digest, canonical bytes, resumed replay), format 2 still loads,
 * and every damaged or forged file is refused with an IntegrityError so replay falls back to an older one or the log. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrityError } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import { ChunkDeclared } from "../../../proto/gen/dsdn/da/v1/events.js";
import { ReplayCheckpoint } from "../../../proto/gen/dsdn/da/v1/state.js";
import { joinCheckpoint, readVarints, splitCheckpoint, varints } from "../../../test/support/checkpointRecords.js";
import { sampleBlobs, sampleHeight, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { CheckpointStore, encodeCheckpointFile } from "./checkpointStore.js";
import { CHUNK_DECLARED_FIELDS, Rec } from "./compactCheckpoint.js";
import { bufferSource, readCompactCheckpoint } from "./compactCheckpointReader.js";
import { writeCompactCheckpoint } from "./compactCheckpointWriter.js";
import { replayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(6, 3, "compact");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const blobs = sampleBlobs(net, sampleWorkload(net, { files: 12, chunksPerFile: 4, deleteEvery: 3, healEvery: 5 }), 6);

const height = sampleHeight;

function replay(n: number, m = new ReplayMachine(config)): ReplayMachine {
  for (const b of blobs.slice(0, n)) m.applyHeight(height(b));
  return m;
}

function encode(m: ReplayMachine): Uint8Array {
  const pieces: Buffer[] = [];
  writeCompactCheckpoint(m, (p) => pieces.push(Buffer.from(p)));
  return Buffer.concat(pieces);
}

const read = (bytes: Uint8Array, verify: "adopt" | "full" = "adopt") =>
  readCompactCheckpoint(bufferSource(bytes), config, { verify });

/** The reason a file is refused; fails the test if it loads or throws anything but an IntegrityError. */
function refusal(bytes: Uint8Array, verify: "adopt" | "full" = "adopt"): string {
  try {
    read(bytes, verify);
  } catch (e) {
    expect(e).toBeInstanceOf(IntegrityError);
    return (e as Error).message;
  }
  throw new Error("the forged checkpoint loaded");
}

const cut = Math.floor(blobs.length / 2);
const half = replay(cut);
const file = encode(half);
const whole = replay(blobs.length);

describe("checkpoint format 3", () => {
  it("restores the state a full replay has: same digest (adopted and recomputed), same canonical bytes, same end", () => {
    const restored = read(file);
    expect(restored.height).toBe(half.height);
    expect(restored.digestHex()).toBe(half.digestHex());
    expect(toHex(restored.state.digestFromScratch())).toBe(half.digestHex());
    expect(toHex(restored.state.encodeCanonical())).toBe(toHex(half.state.encodeCanonical()));
    expect(restored.state.dormantDeletes()).toEqual(half.state.dormantDeletes());
    expect(restored.state.counts()).toEqual(half.state.counts());
    for (const n of half.state.listNodes())
      expect(restored.state.chunksHeldBy(n.nodeId)).toEqual(half.state.chunksHeldBy(n.nodeId));
    for (const n of half.state.listNodes())
      expect(restored.state.chunksPlacedOn(n.nodeId)).toEqual(half.state.chunksPlacedOn(n.nodeId));
    expect(read(file, "full").digestHex()).toBe(half.digestHex());
    for (const b of blobs.slice(cut)) restored.applyHeight(height(b));
    expect(restored.digestHex()).toBe(whole.digestHex());
    expect(toHex(restored.state.digestFromScratch())).toBe(whole.digestHex());
    // Interning: the compact file is smaller than the protobuf one.
    expect(file.length).toBeLessThan(encodeCheckpointFile(half.encodeCheckpoint()).length);
  });

  it("stores every ChunkDeclared field (shard, negative chain height, proof) and knows every field the message has", () => {
    expect(Object.keys(ChunkDeclared.fromPartial({})).sort()).toEqual([...CHUNK_DECLARED_FIELDS].sort());
    const m = replay(blobs.length);
    const [cid, rec] = [...m.state.chunks].find(([, c]) => !c.deleted)!;
    const shard = { chunkCid: cid, chunkSize: 9n, dataShards: 2, parityShards: 1, index: 0, stripe: [cid, "b", "c"] };
    m.state.setChunk({ ...rec, chunk: { ...rec.chunk, chainHeight: -42n, size: 2n ** 60n, shard } });
    const back = read(encode(m));
    expect(back.state.chunks.get(cid)!.chunk).toEqual(m.state.chunks.get(cid)!.chunk);
    expect(toHex(back.state.encodeCanonical())).toBe(toHex(m.state.encodeCanonical()));
    expect(back.digestHex()).toBe(m.digestHex());
  });

  it("refuses a truncated file at any length, and any flipped byte", () => {
    for (let n = 0; n < file.length; n += Math.max(1, Math.floor(file.length / 97)))
      expect(refusal(file.subarray(0, n))).toMatch(/truncated|checksum|not a format 3/);
    for (let i = 0; i < file.length; i += Math.max(1, Math.floor(file.length / 89))) {
      const bad = new Uint8Array(file);
      bad[i]! ^= 0x01;
      expect(refusal(bad)).toMatch(/checkpoint/); // the checksum, or a parse check that fails first
    }
  });

  it("refuses a wrong version, other replay rules, and lengths, numbers or references out of bounds", () => {
    const records = splitCheckpoint(file);
    const header = ReplayCheckpoint.decode(records[0]!.body);
    const withHeader = (h: ReplayCheckpoint) =>
      joinCheckpoint([{ tag: Rec.Header, body: ReplayCheckpoint.encode(h).finish() }, ...records.slice(1)]);
    expect(refusal(withHeader({ ...header, formatVersion: 4 }))).toMatch(/format version 4/);
    expect(refusal(withHeader({ ...header, formatVersion: 2 }))).toMatch(/format version 2/);
    expect(() => readCompactCheckpoint(bufferSource(file), replayConfig({ coordinators: [] }))).toThrow(
      /different replay rules/,
    );
    // A record length far over the bound (a corrupt or hostile length must not allocate it).
    const long = Buffer.from(joinCheckpoint(records));
    long.writeUInt32BE(0xffffffff, 8 + 1);
    expect(refusal(long)).toMatch(/over the bound/);
    const replica = records.findIndex((r) => r.tag === Rec.Replica);
    const edit = (i: number, body: Uint8Array) =>
      joinCheckpoint(records.map((r, j) => (j === i ? { tag: r.tag, body } : r)));
    // A number longer than 64 bits, a reference past the string table, a count running past the record.
    expect(refusal(edit(replica, new Uint8Array(11).fill(0xff)))).toMatch(/out of bounds/);
    expect(refusal(edit(replica, varints([1_000_000])))).toMatch(/undefined string/);
    const chunk = records.findIndex((r) => r.tag === Rec.Chunk);
    const body = records[chunk]!.body;
    const vs = readVarints(body.subarray(0, 8));
    // cid ref, size, manifest ref, then the placement count: made 2^40.
    const head = varints(vs.slice(0, 3));
    const afterCount = body.subarray(varints(vs.slice(0, 4)).length);
    expect(refusal(edit(chunk, Buffer.concat([head, varints([2 ** 40]), afterCount])))).toMatch(
      /ends inside a field|undefined node/,
    );
    expect(refusal(edit(chunk, Buffer.concat([body, new Uint8Array([0])])))).toMatch(/trailing bytes/);
    expect(refusal(joinCheckpoint([...records, { tag: 99, body: new Uint8Array(0) }]))).toMatch(
      /after its trailer|unknown/,
    );
    expect(refusal(joinCheckpoint(records.slice(1)))).toMatch(/header/);
  });

  it("refuses a file whose declared digest or accumulator does not match, or whose entries are missing or doubled", () => {
    const records = splitCheckpoint(file);
    const header = ReplayCheckpoint.decode(records[0]!.body);
    const withHeader = (h: ReplayCheckpoint) =>
      joinCheckpoint([{ tag: Rec.Header, body: ReplayCheckpoint.encode(h).finish() }, ...records.slice(1)]);
    const digest = Buffer.from(header.stateDigest);
    digest[0]! ^= 1;
    expect(refusal(withHeader({ ...header, stateDigest: digest }))).toMatch(/does not match its digest/);
    const acc = Buffer.from(header.stateAccumulator);
    acc[5]! ^= 1;
    expect(refusal(withHeader({ ...header, stateAccumulator: acc }))).toMatch(/does not match its digest/);
    expect(refusal(withHeader({ ...header, stateAccumulator: Buffer.alloc(0) }))).toMatch(/no digest accumulator/);
    // A replica record dropped (checksum recomputed): the trailer's count no longer matches.
    const replica = records.map((r) => r.tag).lastIndexOf(Rec.Replica);
    const dropped = records.filter((_, i) => i !== replica);
    expect(refusal(joinCheckpoint(dropped))).toMatch(/records missing/);
    // A replica record doubled, trailer count raised to match: the maps hold one fewer entry than claimed.
    const trailer = records.at(-1)!;
    const counts = readVarints(trailer.body);
    counts[4]!++;
    const doubled = [...records.slice(0, -1), records[replica]!, { tag: Rec.Trailer, body: varints(counts) }];
    expect(refusal(joinCheckpoint(doubled))).toMatch(/duplicate entries/);
    // The same with a chunk record (restored by the bulk insert, which must not count a cid twice either).
    const chunk = records.map((r) => r.tag).lastIndexOf(Rec.Chunk);
    const chunkCounts = readVarints(trailer.body);
    chunkCounts[3]!++;
    const twice = [
      ...records.slice(0, chunk + 1),
      records[chunk]!,
      ...records.slice(chunk + 1, -1),
      { tag: Rec.Trailer, body: varints(chunkCounts) },
    ];
    expect(refusal(joinCheckpoint(twice))).toMatch(/duplicate entries/);
    // Dropped and the count lowered to match: consistent but forged — only re-hashing the entries catches it.
    const lowered = readVarints(trailer.body);
    lowered[4]!--;
    const forged = joinCheckpoint([...dropped.slice(0, -1), { tag: Rec.Trailer, body: varints(lowered) }]);
    expect(read(forged).height).toBe(half.height); // adopt mode trusts a file its own node wrote
    expect(refusal(forged, "full")).toMatch(/entries do not match its digest/);
  });

  describe("on disk", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "dsdn-cp3-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("a write that fails midway leaves no file and the previous checkpoint loads; a crashed temp file is ignored", () => {
      const store = new CheckpointStore(dir, { keep: 3 });
      const earlier = replay(cut - 1);
      store.write(earlier);
      const m = replay(cut);
      const replicas = m.state.replicas as unknown as { [Symbol.iterator]: () => unknown };
      replicas[Symbol.iterator] = () => {
        throw new Error("ENOSPC: no space left on device");
      };
      expect(() => store.write(m)).toThrow(/ENOSPC/);
      expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
      // What a process killed mid-write leaves: half a temp file, never under a checkpoint's name.
      writeFileSync(
        join(dir, `.checkpoint-${String(cut).padStart(20, "0")}.bin.999.tmp`),
        file.subarray(0, file.length >> 1),
      );
      const load = store.loadLatest(config);
      expect(load.skipped).toEqual([]);
      expect(load.loaded?.height).toBe(earlier.height);
      expect(load.loaded?.machine.digestHex()).toBe(earlier.digestHex());
    });

    it("still loads a format 2 checkpoint written by an older build, and prefers a newer format 3 one", () => {
      const store = new CheckpointStore(dir, { keep: 3 });
      const older = replay(cut - 1);
      writeFileSync(
        join(dir, `checkpoint-${String(older.height).padStart(20, "0")}.bin`),
        encodeCheckpointFile(older.encodeCheckpoint()),
      );
      let load = store.loadLatest(config);
      expect(load.loaded?.machine.digestHex()).toBe(older.digestHex());
      store.write(half);
      load = store.loadLatest(config);
      expect(load.loaded?.height).toBe(half.height);
      expect(readFileSync(load.loaded!.path).subarray(0, 8).toString()).toBe("DSDNCKP3");
      // The newest forged: refused, the format 2 one is used; both refused: nothing, replay starts from the log.
      const bad = new Uint8Array(readFileSync(load.loaded!.path));
      bad[bad.length >> 1]! ^= 0x40;
      writeFileSync(load.loaded!.path, bad);
      load = store.loadLatest(config);
      expect(load.loaded?.height).toBe(older.height);
      writeFileSync(store.list()[1]!.path, "DSDNCKP1 not really");
      load = store.loadLatest(config);
      expect(load.loaded).toBeUndefined();
      expect(load.skipped.map((s) => s.reason)).toEqual([
        expect.stringMatching(/checksum/),
        expect.stringMatching(/checksum|not a DSDN/),
      ]);
    });
  });
});

/** The state digest is kept incrementally (LtHash16): after every height, and across a checkpoint restore that
 * adopts the stored accumulator, it equals the digest recomputed from every entry — deletes, heals and re-pins included. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../common/hash.js";
import { sampleBlobs, sampleHeight, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { replayConfig } from "./config.js";
import { LtHash16, ltElementId } from "./ltHash.js";
import { ReplayMachine } from "./machine.js";

const net = sampleNetwork(6, 3, "digest");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const blobs = sampleBlobs(net, sampleWorkload(net, { files: 16, chunksPerFile: 4, deleteEvery: 3, healEvery: 5 }), 5);

const height = sampleHeight;

describe("incremental state digest", () => {
  it("equals the from-scratch digest after every height and after a checkpoint restore", () => {
    const m = new ReplayMachine(config);
    const seen = new Set<string>();
    let restored: ReplayMachine | undefined;
    for (const [i, b] of blobs.entries()) {
      m.applyHeight(height(b));
      if (i % 2 === 0) {
        // Digest only every other height: changes accumulate between digests too.
        expect(m.digestHex()).toBe(toHex(m.state.digestFromScratch()));
        seen.add(m.digestHex());
      }
      if (i === Math.floor(blobs.length / 2)) restored = ReplayMachine.decodeCheckpoint(m.encodeCheckpoint(), config);
      else if (restored) restored.applyHeight(height(b));
    }
    expect(m.digestHex()).toBe(toHex(m.state.digestFromScratch()));
    expect(restored!.digestHex()).toBe(m.digestHex());
    expect(restored!.digestHex()).toBe(toHex(restored!.state.digestFromScratch()));
    expect(seen.size).toBeGreaterThan(blobs.length / 3); // the digest moves as the state does
  });

  it("a checkpoint whose stored accumulator was altered is refused", () => {
    const m = new ReplayMachine(config);
    for (const b of blobs.slice(0, 4)) m.applyHeight(height(b));
    const cp = m.toCheckpoint();
    const acc = new Uint8Array(cp.stateAccumulator);
    acc[7]! ^= 1;
    const bytes = new Uint8Array(
      Buffer.concat([Buffer.from(m.encodeCheckpoint()), Buffer.from([0x5a, 0x80, 0x10]), Buffer.from(acc)]),
    ); // field 11 again: protobuf keeps the last value
    expect(() => ReplayMachine.decodeCheckpoint(bytes, config)).toThrow(/does not match its digest/);
  });

  it("LtHash16's lane sums equal the definition (each lane a little-endian uint16 of SHAKE256(id), summed mod 2^16)", () => {
    const h = new LtHash16();
    const expected = new Array<number>(1024).fill(0);
    for (let i = 0; i < 40; i++) {
      const id = ltElementId(new TextEncoder().encode(`element ${i}`));
      const sign = i % 3 === 2 ? -1 : 1;
      h.update(id, sign);
      const x = createHash("shake256", { outputLength: 2048 }).update(id).digest();
      for (let l = 0; l < 1024; l++) expected[l] = (expected[l]! + sign * x.readUInt16LE(2 * l) + 0x10000) % 0x10000;
    }
    expect([...h.lanes]).toEqual(expected);
  });

  it("LtHash16 is order independent and removal undoes addition", () => {
    const ids = ["a", "b", "c"].map((x) => ltElementId(new TextEncoder().encode(x)));
    const h1 = new LtHash16();
    const h2 = new LtHash16();
    for (const id of ids) h1.update(id, 1);
    for (const id of [...ids].reverse()) h2.update(id, 1);
    expect(toHex(h1.digest())).toBe(toHex(h2.digest()));
    h2.update(ids[1]!, -1);
    expect(toHex(h2.digest())).not.toBe(toHex(h1.digest()));
    h2.update(ids[1]!, 1);
    expect(toHex(LtHash16.fromBytes(h2.toBytes()).digest())).toBe(toHex(h1.digest()));
  });
});

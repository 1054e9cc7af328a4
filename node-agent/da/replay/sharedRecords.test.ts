import { describe, expect, it } from "vitest";
import { sha256Native } from "../../../common/hash.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { ChunkDeclared } from "../../../proto/gen/dsdn/da/v1/events.js";
import { sharedDeclaration, signUploadDeclaration } from "../events/declaration.js";
import { openBlob } from "../events/openedEvents.js";
import { sampleBlobs, sampleCid, sampleDeclaredFile, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { applyChunkDeclared } from "./applyChunkDeclared.js";
import { nodeIdHex, sharedNodeId } from "./principal.js";
import { deleteRecordId, ReplayState } from "./state.js";
import { envelopeWriteKey } from "./writeKey.js";

const enc = new TextEncoder();
const coordinator = new Uint8Array(32).fill(9);
const ctx = (seq: number) => ({
  publisherHex: "09".repeat(32),
  isCoordinator: true,
  key: envelopeWriteKey(coordinator, BigInt(seq), 5n),
  blobHeight: 10n,
});

describe("values replay shares between records", () => {
  it("node ids: equal bytes give one string and one buffer; ids alike in their first bytes stay apart", () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(1);
    b[31] = 2; // same bucket (first four bytes) as a
    expect(nodeIdHex(a)).toBe(Buffer.from(a).toString("hex"));
    expect(nodeIdHex(b)).toBe(Buffer.from(b).toString("hex"));
    expect(nodeIdHex(b)).not.toBe(nodeIdHex(a));
    const shared = sharedNodeId(Buffer.from(b));
    expect(shared.equals(Buffer.from(b))).toBe(true);
    expect(sharedNodeId(Buffer.from(b))).toBe(shared);
    expect(sharedNodeId(Buffer.from(a))).not.toBe(shared);
    // Another length is not a node id: its hex as it is, the buffer itself.
    const short = Buffer.from([1, 2, 3]);
    expect(nodeIdHex(short)).toBe("010203");
    expect(sharedNodeId(short)).toBe(short);
  });

  it("a declaration is shared only with one of the very same fields and signature", () => {
    const key = secp256k1KeyPair(sha256Native(enc.encode("shared-decl")));
    const objects = [{ cid: sampleCid("sd-0"), size: 10n }];
    const { declaration } = signUploadDeclaration(
      { manifestCid: sampleCid("sd-m"), objects, signedAtHeight: 1n, expiresAtHeight: 50n },
      key,
    );
    const first = sharedDeclaration({ ...declaration });
    expect(sharedDeclaration({ ...declaration })).toBe(first);
    // The same signature over other fields (a forgery riding on a verified one) is not taken for it.
    const forged = { ...declaration, totalSize: declaration.totalSize + 1n };
    expect(sharedDeclaration(forged)).toBe(forged);
  });

  it("a file's chunks share one pin set; a second uploader's pin on one chunk never reaches the others", () => {
    const a = secp256k1KeyPair(sha256Native(enc.encode("uploader-a")));
    const b = secp256k1KeyPair(sha256Native(enc.encode("uploader-b")));
    const manifestCid = sampleCid("two-owners");
    const objects = [0, 1, 2].map((i) => ({ cid: sampleCid(`two-owners-${i}`), size: BigInt(100 + i) }));
    const placement = [new Uint8Array(32).fill(3)];
    const fa = sampleDeclaredFile({ manifestCid, objects, owner: a, signedAtHeight: 1n, placement });
    const fb = sampleDeclaredFile({
      manifestCid,
      objects: objects.slice(0, 1),
      owner: b,
      signedAtHeight: 2n,
      placement,
    });
    const state = new ReplayState();
    let seq = 1;
    for (const ev of fa)
      expect(applyChunkDeclared(state, ChunkDeclared.fromPartial(ev), ctx(seq++)).status).toBe("applied");
    const pinsOf = (i: number) => state.chunks.get(objects[i]!.cid)!.pins;
    expect(pinsOf(1)).toBe(pinsOf(0));
    expect(pinsOf(2)).toBe(pinsOf(0));
    expect(applyChunkDeclared(state, ChunkDeclared.fromPartial(fb[0]!), ctx(seq++)).status).toBe("applied");
    const idA = deleteRecordId(manifestCid, fa[0]!.declaration!.uploader);
    const idB = deleteRecordId(manifestCid, fb[0]!.declaration!.uploader);
    expect([...pinsOf(0).keys()].sort()).toEqual([idA, idB].sort());
    for (const i of [1, 2]) {
      expect(pinsOf(i).size).toBe(1);
      expect(pinsOf(i).has(idB)).toBe(false);
      expect([...pinsOf(i).entries()].map(([id]) => id)).toEqual([idA]);
    }
    // The incremental digest and a state rebuilt from the snapshot agree with a recount from every entry.
    expect(state.digestHex()).toBe(Buffer.from(state.digestFromScratch()).toString("hex"));
    expect(ReplayState.fromSnapshot(state.toSnapshot()).digestHex()).toBe(state.digestHex());
  });
});

describe("sample blobs as the publisher batches them", () => {
  it("a step after inclusion waits for the next blob without cutting the one being filled", () => {
    const net = sampleNetwork(8, 3, "batching");
    const blobs = sampleBlobs(
      net,
      sampleWorkload(net, { files: 6, chunksPerFile: 8, healEvery: 5, deleteEvery: 2 }),
      10,
    );
    // Every blob is the coordinator's and full, but for the end of the stream (the last one, and the owner's
    // delete that waited for it).
    for (const b of blobs.slice(0, -2)) expect(b.events).toBe(10);
    expect(blobs.every((b) => b.publisher === net.coordinator.hex)).toBe(true);
    // A healed chunk's new holder is recorded only in a blob after the one that re-declared its placement.
    const placed = new Set<string>();
    const removedFrom = new Set<string>();
    const redeclaredAt = new Map<string, bigint>();
    let heals = 0;
    for (const b of blobs) {
      const opened = openBlob(b.data);
      if (opened.kind !== "events") throw new Error("unreadable sample blob");
      for (const env of opened.envelopes) {
        if (env instanceof Error) throw env;
        const ev = env.event;
        if (ev.type === "chunkDeclared") {
          for (const n of ev.value.placement) placed.add(`${ev.value.cid}/${nodeIdHex(n)}`);
          if (removedFrom.has(ev.value.cid)) redeclaredAt.set(ev.value.cid, b.height);
        } else if (ev.type === "replicaRemoved") removedFrom.add(ev.value.cid);
        else if (ev.type === "replicaAdded") {
          expect(placed.has(`${ev.value.cid}/${nodeIdHex(ev.value.nodeId)}`)).toBe(true);
          const at = redeclaredAt.get(ev.value.cid);
          if (at !== undefined) {
            expect(b.height).toBeGreaterThan(at);
            heals++;
          }
        }
      }
    }
    expect(heals).toBeGreaterThan(3);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { decodeManifest, MANIFEST_VERSION_ERASURE } from "../../node-agent/storage/manifest.js";
import { type ChunkServer, createChunkServer } from "../../node-agent/storage/server.js";
import { getFile } from "./get.js";
import { Keystore } from "./keystore.js";
import { uploadFile } from "./upload.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-ec-"));
const CHUNK = 64 * 1024;
interface TestNode {
  url: string;
  store: LocalFsStorage;
  server: ChunkServer;
}
const nodes: TestNode[] = [];
const keystore = new Keystore(join(root, "home"));
let n = 0;
const path = (bytes: Buffer) => {
  const p = join(root, `in-${n++}`);
  writeFileSync(p, bytes);
  return p;
};
const out = () => join(root, `out-${n++}`);

async function startNode(name: string): Promise<TestNode> {
  const dir = join(root, name);
  const store = await LocalFsStorage.open(dir);
  const server = createChunkServer({
    authority: "open",
    storage: store,
    identity: await loadOrCreateIdentity(dir),
    zone: name,
  });
  const url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  return { url, store, server };
}

/** Which node holds each shard of each chunk (the direct path spreads shard i of chunk c over node (c+i) mod n). */
async function holdersOf(cid: string): Promise<TestNode[]> {
  const out: TestNode[] = [];
  for (const node of nodes) if (await node.store.hasChunk(cid)) out.push(node);
  return out;
}

beforeAll(async () => {
  for (const z of ["a", "b", "c", "d", "e", "f"]) nodes.push(await startNode(z));
});
afterAll(async () => {
  for (const x of nodes) await x.server.app.close();
  rmSync(root, { recursive: true, force: true });
});

describe("erasure-coded upload and get (4+2 over 6 nodes)", () => {
  it("stores k+m shards per chunk (1.5× the bytes, no whole chunk anywhere) and reads them back, plain and encrypted", async () => {
    const data = randomBytes(3 * CHUNK + 1001);
    for (const encrypt of [false, true]) {
      const up = await uploadFile({
        path: path(data),
        nodes: nodes.map((x) => x.url),
        chunkSize: CHUNK,
        encrypt,
        keystore,
        erasure: { k: 4, m: 2 },
      });
      const mbytes = (await nodes[0]!.store.readChunk(up.manifest))!;
      const m = decodeManifest(mbytes, up.manifest);
      expect(m.version).toBe(MANIFEST_VERSION_ERASURE);
      expect(m.erasure).toEqual({ dataShards: 4, parityShards: 2 });
      let stored = 0;
      for (const ref of m.chunks) {
        expect(ref.shards).toHaveLength(6);
        expect(await holdersOf(ref.cid)).toHaveLength(0);
        for (const s of ref.shards) {
          const h = await holdersOf(s);
          expect(h).toHaveLength(1);
          stored += (await h[0]!.store.statChunk(s))!.size;
        }
      }
      const chunkBytes = m.chunks.reduce((a, c) => a + Number(c.size), 0);
      expect(stored / chunkBytes).toBeGreaterThanOrEqual(1.5);
      expect(stored / chunkBytes).toBeLessThan(1.52);
      const o = out();
      const got = await getFile({ manifest: up.manifest, nodes: nodes.map((x) => x.url), out: o, keystore });
      expect(got.encrypted).toBe(encrypt);
      expect(readFileSync(o).equals(data)).toBe(true);
    }
  });

  it("a range reads only the stripes that overlap it (k shards each), plain and encrypted", async () => {
    const data = randomBytes(4 * CHUNK + 77);
    for (const encrypt of [false, true]) {
      const up = await uploadFile({
        path: path(data),
        nodes: nodes.map((x) => x.url),
        chunkSize: CHUNK,
        encrypt,
        keystore,
        erasure: { k: 4, m: 2 },
      });
      for (const [start, end] of [
        [CHUNK - 1, CHUNK], // across a stripe boundary
        [2 * CHUNK + 5, 2 * CHUNK + 9], // inside one stripe
        [4 * CHUNK, 4 * CHUNK + 76], // the short last stripe
      ] as const) {
        const o = out();
        const got = await getFile({
          manifest: up.manifest,
          nodes: nodes.map((x) => x.url),
          out: o,
          keystore,
          range: { start, end },
        });
        expect(readFileSync(o).equals(data.subarray(start, end + 1))).toBe(true);
        const stripes = Math.floor(end / CHUNK) - Math.floor(start / CHUNK) + 1;
        expect(got.fetchedChunks).toBe(stripes);
        // k verified shards per overlapping stripe, nothing else.
        expect(Object.values(got.servedBy).reduce((a, b) => a + b, 0)).toBe(4 * stripes);
      }
      await expect(
        getFile({
          manifest: up.manifest,
          nodes: nodes.map((x) => x.url),
          out: out(),
          keystore,
          range: { start: 5, end: data.length },
        }),
      ).rejects.toThrow(/outside the file/);
    }
  });

  it("survives the loss of any m = 2 shards per chunk, and refuses clearly with m + 1 lost", async () => {
    const data = randomBytes(2 * CHUNK + 5);
    const up = await uploadFile({
      path: path(data),
      nodes: nodes.map((x) => x.url),
      chunkSize: CHUNK,
      keystore,
      erasure: { k: 4, m: 2 },
    });
    const m = decodeManifest((await nodes[0]!.store.readChunk(up.manifest))!, up.manifest);
    // Lose two data shards of every chunk: the decode path (not just the data-shard fast path) is exercised.
    for (const ref of m.chunks)
      for (const s of ref.shards.slice(1, 3)) for (const h of await holdersOf(s)) await h.store.deleteChunk(s);
    const o = out();
    await getFile({ manifest: up.manifest, nodes: nodes.map((x) => x.url), out: o });
    expect(readFileSync(o).equals(data)).toBe(true);
    const third = m.chunks[1]!.shards[4]!;
    for (const h of await holdersOf(third)) await h.store.deleteChunk(third);
    await expect(getFile({ manifest: up.manifest, nodes: nodes.map((x) => x.url), out: out() })).rejects.toThrow(
      /chunk 1: only 3 of the 4 shards needed/,
    );
  });

  it("a node serving a forged shard is caught by the shard's CID and another shard is used", async () => {
    const data = randomBytes(CHUNK);
    const up = await uploadFile({
      path: path(data),
      nodes: nodes.map((x) => x.url),
      chunkSize: CHUNK,
      keystore,
      erasure: { k: 4, m: 2 },
    });
    const m = decodeManifest((await nodes[0]!.store.readChunk(up.manifest))!, up.manifest);
    const victim = m.chunks[0]!.shards[0]!;
    const [holder] = await holdersOf(victim);
    // Rot the file on disk behind the store's back: the node's own read check or the client's CID check refuses it.
    const file = holder!.store.pathFor(victim);
    const bytes = readFileSync(file);
    bytes[0]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(cidForBytes(bytes)).not.toBe(victim);
    const o = out();
    await getFile({ manifest: up.manifest, nodes: nodes.map((x) => x.url), out: o, retries: 0 });
    expect(readFileSync(o).equals(data)).toBe(true);
  });

  it("refuses an impossible code before anything is sent", async () => {
    await expect(
      uploadFile({ path: path(randomBytes(10)), nodes: [nodes[0]!.url], erasure: { k: 4, m: 0 } }),
    ).rejects.toThrow(/m must be 1–6/);
  });
});

import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { type ChunkServer, createChunkServer } from "../../node-agent/storage/server.js";
import { newFileKey } from "./encryption.js";
import { getFile } from "./get.js";
import { Keystore } from "./keystore.js";
import { uploadFile } from "./upload.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-transfer-"));
const CHUNK = 64 * 1024;
interface TestNode {
  url: string;
  store: LocalFsStorage;
  server: ChunkServer;
}
const nodes: TestNode[] = [];
const keystore = new Keystore(join(root, "home"));

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

const puts = (n: TestNode) => n.server.metrics.value("dsdn_storage_chunk_puts_total", { result: "created" });
let fileNo = 0;
function file(bytes: Buffer): string {
  const p = join(root, `in-${fileNo++}`);
  writeFileSync(p, bytes);
  return p;
}
const outPath = () => join(root, `out-${fileNo++}`);
/** Files in the output folder that look like leftovers of a failed get. */
const partials = () => readdirSync(root).filter((f) => f.includes(".partial"));

beforeAll(async () => {
  nodes.push(await startNode("a"), await startNode("b"));
});
afterAll(async () => {
  for (const n of nodes) await n.server.app.close();
  rmSync(root, { recursive: true, force: true });
});

describe("upload and get", () => {
  it.each([
    ["empty", 0],
    ["1-byte", 1],
    ["exactly one chunk", CHUNK],
    ["chunk multiple", 3 * CHUNK],
    ["multi-chunk", 5 * CHUNK + 777],
  ])("round-trips a %s file (%d bytes) through two nodes, plain and encrypted", async (_name, size) => {
    const data = randomBytes(size);
    const path = file(data);
    for (const encrypt of [false, true]) {
      const up = await uploadFile({ path, nodes: [nodes[0]!.url, nodes[1]!.url], chunkSize: CHUNK, encrypt, keystore });
      expect(up.chunks).toBe(Math.ceil(size / CHUNK));
      expect(up.encrypted).toBe(encrypt);
      for (const n of up.nodes) expect(n.nodeId).toMatch(/^[0-9a-f]{64}$/);
      const out = outPath();
      const got = await getFile({ manifest: up.manifest, nodes: [nodes[1]!.url], out, keystore });
      expect(got.size).toBe(size);
      expect(readFileSync(out).equals(data)).toBe(true);
    }
  });

  it("encrypted chunks on disk are not the plaintext, and a plain upload of the same file is", async () => {
    const data = randomBytes(2 * CHUNK);
    const path = file(data);
    const enc = await uploadFile({ path, nodes: [nodes[0]!.url], chunkSize: CHUNK, encrypt: true, keystore });
    const plain = await uploadFile({ path, nodes: [nodes[0]!.url], chunkSize: CHUNK, keystore });
    expect(enc.manifest).not.toBe(plain.manifest);
    const first = data.subarray(0, CHUNK);
    const stored: Buffer[] = [];
    for await (const c of nodes[0]!.store.list()) stored.push(readFileSync(nodes[0]!.store.pathFor(c.cid)));
    const holding = stored.filter((b) => b.includes(first.subarray(0, 4096)));
    expect(holding.length).toBe(1); // only the plaintext upload's chunk
    expect(holding[0]!.equals(first)).toBe(true);
  });

  it("a wrong key fails loudly and leaves no output file", async () => {
    const path = file(randomBytes(CHUNK + 5));
    const up = await uploadFile({ path, nodes: [nodes[0]!.url], chunkSize: CHUNK, encrypt: true, keystore });
    const out = outPath();
    await expect(getFile({ manifest: up.manifest, nodes: [nodes[0]!.url], out, key: newFileKey() })).rejects.toThrow(
      /wrong key/,
    );
    await expect(
      getFile({ manifest: up.manifest, nodes: [nodes[0]!.url], out, keystore: new Keystore(join(root, "empty-home")) }),
    ).rejects.toThrow(/holds no key/);
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
  });

  it("a tampered chunk fails loudly and leaves no output file", async () => {
    const data = randomBytes(3 * CHUNK);
    const path = file(data);
    const up = await uploadFile({ path, nodes: [nodes[0]!.url], chunkSize: CHUNK, keystore });
    // Swap in bytes on disk for chunk 1; the node's own check must catch it.
    const { chunks } = await import("../../node-agent/storage/manifest.js").then(async (m) =>
      m.decodeManifest((await nodes[0]!.store.readChunk(up.manifest))!),
    );
    const victim = nodes[0]!.store.pathFor(chunks[1]!.cid);
    const bytes = readFileSync(victim);
    bytes[5]! ^= 1;
    writeFileSync(victim, bytes);
    const out = outPath();
    await expect(getFile({ manifest: up.manifest, nodes: [nodes[0]!.url], out, retries: 0 })).rejects.toThrow(
      /chunk 1 .*(missing|could not be fetched)/,
    );
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
  });

  it("a missing chunk fails with a clear message and leaves no output file; another node that has it serves it", async () => {
    const data = randomBytes(3 * CHUNK);
    const path = file(data);
    const up = await uploadFile({ path, nodes: [nodes[0]!.url, nodes[1]!.url], chunkSize: CHUNK, keystore });
    const { decodeManifest } = await import("../../node-agent/storage/manifest.js");
    const m = decodeManifest((await nodes[0]!.store.readChunk(up.manifest))!);
    await nodes[0]!.store.deleteChunk(m.chunks[2]!.cid);
    const out = outPath();
    await expect(getFile({ manifest: up.manifest, nodes: [nodes[0]!.url], out })).rejects.toThrow(
      new RegExp(`chunk 2 ${m.chunks[2]!.cid} is missing on every node`),
    );
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
    const got = await getFile({ manifest: up.manifest, nodes: [nodes[0]!.url, nodes[1]!.url], out });
    expect(readFileSync(out).equals(data)).toBe(true);
    expect(got.servedBy[nodes[1]!.url]).toBeGreaterThanOrEqual(1);
  });

  it("an altered encrypted manifest is refused", async () => {
    const path = file(randomBytes(2 * CHUNK));
    const up = await uploadFile({ path, nodes: [nodes[0]!.url], chunkSize: CHUNK, encrypt: true, keystore });
    const { decodeManifest, manifestCid } = await import("../../node-agent/storage/manifest.js");
    const m = decodeManifest((await nodes[0]!.store.readChunk(up.manifest))!);
    const forged = { ...m, chunks: [m.chunks[1]!, m.chunks[0]!] };
    const { cid, bytes } = manifestCid(forged);
    await nodes[0]!.store.putChunk(cid, bytes);
    await expect(getFile({ manifest: cid, nodes: [nodes[0]!.url], out: outPath(), keystore })).rejects.toThrow(
      /manifest .* failed authentication/,
    );
  });

  it.each([false, true])(
    "an interrupted upload resumes sending only the missing chunks (encrypt=%s)",
    async (encrypt) => {
      const data = randomBytes(10 * CHUNK);
      const path = file(data);
      const node = nodes[0]!;
      const before = puts(node);
      const abort = new AbortController();
      await expect(
        uploadFile({
          path,
          nodes: [node.url],
          chunkSize: CHUNK,
          encrypt,
          keystore,
          concurrency: 1,
          signal: abort.signal,
          onProgress: (done) => {
            if (done >= 4 * CHUNK) abort.abort(new Error("interrupted"));
          },
        }),
      ).rejects.toThrow(/interrupted/);
      const firstRun = puts(node) - before;
      expect(firstRun).toBeGreaterThanOrEqual(4);
      expect(firstRun).toBeLessThan(10);
      const up = await uploadFile({ path, nodes: [node.url], chunkSize: CHUNK, encrypt, keystore });
      // The rest of the chunks plus the manifest, and nothing sent twice.
      expect(puts(node) - before).toBe(11);
      expect(up.sent).toBe(11 - firstRun);
      expect(up.skipped).toBe(firstRun);
      const out = outPath();
      await getFile({ manifest: up.manifest, nodes: [node.url], out, keystore });
      expect(readFileSync(out).equals(data)).toBe(true);
    },
  );

  it("refuses to resume an encrypted upload whose file changed in place, sending nothing new under an old nonce", async () => {
    const data = randomBytes(6 * CHUNK);
    const path = file(data);
    // Whole seconds: a Date round-trips through utimes without float rounding of the mtime.
    const mtime = Math.floor(Date.now() / 1000) - 60;
    utimesSync(path, mtime, mtime);
    const node = nodes[0]!;
    const abort = new AbortController();
    await expect(
      uploadFile({
        path,
        nodes: [node.url],
        chunkSize: CHUNK,
        encrypt: true,
        keystore,
        concurrency: 1,
        signal: abort.signal,
        onProgress: (done) => {
          if (done >= 3 * CHUNK) abort.abort(new Error("interrupted"));
        },
      }),
    ).rejects.toThrow(/interrupted/);
    // Same size and modification time, different bytes in an already-sent chunk.
    const changed = Buffer.from(data);
    changed[CHUNK + 10]! ^= 1;
    writeFileSync(path, changed);
    utimesSync(path, mtime, mtime);
    const before = puts(node);
    await expect(
      uploadFile({ path, nodes: [node.url], chunkSize: CHUNK, encrypt: true, keystore, concurrency: 1 }),
    ).rejects.toThrow(/changed since its interrupted encrypted upload/);
    expect(puts(node)).toBe(before);
    // Once the file is visibly new (touched), a fresh key is used and the upload completes.
    utimesSync(path, mtime + 5, mtime + 5);
    const up = await uploadFile({ path, nodes: [node.url], chunkSize: CHUNK, encrypt: true, keystore });
    const out = outPath();
    await getFile({ manifest: up.manifest, nodes: [node.url], out, keystore });
    expect(readFileSync(out).equals(changed)).toBe(true);
  });

  it("refuses a bad node URL and a non-file clearly", async () => {
    await expect(uploadFile({ path: file(Buffer.from("x")), nodes: ["ftp://x"], keystore })).rejects.toThrow(/http/);
    await expect(uploadFile({ path: root, nodes: [nodes[0]!.url], keystore })).rejects.toThrow(/not a regular file/);
  });
});

describe("get into an unusable target", () => {
  it("fails clearly and leaves no partial file when the output path is a directory", async () => {
    const path = file(randomBytes(100));
    const up = await uploadFile({ path, nodes: [nodes[0]!.url], chunkSize: CHUNK, keystore });
    const target = join(root, `dir-${fileNo++}`);
    mkdirSync(target);
    await expect(getFile({ manifest: up.manifest, nodes: [nodes[0]!.url], out: target })).rejects.toThrow(
      /cannot write/,
    );
    expect(partials()).toEqual([]);
  });
});

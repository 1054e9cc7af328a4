import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { type ChunkServer, createChunkServer } from "../../node-agent/storage/server.js";
import { DEFAULT_GET_CONCURRENCY, getFile } from "./get.js";
import { Keystore } from "./keystore.js";
import { uploadFile } from "./upload.js";

const CHUNK = 64 * 1024;
const root = mkdtempSync(join(tmpdir(), "dsdn-get-pipeline-"));
let server: ChunkServer;
let url: string;
/** Chunk GETs wait here while `held` is set, so the test can count how many the client has in flight. */
let held: Promise<void> | null = null;
let release: () => void = () => {};
let chunkGets = 0;
let manifestCid = "";

beforeAll(async () => {
  const store = await LocalFsStorage.open(join(root, "node"));
  server = createChunkServer({
    authority: "open",
    storage: store,
    identity: await loadOrCreateIdentity(join(root, "node")),
    zone: "a",
  });
  server.app.addHook("onRequest", async (req) => {
    if (req.method !== "GET" || !req.url.startsWith("/chunks/") || req.url.includes(manifestCid)) return;
    chunkGets++;
    if (held) await held;
  });
  url = await server.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  release();
  await server.app.close();
  rmSync(root, { recursive: true, force: true });
});

describe("get pipeline", () => {
  it("keeps DEFAULT_GET_CONCURRENCY chunks in flight, no more", async () => {
    expect(DEFAULT_GET_CONCURRENCY).toBe(8);
    const chunks = DEFAULT_GET_CONCURRENCY + 3;
    const bytes = randomBytes(chunks * CHUNK);
    const path = join(root, "in");
    writeFileSync(path, bytes);
    const keystore = new Keystore(join(root, "home"));
    const up = await uploadFile({ path, nodes: [url], chunkSize: CHUNK, keystore });
    manifestCid = up.manifest;
    held = new Promise<void>((ok) => {
      release = ok;
    });
    const out = join(root, "out");
    const get = getFile({ manifest: up.manifest, nodes: [url], out, keystore });
    try {
      await vi.waitFor(() => expect(chunkGets).toBe(DEFAULT_GET_CONCURRENCY), { timeout: 5000 });
      // A further chunk GET would have to be sent now, while every slot is held; a manifest fetch is excluded.
      await new Promise((ok) => setImmediate(ok));
      expect(chunkGets).toBe(DEFAULT_GET_CONCURRENCY);
    } finally {
      held = null;
      release();
    }
    const r = await get;
    expect(r.fetchedChunks).toBe(chunks);
    expect(chunkGets).toBe(chunks);
    expect(Buffer.compare(readFileSync(out), bytes)).toBe(0);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type GatedChunkServer, startGatedChunkServer } from "../../test/support/gatedChunkServer.js";
import { DEFAULT_GET_CONCURRENCY, getFile } from "./get.js";
import { Keystore } from "./keystore.js";
import { uploadFile } from "./upload.js";

const CHUNK = 64 * 1024;
const root = mkdtempSync(join(tmpdir(), "dsdn-get-pipeline-"));
/** Chunk GETs (not the manifest's) pass a gate, so the test can count how many the client has in flight. */
let server: GatedChunkServer;
let manifestCid = "";

beforeAll(async () => {
  server = await startGatedChunkServer(
    root,
    (method, url) => method === "GET" && url.startsWith("/chunks/") && !url.includes(manifestCid),
  );
});
afterAll(async () => {
  await server.close();
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
    const up = await uploadFile({ path, nodes: [server.url], chunkSize: CHUNK, keystore });
    manifestCid = up.manifest;
    server.gate.hold();
    const out = join(root, "out");
    const get = getFile({ manifest: up.manifest, nodes: [server.url], out, keystore });
    try {
      await vi.waitFor(() => expect(server.gate.seen).toBe(DEFAULT_GET_CONCURRENCY), { timeout: 5000 });
      // A further chunk GET would have to be sent now, while every slot is held; a manifest fetch is excluded.
      await new Promise((ok) => setImmediate(ok));
      expect(server.gate.seen).toBe(DEFAULT_GET_CONCURRENCY);
    } finally {
      server.gate.open();
    }
    const r = await get;
    expect(r.fetchedChunks).toBe(chunks);
    expect(server.gate.seen).toBe(chunks);
    expect(Buffer.compare(readFileSync(out), bytes)).toBe(0);
  });
});

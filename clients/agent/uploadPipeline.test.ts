import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as cidModule from "../../common/cid.js";
import { type GatedChunkServer, startGatedChunkServer } from "../../test/support/gatedChunkServer.js";
import { getFile } from "./get.js";
import { Keystore } from "./keystore.js";
import { uploadFile } from "./upload.js";

// Counts which byte strings the upload hashed, so the test sees when chunk n+1's CID is computed.
vi.mock("../../common/cid.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../common/cid.js")>();
  return { ...actual, cidForBytes: vi.fn(actual.cidForBytes) };
});

const CHUNK = 64 * 1024;
const root = mkdtempSync(join(tmpdir(), "dsdn-upload-pipeline-"));
/** PUTs pass a gate: the test holds chunk 0 in flight and looks at what the client does meanwhile. */
let server: GatedChunkServer;

beforeAll(async () => {
  server = await startGatedChunkServer(root, (method) => method === "PUT");
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe("upload pipeline", () => {
  it.each([
    ["plain", false],
    ["encrypted", true],
  ])("%s: chunk n+1 is read and hashed while chunk n is still being sent", async (_name, encrypt) => {
    const hashed = vi.mocked(cidModule.cidForBytes);
    hashed.mockClear();
    server.gate.seen = 0;
    server.gate.hold();
    const bytes = randomBytes(3 * CHUNK);
    const path = join(root, `in-${encrypt}`);
    writeFileSync(path, bytes);
    const keystore = new Keystore(join(root, `home-${encrypt}`));
    const upload = uploadFile({ path, nodes: [server.url], chunkSize: CHUNK, concurrency: 1, encrypt, keystore });
    try {
      // Chunk 0's PUT has reached the node and is held there: one slot, so chunk 1 cannot be sent yet...
      await vi.waitFor(() => expect(server.gate.seen).toBe(1), { timeout: 5000 });
      // ...but its CID is ready for the moment the slot frees (before, it was hashed only after chunk 0's ack).
      await vi.waitFor(() => expect(hashed.mock.calls.filter(([b]) => b.length >= CHUNK).length).toBe(2), {
        timeout: 5000,
      });
      expect(server.gate.seen).toBe(1);
    } finally {
      server.gate.open();
    }
    const r = await upload;
    expect(r.chunks).toBe(3);
    expect(r.sent).toBe(4); // three chunks and the manifest
    const out = join(root, `out-${encrypt}`);
    await getFile({ manifest: r.manifest, nodes: [server.url], out, keystore });
    expect(Buffer.compare(readFileSync(out), bytes)).toBe(0);
  });
});

describe("upload accounting", () => {
  it("bytesSent counts every chunk sent in parallel (a `+= await` lost the sums of chunks that finished meanwhile)", async () => {
    const bytes = randomBytes(8 * CHUNK);
    const path = join(root, "in-count");
    writeFileSync(path, bytes);
    const r = await uploadFile({
      path,
      nodes: [server.url],
      chunkSize: CHUNK,
      concurrency: 4,
      keystore: new Keystore(join(root, "home-count")),
    });
    expect(r.sent).toBe(9);
    // Every chunk's bytes plus the manifest's (a few hundred bytes).
    expect(r.bytesSent).toBeGreaterThan(bytes.length);
    expect(r.bytesSent - bytes.length).toBeLessThan(4096);
  });
});

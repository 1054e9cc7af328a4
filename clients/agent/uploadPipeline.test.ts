import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as cidModule from "../../common/cid.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { type ChunkServer, createChunkServer } from "../../node-agent/storage/server.js";
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
let server: ChunkServer;
let url: string;
/** PUTs wait here while `held` is set: the test holds chunk 0 in flight and looks at what the client does meanwhile. */
let held: Promise<void> | null = null;
let release: () => void = () => {};
let putsSeen = 0;

beforeAll(async () => {
  const store = await LocalFsStorage.open(join(root, "node"));
  server = createChunkServer({
    authority: "open",
    storage: store,
    identity: await loadOrCreateIdentity(join(root, "node")),
    zone: "a",
  });
  server.app.addHook("onRequest", async (req) => {
    if (req.method !== "PUT") return;
    putsSeen++;
    if (held) await held;
  });
  url = await server.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  release();
  await server.app.close();
  rmSync(root, { recursive: true, force: true });
});

describe("upload pipeline", () => {
  it.each([
    ["plain", false],
    ["encrypted", true],
  ])("%s: chunk n+1 is read and hashed while chunk n is still being sent", async (_name, encrypt) => {
    const hashed = vi.mocked(cidModule.cidForBytes);
    hashed.mockClear();
    putsSeen = 0;
    held = new Promise<void>((ok) => {
      release = ok;
    });
    const bytes = randomBytes(3 * CHUNK);
    const path = join(root, `in-${encrypt}`);
    writeFileSync(path, bytes);
    const keystore = new Keystore(join(root, `home-${encrypt}`));
    const upload = uploadFile({ path, nodes: [url], chunkSize: CHUNK, concurrency: 1, encrypt, keystore });
    try {
      // Chunk 0's PUT has reached the node and is held there: one slot, so chunk 1 cannot be sent yet...
      await vi.waitFor(() => expect(putsSeen).toBe(1), { timeout: 5000 });
      // ...but its CID is ready for the moment the slot frees (before, it was hashed only after chunk 0's ack).
      await vi.waitFor(() => expect(hashed.mock.calls.filter(([b]) => b.length >= CHUNK).length).toBe(2), {
        timeout: 5000,
      });
      expect(putsSeen).toBe(1);
    } finally {
      held = null;
      release();
    }
    const r = await upload;
    expect(r.chunks).toBe(3);
    expect(r.sent).toBe(4); // three chunks and the manifest
    const out = join(root, `out-${encrypt}`);
    await getFile({ manifest: r.manifest, nodes: [url], out, keystore });
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
      nodes: [url],
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

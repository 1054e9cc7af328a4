import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { verifyAck } from "./ack.js";
import { loadOrCreateIdentity } from "./identity.js";
import { LocalFsStorage } from "./localfs.js";
import { type ChunkServer, createChunkServer } from "./server.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-server-"));
let server: ChunkServer;
let url: string;
let store: LocalFsStorage;
const LIMIT = 1024 * 1024;

beforeAll(async () => {
  store = await LocalFsStorage.open(dir);
  const identity = await loadOrCreateIdentity(dir);
  server = createChunkServer({ authority: "open", storage: store, identity, zone: "zone-a", maxBodyBytes: LIMIT });
  url = await server.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await server.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("chunk server", () => {
  const data = randomBytes(300_000);
  const cid = cidForBytes(data);

  it("accepts a verified PUT with a signed ack, then serves GET, HEAD and ranges", async () => {
    const put = await fetch(`${url}/chunks/${cid}`, { method: "PUT", body: data });
    expect(put.status).toBe(201);
    const body = (await put.json()) as { ack: string; nodeId: string; created: boolean };
    const ack = verifyAck(Buffer.from(body.ack, "base64"));
    expect(ack?.cid).toBe(cid);
    expect(ack?.size).toBe(BigInt(data.length));
    expect(ack?.zone).toBe("zone-a");
    expect(Buffer.from(ack!.nodePubkey).toString("hex")).toBe(body.nodeId);
    expect((await fetch(`${url}/chunks/${cid}`, { method: "PUT", body: data })).status).toBe(200);

    const head = await fetch(`${url}/chunks/${cid}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(data.length));
    const get = await fetch(`${url}/chunks/${cid}`);
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
    const part = await fetch(`${url}/chunks/${cid}`, { headers: { range: "bytes=1000-1999" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${data.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
    const bad = await fetch(`${url}/chunks/${cid}`, { headers: { range: "bytes=999999-" } });
    expect(bad.status).toBe(416);
  });

  it("refuses malformed CIDs with 400 and a clear error", async () => {
    for (const method of ["GET", "PUT", "HEAD"]) {
      const res = await fetch(`${url}/chunks/not-a-cid`, { method, ...(method === "PUT" ? { body: "x" } : {}) });
      expect(res.status).toBe(400);
      if (method !== "HEAD") {
        // The legacy fields stay exact; the translation layer adds title, whatHappened and whatToDo beside them.
        expect(await res.json()).toEqual({
          error: {
            code: "DSDN_INVALID_ARGUMENT",
            message: 'malformed CID: "not-a-cid"',
            title: "Invalid input",
            whatHappened: expect.any(String),
            whatToDo: expect.any(String),
            detail: 'malformed CID: "not-a-cid"',
          },
        });
      }
    }
  });

  it("refuses bytes that do not match the CID with 422 and stores nothing", async () => {
    const other = cidForBytes(Buffer.from("expected"));
    const res = await fetch(`${url}/chunks/${other}`, { method: "PUT", body: "something else" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("DSDN_INTEGRITY");
    expect((await fetch(`${url}/chunks/${other}`, { method: "HEAD" })).status).toBe(404);
  });

  it("refuses oversized bodies with 413, whether declared or streamed", async () => {
    const big = randomBytes(LIMIT + 1);
    const declared = await fetch(`${url}/chunks/${cidForBytes(big)}`, { method: "PUT", body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "DSDN_TOO_LARGE",
      message: expect.stringContaining(`limit of ${LIMIT} bytes`),
    });
    // No Content-Length: the limit must hold while streaming.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < big.length; i += 65536) c.enqueue(big.subarray(i, i + 65536));
        c.close();
      },
    });
    const streamed = await fetch(`${url}/chunks/${cidForBytes(big)}`, {
      method: "PUT",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await store.hasChunk(cidForBytes(big))).toBe(false);
  });

  it("answers 404 with a JSON error for a missing chunk", async () => {
    const res = await fetch(`${url}/chunks/${cidForBytes(Buffer.from("absent"))}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("DSDN_NOT_FOUND");
  });

  it("never completes a GET of a corrupted chunk and then stops serving it", async () => {
    const d = randomBytes(2 * 1024 * 1024);
    const c = cidForBytes(d);
    await store.putChunk(c, d);
    const path = store.pathFor(c);
    const bad = readFileSync(path);
    bad[bad.length - 1]! ^= 1;
    writeFileSync(path, bad);
    const res = await fetch(`${url}/chunks/${c}`);
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect((await fetch(`${url}/chunks/${c}`)).status).toBe(404);
    expect(server.metrics.value("dsdn_storage_corrupt_chunks_total")).toBe(1);
  });

  it("reports health and Prometheus metrics", async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; zone: string };
    expect(health).toMatchObject({ status: "ok", zone: "zone-a" });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain("# TYPE dsdn_storage_chunk_puts_total counter");
    expect(text).toMatch(/dsdn_storage_chunk_puts_total\{result="created"\} 1\n/);
    expect(text).toMatch(/dsdn_storage_chunk_puts_total\{result="too_large"\} 2\n/);
    expect(text).toMatch(/dsdn_storage_chunk_puts_total\{result="bad_request"\} 1\n/);
  });
});

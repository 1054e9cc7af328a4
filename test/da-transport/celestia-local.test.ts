/** @module CelestiaDA against the local DA server over real HTTP and WebSocket. */
import { statSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntegrityError } from "../../common/errors.js";
import { CelestiaDA } from "../../node-agent/da/celestia/celestiaDA.js";
import { DAError } from "../../node-agent/da/celestia/errors.js";
import { createCommitment } from "../../node-agent/da/commitment/commitment.js";
import { namespaceFromName, namespaceToBase64 } from "../../node-agent/da/commitment/namespace.js";
import { LocalDAServer } from "../../node-agent/da/localserver/server.js";
import type { DAHeightBlobs } from "../../node-agent/da/types.js";
import { delay, freePort, IN_PROCESS_DA_LIMITS, rawCall, tempDir } from "./helpers.js";

const ns = namespaceFromName("dsdn-test-transport");
const bytes = (s: string) => new TextEncoder().encode(s);

let tmp: ReturnType<typeof tempDir>;
let server: LocalDAServer;
let client: CelestiaDA;

beforeAll(async () => {
  tmp = tempDir();
  server = await LocalDAServer.start({ limits: IN_PROCESS_DA_LIMITS, dataDir: tmp.dir, port: 0, blockTimeMs: 150 });
  client = new CelestiaDA({
    url: server.url,
    authToken: server.tokens.write,
    namespace: ns,
    retryDelayMs: 50,
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  tmp?.cleanup();
});

describe("blob round trip", () => {
  it("connect() reports the heads and namespace", async () => {
    // The server makes a block every 150 ms, and connect() asks for the two heads in two calls: a block can land
    // between them (1 run in 5 under load). Both must be the server's head at some moment of the call.
    const before = BigInt(server.head());
    const info = await client.connect();
    const after = BigInt(server.head());
    expect(info.networkHead).toBeGreaterThanOrEqual(1n);
    for (const head of [info.networkHead, info.localHead]) {
      expect(head).toBeGreaterThanOrEqual(before);
      expect(head).toBeLessThanOrEqual(after);
    }
    expect(info.namespaceHex).toBe(Buffer.from(ns).toString("hex"));
  });

  it("postBlob → getBlob → getAll, with the locally computed commitment", async () => {
    const data = bytes(`event batch ${Date.now()}`);
    const ref = await client.postBlob(data);
    expect(ref.layer).toBe("celestia");
    expect(ref.commitment).toEqual(createCommitment(ns, data));
    expect(ref.height).toBeGreaterThan(1n);
    expect(await client.getBlob(ref)).toEqual(data);
    const all = await client.getAll(ref.height);
    expect(all.height).toBe(ref.height);
    expect(all.blobs.map((b) => Buffer.from(b.data).toString())).toContain(Buffer.from(data).toString());
    expect(all.blobs[0]!.ref.commitment).toEqual(ref.commitment);
  });

  it("blobs submitted together land in one height, in index order", async () => {
    const datas = [bytes("one"), bytes("two"), bytes("three")];
    const refs = await Promise.all(datas.map((d) => client.postBlob(d)));
    const heights = new Set(refs.map((r) => r.height));
    for (const h of heights) {
      const all = await client.getAll(h);
      expect(all.blobs.map((b) => b.index)).toEqual(all.blobs.map((_, i) => i));
    }
    const seen = (await Promise.all([...heights].map((h) => client.getAll(h)))).flatMap((x) => x.blobs);
    expect(seen.map((b) => Buffer.from(b.data).toString()).sort()).toEqual(["one", "three", "two"]);
  });

  it("a 1 MiB blob (subtree width 64) round-trips and verifies", async () => {
    const data = new Uint8Array(1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    const ref = await client.postBlob(data);
    // Buffer.equals: vitest's deep toEqual on a megabyte is needlessly slow.
    expect(Buffer.from(await client.getBlob(ref)).equals(Buffer.from(data))).toBe(true);
  });

  it("GetAll of a height without our blobs is null on the wire and empty through the client", async () => {
    const other = new CelestiaDA({
      url: server.url,
      authToken: server.tokens.read,
      namespace: namespaceFromName("nobody"),
    });
    const h = await other.head();
    const raw = await rawCall(
      server.url,
      "blob.GetAll",
      [Number(h), [namespaceToBase64(other.namespace)]],
      server.tokens.read,
    );
    expect(raw.body).toMatchObject({ result: null });
    expect((await other.getAll(h)).blobs).toEqual([]);
    await other.close();
  });

  it("reuses keep-alive connections", async () => {
    for (let i = 0; i < 5; i++) await client.head();
    const { counters, methods } = client.metrics();
    expect(counters.connectionsReused).toBeGreaterThan(0);
    expect(counters.connectionsOpened).toBeLessThan(counters.requests);
    expect(methods["header.LocalHead"]!.count).toBeGreaterThanOrEqual(5);
  });

  it("health() is healthy with head and latency", async () => {
    const h = await client.health();
    expect(h.status).toBe("healthy");
    expect(h.headHeight).toBeGreaterThanOrEqual(1n);
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe("wire errors match celestia-node", () => {
  it("blob: not found", async () => {
    const h = server.head();
    const r = await rawCall(
      server.url,
      "blob.Get",
      [h, namespaceToBase64(ns), Buffer.alloc(32, 9).toString("base64")],
      server.tokens.read,
    );
    expect(r.body).toMatchObject({ error: { code: 1, message: "blob: not found" } });
    await expect(
      client.getBlob({ layer: "celestia", height: BigInt(h), commitment: new Uint8Array(32).fill(9), namespace: ns }),
    ).rejects.toMatchObject({ kind: "not_found", code: "DSDN_NOT_FOUND" });
  });

  it("future height, height 0, wrong param count, unknown method", async () => {
    const h = server.head();
    const fut = await rawCall(server.url, "header.GetByHeight", [h + 50], server.tokens.read);
    expect((fut.body as { error: { message: string } }).error.message).toMatch(
      new RegExp(`^header: given height is from the future: networkHeight: \\d+, requestedHeight: ${h + 50}$`),
    );
    expect((await rawCall(server.url, "header.GetByHeight", [0], server.tokens.read)).body).toMatchObject({
      error: { code: 1, message: "height is equal to 0" },
    });
    expect((await rawCall(server.url, "blob.Get", [1], server.tokens.read)).body).toMatchObject({
      error: { code: -32602, message: "wrong param count (method 'blob.Get'): 1 != 3" },
    });
    expect((await rawCall(server.url, "blob.Nope", [], server.tokens.read)).body).toMatchObject({
      error: { code: -32601 },
    });
    const noRetry = new CelestiaDA({ url: server.url, authToken: server.tokens.read, namespace: ns, retryCount: 0 });
    await expect(noRetry.getAll(BigInt(h + 50))).rejects.toMatchObject({ kind: "future_height", transient: true });
    await noRetry.close();
  });

  it("head+1 waits for the next height instead of failing", async () => {
    const h = server.head();
    const r = await rawCall(server.url, "header.GetByHeight", [h + 1], server.tokens.read);
    expect((r.body as { result: { header: { height: unknown } } }).result.header.height).toBe(String(h + 1));
  });

  it("permissions: no token, read token, bad token", async () => {
    const blob = { namespace: namespaceToBase64(ns), data: "aGk=", share_version: 0, commitment: "", index: -1 };
    expect((await rawCall(server.url, "blob.Submit", [[blob], {}])).body).toMatchObject({
      error: { code: 1, message: "missing permission to invoke 'Submit' (need 'write')" },
    });
    expect((await rawCall(server.url, "blob.Submit", [[blob], {}], server.tokens.read)).body).toMatchObject({
      error: { message: "missing permission to invoke 'Submit' (need 'write')" },
    });
    expect((await rawCall(server.url, "header.LocalHead", [])).body).toMatchObject({
      error: { message: "missing permission to invoke 'LocalHead' (need 'read')" },
    });
    // Another signature tail, whatever the real one is (a fixed "AAAA" could be the real tail).
    const tail = server.tokens.write.endsWith("AAAA") ? "BBBB" : "AAAA";
    const forged = `${server.tokens.write.slice(0, -4)}${tail}`;
    expect((await rawCall(server.url, "header.LocalHead", [], forged)).status).toBe(401);

    const reader = new CelestiaDA({ url: server.url, authToken: server.tokens.read, namespace: ns, retryDelayMs: 10 });
    await expect(reader.postBlob(bytes("x"))).rejects.toMatchObject({ kind: "permission", code: "DSDN_UNAUTHORIZED" });
    expect(reader.metrics().counters.retries).toBe(0); // fatal errors are not retried
    await reader.close();

    const bad = new CelestiaDA({ url: server.url, authToken: forged, namespace: ns });
    const err = (await bad.connect().catch((e) => e)) as DAError;
    expect(err).toBeInstanceOf(DAError);
    expect(err.kind).toBe("unauthorized");
    expect(err.message).toContain("DA_AUTH_TOKEN");
    expect(err.message).not.toContain(forged);
    expect((await bad.health()).status).toBe("down");
    await bad.close();
  });

  it("refuses empty blobs, null options, reserved namespaces, HTTP subscribe and bodies over 16 MiB", async () => {
    const w = server.tokens.write;
    const ns64 = namespaceToBase64(ns);
    const empty = { namespace: ns64, data: "", share_version: 0, commitment: "", index: -1 };
    expect((await rawCall(server.url, "blob.Submit", [[empty], {}], w)).body).toMatchObject({
      error: { code: 1, message: "data can not be empty" },
    });
    const ok = { ...empty, data: "aGk=" };
    expect((await rawCall(server.url, "blob.Submit", [[ok], null], w)).body).toMatchObject({ error: { code: 1 } });
    const reserved = { ...ok, namespace: Buffer.alloc(29).fill(0x05, 28).toString("base64") };
    expect(JSON.stringify((await rawCall(server.url, "blob.Submit", [[reserved], {}], w)).body)).toMatch(/reserved/);
    expect(JSON.stringify((await rawCall(server.url, "blob.Subscribe", [ns64], w)).body)).toMatch(
      /no out channel support/,
    );
    const huge = { ...ok, data: Buffer.alloc(13 * 1024 * 1024).toString("base64") };
    const r = await rawCall(server.url, "blob.Submit", [[huge], {}], w);
    expect(r.status).toBe(413);
    await expect(client.postBlob(new Uint8Array(13 * 1024 * 1024))).rejects.toMatchObject({ kind: "too_large" });
    await expect(client.postBlob(new Uint8Array())).rejects.toThrow(/data can not be empty/);
  });

  it("the token and secret files are 0600", () => {
    expect(statSync(server.tokenFile).mode & 0o777).toBe(0o600);
  });
});

describe("integrity", () => {
  it("a byte flipped between node and client is detected on getBlob and getAll", async () => {
    const data = bytes("tamper me please, this is an event batch");
    const ref = await client.postBlob(data);
    const target = new URL(server.url);
    // A man in the middle that flips one bit of every blob's data in responses.
    const proxy = http.createServer((req, res) => {
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c) => chunks.push(c));
          r.on("end", () => {
            const body = JSON.parse(Buffer.concat(chunks).toString()) as { result?: unknown };
            const flip = (b: { data: string }) => {
              const d = Buffer.from(b.data, "base64");
              d[0] = (d[0] as number) ^ 1;
              b.data = d.toString("base64");
            };
            if (Array.isArray(body.result)) body.result.forEach(flip);
            else if (body.result && typeof body.result === "object" && "data" in body.result)
              flip(body.result as { data: string });
            const out = Buffer.from(JSON.stringify(body));
            res.writeHead(r.statusCode ?? 200, { "content-type": "application/json", "content-length": out.length });
            res.end(out);
          });
        },
      );
      req.pipe(up);
    });
    const port = await freePort();
    await new Promise<void>((r) => proxy.listen(port, "127.0.0.1", r));
    const victim = new CelestiaDA({ url: `http://127.0.0.1:${port}`, authToken: server.tokens.read, namespace: ns });
    try {
      await expect(victim.getBlob(ref)).rejects.toBeInstanceOf(IntegrityError);
      await expect(victim.getAll(ref.height)).rejects.toBeInstanceOf(IntegrityError);
      expect(victim.metrics().counters.integrityFailures).toBe(2);
      expect(await client.getBlob(ref)).toEqual(data); // the honest path still verifies
    } finally {
      await victim.close();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});

describe("subscribe", () => {
  it("delivers every height in order, including the one with our blob", async () => {
    const ac = new AbortController();
    const from = BigInt(server.head()) + 1n;
    const got: DAHeightBlobs[] = [];
    const done = (async () => {
      for await (const h of client.subscribe({ fromHeight: from, signal: ac.signal })) {
        got.push(h);
        if (h.blobs.some((b) => Buffer.from(b.data).toString() === "via subscribe")) ac.abort();
      }
    })();
    await delay(400);
    await client.postBlob(bytes("via subscribe"));
    await done;
    expect(got[0]!.height).toBe(from);
    expect(got.map((h) => h.height)).toEqual(got.map((_, i) => from + BigInt(i)));
  });

  it("backfills from an old height, then follows live", async () => {
    const ac = new AbortController();
    const target = BigInt(server.head()) + 3n;
    const heights: bigint[] = [];
    for await (const h of client.subscribe({ fromHeight: 1n, signal: ac.signal })) {
      heights.push(h.height);
      if (h.height >= target) ac.abort();
    }
    expect(heights[0]).toBe(1n);
    expect(heights).toEqual(heights.map((_, i) => BigInt(i + 1)));
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { toUserFacing } from "../../common/ux/userFacingError.js";
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import { type StaleSocketServer, staleSocketServer } from "../../test/support/staleSocketServer.js";
import { ComputeClient } from "./computeClient.js";
import { NodeClient } from "./nodeClient.js";

// Every client against a server that closes each reused kept-alive socket before answering (the race under load).
let srv: StaleSocketServer | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  for (const c of closers.splice(0)) await c();
});
/** undici puts a socket back in its pool one turn of the loop after the body ends. */
const settle = () => new Promise((done) => setImmediate(done));
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("clients survive a stale kept-alive socket", () => {
  it("coordinator GETs are sent once more on a new connection", async () => {
    srv = await staleSocketServer((_q, _b, res) => res.end(JSON.stringify({ status: "ok", daHeight: "7" })));
    const c = new CoordinatorClient(srv.url);
    expect((await c.health()).daHeight).toBe("7");
    await settle();
    expect((await c.health()).daHeight).toBe("7");
    expect(srv.requests.map((r) => r.dropped)).toEqual([false, true, false]);
  });

  it("a ticket request is re-signed for its second attempt (a replayed signature is refused)", async () => {
    srv = await staleSocketServer((_q, _b, res) => res.end(JSON.stringify({ cid: "c", tickets: [] })));
    const c = new CoordinatorClient(srv.url);
    const key = secp256k1KeyPair();
    await c.tickets("c", 1, key);
    await settle();
    expect(await c.tickets("c", 1, key)).toEqual({ cid: "c", tickets: [] });
    const [, dropped, resent] = srv.requests.map(
      (r) => JSON.parse(r.body) as { signature: string; signedAtMs: number },
    );
    expect(srv.requests.map((r) => r.dropped)).toEqual([false, true, false]);
    expect(resent!.signature).not.toBe(dropped!.signature);
    expect(resent!.signedAtMs).toBeGreaterThan(dropped!.signedAtMs);
  });

  it("a declaration (publishes DA events) is never repeated blindly: one attempt, a network error", async () => {
    srv = await staleSocketServer((_q, _b, res) =>
      res.end(JSON.stringify({ daHeight: "1", published: 0, chunks: [] })),
    );
    const c = new CoordinatorClient(srv.url);
    await c.declare({ declaration: "", chunks: [] });
    await settle();
    const err = await caught(c.declare({ declaration: "", chunks: [] }));
    expect(err).toBeInstanceOf(BaseError);
    expect((err as BaseError).code).toBe(ErrorCode.Unavailable);
    expect(srv.requests).toHaveLength(2);
    expect(toUserFacing(err, "en").code).not.toBe(ErrorCode.Internal);
  });

  it("a job submission (deduped by job id) is sent once more", async () => {
    const answer = { jobId: "j", nodes: ["n"], daHeight: "3", existing: false };
    srv = await staleSocketServer((_q, _b, res) => res.end(JSON.stringify(answer)));
    const c = new ComputeClient(srv.url);
    await c.submit(new Uint8Array([1]));
    await settle();
    expect(await c.submit(new Uint8Array([1]))).toEqual(answer);
    expect(srv.requests.map((r) => r.dropped)).toEqual([false, true, false]);
  });

  it("the node client (node:http) resends HEAD/PUT on a reused socket even with retries: 0", async () => {
    srv = await staleSocketServer((_q, _b, res) => res.writeHead(404, { "content-length": 0 }).end());
    const n = new NodeClient(srv.url, { retries: 0 });
    closers.push(async () => n.close());
    expect(await n.has("c1")).toBe(false);
    await settle();
    expect(await n.has("c2")).toBe(false);
    expect(srv.requests.map((r) => `${r.method} ${r.path}${r.dropped ? " dropped" : ""}`)).toEqual([
      "HEAD /chunks/c1",
      "HEAD /chunks/c2 dropped",
      "HEAD /chunks/c2",
    ]);
  });
});

describe("an answer cut short is a network error, never DSDN_INTERNAL", () => {
  async function truncating(): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": 200 });
        // The head and part of the body first, then the connection breaks (a separate event on the client).
        res.write('{"jobId":"j","nodes":[', () => setTimeout(() => res.destroy(), 50));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("deploy's submit: was resolved as {} (then `sub.nodes.length` threw a TypeError); now Unavailable", async () => {
    const err = await caught(new ComputeClient(await truncating()).submit(new Uint8Array([1])));
    expect(err).toBeInstanceOf(BaseError);
    expect((err as BaseError).code).toBe(ErrorCode.Unavailable);
    const u = toUserFacing(err, "en");
    expect(u.code).toBe(ErrorCode.Unavailable);
    expect(u.technical).toMatch(/terminated|other side closed/);
  });

  it("the coordinator client: a body read that fails is Unavailable with its cause", async () => {
    const err = await caught(new CoordinatorClient(await truncating()).health());
    expect((err as BaseError).code).toBe(ErrorCode.Unavailable);
    expect(toUserFacing(err, "en").technical).toMatch(/cut its answer short[\s\S]*caused by/);
  });
});
